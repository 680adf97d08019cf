//! The ledger writer: one task decides every command against the in-memory state and commits
//! whole batches of them in one SQLite transaction (group commit), events, projections, outbox and
//! mutation outcomes together. Readers share the state behind a read lock.

use std::{
    collections::{BTreeSet, HashMap, HashSet},
    sync::Arc,
};

use chrono::Utc;
use domain::{
    reason_map::ReasonMap, zone_locations::ZoneLocations, Command, DomainError, Event, EventKind,
    PackageId, PackageStatus, ProductId, State, Zone,
};
use futures_util::TryStreamExt;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use tokio::sync::{broadcast, mpsc, oneshot, RwLock};

use crate::store::{Batch, EventRow, HoldRow, LedgerStore, MutationRow, PackageRow, ProductRow};

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

pub use domain::sync::SeqEvent;

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
    reasons: Reasons,
    locations: Locations,
    max_hold: chrono::Duration,
}

/// Which Metrc location each zone is, when the store sends locations: a move is then a change
/// for the regulator, queued with the move itself.
type Locations = Arc<std::sync::RwLock<Option<Arc<ZoneLocations>>>>;

/// The facility's Metrc adjustment reasons as mapped, when a list was read: a change Metrc could
/// not take for want of a reason is refused before it is recorded, not parked at the regulator.
type Reasons = Arc<std::sync::RwLock<Option<Arc<ReasonMap>>>>;

impl Ledger {
    /// Replays the stored events and starts the writer. `max_hold` is the store's pickup hold:
    /// no path places a hold that lasts longer.
    pub async fn start(
        store: Arc<dyn LedgerStore>,
        max_hold: chrono::Duration,
    ) -> anyhow::Result<Self> {
        let started = std::time::Instant::now();
        let view = load_view(&*store).await?;
        tracing::info!(
            events = view.seq,
            ms = started.elapsed().as_millis() as u64,
            "ledger replayed"
        );
        let view = Arc::new(RwLock::new(view));
        let (jobs, rx) = mpsc::channel(4096);
        let (feed, _) = broadcast::channel(4096);
        let reasons = Reasons::default();
        let locations = Locations::default();
        tokio::spawn(writer(
            store,
            max_hold,
            view.clone(),
            feed.clone(),
            reasons.clone(),
            locations.clone(),
            rx,
        ));
        Ok(Self {
            jobs,
            view,
            feed,
            reasons,
            locations,
            max_hold,
        })
    }

    /// The store's pickup hold: how long a hold lasts, and the longest any may.
    pub fn max_hold(&self) -> chrono::Duration {
        self.max_hold
    }

    /// Sets the reason map later changes are checked against (`None`: no list was read).
    pub fn set_reasons(&self, map: Option<ReasonMap>) {
        *self.reasons.write().expect("reasons lock") = map.map(Arc::new);
    }

    /// The reason map in force.
    pub fn reasons(&self) -> Option<Arc<ReasonMap>> {
        self.reasons.read().expect("reasons lock").clone()
    }

    /// Sets which Metrc location each zone is (`None`: no list was read).
    pub fn set_locations(&self, map: Option<ZoneLocations>) {
        *self.locations.write().expect("locations lock") = map.map(Arc::new);
    }

    /// The zone locations in force.
    pub fn locations(&self) -> Option<Arc<ZoneLocations>> {
        self.locations.read().expect("locations lock").clone()
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

async fn load_view(store: &dyn LedgerStore) -> anyhow::Result<View> {
    let mut state = State::default();
    let mut seq = 0;
    // Folded as the rows arrive: the ledger is never held in memory twice.
    let mut events = store.events();
    while let Some(e) = events.try_next().await? {
        state.apply(&e.event);
        seq = e.seq;
    }
    Ok(View::new(state, seq))
}

async fn writer(
    store: Arc<dyn LedgerStore>,
    max_hold: chrono::Duration,
    view: Arc<RwLock<View>>,
    feed: broadcast::Sender<Arc<Committed>>,
    reasons: Reasons,
    locations: Locations,
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
        let map = reasons.read().expect("reasons lock").clone();
        let moves = locations
            .read()
            .expect("locations lock")
            .as_ref()
            .is_some_and(|l| l.in_use());
        let mut guard = view.write().await;
        let rules = Rules {
            reasons: map.as_deref(),
            moves,
            max_hold,
        };
        match write_batch(&*store, &mut guard, &rules, &jobs).await {
            Ok((outcomes, committed)) => {
                drop(guard);
                // Followers first: waking a thousand streams is the slow part, and each
                // submitter's reply only waits for it by the few microseconds the send takes.
                if !committed.events.is_empty() {
                    let _ = feed.send(Arc::new(committed));
                }
                for (job, out) in jobs.into_iter().zip(outcomes) {
                    let _ = job.reply.send(Ok(out));
                }
            }
            Err(e) => {
                tracing::error!(error = ?e, "ledger batch failed; reloading state from the database");
                // The in-memory state may be ahead of what was committed: rebuild it.
                match load_view(&*store).await {
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

/// What the writer checks beyond the domain's own rules, as the store has set them.
struct Rules<'a> {
    /// The facility's reason mapping, once read.
    reasons: Option<&'a ReasonMap>,
    /// Whether a move between zones is a change for the regulator.
    moves: bool,
    /// The store's pickup hold: the longest any hold may last.
    max_hold: chrono::Duration,
}

/// Events the regulator must learn of; each becomes an outbox row.
fn regulator_relevant(kind: &EventKind, moves: bool) -> bool {
    if let EventKind::PackageMoved { .. } = kind {
        return moves;
    }
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

/// Decides every mutation of the batch against the view (advancing it), then commits the
/// events, outcomes and touched projections in one write.
async fn write_batch(
    store: &dyn LedgerStore,
    view: &mut View,
    rules: &Rules<'_>,
    jobs: &[Job],
) -> anyhow::Result<(Vec<Vec<Outcome>>, Committed)> {
    let ids: Vec<domain::MutationId> = jobs
        .iter()
        .flat_map(|j| j.mutations.iter().map(|m| m.command.mutation_id))
        .collect();
    let mut known = store
        .outcomes(&ids)
        .await?
        .into_iter()
        .map(|(id, json)| Ok((id, serde_json::from_str::<Outcome>(&json)?)))
        .collect::<anyhow::Result<HashMap<_, _>>>()?;
    let now = Utc::now().to_rfc3339();
    let mut batch = Batch {
        recorded_at: now.clone(),
        ..Batch::default()
    };
    let mut all_outcomes = Vec::with_capacity(jobs.len());
    let mut new_events: Vec<SeqEvent> = Vec::new();
    for job in jobs {
        let mut outcomes = Vec::with_capacity(job.mutations.len());
        for m in &job.mutations {
            let id = m.command.mutation_id;
            // Processed before, or earlier in this very batch: its outcome stands.
            if let Some(o) = known.get(&id) {
                outcomes.push(o.clone());
                continue;
            }
            let decided = domain::decide(&view.state, &m.command).and_then(|events| {
                let kinds = || events.iter().map(|e| &e.kind);
                match rules
                    .reasons
                    .and_then(|r| r.unmapped(kinds()))
                    .or_else(|| domain::limits::hold_too_long(kinds(), rules.max_hold))
                {
                    Some(e) => Err(e),
                    None => Ok(events),
                }
            });
            let outcome = match decided {
                Ok(events) => {
                    let mut refs = Vec::with_capacity(events.len());
                    for event in events {
                        view.seq += 1;
                        view.apply(&event);
                        refs.push(SeqEventRef {
                            seq: view.seq,
                            kind: event.kind.name().into(),
                        });
                        batch
                            .events
                            .push(event_row(view.seq, &event, &now, rules.moves)?);
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
            batch.mutations.push(MutationRow {
                mutation_id: id.to_string(),
                client_id: job.client_id.clone(),
                client_seq: m.client_seq,
                action: m.command.action.name(),
                outcome: serde_json::to_string(&outcome)?,
            });
            if let (Some(client), Some(n)) = (&job.client_id, m.client_seq) {
                batch.clients.push((client.clone(), n));
            }
            known.insert(id, outcome.clone());
            outcomes.push(outcome);
        }
        all_outcomes.push(outcomes);
    }
    let availability = projections(&mut batch, view, &new_events)?;
    store.commit(batch).await?;
    Ok((
        all_outcomes,
        Committed {
            events: new_events,
            availability,
        },
    ))
}

/// An event as the store keeps it.
/// `moves`: whether a move between zones is a change for the regulator (the store sends
/// locations).
pub fn event_row(seq: i64, event: &Event, now: &str, moves: bool) -> anyhow::Result<EventRow> {
    Ok(EventRow {
        seq,
        body: serde_json::to_string(event)?,
        audit: crate::http::audit::audit_row(seq, now.to_owned(), event),
        // Every package the change touches, so a change in doubt or refused holds back each
        // one's later changes at the regulator.
        outbox_key: regulator_relevant(&event.kind, moves).then(|| {
            event
                .kind
                .packages()
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(" ")
        }),
        settles: match &event.kind {
            EventKind::RelayChangeSettled { seq, decision, .. } => Some((*seq, *decision)),
            _ => None,
        },
    })
}

/// Adds every package, product, hold and customer-day the new events touched to the batch;
/// returns the menu frames of the products whose availability may have changed.
fn projections(
    batch: &mut Batch,
    view: &View,
    events: &[SeqEvent],
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
            EventKind::HoldReleased { hold_id, .. } | EventKind::HoldAdvanced { hold_id, .. } => {
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
        batch.packages.push(PackageRow {
            id: id.to_string(),
            tag: p.tag.to_string(),
            product_id: p.product_id.to_string(),
            status: p.status.label(),
            zone: format!("{:?}", p.zone),
            quantity: p.quantity.amount.to_string(),
            held: p.held.to_string(),
            body: serde_json::to_string(p)?,
            changed_seq: *seq,
        });
    }
    let mut availability = Vec::with_capacity(products.len());
    for (id, seq) in &products {
        let Some(p) = view.state.products.get(id) else {
            continue;
        };
        batch.products.push(ProductRow {
            id: id.to_string(),
            sku: p.sku.clone(),
            category: format!("{:?}", p.category),
            available: view.available(*id).to_string(),
            body: serde_json::to_string(p)?,
            changed_seq: *seq,
        });
        if let Some(a) = crate::http::menu_feed::availability(view, *id) {
            availability.push((*seq, crate::http::menu_feed::frame(*seq, &a)));
        }
    }
    for id in holds {
        batch.holds.push(match view.state.holds.get(&id) {
            Some(h) => HoldRow::Active {
                hold_id: id.to_string(),
                customer: h.customer.to_string(),
                expires_at: h.expires_at.to_rfc3339(),
                body: serde_json::to_string(h)?,
            },
            None => HoldRow::Ended {
                hold_id: id.to_string(),
            },
        });
    }
    for c in customers {
        if let Some(day) = view.state.purchases.get(&c) {
            batch.purchases.push((
                c.to_string(),
                day.day.to_string(),
                serde_json::to_string(&day.lines)?,
            ));
        }
    }
    availability.sort_by_key(|(seq, _)| *seq);
    Ok(availability)
}
