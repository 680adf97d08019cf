//! Durable mutations per second over HTTP with 32 concurrent clients, against a raw sqlx loop
//! writing the same rows in batched transactions on the same disk.

use std::time::Instant;

use super::{sale, BenchApp};

/// Runs the ingest benchmark with `total` mutations; prints figures and the ratio.
pub async fn ingest(total: usize) -> anyhow::Result<()> {
    const CLIENTS: usize = 32;
    let app = BenchApp::start().await?;
    let (_, packages) = app.shelf(CLIENTS, 1_000_000).await?;
    let per_client = total / CLIENTS;
    let started = Instant::now();
    let mut tasks = Vec::new();
    for package in packages.iter().copied() {
        let client = app.client.clone();
        let url = format!("{}/mutations", app.url);
        tasks.push(tokio::spawn(async move {
            for _ in 0..per_client {
                let body = serde_json::json!({ "mutations": [{ "command": sale(package) }] });
                let res = client
                    .post(&url)
                    .json(&body)
                    .send()
                    .await?
                    .error_for_status()?;
                let v: serde_json::Value = res.json().await?;
                anyhow::ensure!(v["outcomes"][0]["status"] == "applied", "refused: {v}");
            }
            anyhow::Ok(())
        }));
    }
    for t in tasks {
        t.await??;
    }
    let http = started.elapsed();
    let done = per_client * CLIENTS;
    let http_rate = done as f64 / http.as_secs_f64();

    // Baseline: the same rows (event, mutation, outbox, package and product projections), written straight to a fresh database of the same
    // schema on the same disk, in transactions of 32 (one per concurrent client).
    let rows = app.store.latest_events(done as i64).await?;
    let raw_dir = tempfile::tempdir_in(std::env::current_dir()?)?;
    let raw = crate::store::Store::open(raw_dir.path()).await?;
    let started = Instant::now();
    raw.write_raw(&rows, CLIENTS).await?;
    let raw_time = started.elapsed();
    let raw_rate = rows.len() as f64 / raw_time.as_secs_f64();
    println!("ingest: {done} durable mutations over HTTP, 32 clients: {:.2} s = {http_rate:.0} mutations/s", http.as_secs_f64());
    println!(
        "ingest: raw sqlx baseline, same rows, transactions of 32: {:.2} s = {raw_rate:.0} rows/s",
        raw_time.as_secs_f64()
    );
    println!(
        "ingest: ratio HTTP / raw = {:.0}% (target >= 50%)",
        100.0 * http_rate / raw_rate
    );
    Ok(())
}
