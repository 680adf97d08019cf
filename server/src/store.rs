//! The ledger's storage: SQLite in WAL mode under the data directory, schema by `sqlx::migrate!`.

use std::{collections::HashMap, path::Path, str::FromStr, time::Duration};

use anyhow::Context;
use domain::MutationId;
use futures_util::future::BoxFuture;
use sqlx::{
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous},
    Row, SqlitePool,
};

use crate::{
    http::audit::AuditRow,
    ledger::{Outcome, SeqEvent},
};

/// What the ledger writer needs of a database. The writer decides in memory and hands over one
/// batch per group commit, so another database (PostgreSQL for chains) only has to implement this.
pub trait LedgerStore: Send + Sync + 'static {
    /// Every stored event, in sequence order.
    fn load_events(&self) -> BoxFuture<'_, anyhow::Result<Vec<SeqEvent>>>;
    /// The recorded outcomes of whichever of these mutations were processed before.
    fn outcomes<'a>(
        &'a self,
        ids: &'a [MutationId],
    ) -> BoxFuture<'a, anyhow::Result<HashMap<MutationId, Outcome>>>;
    /// Writes a batch in one transaction; returns once it is durable.
    fn commit(&self, batch: Batch) -> BoxFuture<'_, anyhow::Result<()>>;
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

/// Handle to the database; cheap to clone.
#[derive(Clone)]
pub struct Store {
    pool: SqlitePool,
}

impl Store {
    /// Opens (creating when missing) `pistil.db` in `data_dir` and brings its schema up to date.
    pub async fn open(data_dir: &Path) -> anyhow::Result<Self> {
        std::fs::create_dir_all(data_dir)
            .with_context(|| format!("cannot create data directory {}", data_dir.display()))?;
        let path = data_dir.join("pistil.db");
        let options = SqliteConnectOptions::from_str(&format!("sqlite://{}", path.display()))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // FULL: an acknowledged commit survives power loss, not only a process crash.
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(5));
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options)
            .await
            .with_context(|| format!("cannot open database {}", path.display()))?;
        sqlx::migrate!("./migrations")
            .run(&pool)
            .await
            .context("database migration failed")?;
        Ok(Self { pool })
    }

    /// Checks that the database answers a trivial query.
    pub async fn ping(&self) -> Result<(), sqlx::Error> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .map(|_| ())
    }

    /// The underlying pool.
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// A store-wide setting kept as JSON, if it was ever saved.
    pub async fn setting<T: serde::de::DeserializeOwned>(
        &self,
        key: &str,
    ) -> anyhow::Result<Option<T>> {
        let row = sqlx::query("SELECT value FROM settings WHERE key = ?")
            .bind(key)
            .fetch_optional(&self.pool)
            .await?;
        Ok(match row {
            Some(r) => Some(
                serde_json::from_str(&r.get::<String, _>(0))
                    .with_context(|| format!("setting {key} is unreadable"))?,
            ),
            None => None,
        })
    }

    /// Saves a store-wide setting as JSON, replacing the one before.
    pub async fn put_setting<T: serde::Serialize>(
        &self,
        key: &str,
        value: &T,
    ) -> anyhow::Result<()> {
        sqlx::query("INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value")
            .bind(key)
            .bind(serde_json::to_string(value)?)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn write(&self, b: Batch) -> anyhow::Result<()> {
        let mut tx = self.pool.begin().await?;
        for e in &b.events {
            let a = &e.audit;
            sqlx::query(
                "INSERT INTO events (seq, mutation_id, kind, at, recorded_at, actor, device, body, packages, reason, quantities)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
                 ON CONFLICT (client_id) DO UPDATE SET last_mutation = max(last_mutation, excluded.last_mutation)",
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

impl LedgerStore for Store {
    fn load_events(&self) -> BoxFuture<'_, anyhow::Result<Vec<SeqEvent>>> {
        Box::pin(events_after(&self.pool, 0, i64::MAX))
    }

    fn outcomes<'a>(
        &'a self,
        ids: &'a [MutationId],
    ) -> BoxFuture<'a, anyhow::Result<HashMap<MutationId, Outcome>>> {
        Box::pin(async move {
            let ids: Vec<String> = ids.iter().map(|i| i.to_string()).collect();
            let rows = sqlx::query("SELECT mutation_id, outcome FROM mutations WHERE mutation_id IN (SELECT value FROM json_each(?))")
                .bind(serde_json::to_string(&ids)?)
                .fetch_all(&self.pool)
                .await?;
            rows.iter()
                .map(|r| {
                    let id: MutationId = r.get::<String, _>(0).parse()?;
                    let outcome: Outcome = serde_json::from_str(&r.get::<String, _>(1))?;
                    Ok((id, outcome))
                })
                .collect()
        })
    }

    fn commit(&self, batch: Batch) -> BoxFuture<'_, anyhow::Result<()>> {
        Box::pin(self.write(batch))
    }
}

/// Events with `after < seq <= upto`, in order.
pub async fn events_after<'c, E>(
    exec: E,
    after: i64,
    upto: i64,
) -> anyhow::Result<Vec<crate::ledger::SeqEvent>>
where
    E: sqlx::Executor<'c, Database = sqlx::Sqlite>,
{
    use sqlx::Row;
    let rows = sqlx::query("SELECT seq, body FROM events WHERE seq > ? AND seq <= ? ORDER BY seq")
        .bind(after)
        .bind(upto)
        .fetch_all(exec)
        .await?;
    rows.iter()
        .map(|r| {
            Ok(crate::ledger::SeqEvent {
                seq: r.get(0),
                event: serde_json::from_str(&r.get::<String, _>(1))?,
            })
        })
        .collect()
}
