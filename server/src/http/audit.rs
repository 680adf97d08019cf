//! `GET /api/v1/audit/export?from=&to=&format=csv|jsonl`: every event in a time range, streamed
//! row by row from the database so memory stays constant however long the range.

use axum::{
    body::Body,
    extract::State,
    http::header,
    response::{IntoResponse, Response},
};
use chrono::{DateTime, NaiveDate, Utc};
use futures_util::StreamExt;
use serde::Deserialize;

use super::AppState;
use super::{error::QueryLater, session::CurrentUser, ApiError};
use crate::{auth::Role, store::EventStore};

/// Export formats.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// Comma-separated values with a header row.
    Csv,
    /// One JSON object per line.
    Jsonl,
}

/// The export's query.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct ExportQuery {
    /// First instant (RFC 3339) or day (YYYY-MM-DD, from its start, UTC), inclusive.
    pub from: String,
    /// Last instant or day, exclusive for instants, inclusive for days.
    pub to: String,
    /// `csv` (default) or `jsonl`.
    pub format: Option<Format>,
}

fn parse_bound(s: &str, end: bool) -> Result<DateTime<Utc>, ApiError> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(t.with_timezone(&Utc));
    }
    let day = NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| {
        ApiError::BadRequest(format!(
            "\"{s}\" is neither a date (YYYY-MM-DD) nor an RFC 3339 time"
        ))
    })?;
    let day = if end {
        day.succ_opt().unwrap_or(day)
    } else {
        day
    };
    Ok(day.and_hms_opt(0, 0, 0).expect("midnight exists").and_utc())
}

pub use domain::wire::AuditRow;

/// Streams the export from the audit columns stored with each event.
#[utoipa::path(get, path = "/api/v1/audit/export", tag = "audit", params(ExportQuery),
    responses((status = 200, content_type = "text/csv", description = "CSV with a header row, or JSON lines of AuditRow"),
        (status = 400, body = super::error::ErrorBody), (status = 401, body = super::error::ErrorBody), (status = 403, body = super::error::ErrorBody)))]
pub async fn audit_export(
    State(state): State<AppState>,
    user: CurrentUser,
    query: QueryLater<ExportQuery>,
) -> Result<Response, ApiError> {
    user.require(Role::Manager, "the audit export")?;
    let q = query.parse()?;
    let from = parse_bound(&q.from, false)?;
    let to = parse_bound(&q.to, true)?;
    if to < from {
        return Err(ApiError::BadRequest("`to` is before `from`".into()));
    }
    let format = q.format.unwrap_or(Format::Csv);
    let store = state.store.clone();
    let fmt_t = |t: DateTime<Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let (from_s, to_s) = (fmt_t(from), fmt_t(to));
    // Told up front so a browser can show how far the streamed export has come.
    let count = store.count_between(&from_s, &to_s).await?;
    let body = async_stream::stream! {
        match format {
            Format::Csv => {
                yield Ok::<_, std::io::Error>(format!("{}\n", AuditRow::COLUMNS.join(",")));
                // Keyset pages of CSV text built by the database: memory stays flat.
                let mut after: i64 = 0;
                loop {
                    let page = match store.audit_csv_page(after, &from_s, &to_s).await {
                        Ok(p) => p,
                        Err(e) => { yield Err(std::io::Error::other(e)); return; }
                    };
                    if page.rows == 0 {
                        break;
                    }
                    after = page.last_seq;
                    yield Ok(page.text);
                }
            }
            Format::Jsonl => {
                let mut rows = store.audit_rows(&from_s, &to_s);
                let mut chunk = String::with_capacity(64 * 1024);
                while let Some(row) = rows.next().await {
                    let line = row.map_err(std::io::Error::other).and_then(|r| {
                        serde_json::to_string(&r).map_err(std::io::Error::other)
                    });
                    match line {
                        Ok(l) => {
                            chunk.push_str(&l);
                            chunk.push('\n');
                        }
                        Err(e) => { yield Err(e); return; }
                    }
                    if chunk.len() >= 60 * 1024 {
                        yield Ok(std::mem::replace(&mut chunk, String::with_capacity(64 * 1024)));
                    }
                }
                if !chunk.is_empty() {
                    yield Ok(chunk);
                }
            }
        }
    };
    let (ctype, ext) = match format {
        Format::Csv => ("text/csv; charset=utf-8", "csv"),
        Format::Jsonl => ("application/x-ndjson", "jsonl"),
    };
    let filename = format!("pistil-audit-{}-{}.{ext}", &q.from, &q.to);
    Ok((
        [
            (header::CONTENT_TYPE, ctype.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
            (
                header::HeaderName::from_static("x-event-count"),
                count.to_string(),
            ),
        ],
        Body::from_stream(body),
    )
        .into_response())
}
