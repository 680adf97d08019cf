//! The ledger writer: one task decides every command against the in-memory state and commits
//! whole batches of them in one SQLite transaction (group commit), events, projections, outbox and
//! mutation outcomes together. Readers share the state behind a read lock.

use std::{
    collections::{BTreeSet, HashMap, HashSet},
    sync::Arc,
};

use anyhow::Context;
use chrono::Utc;
use domain::{
    Command, DomainError, Event, EventKind, PackageId, PackageStatus, ProductId, State, Zone,
};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use sqlx::{Row, Sqlite, SqlitePool, Transaction};
use tokio::sync::{broadcast, mpsc, oneshot, RwLock};

/// Most jobs committed together in one transaction.
const MAX_BATCH: usize = 256;

/// The state every reader sees: the domain state at `seq`, plus indexes the server needs.
pub struct View {
    /// Domain state after every committed event.
    pub state: State,
    /// Sequence number of the last committed event.
    pub seq: i64,
    /// Packages of each product, for availability.
    pub by_product: HashMap<ProductId, BTreeSet<PackageId>>,
}

impl View {
    fn new(state: State, seq: i64) -> Self {
        let mut by_product: HashMap<ProductId, BTreeSet<PackageId>> = HashMap::new();
        for p in state.packages.values() {
            by_product.entry(p.product_id).or_default().insert(p.id);
        }
        Self {
            state,
            seq,
            by_product,
        }
    }

    fn apply(&mut self, event: &Event) {
        self.state.apply(event);
        for id in event.kind.packages() {
            if let Some(p) = self.state.packages.get(&id) {
                self.by_product.entry(p.product_id).or_default().insert(id);
            }
        }
    }

    /// Units available to sell: active packages on the sales floor, minus holds.
    pub fn available(&self, product: ProductId) -> Decimal {
        self.by_product.get(&product).map_or(Decimal::ZERO, |ids| {
            ids.iter()
                .filter_map(|id| self.state.packages.get(id))
                .filter(|p| p.status == PackageStatus::Active && p.zone == Zone::SalesFloor)
                .map(|p| p.available())
                .sum()
        })
    }
}

/// A stored event with its sequence number.
#[derive(utoipa::ToSchema, Clone, Debug, Serialize, Deserialize)]
pub struct SeqEvent {
    /// Global sequence number.
    pub seq: i64,
    /// The event.
    #[serde(flatten)]
    pub event: Event,
}

/// What became of one mutation.
#[derive(utoipa::ToSchema, Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Outcome {
    /// Its events were committed.
    Applied {
        /// The mutation.
        mutation_id: domain::MutationId,
        /// Sequence number of its last event (the ledger's sequence when it has none).
        seq: i64,
        /// Its events.
        events: Vec<SeqEventRef>,
    },
    /// The domain refused it; nothing changed.
    Rejected {
        /// The mutation.
        mutation_id: domain::MutationId,
        /// Why.
        error: DomainError,
    },
}

/// An event's sequence number and kind, as returned with an outcome.
#[derive(utoipa::ToSchema, Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct SeqEventRef {
    /// Sequence number.
    pub seq: i64,
    /// Event kind.
    pub kind: String,
}

/// One mutation as a client submits it.
#[derive(utoipa::ToSchema, Clone, Debug, Serialize, Deserialize)]
pub struct Submitted {
    /// The tablet's own mutation number (1, 2, 3, ...), when it numbers them.
    pub client_seq: Option<i64>,
    /// The command.
    pub command: Command,
}

/// What a commit tells live subscribers.
#[derive(Debug)]
pub struct Committed {
    /// The new events.
    pub events: Vec<SeqEvent>,
    /// Availability of every product the commit touched, as menu stream frames rendered once here
    /// rather than once per subscriber; with the sequence number of its last change.
    pub availability: Vec<(i64, axum::body::Bytes)>,
}

struct Job {
    client_id: Option<String>,
    mutations: Vec<Submitted>,
    reply: oneshot::Sender<anyhow::Result<Vec<Outcome>>>,
}

/// Handle to the ledger: submit mutations, read the view, follow commits.
#[derive(Clone)]
pub struct Ledger {
    jobs: mpsc::Sender<Job>,
    view: Arc<RwLock<View>>,
    feed: broadcast::Sender<Arc<Committed>>,
}

impl Ledger {
    /// Replays the stored events and starts the writer.
    pub async fn start(pool: SqlitePool) -> anyhow::Result<Self> {
        let view = Arc::new(RwLock::new(load_view(&pool).await?));
        let (jobs, rx) = mpsc::channel(4096);
        let (feed, _) = broadcast::channel(4096);
        tokio::spawn(writer(pool, view.clone(), feed.clone(), rx));
        Ok(Self { jobs, view, feed })
    }

    /// Submits mutations; returns one outcome each once they are durable.
    pub async fn submit(
        &self,
        client_id: Option<String>,
        mutations: Vec<Submitted>,
    ) -> anyhow::Result<Vec<Outcome>> {
        let (reply, rx) = oneshot::channel();
        self.jobs
            .send(Job {
                client_id,
                mutations,
                reply,
            })
            .await
            .map_err(|_| anyhow::anyhow!("the ledger writer has stopped"))?;
        rx.await
            .map_err(|_| anyhow::anyhow!("the ledger writer dropped the request"))?
    }

    /// Read access to the current view.
    pub async fn view(&self) -> tokio::sync::RwLockReadGuard<'_, View> {
        self.view.read().await
    }

    /// Follows commits from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Committed>> {
        self.feed.subscribe()
    }
}

async fn load_view(pool: &SqlitePool) -> anyhow::Result<View> {
    let mut state = State::default();
    let mut seq = 0;
    let mut rows = sqlx::query("SELECT seq, body FROM events ORDER BY seq").fetch(pool);
    use futures_util::TryStreamExt;
    while let Some(row) = rows.try_next().await? {
        let body: String = row.get(1);
        let event: Event = serde_json::from_str(&body)
            .with_context(|| format!("event {} is unreadable", row.get::<i64, _>(0)))?;
        state.apply(&event);
        seq = row.get(0);
    }
    Ok(View::new(state, seq))
}

async fn writer(
    pool: SqlitePool,
    view: Arc<RwLock<View>>,
    feed: broadcast::Sender<Arc<Committed>>,
    mut rx: mpsc::Receiver<Job>,
) {
    while let Some(first) = rx.recv().await {
        let mut jobs = vec![first];
        while jobs.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(j) => jobs.push(j),
                Err(_) => break,
            }
        }
        let mut guard = view.write().await;
        match write_batch(&pool, &mut guard, &jobs).await {
            Ok((outcomes, committed)) => {
                drop(guard);
                for (job, out) in jobs.into_iter().zip(outcomes) {
                    let _ = job.reply.send(Ok(out));
                }
                if !committed.events.is_empty() {
                    let _ = feed.send(Arc::new(committed));
                }
            }
            Err(e) => {
                tracing::error!(error = ?e, "ledger batch failed; reloading state from the database");
                // The in-memory state may be ahead of what was committed: rebuild it.
                match load_view(&pool).await {
                    Ok(v) => *guard = v,
                    Err(e2) => tracing::error!(error = ?e2, "could not reload the ledger"),
                }
                drop(guard);
                for job in jobs {
                    let _ = job
                        .reply
                        .send(Err(anyhow::anyhow!("the ledger could not commit: {e}")));
                }
            }
        }
    }
}

/// Events the regulator must learn of; each becomes an outbox row.
fn regulator_relevant(kind: &EventKind) -> bool {
    matches!(
        kind,
        EventKind::PackageReceived { .. }
            | EventKind::PackageSplit { .. }
            | EventKind::PackagesMerged { .. }
            | EventKind::PackageDestroyed { .. }
            | EventKind::PackageAdjusted { .. }
            | EventKind::Sold { .. }
            | EventKind::Returned { .. }
            | EventKind::HoldFulfilled { .. }
            | EventKind::PackageFinished { .. }
    )
}

async fn write_batch(
    pool: &SqlitePool,
    view: &mut View,
    jobs: &[Job],
) -> anyhow::Result<(Vec<Vec<Outcome>>, Committed)> {
    let mut tx = pool.begin().await?;
    let now = Utc::now().to_rfc3339();
    let mut all_outcomes = Vec::with_capacity(jobs.len());
    let mut new_events: Vec<SeqEvent> = Vec::new();
    let mut seen_in_batch: HashMap<domain::MutationId, Outcome> = HashMap::new();
    for job in jobs {
        let mut outcomes = Vec::with_capacity(job.mutations.len());
        for m in &job.mutations {
            let id = m.command.mutation_id;
            if let Some(o) = seen_in_batch.get(&id) {
                outcomes.push(o.clone());
                continue;
            }
            if let Some(stored) = stored_outcome(&mut tx, id).await? {
                outcomes.push(stored);
                continue;
            }
            let outcome = match domain::decide(&view.state, &m.command) {
                Ok(events) => {
                    let mut refs = Vec::with_capacity(events.len());
                    for event in events {
                        view.seq += 1;
                        view.apply(&event);
                        refs.push(SeqEventRef {
                            seq: view.seq,
                            kind: event.kind.name().into(),
                        });
                        insert_event(&mut tx, view.seq, &event, &now).await?;
                        new_events.push(SeqEvent {
                            seq: view.seq,
                            event,
                        });
                    }
                    Outcome::Applied {
                        mutation_id: id,
                        seq: view.seq,
                        events: refs,
                    }
                }
                Err(error) => Outcome::Rejected {
                    mutation_id: id,
                    error,
                },
            };
            sqlx::query(
                "INSERT INTO mutations (mutation_id, client_id, client_seq, action, outcome, recorded_at) VALUES (?, ?, ?, ?, ?, ?)",
            )
            .bind(id.to_string())
            .bind(&job.client_id)
            .bind(m.client_seq)
            .bind(m.command.action.name())
            .bind(serde_json::to_string(&outcome)?)
            .bind(&now)
            .execute(&mut *tx)
            .await?;
            if let (Some(client), Some(n)) = (&job.client_id, m.client_seq) {
                sqlx::query(
                    "INSERT INTO clients (client_id, last_mutation) VALUES (?, ?)
                     ON CONFLICT (client_id) DO UPDATE SET last_mutation = max(last_mutation, excluded.last_mutation)",
                )
                .bind(client)
                .bind(n)
                .execute(&mut *tx)
                .await?;
            }
            seen_in_batch.insert(id, outcome.clone());
            outcomes.push(outcome);
        }
        all_outcomes.push(outcomes);
    }
    let availability = update_projections(&mut tx, view, &new_events, &now).await?;
    tx.commit().await?;
    Ok((
        all_outcomes,
        Committed {
            events: new_events,
            availability,
        },
    ))
}

async fn stored_outcome(
    tx: &mut Transaction<'_, Sqlite>,
    id: domain::MutationId,
) -> anyhow::Result<Option<Outcome>> {
    let row = sqlx::query("SELECT outcome FROM mutations WHERE mutation_id = ?")
        .bind(id.to_string())
        .fetch_optional(&mut **tx)
        .await?;
    Ok(match row {
        Some(r) => Some(serde_json::from_str(&r.get::<String, _>(0))?),
        None => None,
    })
}

/// Appends one event with its audit columns, and its outbox row when the regulator must know.
pub async fn insert_event(
    tx: &mut Transaction<'_, Sqlite>,
    seq: i64,
    event: &Event,
    now: &str,
) -> anyhow::Result<()> {
    let audit = crate::http::audit::audit_row(seq, now.to_owned(), event);
    sqlx::query(
        "INSERT INTO events (seq, mutation_id, kind, at, recorded_at, actor, device, body, packages, reason, quantities)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(seq)
    .bind(audit.mutation_id)
    .bind(audit.event)
    .bind(audit.at)
    .bind(now)
    .bind(audit.actor)
    .bind(audit.device)
    .bind(serde_json::to_string(event)?)
    .bind(audit.packages)
    .bind(audit.reason)
    .bind(audit.quantities)
    .execute(&mut **tx)
    .await?;
    if regulator_relevant(&event.kind) {
        let key = event
            .kind
            .packages()
            .first()
            .map(|p| p.to_string())
            .unwrap_or_default();
        sqlx::query("INSERT INTO outbox (seq, package_key, kind, created_at) VALUES (?, ?, ?, ?)")
            .bind(seq)
            .bind(key)
            .bind(event.kind.name())
            .bind(now)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// Writes every package, product, hold and customer-day the new events touched.
async fn update_projections(
    tx: &mut Transaction<'_, Sqlite>,
    view: &View,
    events: &[SeqEvent],
    _now: &str,
) -> anyhow::Result<Vec<(i64, axum::body::Bytes)>> {
    let mut packages: HashMap<PackageId, i64> = HashMap::new();
    let mut products: HashMap<ProductId, i64> = HashMap::new();
    let mut holds: HashSet<domain::HoldId> = HashSet::new();
    let mut customers: HashSet<domain::CustomerRef> = HashSet::new();
    for e in events {
        for id in e.event.kind.packages() {
            packages.insert(id, e.seq);
            if let Some(p) = view.state.packages.get(&id) {
                products.insert(p.product_id, e.seq);
            }
        }
        match &e.event.kind {
            EventKind::ProductDefined { product } => {
                products.insert(product.id, e.seq);
            }
            EventKind::HoldPlaced { hold } => {
                holds.insert(hold.hold_id);
            }
            EventKind::HoldReleased { hold_id, .. } => {
                holds.insert(*hold_id);
            }
            EventKind::HoldFulfilled { hold_id, receipt } => {
                holds.insert(*hold_id);
                customers.extend(receipt.customer.clone());
            }
            EventKind::Sold { receipt } => customers.extend(receipt.customer.clone()),
            _ => {}
        }
    }
    for (id, seq) in &packages {
        let Some(p) = view.state.packages.get(id) else {
            continue;
        };
        sqlx::query(
            "INSERT INTO packages (id, tag, product_id, status, zone, quantity, held, body, changed_seq)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
             ON CONFLICT (id) DO UPDATE SET status = excluded.status, zone = excluded.zone, quantity = excluded.quantity,
               held = excluded.held, body = excluded.body, changed_seq = excluded.changed_seq",
        )
        .bind(id.to_string())
        .bind(p.tag.as_str())
        .bind(p.product_id.to_string())
        .bind(p.status.label())
        .bind(format!("{:?}", p.zone))
        .bind(p.quantity.amount.to_string())
        .bind(p.held.to_string())
        .bind(serde_json::to_string(p)?)
        .bind(seq)
        .execute(&mut **tx)
        .await?;
    }
    let mut availability = Vec::with_capacity(products.len());
    for (id, seq) in &products {
        let Some(p) = view.state.products.get(id) else {
            continue;
        };
        let available = view.available(*id);
        sqlx::query(
            "INSERT INTO products (id, sku, category, available, body, changed_seq) VALUES (?, ?, ?, ?, ?, ?)
             ON CONFLICT (id) DO UPDATE SET sku = excluded.sku, category = excluded.category, available = excluded.available,
               body = excluded.body, changed_seq = excluded.changed_seq",
        )
        .bind(id.to_string())
        .bind(&p.sku)
        .bind(format!("{:?}", p.category))
        .bind(available.to_string())
        .bind(serde_json::to_string(p)?)
        .bind(seq)
        .execute(&mut **tx)
        .await?;
        if let Some(a) = crate::http::menu_feed::availability(view, *id) {
            availability.push((*seq, crate::http::menu_feed::frame(*seq, &a)));
        }
    }
    for id in holds {
        match view.state.holds.get(&id) {
            Some(h) => {
                sqlx::query(
                    "INSERT INTO holds (hold_id, customer, expires_at, body) VALUES (?, ?, ?, ?)
                     ON CONFLICT (hold_id) DO UPDATE SET body = excluded.body",
                )
                .bind(id.to_string())
                .bind(h.customer.as_str())
                .bind(h.expires_at.to_rfc3339())
                .bind(serde_json::to_string(h)?)
                .execute(&mut **tx)
                .await?;
            }
            None => {
                sqlx::query("DELETE FROM holds WHERE hold_id = ?")
                    .bind(id.to_string())
                    .execute(&mut **tx)
                    .await?;
            }
        }
    }
    for c in customers {
        if let Some(day) = view.state.purchases.get(&c) {
            sqlx::query(
                "INSERT INTO daily_purchases (customer, day, lines) VALUES (?, ?, ?)
                 ON CONFLICT (customer, day) DO UPDATE SET lines = excluded.lines",
            )
            .bind(c.as_str())
            .bind(day.day.to_string())
            .bind(serde_json::to_string(&day.lines)?)
            .execute(&mut **tx)
            .await?;
        }
    }
    availability.sort_by_key(|(seq, _)| *seq);
    Ok(availability)
}
