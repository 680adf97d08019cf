//! Events read back: after a cursor, by package or order, and the audit export's pages.

use std::future::Future;

use domain::{
    wire::sync::SeqEvent,
    wire::{AuditRow, HistoryEntry, RegulatorStep},
    Event, PackageId,
};
use futures_util::{stream::BoxStream, StreamExt};
use sqlx::Row;

use super::{ledger::events_after, parse, sqlite, Store, StoreError};

/// One page of the audit export as CSV text.
pub struct AuditCsvPage {
    /// The page's lines, each ending in a line break.
    pub text: String,
    /// How many events it holds (0: the export is complete).
    pub rows: i64,
    /// The sequence number of its last event.
    pub last_seq: i64,
}

/// The ledger's events as readers ask for them.
pub trait EventStore {
    /// Events with `after < seq <= upto`, in order.
    fn events_after(
        &self,
        after: i64,
        upto: i64,
    ) -> impl Future<Output = Result<Vec<SeqEvent>, StoreError>> + Send;
    /// Every event whose body names this id (a package, a hold), oldest first; the caller keeps
    /// those that are truly about it.
    fn events_naming(
        &self,
        id: &str,
    ) -> impl Future<Output = Result<Vec<Event>, StoreError>> + Send;
    /// Events naming a package, oldest first, with who made each and how far it has reached the
    /// regulator. Some may only mention it: the caller keeps those that touch it.
    fn history_naming(
        &self,
        package: PackageId,
    ) -> impl Future<Output = Result<Vec<HistoryEntry>, StoreError>> + Send;
    /// Sales and fulfilled orders that sold from a package, newest first.
    fn sales_from(
        &self,
        package: PackageId,
    ) -> impl Future<Output = Result<Vec<Event>, StoreError>> + Send;
    /// How many events happened in `from <= at < to` (times in the export's text form).
    fn count_between(
        &self,
        from: &str,
        to: &str,
    ) -> impl Future<Output = Result<i64, StoreError>> + Send;
    /// The CSV page of the export after sequence `after`.
    fn audit_csv_page(
        &self,
        after: i64,
        from: &str,
        to: &str,
    ) -> impl Future<Output = Result<AuditCsvPage, StoreError>> + Send;
    /// The export's rows as they come, in ledger order.
    fn audit_rows<'a>(
        &'a self,
        from: &'a str,
        to: &'a str,
    ) -> BoxStream<'a, Result<AuditRow, StoreError>>;
}

/// `LIKE` pattern for a value inside a text column (ids hold no `%` or `_`).
fn containing(id: &str) -> String {
    format!("%{id}%")
}

fn event_of(row: &sqlx::sqlite::SqliteRow, at: usize) -> Result<Event, StoreError> {
    parse(|| "a stored event".into(), row.try_get::<&str, _>(at)?)
}

impl EventStore for Store {
    async fn events_after(&self, after: i64, upto: i64) -> Result<Vec<SeqEvent>, StoreError> {
        events_after(&self.pool, after, upto).await
    }

    async fn events_naming(&self, id: &str) -> Result<Vec<Event>, StoreError> {
        sqlx::query("SELECT body FROM events WHERE body LIKE ? ORDER BY seq")
            .bind(containing(id))
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| event_of(r, 0))
            .collect()
    }

    async fn history_naming(&self, package: PackageId) -> Result<Vec<HistoryEntry>, StoreError> {
        // Events name packages by id inside their body; a package's history is short, the scan is
        // not (a per-package index is the next step when ledgers reach millions of events).
        let rows = sqlx::query(
            "SELECT e.seq, e.body, u.name, o.state, o.attempts, o.last_error, o.done_at, w.name
             FROM events e
             LEFT JOIN users u ON u.id = e.actor
             LEFT JOIN users w ON w.id = e.witness
             LEFT JOIN outbox o ON o.seq = e.seq
             WHERE e.body LIKE ?
             ORDER BY e.seq",
        )
        .bind(containing(&package.to_string()))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(HistoryEntry {
                    seq: r.try_get(0)?,
                    event: event_of(r, 1)?,
                    actor_name: r.try_get(2)?,
                    witness_name: r.try_get(7)?,
                    regulator: match r.try_get::<Option<String>, _>(3)? {
                        Some(state) => Some(RegulatorStep {
                            state,
                            attempts: r.try_get(4)?,
                            last_error: r.try_get(5)?,
                            done_at: r.try_get(6)?,
                        }),
                        None => None,
                    },
                })
            })
            .collect()
    }

    async fn sales_from(&self, package: PackageId) -> Result<Vec<Event>, StoreError> {
        sqlx::query(
            "SELECT body FROM events WHERE kind IN ('sold', 'hold_fulfilled') AND packages LIKE ?
             ORDER BY seq DESC",
        )
        .bind(containing(&package.to_string()))
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| event_of(r, 0))
        .collect()
    }

    async fn count_between(&self, from: &str, to: &str) -> Result<i64, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT COUNT(*) FROM events WHERE at >= ? AND at < ?")
                .bind(from)
                .bind(to)
                .fetch_one(&self.pool)
                .await?,
        )
    }

    async fn audit_csv_page(
        &self,
        after: i64,
        from: &str,
        to: &str,
    ) -> Result<AuditCsvPage, StoreError> {
        sqlite::audit_csv_page(&self.pool, after, from, to).await
    }

    fn audit_rows<'a>(
        &'a self,
        from: &'a str,
        to: &'a str,
    ) -> BoxStream<'a, Result<AuditRow, StoreError>> {
        sqlx::query(
            "SELECT e.seq, e.at, e.recorded_at, e.actor, coalesce(a.name, ''), e.device, e.mutation_id,
                    e.kind, e.packages, e.tags, e.products, e.skus, e.reason, e.witness,
                    coalesce(w.name, ''), e.quantities
             FROM events e
             LEFT JOIN users a ON a.id = e.actor
             LEFT JOIN users w ON w.id = e.witness
             WHERE e.at >= ? AND e.at < ? ORDER BY e.seq",
        )
        .bind(from)
        .bind(to)
        .fetch(&self.pool)
        .map(|row| {
            let row = row?;
            Ok(AuditRow {
                seq: row.try_get(0)?,
                at: row.try_get(1)?,
                recorded_at: row.try_get(2)?,
                actor: row.try_get(3)?,
                actor_name: row.try_get(4)?,
                device: row.try_get(5)?,
                mutation_id: row.try_get(6)?,
                event: row.try_get(7)?,
                packages: row.try_get(8)?,
                tags: row.try_get(9)?,
                products: row.try_get(10)?,
                skus: row.try_get(11)?,
                reason: row.try_get(12)?,
                witness: row.try_get(13)?,
                witness_name: row.try_get(14)?,
                quantities: row.try_get(15)?,
            })
        })
        .boxed()
    }
}
