//! The ledger writer: one task decides every command against the in-memory state and commits
//! whole batches of them in one SQLite transaction (group commit), events, projections, outbox and
//! mutation outcomes together. Readers share the state behind a read lock.

use std::{
    collections::{BTreeSet, HashMap},
    sync::Arc,
};

use domain::{
    reason_map::ReasonMap,
    wire::{Availability, Stock},
    zone_locations::ZoneLocations,
    Event, PackageId, PackageStatus, ProductId, State, Zone,
};
use futures_util::TryStreamExt;
use rust_decimal::Decimal;

use tokio::sync::{broadcast, mpsc, oneshot, RwLock};

mod writer;

pub use writer::event_row;
use writer::writer;

use crate::store::LedgerStore;

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

    /// A product's availability now, as the public menu shows it.
    pub fn availability(&self, product: ProductId) -> Option<Availability> {
        let p = self.state.products.get(&product)?;
        let available = self.available(product);
        Some(Availability {
            product_id: product,
            available: available.normalize(),
            stock: Stock::of(p.quantity_type, available),
        })
    }
}

pub use domain::wire::sync::{Outcome, SeqEvent, SeqEventRef, Submitted};

/// What a commit tells live subscribers.
#[derive(Debug)]
pub struct Committed {
    /// The new events.
    pub events: Vec<SeqEvent>,
    /// Availability of every product the commit touched, with the sequence number of its last
    /// change, computed under the commit's own view.
    pub availability: Vec<(i64, Availability)>,
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

/// The view of every stored event, folded as the rows arrive.
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
