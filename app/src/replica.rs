//! The tablet's picture of the store: the confirmed state from the server with the tablet's own
//! pending commands replayed on top. It starts from IndexedDB before any network call, then pulls
//! since its cursor, pushes its outbox and follows the staff stream live.

use std::sync::Arc;

use domain::{
    decide,
    wire::sync::{Outcome, Snapshot, Submitted},
    Action, Command, DeviceId, DomainError, EventKind, MutationId, State,
};
use indexed_db_futures::database::Database;
use leptos::prelude::*;
use wasm_bindgen::{closure::Closure, JsCast};

use crate::{
    api::{self, SyncFailure},
    local::{self, Client, Refused},
    session::{use_session, Session},
};

/// How the tablet stands with the server.
#[derive(Clone, Debug, PartialEq)]
pub enum Net {
    /// Reading the tablet's own copy.
    Starting,
    /// Everything sent and received.
    Online,
    /// Sending or receiving now.
    Syncing,
    /// The server cannot be reached; changes wait on the tablet.
    Offline,
    /// The session ended; changes wait until someone signs in.
    SignedOut,
    /// The server answered with an error.
    Failing(String),
}

/// The shared replica (a `Copy` handle into the reactive arena).
#[derive(Clone, Copy)]
pub struct Replica {
    confirmed: StoredValue<Option<Arc<State>>>,
    cursor: StoredValue<i64>,
    db: StoredValue<Option<Database>, LocalStorage>,
    busy: StoredValue<bool>,
    loaded: StoredValue<bool>,
    again: StoredValue<bool>,
    queued: StoredValue<u32>,
    /// This tablet's sync name and next number (from its database, or minted for this visit).
    client: StoredValue<Client>,
    /// The last of this tablet's numbers the server has processed, as the last pull said: those
    /// commands are in the confirmed state (or refused), so they are not replayed over it.
    processed: StoredValue<i64>,
    session: Session,
    /// Confirmed state with the outbox replayed on top; `None` until something is known.
    pub view: RwSignal<Option<Arc<State>>>,
    /// Packages a pending command touches (shown as "Pending").
    pub pending: RwSignal<std::collections::HashSet<domain::PackageId>>,
    /// Commands waiting for the server, each with this tablet's number for it, oldest first.
    pub outbox: RwSignal<Vec<Submitted>>,
    /// Commands the server refused, waiting for a person.
    pub attention: RwSignal<Vec<Refused>>,
    /// Connection state.
    pub net: RwSignal<Net>,
    /// A storage problem worth showing (the tablet still works from memory).
    pub problem: RwSignal<Option<String>>,
    /// What needs a manager now, as the server last said (fetched on sign-in, then live).
    pub alerts: RwSignal<Vec<domain::alerts::Alert>>,
}

/// This tablet's device id, minted once and kept in local storage.
pub fn device_id() -> DeviceId {
    let storage = web_sys::window().and_then(|w| w.local_storage().ok().flatten());
    if let Some(id) = storage
        .as_ref()
        .and_then(|s| s.get_item("pistil.device").ok().flatten())
        .and_then(|v| v.parse().ok())
    {
        return id;
    }
    let id = DeviceId::new();
    if let Some(s) = storage {
        let _ = s.set_item("pistil.device", &id.to_string());
    }
    id
}

impl Replica {
    /// Creates the replica, loads the tablet's copy and starts syncing.
    pub fn provide() -> Self {
        if let Some(p) = web_sys::window().and_then(|w| w.performance()) {
            let _ = p.mark("pistil:app-start");
        }
        let r = Replica {
            confirmed: StoredValue::new(None),
            cursor: StoredValue::new(0),
            db: StoredValue::new_local(None),
            busy: StoredValue::new(false),
            loaded: StoredValue::new(false),
            again: StoredValue::new(false),
            queued: StoredValue::new(0),
            client: StoredValue::new(Client::mint()),
            processed: StoredValue::new(0),
            session: use_session(),
            view: RwSignal::new(None),
            pending: RwSignal::new(Default::default()),
            outbox: RwSignal::new(Vec::new()),
            attention: RwSignal::new(Vec::new()),
            net: RwSignal::new(Net::Starting),
            problem: RwSignal::new(None),
            alerts: RwSignal::new(Vec::new()),
        };
        provide_context(r);
        leptos::task::spawn_local(async move {
            r.start().await;
        });
        r.listen();
        r
    }

    async fn start(self) {
        let timing = Timing::start("pistil:cache-load");
        match local::open().await {
            Ok(db) => {
                match local::client(&db).await {
                    Ok(c) => self.client.set_value(c),
                    Err(e) => self.problem.set(Some(e)),
                }
                match local::load(&db).await {
                    Ok(Some(cached)) => {
                        self.cursor.set_value(cached.cursor);
                        self.confirmed
                            .set_value(Some(Arc::new(cached.snapshot.into_state())));
                        self.outbox.set(cached.outbox);
                        self.attention.set(cached.attention);
                        self.recompute();
                    }
                    Ok(None) => {}
                    Err(e) => self.problem.set(Some(e)),
                }
                self.db.set_value(Some(db));
            }
            Err(e) => self.problem.set(Some(e)),
        }
        timing.end();
        self.loaded.set_value(true);
        self.sync().await;
    }

    /// Rebuilds the view: confirmed state, then each pending command decided and applied on top.
    /// A pending command the current state refuses is skipped here; the server will say why.
    fn recompute(&self) {
        let mut pending = std::collections::HashSet::new();
        let view = self.confirmed.with_value(|c| {
            c.as_ref().map(|c| {
                // Nothing pending: the view is the confirmed state itself, not a copy of it.
                if self.outbox.with_untracked(Vec::is_empty) {
                    return Arc::clone(c);
                }
                let mut s = State::clone(c);
                let processed = self.processed.get_value();
                self.outbox.with_untracked(|out| {
                    let waiting = out
                        .iter()
                        .filter(|q| q.client_seq.is_none_or(|n| n > processed));
                    for Submitted { command: cmd, .. } in waiting {
                        if let Ok(events) = decide(&s, cmd) {
                            for e in &events {
                                pending.extend(e.kind.packages());
                                s.apply(e);
                            }
                        }
                    }
                });
                Arc::new(s)
            })
        });
        self.pending.set(pending);
        self.view.set(view);
    }

    /// Today in the store's time zone: the law's day, whichever zone the tablet's clock is set to
    /// (the UTC date until the tablet holds the store's configuration).
    pub fn today(&self) -> chrono::NaiveDate {
        let now = now();
        self.view.with_untracked(|v| {
            v.as_ref()
                .map_or(now.date_naive(), |s| s.config.day_of(now))
        })
    }

    /// Whether the tablet has anything to show yet.
    pub fn ready(&self) -> bool {
        self.view.with(|v| v.is_some())
    }

    /// Who acts on this tablet: the signed-in person (the server sets it again from the session).
    pub fn actor(&self) -> domain::UserId {
        self.session
            .user
            .with_untracked(|u| u.as_ref().map(|u| u.id))
            .unwrap_or(domain::UserId::from_u128(0))
    }

    /// Decides `action` against what the tablet shows; when allowed, queues it (on disk first)
    /// and returns at once. The server's verdict arrives with the next sync.
    pub async fn submit(&self, action: Action) -> Result<MutationId, DomainError> {
        let actor = self.actor();
        let cmd = Command {
            mutation_id: MutationId::new(),
            actor,
            device: device_id(),
            at: now(),
            action,
        };
        if let Some(view) = self.view.get_untracked() {
            decide(&view, &cmd)?;
        }
        let n = self.queued.get_value() + 1;
        self.queued.set_value(n);
        let order = (js_sys::Date::now() as i64, n);
        // The number is taken before the first await, so two quick taps never share one.
        let mut client = self.client.get_value();
        let queued = Submitted {
            client_seq: Some(client.next),
            command: cmd,
        };
        client.next += 1;
        self.client.set_value(client.clone());
        if let Some(db) = self.db.get_value() {
            if let Err(e) = local::outbox_put(&db, &queued, &client, order).await {
                self.problem.set(Some(e));
            }
        }
        let id = queued.command.mutation_id;
        self.outbox.update(|o| o.push(queued));
        self.recompute();
        let me = *self;
        leptos::task::spawn_local(async move { me.sync().await });
        Ok(id)
    }

    /// Sends a refused command again, as a new command (after a person edited or reconsidered it).
    pub async fn resend(&self, refused: &Refused) -> Result<MutationId, DomainError> {
        let id = self.submit(refused.command.action.clone()).await?;
        self.discard(refused).await;
        Ok(id)
    }

    /// Forgets a refused command.
    pub async fn discard(&self, refused: &Refused) {
        if let Some(db) = self.db.get_value() {
            if let Err(e) = local::attention_delete(&db, &refused.command).await {
                self.problem.set(Some(e));
            }
        }
        self.attention
            .update(|a| a.retain(|r| r.command.mutation_id != refused.command.mutation_id));
    }

    /// Pushes the outbox, then pulls what changed. One at a time; a request made meanwhile runs
    /// once the current one ends.
    pub async fn sync(&self) {
        if !self.loaded.get_value() || !self.session.checked.get_untracked() {
            // The first sync waits for the tablet's own copy and the session check.
            return;
        }
        if self.session.user.with_untracked(Option::is_none) {
            self.net.set(Net::SignedOut);
            return;
        }
        if self.busy.get_value() {
            self.again.set_value(true);
            return;
        }
        self.busy.set_value(true);
        loop {
            self.again.set_value(false);
            let result = self.sync_once().await;
            self.net.set(match result {
                Ok(()) => Net::Online,
                Err(SyncFailure::Offline) => Net::Offline,
                Err(SyncFailure::SignedOut) => Net::SignedOut,
                Err(SyncFailure::Server(m)) => Net::Failing(m),
            });
            if !self.again.get_value() || !matches!(self.net.get_untracked(), Net::Online) {
                break;
            }
        }
        self.busy.set_value(false);
    }

    async fn sync_once(&self) -> Result<(), SyncFailure> {
        self.net.set(Net::Syncing);
        let pending = self.outbox.get_untracked();
        let client_id = self.client.with_value(|c| c.client_id.clone());
        let outcomes = if pending.is_empty() {
            Vec::new()
        } else {
            api::push(&client_id, pending.clone()).await?
        };
        // Pull before settling, so a change never vanishes from the screen between the two.
        let res = api::pull(self.cursor.get_value(), &client_id).await?;
        self.processed.set_value(res.last_mutation_id);
        let db = self.db.get_value();
        if let Some(snapshot) = res.snapshot {
            self.replace(snapshot, res.cursor, db.as_ref()).await;
        } else if !res.events.is_empty() {
            let mut touched_packages = Vec::new();
            let mut touched_products = Vec::new();
            self.confirmed.update_value(|c| {
                // Copies only while a view still shares the old state.
                let s = Arc::make_mut(c.get_or_insert_with(Default::default));
                for e in &res.events {
                    s.apply(&e.event);
                    touched_packages.extend(e.event.kind.packages());
                    if let EventKind::ProductDefined { product } = &e.event.kind {
                        touched_products.push(product.id);
                    }
                }
            });
            self.cursor.set_value(res.cursor);
            if let Some(db) = &db {
                // Rewrite the buckets of the packages that changed, whole.
                let touched: std::collections::HashSet<u32> =
                    touched_packages.iter().map(local::bucket).collect();
                if let Some(st) = self.confirmed.get_value() {
                    let products: Vec<&domain::Product> = touched_products
                        .iter()
                        .filter_map(|id| st.products.get(id))
                        .collect();
                    let buckets = local::buckets(st.packages.values(), Some(&touched));
                    let open = local::Open {
                        holds: st.holds.values().cloned().collect(),
                        counts: open_counts(&st),
                    };
                    let r =
                        local::save(db, res.cursor, &products, &buckets, &st.config, open, false)
                            .await;
                    if let Err(e) = r {
                        self.problem.set(Some(e));
                    }
                }
            }
        }
        // Settle what the server answered: accepted commands are in the confirmed state now.
        let mut accepted = Vec::new();
        let mut refused = Vec::new();
        // Outcomes come in the order sent; each answers the command at its place (a number sent
        // again is answered with the outcome of the command first sent under it).
        for (q, o) in pending.iter().zip(outcomes) {
            match o {
                Outcome::Applied { .. } => accepted.push(q.command.clone()),
                Outcome::Rejected { error, .. } => refused.push(Refused {
                    command: q.command.clone(),
                    error,
                }),
            }
        }
        if !accepted.is_empty() || !refused.is_empty() {
            if let Some(db) = &db {
                if let Err(e) = local::settle(db, &accepted, &refused).await {
                    self.problem.set(Some(e));
                }
            }
            let settled: Vec<MutationId> = accepted
                .iter()
                .map(|c| c.mutation_id)
                .chain(refused.iter().map(|r| r.command.mutation_id))
                .collect();
            self.outbox
                .update(|o| o.retain(|q| !settled.contains(&q.command.mutation_id)));
            self.attention.update(|a| a.extend(refused));
        }
        self.recompute();
        Ok(())
    }

    /// Takes a whole snapshot as the confirmed state. The screen shows it first; the tablet's copy
    /// is written after, so a first sign-in does not wait on IndexedDB to show the shelf (a copy
    /// cut short by a closed tab keeps the older cursor and is pulled again whole).
    async fn replace(&self, snapshot: Snapshot, cursor: i64, db: Option<&Database>) {
        let st = Arc::new(snapshot.into_state());
        self.cursor.set_value(cursor);
        self.confirmed.set_value(Some(Arc::clone(&st)));
        self.recompute();
        if let Some(db) = db {
            let timing = Timing::start("pistil:cache-refresh");
            let open = local::Open {
                holds: st.holds.values().cloned().collect(),
                counts: open_counts(&st),
            };
            let r = local::save(
                db,
                cursor,
                &st.products.values().collect::<Vec<_>>(),
                &local::buckets(st.packages.values(), None),
                &st.config,
                open,
                true,
            )
            .await;
            timing.end();
            if let Err(e) = r {
                self.problem.set(Some(e));
            }
        }
    }

    /// Follows the staff stream, the browser's online/offline events and a slow safety poll.
    fn listen(self) {
        let Some(window) = web_sys::window() else {
            return;
        };
        let kick = move || {
            leptos::task::spawn_local(async move { self.sync().await });
        };
        let on_online = Closure::<dyn Fn()>::new(kick);
        let _ =
            window.add_event_listener_with_callback("online", on_online.as_ref().unchecked_ref());
        on_online.forget();
        let on_offline = Closure::<dyn Fn()>::new(move || self.net.set(Net::Offline));
        let _ =
            window.add_event_listener_with_callback("offline", on_offline.as_ref().unchecked_ref());
        on_offline.forget();
        // The staff stream needs a session: it opens on sign-in and closes on sign-out.
        let stream = StoredValue::new_local(None::<web_sys::EventSource>);
        let session = self.session;
        Effect::new(move |_| {
            let signed_in = session.checked.get() && session.user.with(Option::is_some);
            if let Some(es) = stream.get_value() {
                es.close();
                stream.set_value(None);
            }
            if !signed_in {
                if session.checked.get_untracked() {
                    self.net.set(Net::SignedOut);
                }
                return;
            }
            kick();
            crate::tags::refresh_soon(session);
            // A change made on another tablet arrives on the stream; any event means "pull now".
            if let Ok(es) = web_sys::EventSource::new("/api/v1/events/stream") {
                let on_event = Closure::<dyn Fn()>::new(kick);
                for name in EventKind::NAMES {
                    let _ = es
                        .add_event_listener_with_callback(name, on_event.as_ref().unchecked_ref());
                }
                // Reconnected after a drop: catch up on what was missed.
                let _ =
                    es.add_event_listener_with_callback("open", on_event.as_ref().unchecked_ref());
                on_event.forget();
                let alerts = self.alerts;
                let on_alerts = Closure::<dyn Fn(web_sys::MessageEvent)>::new(
                    move |m: web_sys::MessageEvent| {
                        if let Some(list) = m
                            .data()
                            .as_string()
                            .and_then(|t| serde_json::from_str(&t).ok())
                        {
                            alerts.set(list);
                        }
                    },
                );
                let _ = es
                    .add_event_listener_with_callback("alerts", on_alerts.as_ref().unchecked_ref());
                on_alerts.forget();
                if session.allows(domain::account::Role::Manager) {
                    leptos::task::spawn_local(async move {
                        if let Ok(list) = api::alerts().await {
                            alerts.set(list);
                        }
                    });
                }
                stream.set_value(Some(es));
            }
        });
        let poll = Closure::<dyn Fn()>::new(move || {
            if !self.busy.get_value() {
                kick();
                crate::tags::refresh_soon(session);
            }
        });
        let _ = window.set_interval_with_callback_and_timeout_and_arguments_0(
            poll.as_ref().unchecked_ref(),
            15_000,
        );
        poll.forget();
    }
}

/// The counts still open, as the tablet keeps them between starts.
fn open_counts(s: &State) -> Vec<domain::wire::sync::OpenCount> {
    s.counts
        .iter()
        .filter(|(_, c)| c.is_open())
        .map(|(id, c)| domain::wire::sync::OpenCount {
            count_id: *id,
            session: c.clone(),
        })
        .collect()
}

/// A User Timing measure (visible in the browser's performance panel and to the benchmark).
struct Timing(&'static str);

impl Timing {
    fn start(name: &'static str) -> Self {
        if let Some(p) = web_sys::window().and_then(|w| w.performance()) {
            let _ = p.mark(&format!("{name}:start"));
        }
        Timing(name)
    }

    fn end(self) {
        if let Some(p) = web_sys::window().and_then(|w| w.performance()) {
            let _ = p.measure_with_start_mark(self.0, &format!("{}:start", self.0));
        }
    }
}

/// Now, from the browser's clock (wasm has no other).
pub fn now() -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp_millis(js_sys::Date::now() as i64).unwrap_or_default()
}

/// The replica from context.
pub fn use_replica() -> Replica {
    expect_context::<Replica>()
}
