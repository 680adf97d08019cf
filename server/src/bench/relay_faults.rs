//! `pistil bench relay-faults`: a fault soak in the style of Jepsen. It starts the standalone
//! Metrc sandbox and `pistil serve` as separate processes, seeds both alike, drives mixed changes
//! (one- and multi-line sales, returns, adjustments of both signs, splits into 2, 10 and 12,
//! merges, destructions, new manifests) while the sandbox injects latency, 429s with Retry-After,
//! 500s and writes that commit and never answer; it expires the key mid-run and saves a new one,
//! SIGKILLs the server while a change is in flight and restarts it, clears the faults, waits for
//! the drain, and compares the regulator with the ledger record by record. Any loss, duplicate or
//! difference makes it fail.

use std::time::{Duration, Instant};

use domain::UserId;
use reqwest::Client;
use serde_json::{json, Value};

pub use super::soak_clients::SoakFigures;
use super::{
    soak_clients::{Regulator, Store, LICENSE, PASSWORD},
    soak_procs::{self, Proc},
};

/// Between two steps of ten changes.
const PACE: Duration = Duration::from_millis(50);
/// How long the server waits for a regulator answer before it counts as lost.
const TIMEOUT_MS: u64 = 1_000;

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
    let witness: UserId = match store
        .http
        .post(format!("{}/session/witness", store.url))
        .json(&json!({"email": "witness@pistil.test", "password": PASSWORD}))
        .send()
        .await?
        .error_for_status()?
        .json::<domain::wire::WitnessCheck>()
        .await?
    {
        domain::wire::WitnessCheck::Confirmed { witness } => witness.id,
        domain::wire::WitnessCheck::Refused { error } => {
            anyhow::bail!("the soak's witness was refused: {}", error.message)
        }
    };
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
