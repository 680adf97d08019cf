//! `GET /api/v1/packages/{id}/history`: every event that touched a package, who made it, and how
//! far each one has reached the regulator. What the package card shows under "History".

use axum::{
    extract::{Path, State},
    Json,
};
use domain::PackageId;

use super::AppState;
use super::{error::ErrorBody, session::CurrentUser, ApiError};
use crate::{auth::Role, store::EventStore};

pub use domain::wire::{HistoryEntry, PackageHistory, RegulatorStep};

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
    let events = state
        .store
        .history_naming(id)
        .await?
        .into_iter()
        // A body may mention a package without touching it (a note, a merge's source list).
        .filter(|e| e.event.kind.packages().contains(&id))
        .collect();
    Ok(Json(PackageHistory { events }))
}
