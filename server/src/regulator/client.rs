//! A typed Metrc v2 client: serde models in, typed errors out. Every failure says which kind it is,
//! because the outbox worker acts differently on each.

use std::time::Duration;

use chrono::{NaiveDate, NaiveDateTime};
use reqwest::StatusCode;
use rust_decimal::Decimal;
use serde::{de::DeserializeOwned, Deserialize, Serialize};

use super::sandbox::{number, RowError};

/// Where and as whom to call the regulator. Never leaves the server.
#[derive(Clone, Serialize, Deserialize, PartialEq)]
pub struct Credentials {
    /// Base URL, e.g. `https://api-ca.metrc.com`.
    pub base_url: String,
    /// The integrator's (vendor) key.
    pub vendor_key: String,
    /// The store's user key.
    pub user_key: String,
    /// The facility licence.
    pub license: String,
    /// Whether these are the embedded sandbox's own (remade at each start).
    #[serde(default)]
    pub embedded: bool,
    /// When the user key expires, where the store knows it (Metrc does not say).
    #[serde(default)]
    pub key_expires_on: Option<NaiveDate>,
}

impl std::fmt::Debug for Credentials {
    // Keys must never reach a log.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("base_url", &self.base_url)
            .field("license", &self.license)
            .finish_non_exhaustive()
    }
}

/// Why a call failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum MetrcError {
    /// 401/403: key expired, revoked, wrong licence or missing permission.
    #[error("the regulator refused the credentials ({status}): {message}")]
    Auth {
        /// 401 or 403.
        status: u16,
        /// Metrc's message.
        message: String,
    },
    /// 400 with Metrc's rows.
    #[error("the regulator refused the data: {}", rows.iter().map(|r| format!("row {}: {}", r.row, r.message)).collect::<Vec<_>>().join("; "))]
    Validation {
        /// Row-indexed messages.
        rows: Vec<RowError>,
    },
    /// 429.
    #[error("the regulator is rate limiting; retry after {retry_after:?}")]
    RateLimited {
        /// How long to wait.
        retry_after: Duration,
    },
    /// 413.
    #[error("too many objects in one request")]
    TooLarge,
    /// 404.
    #[error("not found at the regulator")]
    NotFound,
    /// 5xx or no connection.
    #[error("the regulator is unavailable: {0}")]
    Unavailable(String),
    /// Sent, but no answer came: the write may or may not have happened.
    #[error("no answer from the regulator after the request was sent")]
    Uncertain,
}

/// Ids answered by a v2 create.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Ids {
    /// Ids, in submission order.
    pub ids: Vec<i64>,
}

/// A package as the client reads it.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RegPackage {
    /// Id.
    pub id: i64,
    /// Tag.
    pub label: String,
    /// Quantity.
    #[serde(with = "number")]
    pub quantity: Decimal,
    /// Unit.
    pub unit_of_measure_name: String,
    /// Finished.
    pub is_finished: bool,
    /// The item it is of, as Metrc nests it.
    #[serde(default)]
    pub item: Option<RegItem>,
    /// The manifest it arrived on, if it was received.
    #[serde(default)]
    pub received_from_manifest_number: Option<String>,
}

/// The item fields of a package that reconciliation compares with the product's mapping.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RegItem {
    /// Item name.
    pub name: String,
    /// Item category.
    #[serde(default)]
    pub product_category_name: String,
    /// Unit weight, for count-based items that need one.
    #[serde(with = "number::option", default)]
    pub unit_weight: Option<Decimal>,
    /// Its unit.
    #[serde(default)]
    pub unit_weight_unit_of_measure_name: Option<String>,
}

/// A receipt as the client reads it.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RegReceipt {
    /// Id.
    pub id: i64,
    /// Our receipt id.
    pub external_receipt_number: Option<String>,
    /// Facility-local time.
    pub sales_date_time: NaiveDateTime,
    /// Customer type.
    pub sales_customer_type: String,
    /// Lines.
    pub transactions: Vec<Transaction>,
}

/// A v2 list page.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Page<T> {
    /// Records.
    pub data: Vec<T>,
    /// Number of pages.
    pub total_pages: usize,
}

/// A manifest on its way to this facility, as Metrc lists it.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct IncomingTransfer {
    /// Transfer id.
    pub id: i64,
    /// The manifest number.
    pub manifest_number: String,
    /// Its delivery to us.
    pub delivery_id: i64,
    /// Who ships it.
    pub shipper_facility_name: Option<String>,
}

/// A package on an incoming delivery.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeliveryPackage {
    /// Its tag.
    pub package_label: String,
    /// The regulator item.
    pub item_name: String,
    /// Quantity shipped.
    #[serde(with = "super::sandbox::number")]
    pub shipped_quantity: Decimal,
    /// Unit shipped.
    pub shipped_unit_of_measure_name: String,
    /// When it was packaged.
    pub packaged_date: Option<chrono::NaiveDate>,
    /// "TestPassed", "TestFailed", "NotSubmitted", ...
    pub lab_testing_state: Option<String>,
}

pub use super::sandbox::{
    AdjustPackage, CreatePackage, FinishPackage, Ingredient, ReceiptBody, Transaction,
    TransactionBody,
};

/// Paces GET calls: Metrc limits them per facility (50 per second by default), not writes.
#[derive(Debug)]
struct TokenBucket {
    per_second: f64,
    tokens: f64,
    last: std::time::Instant,
}

impl TokenBucket {
    /// How long to wait before the next GET may go.
    fn take(&mut self) -> Duration {
        let now = std::time::Instant::now();
        self.tokens = (self.tokens + now.duration_since(self.last).as_secs_f64() * self.per_second)
            .min(self.per_second);
        self.last = now;
        self.tokens -= 1.0;
        if self.tokens >= 0.0 {
            Duration::ZERO
        } else {
            Duration::from_secs_f64(-self.tokens / self.per_second)
        }
    }
}

/// GET calls per second per facility the client allows itself unless told otherwise.
pub const DEFAULT_GETS_PER_SECOND: f64 = 50.0;

/// The client.
#[derive(Clone)]
pub struct MetrcClient {
    http: reqwest::Client,
    creds: Credentials,
    gets: std::sync::Arc<std::sync::Mutex<TokenBucket>>,
}

impl MetrcClient {
    /// A client with a per-request timeout and the default GET pace.
    pub fn new(creds: Credentials, timeout: Duration) -> Self {
        Self::with_get_rate(creds, timeout, DEFAULT_GETS_PER_SECOND)
    }

    /// A client that sends at most `per_second` GET calls per second.
    pub fn with_get_rate(creds: Credentials, timeout: Duration, per_second: f64) -> Self {
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .build()
            .expect("reqwest client builds");
        let per_second = per_second.max(0.1);
        let gets = TokenBucket {
            per_second,
            tokens: per_second,
            last: std::time::Instant::now(),
        };
        Self {
            http,
            creds,
            gets: std::sync::Arc::new(std::sync::Mutex::new(gets)),
        }
    }

    /// The facility licence calls act for.
    pub fn license(&self) -> &str {
        &self.creds.license
    }

    fn url(&self, path: &str) -> String {
        let sep = if path.contains('?') { '&' } else { '?' };
        format!(
            "{}{path}{sep}licenseNumber={}",
            self.creds.base_url.trim_end_matches('/'),
            self.creds.license
        )
    }

    async fn send(
        &self,
        req: reqwest::RequestBuilder,
        is_write: bool,
    ) -> Result<reqwest::Response, MetrcError> {
        let res = req
            .basic_auth(&self.creds.vendor_key, Some(&self.creds.user_key))
            .send()
            .await
            .map_err(|e| {
                // A write that reached the wire may have landed: only a refused connection proves
                // it did not.
                if is_write && !e.is_connect() {
                    MetrcError::Uncertain
                } else {
                    MetrcError::Unavailable(if e.is_timeout() {
                        "timed out".into()
                    } else {
                        "cannot connect".into()
                    })
                }
            })?;
        let status = res.status();
        if status.is_success() {
            return Ok(res);
        }
        #[derive(Deserialize)]
        #[serde(rename_all = "PascalCase")]
        struct Msg {
            message: Option<String>,
        }
        let retry_after = res
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok())
            .map_or(Duration::from_secs(1), Duration::from_secs);
        let text = res.text().await.unwrap_or_default();
        let message = || {
            serde_json::from_str::<Msg>(&text)
                .ok()
                .and_then(|m| m.message)
                .unwrap_or_else(|| text.clone())
        };
        Err(match status {
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => MetrcError::Auth {
                status: status.as_u16(),
                message: message(),
            },
            StatusCode::BAD_REQUEST => match serde_json::from_str::<Vec<RowError>>(&text) {
                Ok(rows) => MetrcError::Validation { rows },
                Err(_) => MetrcError::Validation {
                    rows: vec![RowError {
                        row: 0,
                        message: message(),
                    }],
                },
            },
            StatusCode::NOT_FOUND => MetrcError::NotFound,
            StatusCode::PAYLOAD_TOO_LARGE => MetrcError::TooLarge,
            StatusCode::TOO_MANY_REQUESTS => MetrcError::RateLimited { retry_after },
            _ => MetrcError::Unavailable(format!("{status}: {}", message())),
        })
    }

    async fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T, MetrcError> {
        let wait = self.gets.lock().expect("token bucket lock").take();
        if !wait.is_zero() {
            tokio::time::sleep(wait).await;
        }
        let res = self.send(self.http.get(self.url(path)), false).await?;
        res.json()
            .await
            .map_err(|e| MetrcError::Unavailable(format!("unreadable answer: {e}")))
    }

    async fn write(
        &self,
        method: reqwest::Method,
        path: &str,
        body: &impl Serialize,
    ) -> Result<reqwest::Response, MetrcError> {
        self.send(self.http.request(method, self.url(path)).json(body), true)
            .await
    }

    /// `GET /tags/v2/package/available`: package tags the facility may still use.
    pub async fn available_tags(&self) -> Result<Vec<String>, MetrcError> {
        #[derive(Deserialize)]
        #[serde(rename_all = "PascalCase")]
        struct Tag {
            label: String,
        }
        let tags: Vec<Tag> = self.get("/tags/v2/package/available").await?;
        Ok(tags.into_iter().map(|t| t.label).collect())
    }

    /// `GET /transfers/v2/incoming`, all pages: manifests on their way to this facility.
    pub async fn incoming_transfers(&self) -> Result<Vec<IncomingTransfer>, MetrcError> {
        let mut all = Vec::new();
        let mut page = 1;
        loop {
            let p: Page<IncomingTransfer> = self
                .get(&format!(
                    "/transfers/v2/incoming?pageNumber={page}&pageSize=20"
                ))
                .await?;
            all.extend(p.data);
            if page >= p.total_pages {
                return Ok(all);
            }
            page += 1;
        }
    }

    /// `GET /transfers/v2/deliveries/{id}/packages`, all pages: what a delivery carries.
    pub async fn delivery_packages(
        &self,
        delivery: i64,
    ) -> Result<Vec<DeliveryPackage>, MetrcError> {
        let mut all = Vec::new();
        let mut page = 1;
        loop {
            let p: Page<DeliveryPackage> = self
                .get(&format!(
                    "/transfers/v2/deliveries/{delivery}/packages?pageNumber={page}&pageSize=20"
                ))
                .await?;
            all.extend(p.data);
            if page >= p.total_pages {
                return Ok(all);
            }
            page += 1;
        }
    }

    /// `GET /packages/v2/{label}`.
    pub async fn package(&self, label: &str) -> Result<RegPackage, MetrcError> {
        self.get(&format!("/packages/v2/{label}")).await
    }

    /// Every active package, all pages.
    pub async fn active_packages(&self) -> Result<Vec<RegPackage>, MetrcError> {
        let mut all = Vec::new();
        let mut page = 1;
        loop {
            let p: Page<RegPackage> = self
                .get(&format!(
                    "/packages/v2/active?pageNumber={page}&pageSize=20"
                ))
                .await?;
            all.extend(p.data);
            if page >= p.total_pages {
                return Ok(all);
            }
            page += 1;
        }
    }

    /// Active receipts of one sales day, all pages.
    pub async fn receipts_on(&self, day: NaiveDate) -> Result<Vec<RegReceipt>, MetrcError> {
        let mut all = Vec::new();
        let mut page = 1;
        loop {
            let p: Page<RegReceipt> = self
                .get(&format!(
                    "/sales/v2/receipts/active?salesDateStart={day}&salesDateEnd={day}&pageNumber={page}&pageSize=20"
                ))
                .await?;
            all.extend(p.data);
            if page >= p.total_pages {
                return Ok(all);
            }
            page += 1;
        }
    }

    /// `GET /sales/v2/receipts/{id}`.
    pub async fn receipt(&self, id: i64) -> Result<RegReceipt, MetrcError> {
        self.get(&format!("/sales/v2/receipts/{id}")).await
    }

    /// `GET /sales/v2/receipts/external/{number}`; `None` when there is none.
    pub async fn receipt_by_external(
        &self,
        number: &str,
    ) -> Result<Option<RegReceipt>, MetrcError> {
        match self
            .get(&format!("/sales/v2/receipts/external/{number}"))
            .await
        {
            Ok(r) => Ok(Some(r)),
            Err(MetrcError::NotFound) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// `POST /packages/v2/` (at most 10).
    pub async fn create_packages(&self, body: &[CreatePackage]) -> Result<Vec<i64>, MetrcError> {
        let res = self
            .write(reqwest::Method::POST, "/packages/v2/", &body)
            .await?;
        Ok(res.json::<Ids>().await.map(|i| i.ids).unwrap_or_default())
    }

    /// `POST /packages/v2/adjust` (at most 10).
    pub async fn adjust(&self, body: &[AdjustPackage]) -> Result<Vec<i64>, MetrcError> {
        let res = self
            .write(reqwest::Method::POST, "/packages/v2/adjust", &body)
            .await?;
        Ok(res.json::<Ids>().await.map(|i| i.ids).unwrap_or_default())
    }

    /// `POST /sales/v2/receipts` (at most 10).
    pub async fn record_receipts(&self, body: &[ReceiptBody]) -> Result<Vec<i64>, MetrcError> {
        let res = self
            .write(reqwest::Method::POST, "/sales/v2/receipts", &body)
            .await?;
        Ok(res.json::<Ids>().await.map(|i| i.ids).unwrap_or_default())
    }

    /// `PUT /sales/v2/receipts`.
    pub async fn update_receipts(&self, body: &[ReceiptBody]) -> Result<(), MetrcError> {
        self.write(reqwest::Method::PUT, "/sales/v2/receipts", &body)
            .await
            .map(|_| ())
    }

    /// `DELETE /sales/v2/receipts/{id}`: archives (voids) a receipt.
    pub async fn archive_receipt(&self, id: i64) -> Result<(), MetrcError> {
        self.send(
            self.http
                .delete(self.url(&format!("/sales/v2/receipts/{id}"))),
            true,
        )
        .await
        .map(|_| ())
    }

    /// `PUT /packages/v2/finish`.
    pub async fn finish(&self, body: &[FinishPackage]) -> Result<(), MetrcError> {
        self.write(reqwest::Method::PUT, "/packages/v2/finish", &body)
            .await
            .map(|_| ())
    }
}
