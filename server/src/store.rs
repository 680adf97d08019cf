//! The ledger's storage: SQLite in WAL mode under the data directory, schema by `sqlx::migrate!`.

use std::{path::Path, str::FromStr, time::Duration};

use anyhow::Context;
use sqlx::{
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous},
    SqlitePool,
};

/// Handle to the database; cheap to clone.
#[derive(Clone)]
pub struct Store {
    pool: SqlitePool,
}

impl Store {
    /// Opens (creating when missing) `pistil.db` in `data_dir` and brings its schema up to date.
    pub async fn open(data_dir: &Path) -> anyhow::Result<Self> {
        std::fs::create_dir_all(data_dir)
            .with_context(|| format!("cannot create data directory {}", data_dir.display()))?;
        let path = data_dir.join("pistil.db");
        let options = SqliteConnectOptions::from_str(&format!("sqlite://{}", path.display()))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // FULL: an acknowledged commit survives power loss, not only a process crash.
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(5));
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options)
            .await
            .with_context(|| format!("cannot open database {}", path.display()))?;
        sqlx::migrate!("./migrations")
            .run(&pool)
            .await
            .context("database migration failed")?;
        Ok(Self { pool })
    }

    /// Checks that the database answers a trivial query.
    pub async fn ping(&self) -> Result<(), sqlx::Error> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .map(|_| ())
    }

    /// The underlying pool.
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }
}

/// Events with `after < seq <= upto`, in order.
pub async fn events_after<'c, E>(
    exec: E,
    after: i64,
    upto: i64,
) -> anyhow::Result<Vec<crate::ledger::SeqEvent>>
where
    E: sqlx::Executor<'c, Database = sqlx::Sqlite>,
{
    use sqlx::Row;
    let rows = sqlx::query("SELECT seq, body FROM events WHERE seq > ? AND seq <= ? ORDER BY seq")
        .bind(after)
        .bind(upto)
        .fetch_all(exec)
        .await?;
    rows.iter()
        .map(|r| {
            Ok(crate::ledger::SeqEvent {
                seq: r.get(0),
                event: serde_json::from_str(&r.get::<String, _>(1))?,
            })
        })
        .collect()
}
