//! `GET /api/v1/sync?since=SEQ&client_id=ID`: what changed after a tablet's cursor.
//!
//! A tablet with no cursor (or one too far behind) gets a full snapshot of products and packages;
//! otherwise the events after its cursor. Either way it learns the last mutation number the
//! server processed for it, read in the same transaction as the data.

use axum::{extract::State, Json};
use serde::Deserialize;

use super::AppState;
use super::{
    error::{ErrorBody, QueryLater},
    session::CurrentUser,
    ApiError,
};
use crate::store::{Pull, PullContents, SnapshotStore};

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

pub use domain::wire::sync::{Snapshot, SyncResponse};

/// Pull.
#[utoipa::path(get, path = "/api/v1/sync", tag = "ledger", params(SyncQuery),
    responses((status = 200, body = SyncResponse), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn sync_show(
    State(state): State<AppState>,
    _user: CurrentUser,
    query: QueryLater<SyncQuery>,
) -> Result<Json<SyncResponse>, ApiError> {
    let q = query.parse()?;
    let since = q.since.unwrap_or(0);
    let (cursor, last_mutation_id, contents) = match state
        .store
        .pull(q.client_id.as_deref(), since, SNAPSHOT_AFTER)
        .await?
    {
        Pull::OutOfRange { cursor } => {
            return Err(ApiError::BadRequest(format!(
                "since={since} is outside 0..={cursor}"
            )))
        }
        Pull::Read {
            cursor,
            last_mutation,
            contents,
        } => (cursor, last_mutation, contents),
    };
    let (products, packages, holds) = match contents {
        PullContents::Events(events) => {
            return Ok(Json(SyncResponse {
                cursor,
                last_mutation_id,
                snapshot: None,
                events,
            }))
        }
        PullContents::Snapshot {
            products,
            packages,
            holds,
        } => (products, packages, holds),
    };
    let (config, counts) = {
        let view = state.ledger.view().await;
        let counts = view
            .state
            .counts
            .iter()
            .filter(|(_, c)| c.is_open())
            .map(|(id, c)| domain::wire::sync::OpenCount {
                count_id: *id,
                session: c.clone(),
            })
            .collect();
        (view.state.config.clone(), counts)
    };
    Ok(Json(SyncResponse {
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
    }))
}
