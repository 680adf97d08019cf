//! Outbox drain rate against the client's GET pace (Metrc's per-facility limit), and regulator
//! calls per ledger event, measured on the embedded sandbox.

use std::time::{Duration, Instant};

use serde_json::json;

use super::{sale, BenchApp};
use crate::regulator::setup;
use metrc::DEFAULT_GETS_PER_SECOND;

/// Queues `sales` sales while the key is expired, saves a new key, and times the drain.
pub async fn drain(sales: usize) -> anyhow::Result<()> {
    let app = BenchApp::start().await?;
    let creds = setup::saved(&app.store, &app.secret)
        .await?
        .ok_or_else(|| anyhow::anyhow!("no sandbox"))?
        .credentials;
    let admin = reqwest::Client::new();
    let (_, packages) = app.shelf(10, 1_000_000).await?;
    // Let the setup drain, then stop the worker by expiring its key, and queue the sales.
    tokio::time::sleep(Duration::from_secs(2)).await;
    admin
        .put(format!("{}/sandbox/v2/keys", creds.base_url))
        .json(&json!({"user_key": creds.user_key, "expire": true}))
        .send()
        .await?
        .error_for_status()?;
    for chunk in (0..sales).collect::<Vec<_>>().chunks(100) {
        app.push(
            chunk
                .iter()
                .map(|k| sale(packages[k % packages.len()]))
                .collect(),
        )
        .await?;
    }
    let new_key = uuid::Uuid::new_v4().simple().to_string();
    admin
        .post(format!("{}/sandbox/v2/keys", creds.base_url))
        .json(&json!({"user_key": new_key, "licenses": [creds.license]}))
        .send()
        .await?
        .error_for_status()?;
    let calls_before: u64 = admin
        .get(format!("{}/sandbox/v2/stats", creds.base_url))
        .send()
        .await?
        .json::<serde_json::Value>()
        .await?["calls"]
        .as_u64()
        .unwrap_or(0);
    let started = Instant::now();
    app.client
        .put(format!("{}/regulator/credentials", app.url))
        .json(&json!({"base_url": creds.base_url, "vendor_key": creds.vendor_key, "user_key": new_key, "license": creds.license}))
        .send()
        .await?
        .error_for_status()?;
    loop {
        let h: serde_json::Value = app
            .client
            .get(format!("{}/regulator/health", app.url))
            .send()
            .await?
            .json()
            .await?;
        if h["pending"] == 0 && h["uncertain"] == 0 && h["sending"] == 0 {
            if h["parked"] != 0 {
                let why = crate::store::OutboxStore::parked_rows(&app.store)
                    .await?
                    .into_iter()
                    .next()
                    .and_then(|r| r.last_error);
                anyhow::bail!("changes were refused: {h}; first reason: {why:?}");
            }
            break;
        }
        anyhow::ensure!(
            started.elapsed() < Duration::from_secs(600),
            "drain did not finish: {h}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let took = started.elapsed();
    let calls_after: u64 = admin
        .get(format!("{}/sandbox/v2/stats", creds.base_url))
        .send()
        .await?
        .json::<serde_json::Value>()
        .await?["calls"]
        .as_u64()
        .unwrap_or(0);
    let rate = sales as f64 / took.as_secs_f64();
    let calls = (calls_after - calls_before) as f64;
    println!(
        "drain: {sales} sales reached the regulator in {:.2} s = {rate:.1} sales/s",
        took.as_secs_f64()
    );
    println!("drain: {calls:.0} regulator calls, {:.2} per ledger event (receipts go ten to a POST; a read-back GET only after a lost answer)", calls / sales as f64);
    println!(
        "drain: the GET pace of {DEFAULT_GETS_PER_SECOND}/s (Metrc's per-facility limit) would allow {DEFAULT_GETS_PER_SECOND} sales/s at one GET each; reached {:.0}% of that (target >= 90%)",
        100.0 * rate / DEFAULT_GETS_PER_SECOND
    );
    Ok(())
}
