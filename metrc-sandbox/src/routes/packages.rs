//! `/packages/v2/`: lists, one package, adjustment reasons and history, and the package writes
//! (create, adjust, finish, unfinish, location, note).

use axum::{
    extract::{Path as UrlPath, State},
    http::StatusCode,
    Json,
};
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use metrc::wire::{perm, Ids, Page};
use rust_decimal::Decimal;
use serde::Serialize;

use crate::{
    auth::Caller,
    catalog::UNITS,
    error::ApiError,
    journal::Op,
    model::Package,
    paging::{page, writable, write_created, write_empty, ListQuery},
    state::SandboxState,
};

pub(crate) async fn packages_list(
    st: SandboxState,
    c: Caller,
    q: ListQuery,
    active: bool,
) -> Result<Json<Page<Package>>, ApiError> {
    let license = c.facility(&q.license_number, perm::VIEW_PACKAGES)?;
    let window = q.modified()?;
    let all = st.read(|s| {
        s.packages
            .iter()
            .filter(|p| {
                p.license == license
                    && p.archived_date.is_none()
                    && p.in_transit.is_none()
                    && p.is_finished != active
                    && window.holds(p.last_modified)
            })
            .cloned()
            .collect()
    });
    Ok(Json(page(all, &q)?))
}

pub(crate) async fn packages_active(
    State(st): State<SandboxState>,
    c: Caller,
    q: ListQuery,
) -> Result<Json<Page<Package>>, ApiError> {
    packages_list(st, c, q, true).await
}

pub(crate) async fn packages_inactive(
    State(st): State<SandboxState>,
    c: Caller,
    q: ListQuery,
) -> Result<Json<Page<Package>>, ApiError> {
    packages_list(st, c, q, false).await
}

/// `GET /packages/v2/{id}` or `/packages/v2/{label}`: licence optional, 401 when it does not match.
pub(crate) async fn package_show(
    State(st): State<SandboxState>,
    c: Caller,
    UrlPath(key): UrlPath<String>,
    q: ListQuery,
) -> Result<Json<Package>, ApiError> {
    c.must_hold(perm::VIEW_PACKAGES)?;
    let p = st
        .read(|s| {
            s.packages
                .iter()
                .find(|p| p.label == key || p.id.to_string() == key)
                .cloned()
        })
        .ok_or(ApiError::NotFound)?;
    c.may_see(&q.license_number, &p.license)?;
    Ok(Json(p))
}

pub(crate) async fn adjust_reasons(
    State(st): State<SandboxState>,
    c: Caller,
    q: ListQuery,
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
    q: ListQuery,
    Json(body): Json<Vec<serde_json::Value>>,
) -> Result<Json<Ids>, ApiError> {
    let license = writable(&c, &q, perm::CREATE_PACKAGES, &body)?;
    write_created(&st, Op::CreatePackages { license, body }).await
}

pub(crate) async fn packages_adjust(
    State(st): State<SandboxState>,
    c: Caller,
    q: ListQuery,
    Json(body): Json<Vec<serde_json::Value>>,
) -> Result<Json<Ids>, ApiError> {
    let license = writable(&c, &q, perm::MANAGE_INVENTORY, &body)?;
    let by = c.user_name().to_owned();
    write_created(&st, Op::Adjust { license, body, by }).await
}

/// `GET /packages/v2/intransit`: packages on their way out on an outgoing transfer.
pub(crate) async fn packages_in_transit(
    State(st): State<SandboxState>,
    c: Caller,
    q: ListQuery,
) -> Result<Json<Page<Package>>, ApiError> {
    let license = c.facility(&q.license_number, perm::VIEW_PACKAGES)?;
    let window = q.modified()?;
    let all = st.read(|s| {
        s.packages
            .iter()
            .filter(|p| {
                p.license == license && p.in_transit.is_some() && window.holds(p.last_modified)
            })
            .cloned()
            .collect()
    });
    Ok(Json(page(all, &q)?))
}

/// `PUT /packages/v2/location`: moves packages between the facility's locations.
pub(crate) async fn packages_location(
    State(st): State<SandboxState>,
    c: Caller,
    q: ListQuery,
    Json(body): Json<Vec<serde_json::Value>>,
) -> Result<StatusCode, ApiError> {
    let license = writable(&c, &q, perm::CREATE_PACKAGES, &body)?;
    c.must_hold(perm::VIEW_PACKAGES)?;
    write_empty(&st, Op::MovePackages { license, body }).await
}

/// `PUT /packages/v2/note`: sets packages' notes.
pub(crate) async fn packages_note(
    State(st): State<SandboxState>,
    c: Caller,
    q: ListQuery,
    Json(body): Json<Vec<serde_json::Value>>,
) -> Result<StatusCode, ApiError> {
    let license = writable(&c, &q, perm::MANAGE_PACKAGE_NOTES, &body)?;
    c.must_hold(perm::VIEW_PACKAGES)?;
    c.must_hold(perm::MANAGE_INVENTORY)?;
    write_empty(&st, Op::Notes { license, body }).await
}

/// One adjustment as `GET /packages/v2/adjustments` shows it.
#[derive(Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct AdjustmentView {
    package_id: i64,
    package_label: String,
    item_name: String,
    item_category_name: String,
    #[serde(with = "metrc::number")]
    adjustment_quantity: Decimal,
    adjustment_unit_of_measure_name: String,
    adjustment_unit_of_measure_abbreviation: String,
    adjustment_reason_name: String,
    adjustment_note: Option<String>,
    adjustment_date: DateTime<Utc>,
    packaged_date: DateTime<Utc>,
    adjusted_by_user_name: Option<String>,
    package_lab_test_result_expiration_date_time: Option<DateTime<Utc>>,
}

/// `GET /packages/v2/adjustments`: the facility's adjustment history, oldest first.
pub(crate) async fn adjustments(
    State(st): State<SandboxState>,
    c: Caller,
    q: ListQuery,
) -> Result<Json<Page<AdjustmentView>>, ApiError> {
    let license = c.facility(&q.license_number, perm::VIEW_PACKAGES)?;
    let midnight = |d: NaiveDate| d.and_time(NaiveTime::MIN).and_utc();
    let all = st.read(|s| {
        s.adjustments
            .iter()
            .filter_map(|a| {
                let p = s
                    .packages
                    .iter()
                    .find(|p| p.license == license && p.label == a.package_label)?;
                Some(AdjustmentView {
                    package_id: p.id,
                    package_label: a.package_label.clone(),
                    item_name: p.item.name.clone(),
                    item_category_name: p.item.product_category_name.clone(),
                    adjustment_quantity: a.adjustment_quantity,
                    adjustment_unit_of_measure_abbreviation: abbreviation(
                        &a.adjustment_unit_of_measure_name,
                    ),
                    adjustment_unit_of_measure_name: a.adjustment_unit_of_measure_name.clone(),
                    adjustment_reason_name: a.adjustment_reason_name.clone(),
                    adjustment_note: a.adjustment_note.clone(),
                    adjustment_date: midnight(a.adjustment_date),
                    packaged_date: midnight(p.packaged_date),
                    adjusted_by_user_name: a.adjusted_by_user_name.clone(),
                    package_lab_test_result_expiration_date_time: None,
                })
            })
            .collect()
    });
    Ok(Json(page(all, &q)?))
}

fn abbreviation(unit: &str) -> String {
    UNITS
        .iter()
        .find(|(_, n, _)| *n == unit)
        .map(|(_, _, a)| (*a).to_owned())
        .unwrap_or_default()
}

pub(crate) async fn packages_finish(
    State(st): State<SandboxState>,
    c: Caller,
    q: ListQuery,
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
    q: ListQuery,
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
