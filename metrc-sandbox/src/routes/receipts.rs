//! `/sales/v2/receipts`: record, update, finalize and unfinalize, list, read by id or by the
//! store's number, archive.

use axum::{
    extract::{Path as UrlPath, State},
    http::StatusCode,
    Json,
};
use metrc::wire::{perm, Ids, Page};

use crate::{
    auth::Caller,
    error::ApiError,
    journal::Op,
    model::Receipt,
    paging::{page, writable, write_created, write_empty, ListQuery},
    state::SandboxState,
};

pub(crate) async fn receipts_create(
    State(st): State<SandboxState>,
    c: Caller,
    q: ListQuery,
    Json(body): Json<Vec<serde_json::Value>>,
) -> Result<Json<Ids>, ApiError> {
    let license = writable(&c, &q, perm::MANAGE_SALES, &body)?;
    let by = c.user_name().to_owned();
    write_created(&st, Op::Receipts { license, body, by }).await
}

pub(crate) async fn receipts_update(
    State(st): State<SandboxState>,
    c: Caller,
    q: ListQuery,
    Json(body): Json<Vec<serde_json::Value>>,
) -> Result<StatusCode, ApiError> {
    let license = writable(&c, &q, perm::MANAGE_SALES, &body)?;
    let by = c.user_name().to_owned();
    write_empty(&st, Op::UpdateReceipts { license, body, by }).await
}

/// `PUT /sales/v2/receipts/finalize` and `/unfinalize`.
async fn finalize(
    st: SandboxState,
    c: Caller,
    q: ListQuery,
    body: Vec<serde_json::Value>,
    finalize: bool,
) -> Result<StatusCode, ApiError> {
    let license = writable(&c, &q, perm::MANAGE_SALES, &body)?;
    write_empty(
        &st,
        Op::FinalizeReceipts {
            license,
            body,
            finalize,
        },
    )
    .await
}

pub(crate) async fn receipts_finalize(
    State(st): State<SandboxState>,
    c: Caller,
    q: ListQuery,
    Json(body): Json<Vec<serde_json::Value>>,
) -> Result<StatusCode, ApiError> {
    finalize(st, c, q, body, true).await
}

pub(crate) async fn receipts_unfinalize(
    State(st): State<SandboxState>,
    c: Caller,
    q: ListQuery,
    Json(body): Json<Vec<serde_json::Value>>,
) -> Result<StatusCode, ApiError> {
    finalize(st, c, q, body, false).await
}

/// `GET /sales/v2/receipts/active` and `/inactive`. Inactive receipts are the finalized and the
/// archived (voided) ones (Metrc's bulletins; the shared regulator notes). A sales date range and
/// a last-modified window exclude each other: "If specified, also specifying any of the last
/// modified parameters will result in an error" (Metrc's documentation of these routes).
pub(crate) async fn receipts_list(
    st: SandboxState,
    c: Caller,
    q: ListQuery,
    active: bool,
) -> Result<Json<Page<Receipt>>, ApiError> {
    let license = c.facility(&q.license_number, perm::VIEW_SALES)?;
    if q.by_sales_date() && q.by_modified() {
        return Err(ApiError::BadRequest(
            "Specify either the sales date range or the last modified range, not both.".into(),
        ));
    }
    let window = q.modified()?;
    let (from, to) = q.sales_dates()?;
    let all = st.read(|s| {
        s.receipts
            .iter()
            .filter(|r| {
                let inactive = r.is_final || r.archived_date.is_some();
                r.license == license && inactive != active
            })
            .filter(|r| {
                from.is_none_or(|f| r.sales_date_time >= f)
                    && to.is_none_or(|t| r.sales_date_time <= t)
            })
            .filter(|r| window.holds(r.last_modified))
            .cloned()
            .collect()
    });
    Ok(Json(page(all, &q)?))
}

pub(crate) async fn receipts_active(
    State(st): State<SandboxState>,
    c: Caller,
    q: ListQuery,
) -> Result<Json<Page<Receipt>>, ApiError> {
    receipts_list(st, c, q, true).await
}

pub(crate) async fn receipts_inactive(
    State(st): State<SandboxState>,
    c: Caller,
    q: ListQuery,
) -> Result<Json<Page<Receipt>>, ApiError> {
    receipts_list(st, c, q, false).await
}

pub(crate) async fn receipt_show(
    State(st): State<SandboxState>,
    c: Caller,
    UrlPath(id): UrlPath<i64>,
    q: ListQuery,
) -> Result<Json<Receipt>, ApiError> {
    c.must_hold(perm::VIEW_SALES)?;
    let r = st
        .read(|s| s.receipts.iter().find(|r| r.id == id).cloned())
        .ok_or(ApiError::NotFound)?;
    c.may_see(&q.license_number, &r.license)?;
    Ok(Json(r))
}

/// `GET /sales/v2/receipts/external/{number}`: how a retry learns whether a sale was recorded;
/// `licenseNumber` optional (without it, any of the key's facilities).
pub(crate) async fn receipt_external(
    State(st): State<SandboxState>,
    c: Caller,
    UrlPath(number): UrlPath<String>,
    q: ListQuery,
) -> Result<Json<Receipt>, ApiError> {
    c.must_hold(perm::VIEW_SALES)?;
    if let Some(l) = &q.license_number {
        if !c.0.licenses.contains(l) {
            return Err(ApiError::Unauthorized);
        }
    }
    let mine = |l: &String| match &q.license_number {
        Some(asked) => l == asked,
        None => c.0.licenses.contains(l),
    };
    st.read(|s| {
        s.receipts
            .iter()
            .find(|r| {
                mine(&r.license)
                    && r.archived_date.is_none()
                    && r.external_receipt_number.as_deref() == Some(number.as_str())
            })
            .cloned()
    })
    .map(Json)
    .ok_or(ApiError::NotFound)
}

pub(crate) async fn receipt_delete(
    State(st): State<SandboxState>,
    c: Caller,
    UrlPath(id): UrlPath<i64>,
    q: ListQuery,
) -> Result<StatusCode, ApiError> {
    let license = c.facility(&q.license_number, perm::MANAGE_SALES)?;
    write_empty(&st, Op::ArchiveReceipt { license, id }).await
}
