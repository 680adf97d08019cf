//! The sandbox's shared state: the records behind a lock, the journal in its own SQLite file,
//! and the fault settings.

use std::{
    path::Path,
    str::FromStr,
    sync::{Arc, Mutex},
};

use chrono::{DateTime, Utc};
use metrc::wire::perm;
use sqlx::{
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous},
    Row, SqlitePool,
};

use crate::{
    error::ApiError,
    faults::Faults,
    journal::Op,
    model::{Sandbox, UserKey},
};

/// The sandbox's shared state.
#[derive(Clone)]
pub struct SandboxState {
    pub(crate) inner: Arc<Mutex<Sandbox>>,
    pub(crate) calls: Arc<std::sync::atomic::AtomicU64>,
    pub(crate) faults: Arc<Mutex<(Faults, u64)>>,
    pool: SqlitePool,
}

impl SandboxState {
    /// Opens (or creates) `sandbox.db` in `dir` and replays its journal.
    pub async fn open(dir: &Path) -> anyhow::Result<Self> {
        std::fs::create_dir_all(dir)?;
        let options = SqliteConnectOptions::from_str(&format!(
            "sqlite://{}",
            dir.join("sandbox.db").display()
        ))?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full);
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await?;
        sqlx::query("CREATE TABLE IF NOT EXISTS journal (id INTEGER PRIMARY KEY, at TEXT NOT NULL, op TEXT NOT NULL)")
            .execute(&pool)
            .await?;
        let mut s = Sandbox::default();
        for r in sqlx::query("SELECT id, at, op FROM journal ORDER BY id")
            .fetch_all(&pool)
            .await?
        {
            let id: i64 = r.get(0);
            let at: DateTime<Utc> = r.get::<String, _>(1).parse()?;
            let op: Op = serde_json::from_str(&r.get::<String, _>(2))?;
            // Only writes that applied were journaled: one that no longer applies means the
            // journal and the rules have parted, and starting anyway would show a false state.
            op.apply(&mut s, at).map_err(|e| {
                anyhow::anyhow!("sandbox journal row {id} no longer applies: {e:?}")
            })?;
        }
        Ok(Self {
            inner: Arc::new(Mutex::new(s)),
            calls: Arc::default(),
            faults: Arc::new(Mutex::new((Faults::default(), 0x2545_F491))),
            pool,
        })
    }

    /// Applies and journals a write in one step; the journal row is durable before the answer.
    pub(crate) async fn write(&self, op: Op) -> Result<Vec<i64>, ApiError> {
        let at = Utc::now();
        // Every operation checks all of its rows before changing anything, so a refusal leaves
        // the state as it was.
        let ids = op.apply(&mut self.inner.lock().expect("sandbox lock"), at)?;
        sqlx::query("INSERT INTO journal (at, op) VALUES (?, ?)")
            .bind(at.to_rfc3339())
            .bind(serde_json::to_string(&op).map_err(|e| ApiError::Internal(e.to_string()))?)
            .execute(&self.pool)
            .await
            .map_err(|e| ApiError::Internal(e.to_string()))?;
        Ok(ids)
    }

    pub(crate) fn read<T>(&self, f: impl FnOnce(&Sandbox) -> T) -> T {
        f(&self.inner.lock().expect("sandbox lock"))
    }

    /// Sets up a facility, an integrator (vendor) key and a user key holding every permission.
    pub async fn provision(
        &self,
        license: &str,
        name: &str,
        vendor_key: &str,
        user_key: &str,
        tags: Vec<String>,
    ) -> anyhow::Result<()> {
        let err = |e: ApiError| anyhow::anyhow!("{e:?}");
        self.write(Op::Facility {
            license: license.into(),
            name: name.into(),
            tags,
        })
        .await
        .map_err(err)?;
        self.write(Op::VendorKey {
            key: vendor_key.into(),
        })
        .await
        .map_err(err)?;
        let key = UserKey {
            key: user_key.into(),
            licenses: vec![license.into()],
            permissions: perm::ALL.iter().map(|p| (*p).to_owned()).collect(),
            expires_at: None,
            revoked: false,
            user_name: "Sandbox User".into(),
        };
        self.write(Op::UserKey { key }).await.map_err(err)?;
        Ok(())
    }

    /// Whether the sandbox has been provisioned.
    pub fn is_empty(&self) -> bool {
        self.read(|s| s.facilities.is_empty())
    }

    /// Whether this write is one of the next ones set to lose their answer (counting it down).
    pub(crate) fn take_drop_next(&self) -> bool {
        let mut f = self.faults.lock().expect("faults lock");
        let next = &mut f.0.drop_next_writes;
        if *next == 0 {
            return false;
        }
        *next -= 1;
        true
    }

    /// Rolls a percentage with the fault generator.
    pub(crate) fn roll(&self, percent: impl Fn(&Faults) -> u8) -> bool {
        let mut f = self.faults.lock().expect("faults lock");
        let p = percent(&f.0);
        if p == 0 {
            return false;
        }
        // xorshift: deterministic, so a failing run can be repeated.
        f.1 ^= f.1 << 13;
        f.1 ^= f.1 >> 7;
        f.1 ^= f.1 << 17;
        (f.1 % 100) < u64::from(p)
    }
}
