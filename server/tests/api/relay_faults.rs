//! Writes whose answer is lost, settled from the regulator's own state before anything is sent
//! again: placed exactly with the sandbox's `drop_next_writes`.

use std::time::Duration;

use domain::{command::*, *};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::{
    helpers::*,
    regulator::{mapped_store, wait_until, Regulator},
};

async fn drop_next(reg: &Regulator, writes: u32) {
    let r = reg
        .admin(
            reqwest::Method::PUT,
            "/sandbox/v2/faults",
            json!({ "drop_next_writes": writes }),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
}

async fn fresh_tags(reg: &Regulator, n: usize) -> Vec<RegulatorTag> {
    let pool: Value = reg.get("/tags/v2/package/available").await;
    pool.as_array()
        .unwrap()
        .iter()
        .take(n)
        .map(|t| RegulatorTag::parse(t["Label"].as_str().unwrap()).unwrap())
        .collect()
}

async fn drained(app: &TestApp) -> Value {
    wait_until(app, "the outbox drained", Duration::from_secs(30), |h| {
        h["pending"] == 0 && h["sending"] == 0 && h["uncertain"] == 0
    })
    .await
}

#[tokio::test]
async fn a_split_into_twelve_whose_first_post_landed_unanswered_sends_only_the_two_children_left() {
    let app = spawn_app_with(|c| c.regulator_timeout = Duration::from_millis(400)).await;
    let (reg, packages) = mapped_store(&app, 1).await;
    let (source, source_tag) = packages[0].clone();
    drained(&app).await;
    let tags = fresh_tags(&reg, 12).await;
    // Metrc takes ten packages per POST: the first POST commits and its answer never comes.
    drop_next(&reg, 1).await;
    let out = app
        .push(
            &app.manager,
            vec![command(Action::Split(Split {
                source,
                new_packages: tags
                    .iter()
                    .map(|t| NewPackage {
                        package_id: PackageId::new(),
                        tag: t.clone(),
                    })
                    .collect(),
                amounts: SplitAmounts::Equal {
                    total: Quantity::grams(120, 0),
                },
            }))],
        )
        .await;
    assert!(
        matches!(out[0], server::ledger::Outcome::Applied { .. }),
        "{out:?}"
    );
    let h = drained(&app).await;
    assert_eq!(h["parked"], 0, "{h}");
    let attempts: i64 =
        sqlx::query_scalar("SELECT attempts FROM outbox WHERE kind = 'package_split'")
            .fetch_one(app.store.pool())
            .await
            .unwrap();
    assert!(attempts >= 1, "the first POST's answer was never in doubt");
    // Every child exists once, from the source, with its share; the source gave 120 g once.
    for t in &tags {
        let child = reg.get(&format!("/packages/v2/{}", t.as_str())).await;
        assert_eq!(child["Quantity"].as_f64(), Some(10.0), "{child}");
        assert_eq!(child["SourcePackageLabels"], source_tag.as_str(), "{child}");
    }
    let src = reg
        .get(&format!("/packages/v2/{}", source_tag.as_str()))
        .await;
    assert_eq!(src["Quantity"].as_f64(), Some(880.0), "{src}");
}

#[tokio::test]
async fn a_tag_already_made_from_another_package_is_a_conflict_in_words_not_a_child() {
    let app = spawn_app_with(|c| c.regulator_timeout = Duration::from_millis(400)).await;
    let (reg, packages) = mapped_store(&app, 2).await;
    drained(&app).await;
    let tags = fresh_tags(&reg, 11).await;
    // Someone used the last tag at the regulator directly, from the other package.
    let res = reg
        .client
        .post(format!("{}/packages/v2/?licenseNumber={}", reg.url, reg.license))
        .basic_auth(&reg.vendor, Some(&reg.user))
        .json(&json!([{"Tag": tags[10].as_str(), "Item": null, "Quantity": 5.0, "UnitOfMeasure": "Grams",
            "UseSameItem": true, "ActualDate": "2026-12-01", "Note": null,
            "Ingredients": [{"Package": packages[1].1.as_str(), "Quantity": 5.0, "UnitOfMeasure": "Grams"}]}]))
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        res.text().await.unwrap()
    );
    let out = app
        .push(
            &app.manager,
            vec![command(Action::Split(Split {
                source: packages[0].0,
                new_packages: tags
                    .iter()
                    .map(|t| NewPackage {
                        package_id: PackageId::new(),
                        tag: t.clone(),
                    })
                    .collect(),
                amounts: SplitAmounts::Equal {
                    total: Quantity::grams(110, 0),
                },
            }))],
        )
        .await;
    assert!(
        matches!(out[0], server::ledger::Outcome::Applied { .. }),
        "{out:?}"
    );
    let h = wait_until(&app, "the split parked", Duration::from_secs(30), |h| {
        h["parked"] == 1
    })
    .await;
    let why: String = sqlx::query_scalar("SELECT last_error FROM outbox WHERE state = 'parked'")
        .fetch_one(app.store.pool())
        .await
        .unwrap();
    assert!(
        why.contains(&format!(
            "tag {} is already a package at the regulator, made from {}",
            tags[10].as_str(),
            packages[1].1.as_str()
        )),
        "{why} {h}"
    );
}

#[tokio::test]
async fn an_adjustment_in_doubt_holds_back_a_later_sale_of_the_same_package_even_on_its_second_line(
) {
    let app = spawn_app_with(|c| c.regulator_timeout = Duration::from_millis(400)).await;
    let (reg, packages) = mapped_store(&app, 2).await;
    let ((a, a_tag), (b, b_tag)) = (packages[0].clone(), packages[1].clone());
    drained(&app).await;
    drop_next(&reg, 1).await;
    let out = app
        .push(
            &app.manager,
            vec![
                command(Action::Adjust(Adjust {
                    package_id: a,
                    delta: Quantity::grams(-5, 0),
                    reason: AdjustReason::ScaleVariance,
                    note: Some("reweighed".into()),
                    count_id: None,
                })),
                // The sale names B first: A's pending read-back must hold it all the same.
                command(Action::Sell(Sell {
                    receipt_id: ReceiptId::new(),
                    customer: None,
                    patient: None,
                    lines: [b, a]
                        .iter()
                        .map(|p| SellLine {
                            package_id: *p,
                            quantity: Quantity::grams(1, 0),
                            unit_price: None,
                        })
                        .collect(),
                })),
            ],
        )
        .await;
    assert!(
        out.iter()
            .all(|o| matches!(o, server::ledger::Outcome::Applied { .. })),
        "{out:?}"
    );
    let h = drained(&app).await;
    assert_eq!(h["parked"], 0, "{h}");
    let qty = |v: Value| v["Quantity"].as_f64();
    assert_eq!(
        qty(reg.get(&format!("/packages/v2/{}", a_tag.as_str())).await),
        Some(994.0)
    );
    assert_eq!(
        qty(reg.get(&format!("/packages/v2/{}", b_tag.as_str())).await),
        Some(999.0)
    );
    let receipts = crate::regulator::all_receipts(&reg).await;
    assert_eq!(receipts.len(), 1, "{receipts:?}");
}

#[tokio::test]
async fn a_change_waiting_behind_one_in_doubt_holds_back_the_changes_of_the_packages_it_makes() {
    let app = spawn_app_with(|c| c.regulator_timeout = Duration::from_millis(400)).await;
    let (reg, packages) = mapped_store(&app, 2).await;
    let ((a, a_tag), (b, b_tag)) = (packages[0].clone(), packages[1].clone());
    drained(&app).await;
    let merged = PackageId::new();
    let merged_tag = fresh_tags(&reg, 1).await.remove(0);
    // A's adjustment is answered by no one; the merge of A and B waits behind it, and the sale
    // of what the merge makes must wait behind the merge, though it names neither A nor B.
    drop_next(&reg, 1).await;
    let out = app
        .push(
            &app.manager,
            vec![
                command(Action::Adjust(Adjust {
                    package_id: a,
                    delta: Quantity::grams(-5, 0),
                    reason: AdjustReason::ScaleVariance,
                    note: None,
                    count_id: None,
                })),
                command(Action::Merge(Merge {
                    sources: vec![a, b],
                    into: NewPackage {
                        package_id: merged,
                        tag: merged_tag.clone(),
                    },
                })),
                sell(merged, Quantity::grams(3, 0)),
            ],
        )
        .await;
    assert!(
        out.iter()
            .all(|o| matches!(o, server::ledger::Outcome::Applied { .. })),
        "{out:?}"
    );
    let h = drained(&app).await;
    assert_eq!(h["parked"], 0, "{h}");
    let qty = |v: Value| v["Quantity"].as_f64();
    assert_eq!(
        qty(reg
            .get(&format!("/packages/v2/{}", merged_tag.as_str()))
            .await),
        Some(1992.0)
    );
    for tag in [a_tag, b_tag] {
        assert_eq!(
            qty(reg.get(&format!("/packages/v2/{}", tag.as_str())).await),
            Some(0.0)
        );
    }
    assert_eq!(crate::regulator::all_receipts(&reg).await.len(), 1);
}
