//! Query parameters of list routes, Metrc's v2 page envelope, and the checks every write makes
//! before it is applied.

use std::time::Duration;

use axum::{
    extract::{FromRequestParts, Query},
    http::{request::Parts, StatusCode},
    Json,
};
use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, Utc};
use metrc::wire::{Ids, Page, MAX_OBJECTS, MAX_PAGE_SIZE};
use serde::Deserialize;

use crate::{auth::Caller, error::ApiError, journal::Op, state::SandboxState};

/// Query parameters Metrc's routes take, kept as sent: each route reads the ones its
/// documentation lists (a window on a route that takes none is ignored, as Metrc ignores unknown
/// parameters), and a value that does not parse is a 400 in Metrc's shape naming the parameter.
#[derive(Debug, Default)]
pub struct ListQuery {
    pub(crate) license_number: Option<String>,
    page_number: Option<String>,
    page_size: Option<String>,
    last_modified_start: Option<String>,
    last_modified_end: Option<String>,
    sales_date_start: Option<String>,
    sales_date_end: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawQuery {
    license_number: Option<String>,
    page_number: Option<String>,
    page_size: Option<String>,
    last_modified_start: Option<String>,
    last_modified_end: Option<String>,
    sales_date_start: Option<String>,
    sales_date_end: Option<String>,
}

impl<S: Send + Sync> FromRequestParts<S> for ListQuery {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        let Query(raw) = Query::<RawQuery>::try_from_uri(&parts.uri)
            .map_err(|e| ApiError::BadRequest(format!("The query string is not valid: {e}.")))?;
        // An empty value is no value, as ASP.NET reads `?lastModifiedEnd=`.
        let some = |v: Option<String>| v.filter(|v| !v.trim().is_empty());
        Ok(ListQuery {
            license_number: some(raw.license_number),
            page_number: some(raw.page_number),
            page_size: some(raw.page_size),
            last_modified_start: some(raw.last_modified_start),
            last_modified_end: some(raw.last_modified_end),
            sales_date_start: some(raw.sales_date_start),
            sales_date_end: some(raw.sales_date_end),
        })
    }
}

/// The longest `lastModifiedStart`..`lastModifiedEnd` window Metrc serves.
pub const MAX_WINDOW: TimeDelta = TimeDelta::hours(24);

/// A last-modified window, both ends included.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Window(Option<(DateTime<Utc>, DateTime<Utc>)>);

impl Window {
    /// Whether `t` falls in the window (always, when none was asked for).
    pub(crate) fn holds(&self, t: DateTime<Utc>) -> bool {
        self.0.is_none_or(|(s, e)| s <= t && t <= e)
    }
}

/// A timestamp as Metrc reads one: ISO 8601 with an offset, or without one (read as UTC), or a
/// bare date (its midnight, UTC).
fn timestamp(name: &str, v: &str) -> Result<DateTime<Utc>, ApiError> {
    if let Ok(t) = DateTime::parse_from_rfc3339(v) {
        return Ok(t.with_timezone(&Utc));
    }
    if let Ok(t) = NaiveDateTime::parse_from_str(v, "%Y-%m-%dT%H:%M:%S%.f") {
        return Ok(t.and_utc());
    }
    if let Ok(d) = NaiveDate::parse_from_str(v, "%Y-%m-%d") {
        return Ok(d.and_time(NaiveTime::MIN).and_utc());
    }
    // A '+' sent unencoded arrives as a space: say so, as that is nearly always the cause.
    let hint = if v.contains(' ') {
        " (a '+' in an offset must be sent as %2B)"
    } else {
        ""
    };
    Err(ApiError::BadRequest(format!(
        "{name} is not a valid date and time: {v}{hint}."
    )))
}

/// A sales-date bound: a date-time as sent (facility-local, as sales are recorded), or a bare
/// date, which covers that whole day.
fn sales_bound(name: &str, v: &str, end: bool) -> Result<NaiveDateTime, ApiError> {
    if let Ok(d) = NaiveDate::parse_from_str(v, "%Y-%m-%d") {
        return Ok(if end {
            d.and_hms_milli_opt(23, 59, 59, 999).expect("valid time")
        } else {
            d.and_time(NaiveTime::MIN)
        });
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(v) {
        return Ok(t.naive_local());
    }
    NaiveDateTime::parse_from_str(v, "%Y-%m-%dT%H:%M:%S%.f")
        .map_err(|_| ApiError::BadRequest(format!("{name} is not a valid date: {v}.")))
}

impl ListQuery {
    /// The `lastModifiedStart`..`lastModifiedEnd` window: both or neither, start not after end,
    /// at most [`MAX_WINDOW`] long.
    pub(crate) fn modified(&self) -> Result<Window, ApiError> {
        let start = self
            .last_modified_start
            .as_deref()
            .map(|v| timestamp("lastModifiedStart", v))
            .transpose()?;
        let end = self
            .last_modified_end
            .as_deref()
            .map(|v| timestamp("lastModifiedEnd", v))
            .transpose()?;
        match (start, end) {
            (None, None) => Ok(Window(None)),
            (Some(s), Some(e)) if s > e => Err(ApiError::BadRequest(
                "lastModifiedStart must not be after lastModifiedEnd.".into(),
            )),
            (Some(s), Some(e)) if e - s > MAX_WINDOW => Err(ApiError::BadRequest(
                "The time period between lastModifiedStart and lastModifiedEnd cannot exceed 24 hours."
                    .into(),
            )),
            (Some(s), Some(e)) => Ok(Window(Some((s, e)))),
            _ => Err(ApiError::BadRequest(
                "lastModifiedStart and lastModifiedEnd must be given together.".into(),
            )),
        }
    }

    /// Whether a sales date range was asked for.
    pub(crate) fn by_sales_date(&self) -> bool {
        self.sales_date_start.is_some() || self.sales_date_end.is_some()
    }

    /// Whether a last-modified window was asked for.
    pub(crate) fn by_modified(&self) -> bool {
        self.last_modified_start.is_some() || self.last_modified_end.is_some()
    }

    /// The `salesDateStart`..`salesDateEnd` range, either end open.
    pub(crate) fn sales_dates(
        &self,
    ) -> Result<(Option<NaiveDateTime>, Option<NaiveDateTime>), ApiError> {
        let start = self
            .sales_date_start
            .as_deref()
            .map(|v| sales_bound("salesDateStart", v, false))
            .transpose()?;
        let end = self
            .sales_date_end
            .as_deref()
            .map(|v| sales_bound("salesDateEnd", v, true))
            .transpose()?;
        Ok((start, end))
    }

    fn number(name: &str, v: &Option<String>) -> Result<Option<usize>, ApiError> {
        v.as_deref()
            .map(|v| {
                v.trim().parse::<usize>().map_err(|_| {
                    ApiError::BadRequest(format!("{name} must be a whole number, got {v}."))
                })
            })
            .transpose()
    }
}

pub(crate) fn page<T: Clone>(all: Vec<T>, q: &ListQuery) -> Result<Page<T>, ApiError> {
    let total = all.len();
    // Pagination is off unless a page size is given; then it may not exceed 20.
    let size = match ListQuery::number("pageSize", &q.page_size)? {
        None => total.max(1),
        Some(s) if s == 0 || s > MAX_PAGE_SIZE => {
            return Err(ApiError::BadRequest(format!(
                "pageSize must be between 1 and {MAX_PAGE_SIZE}."
            )))
        }
        Some(s) => s,
    };
    let number = ListQuery::number("pageNumber", &q.page_number)?
        .unwrap_or(1)
        .max(1);
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
