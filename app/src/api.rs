//! The server's API as the app calls it: one function per route, errors as the server's message.

use domain::account::User;
use gloo_net::http::{Request, Response};
use serde::{de::DeserializeOwned, Deserialize};

#[derive(Deserialize)]
struct ErrorBody {
    error: ErrorDetail,
}

#[derive(Deserialize)]
struct ErrorDetail {
    message: String,
}

/// The server's message for a failed response, or a plain one when it sent none.
async fn failure(res: Response) -> String {
    match res.json::<ErrorBody>().await {
        Ok(b) => b.error.message,
        Err(_) => format!("the server answered {}", res.status()),
    }
}

async fn parse<T: DeserializeOwned>(res: Result<Response, gloo_net::Error>) -> Result<T, String> {
    let res = res.map_err(|_| "the server cannot be reached; check the connection".to_owned())?;
    if !res.ok() {
        return Err(failure(res).await);
    }
    res.json::<T>()
        .await
        .map_err(|e| format!("unexpected answer from the server: {e}"))
}

/// Signs in; the server sets the session cookie.
pub async fn sign_in(email: &str, password: &str) -> Result<User, String> {
    let req = Request::post("/api/v1/session")
        .json(&serde_json::json!({ "email": email, "password": password }))
        .map_err(|e| e.to_string())?;
    parse(req.send().await).await
}

/// Who is signed in, if anyone; `Err` when the server cannot be reached.
pub async fn me() -> Result<Option<User>, SyncFailure> {
    sync_parse::<Option<User>>(Request::get("/api/v1/session").send().await).await
}

/// Signs out.
pub async fn sign_out() -> Result<(), String> {
    done(Request::delete("/api/v1/session").send().await).await
}

/// Success with no body, or the server's message.
async fn done(res: Result<Response, gloo_net::Error>) -> Result<(), String> {
    let res = res.map_err(|_| "the server cannot be reached; check the connection".to_owned())?;
    if res.ok() {
        Ok(())
    } else {
        Err(failure(res).await)
    }
}

/// Why a sync step did not happen.
#[derive(Clone, Debug, PartialEq)]
pub enum SyncFailure {
    /// No network, or the server is unreachable.
    Offline,
    /// The session ended; a person must sign in again.
    SignedOut,
    /// The server answered with an error.
    Server(String),
}

async fn sync_parse<T: DeserializeOwned>(
    res: Result<Response, gloo_net::Error>,
) -> Result<T, SyncFailure> {
    let res = res.map_err(|_| SyncFailure::Offline)?;
    if res.status() == 401 {
        return Err(SyncFailure::SignedOut);
    }
    if !res.ok() {
        return Err(SyncFailure::Server(failure(res).await));
    }
    res.json::<T>()
        .await
        .map_err(|e| SyncFailure::Server(format!("unexpected answer from the server: {e}")))
}

/// What became of one pushed command.
#[derive(Clone, Debug, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Outcome {
    /// Applied (now or before: a resent command changes nothing).
    Applied {
        /// The command.
        mutation_id: domain::MutationId,
    },
    /// Refused by the domain; nothing changed.
    Rejected {
        /// The command.
        mutation_id: domain::MutationId,
        /// Why.
        error: domain::DomainError,
    },
}

#[derive(Deserialize)]
struct PushResponse {
    outcomes: Vec<Outcome>,
}

#[derive(serde::Serialize)]
struct PushBody<'a> {
    mutations: Vec<PushItem<'a>>,
}

#[derive(serde::Serialize)]
struct PushItem<'a> {
    command: &'a domain::Command,
}

/// Sends queued commands, oldest first; each is applied at most once however often it is sent.
pub async fn push(commands: &[domain::Command]) -> Result<Vec<Outcome>, SyncFailure> {
    let body = PushBody {
        mutations: commands
            .iter()
            .map(|command| PushItem { command })
            .collect(),
    };
    let req = Request::post("/api/v1/mutations")
        .json(&body)
        .map_err(|e| SyncFailure::Server(e.to_string()))?;
    sync_parse::<PushResponse>(req.send().await)
        .await
        .map(|r| r.outcomes)
}

/// What changed after `since` (a snapshot when `since` is 0 or far behind).
pub async fn pull(since: i64) -> Result<domain::sync::SyncResponse, SyncFailure> {
    sync_parse(
        Request::get(&format!("/api/v1/sync?since={since}"))
            .send()
            .await,
    )
    .await
}

/// One event in a package's history, as the server tells it.
#[derive(Clone, Debug, Deserialize)]
pub struct HistoryEntry {
    /// Ledger sequence.
    pub seq: i64,
    /// Who made it.
    pub actor_name: Option<String>,
    /// The event.
    pub event: domain::Event,
    /// How far it reached the regulator.
    pub regulator: Option<RegulatorStep>,
}

/// How far one event reached the regulator.
#[derive(Clone, Debug, Deserialize)]
pub struct RegulatorStep {
    /// `pending`, `sending`, `uncertain`, `parked` or `done`.
    pub state: String,
    /// The regulator's refusal, for a parked change.
    pub last_error: Option<String>,
}

#[derive(Deserialize)]
struct History {
    events: Vec<HistoryEntry>,
}

/// A package's history from the server.
pub async fn history(id: domain::PackageId) -> Result<Vec<HistoryEntry>, String> {
    parse::<History>(
        Request::get(&format!("/api/v1/packages/{id}/history"))
            .send()
            .await,
    )
    .await
    .map(|h| h.events)
}

/// A second person confirms who they are; returns them without changing who is signed in.
pub async fn witness(email: &str, password: &str) -> Result<User, String> {
    let req = Request::post("/api/v1/session/witness")
        .json(&serde_json::json!({ "email": email, "password": password }))
        .map_err(|e| e.to_string())?;
    parse(req.send().await).await
}

#[derive(Deserialize)]
struct Tags {
    tags: Vec<String>,
}

/// Package tags free at the regulator and unused in the ledger.
pub async fn free_tags() -> Result<Vec<String>, String> {
    parse::<Tags>(Request::get("/api/v1/regulator/tags").send().await)
        .await
        .map(|t| t.tags)
}

/// A manifest to receive, as the server lists it.
#[derive(Clone, Debug, Deserialize)]
pub struct IncomingManifest {
    /// The manifest number.
    pub manifest_number: String,
    /// Who ships it.
    pub shipper: Option<String>,
    /// Its packages.
    pub lines: Vec<IncomingLine>,
}

/// One package on an incoming manifest.
#[derive(Clone, Debug, Deserialize)]
pub struct IncomingLine {
    /// Its tag.
    pub tag: String,
    /// The regulator's item name.
    pub item_name: String,
    /// Quantity shipped.
    pub shipped: domain::Quantity,
    /// When it was packaged.
    pub packaged_on: Option<chrono::NaiveDate>,
    /// The matched product.
    pub product_id: Option<domain::ProductId>,
    /// The lab state the regulator records.
    pub lab: domain::LabState,
    /// Why it cannot be received as it is.
    pub problem: Option<String>,
}

/// Manifests at the regulator that the store has not received yet.
pub async fn incoming() -> Result<Vec<IncomingManifest>, SyncFailure> {
    sync_parse(Request::get("/api/v1/regulator/incoming").send().await).await
}

/// An order waiting for pickup, as the queue lists it.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct QueuedOrder {
    /// Its id.
    pub order_id: domain::HoldId,
    /// The number said at the counter.
    pub number: String,
    /// Who reserved it.
    pub customer_name: String,
    /// `placed`, `preparing` or `ready`.
    pub status: String,
    /// Online or staff.
    pub channel: domain::HoldChannel,
    /// When it was placed.
    pub placed_at: chrono::DateTime<chrono::Utc>,
    /// When it lapses.
    pub expires_at: chrono::DateTime<chrono::Utc>,
    /// What it holds.
    pub lines: Vec<QueuedLine>,
    /// Its total.
    pub total: domain::Money,
}

/// One product of a queued order.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct QueuedLine {
    /// Its name.
    pub name: String,
    /// How much.
    pub quantity: domain::Quantity,
}

/// Orders waiting for pickup.
pub async fn orders() -> Result<Vec<QueuedOrder>, SyncFailure> {
    sync_parse(Request::get("/api/v1/orders").send().await).await
}

/// What needs a manager now.
pub async fn alerts() -> Result<Vec<domain::alerts::Alert>, SyncFailure> {
    sync_parse(Request::get("/api/v1/alerts").send().await).await
}

/// Ledger, last count and regulator side by side, with a diagnosis each.
pub async fn reconcile() -> Result<domain::reconcile::ReconcileReport, SyncFailure> {
    sync_parse(Request::get("/api/v1/reconcile").send().await).await
}

/// What the server says after voiding a duplicate receipt.
#[derive(Clone, Debug, Deserialize)]
pub struct Voided {
    /// Our receipt number it duplicated.
    pub external_receipt_number: String,
}

/// Voids a receipt the regulator recorded twice (the later copy).
pub async fn void_receipt(regulator_receipt_id: i64) -> Result<Voided, String> {
    let req = Request::post("/api/v1/reconcile/void-receipt")
        .json(&serde_json::json!({ "regulator_receipt_id": regulator_receipt_id }))
        .map_err(|e| e.to_string())?;
    parse(req.send().await).await
}

/// The Health Canada monthly report for `month` (`YYYY-MM`), with its checks.
pub async fn health_canada(month: &str) -> Result<domain::report::HealthCanadaReport, SyncFailure> {
    sync_parse(
        Request::get(&format!("/api/v1/reports/health-canada?month={month}"))
            .send()
            .await,
    )
    .await
}

/// The events behind one figure of a monthly report; `scope` is `class=...` or `sku=...`,
/// already encoded for a query.
pub async fn report_events(
    month: &str,
    scope: &str,
    figure: &str,
) -> Result<Vec<domain::report::FigureEvent>, SyncFailure> {
    sync_parse(
        Request::get(&format!(
            "/api/v1/reports/health-canada/events?month={month}&{scope}&figure={figure}"
        ))
        .send()
        .await,
    )
    .await
}

/// The month per SKU, as the Ontario and Alberta reports carry it.
pub async fn report_skus(month: &str) -> Result<domain::report::SkuReport, SyncFailure> {
    sync_parse(
        Request::get(&format!("/api/v1/reports/skus?month={month}"))
            .send()
            .await,
    )
    .await
}

/// The month's regulator sync-completeness report.
pub async fn completeness(month: &str) -> Result<domain::report::CompletenessReport, SyncFailure> {
    sync_parse(
        Request::get(&format!("/api/v1/reports/metrc-completeness?month={month}"))
            .send()
            .await,
    )
    .await
}

/// Every generated report and where it stands.
pub async fn report_statuses() -> Result<Vec<domain::report::ReportStatus>, SyncFailure> {
    sync_parse(Request::get("/api/v1/reports").send().await).await
}

/// Marks a generated report submitted.
pub async fn mark_submitted(kind: &str, month: &str) -> Result<(), String> {
    done(
        Request::post(&format!("/api/v1/reports/{kind}/{month}/submitted"))
            .send()
            .await,
    )
    .await
}

/// Regulator sync health as the Settings page shows it.
#[derive(Clone, Debug, Deserialize)]
pub struct RegulatorHealth {
    /// healthy, auth_failed, mapping_error, rate_limited, regulator_down, lagging, not_configured.
    pub state: String,
    /// The cause in words.
    pub cause: String,
    /// Changes waiting.
    pub pending: i64,
    /// Changes refused.
    pub parked: i64,
    /// The facility licence.
    pub license: Option<String>,
    /// Whether the embedded sandbox is the regulator.
    pub sandbox: bool,
    /// When the key expires, if known.
    pub key_expires_on: Option<chrono::NaiveDate>,
    /// Things to act on.
    pub warnings: Vec<String>,
}

/// Regulator sync health.
pub async fn regulator_health() -> Result<RegulatorHealth, SyncFailure> {
    sync_parse(Request::get("/api/v1/regulator/health").send().await).await
}

/// Saves new regulator credentials on the server (they never come back); answers where Pistil
/// now sends.
pub async fn save_credentials(
    body: &serde_json::Value,
) -> Result<domain::wire::CredentialsSaved, String> {
    let req = Request::put("/api/v1/regulator/credentials")
        .json(body)
        .map_err(|e| e.to_string())?;
    parse(req.send().await).await
}

/// The facility's Metrc adjustment reasons and what each of Pistil's is sent as.
pub async fn reasons() -> Result<domain::reason_map::ReasonMap, SyncFailure> {
    sync_parse(Request::get("/api/v1/regulator/reasons").send().await).await
}

/// Reads the facility's list of reasons from the regulator again.
pub async fn read_reasons() -> Result<domain::reason_map::ReasonMap, String> {
    parse(Request::post("/api/v1/regulator/reasons/read").send().await).await
}

/// Saves which facility reason each of Pistil's reasons is sent as.
pub async fn save_reasons(
    adjust: &std::collections::BTreeMap<domain::AdjustReason, String>,
    destruction: Option<&str>,
) -> Result<domain::reason_map::ReasonMap, String> {
    let req = Request::put("/api/v1/regulator/reasons")
        .json(&serde_json::json!({ "adjust": adjust, "destruction": destruction }))
        .map_err(|e| e.to_string())?;
    parse(req.send().await).await
}

/// Makes a product's Metrc item from its mapping, or brings the item of that name up to date;
/// answers what was done, in a sentence.
pub async fn send_regulator_item(product: domain::ProductId) -> Result<String, String> {
    #[derive(serde::Deserialize)]
    struct Sent {
        summary: String,
    }
    let sent: Sent = parse(
        Request::post(&format!("/api/v1/products/{product}/regulator-item"))
            .send()
            .await,
    )
    .await?;
    Ok(sent.summary)
}

/// The facility's Metrc locations and which one each zone is.
pub async fn zone_locations() -> Result<domain::zone_locations::ZoneLocations, SyncFailure> {
    sync_parse(Request::get("/api/v1/regulator/locations").send().await).await
}

/// Reads the facility's locations from the regulator again.
pub async fn read_zone_locations() -> Result<domain::zone_locations::ZoneLocations, String> {
    parse(
        Request::post("/api/v1/regulator/locations/read")
            .send()
            .await,
    )
    .await
}

/// Saves which Metrc location the vault and the sales floor are (both, or neither).
pub async fn save_zone_locations(
    vault: Option<&str>,
    sales_floor: Option<&str>,
) -> Result<domain::zone_locations::ZoneLocations, String> {
    let req = Request::put("/api/v1/regulator/locations")
        .json(&serde_json::json!({ "vault": vault, "sales_floor": sales_floor }))
        .map_err(|e| e.to_string())?;
    parse(req.send().await).await
}

/// Changes the regulator refused, with what waits behind them.
pub async fn parked() -> Result<domain::relay::ParkedList, SyncFailure> {
    sync_parse(Request::get("/api/v1/regulator/parked").send().await).await
}

/// Records a manager's decision on a refused change; a refusal comes back in words.
pub async fn settle_parked(
    seq: i64,
    decision: domain::RelayDecision,
    note: Option<String>,
) -> Result<(), String> {
    let req = Request::post(&format!("/api/v1/regulator/parked/{seq}"))
        .json(&serde_json::json!({
            "decision": decision,
            "note": note,
            "mutation_id": domain::MutationId::new(),
        }))
        .map_err(|e| e.to_string())?;
    match parse::<Outcome>(req.send().await).await? {
        Outcome::Applied { .. } => Ok(()),
        Outcome::Rejected { error, .. } => Err(error.to_string()),
    }
}
