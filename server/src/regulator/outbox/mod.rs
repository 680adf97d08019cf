//! The outbox worker: drains regulator-relevant events in order per package, maps each to Metrc
//! calls, and makes every write land exactly once. After a write whose answer was lost it reads
//! the regulator back (the receipt by our number, the package's quantity or tag) before retrying.
//!
//! Every change of a row's state is itself a database write whose failure stops the pass: the
//! worker never claims at the regulator, or in sync health, what it has not recorded.

use std::{
    collections::HashSet,
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc,
    },
    time::Duration,
};

use domain::Event;
use metrc::{wire::MAX_OBJECTS, MetrcClient, MetrcError};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use tokio::sync::{watch, RwLock};

mod rows;
mod settle;

use super::{mapping, RelayError};
use crate::{
    ledger::Ledger,
    store::{OutboxEntry, OutboxStore, RowState, Store, StoreError},
};
pub use domain::wire::{SyncHealth, SyncState};

/// Shared handle to the worker's state.
///
/// A row's state: `pending` (never sent) -> `sending` (written down just before its request goes
/// out) -> `done`; a refusal that proves nothing landed puts it back to `pending`, a lost answer
/// makes it `uncertain`. `sending` and `uncertain` rows are read back before any retry, so even a
/// process killed mid-request sends nothing twice.
#[derive(Clone)]
pub struct Outbox {
    store: Store,
    ledger: Ledger,
    client: Arc<RwLock<Option<MetrcClient>>>,
    health: Arc<watch::Sender<SyncHealth>>,
    wake: Arc<tokio::sync::Notify>,
    /// Set when a state write failed, cleared by the next that succeeds: until then health keeps
    /// saying so, whatever else the regulator answers meanwhile.
    store_failing: Arc<AtomicBool>,
}

#[derive(Debug, Serialize, Deserialize)]
struct Expect {
    /// The package's quantity at the regulator before an adjustment was sent.
    before: Option<Decimal>,
}

/// One outbox row about to be sent.
struct Pending {
    id: i64,
    /// Every package the change touches: a later change of any of them waits behind it.
    keys: Vec<String>,
    event: Event,
    /// Whether an earlier attempt may have reached the regulator (`sending` or `uncertain` when
    /// this pass began): such a row is read back, never put back to `pending`.
    in_doubt: bool,
}

/// Packages whose later changes wait this pass: behind a refused change, or one in doubt, so a
/// read-back sees only the change it settles.
#[derive(Default)]
struct Blocked(HashSet<String>);

impl Blocked {
    /// Whether a change touching `keys` must wait.
    fn holds(&self, keys: &[String]) -> bool {
        keys.iter().any(|k| self.0.contains(k))
    }

    /// Makes later changes of these packages wait.
    fn add(&mut self, keys: &[String]) {
        self.0.extend(keys.iter().cloned());
    }
}

/// The packages an outbox row's key names (space-separated; rows written before multi-package
/// keys name one).
pub(crate) fn package_keys(key: &str) -> impl Iterator<Item = &str> {
    key.split_whitespace()
}

fn keys_of(key: &str) -> Vec<String> {
    package_keys(key).map(str::to_owned).collect()
}

/// How long a pass waits after the outbox could not record its own progress.
const STORE_RETRY: Duration = Duration::from_secs(2);

impl Outbox {
    /// A worker for this ledger; it calls the regulator once a client is set.
    pub fn new(store: Store, ledger: Ledger, client: Option<MetrcClient>) -> Self {
        let health = match &client {
            Some(_) => SyncHealth::new(
                SyncState::Healthy,
                "waiting for the first change",
                chrono::Utc::now(),
            ),
            None => SyncHealth::new(
                SyncState::NotConfigured,
                "no regulator connection is configured",
                chrono::Utc::now(),
            ),
        };
        Self {
            store,
            ledger,
            client: Arc::new(RwLock::new(client)),
            health: Arc::new(watch::channel(health).0),
            wake: Arc::default(),
            store_failing: Arc::default(),
        }
    }

    /// Replaces the credentials (a manager saved a new key); parked auth failures resume.
    pub async fn set_client(&self, client: MetrcClient) {
        *self.client.write().await = Some(client);
        self.set_health(SyncState::Healthy, "new credentials saved");
        self.wake.notify_one();
    }

    /// The client in use, when one is configured.
    pub async fn client(&self) -> Option<MetrcClient> {
        self.client.read().await.clone()
    }

    /// The current health.
    pub fn health(&self) -> SyncHealth {
        self.health.borrow().clone()
    }

    /// Notified whenever the state changes (not on every new wording of the same cause).
    pub fn watch_health(&self) -> watch::Receiver<SyncHealth> {
        self.health.subscribe()
    }

    fn set_health(&self, state: SyncState, cause: impl Into<String>) {
        if state != SyncState::StoreFailed && self.store_failing.load(Ordering::SeqCst) {
            return;
        }
        let cause = cause.into();
        self.health.send_if_modified(|h| {
            if h.state != state {
                *h = SyncHealth::new(state, cause, chrono::Utc::now());
                true
            } else {
                h.cause = cause;
                false
            }
        });
    }

    /// The outbox could not read or record its own state: say so and stop this pass.
    fn store_failed(&self, e: &StoreError) -> Duration {
        tracing::error!(error = %e, "the outbox could not record its progress");
        self.store_failing.store(true, Ordering::SeqCst);
        self.set_health(
            SyncState::StoreFailed,
            format!("the outbox could not record its progress in the database: {e}"),
        );
        STORE_RETRY
    }

    /// Runs forever: drains, then waits for new rows or a short pause.
    pub fn spawn(self) {
        tokio::spawn(async move {
            let mut commits = self.ledger.subscribe();
            loop {
                let pause = match self.drain_once().await {
                    Ok(0) => Duration::from_secs(2),
                    Ok(_) => Duration::ZERO,
                    Err(wait) => wait,
                };
                if !pause.is_zero() {
                    tokio::select! {
                        _ = tokio::time::sleep(pause) => {}
                        _ = commits.recv() => {}
                        _ = self.wake.notified() => {}
                    }
                }
            }
        });
    }

    /// One pass over pending rows in order. Returns how many were settled, or how long to wait.
    pub async fn drain_once(&self) -> Result<usize, Duration> {
        let Some(client) = self.client.read().await.clone() else {
            return Err(Duration::from_secs(5));
        };
        // The regulator refused the key: nothing more is sent until a manager saves a new one
        // (`set_client` clears this state and wakes the worker).
        if self.health().state == SyncState::AuthFailed {
            return Err(Duration::from_secs(30));
        }
        // A package's changes stay in order: behind a refused change, or one in doubt, every later
        // change of its packages waits, and so, in turn, does every later change of theirs.
        let mut blocked = Blocked::default();
        let mut settled = 0;
        // Sales never sent before travel together, up to Metrc's 10 objects per call.
        let mut sales: Vec<Pending> = Vec::new();
        // Page by page, so changes held back in front never hide the rest of the store.
        let mut after = 0_i64;
        loop {
            let rows = self
                .store
                .outbox_page(after, 200)
                .await
                .map_err(|e| self.store_failed(&e))?;
            let Some(last) = rows.last() else { break };
            after = last.id;
            self.drain_rows(&client, rows, &mut blocked, &mut sales, &mut settled)
                .await?;
        }
        self.send_sales(&client, &mut sales, &mut blocked, &mut settled)
            .await?;
        let state = self.health().state;
        if settled > 0
            && matches!(
                state,
                SyncState::AuthFailed
                    | SyncState::RateLimited
                    | SyncState::RegulatorDown
                    | SyncState::StoreFailed
            )
        {
            self.set_health(SyncState::Healthy, "changes are reaching the regulator");
        }
        Ok(settled)
    }

    /// Settles one page of outbox rows in order, carrying what is blocked and the sales waiting
    /// to travel together into the next page.
    async fn drain_rows(
        &self,
        client: &MetrcClient,
        rows: Vec<OutboxEntry>,
        blocked: &mut Blocked,
        sales: &mut Vec<Pending>,
        settled: &mut usize,
    ) -> Result<(), Duration> {
        let now = chrono::Utc::now();
        for r in rows {
            let id = r.id;
            let keys = keys_of(&r.package_key);
            let held = r.not_before.is_some_and(|t| t > now);
            // Refused, held back until later (a posting window), or behind one that is: the
            // packages' later changes wait behind it.
            if r.state == RowState::Parked || held || blocked.holds(&keys) {
                blocked.add(&keys);
                continue;
            }
            // `sending` left over from a pass that never heard back (or a crash) is in doubt too.
            let in_doubt = r.state != RowState::Pending;
            let expect: Option<Expect> = r
                .expect
                .as_deref()
                .and_then(|s| serde_json::from_str(s).ok());
            let event = match serde_json::from_str::<Event>(&r.body) {
                Ok(event) => event,
                Err(e) => {
                    self.park(id, &format!("the event could not be read: {e}"))
                        .await
                        .map_err(|e| self.store_failed(&e))?;
                    blocked.add(&keys);
                    continue;
                }
            };
            let row = Pending {
                id,
                keys,
                event,
                in_doubt,
            };
            if !in_doubt && mapping::is_sale(&row.event) {
                sales.push(row);
                if sales.len() == MAX_OBJECTS {
                    self.send_sales(client, sales, blocked, settled).await?;
                }
                continue;
            }
            // Whatever comes next may touch a package one of the waiting sales sold from.
            self.send_sales(client, sales, blocked, settled).await?;
            if blocked.holds(&row.keys) {
                blocked.add(&row.keys);
                continue;
            }
            match self.sync_one(client, &row, expect).await {
                Ok(ids) => {
                    self.done(row.id, &ids)
                        .await
                        .map_err(|e| self.store_failed(&e))?;
                    *settled += 1;
                }
                Err(e) => self.failed(e, &[row], blocked).await?,
            }
        }
        Ok(())
    }

    /// Records first-time sales in one call; a row the regulator names as invalid is parked and
    /// the rest are sent again without it.
    async fn send_sales(
        &self,
        c: &MetrcClient,
        batch: &mut Vec<Pending>,
        blocked: &mut Blocked,
        settled: &mut usize,
    ) -> Result<(), Duration> {
        let mut todo = std::mem::take(batch);
        while !todo.is_empty() {
            // One read of the ledger for the batch, let go before anything is written.
            let mapped: Vec<_> = {
                let view = self.ledger.view().await;
                let mut ready = Vec::new();
                for row in todo.drain(..) {
                    if blocked.holds(&row.keys) {
                        blocked.add(&row.keys);
                    } else {
                        ready.push((mapping::receipt(&view.state, &row.event), row));
                    }
                }
                ready
            };
            let mut rows = Vec::new();
            let mut bodies = Vec::new();
            for (body, row) in mapped {
                // A row refused just now blocks its package's later sales in this batch.
                if blocked.holds(&row.keys) {
                    blocked.add(&row.keys);
                    continue;
                }
                match body {
                    Ok(body) => {
                        bodies.push(body);
                        rows.push(row);
                    }
                    Err(e) => self.failed(e, &[row], blocked).await?,
                }
            }
            if rows.is_empty() {
                break;
            }
            let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
            // Not written down as sent, not sent: a crash now must not leave a sale unread-back.
            self.mark_sending(&ids)
                .await
                .map_err(|e| self.store_failed(&e))?;
            match c.record_receipts(&bodies).await {
                Ok(reg_ids) => {
                    for (k, row) in rows.iter().enumerate() {
                        let id = reg_ids.get(k).copied().into_iter().collect::<Vec<_>>();
                        // A row not recorded as done stays `sending` and is read back later.
                        self.done(row.id, &id)
                            .await
                            .map_err(|e| self.store_failed(&e))?;
                        *settled += 1;
                    }
                }
                Err(MetrcError::Validation { rows: refused }) if rows.len() > 1 => {
                    // Nothing of a refused call landed: park the rows named, resend the others.
                    self.unsend(&ids).await.map_err(|e| self.store_failed(&e))?;
                    let mut named = HashSet::new();
                    for r in &refused {
                        if let Some(row) = rows.get(r.row) {
                            named.insert(r.row);
                            let e = MetrcError::Validation {
                                rows: vec![metrc::wire::RowError {
                                    row: 0,
                                    message: r.message.clone(),
                                }],
                            };
                            self.failed(e.into(), std::slice::from_ref(row), blocked)
                                .await?;
                        }
                    }
                    if named.is_empty() {
                        // The regulator named no row: send each alone to find the one it means.
                        for row in rows {
                            *batch = vec![row];
                            Box::pin(self.send_sales(c, batch, blocked, settled)).await?;
                        }
                        return Ok(());
                    }
                    todo = rows
                        .into_iter()
                        .enumerate()
                        .filter(|(k, _)| !named.contains(k))
                        .map(|(_, r)| r)
                        .collect();
                }
                Err(e) => return self.failed(e.into(), &rows, blocked).await,
            }
        }
        Ok(())
    }

    /// Settles what a failed change means for its rows. `Err` stops this pass for that long.
    async fn failed(
        &self,
        e: RelayError,
        rows: &[Pending],
        blocked: &mut Blocked,
    ) -> Result<(), Duration> {
        // Only rows this pass wrote down as `sending` may go back: a row already in doubt before
        // stays in doubt until the regulator is read.
        let fresh: Vec<i64> = rows.iter().filter(|r| !r.in_doubt).map(|r| r.id).collect();
        let unsend = |ids: Vec<i64>| async move {
            self.unsend(&ids).await.map_err(|e| self.store_failed(&e))
        };
        match e {
            RelayError::Metrc(
                m @ (MetrcError::Unauthorized { .. } | MetrcError::Forbidden { .. }),
            ) => {
                unsend(fresh).await?;
                self.set_health(SyncState::AuthFailed, m.to_string());
                Err(Duration::from_secs(30))
            }
            RelayError::Metrc(MetrcError::RateLimited { retry_after }) => {
                unsend(fresh).await?;
                self.set_health(
                    SyncState::RateLimited,
                    format!("asked to wait {} s", retry_after.as_secs()),
                );
                Err(retry_after)
            }
            RelayError::Metrc(MetrcError::Transport(why)) => {
                // Nothing reached the regulator.
                unsend(fresh).await?;
                self.set_health(
                    SyncState::RegulatorDown,
                    format!("the regulator does not answer: {why}"),
                );
                Err(Duration::from_secs(2))
            }
            RelayError::Metrc(m @ MetrcError::Server { .. }) => {
                // A 5xx may follow a commit: rows already `sending` stay so and are read back.
                self.set_health(
                    SyncState::RegulatorDown,
                    format!("the regulator does not answer: {m}"),
                );
                Err(Duration::from_secs(2))
            }
            RelayError::Metrc(MetrcError::AnswerLost) => {
                let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
                self.mark_uncertain(&ids)
                    .await
                    .map_err(|e| self.store_failed(&e))?;
                for r in rows {
                    blocked.add(&r.keys);
                }
                Ok(())
            }
            RelayError::Store(e) => Err(self.store_failed(&e)),
            e @ (RelayError::Metrc(MetrcError::Validation { .. } | MetrcError::NotFound)
            | RelayError::Mapping(_)
            | RelayError::Ledger(_)
            | RelayError::Conflict(_)) => {
                let message = e.to_string();
                for row in rows {
                    // Park first: health must never name a cause the outbox does not show yet.
                    self.park(row.id, &message)
                        .await
                        .map_err(|e| self.store_failed(&e))?;
                    blocked.add(&row.keys);
                }
                if matches!(e, RelayError::Mapping(_)) {
                    self.set_health(SyncState::MappingError, message);
                }
                Ok(())
            }
        }
    }
}
