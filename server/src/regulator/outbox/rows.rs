//! The outbox row's state writes. Each returns its `Result`: a caller that cannot record a
//! transition stops before claiming it.

use std::sync::atomic::Ordering;

use chrono::Utc;

use super::{Expect, Outbox};

impl Outbox {
    /// A state write succeeded: the store records again.
    pub(super) fn recorded(&self) {
        self.store_failing.store(false, Ordering::SeqCst);
    }

    /// Settled at the regulator, with the ids it answered.
    pub(super) async fn done(&self, id: i64, regulator_ids: &[i64]) -> Result<(), sqlx::Error> {
        sqlx::query("UPDATE outbox SET state = 'done', regulator_ids = ?, done_at = ?, last_error = NULL WHERE id = ?")
            .bind(serde_json::to_string(regulator_ids).unwrap_or_default())
            .bind(Utc::now().to_rfc3339())
            .bind(id)
            .execute(&self.pool)
            .await?;
        self.recorded();
        Ok(())
    }

    /// Runs `sql` (its one parameter: the row's id) for every row, in one transaction.
    async fn each_row(&self, ids: &[i64], sql: &'static str) -> Result<(), sqlx::Error> {
        let mut tx = self.pool.begin().await?;
        for id in ids {
            sqlx::query(sql).bind(id).execute(&mut *tx).await?;
        }
        tx.commit().await?;
        self.recorded();
        Ok(())
    }

    /// Written down before a write goes out: if no answer is ever recorded, the row is read back.
    pub(super) async fn mark_sending(&self, ids: &[i64]) -> Result<(), sqlx::Error> {
        self.each_row(
            ids,
            "UPDATE outbox SET state = 'sending' WHERE id = ? AND state = 'pending'",
        )
        .await
    }

    /// The regulator refused the call as a whole, so nothing of it landed.
    pub(super) async fn unsend(&self, ids: &[i64]) -> Result<(), sqlx::Error> {
        self.each_row(
            ids,
            "UPDATE outbox SET state = 'pending' WHERE id = ? AND state = 'sending'",
        )
        .await
    }

    /// Sent, no answer: read back before anything is sent again.
    pub(super) async fn mark_uncertain(&self, ids: &[i64]) -> Result<(), sqlx::Error> {
        self.each_row(
            ids,
            "UPDATE outbox SET state = 'uncertain', attempts = attempts + 1 WHERE id = ?",
        )
        .await
    }

    /// Refused for a reason a person must fix: held back, with the reason in words.
    pub(super) async fn park(&self, id: i64, why: &str) -> Result<(), sqlx::Error> {
        sqlx::query("UPDATE outbox SET state = 'parked', last_error = ?, attempts = attempts + 1 WHERE id = ?")
            .bind(why)
            .bind(id)
            .execute(&self.pool)
            .await?;
        self.recorded();
        Ok(())
    }

    /// What an adjustment expects to find, written down (with the row as `sending`) before it is sent.
    pub(super) async fn remember(&self, id: i64, expect: &Expect) -> Result<(), sqlx::Error> {
        sqlx::query("UPDATE outbox SET expect = ?, state = CASE state WHEN 'pending' THEN 'sending' ELSE state END WHERE id = ?")
            .bind(serde_json::to_string(expect).unwrap_or_default())
            .bind(id)
            .execute(&self.pool)
            .await?;
        self.recorded();
        Ok(())
    }
}
