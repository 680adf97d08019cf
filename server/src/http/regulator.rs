//! Regulator sync over the API: health that names its cause, and saving credentials.
//!
//! - `GET /api/v1/regulator/health` (manager): state, cause, counts, oldest pending change.
//! - `PUT /api/v1/regulator/credentials` (manager): save new keys; they are never returned.

use axum::{extract::State, http::StatusCode, Json};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use sqlx::Row;

use super::{
    error::{AppJson, ErrorBody},
    session::CurrentUser,
    ApiError,
};
use crate::{
    auth::Role,
    regulator::{
        client::Credentials,
        outbox::{SyncHealth, SyncState},
        setup,
    },
    AppState,
};

/// A change waiting longer than this makes the sync `lagging`.
pub const POSTING_WINDOW_SECS: i64 = 15 * 60;

/// The sync's health report.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RegulatorHealth {
    /// State and its cause.
    #[serde(flatten)]
    pub health: SyncHealth,
    /// Changes waiting to be sent.
    pub pending: i64,
    /// Changes sent without an answer, to be read back before any retry.
    pub uncertain: i64,
    /// Changes on their way now; without an answer they are read back before any retry.
    pub sending: i64,
    /// Changes the regulator refused, waiting for a person.
    pub parked: i64,
    /// Changes the regulator has.
    pub done: i64,
    /// Age of the oldest waiting change, in seconds.
    pub oldest_pending_seconds: Option<i64>,
    /// The facility licence in use.
    pub license: Option<String>,
    /// Whether the embedded sandbox is the regulator.
    pub sandbox: bool,
    /// When the user key expires, where known.
    pub key_expires_on: Option<NaiveDate>,
    /// Things to act on before they stop the sync.
    pub warnings: Vec<String>,
}

/// Free package tags, for a split or merge to pick from.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AvailableTags {
    /// Tags the regulator lists as free that no package in the ledger carries yet, in order.
    pub tags: Vec<String>,
}

/// Most tags returned at once: enough for a shift of splits, cached by the tablet.
pub const TAGS_RETURNED: usize = 200;

/// Package tags a split or merge may use: free at the regulator and unused in the ledger.
#[utoipa::path(get, path = "/api/v1/regulator/tags", tag = "regulator",
    responses((status = 200, body = AvailableTags), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn tags_index(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<AvailableTags>, ApiError> {
    user.require(Role::Manager, "listing free package tags")?;
    let Some(client) = state.outbox.client().await else {
        return Err(ApiError::RegulatorUnavailable(
            "no regulator connection is configured, so no free tags are known".into(),
        ));
    };
    let free = client.available_tags().await.map_err(|e| {
        ApiError::RegulatorUnavailable(format!("the regulator could not list free tags: {e}"))
    })?;
    let view = state.ledger.view().await;
    let tags = free
        .into_iter()
        .filter(|t| domain::RegulatorTag::parse(t).is_ok_and(|t| !view.state.tags.contains_key(&t)))
        .take(TAGS_RETURNED)
        .collect();
    Ok(Json(AvailableTags { tags }))
}

/// Days before a key's known expiry from which health warns.
pub const KEY_WARNING_DAYS: i64 = 14;

/// Counts the outbox and names the state.
pub async fn report(state: &AppState) -> Result<RegulatorHealth, ApiError> {
    let pool = state.store.pool();
    let mut counts = std::collections::HashMap::new();
    for r in sqlx::query("SELECT state, COUNT(*) FROM outbox GROUP BY state")
        .fetch_all(pool)
        .await?
    {
        counts.insert(r.get::<String, _>(0), r.get::<i64, _>(1));
    }
    let oldest: Option<String> = sqlx::query(
        "SELECT MIN(created_at) FROM outbox WHERE state IN ('pending', 'sending', 'uncertain')",
    )
    .fetch_one(pool)
    .await?
    .get(0);
    let oldest_pending_seconds = oldest
        .and_then(|t| DateTime::parse_from_rfc3339(&t).ok())
        .map(|t| (Utc::now() - t.with_timezone(&Utc)).num_seconds());
    let mut health = state.outbox.health();
    if health.state == SyncState::Healthy
        && oldest_pending_seconds.is_some_and(|s| s > POSTING_WINDOW_SECS)
    {
        health = SyncHealth {
            state: SyncState::Lagging,
            cause: format!(
                "the oldest change has waited {} minutes",
                oldest_pending_seconds.unwrap_or(0) / 60
            ),
            since: health.since,
        };
    }
    if health.state == SyncState::Healthy && counts.get("parked").copied().unwrap_or(0) > 0 {
        health.cause = "changes flow; some the regulator refused wait for a person".into();
    }
    let creds = setup::saved(pool).await?;
    let key_expires_on = creds.as_ref().and_then(|c| c.key_expires_on);
    let mut warnings = Vec::new();
    if let Some(day) = key_expires_on {
        let left = (day - Utc::now().date_naive()).num_days();
        if (0..=KEY_WARNING_DAYS).contains(&left) {
            warnings.push(format!("the regulator user key expires on {day}, in {left} days: save a new key before then"));
        }
    }
    Ok(RegulatorHealth {
        health,
        pending: counts.get("pending").copied().unwrap_or(0),
        uncertain: counts.get("uncertain").copied().unwrap_or(0),
        sending: counts.get("sending").copied().unwrap_or(0),
        parked: counts.get("parked").copied().unwrap_or(0),
        done: counts.get("done").copied().unwrap_or(0),
        oldest_pending_seconds,
        license: creds.as_ref().map(|c| c.license.clone()),
        sandbox: creds.is_some_and(|c| c.embedded),
        key_expires_on,
        warnings,
    })
}

/// Sync health.
#[utoipa::path(get, path = "/api/v1/regulator/health", tag = "regulator",
    responses((status = 200, body = RegulatorHealth), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn regulator_health(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<RegulatorHealth>, ApiError> {
    user.require(Role::Manager, "regulator sync health")?;
    Ok(Json(report(&state).await?))
}

/// New regulator credentials.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCredentials {
    /// The regulator's base URL.
    pub base_url: String,
    /// The integrator (vendor) key.
    pub vendor_key: String,
    /// The store's user key.
    pub user_key: String,
    /// The facility licence number.
    pub license: String,
    /// When the user key expires, if known; health warns 14 days ahead.
    #[serde(default)]
    pub key_expires_on: Option<NaiveDate>,
}

/// Saves credentials and resumes sync with them.
#[utoipa::path(put, path = "/api/v1/regulator/credentials", tag = "regulator", request_body = NewCredentials,
    responses((status = 204, description = "Saved; never returned by any route"), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn credentials_update(
    State(state): State<AppState>,
    user: CurrentUser,
    AppJson(body): AppJson<NewCredentials>,
) -> Result<StatusCode, ApiError> {
    user.require(Role::Manager, "regulator credentials")?;
    for (field, v) in [
        ("base_url", &body.base_url),
        ("vendor_key", &body.vendor_key),
        ("user_key", &body.user_key),
        ("license", &body.license),
    ] {
        if v.trim().is_empty() {
            return Err(ApiError::InvalidBody(format!("{field} must not be empty")));
        }
    }
    if !(body.base_url.starts_with("https://")
        || body.base_url.starts_with("http://127.0.0.1")
        || body.base_url.starts_with("http://localhost"))
    {
        return Err(ApiError::InvalidBody(
            "base_url must be https (plain http only on this machine)".into(),
        ));
    }
    let embedded = setup::saved(state.store.pool())
        .await?
        .is_some_and(|c| c.embedded && c.base_url == body.base_url);
    let creds = Credentials {
        base_url: body.base_url,
        vendor_key: body.vendor_key,
        user_key: body.user_key,
        license: body.license,
        embedded,
        key_expires_on: body.key_expires_on,
    };
    setup::save(state.store.pool(), &creds).await?;
    state
        .outbox
        .set_client(setup::client(
            creds,
            state.regulator_timeout,
            state.regulator_gets_per_second,
        ))
        .await;
    Ok(StatusCode::NO_CONTENT)
}
