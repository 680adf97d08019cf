//! The ingest benchmark's baseline: the rows a sale writes, written straight to a database of the
//! same schema, with nothing of the server between.

use sqlx::Row;

use super::{Store, StoreError};

impl Store {
    /// The last `n` events: sequence, body and mutation id.
    pub async fn latest_events(&self, n: i64) -> Result<Vec<(i64, String, String)>, StoreError> {
        sqlx::query("SELECT seq, body, mutation_id FROM events ORDER BY seq DESC LIMIT ?")
            .bind(n)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)))
            .collect()
    }

    /// Writes, per event, the rows a sale writes (event, mutation, outbox, package and product
    /// projections), `per_commit` events per transaction.
    pub async fn write_raw(
        &self,
        rows: &[(i64, String, String)],
        per_commit: usize,
    ) -> Result<(), StoreError> {
        for chunk in rows.chunks(per_commit) {
            let mut tx = self.pool.begin().await?;
            for (seq, body, mutation) in chunk {
                sqlx::query("INSERT INTO events (seq, mutation_id, kind, at, recorded_at, actor, device, body) VALUES (?, ?, 'sold', '', '', '', '', ?)")
                    .bind(seq)
                    .bind(mutation)
                    .bind(body)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query("INSERT INTO mutations (mutation_id, action, outcome, recorded_at) VALUES (?, 'sell', '{}', '')")
                    .bind(mutation)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query("INSERT INTO outbox (seq, package_key, kind, created_at) VALUES (?, ?, 'sold', '')")
                    .bind(seq)
                    .bind(mutation)
                    .execute(&mut *tx)
                    .await?;
                // The projections the server keeps: one package row and one product row per sale.
                sqlx::query(
                    "INSERT INTO packages (id, tag, product_id, status, zone, quantity, held, body, changed_seq)
                     VALUES (?, ?, 'p', 'active', 'SalesFloor', '1', '0', ?, ?)
                     ON CONFLICT (id) DO UPDATE SET body = excluded.body, changed_seq = excluded.changed_seq",
                )
                .bind(seq % 32)
                .bind(seq % 32)
                .bind(body)
                .bind(seq)
                .execute(&mut *tx)
                .await?;
                sqlx::query(
                    "INSERT INTO products (id, sku, category, available, body, changed_seq) VALUES ('p', 's', 'c', '1', '{}', ?)
                     ON CONFLICT (id) DO UPDATE SET changed_seq = excluded.changed_seq",
                )
                .bind(seq)
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
        }
        Ok(())
    }
}
