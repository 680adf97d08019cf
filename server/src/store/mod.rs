//! Every SQL statement of the server, behind traits named for what they store: the ledger's
//! writes (`LedgerStore`), events read back (`EventStore`), the regulator outbox
//! (`OutboxStore`), users and sessions (`UserStore`), settings (`SettingStore`), reports kept
//! (`ReportStore`) and a tablet's pull (`SnapshotStore`).
//!
//! `Store` implements them on SQLite, the embedded default. The statements are SQL that
//! PostgreSQL runs too (`ON CONFLICT` upserts, `LIKE`, `COALESCE`, no date functions: times are
//! compared in Rust or as the one text form the store writes); what only SQLite understands
//! (opening the file, its pragmas, the CSV page the audit export asks SQLite to build) sits in
//! `sqlite`, so a PostgreSQL implementation stands beside it.

#[cfg(feature = "bench")]
mod baseline;
mod events;
mod ledger;
mod outbox;
mod reports;
mod settings;
mod snapshot;
mod sqlite;
mod users;

use std::path::Path;

use sqlx::SqlitePool;

pub use events::{AuditCsvPage, EventStore};
pub use ledger::{Batch, EventRow, HoldRow, LedgerStore, MutationRow, PackageRow, ProductRow};
pub use outbox::{OutboxEntry, OutboxStore, ParkedRow, PostingRow, RowState, Transition};
pub use reports::ReportStore;
pub use settings::SettingStore;
pub use snapshot::{Pull, PullContents, SnapshotStore};
pub use users::UserStore;

/// Why the store could not do what was asked.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database refused or could not be reached.
    #[error("the database failed: {0}")]
    Database(#[from] sqlx::Error),
    /// The schema could not be brought up to date.
    #[error("the database schema could not be brought up to date: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// The data directory could not be made.
    #[error("cannot create the data directory {path}: {source}")]
    DataDir {
        /// The directory.
        path: String,
        /// What the file system said.
        source: std::io::Error,
    },
    /// A stored value no longer parses (written by another version, or edited by hand).
    #[error("{what} is unreadable: {source}")]
    Unreadable {
        /// What was read, in words.
        what: String,
        /// What serde said.
        source: serde_json::Error,
    },
    /// A value to store could not be written as JSON.
    #[error("{what} cannot be stored: {source}")]
    Unwritable {
        /// What was written, in words.
        what: String,
        /// What serde said.
        source: serde_json::Error,
    },
    /// A row with this unique value exists already.
    #[error("{0} already exists")]
    Duplicate(String),
}

/// Parses a stored JSON value, naming it when it does not parse.
fn parse<T: serde::de::DeserializeOwned>(
    what: impl Fn() -> String,
    json: &str,
) -> Result<T, StoreError> {
    serde_json::from_str(json).map_err(|source| StoreError::Unreadable {
        what: what(),
        source,
    })
}

/// Writes a value as JSON, naming it when it cannot be.
fn json<T: serde::Serialize + ?Sized>(what: &str, value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|source| StoreError::Unwritable {
        what: what.to_owned(),
        source,
    })
}

/// Handle to the database; cheap to clone.
#[derive(Clone)]
pub struct Store {
    pool: SqlitePool,
}

impl Store {
    /// Opens (creating when missing) `pistil.db` in `data_dir` and brings its schema up to date.
    pub async fn open(data_dir: &Path) -> Result<Self, StoreError> {
        Ok(Self {
            pool: sqlite::open(data_dir).await?,
        })
    }

    /// Checks that the database answers a trivial query.
    pub async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// The connection pool, for tests that inspect the tables or break them on purpose; the
    /// server itself goes through the traits.
    #[doc(hidden)]
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }
}
