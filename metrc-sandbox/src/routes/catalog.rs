//! What a facility can use: facilities, units, items (read, created, changed, archived), item
//! categories, available tags.

use axum::{
    extract::{Path as UrlPath, State},
    http::StatusCode,
    Json,
};
use metrc::wire::{perm, Ids, ItemCategory, Page};

use crate::{
    auth::Caller,
    catalog::{categories, UNITS},
    error::ApiError,
    journal::Op,
    model::Item,
    paging::{page, writable, write_created, write_empty, ListQuery, Window},
    state::SandboxState,
};

/// `GET /facilities/v2/`: the key's facilities, with the fields Metrc's documentation shows on
/// one (the facility type's flags a retailer's software reads; a facility assigns locations to
/// packages once it has a location that can hold them).
pub(crate) async fn facilities(
    State(st): State<SandboxState>,
    c: Caller,
) -> Json<Vec<serde_json::Value>> {
    Json(st.read(|s| {
        s.facilities
            .iter()
            .enumerate()
            .filter(|(_, (l, _))| c.0.licenses.contains(l))
            .map(|(i, (l, n))| {
                let locations = s
                    .locations
                    .iter()
                    .any(|x| &x.license == l && !x.archived && x.view().for_packages);
                let kind = serde_json::json!({
                    "IsMedical": true, "IsRetail": true, "IsHemp": false,
                    "CanAssignLocationsToPackages": locations, "CanUpdateLocationsOnPackages": locations,
                    "EnableSublocations": false, "CanSellToConsumers": true, "CanSellToPatients": true,
                    "SalesRequirePatientNumber": true, "CanRecordProductForDestruction": false,
                    "CanDestroyProduct": false, "CanReceiveAssociateProductLabel": true,
                    "CanTrackFinishedGoods": false,
                });
                serde_json::json!({
                    "FacilityId": i + 1, "HireDate": "0001-01-01", "IsOwner": false, "IsManager": true,
                    "IsFinancialContact": false, "Email": null, "Occupations": [], "Name": n, "Alias": n,
                    "DisplayName": n, "CredentialedDate": "2020-01-01", "SupportActivationDate": null,
                    "SupportExpirationDate": null, "FacilityType": kind,
                    "License": {"Number": l, "EmployeeLicenseNumber": l, "StartDate": "2020-01-01",
                        "EndDate": "2030-12-31", "LicenseType": "Retailer"},
                    "AllowTransferOfOnHoldPackages": null, "AllowTransferOfOnRecallPackages": null,
                })
            })
            .collect()
    }))
}

pub(crate) async fn units(_c: Caller) -> Json<Vec<serde_json::Value>> {
    Json(
        UNITS
            .iter()
            .map(|(kind, name, abbr)| {
                serde_json::json!({"QuantityType": kind, "Name": name, "Abbreviation": abbr})
            })
            .collect(),
    )
}

/// `GET /items/v2/active` (with a last-modified window) and `/items/v2/inactive`.
async fn items_list(
    st: SandboxState,
    c: Caller,
    q: ListQuery,
    active: bool,
) -> Result<Json<Page<Item>>, ApiError> {
    let license = c.facility(&q.license_number, perm::MANAGE_ITEMS)?;
    // Metrc documents a window on the active list only.
    let window = if active {
        q.modified()?
    } else {
        Window::default()
    };
    Ok(Json(page(
        st.read(|s| {
            s.items
                .iter()
                .filter(|i| {
                    i.license == license && i.archived != active && window.holds(i.last_modified)
                })
                .cloned()
                .collect()
        }),
        &q,
    )?))
}

pub(crate) async fn items_active(
    State(st): State<SandboxState>,
    c: Caller,
    q: ListQuery,
) -> Result<Json<Page<Item>>, ApiError> {
    items_list(st, c, q, true).await
}

pub(crate) async fn items_inactive(
    State(st): State<SandboxState>,
    c: Caller,
    q: ListQuery,
) -> Result<Json<Page<Item>>, ApiError> {
    items_list(st, c, q, false).await
}

/// `GET /items/v2/{id}`: `licenseNumber` optional.
pub(crate) async fn item_show(
    State(st): State<SandboxState>,
    c: Caller,
    UrlPath(id): UrlPath<i64>,
    q: ListQuery,
) -> Result<Json<Item>, ApiError> {
    c.must_hold(perm::MANAGE_ITEMS)?;
    let item = st
        .read(|s| s.items.iter().find(|i| i.id == id).cloned())
        .ok_or(ApiError::NotFound)?;
    c.may_see(&q.license_number, &item.license)?;
    Ok(Json(item))
}

pub(crate) async fn items_create(
    State(st): State<SandboxState>,
    c: Caller,
    q: ListQuery,
    Json(body): Json<Vec<serde_json::Value>>,
) -> Result<Json<Ids>, ApiError> {
    let license = writable(&c, &q, perm::MANAGE_ITEMS, &body)?;
    write_created(&st, Op::Items { license, body }).await
}

pub(crate) async fn items_update(
    State(st): State<SandboxState>,
    c: Caller,
    q: ListQuery,
    Json(body): Json<Vec<serde_json::Value>>,
) -> Result<StatusCode, ApiError> {
    let license = writable(&c, &q, perm::MANAGE_ITEMS, &body)?;
    write_empty(&st, Op::UpdateItems { license, body }).await
}

pub(crate) async fn item_delete(
    State(st): State<SandboxState>,
    c: Caller,
    UrlPath(id): UrlPath<i64>,
    q: ListQuery,
) -> Result<StatusCode, ApiError> {
    let license = c.facility(&q.license_number, perm::MANAGE_ITEMS)?;
    write_empty(&st, Op::ArchiveItem { license, id }).await
}

/// `GET /items/v2/categories`: no permission needed; `licenseNumber` optional ("If not
/// specified, all Item Categories will be returned"). Every facility here has every category.
pub(crate) async fn item_categories(
    c: Caller,
    q: ListQuery,
) -> Result<Json<Page<ItemCategory>>, ApiError> {
    if let Some(l) = &q.license_number {
        if !c.0.licenses.contains(l) {
            return Err(ApiError::Unauthorized);
        }
    }
    Ok(Json(page(categories(), &q)?))
}

/// `GET /tags/v2/package/available`: a plain array; no permission needed beyond the licence.
pub(crate) async fn tags_available(
    State(st): State<SandboxState>,
    c: Caller,
    q: ListQuery,
) -> Result<Json<Vec<serde_json::Value>>, ApiError> {
    let license = q
        .license_number
        .clone()
        .ok_or_else(|| ApiError::BadRequest("licenseNumber is required.".into()))?;
    if !c.0.licenses.contains(&license) {
        return Err(ApiError::Unauthorized);
    }
    let (facility, tags) = st.read(|s| {
        (
            s.facilities.keys().position(|l| l == &license).unwrap_or(0) + 1,
            s.available_tags.get(&license).cloned().unwrap_or_default(),
        )
    });
    Ok(Json(
        tags.iter()
            .enumerate()
            .map(|(i, t)| {
                serde_json::json!({"Id": i + 1, "GroupTagTypeName": null, "TagTypeName": null, "GroupTagTypeId": null,
                    "TagTypeId": null, "TagInventoryTypeName": "Package", "MaxGroupSize": 0, "FacilityId": facility, "Label": t})
            })
            .collect(),
    ))
}
