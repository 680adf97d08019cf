//! The monthly reports (manager): Health Canada's retailer report (SOR/2019-202 s.5) with the
//! opening-vs-previous-closing check, Ontario's AGCO tabs, Alberta's and British Columbia's
//! reports and Metrc sync completeness, all computed from the ledger's events by
//! `domain::report`; a finished month's file is kept as generated and served with those bytes.

use axum::{
    extract::State,
    http::header,
    response::{IntoResponse, Response},
    Json,
};
use std::sync::Arc;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use domain::{
    report::{
        agco_tab, by_sku_from, drill_from, monthly_by_weight_from, monthly_from, opening_checks,
        to_csv, CompletenessReport, FigureEvent, HealthCanadaReport, Movement, PostingRow,
        ReportClass, Scope, SkuReport, AGCO_TABS,
    },
    Event,
};
use serde::{Deserialize, Serialize};

use super::{
    error::{ErrorBody, QueryLater},
    session::CurrentUser,
    ApiError,
};
use crate::{
    auth::Role,
    reports::{ReportKind, ReportStatus},
    store::{OutboxStore, ReportStore, RowState},
    AppState,
};

/// The report's query.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct ReportQuery {
    /// The month, `YYYY-MM`.
    pub month: String,
    /// `json` (default, with the checks) or `csv` (the report as filed).
    pub format: Option<String>,
}

/// Whether the query asks for the CSV as filed (else the JSON preview).
fn wants_csv(q: &ReportQuery) -> Result<bool, ApiError> {
    match q.format.as_deref() {
        None | Some("json") => Ok(false),
        Some("csv") => Ok(true),
        Some(other) => Err(ApiError::BadRequest(format!(
            "format: \"{other}\" is not json or csv"
        ))),
    }
}

fn parse_month(s: &str) -> Result<NaiveDate, ApiError> {
    NaiveDate::parse_from_str(&format!("{s}-01"), "%Y-%m-%d").map_err(|_| {
        ApiError::BadRequest(format!(
            "month: \"{s}\" is not a month; write it as YYYY-MM"
        ))
    })
}

/// The Health Canada monthly report.
#[utoipa::path(get, path = "/api/v1/reports/health-canada", tag = "reports", params(ReportQuery),
    responses((status = 200, body = HealthCanadaReport), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn health_canada_show(
    State(state): State<AppState>,
    user: CurrentUser,
    query: QueryLater<ReportQuery>,
) -> Result<Response, ApiError> {
    user.require(Role::Manager, "monthly reports")?;
    let q = query.parse()?;
    let month = parse_month(&q.month)?;
    let csv = wants_csv(&q)?;
    if csv {
        return download(&state, ReportKind::HealthCanada, month).await;
    }
    let (_, events) = ledger_events(&state).await?;
    let this = state.report_events.start(&events, month).await;
    let report = monthly_from(&this, &events);
    let before = domain::report::previous_month(month);
    let last = state.report_events.start(&events, before).await;
    let previous = monthly_from(&last, &events);
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

/// Which figure to drill into: a class's (federal and British Columbia reports) or a SKU's
/// (Ontario and Alberta).
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct DrillQuery {
    /// The month, `YYYY-MM`.
    pub month: String,
    /// The class (`dried`, `edible_solid`, ...); give this or `sku`.
    pub class: Option<String>,
    /// The SKU; give this or `class`.
    pub sku: Option<String>,
    /// The figure (`sold_in_store`, `added_received`, ...).
    pub figure: String,
}

/// The events behind one figure of a monthly report, for one class or one SKU; their
/// quantities (and kilograms) sum to it.
#[utoipa::path(get, path = "/api/v1/reports/health-canada/events", tag = "reports", params(DrillQuery),
    responses((status = 200, body = [FigureEvent]), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn health_canada_events(
    State(state): State<AppState>,
    user: CurrentUser,
    query: QueryLater<DrillQuery>,
) -> Result<Json<Vec<FigureEvent>>, ApiError> {
    user.require(Role::Manager, "monthly reports")?;
    let q = query.parse()?;
    let month = parse_month(&q.month)?;
    let figure: Movement = q
        .figure
        .parse()
        .map_err(|m: String| ApiError::BadRequest(format!("figure: {m}")))?;
    let scope = match (q.class.as_deref(), q.sku.as_deref()) {
        (Some(class), None) => Scope::Class(
            class
                .parse::<ReportClass>()
                .map_err(|m| ApiError::BadRequest(format!("class: {m}")))?,
        ),
        (None, Some(sku)) if !sku.trim().is_empty() => Scope::Sku(sku.trim()),
        (Some(_), Some(_)) => {
            return Err(ApiError::BadRequest(
                "class and sku: give one of them, not both".into(),
            ))
        }
        _ => {
            return Err(ApiError::BadRequest(
                "class or sku: say whose figure to follow".into(),
            ))
        }
    };
    let (seqs, events) = ledger_events(&state).await?;
    let start = state.report_events.start(&events, month).await;
    Ok(Json(
        drill_from(&start, &events, scope, figure)
            .into_iter()
            .map(|(i, c)| FigureEvent {
                seq: seqs[i],
                at: events[i].at,
                kind: events[i].kind.name().to_owned(),
                quantity: c.quantity.normalize(),
                value: c.value.round_dp(2),
                kg: c.kg.round_dp(6).normalize(),
            })
            .collect(),
    ))
}

/// Every event with its sequence, in ledger order.
async fn ledger_events(state: &AppState) -> Result<(Arc<Vec<i64>>, Arc<Vec<Event>>), ApiError> {
    Ok(state
        .report_events
        .read(&state.store)
        .await
        .map_err(anyhow::Error::from)?)
}

/// Regulator postings later than this are flagged.
pub const POSTING_LIMIT_HOURS: i64 = 24;

/// Metrc sync completeness for a month: every sale, return, adjustment, split, merge,
/// destruction and receipt with its regulator ids and posting delay, flagging any over 24 hours.
#[utoipa::path(get, path = "/api/v1/reports/metrc-completeness", tag = "reports", params(ReportQuery),
    responses((status = 200, body = CompletenessReport), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn completeness_show(
    State(state): State<AppState>,
    user: CurrentUser,
    query: QueryLater<ReportQuery>,
) -> Result<Response, ApiError> {
    user.require(Role::Manager, "monthly reports")?;
    let q = query.parse()?;
    let month = parse_month(&q.month)?;
    let csv = wants_csv(&q)?;
    if csv {
        return download(&state, ReportKind::MetrcCompleteness, month).await;
    }
    Ok(Json(completeness(&state, month).await?).into_response())
}

/// The month's postings, read from the outbox.
async fn completeness(state: &AppState, month: NaiveDate) -> Result<CompletenessReport, ApiError> {
    let config = state.ledger.view().await.state.config.clone();
    let from = domain::report::day_start_of(&config, month);
    let to = domain::report::day_start_of(&config, domain::report::next_month(month));
    // The `at` column holds the export's millisecond UTC form, which sorts as text.
    let rows = state
        .store
        .postings_between(
            &from.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            &to.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        )
        .await?;
    let now = Utc::now();
    let mut out = Vec::new();
    for r in rows {
        let at: DateTime<Utc> = DateTime::parse_from_rfc3339(&r.at)
            .map_err(anyhow::Error::from)?
            .with_timezone(&Utc);
        if at < from || at >= to {
            continue;
        }
        let posted_at = r
            .done_at
            .as_deref()
            .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
            .map(|t| t.with_timezone(&Utc))
            .filter(|_| r.state == RowState::Done);
        let delay = posted_at.unwrap_or(now) - at;
        out.push(PostingRow {
            seq: r.seq,
            at,
            kind: r.kind,
            regulator_ids: r
                .regulator_ids
                .as_deref()
                .and_then(|s| serde_json::from_str(s).ok())
                .unwrap_or_default(),
            posted_at,
            delay_minutes: delay.num_minutes().max(0),
            late: delay > chrono::Duration::hours(POSTING_LIMIT_HOURS),
            refusal: r.last_error.filter(|_| r.state == RowState::Parked),
            state: r.state.as_str().to_owned(),
        });
    }
    Ok(CompletenessReport {
        month,
        changes: out.len(),
        posted: out.iter().filter(|r| r.state == "done").count(),
        waiting: out
            .iter()
            .filter(|r| matches!(r.state.as_str(), "pending" | "sending" | "uncertain"))
            .count(),
        parked: out.iter().filter(|r| r.state == "parked").count(),
        late: out.iter().filter(|r| r.late).count(),
        rows: out,
    })
}

fn completeness_csv(report: &CompletenessReport) -> Result<String, ApiError> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "seq",
        "at",
        "kind",
        "state",
        "regulator_ids",
        "posted_at",
        "delay_minutes",
        "late",
        "refusal",
    ])
    .map_err(anyhow::Error::from)?;
    for r in &report.rows {
        w.write_record([
            r.seq.to_string(),
            r.at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            r.kind.clone(),
            r.state.clone(),
            r.regulator_ids
                .iter()
                .map(i64::to_string)
                .collect::<Vec<_>>()
                .join(" "),
            r.posted_at
                .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
                .unwrap_or_default(),
            r.delay_minutes.to_string(),
            if r.late { "late".into() } else { String::new() },
            r.refusal.clone().unwrap_or_default(),
        ])
        .map_err(anyhow::Error::from)?;
    }
    let body = w.into_inner().map_err(|e| anyhow::anyhow!("{e}"))?;
    String::from_utf8(body).map_err(|e| ApiError::Internal(e.into()))
}

/// A report's CSV as of now, computed from the ledger and the outbox.
pub async fn generate(
    state: &AppState,
    kind: ReportKind,
    month: NaiveDate,
) -> Result<String, ApiError> {
    let body = match kind {
        ReportKind::MetrcCompleteness => completeness_csv(&completeness(state, month).await?)?,
        _ => {
            let (_, events) = ledger_events(state).await?;
            let start = state.report_events.start(&events, month).await;
            match kind {
                ReportKind::Agco => {
                    let report = by_sku_from(&start, &events);
                    let tabs: Vec<AgcoTab> = AGCO_TABS
                        .iter()
                        .map(|t| AgcoTab {
                            name: (*t).to_owned(),
                            rows: agco_tab(&report, t).unwrap_or_default(),
                        })
                        .collect();
                    serde_json::to_string(&tabs).map_err(anyhow::Error::from)?
                }
                ReportKind::Alberta => {
                    cells(&domain::report::alberta_rows(&by_sku_from(&start, &events)))?
                }
                ReportKind::BritishColumbia => cells(&domain::report::british_columbia_rows(
                    &monthly_by_weight_from(&start, &events),
                ))?,
                _ => to_csv(&monthly_from(&start, &events)),
            }
        }
    };
    // A finished month is kept as generated, so it is filed with exactly these bytes.
    let current = domain::report::next_month(crate::reports::previous_store_month(
        &state.ledger.view().await.state,
    ));
    if month < current {
        state.store.keep_report(kind, month, &body).await?;
    }
    Ok(body)
}

/// One AGCO tab as kept: its name and its rows of cells, header first.
#[derive(Debug, Serialize, Deserialize)]
struct AgcoTab {
    name: String,
    rows: Vec<Vec<String>>,
}

/// The report as filed: the kept bytes of a generated month, or this month's draft computed
/// now; either way marked downloaded.
async fn filed(state: &AppState, kind: ReportKind, month: NaiveDate) -> Result<String, ApiError> {
    let body = match state.store.report_body(kind, month).await? {
        Some(b) => b,
        None => generate(state, kind, month).await?,
    };
    state.store.mark_report(kind, month, false).await?;
    Ok(body)
}

/// A CSV report as filed, for the browser to save.
async fn download(
    state: &AppState,
    kind: ReportKind,
    month: NaiveDate,
) -> Result<Response, ApiError> {
    let body = filed(state, kind, month).await?;
    let name = format!(
        "{}-{}.csv",
        kind.slug().replace('_', "-"),
        month.format("%Y-%m")
    );
    Ok(attachment(CSV, &name, body))
}

/// Every generated report and where it stands.
#[utoipa::path(get, path = "/api/v1/reports", tag = "reports",
    responses((status = 200, body = [ReportStatus]), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn reports_index(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<Vec<ReportStatus>>, ApiError> {
    user.require(Role::Manager, "monthly reports")?;
    Ok(Json(state.store.reports().await?))
}

/// Marks a generated report submitted to its regulator.
#[utoipa::path(post, path = "/api/v1/reports/{kind}/{month}/submitted", tag = "reports",
    params(("kind" = String, Path, description = "health_canada, metrc_completeness, agco, alberta or british_columbia"), ("month" = String, Path, description = "YYYY-MM")),
    responses((status = 204), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn report_submitted(
    State(state): State<AppState>,
    user: CurrentUser,
    axum::extract::Path((kind, month)): axum::extract::Path<(String, String)>,
) -> Result<axum::http::StatusCode, ApiError> {
    user.require(Role::Manager, "marking a report submitted")?;
    let kind = ReportKind::parse(&kind).ok_or_else(|| {
        ApiError::BadRequest(format!(
            "kind: \"{kind}\" is not one of {}",
            ReportKind::ALL.map(ReportKind::slug).join(", ")
        ))
    })?;
    let month = parse_month(&month)?;
    if !state.store.mark_report(kind, month, true).await? {
        return Err(ApiError::Missing(format!(
            "the {} report for {} has not been generated; download it first",
            kind.slug(),
            month.format("%Y-%m")
        )));
    }
    Ok(axum::http::StatusCode::NO_CONTENT)
}

/// The AGCO report's query.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct AgcoQuery {
    /// The month, `YYYY-MM`.
    pub month: String,
    /// `xlsx` (default: every tab in one workbook) or `csv` (one tab).
    pub format: Option<String>,
    /// For CSV, the tab: Federal, Monthly Sales, Inventory Adjustments, Destructions,
    /// Inter-Store Transfer - Incoming or Inter-Store Transfer - Outgoing.
    pub tab: Option<String>,
}

fn cells(rows: &[Vec<String>]) -> Result<String, ApiError> {
    let mut w = csv::Writer::from_writer(Vec::new());
    for r in rows {
        w.write_record(r).map_err(anyhow::Error::from)?;
    }
    let body = w.into_inner().map_err(|e| anyhow::anyhow!("{e}"))?;
    String::from_utf8(body).map_err(|e| ApiError::Internal(e.into()))
}

/// The workbook of the kept tabs. Its document date is the month's end, not the moment it is
/// rendered, so the same month gives the same bytes.
fn workbook(tabs: &[AgcoTab], month: NaiveDate) -> Result<Vec<u8>, ApiError> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let end = domain::report::next_month(month);
    let date = rust_xlsxwriter::ExcelDateTime::from_ymd(
        u16::try_from(end.year()).unwrap_or(1900),
        end.month() as u8,
        1,
    )
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    book.set_properties(
        &rust_xlsxwriter::DocProperties::new()
            .set_title(format!(
                "AGCO integrated retail report {}",
                month.format("%Y-%m")
            ))
            .set_creation_datetime(&date),
    );
    let bold = rust_xlsxwriter::Format::new().set_bold();
    for tab in tabs {
        let rows = &tab.rows;
        let sheet = book.add_worksheet();
        // Excel caps sheet names at 31 characters.
        sheet
            .set_name(tab.name.chars().take(31).collect::<String>())
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        for (r, row) in rows.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                let (r, c) = (r as u32, c as u16);
                let done = match (r, v.parse::<f64>()) {
                    (0, _) => sheet.write_string_with_format(r, c, v, &bold),
                    (_, Ok(x)) if c >= 3 && !v.is_empty() => sheet.write_number(r, c, x),
                    _ => sheet.write_string(r, c, v),
                };
                done.map_err(|e| anyhow::anyhow!("{e}"))?;
            }
        }
    }
    book.save_to_buffer()
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("{e}")))
}

/// The Ontario AGCO integrated retail report per SKU-UPC in eaches: every tab as one XLSX
/// workbook, or one tab as CSV. Headings follow the regulation's fields; the AGCO template's
/// exact headings are not confirmed.
#[utoipa::path(get, path = "/api/v1/reports/agco", tag = "reports", params(AgcoQuery),
    responses((status = 200, description = "XLSX workbook or CSV tab"), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn agco_show(
    State(state): State<AppState>,
    user: CurrentUser,
    query: QueryLater<AgcoQuery>,
) -> Result<Response, ApiError> {
    user.require(Role::Manager, "monthly reports")?;
    let q = query.parse()?;
    let month = parse_month(&q.month)?;
    let stem = format!("agco-{}", month.format("%Y-%m"));
    let xlsx = match q.format.as_deref() {
        None | Some("xlsx") => true,
        Some("csv") => false,
        Some(other) => {
            return Err(ApiError::BadRequest(format!(
                "format: \"{other}\" is not xlsx or csv"
            )))
        }
    };
    let tab = q.tab.as_deref().unwrap_or("Federal");
    if !xlsx && !AGCO_TABS.contains(&tab) {
        return Err(ApiError::BadRequest(format!(
            "tab: \"{tab}\" is not one of {}",
            AGCO_TABS.join(", ")
        )));
    }
    let tabs: Vec<AgcoTab> = serde_json::from_str(&filed(&state, ReportKind::Agco, month).await?)
        .map_err(anyhow::Error::from)?;
    match xlsx {
        true => Ok(attachment(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            &format!("{stem}.xlsx"),
            workbook(&tabs, month)?,
        )),
        false => {
            let rows = tabs
                .iter()
                .find(|t| t.name == tab)
                .map(|t| t.rows.clone())
                .unwrap_or_default();
            let slug = domain::report::agco_tab_slug(tab);
            Ok(attachment(
                CSV,
                &format!("{stem}-{slug}.csv"),
                cells(&rows)?,
            ))
        }
    }
}

/// Content type of every CSV report.
const CSV: &str = "text/csv; charset=utf-8";

/// A report file for the browser to save under `name`.
fn attachment(content_type: &str, name: &str, body: impl IntoResponse) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        body,
    )
        .into_response()
}

/// Alberta's monthly report per AGLC SKU (units and book value), as CSV.
#[utoipa::path(get, path = "/api/v1/reports/alberta", tag = "reports", params(ReportQuery),
    responses((status = 200, content_type = "text/csv", description = "One row per SKU"), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn alberta_show(
    State(state): State<AppState>,
    user: CurrentUser,
    query: QueryLater<ReportQuery>,
) -> Result<Response, ApiError> {
    user.require(Role::Manager, "monthly reports")?;
    let q = query.parse()?;
    download(&state, ReportKind::Alberta, parse_month(&q.month)?).await
}

/// British Columbia's weight-based monthly report (kilograms per class and movement), as CSV.
#[utoipa::path(get, path = "/api/v1/reports/british-columbia", tag = "reports", params(ReportQuery),
    responses((status = 200, content_type = "text/csv", description = "One row per class"), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn british_columbia_show(
    State(state): State<AppState>,
    user: CurrentUser,
    query: QueryLater<ReportQuery>,
) -> Result<Response, ApiError> {
    user.require(Role::Manager, "monthly reports")?;
    let q = query.parse()?;
    download(&state, ReportKind::BritishColumbia, parse_month(&q.month)?).await
}

/// The month per SKU, as the Ontario and Alberta reports carry it, for the preview; each
/// figure drills down with `sku`.
#[utoipa::path(get, path = "/api/v1/reports/skus", tag = "reports", params(ReportQuery),
    responses((status = 200, body = SkuReport), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn skus_show(
    State(state): State<AppState>,
    user: CurrentUser,
    query: QueryLater<ReportQuery>,
) -> Result<Json<SkuReport>, ApiError> {
    user.require(Role::Manager, "monthly reports")?;
    let q = query.parse()?;
    let month = parse_month(&q.month)?;
    let (_, events) = ledger_events(&state).await?;
    let start = state.report_events.start(&events, month).await;
    Ok(Json(by_sku_from(&start, &events)))
}
