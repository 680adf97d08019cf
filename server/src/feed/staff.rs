//! What a staff tablet follows: every committed event in ledger order (resumable by sequence
//! number without gaps), and, between them, each change of the regulator sync's health and of
//! the alerts.

use domain::wire::{sync::SeqEvent, SyncHealth};
use futures_util::Stream;
use tokio::sync::broadcast::error::RecvError;

use crate::{
    alerts::{Alert, Alerts},
    ledger::Ledger,
    regulator::outbox::Outbox,
    store::{EventStore, Store, StoreError},
};

/// One piece of news for a staff tablet.
#[derive(Debug)]
pub enum StaffNews {
    /// A committed event; its sequence number resumes the stream.
    Event(Box<SeqEvent>),
    /// The regulator sync's new state (not a ledger event: resuming ignores it).
    Health(SyncHealth),
    /// The alerts now, all of them.
    Alerts(Vec<Alert>),
}

/// Events after `resume` (or from now), then everything as it happens. Ends when the ledger
/// stops, or when a follower that fell behind cannot read what it missed.
pub async fn follow(
    ledger: &Ledger,
    store: &Store,
    outbox: &Outbox,
    alerts: &Alerts,
    resume: Option<i64>,
) -> Result<impl Stream<Item = StaffNews> + Send + 'static, StoreError> {
    let mut rx = ledger.subscribe();
    let now = ledger.view().await.seq;
    let mut sent = resume.unwrap_or(now);
    let backlog = if sent < now {
        store.events_after(sent, now).await?
    } else {
        vec![]
    };
    let store = store.clone();
    let mut health = outbox.watch_health();
    health.mark_unchanged();
    let mut alerts = alerts.subscribe();
    alerts.mark_unchanged();
    Ok(async_stream::stream! {
        for e in backlog {
            sent = e.seq;
            yield StaffNews::Event(Box::new(e));
        }
        loop {
            let next = tokio::select! {
                c = rx.recv() => c,
                changed = health.changed() => {
                    if changed.is_err() {
                        break;
                    }
                    let h = health.borrow_and_update().clone();
                    yield StaffNews::Health(h);
                    continue;
                }
                changed = alerts.changed() => {
                    if changed.is_err() {
                        break;
                    }
                    let a = alerts.borrow_and_update().clone();
                    yield StaffNews::Alerts(a);
                    continue;
                }
            };
            match next {
                Ok(c) => {
                    let from = sent;
                    for e in c.events.iter().filter(|e| e.seq > from) {
                        sent = e.seq;
                        yield StaffNews::Event(Box::new(e.clone()));
                    }
                }
                Err(RecvError::Lagged(_)) => {
                    // Fell behind the broadcast: read what was missed from the ledger itself.
                    match store.events_after(sent, i64::MAX).await {
                        Ok(missed) => for e in missed {
                            sent = e.seq;
                            yield StaffNews::Event(Box::new(e));
                        },
                        Err(err) => {
                            tracing::error!(error = ?err, "staff stream could not catch up");
                            break;
                        }
                    }
                }
                Err(RecvError::Closed) => break,
            }
        }
    })
}
