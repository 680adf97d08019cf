//! The regulator outbox: one row per change the regulator must learn of, its state as the relay
//! moves it along, and the readings of it that health, reconciliation and reports make.

use std::{collections::HashMap, future::Future};

use chrono::{DateTime, Utc};
use domain::Event;
use sqlx::Row;

use super::{json, Store, StoreError};

/// Where an outbox row stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RowState {
    /// Never sent.
    Pending,
    /// Written down just before its request went out.
    Sending,
    /// Sent with no answer: read back before anything is sent again.
    Uncertain,
    /// Refused for a reason a person must fix.
    Parked,
    /// At the regulator.
    Done,
}

impl RowState {
    /// The word stored in the `state` column.
    pub fn as_str(self) -> &'static str {
        match self {
            RowState::Pending => "pending",
            RowState::Sending => "sending",
            RowState::Uncertain => "uncertain",
            RowState::Parked => "parked",
            RowState::Done => "done",
        }
    }

    fn parse(word: &str) -> Result<Self, StoreError> {
        Ok(match word {
            "pending" => RowState::Pending,
            "sending" => RowState::Sending,
            "uncertain" => RowState::Uncertain,
            "parked" => RowState::Parked,
            "done" => RowState::Done,
            other => {
                return Err(StoreError::Unreadable {
                    what: format!("outbox state {other:?}"),
                    source: serde::de::Error::custom("not a state the relay writes"),
                })
            }
        })
    }
}

/// One outbox row not yet at the regulator, with its event's body.
pub struct OutboxEntry {
    /// Row id (the relay's order).
    pub id: i64,
    /// The packages it touches, space-separated.
    pub package_key: String,
    /// Where it stands.
    pub state: RowState,
    /// What an adjustment expects to find, as JSON, written before it was sent.
    pub expect: Option<String>,
    /// The event as JSON (parsed by the relay, which parks what does not parse).
    pub body: String,
    /// Held back from the regulator until then (a posting window).
    pub not_before: Option<DateTime<Utc>>,
}

/// A refused row as a manager sees it.
pub struct ParkedRow {
    /// Row id.
    pub id: i64,
    /// Ledger sequence of its event.
    pub seq: i64,
    /// The packages it touches, space-separated.
    pub package_key: String,
    /// Event kind.
    pub kind: String,
    /// The regulator's refusal.
    pub last_error: Option<String>,
    /// Attempts so far.
    pub attempts: i64,
    /// Its event, when the body still parses.
    pub event: Option<Event>,
}

/// One change of a month as the completeness report reads it.
pub struct PostingRow {
    /// Ledger sequence.
    pub seq: i64,
    /// When it happened, as stored.
    pub at: String,
    /// Event kind.
    pub kind: String,
    /// Where it stands.
    pub state: RowState,
    /// The regulator's ids, as JSON.
    pub regulator_ids: Option<String>,
    /// When the regulator confirmed it.
    pub done_at: Option<String>,
    /// The regulator's last refusal.
    pub last_error: Option<String>,
}

/// A state change applied to many rows at once.
#[derive(Clone, Copy, Debug)]
pub enum Transition {
    /// `pending` -> `sending`, written before a write goes out.
    Sending,
    /// `sending` -> `pending`: the regulator refused the call as a whole.
    Unsend,
    /// Sent, no answer: `uncertain`, one attempt more.
    Uncertain,
}

/// Parses a time the outbox wrote; one that does not parse holds nothing back.
fn time(s: Option<String>) -> Option<DateTime<Utc>> {
    s.and_then(|t| DateTime::parse_from_rfc3339(&t).ok())
        .map(|t| t.with_timezone(&Utc))
}

/// The outbox rows and what is read of them.
pub trait OutboxStore {
    /// Unsettled rows (pending, sending, uncertain, parked) after row `after`, in order, at most
    /// `limit`.
    fn outbox_page(
        &self,
        after: i64,
        limit: i64,
    ) -> impl Future<Output = Result<Vec<OutboxEntry>, StoreError>> + Send;
    /// Settled at the regulator, with the ids it answered.
    fn outbox_done(
        &self,
        id: i64,
        regulator_ids: &[i64],
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// Moves these rows along, in one transaction.
    fn outbox_move(
        &self,
        ids: &[i64],
        to: Transition,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// Refused for a reason a person must fix, in words.
    fn outbox_park(
        &self,
        id: i64,
        why: &str,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// What an adjustment expects to find (JSON), with the row as `sending`.
    fn outbox_expect(
        &self,
        id: i64,
        expect: &str,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// Every refused row, oldest first.
    fn parked_rows(&self) -> impl Future<Output = Result<Vec<ParkedRow>, StoreError>> + Send;
    /// Rows not yet at the regulator, oldest first: id, package key, state.
    fn unsettled(
        &self,
    ) -> impl Future<Output = Result<Vec<(i64, String, RowState)>, StoreError>> + Send;
    /// Rows not yet at the regulator with their events (those whose body still parses).
    fn unsettled_events(
        &self,
    ) -> impl Future<Output = Result<Vec<(RowState, Option<String>, Event)>, StoreError>> + Send;
    /// The states of the rows carrying the change at this ledger sequence.
    fn states_of(&self, seq: i64)
        -> impl Future<Output = Result<Vec<RowState>, StoreError>> + Send;
    /// How many rows are in each state.
    fn state_counts(
        &self,
    ) -> impl Future<Output = Result<HashMap<RowState, i64>, StoreError>> + Send;
    /// When the oldest row waiting to be sent (not held back past `now`) was made.
    fn oldest_waiting(
        &self,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<Option<DateTime<Utc>>, StoreError>> + Send;
    /// Rows of events with `from <= at < to` (the export's text form of times), in order.
    fn postings_between(
        &self,
        from: &str,
        to: &str,
    ) -> impl Future<Output = Result<Vec<PostingRow>, StoreError>> + Send;
    /// Holds the latest row of this event kind back until `until`.
    fn hold_back_latest(
        &self,
        kind: &str,
        until: DateTime<Utc>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// Marks every pending row done as of its making (a demo's history, already at its sandbox).
    fn settle_pending_as_made(&self) -> impl Future<Output = Result<(), StoreError>> + Send;
}

impl OutboxStore for Store {
    async fn outbox_page(&self, after: i64, limit: i64) -> Result<Vec<OutboxEntry>, StoreError> {
        let rows = sqlx::query(
            "SELECT o.id, o.package_key, o.state, o.expect, e.body, o.not_before
             FROM outbox o JOIN events e ON e.seq = o.seq
             WHERE o.state IN ('pending', 'sending', 'uncertain', 'parked') AND o.id > ?
             ORDER BY o.id LIMIT ?",
        )
        .bind(after)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(OutboxEntry {
                    id: r.try_get(0)?,
                    package_key: r.try_get(1)?,
                    state: RowState::parse(r.try_get(2)?)?,
                    expect: r.try_get(3)?,
                    body: r.try_get(4)?,
                    not_before: time(r.try_get(5)?),
                })
            })
            .collect()
    }

    async fn outbox_done(&self, id: i64, regulator_ids: &[i64]) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE outbox SET state = 'done', regulator_ids = ?, done_at = ?, last_error = NULL WHERE id = ?",
        )
        .bind(json("the regulator's ids", regulator_ids)?)
        .bind(Utc::now().to_rfc3339())
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn outbox_move(&self, ids: &[i64], to: Transition) -> Result<(), StoreError> {
        let sql = match to {
            Transition::Sending => {
                "UPDATE outbox SET state = 'sending' WHERE id = ? AND state = 'pending'"
            }
            Transition::Unsend => {
                "UPDATE outbox SET state = 'pending' WHERE id = ? AND state = 'sending'"
            }
            Transition::Uncertain => {
                "UPDATE outbox SET state = 'uncertain', attempts = attempts + 1 WHERE id = ?"
            }
        };
        let mut tx = self.pool.begin().await?;
        for id in ids {
            sqlx::query(sql).bind(id).execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn outbox_park(&self, id: i64, why: &str) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE outbox SET state = 'parked', last_error = ?, attempts = attempts + 1 WHERE id = ?",
        )
        .bind(why)
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn outbox_expect(&self, id: i64, expect: &str) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE outbox SET expect = ?, state = CASE state WHEN 'pending' THEN 'sending' ELSE state END
             WHERE id = ?",
        )
        .bind(expect)
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn parked_rows(&self) -> Result<Vec<ParkedRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT o.id, o.seq, o.package_key, o.kind, o.last_error, o.attempts, e.body
             FROM outbox o JOIN events e ON e.seq = o.seq WHERE o.state = 'parked' ORDER BY o.id",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(ParkedRow {
                    id: r.try_get(0)?,
                    seq: r.try_get(1)?,
                    package_key: r.try_get(2)?,
                    kind: r.try_get(3)?,
                    last_error: r.try_get(4)?,
                    attempts: r.try_get(5)?,
                    // A refusal whose record no longer reads is still listed, as such.
                    event: serde_json::from_str(r.try_get::<&str, _>(6)?).ok(),
                })
            })
            .collect()
    }

    async fn unsettled(&self) -> Result<Vec<(i64, String, RowState)>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, package_key, state FROM outbox
             WHERE state IN ('pending', 'sending', 'uncertain', 'parked') ORDER BY id",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    r.try_get(0)?,
                    r.try_get(1)?,
                    RowState::parse(r.try_get(2)?)?,
                ))
            })
            .collect()
    }

    async fn unsettled_events(&self) -> Result<Vec<(RowState, Option<String>, Event)>, StoreError> {
        let rows = sqlx::query(
            "SELECT o.state, o.last_error, e.body FROM outbox o JOIN events e ON e.seq = o.seq
             WHERE o.state IN ('pending', 'sending', 'uncertain', 'parked') ORDER BY o.id",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            // The relay parks a change whose body does not parse; here it tells nothing.
            let Ok(event) = serde_json::from_str::<Event>(r.try_get::<&str, _>(2)?) else {
                continue;
            };
            out.push((RowState::parse(r.try_get(0)?)?, r.try_get(1)?, event));
        }
        Ok(out)
    }

    async fn states_of(&self, seq: i64) -> Result<Vec<RowState>, StoreError> {
        sqlx::query_scalar::<_, String>("SELECT state FROM outbox WHERE seq = ?")
            .bind(seq)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|s| RowState::parse(s))
            .collect()
    }

    async fn state_counts(&self) -> Result<HashMap<RowState, i64>, StoreError> {
        let rows = sqlx::query("SELECT state, COUNT(*) FROM outbox GROUP BY state")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| Ok((RowState::parse(r.try_get(0)?)?, r.try_get(1)?)))
            .collect()
    }

    async fn oldest_waiting(
        &self,
        now: DateTime<Utc>,
    ) -> Result<Option<DateTime<Utc>>, StoreError> {
        // Held rows are few (a posting window); the rest are compared by their creation time.
        let rows = sqlx::query(
            "SELECT MIN(created_at), not_before FROM outbox
             WHERE state IN ('pending', 'sending', 'uncertain') GROUP BY not_before",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut oldest = None;
        for r in rows {
            let held = time(r.try_get(1)?).is_some_and(|t| t > now);
            if let (false, Some(made)) = (held, time(r.try_get(0)?)) {
                oldest = Some(oldest.map_or(made, |o: DateTime<Utc>| o.min(made)));
            }
        }
        Ok(oldest)
    }

    async fn postings_between(&self, from: &str, to: &str) -> Result<Vec<PostingRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT e.seq, e.at, e.kind, o.state, o.regulator_ids, o.done_at, o.last_error
             FROM outbox o JOIN events e ON e.seq = o.seq
             WHERE e.at >= ? AND e.at < ? ORDER BY e.seq",
        )
        .bind(from)
        .bind(to)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(PostingRow {
                    seq: r.try_get(0)?,
                    at: r.try_get(1)?,
                    kind: r.try_get(2)?,
                    state: RowState::parse(r.try_get(3)?)?,
                    regulator_ids: r.try_get(4)?,
                    done_at: r.try_get(5)?,
                    last_error: r.try_get(6)?,
                })
            })
            .collect()
    }

    async fn hold_back_latest(&self, kind: &str, until: DateTime<Utc>) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE outbox SET not_before = ? WHERE seq = (SELECT MAX(seq) FROM outbox WHERE kind = ?)",
        )
        .bind(until.to_rfc3339())
        .bind(kind)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn settle_pending_as_made(&self) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE outbox SET state = 'done', done_at = created_at WHERE state = 'pending'",
        )
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}
