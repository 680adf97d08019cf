//! A typed Metrc v2 client: wire models in, [`MetrcError`] out. Reads are paced per facility
//! (Metrc limits GET calls, not writes); every call names the permission Metrc documents for it,
//! so a 403 says what the key lacks.

use std::time::Duration;

use chrono::NaiveDate;
use reqwest::Method;
use serde::{de::DeserializeOwned, Deserialize, Serialize};

mod catalog;
mod retail_id;
mod windows;

pub use windows::{windows, MAX_WINDOW};

use crate::{
    error::MetrcError,
    wire::{
        perm, AdjustPackage, AdjustReasonInfo, CreatePackage, DeliveryPackage, FinishPackage, Ids,
        IncomingTransfer, OutgoingTransfer, Package, Page, Receipt, ReceiptBody, ReceiptId, Tag,
        MAX_PAGE_SIZE,
    },
};

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

    /// The credentials in use.
    pub fn credentials(&self) -> &Credentials {
        &self.creds
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
        permission: Option<&str>,
    ) -> Result<reqwest::Response, MetrcError> {
        let res = req
            .basic_auth(&self.creds.vendor_key, Some(&self.creds.user_key))
            .send()
            .await
            .map_err(|e| {
                // A write that reached the wire may have landed: only a refused connection (or a
                // request never built) proves it did not.
                if e.is_connect() || e.is_builder() {
                    MetrcError::Transport("cannot connect".into())
                } else if is_write {
                    MetrcError::AnswerLost
                } else if e.is_timeout() {
                    MetrcError::Transport("timed out".into())
                } else {
                    MetrcError::Transport(format!("no answer: {e}"))
                }
            })?;
        let status = res.status();
        if status.is_success() {
            return Ok(res);
        }
        let retry_after = res
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let body = res.text().await.unwrap_or_default();
        Err(MetrcError::from_answer(
            status.as_u16(),
            retry_after.as_deref(),
            &body,
            permission,
        ))
    }

    async fn get<T: DeserializeOwned>(
        &self,
        path: &str,
        permission: Option<&str>,
    ) -> Result<T, MetrcError> {
        let wait = self.gets.lock().expect("token bucket lock").take();
        if !wait.is_zero() {
            tokio::time::sleep(wait).await;
        }
        let res = self
            .send(self.http.get(self.url(path)), false, permission)
            .await?;
        let status = res.status().as_u16();
        res.json().await.map_err(|e| MetrcError::Server {
            status,
            message: format!("unreadable answer: {e}"),
        })
    }

    /// Every page of a v2 list.
    async fn all_pages<T: DeserializeOwned>(
        &self,
        path: &str,
        permission: Option<&str>,
    ) -> Result<Vec<T>, MetrcError> {
        let sep = if path.contains('?') { '&' } else { '?' };
        let mut all = Vec::new();
        let mut page = 1;
        loop {
            let p: Page<T> = self
                .get(
                    &format!("{path}{sep}pageNumber={page}&pageSize={MAX_PAGE_SIZE}"),
                    permission,
                )
                .await?;
            all.extend(p.data);
            if page >= p.total_pages {
                return Ok(all);
            }
            page += 1;
        }
    }

    /// A write; the ids a v2 create answers with (none when the answer carries none).
    async fn write(
        &self,
        method: Method,
        path: &str,
        body: &impl Serialize,
        permission: &str,
    ) -> Result<Vec<i64>, MetrcError> {
        let res = self
            .send(
                self.http.request(method, self.url(path)).json(body),
                true,
                Some(permission),
            )
            .await?;
        // The write succeeded; an answer without ids (finish, update) is not a failure.
        Ok(res.json::<Ids>().await.map(|i| i.ids).unwrap_or_default())
    }

    /// `GET /tags/v2/package/available`: package tags the facility may still use (no permission
    /// needed beyond the facility).
    pub async fn available_tags(&self) -> Result<Vec<String>, MetrcError> {
        let tags: Vec<Tag> = self.get("/tags/v2/package/available", None).await?;
        Ok(tags.into_iter().map(|t| t.label).collect())
    }

    /// `GET /transfers/v2/incoming`, all pages: manifests on their way to this facility.
    pub async fn incoming_transfers(&self) -> Result<Vec<IncomingTransfer>, MetrcError> {
        self.all_pages("/transfers/v2/incoming", Some(perm::VIEW_TRANSFERS))
            .await
    }

    /// `GET /transfers/v2/outgoing`, all pages: transfers leaving this facility.
    pub async fn outgoing_transfers(&self) -> Result<Vec<OutgoingTransfer>, MetrcError> {
        self.all_pages("/transfers/v2/outgoing", Some(perm::VIEW_TRANSFERS))
            .await
    }

    /// `GET /packages/v2/intransit`, all pages: packages on their way out.
    pub async fn packages_in_transit(&self) -> Result<Vec<Package>, MetrcError> {
        self.all_pages("/packages/v2/intransit", Some(perm::VIEW_PACKAGES))
            .await
    }

    /// `GET /transfers/v2/deliveries/{id}/packages`, all pages: what a delivery carries.
    pub async fn delivery_packages(
        &self,
        delivery: i64,
    ) -> Result<Vec<DeliveryPackage>, MetrcError> {
        self.all_pages(
            &format!("/transfers/v2/deliveries/{delivery}/packages"),
            Some(perm::VIEW_TRANSFERS),
        )
        .await
    }

    /// `GET /packages/v2/{label}`.
    pub async fn package(&self, label: &str) -> Result<Package, MetrcError> {
        self.get(&format!("/packages/v2/{label}"), Some(perm::VIEW_PACKAGES))
            .await
    }

    /// `GET /packages/v2/active`, all pages.
    pub async fn active_packages(&self) -> Result<Vec<Package>, MetrcError> {
        self.all_pages("/packages/v2/active", Some(perm::VIEW_PACKAGES))
            .await
    }

    /// `GET /packages/v2/adjust/reasons`, all pages: the adjustment reasons this facility's state
    /// accepts (no permission needed).
    pub async fn adjust_reasons(&self) -> Result<Vec<AdjustReasonInfo>, MetrcError> {
        self.all_pages("/packages/v2/adjust/reasons", None).await
    }

    /// Every receipt of one sales day (facility time) that is not archived, finalized or not,
    /// in the order Metrc recorded them: the active list and the finalized part of the inactive
    /// one, all pages. The day is sent as its first and last moment, which reads the same
    /// whether Metrc takes the bounds as dates or as timestamps.
    pub async fn receipts_on(&self, day: NaiveDate) -> Result<Vec<Receipt>, MetrcError> {
        let range = format!("salesDateStart={day}T00:00:00&salesDateEnd={day}T23:59:59.999");
        let mut all: Vec<Receipt> = self
            .all_pages(
                &format!("/sales/v2/receipts/active?{range}"),
                Some(perm::VIEW_SALES),
            )
            .await?;
        let inactive: Vec<Receipt> = self
            .all_pages(
                &format!("/sales/v2/receipts/inactive?{range}"),
                Some(perm::VIEW_SALES),
            )
            .await?;
        all.extend(inactive.into_iter().filter(|r| r.archived_date.is_none()));
        all.sort_by_key(|r| r.id);
        Ok(all)
    }

    /// `GET /sales/v2/receipts/{id}`.
    pub async fn receipt(&self, id: i64) -> Result<Receipt, MetrcError> {
        self.get(&format!("/sales/v2/receipts/{id}"), Some(perm::VIEW_SALES))
            .await
    }

    /// `GET /sales/v2/receipts/external/{number}`; `None` when there is none.
    pub async fn receipt_by_external(&self, number: &str) -> Result<Option<Receipt>, MetrcError> {
        match self
            .get(
                &format!("/sales/v2/receipts/external/{number}"),
                Some(perm::VIEW_SALES),
            )
            .await
        {
            Ok(r) => Ok(Some(r)),
            Err(MetrcError::NotFound) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// `POST /packages/v2/` (at most 10).
    pub async fn create_packages(&self, body: &[CreatePackage]) -> Result<Vec<i64>, MetrcError> {
        self.write(Method::POST, "/packages/v2/", &body, perm::CREATE_PACKAGES)
            .await
    }

    /// `POST /packages/v2/adjust` (at most 10).
    pub async fn adjust(&self, body: &[AdjustPackage]) -> Result<Vec<i64>, MetrcError> {
        self.write(
            Method::POST,
            "/packages/v2/adjust",
            &body,
            perm::MANAGE_INVENTORY,
        )
        .await
    }

    /// `POST /sales/v2/receipts` (at most 10).
    pub async fn record_receipts(&self, body: &[ReceiptBody]) -> Result<Vec<i64>, MetrcError> {
        self.write(
            Method::POST,
            "/sales/v2/receipts",
            &body,
            perm::MANAGE_SALES,
        )
        .await
    }

    /// `PUT /sales/v2/receipts`.
    pub async fn update_receipts(&self, body: &[ReceiptBody]) -> Result<(), MetrcError> {
        self.write(Method::PUT, "/sales/v2/receipts", &body, perm::MANAGE_SALES)
            .await
            .map(|_| ())
    }

    /// `DELETE /sales/v2/receipts/{id}`: archives (voids) a receipt.
    pub async fn archive_receipt(&self, id: i64) -> Result<(), MetrcError> {
        self.send(
            self.http
                .delete(self.url(&format!("/sales/v2/receipts/{id}"))),
            true,
            Some(perm::MANAGE_SALES),
        )
        .await
        .map(|_| ())
    }

    /// `PUT /sales/v2/receipts/finalize` (`true`) or `/unfinalize` (`false`).
    pub async fn finalize_receipts(&self, ids: &[i64], finalize: bool) -> Result<(), MetrcError> {
        let body: Vec<ReceiptId> = ids.iter().map(|&id| ReceiptId { id }).collect();
        let path = if finalize {
            "/sales/v2/receipts/finalize"
        } else {
            "/sales/v2/receipts/unfinalize"
        };
        self.write(Method::PUT, path, &body, perm::MANAGE_SALES)
            .await
            .map(|_| ())
    }

    /// `PUT /packages/v2/finish`.
    pub async fn finish(&self, body: &[FinishPackage]) -> Result<(), MetrcError> {
        self.write(
            Method::PUT,
            "/packages/v2/finish",
            &body,
            perm::MANAGE_INVENTORY,
        )
        .await
        .map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct Unused;

    fn client(base_url: String) -> MetrcClient {
        MetrcClient::new(
            Credentials {
                base_url,
                vendor_key: "vendor-secret".into(),
                user_key: "user-secret".into(),
                license: "LIC-1".into(),
            },
            Duration::from_millis(300),
        )
    }

    #[test]
    fn keys_never_reach_debug_output() {
        let text = format!("{:?}", client("https://example.test".into()).creds);
        assert!(!text.contains("secret"), "{text}");
        assert!(text.contains("LIC-1"), "{text}");
    }

    #[test]
    fn the_licence_is_added_to_every_path() {
        let c = client("https://example.test/".into());
        assert_eq!(
            c.url("/packages/v2/active"),
            "https://example.test/packages/v2/active?licenseNumber=LIC-1"
        );
        assert_eq!(
            c.url("/x?a=1"),
            "https://example.test/x?a=1&licenseNumber=LIC-1"
        );
    }

    #[tokio::test]
    async fn a_refused_connection_is_transport_for_reads_and_writes() {
        // A port nothing listens on: bind, learn the port, close.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let c = client(format!("http://127.0.0.1:{port}"));
        assert!(matches!(
            c.package("X").await,
            Err(MetrcError::Transport(_))
        ));
        assert!(matches!(
            c.record_receipts(&[]).await,
            Err(MetrcError::Transport(_))
        ));
    }

    #[tokio::test]
    async fn a_write_sent_without_an_answer_is_answer_lost_and_a_read_is_transport() {
        // Accepts connections, reads the request, never answers.
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            let mut held = Vec::new();
            while let Ok((socket, _)) = listener.accept().await {
                held.push(socket);
            }
        });
        let c = client(format!("http://{addr}"));
        assert_eq!(c.record_receipts(&[]).await, Err(MetrcError::AnswerLost));
        assert!(matches!(
            c.get::<Unused>("/x", None).await,
            Err(MetrcError::Transport(_))
        ));
    }
}
