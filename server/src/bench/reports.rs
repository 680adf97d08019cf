//! Monthly reports for a busy store (1,000 receipts a day for a month), over HTTP, against
//! reading and parsing the same events from SQLite alone, in one run.

use std::time::Instant;

use super::{sale, BenchApp};
use chrono::{Datelike, Utc};

/// Records `receipts` sales this month, then times every report for the month.
pub async fn reports(receipts: usize) -> anyhow::Result<()> {
    let app = BenchApp::start().await?;
    let (_, packages) = app.shelf(50, 1_000_000).await?;
    let started = Instant::now();
    for chunk in (0..receipts).collect::<Vec<_>>().chunks(500) {
        app.push(
            chunk
                .iter()
                .map(|k| sale(packages[k % packages.len()]))
                .collect(),
        )
        .await?;
    }
    println!(
        "reports: {receipts} receipts recorded this month in {:.1} s (a month of a store selling 1,000 a day)",
        started.elapsed().as_secs_f64()
    );
    // The store's month (the bench store keeps the default UTC-5).
    let local = Utc::now() - chrono::Duration::minutes(300);
    let month = format!("{}-{:02}", local.year(), local.month());
    // Baseline: what every report must do at least once, read and parse the ledger's events.
    let t = Instant::now();
    let parsed = crate::store::EventStore::events_after(&app.store, 0, i64::MAX)
        .await?
        .len();
    let baseline = t.elapsed();
    println!(
        "reports: baseline, read and parse {parsed} events from SQLite: {:.0} ms",
        baseline.as_secs_f64() * 1e3
    );
    let mut total = 0.0;
    for (name, path) in [
        (
            "Health Canada (JSON preview with checks)",
            format!("/reports/health-canada?month={month}"),
        ),
        (
            "Health Canada (CSV)",
            format!("/reports/health-canada?month={month}&format=csv"),
        ),
        (
            "Metrc sync completeness (CSV)",
            format!("/reports/metrc-completeness?month={month}&format=csv"),
        ),
        (
            "AGCO integrated retail (XLSX, five tabs)",
            format!("/reports/agco?month={month}"),
        ),
        (
            "AGCO Monthly Sales tab (CSV)",
            format!("/reports/agco?month={month}&format=csv&tab=Monthly%20Sales"),
        ),
        (
            "Alberta per SKU (CSV)",
            format!("/reports/alberta?month={month}"),
        ),
        (
            "British Columbia by weight (CSV)",
            format!("/reports/british-columbia?month={month}"),
        ),
        (
            "Per-SKU preview (JSON)",
            format!("/reports/skus?month={month}"),
        ),
    ] {
        let t = Instant::now();
        let res = app
            .client
            .get(format!("{}{path}", app.url))
            .send()
            .await?
            .error_for_status()?;
        let bytes = res.bytes().await?.len();
        let took = t.elapsed().as_secs_f64();
        total += took;
        println!(
            "reports: {name}: {:.0} ms ({bytes} bytes), {:.2}x the baseline",
            took * 1e3,
            took / baseline.as_secs_f64()
        );
    }
    println!(
        "reports: all reports for the month: {:.0} ms (target < 1,000 ms)",
        total * 1e3
    );
    Ok(())
}
