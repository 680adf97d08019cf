//! `GET /api/v1/sync?since=SEQ&client_id=ID`: what changed after a tablet's cursor.
//!
//! A tablet with no cursor (or one too far behind) gets a full snapshot of products and packages;
//! otherwise the events after its cursor. Either way it learns the last mutation number the
//! server processed for it, read in the same transaction as the data.

use axum::{
    extract::{Query, State},
    Json,
};
use domain::{Package, Product};
use serde::Deserialize;
use sqlx::Row;

use super::{error::ErrorBody, session::CurrentUser, ApiError};
use crate::AppState;

/// Past this many events behind, a snapshot is cheaper than the events.
pub const SNAPSHOT_AFTER: i64 = 5_000;

/// Query of a pull.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct SyncQuery {
    /// The tablet's cursor: the last sequence number it has.
    pub since: Option<i64>,
    /// The tablet's sync identity.
    pub client_id: Option<String>,
}

pub use domain::sync::{Snapshot, SyncResponse};

/// Pull.
#[utoipa::path(get, path = "/api/v1/sync", tag = "ledger", params(SyncQuery),
    responses((status = 200, body = SyncResponse), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn sync_show(
    State(state): State<AppState>,
    _user: CurrentUser,
    Query(q): Query<SyncQuery>,
) -> Result<Json<SyncResponse>, ApiError> {
    let mut tx = state.store.pool().begin().await?;
    let last_mutation_id: i64 = match &q.client_id {
        Some(c) => sqlx::query("SELECT last_mutation FROM clients WHERE client_id = ?")
            .bind(c)
            .fetch_optional(&mut *tx)
            .await?
            .map_or(0, |r| r.get(0)),
        None => 0,
    };
    let cursor: i64 = sqlx::query("SELECT COALESCE(MAX(seq), 0) FROM events")
        .fetch_one(&mut *tx)
        .await?
        .get(0);
    let since = q.since.unwrap_or(0);
    if since < 0 || since > cursor {
        return Err(ApiError::BadRequest(format!(
            "since={since} is outside 0..={cursor}"
        )));
    }
    if since == 0 || cursor - since > SNAPSHOT_AFTER {
        let products = sqlx::query("SELECT body FROM products ORDER BY sku")
            .fetch_all(&mut *tx)
            .await?
            .iter()
            .map(|r| serde_json::from_str(&r.get::<String, _>(0)))
            .collect::<Result<Vec<Product>, _>>()
            .map_err(anyhow::Error::from)?;
        let packages = sqlx::query("SELECT body FROM packages ORDER BY tag")
            .fetch_all(&mut *tx)
            .await?
            .iter()
            .map(|r| serde_json::from_str(&r.get::<String, _>(0)))
            .collect::<Result<Vec<Package>, _>>()
            .map_err(anyhow::Error::from)?;
        let holds = sqlx::query("SELECT body FROM holds ORDER BY expires_at")
            .fetch_all(&mut *tx)
            .await?
            .iter()
            .map(|r| serde_json::from_str(&r.get::<String, _>(0)))
            .collect::<Result<Vec<domain::event::Hold>, _>>()
            .map_err(anyhow::Error::from)?;
        let (config, counts) = {
            let view = state.ledger.view().await;
            let counts = view
                .state
                .counts
                .iter()
                .filter(|(_, c)| c.is_open())
                .map(|(id, c)| domain::sync::OpenCount {
                    count_id: *id,
                    session: c.clone(),
                })
                .collect();
            (view.state.config.clone(), counts)
        };
        return Ok(Json(SyncResponse {
            cursor,
            last_mutation_id,
            snapshot: Some(Snapshot {
                products,
                packages,
                config,
                holds,
                counts,
            }),
            events: vec![],
        }));
    }
    let events = crate::store::events_after(&mut *tx, since, cursor).await?;
    Ok(Json(SyncResponse {
        cursor,
        last_mutation_id,
        snapshot: None,
        events,
    }))
}
