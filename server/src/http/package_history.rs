//! `GET /api/v1/packages/{id}/history`: every event that touched a package, who made it, and how
//! far each one has reached the regulator. What the package card shows under "History".

use axum::{
    extract::{Path, State},
    Json,
};
use domain::{Event, PackageId};
use serde::{Deserialize, Serialize};
use sqlx::Row;

use super::{error::ErrorBody, session::CurrentUser, ApiError};
use crate::{auth::Role, AppState};

/// One event in a package's history.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct HistoryEntry {
    /// Ledger sequence.
    pub seq: i64,
    /// The name of the person who made it (their id is in the event).
    pub actor_name: Option<String>,
    /// The event.
    pub event: Event,
    /// Where it stands with the regulator, when the regulator must learn of it.
    pub regulator: Option<RegulatorStep>,
}

/// How far one event has reached the regulator.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RegulatorStep {
    /// `pending`, `sending`, `uncertain`, `parked` or `done`.
    pub state: String,
    /// Attempts so far.
    pub attempts: i64,
    /// The regulator's refusal, for a parked change.
    pub last_error: Option<String>,
    /// When the regulator confirmed it.
    pub done_at: Option<String>,
}

/// A package's history, oldest first.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PackageHistory {
    /// The events.
    pub events: Vec<HistoryEntry>,
}

/// A package's history.
#[utoipa::path(get, path = "/api/v1/packages/{id}/history", tag = "ledger",
    params(("id" = String, Path, description = "The package id")),
    responses((status = 200, body = PackageHistory), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn package_history_show(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<PackageHistory>, ApiError> {
    user.require(Role::Staff, "package history")?;
    let id: PackageId = id
        .parse()
        .map_err(|_| ApiError::BadRequest(format!("{id:?} is not a package id")))?;
    if !state.ledger.view().await.state.packages.contains_key(&id) {
        return Err(ApiError::Missing(format!("no package {id} in this store")));
    }
    // Events name packages by id inside their body; a package's history is short, the scan is not
    // (a per-package index is the next step when ledgers reach millions of events).
    let rows = sqlx::query(
        "SELECT e.seq, e.body, u.name, o.state, o.attempts, o.last_error, o.done_at
         FROM events e
         LEFT JOIN users u ON u.id = e.actor
         LEFT JOIN outbox o ON o.seq = e.seq
         WHERE instr(e.body, ?) > 0
         ORDER BY e.seq",
    )
    .bind(id.to_string())
    .fetch_all(state.store.pool())
    .await?;
    let mut events = Vec::with_capacity(rows.len());
    for r in rows {
        let event: Event =
            serde_json::from_str(&r.get::<String, _>(1)).map_err(anyhow::Error::from)?;
        if !event.kind.packages().contains(&id) {
            continue;
        }
        events.push(HistoryEntry {
            seq: r.get(0),
            actor_name: r.get(2),
            event,
            regulator: r.get::<Option<String>, _>(3).map(|state| RegulatorStep {
                state,
                attempts: r.get(4),
                last_error: r.get(5),
                done_at: r.get(6),
            }),
        });
    }
    Ok(Json(PackageHistory { events }))
}
