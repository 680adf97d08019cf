//! The facility's Metrc locations and which one each zone is: `GET /api/v1/regulator/locations`,
//! `POST /api/v1/regulator/locations/read`, `PUT /api/v1/regulator/locations`.

use axum::{extract::State, Json};
use domain::{wire::LocationChoices, zone_locations::ZoneLocations};

use super::AppState;
use super::{
    error::{ErrorBody, JsonLater},
    session::CurrentUser,
    ApiError,
};
use crate::{
    auth::Role,
    regulator::locations::{self, LocationsError},
};

impl From<LocationsError> for ApiError {
    fn from(e: LocationsError) -> Self {
        match e {
            LocationsError::Regulator(_) => ApiError::RegulatorUnavailable(e.to_string()),
            LocationsError::Invalid(d) => ApiError::InvalidBody(d.to_string()),
            LocationsError::Store(e) => ApiError::Database(e),
        }
    }
}

/// The choices in force (empty, never read, when no list was read yet).
#[utoipa::path(get, path = "/api/v1/regulator/locations", tag = "regulator",
    responses((status = 200, body = ZoneLocations), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn locations_show(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<ZoneLocations>, ApiError> {
    user.require(Role::Manager, "Metrc locations")?;
    Ok(Json(
        state
            .ledger
            .locations()
            .map(|m| (*m).clone())
            .unwrap_or_default(),
    ))
}

/// Reads the facility's locations again, keeping the choices it still allows.
#[utoipa::path(post, path = "/api/v1/regulator/locations/read", tag = "regulator",
    responses((status = 200, body = ZoneLocations), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn locations_read(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<ZoneLocations>, ApiError> {
    user.require(Role::Manager, "reading Metrc locations")?;
    let Some(client) = state.outbox.client().await else {
        return Err(ApiError::RegulatorUnavailable(
            "no regulator connection is configured, so there is no list to read".into(),
        ));
    };
    Ok(Json(
        locations::read(&state.store, &state.ledger, &client).await?,
    ))
}

/// Saves the choice; each must be a location of the facility that can hold packages.
#[utoipa::path(put, path = "/api/v1/regulator/locations", tag = "regulator", request_body = LocationChoices,
    responses((status = 200, body = ZoneLocations), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn locations_update(
    State(state): State<AppState>,
    user: CurrentUser,
    body: JsonLater<LocationChoices>,
) -> Result<Json<ZoneLocations>, ApiError> {
    user.require(Role::Manager, "Metrc locations")?;
    let body = body.parse()?;
    let blank = |v: Option<String>| v.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
    Ok(Json(
        locations::choose(
            &state.store,
            &state.ledger,
            blank(body.vault),
            blank(body.sales_floor),
        )
        .await?,
    ))
}
