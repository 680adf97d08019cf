//! The outbox row's state writes. Each returns its `Result`: a caller that cannot record a
//! transition stops before claiming it.

use std::sync::atomic::Ordering;

use super::{Expect, Outbox};
use crate::store::{OutboxStore, StoreError, Transition};

impl Outbox {
    /// A state write succeeded: the store records again.
    pub(super) fn recorded(&self) {
        self.store_failing.store(false, Ordering::SeqCst);
    }

    /// Notes that a write went through, passing its result on.
    fn noted(&self, r: Result<(), StoreError>) -> Result<(), StoreError> {
        if r.is_ok() {
            self.recorded();
        }
        r
    }

    /// Settled at the regulator, with the ids it answered.
    pub(super) async fn done(&self, id: i64, regulator_ids: &[i64]) -> Result<(), StoreError> {
        let r = self.store.outbox_done(id, regulator_ids).await;
        self.noted(r)
    }

    /// Written down before a write goes out: if no answer is ever recorded, the row is read back.
    pub(super) async fn mark_sending(&self, ids: &[i64]) -> Result<(), StoreError> {
        let r = self.store.outbox_move(ids, Transition::Sending).await;
        self.noted(r)
    }

    /// The regulator refused the call as a whole, so nothing of it landed.
    pub(super) async fn unsend(&self, ids: &[i64]) -> Result<(), StoreError> {
        let r = self.store.outbox_move(ids, Transition::Unsend).await;
        self.noted(r)
    }

    /// Sent, no answer: read back before anything is sent again.
    pub(super) async fn mark_uncertain(&self, ids: &[i64]) -> Result<(), StoreError> {
        let r = self.store.outbox_move(ids, Transition::Uncertain).await;
        self.noted(r)
    }

    /// Refused for a reason a person must fix: held back, with the reason in words.
    pub(super) async fn park(&self, id: i64, why: &str) -> Result<(), StoreError> {
        let r = self.store.outbox_park(id, why).await;
        self.noted(r)
    }

    /// What an adjustment expects to find, written down (with the row as `sending`) before it is sent.
    pub(super) async fn remember(&self, id: i64, expect: &Expect) -> Result<(), StoreError> {
        let json = serde_json::to_string(expect).map_err(|source| StoreError::Unwritable {
            what: "what an adjustment expects".into(),
            source,
        })?;
        let r = self.store.outbox_expect(id, &json).await;
        self.noted(r)
    }
}
