//! `/sales/v2/receipts`: record, update, list, read by id or by the store's number, archive.

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
    model::Receipt,
    paging::{modified_within, page, writable, write_created, write_empty, ListQuery},
    state::SandboxState,
};

pub(crate) async fn receipts_create(
    State(st): State<SandboxState>,
    c: Caller,
    Query(q): Query<ListQuery>,
    Json(body): Json<Vec<serde_json::Value>>,
) -> Result<Json<Ids>, ApiError> {
    let license = writable(&c, &q, perm::MANAGE_SALES, &body)?;
    write_created(&st, Op::Receipts { license, body }).await
}

pub(crate) async fn receipts_update(
    State(st): State<SandboxState>,
    c: Caller,
    Query(q): Query<ListQuery>,
    Json(body): Json<Vec<serde_json::Value>>,
) -> Result<StatusCode, ApiError> {
    let license = writable(&c, &q, perm::MANAGE_SALES, &body)?;
    write_empty(&st, Op::UpdateReceipts { license, body }).await
}

pub(crate) async fn receipts_list(
    st: SandboxState,
    c: Caller,
    q: ListQuery,
    active: bool,
) -> Result<Json<Page<Receipt>>, ApiError> {
    let license = c.facility(&q.license_number, perm::VIEW_SALES)?;
    let by_date = q.sales_date_start.is_some() || q.sales_date_end.is_some();
    if by_date && (q.last_modified_start.is_some() || q.last_modified_end.is_some()) {
        return Err(ApiError::BadRequest(
            "Specify either the sales date range or the last modified range, not both.".into(),
        ));
    }
    let all = st.read(|s| {
        s.receipts
            .iter()
            .filter(|r| r.license == license && r.archived_date.is_none() == active)
            .filter(|r| {
                let d = r.sales_date_time.date();
                q.sales_date_start.is_none_or(|s| d >= s) && q.sales_date_end.is_none_or(|e| d <= e)
            })
            .filter(|r| modified_within(r.last_modified, &q))
            .cloned()
            .collect()
    });
    Ok(Json(page(all, &q)?))
}

pub(crate) async fn receipts_active(
    State(st): State<SandboxState>,
    c: Caller,
    Query(q): Query<ListQuery>,
) -> Result<Json<Page<Receipt>>, ApiError> {
    receipts_list(st, c, q, true).await
}

pub(crate) async fn receipts_inactive(
    State(st): State<SandboxState>,
    c: Caller,
    Query(q): Query<ListQuery>,
) -> Result<Json<Page<Receipt>>, ApiError> {
    receipts_list(st, c, q, false).await
}

pub(crate) async fn receipt_show(
    State(st): State<SandboxState>,
    c: Caller,
    UrlPath(id): UrlPath<i64>,
    Query(q): Query<ListQuery>,
) -> Result<Json<Receipt>, ApiError> {
    let license = c.facility(&q.license_number, perm::VIEW_SALES)?;
    st.read(|s| {
        s.receipts
            .iter()
            .find(|r| r.id == id && r.license == license)
            .cloned()
    })
    .map(Json)
    .ok_or(ApiError::NotFound)
}

/// `GET /sales/v2/receipts/external/{number}`: how a retry learns whether a sale was recorded.
pub(crate) async fn receipt_external(
    State(st): State<SandboxState>,
    c: Caller,
    UrlPath(number): UrlPath<String>,
    Query(q): Query<ListQuery>,
) -> Result<Json<Receipt>, ApiError> {
    let license = c.facility(&q.license_number, perm::VIEW_SALES)?;
    st.read(|s| {
        s.receipts
            .iter()
            .find(|r| {
                r.license == license
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
    Query(q): Query<ListQuery>,
) -> Result<StatusCode, ApiError> {
    let license = c.facility(&q.license_number, perm::MANAGE_SALES)?;
    write_empty(&st, Op::ArchiveReceipt { license, id }).await
}
