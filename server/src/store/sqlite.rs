//! What only SQLite understands: opening the database file with its pragmas, and the audit
//! export's CSV page built by SQLite itself. A PostgreSQL store has its own of each.

use std::{path::Path, str::FromStr, time::Duration};

use sqlx::{
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous},
    Row, SqlitePool,
};

use super::{AuditCsvPage, StoreError};

/// Opens (creating when missing) `pistil.db` in `data_dir`, in WAL mode, and migrates it.
pub(super) async fn open(data_dir: &Path) -> Result<SqlitePool, StoreError> {
    std::fs::create_dir_all(data_dir).map_err(|source| StoreError::DataDir {
        path: data_dir.display().to_string(),
        source,
    })?;
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
        .await?;
    sqlx::migrate!("./migrations").run(&pool).await?;
    Ok(pool)
}

/// One page of the CSV export: up to 5,000 events of the range after a sequence number, in ledger
/// order, as CSV text, with their count and last sequence number. Fields that may hold a comma,
/// quote or line break are quoted the CSV way. (`instr`, `char` and `group_concat` are SQLite's;
/// PostgreSQL spells them `strpos`, `chr` and `string_agg`.)
const CSV_PAGE: &str = "
WITH page AS (
    SELECT seq, seq || ',' || at || ',' || recorded_at || ',' || actor || ',' || device || ',' ||
           mutation_id || ',' || kind || ',' || (CASE WHEN instr(packages, ',') OR instr(packages, '\"') OR instr(packages, char(10)) OR instr(packages, char(13)) THEN '\"' || replace(packages, '\"', '\"\"') || '\"' ELSE packages END) || ',' || (CASE WHEN instr(reason, ',') OR instr(reason, '\"') OR instr(reason, char(10)) OR instr(reason, char(13)) THEN '\"' || replace(reason, '\"', '\"\"') || '\"' ELSE reason END) || ',' || (CASE WHEN instr(quantities, ',') OR instr(quantities, '\"') OR instr(quantities, char(10)) OR instr(quantities, char(13)) THEN '\"' || replace(quantities, '\"', '\"\"') || '\"' ELSE quantities END) || char(10) AS line
    FROM events
    WHERE seq > ?1 AND at >= ?2 AND at < ?3
    ORDER BY seq
    LIMIT 5000
)
SELECT coalesce(group_concat(line, '' ORDER BY seq), ''), count(*), coalesce(max(seq), 0) FROM page";

/// The CSV page after `after` of events with `from <= at < to` (the export's text form of times).
pub(super) async fn audit_csv_page(
    pool: &SqlitePool,
    after: i64,
    from: &str,
    to: &str,
) -> Result<AuditCsvPage, StoreError> {
    // One value per page crosses into Rust, which keeps the export as fast as SQLite's own shell
    // and its memory flat.
    let row = sqlx::query(CSV_PAGE)
        .bind(after)
        .bind(from)
        .bind(to)
        .fetch_one(pool)
        .await?;
    Ok(AuditCsvPage {
        text: row.try_get(0)?,
        rows: row.try_get(1)?,
        last_seq: row.try_get(2)?,
    })
}
