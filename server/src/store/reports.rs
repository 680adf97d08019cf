//! Monthly reports as filed: the exact bytes generated, with the status a manager moves along.

use std::future::Future;

use chrono::{NaiveDate, Utc};
use domain::report::{ReportKind, ReportStatus};
use sqlx::Row;

use super::{Store, StoreError};

/// Reports kept.
pub trait ReportStore {
    /// The kept report, if it was generated.
    fn report_body(
        &self,
        kind: ReportKind,
        month: NaiveDate,
    ) -> impl Future<Output = Result<Option<String>, StoreError>> + Send;
    /// Keeps a generated report, once: a month already generated keeps its bytes.
    fn keep_report(
        &self,
        kind: ReportKind,
        month: NaiveDate,
        body: &str,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// Where a kept report stands (`generated`, `downloaded` or `submitted`), without its bytes;
    /// none when it was never generated.
    fn report_status(
        &self,
        kind: ReportKind,
        month: NaiveDate,
    ) -> impl Future<Output = Result<Option<String>, StoreError>> + Send;
    /// The kept bytes of a report marked submitted: what the regulator holds.
    fn submitted_report(
        &self,
        kind: ReportKind,
        month: NaiveDate,
    ) -> impl Future<Output = Result<Option<String>, StoreError>> + Send;
    /// Marks a report downloaded, the first time; false when it was never generated.
    fn mark_downloaded(
        &self,
        kind: ReportKind,
        month: NaiveDate,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
    /// Marks a report submitted, with the explanation of its openings when one was needed; the
    /// first time only (a report filed stays as filed). False when it was never generated.
    fn mark_submitted(
        &self,
        kind: ReportKind,
        month: NaiveDate,
        explanation: Option<&str>,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
    /// Every generated report, newest month first.
    fn reports(&self) -> impl Future<Output = Result<Vec<ReportStatus>, StoreError>> + Send;
}

fn month_key(month: NaiveDate) -> String {
    month.format("%Y-%m").to_string()
}

impl ReportStore for Store {
    async fn report_body(
        &self,
        kind: ReportKind,
        month: NaiveDate,
    ) -> Result<Option<String>, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT body FROM reports WHERE kind = ? AND month = ?")
                .bind(kind.slug())
                .bind(month_key(month))
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    async fn keep_report(
        &self,
        kind: ReportKind,
        month: NaiveDate,
        body: &str,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO reports (kind, month, status, generated_at, body) VALUES (?, ?, 'generated', ?, ?)
             ON CONFLICT (kind, month) DO NOTHING",
        )
        .bind(kind.slug())
        .bind(month_key(month))
        .bind(Utc::now().to_rfc3339())
        .bind(body)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn report_status(
        &self,
        kind: ReportKind,
        month: NaiveDate,
    ) -> Result<Option<String>, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT status FROM reports WHERE kind = ? AND month = ?")
                .bind(kind.slug())
                .bind(month_key(month))
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    async fn submitted_report(
        &self,
        kind: ReportKind,
        month: NaiveDate,
    ) -> Result<Option<String>, StoreError> {
        Ok(sqlx::query_scalar(
            "SELECT body FROM reports WHERE kind = ? AND month = ? AND status = 'submitted'",
        )
        .bind(kind.slug())
        .bind(month_key(month))
        .fetch_optional(&self.pool)
        .await?)
    }

    async fn mark_downloaded(
        &self,
        kind: ReportKind,
        month: NaiveDate,
    ) -> Result<bool, StoreError> {
        Ok(sqlx::query(
            "UPDATE reports SET status = CASE WHEN status = 'generated' THEN 'downloaded' ELSE status END,
                    downloaded_at = COALESCE(downloaded_at, ?)
             WHERE kind = ? AND month = ?",
        )
        .bind(Utc::now().to_rfc3339())
        .bind(kind.slug())
        .bind(month_key(month))
        .execute(&self.pool)
        .await?
        .rows_affected()
            > 0)
    }

    async fn mark_submitted(
        &self,
        kind: ReportKind,
        month: NaiveDate,
        explanation: Option<&str>,
    ) -> Result<bool, StoreError> {
        let now = Utc::now().to_rfc3339();
        Ok(sqlx::query(
            "UPDATE reports SET status = 'submitted',
                    submitted_at = COALESCE(submitted_at, ?),
                    downloaded_at = COALESCE(downloaded_at, ?),
                    explanation = CASE WHEN status = 'submitted' THEN explanation ELSE ? END
             WHERE kind = ? AND month = ?",
        )
        .bind(&now)
        .bind(&now)
        .bind(explanation)
        .bind(kind.slug())
        .bind(month_key(month))
        .execute(&self.pool)
        .await?
        .rows_affected()
            > 0)
    }

    async fn reports(&self) -> Result<Vec<ReportStatus>, StoreError> {
        let rows = sqlx::query(
            "SELECT kind, month, status, generated_at, downloaded_at, submitted_at, explanation FROM reports
             ORDER BY month DESC, kind",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            // A kind this version no longer makes is not listed.
            let Some(kind) = ReportKind::parse(r.try_get(0)?) else {
                continue;
            };
            out.push(ReportStatus {
                kind,
                month: r.try_get(1)?,
                status: r.try_get(2)?,
                generated_at: r.try_get(3)?,
                downloaded_at: r.try_get(4)?,
                submitted_at: r.try_get(5)?,
                explanation: r.try_get(6)?,
            });
        }
        Ok(out)
    }
}
