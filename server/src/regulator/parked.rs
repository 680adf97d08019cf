//! Changes the regulator refused, as a manager sees them: what each was, why it was refused, and
//! how many later changes of the same packages wait behind it. A manager's decision on one is a
//! ledger event (`SettleRelay`), so it is in the audit trail; the store applies it to the outbox
//! row in the same write.

use std::collections::HashSet;

use chrono::Utc;
use domain::{
    relay::{describe, tag},
    State,
};

use super::outbox::package_keys;
use crate::store::{OutboxStore, RowState, StoreError};

pub use domain::relay::{ParkedChange, ParkedList};

/// What a person can do about any refusal: the relay reads the regulator back before it sends
/// again, so "send again" never records twice what already landed.
pub const REMEDY: &str = "Look the change up at the regulator. If it is not there, fix what the reason names (a product's regulator item, a reason mapping, the package) and send it again; if it is there, mark it done with a note of what you saw.";

/// How many of `rows` (in order) wait behind the packages in `held`, directly or behind a change
/// that waits. Refused rows are not counted (they are listed themselves); with `every_refusal`,
/// each one holds its packages back too.
fn held_behind<'a>(
    rows: &'a [(i64, String, RowState)],
    mut held: HashSet<&'a str>,
    every_refusal: bool,
) -> usize {
    let mut n = 0;
    for (_, key, state) in rows {
        let parked = *state == RowState::Parked;
        let behind = package_keys(key).any(|p| held.contains(p));
        if behind || (every_refusal && parked) {
            held.extend(package_keys(key));
        }
        n += usize::from(behind && !parked);
    }
    n
}

/// Every refused change, oldest first, with how many later changes wait behind each and behind
/// all of them.
pub async fn list(store: &impl OutboxStore, state: &State) -> Result<ParkedList, StoreError> {
    let parked = store.parked_rows().await?;
    if parked.is_empty() {
        return Ok(ParkedList::default());
    }
    let rows = store.unsettled().await?;
    let mut changes = Vec::with_capacity(parked.len());
    for r in parked {
        let later = &rows[rows.partition_point(|(other, _, _)| *other <= r.id)..];
        let waiting_behind = held_behind(later, package_keys(&r.package_key).collect(), false);
        let event = r.event.as_ref();
        changes.push(ParkedChange {
            seq: r.seq,
            at: event.map_or_else(Utc::now, |e| e.at),
            kind: r.kind,
            what: event.map_or_else(
                || "a change whose record could not be read".into(),
                |e| describe(state, &e.kind),
            ),
            packages: event.map_or_else(Vec::new, |e| {
                e.kind.packages().iter().map(|p| tag(state, p)).collect()
            }),
            remedy: REMEDY.into(),
            reason: r
                .last_error
                .unwrap_or_else(|| "no reason was recorded".into()),
            attempts: r.attempts,
            waiting_behind,
        });
    }
    Ok(ParkedList {
        changes,
        waiting_behind: held_behind(&rows, HashSet::new(), true),
    })
}

/// How many changes not yet sent wait behind some refused change of one of their packages.
pub async fn waiting_behind_any(store: &impl OutboxStore) -> Result<usize, StoreError> {
    Ok(held_behind(&store.unsettled().await?, HashSet::new(), true))
}
