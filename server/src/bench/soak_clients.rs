//! The sandbox and the store as the relay fault soak drives them over HTTP, and what the soak
//! found: shared by the soak's run (`relay_faults`) and its driver of changes (`soak_drive`).

use std::time::Duration;

use domain::Command;
use reqwest::Client;
use serde_json::{json, Value};

/// The facility the soak's sandbox holds.
pub(crate) const LICENSE: &str = "C10-0000777-LIC";
/// The soak's sign-in password.
pub(crate) const PASSWORD: &str = "soak-password-1";

/// What the soak found.
#[derive(Debug, Default)]
pub struct SoakFigures {
    /// Changes the ledger applied.
    pub changes: usize,
    /// Of which the ledger refused (a package emptied meanwhile): not failures.
    pub refused_by_ledger: usize,
    /// Outbox rows settled at the regulator.
    pub sent: i64,
    /// Of which settled while the faults were on.
    pub sent_under_faults: i64,
    /// Receipts in the ledger the regulator lacks.
    pub receipts_lost: usize,
    /// Receipts the regulator holds more than once.
    pub receipts_duplicated: usize,
    /// Receipts whose lines differ from the ledger's.
    pub receipts_differing: usize,
    /// Packages whose quantity differs.
    pub quantities_differing: usize,
    /// Packages made by splits and merges that the regulator lacks.
    pub children_missing: usize,
    /// Changes refused by the regulator and waiting for a person.
    pub parked: i64,
    /// From clearing the faults to an empty outbox.
    pub drain: Duration,
    /// Outbox rows settled during the drain.
    pub drained: i64,
    /// Whether the expired key showed as an authentication failure.
    pub auth_failure_seen: bool,
    /// Whether the kill came while a change was on its way.
    pub killed_in_flight: bool,
    /// From the first change to the end of the drain.
    pub total: Duration,
}

/// The sandbox as the soak drives it.
pub(crate) struct Regulator {
    pub(crate) url: String,
    pub(crate) vendor: String,
    pub(crate) user: String,
    pub(crate) http: Client,
}

impl Regulator {
    /// A set-up call under `/sandbox/v2/`.
    pub(crate) async fn admin(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Value,
    ) -> anyhow::Result<()> {
        let res = self
            .http
            .request(method, format!("{}{path}", self.url))
            .json(&body)
            .send()
            .await?;
        anyhow::ensure!(
            res.status().is_success(),
            "sandbox {path}: {}",
            res.status()
        );
        Ok(())
    }

    /// A GET as the integrator makes it; `None` for 404.
    pub(crate) async fn get(&self, path: &str) -> anyhow::Result<Option<Value>> {
        let sep = if path.contains('?') { '&' } else { '?' };
        let res = self
            .http
            .get(format!("{}{path}{sep}licenseNumber={LICENSE}", self.url))
            .basic_auth(&self.vendor, Some(&self.user))
            .send()
            .await?;
        if res.status() == reqwest::StatusCode::NOT_FOUND {
            return Ok(None);
        }
        anyhow::ensure!(
            res.status().is_success(),
            "regulator {path}: {}",
            res.status()
        );
        Ok(Some(res.json().await?))
    }

    /// Every page of a paged list.
    pub(crate) async fn all(&self, path: &str) -> anyhow::Result<Vec<Value>> {
        let mut out = Vec::new();
        for page in 1.. {
            let p = self
                .get(&format!("{path}?pageNumber={page}&pageSize=20"))
                .await?
                .unwrap_or_default();
            out.extend(p["Data"].as_array().cloned().unwrap_or_default());
            if page >= p["TotalPages"].as_u64().unwrap_or(0) {
                break;
            }
        }
        Ok(out)
    }

    /// Sets the sandbox's faults.
    pub(crate) async fn faults(&self, f: Value) -> anyhow::Result<()> {
        self.admin(reqwest::Method::PUT, "/sandbox/v2/faults", f)
            .await
    }
}

/// The store as the soak drives it, across restarts.
pub(crate) struct Store {
    pub(crate) url: String,
    pub(crate) http: Client,
}

impl Store {
    /// Signs in to the store at `url`.
    pub(crate) async fn connect(url: String) -> anyhow::Result<Self> {
        let http = Client::builder()
            .cookie_store(true)
            .timeout(Duration::from_secs(60))
            .build()?;
        let res = http
            .post(format!("{url}/session"))
            .json(&json!({"email": "soak@pistil.test", "password": PASSWORD}))
            .send()
            .await?;
        anyhow::ensure!(res.status().is_success(), "soak sign-in: {}", res.status());
        Ok(Self { url, http })
    }

    /// A GET of the store's API.
    pub(crate) async fn get(&self, path: &str) -> anyhow::Result<Value> {
        Ok(self
            .http
            .get(format!("{}{path}", self.url))
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?)
    }

    /// Pushes commands; returns which applied.
    pub(crate) async fn push(&self, commands: &[Command]) -> anyhow::Result<Vec<bool>> {
        let mutations: Vec<_> = commands.iter().map(|c| json!({ "command": c })).collect();
        let res: Value = self
            .http
            .post(format!("{}/mutations", self.url))
            .json(&json!({ "mutations": mutations }))
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        Ok(res["outcomes"]
            .as_array()
            .map(|o| o.iter().map(|o| o["status"] == "applied").collect())
            .unwrap_or_default())
    }

    /// The store's regulator health.
    pub(crate) async fn health(&self) -> anyhow::Result<Value> {
        self.get("/regulator/health").await
    }
}
