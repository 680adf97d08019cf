//! Which regulator `pistil serve` talks to: the credentials a manager saved, or else an embedded
//! sandbox on loopback, provisioned on first start and, under `--demo`, seeded from the store.

use std::{path::Path, time::Duration};

use domain::{PackageStatus, Unit};
use sqlx::{Row, SqlitePool};

use super::{
    client::{Credentials, MetrcClient},
    sandbox_http::{self, SandboxState, SeedPackage},
};
use crate::ledger::Ledger;

const SETTING: &str = "regulator_credentials";

/// The saved credentials, if any.
pub async fn saved(pool: &SqlitePool) -> anyhow::Result<Option<Credentials>> {
    let row = sqlx::query("SELECT value FROM settings WHERE key = ?")
        .bind(SETTING)
        .fetch_optional(pool)
        .await?;
    Ok(match row {
        Some(r) => Some(serde_json::from_str(&r.get::<String, _>(0))?),
        None => None,
    })
}

/// Saves credentials (server-side only; no API ever returns them).
pub async fn save(pool: &SqlitePool, creds: &Credentials) -> anyhow::Result<()> {
    sqlx::query("INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value")
        .bind(SETTING)
        .bind(serde_json::to_string(creds)?)
        .execute(pool)
        .await?;
    Ok(())
}

/// The manifest the demo's regulator shows on its way, not yet received in the store.
pub const DEMO_INCOMING_MANIFEST: &str = "0000009001";

/// The embedded sandbox's licence.
pub const SANDBOX_LICENSE: &str = "C10-0000001-LIC";

/// Starts the embedded sandbox on loopback; on its first start provisions it, and under `demo`
/// seeds it with the store's items and packages so both sides agree. Returns the credentials.
pub async fn embedded_sandbox(
    data_dir: &Path,
    pool: &SqlitePool,
    ledger: &Ledger,
    demo: bool,
) -> anyhow::Result<Credentials> {
    let st = SandboxState::open(&data_dir.join("regulator-sandbox")).await?;
    let fresh = st.is_empty();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base_url = format!("http://{}", listener.local_addr()?);
    let router = sandbox_http::router(st.clone());
    tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, router).await {
            tracing::error!(error = ?e, "embedded regulator sandbox stopped");
        }
    });
    let mut creds = match saved(pool).await? {
        Some(c) if !fresh => c,
        _ => Credentials {
            base_url: base_url.clone(),
            vendor_key: uuid::Uuid::new_v4().simple().to_string(),
            user_key: uuid::Uuid::new_v4().simple().to_string(),
            license: SANDBOX_LICENSE.into(),
            embedded: true,
            key_expires_on: None,
        },
    };
    // The port is new on every start.
    creds.base_url = base_url;
    if fresh {
        let tags = (1..=2000u32)
            .map(|n| format!("1A4FF0300000029{:09}", 900_000 + n))
            .collect();
        st.provision(
            &creds.license,
            "Pistil embedded sandbox",
            &creds.vendor_key,
            &creds.user_key,
            tags,
        )
        .await?;
        if demo {
            seed_from_store(&creds, pool, ledger).await?;
        }
    }
    save(pool, &creds).await?;
    Ok(creds)
}

/// Gives the sandbox the store's items and packages as they are now, and marks what the ledger
/// already did as known to the regulator: the demo starts with both sides in agreement.
async fn seed_from_store(
    creds: &Credentials,
    pool: &SqlitePool,
    ledger: &Ledger,
) -> anyhow::Result<()> {
    let view = ledger.view().await;
    let client = reqwest::Client::new();
    let admin = |path: &str| format!("{}{path}", creds.base_url);
    for p in view.state.products.values() {
        let Some(m) = &p.regulator else { continue };
        let quantity_type = match m.unit_of_measure {
            Unit::Each => "CountBased",
            Unit::Milliliters => "VolumeBased",
            _ => "WeightBased",
        };
        client
            .post(admin("/sandbox/v2/items"))
            .json(&serde_json::json!({
                "license": creds.license, "name": m.item_name, "category": m.item_category, "quantity_type": quantity_type,
                "unit_of_measure": m.unit_of_measure.regulator_name(),
                "unit_weight": m.unit_weight.map(|w| w.amount), "unit_weight_unit_of_measure": m.unit_weight.map(|w| w.unit.regulator_name()),
            }))
            .send()
            .await?
            .error_for_status()?;
    }
    let mut by_manifest: std::collections::BTreeMap<String, Vec<SeedPackage>> = Default::default();
    for p in view.state.packages.values() {
        if matches!(p.status, PackageStatus::Finished | PackageStatus::Destroyed) {
            continue;
        }
        let Some(m) = view
            .state
            .products
            .get(&p.product_id)
            .and_then(|x| x.regulator.as_ref())
        else {
            continue;
        };
        let Ok(q) = p.quantity.convert(m.unit_of_measure) else {
            continue;
        };
        by_manifest
            .entry(
                p.manifest_number
                    .clone()
                    .unwrap_or_else(|| "0000000000".into()),
            )
            .or_default()
            .push(SeedPackage {
                label: p.tag.to_string(),
                item: m.item_name.clone(),
                quantity: q.amount,
            });
    }
    // One delivery on its way that the store has not received yet, so Receive has work to show:
    // the first mapped product of each of three categories.
    let mut incoming = Vec::new();
    let mut products: Vec<_> = view.state.products.values().collect();
    products.sort_by(|a, b| a.sku.cmp(&b.sku));
    for (n, category) in [
        domain::Category::Flower,
        domain::Category::PreRoll,
        domain::Category::Vape,
    ]
    .into_iter()
    .enumerate()
    {
        let Some(m) = products
            .iter()
            .filter(|p| p.category == category)
            .find_map(|p| p.regulator.as_ref())
        else {
            continue;
        };
        let quantity = match m.unit_of_measure {
            Unit::Each => rust_decimal::Decimal::from(24),
            _ => rust_decimal::Decimal::from(448),
        };
        incoming.push(SeedPackage {
            label: format!("1A4FF0300000029{:09}", 800_000_001 + n),
            item: m.item_name.clone(),
            quantity,
        });
    }
    drop(view);
    if !incoming.is_empty() {
        by_manifest.insert(DEMO_INCOMING_MANIFEST.to_owned(), incoming);
    }
    for (manifest, packages) in by_manifest {
        client
            .post(admin("/sandbox/v2/manifests"))
            .json(&serde_json::json!({ "license": creds.license, "manifest_number": manifest, "packages": packages }))
            .send()
            .await?
            .error_for_status()?;
    }
    sqlx::query("UPDATE outbox SET state = 'done', done_at = created_at WHERE state = 'pending'")
        .execute(pool)
        .await?;
    Ok(())
}

/// A client for saved credentials.
pub fn client(creds: Credentials, timeout: Duration, gets_per_second: f64) -> MetrcClient {
    MetrcClient::with_get_rate(creds, timeout, gets_per_second)
}
