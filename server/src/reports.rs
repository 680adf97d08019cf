//! Monthly reports as filed: generated from the ledger on the 1st of each month by the server's
//! own scheduler (in the store's time zone, the reports its jurisdiction expects) or on demand, kept as the exact bytes generated, with
//! a status a manager moves along (generated, downloaded, submitted).

use std::time::Duration;

use crate::{store::ReportStore, AppState};
use chrono::{NaiveDate, Utc};
pub use domain::report::{ReportKind, ReportStatus};

/// The month before the store's current month.
pub fn previous_store_month(state: &domain::State) -> NaiveDate {
    domain::report::previous_month(state.config.day_of(Utc::now()))
}

/// Generates last month's reports once the store's month has turned, checking every `every`.
pub fn spawn(state: AppState, every: Duration) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        loop {
            tick.tick().await;
            // Reports read at month end keep their parsed events no longer than a tick or two.
            state.report_events.forget_if_idle(every).await;
            let (month, kinds) = {
                let view = state.ledger.view().await;
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
                match state.store.report_body(kind, month).await {
                    Ok(Some(_)) => {}
                    Ok(None) => match crate::http::reports::generate(&state, kind, month).await {
                        Ok(_) => {
                            tracing::info!(report = kind.slug(), month = %month.format("%Y-%m"), "monthly report generated")
                        }
                        Err(e) => {
                            tracing::warn!(error = ?e, report = kind.slug(), "monthly report not generated; will retry")
                        }
                    },
                    Err(e) => tracing::warn!(error = ?e, "reports table unreadable; will retry"),
                }
            }
        }
    });
}
