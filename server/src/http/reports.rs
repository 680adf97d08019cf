//! `GET /api/v1/reports/health-canada?month=YYYY-MM&format=json|csv` (manager): the Health Canada
//! tracking-system retailer report for a store month (SOR/2019-202 s.5), computed from the
//! ledger's events by `domain::report`, with the opening-vs-previous-closing check shown before
//! submission.

use axum::{
    extract::{Query, State},
    http::header,
    response::{IntoResponse, Response},
    Json,
};
use chrono::NaiveDate;
use domain::{
    report::{
        drill, monthly, opening_checks, to_csv, FigureEvent, HealthCanadaReport, Movement,
        ReportClass,
    },
    Event,
};
use serde::Deserialize;
use sqlx::Row;

use super::{error::ErrorBody, session::CurrentUser, ApiError};
use crate::{auth::Role, AppState};

/// The report's query.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct ReportQuery {
    /// The month, `YYYY-MM`.
    pub month: String,
    /// `json` (default, with the checks) or `csv` (the report as filed).
    pub format: Option<String>,
}

fn parse_month(s: &str) -> Result<NaiveDate, ApiError> {
    NaiveDate::parse_from_str(&format!("{s}-01"), "%Y-%m-%d").map_err(|_| {
        ApiError::BadRequest(format!(
            "month: \"{s}\" is not a month; write it as YYYY-MM"
        ))
    })
}

fn previous_month(m: NaiveDate) -> NaiveDate {
    use chrono::Datelike;
    if m.month() == 1 {
        NaiveDate::from_ymd_opt(m.year() - 1, 12, 1).expect("december")
    } else {
        NaiveDate::from_ymd_opt(m.year(), m.month() - 1, 1).expect("first of month")
    }
}

/// The Health Canada monthly report.
#[utoipa::path(get, path = "/api/v1/reports/health-canada", tag = "reports", params(ReportQuery),
    responses((status = 200, body = HealthCanadaReport), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn health_canada_show(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<ReportQuery>,
) -> Result<Response, ApiError> {
    user.require(Role::Manager, "monthly reports")?;
    let month = parse_month(&q.month)?;
    let csv = match q.format.as_deref() {
        None | Some("json") => false,
        Some("csv") => true,
        Some(other) => {
            return Err(ApiError::BadRequest(format!(
                "format: \"{other}\" is not json or csv"
            )))
        }
    };
    let (_, events) = ledger_events(&state).await?;
    let report = monthly(&events, month);
    if csv {
        let name = format!("health-canada-{}.csv", month.format("%Y-%m"));
        return Ok((
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{name}\""),
                ),
            ],
            to_csv(&report),
        )
            .into_response());
    }
    let previous = monthly(&events, previous_month(month));
    let tolerance = state
        .ledger
        .view()
        .await
        .state
        .config
        .jurisdiction
        .report_opening_tolerance_percent;
    let opening_checks = opening_checks(&report, &previous, tolerance);
    Ok(Json(HealthCanadaReport {
        report,
        tolerance_percent: tolerance,
        opening_checks,
        notes: vec![
            "Movements and closing are numbers of products; loose product sold by weight is counted in its unit (grams).".into(),
            "Extracts and vapes report under class 7 (inhalation); extracts for ingestion (class 8) are not told apart yet.".into(),
            "Sales to other licensed sellers (s.5(1)(d)(iii)) and returns to suppliers do not occur in this store's ledger and report as 0.".into(),
            "Provincial column layouts for CTLS upload are unconfirmed; the columns follow the regulation's fields in order.".into(),
        ],
    })
    .into_response())
}

/// Which figure to drill into.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct DrillQuery {
    /// The month, `YYYY-MM`.
    pub month: String,
    /// The class (`dried`, `edible_solid`, ...).
    pub class: String,
    /// The figure (`sold_in_store`, `added_received`, ...).
    pub figure: String,
}

/// The events behind one figure of the monthly report; their quantities sum to it.
#[utoipa::path(get, path = "/api/v1/reports/health-canada/events", tag = "reports", params(DrillQuery),
    responses((status = 200, body = [FigureEvent]), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn health_canada_events(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<DrillQuery>,
) -> Result<Json<Vec<FigureEvent>>, ApiError> {
    user.require(Role::Manager, "monthly reports")?;
    let month = parse_month(&q.month)?;
    let class: ReportClass = q
        .class
        .parse()
        .map_err(|m: String| ApiError::BadRequest(format!("class: {m}")))?;
    let figure: Movement = q
        .figure
        .parse()
        .map_err(|m: String| ApiError::BadRequest(format!("figure: {m}")))?;
    let (seqs, events) = ledger_events(&state).await?;
    Ok(Json(
        drill(&events, month, class, figure)
            .into_iter()
            .map(|(i, c)| FigureEvent {
                seq: seqs[i],
                at: events[i].at,
                kind: events[i].kind.name().to_owned(),
                quantity: c.quantity.normalize(),
                value: c.value.round_dp(2),
            })
            .collect(),
    ))
}

/// Every event with its sequence, in ledger order.
async fn ledger_events(state: &AppState) -> Result<(Vec<i64>, Vec<Event>), ApiError> {
    let rows = sqlx::query("SELECT seq, body FROM events ORDER BY seq")
        .fetch_all(state.store.pool())
        .await?;
    let mut seqs = Vec::with_capacity(rows.len());
    let mut events = Vec::with_capacity(rows.len());
    for r in rows {
        seqs.push(r.get::<i64, _>(0));
        events.push(
            serde_json::from_str::<Event>(&r.get::<String, _>(1)).map_err(anyhow::Error::from)?,
        );
    }
    Ok((seqs, events))
}
