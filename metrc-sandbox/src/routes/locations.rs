//! `/locations/v2/`: a facility's locations and their types, read, created, changed, archived.

use axum::{
    extract::{Path as UrlPath, State},
    http::StatusCode,
    Json,
};
use metrc::wire::{perm, Ids, Location, LocationType, Page};

use crate::{
    auth::Caller,
    error::ApiError,
    journal::Op,
    locations::location_types,
    paging::{page, writable, write_created, write_empty, ListQuery, Window},
    state::SandboxState,
};

/// `GET /locations/v2/active` (with a last-modified window) and `/locations/v2/inactive`.
async fn locations_list(
    st: SandboxState,
    c: Caller,
    q: ListQuery,
    active: bool,
) -> Result<Json<Page<Location>>, ApiError> {
    let license = c.facility(&q.license_number, perm::MANAGE_LOCATIONS)?;
    // Metrc documents a window on the active list only.
    let window = if active {
        q.modified()?
    } else {
        Window::default()
    };
    let all = st.read(|s| {
        s.locations
            .iter()
            .filter(|l| {
                l.license == license && l.archived != active && window.holds(l.last_modified)
            })
            .map(|l| l.view())
            .collect()
    });
    Ok(Json(page(all, &q)?))
}

pub(crate) async fn locations_active(
    State(st): State<SandboxState>,
    c: Caller,
    q: ListQuery,
) -> Result<Json<Page<Location>>, ApiError> {
    locations_list(st, c, q, true).await
}

pub(crate) async fn locations_inactive(
    State(st): State<SandboxState>,
    c: Caller,
    q: ListQuery,
) -> Result<Json<Page<Location>>, ApiError> {
    locations_list(st, c, q, false).await
}

/// `GET /locations/v2/types`.
pub(crate) async fn location_types_list(
    c: Caller,
    q: ListQuery,
) -> Result<Json<Page<LocationType>>, ApiError> {
    c.facility(&q.license_number, perm::MANAGE_LOCATIONS)?;
    Ok(Json(page(location_types(), &q)?))
}

/// `GET /locations/v2/{id}`: `licenseNumber` optional.
pub(crate) async fn location_show(
    State(st): State<SandboxState>,
    c: Caller,
    UrlPath(id): UrlPath<i64>,
    q: ListQuery,
) -> Result<Json<Location>, ApiError> {
    c.must_hold(perm::MANAGE_LOCATIONS)?;
    let l = st
        .read(|s| s.locations.iter().find(|l| l.id == id).cloned())
        .ok_or(ApiError::NotFound)?;
    c.may_see(&q.license_number, &l.license)?;
    Ok(Json(l.view()))
}

pub(crate) async fn locations_create(
    State(st): State<SandboxState>,
    c: Caller,
    q: ListQuery,
    Json(body): Json<Vec<serde_json::Value>>,
) -> Result<Json<Ids>, ApiError> {
    let license = writable(&c, &q, perm::MANAGE_LOCATIONS, &body)?;
    write_created(&st, Op::Locations { license, body }).await
}

pub(crate) async fn locations_update(
    State(st): State<SandboxState>,
    c: Caller,
    q: ListQuery,
    Json(body): Json<Vec<serde_json::Value>>,
) -> Result<StatusCode, ApiError> {
    let license = writable(&c, &q, perm::MANAGE_LOCATIONS, &body)?;
    write_empty(&st, Op::UpdateLocations { license, body }).await
}

pub(crate) async fn location_delete(
    State(st): State<SandboxState>,
    c: Caller,
    UrlPath(id): UrlPath<i64>,
    q: ListQuery,
) -> Result<StatusCode, ApiError> {
    let license = c.facility(&q.license_number, perm::MANAGE_LOCATIONS)?;
    write_empty(&st, Op::ArchiveLocation { license, id }).await
}
