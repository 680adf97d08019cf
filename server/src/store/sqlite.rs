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

/// The audit export's columns, in `AuditRow::COLUMNS`' order, as `(name, SQL expression, may
/// need quoting)`. Ids,
/// times and kinds never hold a comma, quote or line break; names, products, SKUs, reasons and
/// quantities may.
const CSV_COLUMNS: [(&str, &str, bool); 16] = [
    ("seq", "e.seq", false),
    ("at", "e.at", false),
    ("recorded_at", "e.recorded_at", false),
    ("actor", "e.actor", false),
    ("actor_name", "coalesce(a.name, '')", true),
    ("device", "e.device", false),
    ("mutation_id", "e.mutation_id", false),
    ("event", "e.kind", false),
    ("packages", "e.packages", true),
    ("tags", "e.tags", true),
    ("products", "e.products", true),
    ("skus", "e.skus", true),
    ("reason", "e.reason", true),
    ("witness", "e.witness", false),
    ("witness_name", "coalesce(w.name, '')", true),
    ("quantities", "e.quantities", true),
];

/// One page of the CSV export: up to 5,000 events of the range after a sequence number, in ledger
/// order, as CSV text, with their count and last sequence number. Fields that may hold a comma,
/// quote or line break are quoted the CSV way. (`instr`, `char` and `group_concat` are SQLite's;
/// PostgreSQL spells them `strpos`, `chr` and `string_agg`.)
static CSV_PAGE: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    let line = CSV_COLUMNS
        .iter()
        .map(|(_, expr, quoted)| {
            if *quoted {
                format!(
                    "(CASE WHEN instr({expr}, ',') OR instr({expr}, '\"') OR instr({expr}, char(10)) OR instr({expr}, char(13)) \
                     THEN '\"' || replace({expr}, '\"', '\"\"') || '\"' ELSE {expr} END)"
                )
            } else {
                (*expr).to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join(" || ',' || ");
    format!(
        "WITH page AS (
            SELECT e.seq AS seq, {line} || char(10) AS line
            FROM events e
            LEFT JOIN users a ON a.id = e.actor
            LEFT JOIN users w ON w.id = e.witness
            WHERE e.seq > ?1 AND e.at >= ?2 AND e.at < ?3
            ORDER BY e.seq
            LIMIT 5000
        )
        SELECT coalesce(group_concat(line, '' ORDER BY seq), ''), count(*), coalesce(max(seq), 0) FROM page"
    )
});

/// The CSV page after `after` of events with `from <= at < to` (the export's text form of times).
pub(super) async fn audit_csv_page(
    pool: &SqlitePool,
    after: i64,
    from: &str,
    to: &str,
) -> Result<AuditCsvPage, StoreError> {
    // One value per page crosses into Rust, which keeps the export as fast as SQLite's own shell
    // and its memory flat.
    let row = sqlx::query(CSV_PAGE.as_str())
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

#[cfg(test)]
mod tests {
    use super::CSV_COLUMNS;

    #[test]
    fn the_csv_page_fills_the_columns_the_header_names_in_their_order() {
        let names = CSV_COLUMNS.map(|(name, _, _)| name);
        assert_eq!(names, domain::wire::AuditRow::COLUMNS);
    }
}
