//! `GET /api/v1/audit/export?from=&to=&format=csv|jsonl`: every event in a time range, streamed
//! row by row from the database so memory stays constant however long the range.

use axum::{
    body::Body,
    extract::State,
    http::header,
    response::{IntoResponse, Response},
};
use chrono::{DateTime, NaiveDate, Utc};
use domain::{Event, EventKind};
use futures_util::StreamExt;
use serde::Deserialize;

use super::{error::QueryLater, session::CurrentUser, ApiError};
use crate::{auth::Role, store::EventStore, AppState};

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

fn reason_and_quantities(kind: &EventKind) -> (String, String) {
    let q = |v: Vec<String>| v.join(" ");
    match kind {
        EventKind::PackageReceived {
            package,
            adjust_reason,
            ..
        } => (
            adjust_reason
                .map(|r| r.label().to_owned())
                .unwrap_or_default(),
            package.quantity.to_string(),
        ),
        EventKind::PackageSplit {
            taken, children, ..
        } => (
            String::new(),
            q(std::iter::once(format!("-{taken}"))
                .chain(children.iter().map(|c| c.quantity.to_string()))
                .collect()),
        ),
        EventKind::PackagesMerged { package, .. } => (String::new(), package.quantity.to_string()),
        EventKind::PackageDestroyed {
            quantity, reason, ..
        } => (reason.label().to_owned(), format!("-{quantity}")),
        EventKind::PackageAdjusted { delta, reason, .. } => {
            (reason.label().to_owned(), delta.to_string())
        }
        EventKind::Sold { receipt } | EventKind::HoldFulfilled { receipt, .. } => (
            String::new(),
            q(receipt
                .lines
                .iter()
                .map(|l| format!("-{}", l.quantity))
                .collect()),
        ),
        EventKind::Returned {
            lines, disposition, ..
        } => (
            format!("{disposition:?}").to_lowercase(),
            q(lines.iter().map(|l| l.quantity.to_string()).collect()),
        ),
        EventKind::HoldPlaced { hold } => (
            String::new(),
            q(hold.lines.iter().map(|l| l.quantity.to_string()).collect()),
        ),
        EventKind::HoldReleased { lines, expired, .. } => (
            if *expired {
                "expired".into()
            } else {
                "cancelled".into()
            },
            q(lines.iter().map(|l| l.quantity.to_string()).collect()),
        ),
        EventKind::CountRecorded {
            expected, counted, ..
        } => (
            String::new(),
            format!("expected {expected} counted {counted}"),
        ),
        EventKind::PackagePlacedOnHold { reason, .. } => (reason.label().to_owned(), String::new()),
        EventKind::RelayChangeSettled {
            seq,
            decision,
            note,
        } => (
            match note {
                Some(n) => format!("change {seq} {}: {n}", decision.label()),
                None => format!("change {seq} {}", decision.label()),
            },
            String::new(),
        ),
        _ => (String::new(), String::new()),
    }
}

/// Turns a stored event into an export row.
pub fn audit_row(seq: i64, recorded_at: String, event: &Event) -> AuditRow {
    let (reason, quantities) = reason_and_quantities(&event.kind);
    AuditRow {
        seq,
        at: event
            .at
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        recorded_at,
        actor: event.actor.to_string(),
        device: event.device.to_string(),
        mutation_id: event.mutation_id.to_string(),
        event: event.kind.name().to_owned(),
        packages: event
            .kind
            .packages()
            .iter()
            .map(|p| p.to_string())
            .collect::<Vec<_>>()
            .join(" "),
        reason,
        quantities,
    }
}

const CSV_HEADER: &str =
    "seq,at,recorded_at,actor,device,mutation_id,event,packages,reason,quantities\n";

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
                yield Ok::<_, std::io::Error>(CSV_HEADER.to_owned());
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
