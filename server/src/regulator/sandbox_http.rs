//! The sandbox over HTTP: Metrc v2 paths, Basic auth with vendor and user keys, `licenseNumber`,
//! paginated envelopes, Metrc's error shapes, a journal in its own SQLite file, and fault
//! injection under `/sandbox/v2/`.

use std::{
    path::Path,
    str::FromStr,
    sync::{Arc, Mutex},
    time::Duration,
};

use axum::{
    extract::{FromRequestParts, Path as UrlPath, Query, State},
    http::{header, request::Parts, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    routing::{get, post, put},
    Json, Router,
};
use base64::Engine;
use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{de::DeserializeOwned, Deserialize, Serialize};
use sqlx::{
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous},
    Row, SqlitePool,
};

use super::sandbox::{
    perm, AdjustPackage, CreatePackage, FinishPackage, ReceiptBody, RowError, Sandbox, UserKey,
    ADJUST_REASONS,
};

/// Most objects Metrc accepts in one write.
pub const MAX_OBJECTS: usize = 10;
/// Largest page Metrc serves.
pub const MAX_PAGE_SIZE: usize = 20;

/// Injected failures, set through `/sandbox/v2/faults`.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Faults {
    /// Added to every regulator call.
    pub latency_ms: u64,
    /// Percentage of calls answered 429 with `Retry-After`.
    pub rate_limit_percent: u8,
    /// `Retry-After` seconds on those 429s.
    pub retry_after_secs: u64,
    /// Percentage of calls answered 500.
    pub error_percent: u8,
    /// Percentage of writes that commit and then never answer (the caller times out).
    pub commit_then_drop_percent: u8,
}

/// The sandbox's shared state.
#[derive(Clone)]
pub struct SandboxState {
    inner: Arc<Mutex<Sandbox>>,
    calls: Arc<std::sync::atomic::AtomicU64>,
    faults: Arc<Mutex<(Faults, u64)>>,
    pool: SqlitePool,
}

/// A journaled write: replayed in order at start, it rebuilds the state.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
enum Op {
    Facility {
        license: String,
        name: String,
        tags: Vec<String>,
    },
    UserKey {
        key: UserKey,
    },
    VendorKey {
        key: String,
    },
    Item {
        license: String,
        name: String,
        category: String,
        quantity_type: String,
        uom: String,
        unit_weight: Option<Decimal>,
        unit_weight_uom: Option<String>,
    },
    Manifest {
        license: String,
        manifest: String,
        packages: Vec<SeedPackage>,
    },
    CreatePackages {
        license: String,
        body: Vec<CreatePackageJson>,
    },
    Adjust {
        license: String,
        body: Vec<AdjustJson>,
    },
    Finish {
        license: String,
        body: Vec<FinishJson>,
        finish: bool,
    },
    Receipts {
        license: String,
        body: Vec<ReceiptJson>,
    },
    UpdateReceipts {
        license: String,
        body: Vec<ReceiptJson>,
    },
    ArchiveReceipt {
        license: String,
        id: i64,
    },
    DuplicateReceipt {
        license: String,
        external: String,
    },
}

/// A package arriving on a seeded manifest.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedPackage {
    /// Tag.
    pub label: String,
    /// Item name.
    pub item: String,
    /// Quantity, in the item's unit.
    #[serde(with = "super::sandbox::number")]
    pub quantity: Decimal,
}

// Request bodies are journaled as the JSON they arrived in, then parsed again on replay.
type CreatePackageJson = serde_json::Value;
type AdjustJson = serde_json::Value;
type FinishJson = serde_json::Value;
type ReceiptJson = serde_json::Value;

fn parse_rows<T: DeserializeOwned>(body: &[serde_json::Value]) -> Result<Vec<T>, MetrcError> {
    body.iter()
        .enumerate()
        .map(|(i, v)| {
            serde_json::from_value(v.clone()).map_err(|e| {
                MetrcError::Validation(vec![RowError {
                    row: i,
                    message: e.to_string(),
                }])
            })
        })
        .collect()
}

impl Op {
    /// Applies the op; returns the ids a v2 write answers with.
    fn apply(&self, s: &mut Sandbox, at: DateTime<Utc>) -> Result<Vec<i64>, MetrcError> {
        match self {
            Op::Facility {
                license,
                name,
                tags,
            } => {
                s.add_facility(license, name, tags.iter().cloned());
                Ok(vec![])
            }
            Op::UserKey { key } => {
                s.user_keys.insert(key.key.clone(), key.clone());
                Ok(vec![])
            }
            Op::VendorKey { key } => {
                s.vendor_keys.insert(key.clone());
                Ok(vec![])
            }
            Op::Item {
                license,
                name,
                category,
                quantity_type,
                uom,
                unit_weight,
                unit_weight_uom,
            } => Ok(vec![s.add_item(
                license,
                name,
                category,
                quantity_type,
                uom,
                unit_weight.zip(unit_weight_uom.as_deref()),
            )]),
            Op::Manifest {
                license,
                manifest,
                packages,
            } => {
                if let Some(p) = packages.iter().find(|p| {
                    !s.items
                        .iter()
                        .any(|i| &i.license == license && i.name == p.item)
                }) {
                    return Err(MetrcError::BadRequest(format!(
                        "Item {} not found.",
                        p.item
                    )));
                }
                packages
                    .iter()
                    .map(|p| {
                        s.seed_package(license, &p.label, &p.item, p.quantity, Some(manifest), at)
                            .map_err(MetrcError::BadRequest)
                    })
                    .collect()
            }
            Op::CreatePackages { license, body } => s
                .create_packages(license, &parse_rows::<CreatePackage>(body)?, at)
                .map_err(MetrcError::Validation),
            Op::Adjust { license, body } => s
                .adjust(license, &parse_rows::<AdjustPackage>(body)?, at)
                .map_err(MetrcError::Validation),
            Op::Finish {
                license,
                body,
                finish,
            } => {
                s.finish(license, &parse_rows::<FinishPackage>(body)?, *finish, at)
                    .map_err(MetrcError::Validation)?;
                Ok(vec![])
            }
            Op::Receipts { license, body } => s
                .record_receipts(license, &parse_rows::<ReceiptBody>(body)?, at)
                .map_err(MetrcError::Validation),
            Op::UpdateReceipts { license, body } => {
                s.update_receipts(license, &parse_rows::<ReceiptBody>(body)?, at)
                    .map_err(MetrcError::Validation)?;
                Ok(vec![])
            }
            Op::ArchiveReceipt { license, id } => {
                s.archive_receipt(license, *id, at)
                    .map_err(|_| MetrcError::NotFound)?;
                Ok(vec![])
            }
            Op::DuplicateReceipt { license, external } => Ok(vec![s
                .duplicate_receipt(license, external, at)
                .map_err(MetrcError::BadRequest)?]),
        }
    }
}

impl SandboxState {
    /// Opens (or creates) `sandbox.db` in `dir` and replays its journal.
    pub async fn open(dir: &Path) -> anyhow::Result<Self> {
        std::fs::create_dir_all(dir)?;
        let options = SqliteConnectOptions::from_str(&format!(
            "sqlite://{}",
            dir.join("sandbox.db").display()
        ))?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full);
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await?;
        sqlx::query("CREATE TABLE IF NOT EXISTS journal (id INTEGER PRIMARY KEY, at TEXT NOT NULL, op TEXT NOT NULL)")
            .execute(&pool)
            .await?;
        let mut s = Sandbox::default();
        for r in sqlx::query("SELECT at, op FROM journal ORDER BY id")
            .fetch_all(&pool)
            .await?
        {
            let at: DateTime<Utc> = r.get::<String, _>(0).parse()?;
            let op: Op = serde_json::from_str(&r.get::<String, _>(1))?;
            let _ = op.apply(&mut s, at);
        }
        Ok(Self {
            inner: Arc::new(Mutex::new(s)),
            calls: Arc::default(),
            faults: Arc::new(Mutex::new((Faults::default(), 0x2545_F491))),
            pool,
        })
    }

    /// Applies and journals a write in one step; the journal row is durable before the answer.
    async fn write(&self, op: Op) -> Result<Vec<i64>, MetrcError> {
        let at = Utc::now();
        // Every operation checks all of its rows before changing anything, so a refusal leaves
        // the state as it was.
        let ids = op.apply(&mut self.inner.lock().expect("sandbox lock"), at)?;
        sqlx::query("INSERT INTO journal (at, op) VALUES (?, ?)")
            .bind(at.to_rfc3339())
            .bind(serde_json::to_string(&op).map_err(|e| MetrcError::Internal(e.to_string()))?)
            .execute(&self.pool)
            .await
            .map_err(|e| MetrcError::Internal(e.to_string()))?;
        Ok(ids)
    }

    fn read<T>(&self, f: impl FnOnce(&Sandbox) -> T) -> T {
        f(&self.inner.lock().expect("sandbox lock"))
    }

    /// Sets up a facility, an integrator (vendor) key and a user key holding every permission.
    pub async fn provision(
        &self,
        license: &str,
        name: &str,
        vendor_key: &str,
        user_key: &str,
        tags: Vec<String>,
    ) -> anyhow::Result<()> {
        let err = |e: MetrcError| anyhow::anyhow!("{e:?}");
        self.write(Op::Facility {
            license: license.into(),
            name: name.into(),
            tags,
        })
        .await
        .map_err(err)?;
        self.write(Op::VendorKey {
            key: vendor_key.into(),
        })
        .await
        .map_err(err)?;
        let key = UserKey {
            key: user_key.into(),
            licenses: vec![license.into()],
            permissions: perm::ALL.iter().map(|p| (*p).to_owned()).collect(),
            expires_at: None,
            revoked: false,
        };
        self.write(Op::UserKey { key }).await.map_err(err)?;
        Ok(())
    }

    /// Whether the sandbox has been provisioned.
    pub fn is_empty(&self) -> bool {
        self.read(|s| s.facilities.is_empty())
    }

    /// Rolls a percentage with the fault generator.
    fn roll(&self, percent: impl Fn(&Faults) -> u8) -> bool {
        let mut f = self.faults.lock().expect("faults lock");
        let p = percent(&f.0);
        if p == 0 {
            return false;
        }
        // xorshift: deterministic, so a failing run can be repeated.
        f.1 ^= f.1 << 13;
        f.1 ^= f.1 >> 7;
        f.1 ^= f.1 << 17;
        (f.1 % 100) < u64::from(p)
    }
}

/// Metrc's error responses.
#[derive(Debug)]
pub enum MetrcError {
    /// 401.
    Unauthorized,
    /// 403.
    Forbidden,
    /// 404.
    NotFound,
    /// 400 with rows.
    Validation(Vec<RowError>),
    /// 400 with a message.
    BadRequest(String),
    /// 413.
    TooLarge,
    /// 429.
    TooMany(u64),
    /// 500.
    Internal(String),
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Message {
    message: String,
}

impl IntoResponse for MetrcError {
    fn into_response(self) -> Response {
        let msg = |s: StatusCode, m: &str| {
            (
                s,
                Json(Message {
                    message: m.to_owned(),
                }),
            )
                .into_response()
        };
        match self {
            MetrcError::Unauthorized => msg(
                StatusCode::UNAUTHORIZED,
                "Authorization has been denied for this request.",
            ),
            MetrcError::Forbidden => msg(
                StatusCode::FORBIDDEN,
                "The authenticated user does not have access to the requested resource.",
            ),
            MetrcError::NotFound => msg(
                StatusCode::NOT_FOUND,
                "The requested resource could not be found (incorrect or invalid URI).",
            ),
            MetrcError::Validation(rows) => (StatusCode::BAD_REQUEST, Json(rows)).into_response(),
            MetrcError::BadRequest(m) => msg(StatusCode::BAD_REQUEST, &m),
            MetrcError::TooLarge => msg(
                StatusCode::PAYLOAD_TOO_LARGE,
                "The content being submitted is too large",
            ),
            MetrcError::TooMany(secs) => {
                let mut r = msg(StatusCode::TOO_MANY_REQUESTS, "The limit of API calls allowed has been exceeded. Please pace the usage rate of the API more apart.");
                if let Ok(v) = HeaderValue::from_str(&secs.to_string()) {
                    r.headers_mut().insert(header::RETRY_AFTER, v);
                }
                r
            }
            MetrcError::Internal(m) => msg(
                StatusCode::INTERNAL_SERVER_ERROR,
                &format!("An error has occurred while executing your request. {m}"),
            ),
        }
    }
}

/// The caller, authenticated: the user key it presented. Faults apply here, before any work.
pub struct Caller(UserKey);

impl FromRequestParts<SandboxState> for Caller {
    type Rejection = MetrcError;

    async fn from_request_parts(parts: &mut Parts, st: &SandboxState) -> Result<Self, MetrcError> {
        st.calls.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let faults = st.faults.lock().expect("faults lock").0.clone();
        if faults.latency_ms > 0 {
            tokio::time::sleep(Duration::from_millis(faults.latency_ms)).await;
        }
        if st.roll(|f| f.rate_limit_percent) {
            return Err(MetrcError::TooMany(faults.retry_after_secs.max(1)));
        }
        if st.roll(|f| f.error_percent) {
            return Err(MetrcError::Internal("Injected failure.".into()));
        }
        let basic = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Basic "))
            .and_then(|b| {
                base64::engine::general_purpose::STANDARD
                    .decode(b.trim())
                    .ok()
            })
            .and_then(|b| String::from_utf8(b).ok())
            .ok_or(MetrcError::Unauthorized)?;
        let (vendor, user) = basic.split_once(':').ok_or(MetrcError::Unauthorized)?;
        st.read(|s| {
            let key = s
                .user_keys
                .get(user)
                .filter(|_| s.vendor_keys.contains(vendor))
                .ok_or(MetrcError::Unauthorized)?;
            if key.revoked || key.expires_at.is_some_and(|t| t <= Utc::now()) {
                return Err(MetrcError::Unauthorized);
            }
            Ok(Caller(key.clone()))
        })
    }
}

impl Caller {
    /// The facility named by `licenseNumber`: 401 when this key cannot act for it, 403 without `permission`.
    fn facility(&self, license: &Option<String>, permission: &str) -> Result<String, MetrcError> {
        let license = license
            .clone()
            .ok_or_else(|| MetrcError::BadRequest("licenseNumber is required.".into()))?;
        if !self.0.licenses.contains(&license) {
            return Err(MetrcError::Unauthorized);
        }
        if !self.0.permissions.contains(permission) {
            return Err(MetrcError::Forbidden);
        }
        Ok(license)
    }
}

/// Query parameters Metrc list endpoints take.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListQuery {
    license_number: Option<String>,
    page_number: Option<usize>,
    page_size: Option<usize>,
    last_modified_start: Option<DateTime<chrono::FixedOffset>>,
    last_modified_end: Option<DateTime<chrono::FixedOffset>>,
    sales_date_start: Option<NaiveDate>,
    sales_date_end: Option<NaiveDate>,
}

/// Metrc's v2 list envelope.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Envelope<T> {
    /// The page.
    pub data: Vec<T>,
    /// All records.
    pub total: usize,
    /// All records.
    pub total_records: usize,
    /// Page size.
    pub page_size: usize,
    /// Records on this page.
    pub records_on_page: usize,
    /// Page number, from 1.
    pub page: usize,
    /// Page number, from 1.
    pub current_page: usize,
    /// Number of pages.
    pub total_pages: usize,
}

fn page<T: Clone>(all: Vec<T>, q: &ListQuery) -> Result<Envelope<T>, MetrcError> {
    let total = all.len();
    // Pagination is off unless a page size is given; then it may not exceed 20.
    let size = match q.page_size {
        None => total.max(1),
        Some(s) if s == 0 || s > MAX_PAGE_SIZE => {
            return Err(MetrcError::BadRequest(format!(
                "pageSize must be between 1 and {MAX_PAGE_SIZE}."
            )))
        }
        Some(s) => s,
    };
    let number = q.page_number.unwrap_or(1).max(1);
    let data: Vec<T> = all
        .into_iter()
        .skip((number - 1) * size)
        .take(size)
        .collect();
    Ok(Envelope {
        records_on_page: data.len(),
        data,
        total,
        total_records: total,
        page_size: size,
        page: number,
        current_page: number,
        total_pages: total.div_ceil(size),
    })
}

fn modified_within(t: DateTime<Utc>, q: &ListQuery) -> bool {
    q.last_modified_start.is_none_or(|s| t >= s) && q.last_modified_end.is_none_or(|e| t <= e)
}

/// Ids of created objects, as v2 writes answer.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Created {
    /// Ids in submission order.
    pub ids: Vec<i64>,
    /// Always null here.
    pub warnings: Option<Vec<String>>,
}

/// The facility a write acts for, once the key may write there and the body is small enough.
fn writable<T>(
    c: &Caller,
    q: &ListQuery,
    permission: &str,
    body: &[T],
) -> Result<String, MetrcError> {
    let license = c.facility(&q.license_number, permission)?;
    if body.len() > MAX_OBJECTS {
        return Err(MetrcError::TooLarge);
    }
    Ok(license)
}

/// After a write commits, maybe never answer: the caller sees a timeout, the write stands.
async fn maybe_drop(st: &SandboxState) {
    if st.roll(|f| f.commit_then_drop_percent) {
        tokio::time::sleep(Duration::from_secs(3600)).await;
    }
}

async fn write_created(st: &SandboxState, op: Op) -> Result<Json<Created>, MetrcError> {
    let ids = st.write(op).await?;
    maybe_drop(st).await;
    Ok(Json(Created {
        ids,
        warnings: None,
    }))
}

async fn write_empty(st: &SandboxState, op: Op) -> Result<StatusCode, MetrcError> {
    st.write(op).await?;
    maybe_drop(st).await;
    Ok(StatusCode::OK)
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct FacilityView {
    facility_id: usize,
    name: String,
    display_name: String,
    license: LicenseView,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct LicenseView {
    number: String,
    license_type: String,
}

async fn facilities(State(st): State<SandboxState>, c: Caller) -> Json<Vec<FacilityView>> {
    Json(st.read(|s| {
        s.facilities
            .iter()
            .enumerate()
            .filter(|(_, (l, _))| c.0.licenses.contains(l))
            .map(|(i, (l, n))| FacilityView {
                facility_id: i + 1,
                name: n.clone(),
                display_name: n.clone(),
                license: LicenseView {
                    number: l.clone(),
                    license_type: "Retailer".into(),
                },
            })
            .collect()
    }))
}

async fn units(_c: Caller) -> Json<serde_json::Value> {
    Json(serde_json::json!([
        {"QuantityType":"CountBased","Name":"Each","Abbreviation":"ea"},
        {"QuantityType":"WeightBased","Name":"Ounces","Abbreviation":"oz"},
        {"QuantityType":"WeightBased","Name":"Pounds","Abbreviation":"lb"},
        {"QuantityType":"WeightBased","Name":"Grams","Abbreviation":"g"},
        {"QuantityType":"WeightBased","Name":"Milligrams","Abbreviation":"mg"},
        {"QuantityType":"WeightBased","Name":"Kilograms","Abbreviation":"kg"},
        {"QuantityType":"VolumeBased","Name":"Milliliters","Abbreviation":"ml"}
    ]))
}

async fn items_active(
    State(st): State<SandboxState>,
    c: Caller,
    Query(q): Query<ListQuery>,
) -> Result<Json<Envelope<super::sandbox::Item>>, MetrcError> {
    let license = c.facility(&q.license_number, perm::MANAGE_ITEMS)?;
    Ok(Json(page(
        st.read(|s| {
            s.items
                .iter()
                .filter(|i| i.license == license)
                .cloned()
                .collect()
        }),
        &q,
    )?))
}

/// Item categories this sandbox knows: (name, product category type, quantity type, requires unit
/// weight, requires unit volume). Count-based categories that need a unit weight are how Metrc
/// turns "each" into grams.
const CATEGORIES: [(&str, &str, &str, bool, bool); 10] = [
    ("Buds", "Buds", "WeightBased", false, false),
    (
        "Flower (packaged eighth)",
        "Buds",
        "CountBased",
        true,
        false,
    ),
    ("Pre-Roll Flower", "PreRoll", "CountBased", true, false),
    ("Vape Cartridge", "Concentrate", "CountBased", true, false),
    (
        "Concentrate (Each)",
        "Concentrate",
        "CountBased",
        true,
        false,
    ),
    (
        "Edible (weight - each)",
        "InfusedEdible",
        "CountBased",
        true,
        false,
    ),
    (
        "Infused Beverage",
        "InfusedEdible",
        "CountBased",
        false,
        true,
    ),
    (
        "Topical (weight - each)",
        "InfusedNonEdible",
        "CountBased",
        true,
        false,
    ),
    ("Seeds (each)", "Seeds", "CountBased", false, false),
    ("Shake/Trim", "ShakeTrim", "WeightBased", false, false),
];

async fn item_categories(
    c: Caller,
    Query(q): Query<ListQuery>,
) -> Result<Json<Envelope<serde_json::Value>>, MetrcError> {
    c.facility(&q.license_number, perm::MANAGE_ITEMS)?;
    let all = CATEGORIES
        .iter()
        .map(|(name, kind, qty, weight, volume)| {
            serde_json::json!({"Name": name, "ProductCategoryType": kind, "QuantityType": qty, "RequiresStrain": *kind == "Buds",
                "RequiresUnitWeight": weight, "RequiresUnitVolume": volume, "CanBeDestroyed": true})
        })
        .collect();
    Ok(Json(page(all, &q)?))
}

async fn tags_available(
    State(st): State<SandboxState>,
    c: Caller,
    Query(q): Query<ListQuery>,
) -> Result<Json<serde_json::Value>, MetrcError> {
    let license = c.facility(&q.license_number, perm::MANAGE_TAGS)?;
    let tags = st.read(|s| s.available_tags.get(&license).cloned().unwrap_or_default());
    Ok(Json(serde_json::Value::Array(
        tags.iter()
            .enumerate()
            .map(|(i, t)| serde_json::json!({"Id": i + 1, "TagInventoryTypeName": "Package", "Label": t}))
            .collect(),
    )))
}

async fn packages_list(
    st: SandboxState,
    c: Caller,
    q: ListQuery,
    active: bool,
) -> Result<Json<Envelope<super::sandbox::Package>>, MetrcError> {
    let license = c.facility(&q.license_number, perm::VIEW_PACKAGES)?;
    let all = st.read(|s| {
        s.packages
            .iter()
            .filter(|p| {
                p.license == license
                    && p.archived_date.is_none()
                    && p.is_finished != active
                    && modified_within(p.last_modified, &q)
            })
            .cloned()
            .collect()
    });
    Ok(Json(page(all, &q)?))
}

async fn packages_active(
    State(st): State<SandboxState>,
    c: Caller,
    Query(q): Query<ListQuery>,
) -> Result<Json<Envelope<super::sandbox::Package>>, MetrcError> {
    packages_list(st, c, q, true).await
}

async fn packages_inactive(
    State(st): State<SandboxState>,
    c: Caller,
    Query(q): Query<ListQuery>,
) -> Result<Json<Envelope<super::sandbox::Package>>, MetrcError> {
    packages_list(st, c, q, false).await
}

/// `GET /packages/v2/{id}` or `/packages/v2/{label}`: licence optional, 401 when it does not match.
async fn package_show(
    State(st): State<SandboxState>,
    c: Caller,
    UrlPath(key): UrlPath<String>,
    Query(q): Query<ListQuery>,
) -> Result<Json<super::sandbox::Package>, MetrcError> {
    if !c.0.permissions.contains(perm::VIEW_PACKAGES) {
        return Err(MetrcError::Forbidden);
    }
    let p = st
        .read(|s| {
            s.packages
                .iter()
                .find(|p| p.label == key || p.id.to_string() == key)
                .cloned()
        })
        .ok_or(MetrcError::NotFound)?;
    let allowed = match &q.license_number {
        Some(l) => l == &p.license && c.0.licenses.contains(l),
        None => c.0.licenses.contains(&p.license),
    };
    if !allowed {
        return Err(MetrcError::Unauthorized);
    }
    Ok(Json(p))
}

async fn adjust_reasons(
    c: Caller,
    Query(q): Query<ListQuery>,
) -> Result<Json<Envelope<serde_json::Value>>, MetrcError> {
    if let Some(l) = &q.license_number {
        if !c.0.licenses.contains(l) {
            return Err(MetrcError::Unauthorized);
        }
    } else {
        return Err(MetrcError::BadRequest("licenseNumber is required.".into()));
    }
    let all = ADJUST_REASONS
        .iter()
        .map(|(n, note)| serde_json::json!({"Name": n, "RequiresNote": note, "RequiresWasteWeight": false, "RequiresImmatureWasteWeight": false, "RequiresMatureWasteWeight": false}))
        .collect();
    Ok(Json(page(all, &q)?))
}

async fn packages_create(
    State(st): State<SandboxState>,
    c: Caller,
    Query(q): Query<ListQuery>,
    Json(body): Json<Vec<serde_json::Value>>,
) -> Result<Json<Created>, MetrcError> {
    let license = writable(&c, &q, perm::CREATE_PACKAGES, &body)?;
    write_created(&st, Op::CreatePackages { license, body }).await
}

async fn packages_adjust(
    State(st): State<SandboxState>,
    c: Caller,
    Query(q): Query<ListQuery>,
    Json(body): Json<Vec<serde_json::Value>>,
) -> Result<Json<Created>, MetrcError> {
    let license = writable(&c, &q, perm::MANAGE_INVENTORY, &body)?;
    write_created(&st, Op::Adjust { license, body }).await
}

async fn packages_finish(
    State(st): State<SandboxState>,
    c: Caller,
    Query(q): Query<ListQuery>,
    Json(body): Json<Vec<serde_json::Value>>,
) -> Result<StatusCode, MetrcError> {
    let license = writable(&c, &q, perm::MANAGE_INVENTORY, &body)?;
    write_empty(
        &st,
        Op::Finish {
            license,
            body,
            finish: true,
        },
    )
    .await
}

async fn packages_unfinish(
    State(st): State<SandboxState>,
    c: Caller,
    Query(q): Query<ListQuery>,
    Json(body): Json<Vec<serde_json::Value>>,
) -> Result<StatusCode, MetrcError> {
    let license = writable(&c, &q, perm::MANAGE_INVENTORY, &body)?;
    write_empty(
        &st,
        Op::Finish {
            license,
            body,
            finish: false,
        },
    )
    .await
}

async fn receipts_create(
    State(st): State<SandboxState>,
    c: Caller,
    Query(q): Query<ListQuery>,
    Json(body): Json<Vec<serde_json::Value>>,
) -> Result<Json<Created>, MetrcError> {
    let license = writable(&c, &q, perm::MANAGE_SALES, &body)?;
    write_created(&st, Op::Receipts { license, body }).await
}

async fn receipts_update(
    State(st): State<SandboxState>,
    c: Caller,
    Query(q): Query<ListQuery>,
    Json(body): Json<Vec<serde_json::Value>>,
) -> Result<StatusCode, MetrcError> {
    let license = writable(&c, &q, perm::MANAGE_SALES, &body)?;
    write_empty(&st, Op::UpdateReceipts { license, body }).await
}

async fn receipts_list(
    st: SandboxState,
    c: Caller,
    q: ListQuery,
    active: bool,
) -> Result<Json<Envelope<super::sandbox::Receipt>>, MetrcError> {
    let license = c.facility(&q.license_number, perm::VIEW_SALES)?;
    let by_date = q.sales_date_start.is_some() || q.sales_date_end.is_some();
    if by_date && (q.last_modified_start.is_some() || q.last_modified_end.is_some()) {
        return Err(MetrcError::BadRequest(
            "Specify either the sales date range or the last modified range, not both.".into(),
        ));
    }
    let all = st.read(|s| {
        s.receipts
            .iter()
            .filter(|r| r.license == license && r.archived_date.is_none() == active)
            .filter(|r| {
                let d = r.sales_date_time.date();
                q.sales_date_start.is_none_or(|s| d >= s) && q.sales_date_end.is_none_or(|e| d <= e)
            })
            .filter(|r| modified_within(r.last_modified, &q))
            .cloned()
            .collect()
    });
    Ok(Json(page(all, &q)?))
}

async fn receipts_active(
    State(st): State<SandboxState>,
    c: Caller,
    Query(q): Query<ListQuery>,
) -> Result<Json<Envelope<super::sandbox::Receipt>>, MetrcError> {
    receipts_list(st, c, q, true).await
}

async fn receipts_inactive(
    State(st): State<SandboxState>,
    c: Caller,
    Query(q): Query<ListQuery>,
) -> Result<Json<Envelope<super::sandbox::Receipt>>, MetrcError> {
    receipts_list(st, c, q, false).await
}

async fn receipt_show(
    State(st): State<SandboxState>,
    c: Caller,
    UrlPath(id): UrlPath<i64>,
    Query(q): Query<ListQuery>,
) -> Result<Json<super::sandbox::Receipt>, MetrcError> {
    let license = c.facility(&q.license_number, perm::VIEW_SALES)?;
    st.read(|s| {
        s.receipts
            .iter()
            .find(|r| r.id == id && r.license == license)
            .cloned()
    })
    .map(Json)
    .ok_or(MetrcError::NotFound)
}

/// `GET /sales/v2/receipts/external/{number}`: how a retry learns whether a sale was recorded.
async fn receipt_external(
    State(st): State<SandboxState>,
    c: Caller,
    UrlPath(number): UrlPath<String>,
    Query(q): Query<ListQuery>,
) -> Result<Json<super::sandbox::Receipt>, MetrcError> {
    let license = c.facility(&q.license_number, perm::VIEW_SALES)?;
    st.read(|s| {
        s.receipts
            .iter()
            .find(|r| {
                r.license == license
                    && r.archived_date.is_none()
                    && r.external_receipt_number.as_deref() == Some(number.as_str())
            })
            .cloned()
    })
    .map(Json)
    .ok_or(MetrcError::NotFound)
}

async fn receipt_delete(
    State(st): State<SandboxState>,
    c: Caller,
    UrlPath(id): UrlPath<i64>,
    Query(q): Query<ListQuery>,
) -> Result<StatusCode, MetrcError> {
    let license = c.facility(&q.license_number, perm::MANAGE_SALES)?;
    write_empty(&st, Op::ArchiveReceipt { license, id }).await
}

/// Incoming transfers as Metrc shows them: one per received manifest, each with one delivery.
fn transfers(s: &Sandbox, license: &str) -> Vec<(i64, String, Vec<super::sandbox::Package>)> {
    let mut by_manifest: Vec<(String, Vec<super::sandbox::Package>)> = Vec::new();
    for p in s.packages.iter().filter(|p| p.license == license) {
        let Some(m) = &p.received_from_manifest_number else {
            continue;
        };
        match by_manifest.iter_mut().find(|(n, _)| n == m) {
            Some((_, v)) => v.push(p.clone()),
            None => by_manifest.push((m.clone(), vec![p.clone()])),
        }
    }
    by_manifest
        .into_iter()
        .enumerate()
        .map(|(i, (m, v))| (1000 + i as i64, m, v))
        .collect()
}

async fn transfers_incoming(
    State(st): State<SandboxState>,
    c: Caller,
    Query(q): Query<ListQuery>,
) -> Result<Json<Envelope<serde_json::Value>>, MetrcError> {
    let license = c.facility(&q.license_number, perm::VIEW_PACKAGES)?;
    let all = st.read(|s| {
        transfers(s, &license)
            .into_iter()
            .map(|(id, manifest, pkgs)| {
                serde_json::json!({
                    "Id": id, "ManifestNumber": manifest, "DeliveryId": id, "ShipmentTypeName": "Transfer",
                    "ShipperFacilityLicenseNumber": "C11-0000001-LIC", "ShipperFacilityName": "Sandbox Distributor",
                    "RecipientFacilityLicenseNumber": license, "PackageCount": pkgs.len(), "ReceivedPackageCount": pkgs.len(),
                    "CreatedDateTime": pkgs.iter().map(|p| p.last_modified).min(), "LastModified": pkgs.iter().map(|p| p.last_modified).max(),
                })
            })
            .collect()
    });
    Ok(Json(page(all, &q)?))
}

async fn transfer_deliveries(
    State(st): State<SandboxState>,
    c: Caller,
    UrlPath(id): UrlPath<i64>,
    Query(q): Query<ListQuery>,
) -> Result<Json<Envelope<serde_json::Value>>, MetrcError> {
    let license = c.facility(&q.license_number, perm::VIEW_PACKAGES)?;
    let (_, manifest, pkgs) = st
        .read(|s| {
            transfers(s, &license)
                .into_iter()
                .find(|(t, _, _)| *t == id)
        })
        .ok_or(MetrcError::NotFound)?;
    let all = vec![serde_json::json!({
        "Id": id, "ManifestNumber": manifest, "RecipientFacilityLicenseNumber": license, "ShipmentTypeName": "Transfer",
        "DeliveryPackageCount": pkgs.len(), "DeliveryReceivedPackageCount": pkgs.len(),
    })];
    Ok(Json(page(all, &q)?))
}

async fn delivery_packages(
    State(st): State<SandboxState>,
    c: Caller,
    UrlPath(id): UrlPath<i64>,
    Query(q): Query<ListQuery>,
) -> Result<Json<Envelope<serde_json::Value>>, MetrcError> {
    let license = c.facility(&q.license_number, perm::VIEW_PACKAGES)?;
    let (_, _, pkgs) = st
        .read(|s| {
            transfers(s, &license)
                .into_iter()
                .find(|(t, _, _)| *t == id)
        })
        .ok_or(MetrcError::NotFound)?;
    let all = pkgs
        .iter()
        .map(|p| {
            serde_json::json!({
                "PackageId": p.id, "PackageLabel": p.label, "PackageType": "Product", "ItemId": p.item.id, "ItemName": p.item.name,
                "ItemCategoryName": p.item.product_category_name, "ShipmentPackageState": "Accepted",
                "ShippedQuantity": rust_decimal::prelude::ToPrimitive::to_f64(&p.original_package_quantity), "ShippedUnitOfMeasureName": p.unit_of_measure_name,
                "ReceivedQuantity": rust_decimal::prelude::ToPrimitive::to_f64(&p.original_package_quantity), "ReceivedUnitOfMeasureName": p.unit_of_measure_name,
                "PackagedDate": p.packaged_date, "LabTestingState": p.lab_testing_state,
            })
        })
        .collect();
    Ok(Json(page(all, &q)?))
}

// ---- Fault injection and setup: /sandbox/v2/ (no auth; the sandbox listens on loopback). ----

async fn faults_show(State(st): State<SandboxState>) -> Json<Faults> {
    Json(st.faults.lock().expect("faults lock").0.clone())
}

async fn faults_set(
    State(st): State<SandboxState>,
    Json(f): Json<Faults>,
) -> Result<Json<Faults>, MetrcError> {
    for (name, v) in [
        ("rate_limit_percent", f.rate_limit_percent),
        ("error_percent", f.error_percent),
        ("commit_then_drop_percent", f.commit_then_drop_percent),
    ] {
        if v > 100 {
            return Err(MetrcError::BadRequest(format!(
                "{name} is a percentage: 0 to 100, got {v}."
            )));
        }
    }
    st.faults.lock().expect("faults lock").0 = f.clone();
    Ok(Json(f))
}

async fn stats(State(st): State<SandboxState>) -> Json<serde_json::Value> {
    Json(serde_json::json!({ "calls": st.calls.load(std::sync::atomic::Ordering::Relaxed) }))
}

/// What can happen to a user key.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyChange {
    /// The user key.
    pub user_key: String,
    /// Expire it now.
    #[serde(default)]
    pub expire: bool,
    /// Revoke it.
    #[serde(default)]
    pub revoke: bool,
    /// Set an expiry.
    pub expires_at: Option<DateTime<Utc>>,
    /// Take a permission away.
    pub remove_permission: Option<String>,
    /// Give every permission back and lift expiry and revocation.
    #[serde(default)]
    pub restore: bool,
}

async fn key_change(
    State(st): State<SandboxState>,
    Json(k): Json<KeyChange>,
) -> Result<StatusCode, MetrcError> {
    let mut key = st
        .read(|s| s.user_keys.get(&k.user_key).cloned())
        .ok_or(MetrcError::NotFound)?;
    if k.expire {
        key.expires_at = Some(Utc::now());
    }
    if let Some(t) = k.expires_at {
        key.expires_at = Some(t);
    }
    if k.revoke {
        key.revoked = true;
    }
    if let Some(p) = &k.remove_permission {
        key.permissions.remove(p);
    }
    if k.restore {
        key.revoked = false;
        key.expires_at = None;
        key.permissions = perm::ALL.iter().map(|p| (*p).to_owned()).collect();
    }
    st.write(Op::UserKey { key }).await?;
    Ok(StatusCode::OK)
}

/// A new user key for a licence.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewKey {
    /// The key.
    pub user_key: String,
    /// Licences.
    pub licenses: Vec<String>,
}

async fn key_create(
    State(st): State<SandboxState>,
    Json(k): Json<NewKey>,
) -> Result<StatusCode, MetrcError> {
    let key = UserKey {
        key: k.user_key,
        licenses: k.licenses,
        permissions: perm::ALL.iter().map(|p| (*p).to_owned()).collect(),
        expires_at: None,
        revoked: false,
    };
    st.write(Op::UserKey { key }).await?;
    Ok(StatusCode::OK)
}

/// An item to create.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewItem {
    /// Facility.
    pub license: String,
    /// Name.
    pub name: String,
    /// Category name.
    pub category: String,
    /// `WeightBased`, `CountBased`, `VolumeBased`.
    pub quantity_type: String,
    /// Unit of measure name.
    pub unit_of_measure: String,
    /// Unit weight for count-based items.
    #[serde(with = "super::sandbox::number::option", default)]
    pub unit_weight: Option<Decimal>,
    /// Its unit.
    pub unit_weight_unit_of_measure: Option<String>,
}

async fn item_create(
    State(st): State<SandboxState>,
    Json(i): Json<NewItem>,
) -> Result<Json<Created>, MetrcError> {
    let ids = st
        .write(Op::Item {
            license: i.license,
            name: i.name,
            category: i.category,
            quantity_type: i.quantity_type,
            uom: i.unit_of_measure,
            unit_weight: i.unit_weight,
            unit_weight_uom: i.unit_weight_unit_of_measure,
        })
        .await?;
    Ok(Json(Created {
        ids,
        warnings: None,
    }))
}

/// Packages arriving on a manifest.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewManifest {
    /// Receiving facility.
    pub license: String,
    /// Manifest number.
    pub manifest_number: String,
    /// Packages.
    pub packages: Vec<SeedPackage>,
    /// Record the manifest twice (the duplication fault).
    #[serde(default)]
    pub twice: bool,
}

async fn manifest_seed(
    State(st): State<SandboxState>,
    Json(m): Json<NewManifest>,
) -> Result<Json<Created>, MetrcError> {
    let mut ids = st
        .write(Op::Manifest {
            license: m.license.clone(),
            manifest: m.manifest_number.clone(),
            packages: m.packages.clone(),
        })
        .await?;
    if m.twice {
        // The same labels a second time: what a double-recorded manifest looks like from outside.
        ids.extend(
            st.write(Op::Manifest {
                license: m.license,
                manifest: m.manifest_number,
                packages: m.packages,
            })
            .await?,
        );
    }
    Ok(Json(Created {
        ids,
        warnings: None,
    }))
}

/// A receipt to record a second time.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Duplicate {
    /// Facility.
    pub license: String,
    /// The store's receipt number.
    pub external_receipt_number: String,
}

async fn receipt_duplicate(
    State(st): State<SandboxState>,
    Json(d): Json<Duplicate>,
) -> Result<Json<Created>, MetrcError> {
    let ids = st
        .write(Op::DuplicateReceipt {
            license: d.license,
            external: d.external_receipt_number,
        })
        .await?;
    Ok(Json(Created {
        ids,
        warnings: None,
    }))
}

/// The sandbox's routes.
pub fn router(st: SandboxState) -> Router {
    Router::new()
        .route("/facilities/v2/", get(facilities))
        .route("/unitsofmeasure/v2/active", get(units))
        .route("/items/v2/active", get(items_active))
        .route("/items/v2/categories", get(item_categories))
        .route("/tags/v2/package/available", get(tags_available))
        .route("/packages/v2/", post(packages_create))
        .route("/packages/v2/active", get(packages_active))
        .route("/packages/v2/inactive", get(packages_inactive))
        .route("/packages/v2/adjust/reasons", get(adjust_reasons))
        .route("/packages/v2/adjust", post(packages_adjust))
        .route("/packages/v2/finish", put(packages_finish))
        .route("/packages/v2/unfinish", put(packages_unfinish))
        .route("/packages/v2/{key}", get(package_show))
        .route(
            "/sales/v2/receipts",
            post(receipts_create).put(receipts_update),
        )
        .route("/transfers/v2/incoming", get(transfers_incoming))
        .route("/transfers/v2/{id}/deliveries", get(transfer_deliveries))
        .route(
            "/transfers/v2/deliveries/{id}/packages",
            get(delivery_packages),
        )
        .route("/sales/v2/receipts/active", get(receipts_active))
        .route("/sales/v2/receipts/inactive", get(receipts_inactive))
        .route(
            "/sales/v2/receipts/external/{number}",
            get(receipt_external),
        )
        .route(
            "/sales/v2/receipts/{id}",
            get(receipt_show).delete(receipt_delete),
        )
        .route("/sandbox/v2/faults", get(faults_show).put(faults_set))
        .route("/sandbox/v2/stats", get(stats))
        .route("/sandbox/v2/keys", post(key_create).put(key_change))
        .route("/sandbox/v2/items", post(item_create))
        .route("/sandbox/v2/manifests", post(manifest_seed))
        .route("/sandbox/v2/receipts/duplicate", post(receipt_duplicate))
        .fallback(|| async { MetrcError::NotFound })
        .with_state(st)
}
