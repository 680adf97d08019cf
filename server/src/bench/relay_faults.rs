//! `pistil bench relay-faults`: a fault soak in the style of Jepsen. It starts the standalone
//! Metrc sandbox and `pistil serve` as separate processes, seeds both alike, drives mixed changes
//! (one- and multi-line sales, returns, adjustments of both signs, splits into 2, 10 and 12,
//! merges, destructions, new manifests) while the sandbox injects latency, 429s with Retry-After,
//! 500s and writes that commit and never answer; it expires the key mid-run and saves a new one,
//! SIGKILLs the server while a change is in flight and restarts it, clears the faults, waits for
//! the drain, and compares the regulator with the ledger record by record. Any loss, duplicate or
//! difference makes it fail.

use std::time::{Duration, Instant};

use domain::{Command, UserId};
use reqwest::Client;
use serde_json::{json, Value};

use super::soak_procs::{self, Proc};

pub(crate) const LICENSE: &str = "C10-0000777-LIC";
const PASSWORD: &str = "soak-password-1";
/// Between two steps of ten changes.
const PACE: Duration = Duration::from_millis(50);
/// How long the server waits for a regulator answer before it counts as lost.
const TIMEOUT_MS: u64 = 1_000;

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

    async fn faults(&self, f: Value) -> anyhow::Result<()> {
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
    async fn connect(url: String) -> anyhow::Result<Self> {
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

    async fn health(&self) -> anyhow::Result<Value> {
        self.get("/regulator/health").await
    }
}

/// Runs the soak with `changes` changes from `seed`; prints the figures, fails on any difference.
pub async fn relay_faults(changes: usize, seed: u64) -> anyhow::Result<SoakFigures> {
    let dir = tempfile::tempdir_in(std::env::current_dir()?)?;
    let (sandbox, reg_url, vendor, user) = soak_procs::sandbox(dir.path(), LICENSE).await?;
    let mut reg = Regulator {
        url: reg_url,
        vendor,
        user,
        http: Client::builder().timeout(Duration::from_secs(30)).build()?,
    };
    soak_procs::add_user(dir.path(), "soak@pistil.test", "manager", PASSWORD).await?;
    soak_procs::add_user(dir.path(), "witness@pistil.test", "manager", PASSWORD).await?;
    let (mut server, url) = soak_procs::server(dir.path(), TIMEOUT_MS).await?;
    let mut store = Store::connect(url).await?;
    let witness: UserId = serde_json::from_value(
        store
            .http
            .post(format!("{}/session/witness", store.url))
            .json(&json!({"email": "witness@pistil.test", "password": PASSWORD}))
            .send()
            .await?
            .error_for_status()?
            .json::<Value>()
            .await?["id"]
            .clone(),
    )?;
    let res = store
        .http
        .put(format!("{}/regulator/credentials", store.url))
        .json(&credentials(&reg, &reg.user))
        .send()
        .await?;
    anyhow::ensure!(
        res.status().is_success(),
        "saving credentials: {}",
        res.status()
    );
    let mut driver = super::soak_drive::Driver::new(seed, witness);
    driver.seed(&store, &reg, 24).await?;

    let mut figures = SoakFigures::default();
    reg.faults(
        // Metrc limits GETs only; writes refused with 429 as well are harsher than Metrc and
        // exercise the relay's retry of a refusal that never committed.
        json!({"latency_ms": 20, "commit_then_drop_percent": 10, "rate_limit_percent": 10,
        "write_rate_limit_percent": 10, "retry_after_secs": 1, "error_percent": 5}),
    )
    .await?;
    let started = Instant::now();
    let expire_at = changes * 2 / 5;
    let new_key_at = changes / 2;
    let kill_at = changes * 7 / 10;
    let mut done = 0;
    let mut new_key = String::new();
    while done < changes {
        if done >= expire_at && new_key.is_empty() {
            reg.admin(
                reqwest::Method::PUT,
                "/sandbox/v2/keys",
                json!({"user_key": reg.user, "expire": true}),
            )
            .await?;
            new_key = uuid::Uuid::new_v4().simple().to_string();
        }
        if done >= new_key_at && !figures.auth_failure_seen && !new_key.is_empty() {
            // The first refused call names the cause; nothing more goes until a new key is saved.
            let until = Instant::now() + Duration::from_secs(30);
            while Instant::now() < until {
                if store.health().await?["state"] == "auth_failed" {
                    figures.auth_failure_seen = true;
                    break;
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            anyhow::ensure!(
                figures.auth_failure_seen,
                "the expired key never showed as an authentication failure"
            );
            reg.admin(
                reqwest::Method::POST,
                "/sandbox/v2/keys",
                json!({"user_key": new_key, "licenses": [LICENSE]}),
            )
            .await?;
            let res = store
                .http
                .put(format!("{}/regulator/credentials", store.url))
                .json(&credentials(&reg, &new_key))
                .send()
                .await?;
            anyhow::ensure!(
                res.status().is_success(),
                "saving the new key: {}",
                res.status()
            );
            // The soak reads the regulator with the new key from here on.
            reg.user = new_key.clone();
        }
        if done >= kill_at && !figures.killed_in_flight && server_alive(&server) {
            // Wait for a write on its way, then cut the power.
            let until = Instant::now() + Duration::from_secs(20);
            while Instant::now() < until {
                if store.health().await?["sending"].as_i64().unwrap_or(0) > 0 {
                    figures.killed_in_flight = true;
                    break;
                }
                tokio::time::sleep(Duration::from_millis(2)).await;
            }
            server.kill().await?;
            let (s, url) = soak_procs::server(dir.path(), TIMEOUT_MS).await?;
            server = s;
            store = Store::connect(url).await?;
            if !figures.killed_in_flight {
                println!("relay-faults: no write was on its way within 20 s; killed anyway");
                figures.killed_in_flight = true;
            }
        }
        let (applied, refused) = driver.step(&store, &reg, (changes - done).min(10)).await?;
        figures.changes += applied;
        figures.refused_by_ledger += refused;
        done += applied + refused;
        // A busy store, not a bulk load: the relay works while the faults are on.
        tokio::time::sleep(PACE).await;
    }
    // Half of it reaches the regulator through the faults before they clear.
    let under = Instant::now();
    while store.health().await?["done"].as_i64().unwrap_or(0) < (figures.changes / 2) as i64
        && under.elapsed() < Duration::from_secs(120)
    {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let retried: i64 = store.health().await?["done"].as_i64().unwrap_or(0);
    figures.sent_under_faults = retried;
    let cleared = Instant::now();
    let done_before = store.health().await?["done"].as_i64().unwrap_or(0);
    reg.faults(json!({})).await?;
    let h = loop {
        let h = store.health().await?;
        if h["pending"] == 0 && h["sending"] == 0 && h["uncertain"] == 0 {
            break h;
        }
        anyhow::ensure!(
            cleared.elapsed() < Duration::from_secs(600),
            "the outbox did not drain in 600 s: {h}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    figures.drain = cleared.elapsed();
    figures.total = started.elapsed();
    figures.sent = h["done"].as_i64().unwrap_or(0);
    figures.drained = figures.sent - done_before;
    figures.parked = h["parked"].as_i64().unwrap_or(0);
    if figures.parked > 0 {
        let list = store.get("/regulator/parked").await?;
        for c in list["changes"].as_array().into_iter().flatten() {
            println!(
                "relay-faults: parked: {} ({}): {}",
                c["what"], c["seq"], c["reason"]
            );
        }
    }
    driver.compare(&store, &reg, &mut figures).await?;
    print(&figures, seed);
    server.kill().await?;
    sandbox.kill().await?;
    let clean = figures.receipts_lost
        + figures.receipts_duplicated
        + figures.receipts_differing
        + figures.quantities_differing
        + figures.children_missing
        == 0
        && figures.parked == 0;
    if !clean {
        // Both databases stay for whoever looks into it.
        let kept = dir.keep();
        anyhow::bail!(
            "the regulator does not equal the ledger (seed {seed}); the store and the sandbox are kept in {}",
            kept.display()
        );
    }
    Ok(figures)
}

/// The body that saves credentials for this sandbox with `user_key`.
fn credentials(reg: &Regulator, user_key: &str) -> Value {
    json!({"base_url": reg.url, "vendor_key": reg.vendor, "user_key": user_key, "license": LICENSE})
}

fn server_alive(p: &Proc) -> bool {
    p.child.id().is_some()
}

fn print(f: &SoakFigures, seed: u64) {
    println!(
        "relay-faults: seed {seed}: {} changes applied ({} refused by the ledger, not sent)",
        f.changes, f.refused_by_ledger
    );
    println!(
        "relay-faults: {} outbox changes settled at the regulator, {} of them while the faults were on",
        f.sent, f.sent_under_faults
    );
    println!(
        "relay-faults: receipts lost {} / duplicated {} / differing {}",
        f.receipts_lost, f.receipts_duplicated, f.receipts_differing
    );
    println!(
        "relay-faults: package quantities differing {} / children missing {}",
        f.quantities_differing, f.children_missing
    );
    println!("relay-faults: changes parked {}", f.parked);
    println!(
        "relay-faults: after the faults cleared, {} changes drained in {:.1} s ({:.1}/s)",
        f.drained,
        f.drain.as_secs_f64(),
        f.drained as f64 / f.drain.as_secs_f64().max(0.001)
    );
    println!(
        "relay-faults: {:.1} s from the first change to the end of the drain",
        f.total.as_secs_f64()
    );
    println!(
        "relay-faults: expired key shown as an authentication failure: {}; server killed with a write in flight: {}",
        f.auth_failure_seen, f.killed_in_flight
    );
}
