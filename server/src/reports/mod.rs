//! Monthly reports as filed: generated from the ledger on the 1st of each month by the server's
//! own scheduler (in the store's time zone, the reports its jurisdiction expects) or on demand,
//! kept as the exact bytes generated, with a status a manager moves along (generated,
//! downloaded, submitted). The figures are `domain::report`'s; this module reads what they are
//! computed from and keeps what they give.

mod events;
pub mod files;

use std::{sync::Arc, time::Duration};

use chrono::{DateTime, NaiveDate, Utc};
pub use domain::report::{ReportKind, ReportStatus};
use domain::{
    report::{
        agco_tab, by_sku_from, filed_closings, monthly_by_weight_from, monthly_from,
        opening_checks, to_csv, CompletenessReport, HealthCanadaReport, MonthStart, PostingRow,
        AGCO_TABS,
    },
    Event,
};

pub use events::ReportEvents;
use files::AgcoTab;

use crate::{
    ledger::Ledger,
    store::{OutboxStore, ReportStore, RowState, Store, StoreError},
};

/// Regulator postings later than this are flagged.
pub const POSTING_LIMIT_HOURS: i64 = 24;

/// Why a report could not be produced.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// The store could not be read or written.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A file could not be written (CSV, JSON or XLSX), or a kept one read back.
    #[error("the report file could not be written: {0}")]
    File(String),
    /// Products in the month lack what the report needs; it is not filed with them missing.
    #[error("{0}")]
    Incomplete(String),
}

impl ReportError {
    /// A file error in words.
    pub fn file(e: impl std::fmt::Display) -> Self {
        Self::File(e.to_string())
    }
}

/// Refuses a report whose products lack what it needs, naming each and what it needs: a file
/// with their quantities missing would be filed as if they were 0.
fn complete(report: &domain::report::MonthlyReport) -> Result<(), ReportError> {
    if report.lacking.is_empty() {
        return Ok(());
    }
    let each: Vec<String> = report
        .lacking
        .iter()
        .map(|l| format!("{} ({}) needs {}", l.name, l.sku, l.needs))
        .collect();
    Err(ReportError::Incomplete(format!(
        "the report for {} cannot be filed yet: {}; set it on the product",
        report.month.format("%Y-%m"),
        each.join("; ")
    )))
}

/// The month before the store's current month.
pub fn previous_store_month(state: &domain::State) -> NaiveDate {
    domain::report::previous_month(state.config.day_of(Utc::now()))
}

/// What the reports read (the ledger, its events as last parsed, the outbox) and where they
/// are kept.
#[derive(Clone)]
pub struct Reports {
    store: Store,
    ledger: Ledger,
    events: ReportEvents,
}

impl Reports {
    /// Reports over this store and ledger; nothing read yet.
    pub fn new(store: Store, ledger: Ledger) -> Self {
        Self {
            store,
            ledger,
            events: ReportEvents::default(),
        }
    }

    /// Every event with its sequence, in ledger order.
    pub async fn events(&self) -> Result<(Arc<Vec<i64>>, Arc<Vec<Event>>), ReportError> {
        Ok(self.events.read(&self.store).await?)
    }

    /// The store as `month` began, replayed from `events`.
    pub async fn start(&self, events: &[Event], month: NaiveDate) -> Arc<MonthStart> {
        self.events.start(events, month).await
    }

    /// The month's postings, read from the outbox.
    pub async fn completeness(&self, month: NaiveDate) -> Result<CompletenessReport, ReportError> {
        let config = self.ledger.view().await.state.config.clone();
        let from = domain::report::day_start_of(&config, month);
        let to = domain::report::day_start_of(&config, domain::report::next_month(month));
        // The `at` column holds the export's millisecond UTC form, which sorts as text.
        let rows = self
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
                .map_err(ReportError::file)?
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

    /// A report's file as of now, computed from the ledger and the outbox; a finished month's is
    /// kept.
    pub async fn generate(
        &self,
        kind: ReportKind,
        month: NaiveDate,
    ) -> Result<String, ReportError> {
        let body = match kind {
            ReportKind::MetrcCompleteness => {
                files::completeness_csv(&self.completeness(month).await?)?
            }
            _ => {
                let (_, events) = self.events().await?;
                let start = self.start(&events, month).await;
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
                        serde_json::to_string(&tabs).map_err(ReportError::file)?
                    }
                    ReportKind::Alberta => {
                        files::cells(&domain::report::alberta_rows(&by_sku_from(&start, &events)))?
                    }
                    ReportKind::BritishColumbia => {
                        let report = monthly_by_weight_from(&start, &events);
                        complete(&report)?;
                        files::cells(&domain::report::british_columbia_rows(&report))?
                    }
                    _ => {
                        let report = monthly_from(&start, &events);
                        complete(&report)?;
                        to_csv(&report)
                    }
                }
            }
        };
        // A finished month is kept as generated, so it is filed with exactly these bytes.
        let current =
            domain::report::next_month(previous_store_month(&self.ledger.view().await.state));
        if month < current {
            self.store.keep_report(kind, month, &body).await?;
        }
        Ok(body)
    }

    /// The report as filed: the kept bytes of a generated month, or this month's draft computed
    /// now; either way marked downloaded.
    pub async fn filed(&self, kind: ReportKind, month: NaiveDate) -> Result<String, ReportError> {
        let body = match self.store.report_body(kind, month).await? {
            Some(b) => b,
            None => self.generate(kind, month).await?,
        };
        self.store.mark_downloaded(kind, month).await?;
        Ok(body)
    }

    /// Health Canada's report for `month` with each class's opening checked against the closing
    /// filed for the month before (its kept bytes, once marked submitted): the figure Health
    /// Canada compares with, not one computed again from today's ledger.
    pub async fn health_canada(&self, month: NaiveDate) -> Result<HealthCanadaReport, ReportError> {
        let (_, events) = self.events().await?;
        let start = self.start(&events, month).await;
        let report = monthly_from(&start, &events);
        let tolerance = self
            .ledger
            .view()
            .await
            .state
            .config
            .jurisdiction
            .report_opening_tolerance_percent;
        let before = domain::report::previous_month(month);
        let filed = match self
            .store
            .submitted_report(ReportKind::HealthCanada, before)
            .await?
        {
            Some(body) => Some(filed_closings(&body).map_err(ReportError::file)?),
            None => None,
        };
        let before_words = before.format("%B %Y");
        let compared = match &filed {
            Some(_) => format!("Each class's opening is checked against the closing filed for {before_words} (that report as marked submitted)."),
            None => format!("No report for {before_words} is marked submitted: the openings are checked against its closings once it is."),
        };
        Ok(HealthCanadaReport {
            opening_checks: filed
                .as_ref()
                .map(|f| opening_checks(&report, f, tolerance))
                .unwrap_or_default(),
            compared_with: filed.map(|_| before.format("%Y-%m").to_string()),
            report,
            tolerance_percent: tolerance,
            notes: vec![
                compared,
                "Movements and closing are numbers of products; loose product sold by weight is counted in its unit (grams).".into(),
                "Seeds: movements in packages (products), the closing quantity in seeds (Schedule 1, item 1), from each product's number of seeds a package.".into(),
                "Sales to other licensed sellers (s.5(1)(d)(iii)) and returns to suppliers do not occur in this store's ledger and report as 0.".into(),
                "Provincial column layouts for CTLS upload are unconfirmed; the columns follow the regulation's fields in order.".into(),
            ],
        })
    }

    /// Generates last month's reports once the store's month has turned, checking every `every`.
    pub fn spawn(self, every: Duration) {
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            loop {
                tick.tick().await;
                // Reports read at month end keep their parsed events no longer than a tick or two.
                self.events.forget_if_idle(every).await;
                let (month, kinds) = {
                    let view = self.ledger.view().await;
                    let kinds: Vec<ReportKind> = view
                        .state
                        .config
                        .jurisdiction
                        .reports
                        .iter()
                        .map(|f| ReportKind::of(*f))
                        .collect();
                    (previous_store_month(&view.state), kinds)
                };
                // The reports this store's jurisdiction expects; others are generated when asked for.
                for kind in kinds {
                    match self.store.report_body(kind, month).await {
                        Ok(Some(_)) => {}
                        Ok(None) => match self.generate(kind, month).await {
                            Ok(_) => {
                                tracing::info!(report = kind.slug(), month = %month.format("%Y-%m"), "monthly report generated")
                            }
                            Err(e) => {
                                tracing::warn!(error = ?e, report = kind.slug(), "monthly report not generated; will retry")
                            }
                        },
                        Err(e) => {
                            tracing::warn!(error = ?e, "reports table unreadable; will retry")
                        }
                    }
                }
            }
        });
    }
}
