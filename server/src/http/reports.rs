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
use chrono::NaiveDate;
use domain::report::{
    by_sku_from, drill_from, CompletenessReport, FigureEvent, HealthCanadaReport, Movement,
    ReportClass, Scope, SkuReport, AGCO_TABS,
};
use domain::wire::MarkSubmitted;
use serde::Deserialize;

use super::AppState;
use super::{
    error::{ErrorBody, QueryLater},
    session::CurrentUser,
    ApiError,
};
use crate::{
    auth::Role,
    reports::{
        files::{self, AgcoTab},
        ReportError, ReportKind, ReportStatus,
    },
    store::ReportStore,
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
    Ok(Json(state.reports.health_canada(month).await?).into_response())
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
    let (seqs, events) = state.reports.events().await?;
    let start = state.reports.start(&events, month).await;
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
    Ok(Json(state.reports.completeness(month).await?).into_response())
}

/// A CSV report as filed, for the browser to save.
async fn download(
    state: &AppState,
    kind: ReportKind,
    month: NaiveDate,
) -> Result<Response, ApiError> {
    let body = state.reports.filed(kind, month).await?;
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

/// Marks a generated report submitted to its regulator; from then on it is the month as filed.
/// Health Canada's report whose opening differs from the closing filed for the month before by
/// more than the tolerance is marked only with an explanation of the difference (Health Canada
/// refuses it otherwise, and asks for the correction to be flagged).
#[utoipa::path(post, path = "/api/v1/reports/{kind}/{month}/submitted", tag = "reports",
    params(("kind" = String, Path, description = "health_canada, metrc_completeness, agco, alberta or british_columbia"), ("month" = String, Path, description = "YYYY-MM")),
    request_body(content = Option<MarkSubmitted>, description = "Optional; `explanation` is needed when an opening is outside the tolerance"),
    responses((status = 204), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn report_submitted(
    State(state): State<AppState>,
    user: CurrentUser,
    axum::extract::Path((kind, month)): axum::extract::Path<(String, String)>,
    body: axum::body::Bytes,
) -> Result<axum::http::StatusCode, ApiError> {
    user.require(Role::Manager, "marking a report submitted")?;
    let kind = ReportKind::parse(&kind).ok_or_else(|| {
        ApiError::BadRequest(format!(
            "kind: \"{kind}\" is not one of {}",
            ReportKind::ALL.map(ReportKind::slug).join(", ")
        ))
    })?;
    let month = parse_month(&month)?;
    let explanation = explanation_in(&body)?;
    match state.store.report_status(kind, month).await?.as_deref() {
        None => {
            return Err(ApiError::Missing(format!(
                "the {} report for {} has not been generated; download it first",
                kind.slug(),
                month.format("%Y-%m")
            )))
        }
        // Filed stays as filed: marking it again changes nothing.
        Some("submitted") => return Ok(axum::http::StatusCode::NO_CONTENT),
        Some(_) => {}
    }
    if kind == ReportKind::HealthCanada && explanation.is_none() {
        let report = state.reports.health_canada(month).await?;
        let outside: Vec<String> = report
            .outside_tolerance()
            .map(|c| {
                format!(
                    "{}: opening {} against {} filed ({}%)",
                    c.class,
                    c.opening.normalize(),
                    c.previous_closing.normalize(),
                    c.difference_percent
                )
            })
            .collect();
        if !outside.is_empty() {
            return Err(ApiError::Conflict(format!(
                "the opening differs from the closing filed for {} by more than {}% in {}; explain the difference (the correction made in the class's other additions or reductions) to mark it submitted",
                report.compared_with.unwrap_or_default(),
                report.tolerance_percent.unwrap_or_default(),
                outside.join("; ")
            )));
        }
    }
    state
        .store
        .mark_submitted(kind, month, explanation.as_deref())
        .await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}

/// The explanation a mark-submitted body carries, checked as every free text is; none for an
/// empty body.
fn explanation_in(body: &[u8]) -> Result<Option<String>, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    let mark: MarkSubmitted = serde_json::from_slice(body).map_err(|e| {
        if e.is_data() {
            ApiError::InvalidBody(e.to_string())
        } else {
            ApiError::MalformedJson(e.to_string())
        }
    })?;
    let Some(text) = mark
        .explanation
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty())
    else {
        return Ok(None);
    };
    domain::text::check("explanation", &text, domain::text::MAX_NOTE)
        .map_err(|e| ApiError::InvalidBody(e.to_string()))?;
    Ok(Some(text))
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
    let tabs: Vec<AgcoTab> =
        serde_json::from_str(&state.reports.filed(ReportKind::Agco, month).await?)
            .map_err(ReportError::file)?;
    match xlsx {
        true => Ok(attachment(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            &format!("{stem}.xlsx"),
            files::workbook(&tabs, month)?,
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
                files::cells(&rows)?,
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
    let (_, events) = state.reports.events().await?;
    let start = state.reports.start(&events, month).await;
    Ok(Json(by_sku_from(&start, &events)))
}
