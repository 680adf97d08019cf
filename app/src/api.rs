//! The server's API as the app calls it: one function per route, errors as the server's message.

use domain::account::User;
use domain::wire::{
    sync::{Outcome, PushRequest, PushResponse, Submitted},
    AvailableTags, CredentialsSaved, Decision, ErrorBody, HistoryEntry, IncomingManifest, ItemSent,
    LocationChoices, NewCredentials, Order, PackageHistory, ReasonChoices, SignIn, SignInRefused,
    SyncReport, VoidReceipt, Voided, WitnessCheck,
};
use gloo_net::http::{Request, Response};
use serde::de::DeserializeOwned;

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

/// Signs in as a browser's form does: the server sets the session cookie and sends the request on
/// to the app, or back to the sign-in page with why (Post/Redirect/Get), so a mistyped password is
/// an answer to show, not an HTTP error the browser logs.
pub async fn sign_in(email: &str, password: &str) -> Result<User, String> {
    let form = web_sys::UrlSearchParams::new().map_err(|_| "the browser cannot build a form")?;
    form.append("email", email);
    form.append("password", password);
    let res = Request::post("/api/v1/session")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(String::from(form.to_string()))
        .map_err(|e| e.to_string())?
        .send()
        .await
        .map_err(|_| "the server cannot be reached; check the connection".to_owned())?;
    if !res.redirected() {
        // Not a browser's answer (an older server, a proxy): read it as the API's.
        return Err(failure(res).await);
    }
    if let Some(why) = refusal_in(&res.url()) {
        return Err(why.to_string());
    }
    match me().await {
        Ok(Some(user)) => Ok(user),
        Ok(None) => {
            Err("signed in, but the browser kept no session; allow cookies for this site".into())
        }
        Err(SyncFailure::Offline) => {
            Err("the server cannot be reached; check the connection".into())
        }
        Err(SyncFailure::SignedOut) => Err("the session ended at once; sign in again".into()),
        Err(SyncFailure::Server(m)) => Err(m),
    }
}

/// The refusal a sign-in page's address carries (`/login?refused=…`), if it does.
pub fn refusal_in(address: &str) -> Option<SignInRefused> {
    let url = web_sys::Url::new(address).ok()?;
    if url.pathname() != SignInRefused::PAGE {
        return None;
    }
    let query = url.search_params();
    SignInRefused::from_query(&query.get("refused")?, query.get("retry_after").as_deref())
}

fn sign_in_body(email: &str, password: &str) -> SignIn {
    SignIn {
        email: email.to_owned(),
        password: password.to_owned(),
    }
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

/// Sends queued commands, oldest first, each with this tablet's number for it: the server applies
/// each number once and answers a number sent again with its first outcome.
pub async fn push(client_id: &str, mutations: Vec<Submitted>) -> Result<Vec<Outcome>, SyncFailure> {
    let body = PushRequest {
        client_id: Some(client_id.to_owned()),
        mutations,
    };
    let req = Request::post("/api/v1/mutations")
        .json(&body)
        .map_err(|e| SyncFailure::Server(e.to_string()))?;
    sync_parse::<PushResponse>(req.send().await)
        .await
        .map(|r| r.outcomes)
}

/// What changed after `since` (a snapshot when `since` is 0 or far behind), and the last of this
/// tablet's numbers the server has processed.
pub async fn pull(
    since: i64,
    client_id: &str,
) -> Result<domain::wire::sync::SyncResponse, SyncFailure> {
    sync_parse(
        Request::get(&format!("/api/v1/sync?since={since}&client_id={client_id}"))
            .send()
            .await,
    )
    .await
}

/// A package's history from the server.
pub async fn history(id: domain::PackageId) -> Result<Vec<HistoryEntry>, String> {
    parse::<PackageHistory>(
        Request::get(&format!("/api/v1/packages/{id}/history"))
            .send()
            .await,
    )
    .await
    .map(|h| h.events)
}

/// A second person confirms who they are; returns them without changing who is signed in, or the
/// server's reason they are not confirmed (a wrong password is an answer, not a failed request).
pub async fn witness(email: &str, password: &str) -> Result<User, String> {
    let req = Request::post("/api/v1/session/witness")
        .json(&sign_in_body(email, password))
        .map_err(|e| e.to_string())?;
    match parse::<WitnessCheck>(req.send().await).await? {
        WitnessCheck::Confirmed { witness } => Ok(witness),
        WitnessCheck::Refused { error } => Err(error.message),
    }
}

/// Package tags free at the regulator and unused in the ledger.
pub async fn free_tags() -> Result<Vec<String>, String> {
    parse::<AvailableTags>(Request::get("/api/v1/regulator/tags").send().await)
        .await
        .map(|t| t.tags)
}

/// Manifests at the regulator that the store has not received yet.
pub async fn incoming() -> Result<Vec<IncomingManifest>, SyncFailure> {
    sync_parse(Request::get("/api/v1/regulator/incoming").send().await).await
}

/// Orders waiting for pickup.
pub async fn orders() -> Result<Vec<Order>, SyncFailure> {
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

/// Voids a receipt the regulator recorded twice (the later copy).
pub async fn void_receipt(regulator_receipt_id: i64) -> Result<Voided, String> {
    let req = Request::post("/api/v1/reconcile/void-receipt")
        .json(&VoidReceipt {
            regulator_receipt_id,
        })
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
pub async fn mark_submitted(
    kind: &str,
    month: &str,
    explanation: Option<&str>,
) -> Result<(), String> {
    let req = Request::post(&format!("/api/v1/reports/{kind}/{month}/submitted"))
        .json(&domain::wire::MarkSubmitted {
            explanation: explanation.map(str::to_owned),
        })
        .map_err(|e| e.to_string())?;
    done(req.send().await).await
}

/// Regulator sync health.
pub async fn regulator_health() -> Result<SyncReport, SyncFailure> {
    sync_parse(Request::get("/api/v1/regulator/health").send().await).await
}

/// Saves new regulator credentials on the server (they never come back); answers where Pistil
/// now sends.
pub async fn save_credentials(body: &NewCredentials) -> Result<CredentialsSaved, String> {
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
        .json(&ReasonChoices {
            adjust: adjust.clone(),
            destruction: destruction.map(str::to_owned),
        })
        .map_err(|e| e.to_string())?;
    parse(req.send().await).await
}

/// Makes a product's Metrc item from its mapping, or brings the item of that name up to date;
/// answers what was done, in a sentence.
pub async fn send_regulator_item(product: domain::ProductId) -> Result<String, String> {
    let sent: ItemSent = parse(
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
        .json(&LocationChoices {
            vault: vault.map(str::to_owned),
            sales_floor: sales_floor.map(str::to_owned),
        })
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
        .json(&Decision {
            decision,
            note,
            mutation_id: Some(domain::MutationId::new()),
        })
        .map_err(|e| e.to_string())?;
    match parse::<Outcome>(req.send().await).await? {
        Outcome::Applied { .. } => Ok(()),
        Outcome::Rejected { error, .. } => Err(error.to_string()),
    }
}
