//! `/packages/v2/`: lists, one package, adjustment reasons, and the package writes.

use axum::{
    extract::{Path as UrlPath, Query, State},
    http::StatusCode,
    Json,
};
use metrc::wire::{perm, Ids, Page};

use crate::{
    auth::Caller,
    error::ApiError,
    journal::Op,
    model::Package,
    paging::{modified_within, page, writable, write_created, write_empty, ListQuery},
    state::SandboxState,
};

pub(crate) async fn packages_list(
    st: SandboxState,
    c: Caller,
    q: ListQuery,
    active: bool,
) -> Result<Json<Page<Package>>, ApiError> {
    let license = c.facility(&q.license_number, perm::VIEW_PACKAGES)?;
    let all = st.read(|s| {
        s.packages
            .iter()
            .filter(|p| {
                p.license == license
                    && p.archived_date.is_none()
                    && p.is_finished != active
                    && modified_within(p.last_modified, &q)
            })
            .cloned()
            .collect()
    });
    Ok(Json(page(all, &q)?))
}

pub(crate) async fn packages_active(
    State(st): State<SandboxState>,
    c: Caller,
    Query(q): Query<ListQuery>,
) -> Result<Json<Page<Package>>, ApiError> {
    packages_list(st, c, q, true).await
}

pub(crate) async fn packages_inactive(
    State(st): State<SandboxState>,
    c: Caller,
    Query(q): Query<ListQuery>,
) -> Result<Json<Page<Package>>, ApiError> {
    packages_list(st, c, q, false).await
}

/// `GET /packages/v2/{id}` or `/packages/v2/{label}`: licence optional, 401 when it does not match.
pub(crate) async fn package_show(
    State(st): State<SandboxState>,
    c: Caller,
    UrlPath(key): UrlPath<String>,
    Query(q): Query<ListQuery>,
) -> Result<Json<Package>, ApiError> {
    if !c.0.permissions.contains(perm::VIEW_PACKAGES) {
        return Err(ApiError::Forbidden);
    }
    let p = st
        .read(|s| {
            s.packages
                .iter()
                .find(|p| p.label == key || p.id.to_string() == key)
                .cloned()
        })
        .ok_or(ApiError::NotFound)?;
    let allowed = match &q.license_number {
        Some(l) => l == &p.license && c.0.licenses.contains(l),
        None => c.0.licenses.contains(&p.license),
    };
    if !allowed {
        return Err(ApiError::Unauthorized);
    }
    Ok(Json(p))
}

pub(crate) async fn adjust_reasons(
    State(st): State<SandboxState>,
    c: Caller,
    Query(q): Query<ListQuery>,
) -> Result<Json<Page<serde_json::Value>>, ApiError> {
    let Some(license) = &q.license_number else {
        return Err(ApiError::BadRequest("licenseNumber is required.".into()));
    };
    if !c.0.licenses.contains(license) {
        return Err(ApiError::Unauthorized);
    }
    let all = st
        .read(|s| s.reasons(license))
        .into_iter()
        .map(|r| serde_json::json!({"Name": r.name, "RequiresNote": r.requires_note, "RequiresWasteWeight": false, "RequiresImmatureWasteWeight": false, "RequiresMatureWasteWeight": false}))
        .collect();
    Ok(Json(page(all, &q)?))
}

pub(crate) async fn packages_create(
    State(st): State<SandboxState>,
    c: Caller,
    Query(q): Query<ListQuery>,
    Json(body): Json<Vec<serde_json::Value>>,
) -> Result<Json<Ids>, ApiError> {
    let license = writable(&c, &q, perm::CREATE_PACKAGES, &body)?;
    write_created(&st, Op::CreatePackages { license, body }).await
}

pub(crate) async fn packages_adjust(
    State(st): State<SandboxState>,
    c: Caller,
    Query(q): Query<ListQuery>,
    Json(body): Json<Vec<serde_json::Value>>,
) -> Result<Json<Ids>, ApiError> {
    let license = writable(&c, &q, perm::MANAGE_INVENTORY, &body)?;
    write_created(&st, Op::Adjust { license, body }).await
}

pub(crate) async fn packages_finish(
    State(st): State<SandboxState>,
    c: Caller,
    Query(q): Query<ListQuery>,
    Json(body): Json<Vec<serde_json::Value>>,
) -> Result<StatusCode, ApiError> {
    let license = writable(&c, &q, perm::MANAGE_INVENTORY, &body)?;
    write_empty(
        &st,
        Op::Finish {
            license,
            body,
            finish: true,
        },
    )
    .await
}

pub(crate) async fn packages_unfinish(
    State(st): State<SandboxState>,
    c: Caller,
    Query(q): Query<ListQuery>,
    Json(body): Json<Vec<serde_json::Value>>,
) -> Result<StatusCode, ApiError> {
    let license = writable(&c, &q, perm::MANAGE_INVENTORY, &body)?;
    write_empty(
        &st,
        Op::Finish {
            license,
            body,
            finish: false,
        },
    )
    .await
}
