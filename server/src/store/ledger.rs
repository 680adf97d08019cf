//! The ledger's writes: one batch per group commit in one transaction, and the stored events
//! read back at start-up as a stream.

use std::collections::HashMap;

use domain::{wire::sync::SeqEvent, wire::AuditRow, MutationId};
use futures_util::{
    future::BoxFuture,
    stream::{self, BoxStream},
    StreamExt, TryStreamExt,
};
use sqlx::{QueryBuilder, Row, Sqlite};

use super::{parse, Store, StoreError};

/// What the ledger writer needs of a database. The writer decides in memory and hands over one
/// batch per group commit, so another database (PostgreSQL for chains) only has to implement this.
pub trait LedgerStore: Send + Sync + 'static {
    /// Every stored event in sequence order, as the rows arrive (never gathered into one list),
    /// so a start-up from a checkpoint can skip what it knows without changing its callers.
    fn events(&self) -> BoxStream<'_, Result<SeqEvent, StoreError>>;
    /// The recorded outcomes (as their JSON) of whichever of these mutations were processed.
    fn outcomes<'a>(
        &'a self,
        ids: &'a [MutationId],
    ) -> BoxFuture<'a, Result<HashMap<MutationId, String>, StoreError>>;
    /// The recorded outcomes (as their JSON) of whichever of one client's numbers were processed.
    fn numbered_outcomes<'a>(
        &'a self,
        client_id: &'a str,
        numbers: &'a [i64],
    ) -> BoxFuture<'a, Result<HashMap<i64, String>, StoreError>>;
    /// Writes a batch in one transaction; returns once it is durable.
    fn commit(&self, batch: Batch) -> BoxFuture<'_, Result<(), StoreError>>;
}

/// An event as stored: its JSON body, its audit columns, and its outbox key when the regulator
/// must learn of it.
pub struct EventRow {
    /// Global sequence number.
    pub seq: i64,
    /// The domain event as JSON.
    pub body: String,
    /// Columns the audit export reads.
    pub audit: AuditRow,
    /// The packages whose regulator queue the event joins (space-separated), if the regulator
    /// must know.
    pub outbox_key: Option<String>,
    /// A manager's decision on a refused change, applied to its outbox row in the same write.
    pub settles: Option<(i64, domain::RelayDecision)>,
}

/// A processed mutation and its outcome.
pub struct MutationRow {
    /// Its idempotency key.
    pub mutation_id: String,
    /// The device's sync identity.
    pub client_id: Option<String>,
    /// The device's own number for it.
    pub client_seq: Option<i64>,
    /// The action's name.
    pub action: &'static str,
    /// The outcome as JSON.
    pub outcome: String,
}

/// A package projection row.
pub struct PackageRow {
    /// Id, tag and product.
    pub id: String,
    /// Regulator tag.
    pub tag: String,
    /// Product id.
    pub product_id: String,
    /// Status word.
    pub status: &'static str,
    /// Zone name.
    pub zone: String,
    /// Quantity in the product's unit.
    pub quantity: String,
    /// Held for pickup.
    pub held: String,
    /// The package as JSON.
    pub body: String,
    /// Sequence of its last change.
    pub changed_seq: i64,
}

/// A product projection row.
pub struct ProductRow {
    /// Id.
    pub id: String,
    /// SKU.
    pub sku: String,
    /// Category name.
    pub category: String,
    /// Available to sell.
    pub available: String,
    /// The product as JSON.
    pub body: String,
    /// Sequence of its last change.
    pub changed_seq: i64,
}

/// A pickup hold placed, or ended.
pub enum HoldRow {
    /// Active: write it.
    Active {
        /// Id.
        hold_id: String,
        /// Customer.
        customer: String,
        /// Expiry (RFC 3339).
        expires_at: String,
        /// The hold as JSON.
        body: String,
    },
    /// Released, expired or fulfilled: remove it.
    Ended {
        /// Id.
        hold_id: String,
    },
}

/// Everything one group commit writes.
#[derive(Default)]
pub struct Batch {
    /// When the server recorded it.
    pub recorded_at: String,
    /// New events.
    pub events: Vec<EventRow>,
    /// Processed mutations.
    pub mutations: Vec<MutationRow>,
    /// Devices' last processed mutation numbers.
    pub clients: Vec<(String, i64)>,
    /// Changed packages.
    pub packages: Vec<PackageRow>,
    /// Changed products.
    pub products: Vec<ProductRow>,
    /// Changed holds.
    pub holds: Vec<HoldRow>,
    /// Customers' purchases of the day: (customer, day, lines as JSON).
    pub purchases: Vec<(String, String, String)>,
}

impl Store {
    async fn write(&self, b: Batch) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        for e in &b.events {
            let a = &e.audit;
            sqlx::query(
                "INSERT INTO events (seq, mutation_id, kind, at, recorded_at, actor, device, body, packages, reason, quantities, tags, products, skus, witness)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(e.seq)
            .bind(&a.mutation_id)
            .bind(&a.event)
            .bind(&a.at)
            .bind(&b.recorded_at)
            .bind(&a.actor)
            .bind(&a.device)
            .bind(&e.body)
            .bind(&a.packages)
            .bind(&a.reason)
            .bind(&a.quantities)
            .bind(&a.tags)
            .bind(&a.products)
            .bind(&a.skus)
            .bind(&a.witness)
            .execute(&mut *tx)
            .await?;
            if let Some(key) = &e.outbox_key {
                sqlx::query(
                    "INSERT INTO outbox (seq, package_key, kind, created_at) VALUES (?, ?, ?, ?)",
                )
                .bind(e.seq)
                .bind(key)
                .bind(&a.event)
                .bind(&b.recorded_at)
                .execute(&mut *tx)
                .await?;
            }
            if let Some((seq, decision)) = e.settles {
                // Only a refused row changes: a second decision on the same change is recorded
                // in the ledger and alters nothing.
                let q = match decision {
                    // Read back before anything is sent, as after any attempt in doubt.
                    domain::RelayDecision::Retry => sqlx::query(
                        "UPDATE outbox SET state = 'uncertain', expect = NULL
                         WHERE seq = ? AND state = 'parked'",
                    )
                    .bind(seq),
                    domain::RelayDecision::DoneAtRegulator => sqlx::query(
                        "UPDATE outbox SET state = 'done', done_at = ?, regulator_ids = '[]'
                         WHERE seq = ? AND state = 'parked'",
                    )
                    .bind(&b.recorded_at)
                    .bind(seq),
                };
                q.execute(&mut *tx).await?;
            }
        }
        for m in &b.mutations {
            sqlx::query(
                "INSERT INTO mutations (mutation_id, client_id, client_seq, action, outcome, recorded_at) VALUES (?, ?, ?, ?, ?, ?)",
            )
            .bind(&m.mutation_id)
            .bind(&m.client_id)
            .bind(m.client_seq)
            .bind(m.action)
            .bind(&m.outcome)
            .bind(&b.recorded_at)
            .execute(&mut *tx)
            .await?;
        }
        for (client, n) in &b.clients {
            sqlx::query(
                "INSERT INTO clients (client_id, last_mutation) VALUES (?, ?)
                 ON CONFLICT (client_id) DO UPDATE SET last_mutation = excluded.last_mutation
                 WHERE excluded.last_mutation > clients.last_mutation",
            )
            .bind(client)
            .bind(n)
            .execute(&mut *tx)
            .await?;
        }
        for p in &b.packages {
            sqlx::query(
                "INSERT INTO packages (id, tag, product_id, status, zone, quantity, held, body, changed_seq)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                 ON CONFLICT (id) DO UPDATE SET status = excluded.status, zone = excluded.zone, quantity = excluded.quantity,
                   held = excluded.held, body = excluded.body, changed_seq = excluded.changed_seq",
            )
            .bind(&p.id)
            .bind(&p.tag)
            .bind(&p.product_id)
            .bind(p.status)
            .bind(&p.zone)
            .bind(&p.quantity)
            .bind(&p.held)
            .bind(&p.body)
            .bind(p.changed_seq)
            .execute(&mut *tx)
            .await?;
        }
        for p in &b.products {
            sqlx::query(
                "INSERT INTO products (id, sku, category, available, body, changed_seq) VALUES (?, ?, ?, ?, ?, ?)
                 ON CONFLICT (id) DO UPDATE SET sku = excluded.sku, category = excluded.category, available = excluded.available,
                   body = excluded.body, changed_seq = excluded.changed_seq",
            )
            .bind(&p.id)
            .bind(&p.sku)
            .bind(&p.category)
            .bind(&p.available)
            .bind(&p.body)
            .bind(p.changed_seq)
            .execute(&mut *tx)
            .await?;
        }
        for h in &b.holds {
            match h {
                HoldRow::Active {
                    hold_id,
                    customer,
                    expires_at,
                    body,
                } => {
                    sqlx::query(
                        "INSERT INTO holds (hold_id, customer, expires_at, body) VALUES (?, ?, ?, ?)
                         ON CONFLICT (hold_id) DO UPDATE SET body = excluded.body",
                    )
                    .bind(hold_id)
                    .bind(customer)
                    .bind(expires_at)
                    .bind(body)
                    .execute(&mut *tx)
                    .await?;
                }
                HoldRow::Ended { hold_id } => {
                    sqlx::query("DELETE FROM holds WHERE hold_id = ?")
                        .bind(hold_id)
                        .execute(&mut *tx)
                        .await?;
                }
            }
        }
        for (customer, day, lines) in &b.purchases {
            sqlx::query(
                "INSERT INTO daily_purchases (customer, day, lines) VALUES (?, ?, ?)
                 ON CONFLICT (customer, day) DO UPDATE SET lines = excluded.lines",
            )
            .bind(customer)
            .bind(day)
            .bind(lines)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}

/// An event row's body, parsed.
fn seq_event(row: &sqlx::sqlite::SqliteRow) -> Result<SeqEvent, StoreError> {
    let seq: i64 = row.try_get(0)?;
    Ok(SeqEvent {
        seq,
        event: parse(|| format!("event {seq}"), row.try_get::<&str, _>(1)?)?,
    })
}

/// Events with `after < seq <= upto`, in order, read through any executor (a pool or a
/// transaction).
pub(super) async fn events_after<'c, E>(
    exec: E,
    after: i64,
    upto: i64,
) -> Result<Vec<SeqEvent>, StoreError>
where
    E: sqlx::Executor<'c, Database = Sqlite>,
{
    sqlx::query("SELECT seq, body FROM events WHERE seq > ? AND seq <= ? ORDER BY seq")
        .bind(after)
        .bind(upto)
        .fetch_all(exec)
        .await?
        .iter()
        .map(seq_event)
        .collect()
}

/// Events read per page at start-up.
const EVENTS_PAGE: i64 = 4_096;

impl LedgerStore for Store {
    fn events(&self) -> BoxStream<'_, Result<SeqEvent, StoreError>> {
        // Keyset pages: memory holds one page of rows, and rows cross from SQLite's thread a
        // page at a time rather than one by one (which made start-up a quarter slower).
        stream::try_unfold(0_i64, move |after| async move {
            let page =
                sqlx::query("SELECT seq, body FROM events WHERE seq > ? ORDER BY seq LIMIT ?")
                    .bind(after)
                    .bind(EVENTS_PAGE)
                    .fetch_all(&self.pool)
                    .await?
                    .iter()
                    .map(seq_event)
                    .collect::<Result<Vec<_>, _>>()?;
            let Some(last) = page.last().map(|e| e.seq) else {
                return Ok::<_, StoreError>(None);
            };
            Ok(Some((stream::iter(page.into_iter().map(Ok)), last)))
        })
        .try_flatten()
        .boxed()
    }

    fn outcomes<'a>(
        &'a self,
        ids: &'a [MutationId],
    ) -> BoxFuture<'a, Result<HashMap<MutationId, String>, StoreError>> {
        Box::pin(async move {
            if ids.is_empty() {
                return Ok(HashMap::new());
            }
            let mut q: QueryBuilder<Sqlite> = QueryBuilder::new(
                "SELECT mutation_id, outcome FROM mutations WHERE mutation_id IN (",
            );
            let mut list = q.separated(", ");
            for id in ids {
                list.push_bind(id.to_string());
            }
            list.push_unseparated(")");
            let rows = q.build().fetch_all(&self.pool).await?;
            let mut out = HashMap::with_capacity(rows.len());
            for r in rows {
                let id: String = r.try_get(0)?;
                // The column is written from a `MutationId`; one that does not parse was edited.
                let id = id.parse().map_err(|_| StoreError::Unreadable {
                    what: format!("mutation id {id:?}"),
                    source: serde::de::Error::custom("not a UUID"),
                })?;
                out.insert(id, r.try_get(1)?);
            }
            Ok(out)
        })
    }

    fn numbered_outcomes<'a>(
        &'a self,
        client_id: &'a str,
        numbers: &'a [i64],
    ) -> BoxFuture<'a, Result<HashMap<i64, String>, StoreError>> {
        Box::pin(async move {
            if numbers.is_empty() {
                return Ok(HashMap::new());
            }
            let mut q: QueryBuilder<Sqlite> =
                QueryBuilder::new("SELECT client_seq, outcome FROM mutations WHERE client_id = ");
            q.push_bind(client_id).push(" AND client_seq IN (");
            let mut list = q.separated(", ");
            for n in numbers {
                list.push_bind(*n);
            }
            list.push_unseparated(")");
            let rows = q.build().fetch_all(&self.pool).await?;
            let mut out = HashMap::with_capacity(rows.len());
            for r in rows {
                out.insert(r.try_get(0)?, r.try_get(1)?);
            }
            Ok(out)
        })
    }

    fn commit(&self, batch: Batch) -> BoxFuture<'_, Result<(), StoreError>> {
        Box::pin(self.write(batch))
    }
}
