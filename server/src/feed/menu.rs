//! The public menu now, and its live stream: availability frames rendered once per commit and
//! shared by every customer following them. Never cost, vendor, package tags or quantities by
//! zone.

use std::{collections::BTreeSet, sync::Arc, time::Duration};

use bytes::Bytes;
use domain::{
    wire::{Availability, Menu, MenuItem, Stock},
    ProductId,
};
use futures_util::Stream;
use tokio::sync::broadcast::{self, error::RecvError};

use crate::{
    ledger::{Ledger, View},
    store::{EventStore, Store, StoreError},
};

/// A comment line this often keeps proxies and browsers from closing an idle stream.
const HEARTBEAT: Duration = Duration::from_secs(15);

/// Commits a slow follower may fall behind before it is sent the whole menu instead.
const BACKLOG: usize = 4096;

/// One commit's frames, or word that the relay itself fell behind the ledger.
enum Frames {
    /// Each touched product's availability as a complete Server-Sent-Events frame, with the
    /// sequence number of its change, and the commit's last sequence number.
    Changed {
        frames: Vec<(i64, Bytes)>,
        upto: i64,
    },
    /// Commits were missed: followers send everything as it is now.
    Missed,
}

/// The menu stream's relay: one task renders each commit's frames for every follower.
#[derive(Clone)]
pub struct MenuFeed {
    frames: broadcast::Sender<Arc<Frames>>,
}

impl MenuFeed {
    /// Follows the ledger's commits from now on.
    pub fn start(ledger: &Ledger) -> Self {
        let mut commits = ledger.subscribe();
        let (frames, _) = broadcast::channel(BACKLOG);
        let out = frames.clone();
        tokio::spawn(async move {
            loop {
                let next = match commits.recv().await {
                    // Nobody follows the menu: nothing to render. A follower arriving now reads
                    // a view that already holds this commit, so it misses nothing.
                    Ok(_) if out.receiver_count() == 0 => continue,
                    Ok(c) => Frames::Changed {
                        frames: c
                            .availability
                            .iter()
                            .map(|(seq, a)| (*seq, frame(*seq, a)))
                            .collect(),
                        upto: c.events.last().map_or(0, |e| e.seq),
                    },
                    Err(RecvError::Lagged(_)) => Frames::Missed,
                    Err(RecvError::Closed) => break,
                };
                // An error only says that the last follower left meanwhile.
                if out.send(Arc::new(next)).is_err() {
                    continue;
                }
            }
        });
        Self { frames }
    }

    /// The stream one customer follows: `ready` with the ledger position, the availability of
    /// every product changed since `resume` (so a reconnecting phone misses nothing), then each
    /// change as it commits, with a heartbeat when nothing changes.
    pub async fn follow(
        &self,
        ledger: &Ledger,
        store: &Store,
        resume: Option<i64>,
    ) -> Result<impl Stream<Item = Bytes> + Send + 'static, StoreError> {
        // Subscribe before reading the backlog so no commit falls between the two.
        let mut rx = self.frames.subscribe();
        let (backlog, mut sent_upto) = {
            let view = ledger.view().await;
            let changed: BTreeSet<ProductId> = match resume {
                Some(after) if after < view.seq => store
                    .events_after(after, view.seq)
                    .await?
                    .iter()
                    .flat_map(|e| e.event.kind.packages())
                    .filter_map(|id| view.state.packages.get(&id).map(|p| p.product_id))
                    .collect(),
                _ => BTreeSet::new(),
            };
            let backlog: Vec<Bytes> = changed
                .iter()
                .filter_map(|id| view.availability(*id))
                .map(|a| frame(view.seq, &a))
                .collect();
            (backlog, view.seq)
        };
        let ledger = ledger.clone();
        Ok(async_stream::stream! {
            yield Bytes::from(format!("id: {sent_upto}\nevent: ready\ndata: {sent_upto}\n\n"));
            for e in backlog {
                yield e;
            }
            let mut heartbeat = tokio::time::interval(HEARTBEAT);
            heartbeat.tick().await;
            loop {
                tokio::select! {
                    msg = rx.recv() => match msg.as_deref() {
                        Ok(Frames::Changed { frames, upto }) => {
                            for (seq, frame) in frames {
                                if *seq > sent_upto {
                                    yield frame.clone();
                                }
                            }
                            sent_upto = sent_upto.max(*upto);
                        }
                        Ok(Frames::Missed) | Err(RecvError::Lagged(_)) => {
                            // Too slow to keep up: everything as it is now instead of what was missed.
                            let view = ledger.view().await;
                            let all: Vec<Bytes> = view
                                .state
                                .products
                                .keys()
                                .filter_map(|id| view.availability(*id))
                                .map(|a| frame(view.seq, &a))
                                .collect();
                            let seq = view.seq;
                            drop(view);
                            for f in all {
                                yield f;
                            }
                            sent_upto = seq;
                        }
                        Err(RecvError::Closed) => break,
                    },
                    _ = heartbeat.tick() => yield Bytes::from_static(b": heartbeat\n\n"),
                }
            }
        })
    }
}

/// The menu now: products, accessories and cannabis alike, sorted by category and name.
pub async fn menu(ledger: &Ledger) -> Menu {
    let view = ledger.view().await;
    let mut items: Vec<MenuItem> = view
        .state
        .products
        .keys()
        .filter_map(|id| item(&view, *id))
        .collect();
    items.sort_by(|a, b| (a.category, &a.name).cmp(&(b.category, &b.name)));
    Menu {
        seq: view.seq,
        items,
        min_age: view.state.config.jurisdiction.min_age,
    }
}

/// A product as the public sees it.
fn item(view: &View, id: ProductId) -> Option<MenuItem> {
    let p = view.state.products.get(&id)?;
    let available = view.available(id);
    Some(MenuItem {
        product_id: id,
        name: p.name.clone(),
        brand: p.brand.clone(),
        category: p.category,
        strain: p.strain,
        thc_percent: p.thc_percent,
        cbd_percent: p.cbd_percent,
        price: p.price,
        unit: p.unit,
        available: available.normalize(),
        stock: Stock::of(p.quantity_type, available),
    })
}

/// One availability change as a complete Server-Sent-Events frame.
pub fn frame(seq: i64, a: &Availability) -> Bytes {
    let json = serde_json::to_string(a).unwrap_or_default();
    Bytes::from(format!("id: {seq}\nevent: availability\ndata: {json}\n\n"))
}
