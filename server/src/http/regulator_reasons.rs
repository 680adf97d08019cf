//! The facility's Metrc adjustment reasons and what each of Pistil's is sent as:
//! `GET /api/v1/regulator/reasons`, `POST /api/v1/regulator/reasons/read`,
//! `PUT /api/v1/regulator/reasons`.

use axum::{extract::State, Json};
use domain::{reason_map::ReasonMap, wire::ReasonChoices};

use super::AppState;
use super::{
    error::{ErrorBody, JsonLater},
    session::CurrentUser,
    ApiError,
};
use crate::{
    auth::Role,
    regulator::reasons::{self, ReasonsError},
};

impl From<ReasonsError> for ApiError {
    fn from(e: ReasonsError) -> Self {
        match e {
            ReasonsError::Regulator(_) => ApiError::RegulatorUnavailable(e.to_string()),
            ReasonsError::Invalid(d) => ApiError::InvalidBody(d.to_string()),
            ReasonsError::Store(e) => ApiError::Database(e),
        }
    }
}

/// The map in force (empty, never read, when no list was read yet).
#[utoipa::path(get, path = "/api/v1/regulator/reasons", tag = "regulator",
    responses((status = 200, body = ReasonMap), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn reasons_show(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<ReasonMap>, ApiError> {
    user.require(Role::Manager, "Metrc adjustment reasons")?;
    Ok(Json(
        state
            .ledger
            .reasons()
            .map(|m| (*m).clone())
            .unwrap_or_default(),
    ))
}

/// Reads the facility's list again, keeping the choices it still allows.
#[utoipa::path(post, path = "/api/v1/regulator/reasons/read", tag = "regulator",
    responses((status = 200, body = ReasonMap), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn reasons_read(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<ReasonMap>, ApiError> {
    user.require(Role::Manager, "reading Metrc adjustment reasons")?;
    let Some(client) = state.outbox.client().await else {
        return Err(ApiError::RegulatorUnavailable(
            "no regulator connection is configured, so there is no list to read".into(),
        ));
    };
    Ok(Json(
        reasons::read(&state.store, &state.ledger, &client).await?,
    ))
}

/// Saves the choices; each must be a reason the facility lists.
#[utoipa::path(put, path = "/api/v1/regulator/reasons", tag = "regulator", request_body = ReasonChoices,
    responses((status = 200, body = ReasonMap), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn reasons_update(
    State(state): State<AppState>,
    user: CurrentUser,
    body: JsonLater<ReasonChoices>,
) -> Result<Json<ReasonMap>, ApiError> {
    user.require(Role::Manager, "Metrc adjustment reasons")?;
    let body = body.parse()?;
    Ok(Json(
        reasons::choose(&state.store, &state.ledger, body.adjust, body.destruction).await?,
    ))
}
