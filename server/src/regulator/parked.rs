//! Changes the regulator refused, as a manager sees them: what each was, why it was refused, and
//! how many later changes of the same packages wait behind it. A manager's decision on one is a
//! ledger event (`SettleRelay`), so it is in the audit trail; the store applies it to the outbox
//! row in the same write.

use std::collections::HashSet;

use chrono::Utc;
use domain::{
    relay::{describe, tag},
    Event, State,
};
use sqlx::{Row, SqlitePool};

use super::outbox::package_keys;

pub use domain::relay::{ParkedChange, ParkedList};

/// What a person can do about any refusal: the relay reads the regulator back before it sends
/// again, so "send again" never records twice what already landed.
pub const REMEDY: &str = "Look the change up at the regulator. If it is not there, fix what the reason names (a product's regulator item, a reason mapping, the package) and send it again; if it is there, mark it done with a note of what you saw.";

/// Outbox rows not yet at the regulator, oldest first: id, package key, state.
async fn unsettled(pool: &SqlitePool) -> Result<Vec<(i64, String, String)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, package_key, state FROM outbox
         WHERE state IN ('pending', 'sending', 'uncertain', 'parked') ORDER BY id",
    )
    .fetch_all(pool)
    .await
}

/// How many of `rows` (in order) wait behind the packages in `held`, directly or behind a change
/// that waits. Refused rows are not counted (they are listed themselves); with `every_refusal`,
/// each one holds its packages back too.
fn held_behind<'a>(
    rows: &'a [(i64, String, String)],
    mut held: HashSet<&'a str>,
    every_refusal: bool,
) -> usize {
    let mut n = 0;
    for (_, key, state) in rows {
        let parked = state == "parked";
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
pub async fn list(pool: &SqlitePool, state: &State) -> Result<ParkedList, sqlx::Error> {
    let parked = sqlx::query(
        "SELECT o.id, o.seq, o.package_key, o.kind, o.last_error, o.attempts, e.body
         FROM outbox o JOIN events e ON e.seq = o.seq WHERE o.state = 'parked' ORDER BY o.id",
    )
    .fetch_all(pool)
    .await?;
    if parked.is_empty() {
        return Ok(ParkedList::default());
    }
    let rows = unsettled(pool).await?;
    let mut changes = Vec::with_capacity(parked.len());
    for r in parked {
        let id: i64 = r.get(0);
        let key: String = r.get(2);
        let later = &rows[rows.partition_point(|(other, _, _)| *other <= id)..];
        let waiting_behind = held_behind(later, package_keys(&key).collect(), false);
        let event = serde_json::from_str::<Event>(&r.get::<String, _>(6)).ok();
        let reason = r
            .get::<Option<String>, _>(4)
            .unwrap_or_else(|| "no reason was recorded".into());
        changes.push(ParkedChange {
            seq: r.get(1),
            at: event.as_ref().map_or_else(Utc::now, |e| e.at),
            kind: r.get(3),
            what: event.as_ref().map_or_else(
                || "a change whose record could not be read".into(),
                |e| describe(state, &e.kind),
            ),
            packages: event.as_ref().map_or_else(Vec::new, |e| {
                e.kind.packages().iter().map(|p| tag(state, p)).collect()
            }),
            remedy: REMEDY.into(),
            reason,
            attempts: r.get(5),
            waiting_behind,
        });
    }
    Ok(ParkedList {
        changes,
        waiting_behind: held_behind(&rows, HashSet::new(), true),
    })
}

/// Whether the change at this ledger sequence waits, refused, for a person.
pub async fn is_parked(pool: &SqlitePool, seq: i64) -> Result<bool, sqlx::Error> {
    let n: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE seq = ? AND state = 'parked'")
            .bind(seq)
            .fetch_one(pool)
            .await?;
    Ok(n > 0)
}

/// Whether any outbox row carries the change at this ledger sequence.
pub async fn exists(pool: &SqlitePool, seq: i64) -> Result<bool, sqlx::Error> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE seq = ?")
        .bind(seq)
        .fetch_one(pool)
        .await?;
    Ok(n > 0)
}

/// How many changes not yet sent wait behind some refused change of one of their packages.
pub async fn waiting_behind_any(pool: &SqlitePool) -> Result<usize, sqlx::Error> {
    Ok(held_behind(&unsettled(pool).await?, HashSet::new(), true))
}
