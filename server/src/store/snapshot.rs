//! A tablet's pull: the projections (products, packages, holds) or the events after its cursor,
//! read in one transaction with the last mutation number the server processed for it.

use std::future::Future;

use domain::{event::Hold, wire::sync::SeqEvent, Package, Product};
use sqlx::Row;

use super::{ledger::events_after, parse, Store, StoreError};

/// What a pull reads.
pub enum PullContents {
    /// Everything, for a tablet with no cursor or one too far behind.
    Snapshot {
        /// Products by SKU.
        products: Vec<Product>,
        /// Packages by tag.
        packages: Vec<Package>,
        /// Pickup holds by expiry.
        holds: Vec<Hold>,
    },
    /// The events after the cursor.
    Events(Vec<SeqEvent>),
}

/// A pull's answer.
pub enum Pull {
    /// Read at `cursor`.
    Read {
        /// The ledger's last sequence number.
        cursor: i64,
        /// The tablet's last processed mutation number (0 when none).
        last_mutation: i64,
        /// What was read.
        contents: PullContents,
    },
    /// The cursor is past the ledger's end (or negative).
    OutOfRange {
        /// The ledger's last sequence number.
        cursor: i64,
    },
}

/// The tablet's pull.
pub trait SnapshotStore {
    /// Reads what a tablet at `since` lacks: a snapshot when `since` is 0 or more than
    /// `snapshot_after` events behind, else the events.
    fn pull(
        &self,
        client_id: Option<&str>,
        since: i64,
        snapshot_after: i64,
    ) -> impl Future<Output = Result<Pull, StoreError>> + Send;
}

/// Each row's JSON body, parsed.
fn read<T: serde::de::DeserializeOwned>(
    rows: Vec<sqlx::sqlite::SqliteRow>,
    what: &'static str,
) -> Result<Vec<T>, StoreError> {
    rows.iter()
        .map(|r| parse(|| what.to_owned(), r.try_get::<&str, _>(0)?))
        .collect()
}

impl SnapshotStore for Store {
    async fn pull(
        &self,
        client_id: Option<&str>,
        since: i64,
        snapshot_after: i64,
    ) -> Result<Pull, StoreError> {
        let mut tx = self.pool.begin().await?;
        let last_mutation: i64 = match client_id {
            Some(c) => sqlx::query_scalar("SELECT last_mutation FROM clients WHERE client_id = ?")
                .bind(c)
                .fetch_optional(&mut *tx)
                .await?
                .unwrap_or(0),
            None => 0,
        };
        let cursor: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(seq), 0) FROM events")
            .fetch_one(&mut *tx)
            .await?;
        if since < 0 || since > cursor {
            return Ok(Pull::OutOfRange { cursor });
        }
        let contents = if since == 0 || cursor - since > snapshot_after {
            let products = sqlx::query("SELECT body FROM products ORDER BY sku")
                .fetch_all(&mut *tx)
                .await?;
            let packages = sqlx::query("SELECT body FROM packages ORDER BY tag")
                .fetch_all(&mut *tx)
                .await?;
            let holds = sqlx::query("SELECT body FROM holds ORDER BY expires_at")
                .fetch_all(&mut *tx)
                .await?;
            PullContents::Snapshot {
                products: read(products, "a product row")?,
                packages: read(packages, "a package row")?,
                holds: read(holds, "a hold row")?,
            }
        } else {
            PullContents::Events(events_after(&mut *tx, since, cursor).await?)
        };
        Ok(Pull::Read {
            cursor,
            last_mutation,
            contents,
        })
    }
}
