//! Query parameters of list routes, Metrc's v2 page envelope, and the checks every write makes
//! before it is applied.

use std::time::Duration;

use axum::{http::StatusCode, Json};
use chrono::{DateTime, NaiveDate, Utc};
use metrc::wire::{Ids, Page, MAX_OBJECTS, MAX_PAGE_SIZE};
use serde::Deserialize;

use crate::{auth::Caller, error::ApiError, journal::Op, state::SandboxState};

/// Query parameters Metrc list endpoints take.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListQuery {
    pub(crate) license_number: Option<String>,
    pub(crate) page_number: Option<usize>,
    pub(crate) page_size: Option<usize>,
    pub(crate) last_modified_start: Option<DateTime<chrono::FixedOffset>>,
    pub(crate) last_modified_end: Option<DateTime<chrono::FixedOffset>>,
    pub(crate) sales_date_start: Option<NaiveDate>,
    pub(crate) sales_date_end: Option<NaiveDate>,
}

pub(crate) fn page<T: Clone>(all: Vec<T>, q: &ListQuery) -> Result<Page<T>, ApiError> {
    let total = all.len();
    // Pagination is off unless a page size is given; then it may not exceed 20.
    let size = match q.page_size {
        None => total.max(1),
        Some(s) if s == 0 || s > MAX_PAGE_SIZE => {
            return Err(ApiError::BadRequest(format!(
                "pageSize must be between 1 and {MAX_PAGE_SIZE}."
            )))
        }
        Some(s) => s,
    };
    let number = q.page_number.unwrap_or(1).max(1);
    let data: Vec<T> = all
        .into_iter()
        .skip((number - 1) * size)
        .take(size)
        .collect();
    Ok(Page {
        records_on_page: data.len(),
        data,
        total,
        total_records: total,
        page_size: size,
        page: number,
        current_page: number,
        total_pages: total.div_ceil(size),
    })
}

pub(crate) fn modified_within(t: DateTime<Utc>, q: &ListQuery) -> bool {
    q.last_modified_start.is_none_or(|s| t >= s) && q.last_modified_end.is_none_or(|e| t <= e)
}

/// The facility a write acts for, once the key may write there and the body is small enough.
pub(crate) fn writable<T>(
    c: &Caller,
    q: &ListQuery,
    permission: &str,
    body: &[T],
) -> Result<String, ApiError> {
    let license = c.facility(&q.license_number, permission)?;
    if body.len() > MAX_OBJECTS {
        return Err(ApiError::TooLarge);
    }
    Ok(license)
}

/// After a write commits, maybe never answer: the caller sees a timeout, the write stands.
pub(crate) async fn maybe_drop(st: &SandboxState) {
    if st.take_drop_next() || st.roll(|f| f.commit_then_drop_percent) {
        tokio::time::sleep(Duration::from_secs(3600)).await;
    }
}

pub(crate) async fn write_created(st: &SandboxState, op: Op) -> Result<Json<Ids>, ApiError> {
    let ids = st.write(op).await?;
    maybe_drop(st).await;
    Ok(Json(Ids {
        ids,
        warnings: None,
    }))
}

pub(crate) async fn write_empty(st: &SandboxState, op: Op) -> Result<StatusCode, ApiError> {
    st.write(op).await?;
    maybe_drop(st).await;
    Ok(StatusCode::OK)
}
