//! The demo's regulator: the embedded sandbox seeded with the store's items and packages, so
//! both sides start in agreement, one manifest on its way for Receive to show, and the
//! facility's two locations.

use crate::{
    ledger::Ledger,
    store::{OutboxStore, Store},
};
use domain::{PackageStatus, Unit};
use metrc::{wire::LocationBody, Credentials};
use metrc_sandbox::SeedPackage;

/// The manifest the demo's regulator shows on its way, not yet received in the store.
pub const DEMO_INCOMING_MANIFEST: &str = "0000009001";

/// Gives the embedded sandbox the store's items and packages as they are now, and marks what the ledger
/// already did as known to the regulator: the demo starts with both sides in agreement.
pub async fn seed_from_store(
    creds: &Credentials,
    store: &Store,
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
    // The facility's rooms as Metrc knows them; a manager chooses them for the store's zones on
    // Settings (until then, moves stay in the store).
    let metrc = metrc::MetrcClient::new(creds.clone(), std::time::Duration::from_secs(10));
    metrc
        .create_locations(&[
            LocationBody {
                id: None,
                name: "Vault".into(),
                location_type_name: "Default".into(),
            },
            LocationBody {
                id: None,
                name: "Sales Floor".into(),
                location_type_name: "Default".into(),
            },
        ])
        .await?;
    store.settle_pending_as_made().await?;
    Ok(())
}
