//! Audit export of 1,000,000 events to CSV over HTTP, against `sqlite3 -csv` dumping the same table.

use std::time::Instant;

use chrono::{Duration, TimeZone, Utc};
use domain::{event::*, *};
use futures_util::StreamExt;

use super::BenchApp;

/// Fills the ledger with `rows` sale events (as the writer would store them), then times both.
pub async fn export(rows: usize) -> anyhow::Result<()> {
    let app = BenchApp::start().await?;
    let started = Instant::now();
    let t0 = Utc
        .with_ymd_and_hms(2026, 1, 1, 15, 0, 0)
        .single()
        .expect("time");
    // One package of a named product, so each row carries a tag, a name and a SKU as a store's do.
    let (state, _) = super::reconcile::fixture(1);
    let (package, product) = state
        .packages
        .values()
        .map(|p| (p.id, p.product_id))
        .next()
        .expect("the fixture holds a package");
    use crate::store::LedgerStore;
    let mut batch = crate::store::Batch {
        recorded_at: "2026-11-24T00:00:00Z".into(),
        ..Default::default()
    };
    for i in 0..rows {
        let event = Event {
            version: EVENT_VERSION,
            mutation_id: MutationId::new(),
            actor: UserId::from_u128(7),
            device: DeviceId::from_u128(9),
            at: t0 + Duration::seconds(i as i64 * 30),
            kind: EventKind::Sold {
                receipt: Receipt {
                    receipt_id: ReceiptId::new(),
                    customer: None,
                    patient: None,
                    channel: SaleChannel::InStore,
                    lines: vec![SaleLine {
                        package_id: package,
                        product_id: product,
                        quantity: Quantity::each(1),
                        unit_price: Money::new(10.into(), Currency::Cad),
                        line_total: Money::new(10.into(), Currency::Cad),
                    }],
                    total: Money::new(10.into(), Currency::Cad),
                    hold_id: None,
                },
            },
        };
        batch.events.push(crate::ledger::event_row(
            i as i64 + 1,
            &event,
            &batch.recorded_at,
            false,
            &state,
        )?);
        if (i + 1) % 50_000 == 0 {
            let next = crate::store::Batch {
                recorded_at: batch.recorded_at.clone(),
                ..Default::default()
            };
            app.store
                .commit(std::mem::replace(&mut batch, next))
                .await?;
        }
    }
    app.store.commit(batch).await?;
    println!(
        "export: seeded {rows} events in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    let started = Instant::now();
    let res = app
        .client
        .get(format!(
            "{}/audit/export?from=2000-01-01&to=2100-01-01&format=csv",
            app.url
        ))
        .send()
        .await?
        .error_for_status()?;
    let (mut bytes, mut lines) = (0usize, 0usize);
    let mut body = res.bytes_stream();
    while let Some(chunk) = body.next().await {
        let chunk = chunk?;
        bytes += chunk.len();
        lines += chunk.iter().filter(|b| **b == b'\n').count();
    }
    let ours = started.elapsed();
    anyhow::ensure!(
        lines == rows + 1,
        "export has {lines} lines for {rows} events"
    );

    let db = app.dir.path().join("pistil.db");
    let started = Instant::now();
    let out = std::process::Command::new("sqlite3")
        .arg("-csv")
        .arg(&db)
        .arg("SELECT * FROM events")
        .output()?;
    let theirs = started.elapsed();
    anyhow::ensure!(
        out.status.success(),
        "sqlite3 failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    println!(
        "export: pistil CSV over HTTP, {rows} rows, {:.1} MB: {:.2} s",
        bytes as f64 / 1e6,
        ours.as_secs_f64()
    );
    println!(
        "export: sqlite3 -csv of the same table, {:.1} MB: {:.2} s",
        out.stdout.len() as f64 / 1e6,
        theirs.as_secs_f64()
    );
    println!(
        "export: ratio sqlite3 / pistil = {:.2}x (target >= 1, pistil at least as fast)",
        theirs.as_secs_f64() / ours.as_secs_f64()
    );
    Ok(())
}
