//! Monthly reports as filed: generated from the ledger on the 1st of each month by the server's
//! own scheduler (in the store's time zone, the reports its jurisdiction expects) or on demand, kept as the exact bytes generated, with
//! a status a manager moves along (generated, downloaded, submitted).

use std::time::Duration;

use chrono::{NaiveDate, Utc};
pub use domain::report::{ReportKind, ReportStatus};
use sqlx::{Row, SqlitePool};

use crate::AppState;

/// The month before the store's current month.
pub fn previous_store_month(state: &domain::State) -> NaiveDate {
    domain::report::previous_month(state.config.day_of(Utc::now()))
}

/// The stored report, if it was generated.
pub async fn stored(
    pool: &SqlitePool,
    kind: ReportKind,
    month: NaiveDate,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT body FROM reports WHERE kind = ? AND month = ?")
        .bind(kind.slug())
        .bind(month.format("%Y-%m").to_string())
        .fetch_optional(pool)
        .await
}

/// Keeps a generated report (once: a month already generated keeps its bytes).
pub async fn keep(
    pool: &SqlitePool,
    kind: ReportKind,
    month: NaiveDate,
    body: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO reports (kind, month, status, generated_at, body) VALUES (?, ?, 'generated', ?, ?)
         ON CONFLICT (kind, month) DO NOTHING",
    )
    .bind(kind.slug())
    .bind(month.format("%Y-%m").to_string())
    .bind(Utc::now().to_rfc3339())
    .bind(body)
    .execute(pool)
    .await?;
    Ok(())
}

/// Marks a report downloaded (the first time) or submitted; false when it was never generated.
pub async fn mark(
    pool: &SqlitePool,
    kind: ReportKind,
    month: NaiveDate,
    submitted: bool,
) -> Result<bool, sqlx::Error> {
    let now = Utc::now().to_rfc3339();
    let q = if submitted {
        sqlx::query(
            "UPDATE reports SET status = 'submitted', submitted_at = ?1, downloaded_at = COALESCE(downloaded_at, ?1)
             WHERE kind = ?2 AND month = ?3",
        )
    } else {
        sqlx::query(
            "UPDATE reports SET status = CASE WHEN status = 'generated' THEN 'downloaded' ELSE status END,
                    downloaded_at = COALESCE(downloaded_at, ?1)
             WHERE kind = ?2 AND month = ?3",
        )
    };
    Ok(q.bind(now)
        .bind(kind.slug())
        .bind(month.format("%Y-%m").to_string())
        .execute(pool)
        .await?
        .rows_affected()
        > 0)
}

/// Every generated report, newest month first.
pub async fn list(pool: &SqlitePool) -> Result<Vec<ReportStatus>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT kind, month, status, generated_at, downloaded_at, submitted_at FROM reports
         ORDER BY month DESC, kind",
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            Some(ReportStatus {
                kind: ReportKind::parse(&r.get::<String, _>(0))?,
                month: r.get(1),
                status: r.get(2),
                generated_at: r.get(3),
                downloaded_at: r.get(4),
                submitted_at: r.get(5),
            })
        })
        .collect())
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
                match stored(state.store.pool(), kind, month).await {
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
