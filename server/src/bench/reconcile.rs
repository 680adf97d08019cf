//! Reconciliation of a large store against a regulator snapshot, against parsing that snapshot
//! alone, in one process: the comparison and diagnosis must cost no more than the parse.

use std::time::{Duration, Instant};

use chrono::{NaiveDate, Utc};
use domain::*;
use rust_decimal::Decimal;

use crate::reconcile::{assemble, OutboxFacts};
use metrc::wire::{Package as RegPackage, Page};

const PAGE_SIZE: usize = 20;

fn product(n: usize) -> Product {
    Product {
        id: ProductId::from_u128(n as u128 + 1),
        sku: format!("SKU-{n:04}"),
        upc: None,
        name: format!("Product {n}"),
        brand: "Bench Farms".into(),
        category: Category::Flower,
        strain: StrainType::Hybrid,
        quantity_type: QuantityType::WeightBased,
        unit: Unit::Grams,
        net_content: None,
        gross_unit_weight: None,
        thc_mg_per_unit: None,
        thc_percent: None,
        cbd_percent: None,
        price: Money::new(10.into(), Currency::Cad),
        cost: Money::new(4.into(), Currency::Cad),
        vendor: "V".into(),
        regulator: Some(RegulatorMapping {
            item_name: format!("Item {n}"),
            item_category: "Buds".into(),
            unit_of_measure: Unit::Grams,
            unit_weight: None,
            unit_weight_definition: UnitWeightDefinition::NetCannabis,
            strain: None,
        }),
    }
}

/// A store of `n` packages over 500 products, and the regulator's v2 pages of the same packages
/// (one in a hundred differing by a gram), as the client receives them.
pub(super) fn fixture(n: usize) -> (State, Vec<String>) {
    let mut state = State::default();
    let products: Vec<Product> = (0..500).map(product).collect();
    for p in &products {
        state.products.insert(p.id, p.clone());
    }
    let mut regulator = Vec::with_capacity(n);
    for i in 0..n {
        let p = &products[i % products.len()];
        let tag = RegulatorTag::parse(&format!("1A4FF0500000029{i:09}")).expect("tag");
        let qty = Decimal::from(100 + (i % 900) as i64);
        let pkg = Package {
            id: PackageId::from_u128(0xB000_0000 + i as u128),
            tag: tag.clone(),
            product_id: p.id,
            batch: "B".into(),
            lab: LabResult {
                state: LabState::Passed,
                result_id: None,
                thc_percent: None,
                cbd_percent: None,
                tested_on: None,
            },
            packaged_on: NaiveDate::from_ymd_opt(2026, 10, 1).expect("date"),
            expires_on: None,
            zone: Zone::Vault,
            status: PackageStatus::Active,
            quantity: Quantity::new(qty, Unit::Grams),
            held: Decimal::ZERO,
            parents: vec![],
            children: vec![],
            manifest_number: Some("0000000001".into()),
            created_at: Utc::now(),
        };
        state.tags.insert(tag.clone(), pkg.id);
        state.packages.insert(pkg.id, pkg);
        let at_regulator = if i % 100 == 0 {
            qty - Decimal::ONE
        } else {
            qty
        };
        regulator.push(serde_json::json!({
            "Id": i + 1, "Label": tag.as_str(), "PackageType": "Product", "Quantity": at_regulator,
            "UnitOfMeasureName": "Grams", "IsFinished": false, "ReceivedFromManifestNumber": "0000000001",
            "Item": {"Id": i % 500 + 1, "Name": p.regulator.as_ref().map(|m| m.item_name.clone()), "ProductCategoryName": "Buds",
                "QuantityType": "WeightBased", "UnitOfMeasureName": "Grams", "UnitWeight": null, "UnitWeightUnitOfMeasureName": null},
            "LabTestingState": "TestPassed", "PackagedDate": "2026-10-01", "LastModified": "2026-11-01T00:00:00Z",
        }));
    }
    let pages = regulator.len().div_ceil(PAGE_SIZE);
    let bodies = regulator
        .chunks(PAGE_SIZE)
        .enumerate()
        .map(|(k, chunk)| {
            serde_json::json!({"Data": chunk, "Total": n, "TotalRecords": n, "PageSize": PAGE_SIZE,
                "RecordsOnPage": chunk.len(), "Page": k + 1, "CurrentPage": k + 1, "TotalPages": pages})
            .to_string()
        })
        .collect();
    (state, bodies)
}

fn parse(pages: &[String]) -> Vec<RegPackage> {
    let mut all = Vec::new();
    for body in pages {
        let p: Page<RegPackage> = serde_json::from_str(body).expect("page parses");
        all.extend(p.data);
    }
    all
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// Reconciles `n` packages; prints parse alone, parse plus reconciliation, and the ratio.
pub async fn reconcile(n: usize) -> anyhow::Result<()> {
    let (state, pages) = fixture(n);
    let bytes: usize = pages.iter().map(String::len).sum();
    println!(
        "reconcile: {n} packages, {} regulator pages ({:.1} MB of JSON)",
        pages.len(),
        bytes as f64 / 1e6
    );
    let outbox = OutboxFacts::default();
    let duplicates = Default::default();
    let mut parse_only = Vec::new();
    let mut full = Vec::new();
    let mut compare = Vec::new();
    let mut off = 0;
    for _ in 0..5 {
        let t = Instant::now();
        let regulator = parse(&pages);
        parse_only.push(t.elapsed());
        drop(regulator);
        let t = Instant::now();
        let regulator = parse(&pages);
        let parsed = t.elapsed();
        let report = assemble(&state, None, &regulator, &outbox, &duplicates);
        full.push(t.elapsed());
        compare.push(t.elapsed() - parsed);
        off = report.packages.len();
    }
    let (p, f, c) = (median(parse_only), median(full), median(compare));
    println!(
        "  parse the snapshot alone:        {:>8.1} ms (median of 5)",
        p.as_secs_f64() * 1e3
    );
    println!(
        "  parse and reconcile:             {:>8.1} ms (median of 5; {off} packages diagnosed off)",
        f.as_secs_f64() * 1e3
    );
    println!(
        "  of which comparing and diagnosing: {:>6.1} ms",
        c.as_secs_f64() * 1e3
    );
    println!(
        "  ratio: {:.2}x the parse alone (target <= 2x)",
        f.as_secs_f64() / p.as_secs_f64()
    );
    Ok(())
}
