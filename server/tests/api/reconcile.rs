//! Reconciliation against the embedded sandbox, one seeded scenario per diagnosis, produced with
//! the sandbox's fault injection; counts over HTTP; alerts.

use std::time::Duration;

use chrono::NaiveDate;
use domain::{command::*, count::CountScope, *};
use reqwest::StatusCode;
use serde_json::{json, Value};
use server::ledger::Outcome;

use crate::{
    helpers::*,
    regulator::{applied, mapped_store, synced, wait_until, Regulator},
};

async fn reconcile(app: &TestApp) -> Value {
    let res = app
        .manager
        .client
        .get(app.url("/reconcile"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

fn row(report: &Value, package: PackageId) -> Option<&Value> {
    report["packages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["package_id"] == package.to_string())
}

/// Plans a count of `package` and records `counted` by the manager, witnessed.
async fn count(app: &TestApp, package: PackageId, counted: Quantity) -> CountId {
    let count_id = CountId::new();
    applied(
        app.push(
            &app.manager,
            vec![
                command(Action::PlanCount(PlanCount {
                    count_id,
                    scope: CountScope::Packages(vec![package]),
                })),
                command(Action::RecordCount(RecordCount {
                    count_id,
                    package_id: package,
                    counted,
                    witness: app.witness.id,
                })),
            ],
        )
        .await,
    );
    count_id
}

#[tokio::test]
async fn ledger_and_regulator_in_step_need_nothing() {
    let app = spawn_app().await;
    let (_, packages) = mapped_store(&app, 3).await;
    app.push(&app.staff, vec![sell(packages[0].0, Quantity::grams(2, 0))])
        .await;
    synced(&app).await;
    let r = reconcile(&app).await;
    assert_eq!(r["halt"], Value::Null, "{r}");
    assert_eq!(r["packages_compared"], 3, "{r}");
    assert_eq!(r["in_agreement"], 3, "{r}");
    assert!(r["packages"].as_array().unwrap().is_empty(), "{r}");
}

#[tokio::test]
async fn an_expired_key_halts_sync_and_no_count_is_questioned() {
    let app = spawn_app().await;
    let (reg, packages) = mapped_store(&app, 2).await;
    synced(&app).await;
    count(&app, packages[1].0, Quantity::grams(990, 0)).await;
    reg.admin(
        reqwest::Method::PUT,
        "/sandbox/v2/keys",
        json!({"user_key": reg.user, "expire": true}),
    )
    .await;
    app.push(&app.staff, vec![sell(packages[0].0, Quantity::grams(3, 0))])
        .await;
    wait_until(&app, "auth failure", Duration::from_secs(20), |h| {
        h["state"] == "auth_failed"
    })
    .await;
    let r = reconcile(&app).await;
    assert_eq!(r["halt"]["kind"], "auth_failed", "{r}");
    let rows = r["packages"].as_array().unwrap();
    assert_eq!(rows.len(), 2, "{r}");
    for row in rows {
        assert_eq!(row["diagnosis"]["kind"], "sync_halted", "{row}");
    }
    assert!(!r.to_string().contains("\"proposal\""), "{r}");
}

#[tokio::test]
async fn a_pre_roll_weighed_gross_at_the_regulator_is_a_mapping_problem_to_fix_in_the_mapping() {
    let app = spawn_app().await;
    let (reg, _) = mapped_store(&app, 1).await;
    // The regulator's item carries the gross weight (paper and filter); the POS maps net cannabis.
    let item = "House Pre-roll 0.5g";
    let r = reg
        .admin(
            reqwest::Method::POST,
            "/sandbox/v2/items",
            json!({"license": reg.license, "name": item, "category": "Pre-Roll Flower", "quantity_type": "CountBased",
                "unit_of_measure": "Each", "unit_weight": 0.7, "unit_weight_unit_of_measure": "Grams"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let mut p = product(PREROLL, "House Pre-roll", Category::PreRoll);
    p.net_content = Some(Quantity::grams(5, 1));
    p.gross_unit_weight = Some(Quantity::grams(7, 1));
    p.regulator = Some(RegulatorMapping {
        item_name: item.into(),
        item_category: "Pre-Roll Flower".into(),
        unit_of_measure: Unit::Each,
        unit_weight: Some(Quantity::grams(5, 1)),
        unit_weight_definition: UnitWeightDefinition::NetCannabis,
        strain: None,
    });
    let tag = app.next_tag();
    let package = PackageId::new();
    reg.admin(
        reqwest::Method::POST,
        "/sandbox/v2/manifests",
        json!({"license": reg.license, "manifest_number": "0000000888", "packages": [{"label": tag.as_str(), "item": item, "quantity": 50}]}),
    )
    .await;
    applied(
        app.push(
            &app.manager,
            vec![
                command(Action::DefineProduct(p)),
                command(Action::Receive(Receive {
                    manifest_number: "0000000888".into(),
                    lines: vec![ReceiveLine {
                        package_id: package,
                        tag,
                        product_id: PREROLL,
                        shipped: Quantity::each(50),
                        batch: "PR-1".into(),
                        lab: LabResult {
                            state: LabState::Passed,
                            result_id: None,
                            thc_percent: None,
                            cbd_percent: None,
                            tested_on: None,
                        },
                        packaged_on: NaiveDate::from_ymd_opt(2026, 10, 1).unwrap(),
                        expires_on: None,
                        decision: LineDecision::Accept,
                    }],
                })),
            ],
        )
        .await,
    );
    synced(&app).await;
    let r = reconcile(&app).await;
    let row = row(&r, package).expect("the pre-roll package needs attention");
    assert_eq!(row["diagnosis"]["kind"], "mapping", "{row}");
    assert_eq!(
        row["diagnosis"]["problem"],
        "unit weight differs: House Pre-roll maps 0.5 g (net cannabis) per item, the regulator's item \"House Pre-roll 0.5g\" says 0.7 Grams: that is this product's gross weight with paper and filter"
    );
    let products = r["products"].as_array().unwrap();
    assert_eq!(products[0]["name"], "House Pre-roll");
    assert_eq!(products[0]["diagnosis"]["kind"], "mapping");
}

#[tokio::test]
async fn a_change_still_on_its_way_to_the_regulator_means_wait() {
    let app = spawn_app_with(|c| c.regulator_timeout = Duration::from_secs(10)).await;
    let (reg, packages) = mapped_store(&app, 1).await;
    synced(&app).await;
    // Every regulator call now takes 3 s: the adjustment is in flight while we look.
    reg.admin(
        reqwest::Method::PUT,
        "/sandbox/v2/faults",
        json!({"latency_ms": 3000}),
    )
    .await;
    applied(
        app.push(
            &app.manager,
            vec![command(Action::Adjust(Adjust {
                package_id: packages[0].0,
                delta: Quantity::grams(-4, 0),
                reason: AdjustReason::MoistureLoss,
                note: None,
                count_id: None,
            }))],
        )
        .await,
    );
    let r = reconcile(&app).await;
    let row = row(&r, packages[0].0).expect("the adjusted package is reported");
    assert_eq!(row["diagnosis"]["kind"], "timing", "{row}");
    assert_eq!(row["diagnosis"]["in_flight"]["changes"], 1, "{row}");
    reg.admin(reqwest::Method::PUT, "/sandbox/v2/faults", json!({}))
        .await;
    synced(&app).await;
    let r = reconcile(&app).await;
    assert_eq!(r["in_agreement"], 1, "after the change landed: {r}");
}

#[tokio::test]
async fn a_receipt_recorded_twice_at_the_regulator_is_voided_in_one_tap_not_adjusted() {
    let app = spawn_app().await;
    let (reg, packages) = mapped_store(&app, 2).await;
    let receipt = ReceiptId::new();
    applied(
        app.push(
            &app.staff,
            vec![command(Action::Sell(Sell {
                receipt_id: receipt,
                customer: None,
                patient: None,
                lines: vec![SellLine {
                    package_id: packages[0].0,
                    quantity: Quantity::grams(7, 0),
                    unit_price: None,
                }],
            }))],
        )
        .await,
    );
    synced(&app).await;
    let r = reg
        .admin(
            reqwest::Method::POST,
            "/sandbox/v2/receipts/duplicate",
            json!({"license": reg.license, "external_receipt_number": receipt.to_string()}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let package = reg
        .get(&format!("/packages/v2/{}", packages[0].1.as_str()))
        .await;
    assert_eq!(
        package["Quantity"], 986.0,
        "the regulator took the sale twice"
    );
    let r = reconcile(&app).await;
    let row = row(&r, packages[0].0).expect("the package sold twice at the regulator");
    assert_eq!(row["diagnosis"]["kind"], "duplication", "{row}");
    let dup = &row["diagnosis"]["duplicates"][0];
    assert_eq!(dup["kind"], "receipt");
    assert_eq!(dup["reference"], receipt.to_string());
    assert_eq!(dup["quantity"], "7");
    assert_eq!(r["in_agreement"], 1, "the other package is fine: {r}");
    let copy = dup["regulator_id"].as_i64().unwrap();
    // Staff cannot void; the original cannot be voided as if it were the copy.
    let staff = app
        .staff
        .client
        .post(app.url("/reconcile/void-receipt"))
        .json(&json!({ "regulator_receipt_id": copy }))
        .send()
        .await
        .unwrap();
    assert_eq!(staff.status(), StatusCode::FORBIDDEN);
    let res = app
        .manager
        .client
        .post(app.url("/reconcile/void-receipt"))
        .json(&json!({ "regulator_receipt_id": copy }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let voided: Value = res.json().await.unwrap();
    assert_eq!(voided["external_receipt_number"], receipt.to_string());
    let kept = voided["kept_receipt_id"].as_i64().unwrap();
    let again = app
        .manager
        .client
        .post(app.url("/reconcile/void-receipt"))
        .json(&json!({ "regulator_receipt_id": kept }))
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::CONFLICT);
    let body: Value = again.json().await.unwrap();
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("is not a later copy"),
        "{body}"
    );
    let package = reg
        .get(&format!("/packages/v2/{}", packages[0].1.as_str()))
        .await;
    assert_eq!(package["Quantity"], 993.0);
    let r = reconcile(&app).await;
    assert_eq!(r["in_agreement"], 2, "{r}");
}

#[tokio::test]
async fn a_genuine_shrink_found_by_a_count_is_proposed_as_a_count_correction_and_reaches_the_regulator(
) {
    let app = spawn_app().await;
    let (reg, packages) = mapped_store(&app, 1).await;
    synced(&app).await;
    let (id, tag) = &packages[0];
    // 1% short: within Ontario's 2% threshold, so no recount is needed.
    let count_id = count(&app, *id, Quantity::grams(990, 0)).await;
    let r = reconcile(&app).await;
    let row = row(&r, *id).expect("the short package is reported");
    assert_eq!(row["diagnosis"]["kind"], "variance", "{row}");
    assert_eq!(row["diagnosis"]["count_gap"], "-10");
    assert_eq!(row["diagnosis"]["regulator_gap"], Value::Null);
    let proposal: Adjust = serde_json::from_value(row["diagnosis"]["proposal"].clone()).unwrap();
    assert_eq!(proposal.delta, Quantity::grams(-10, 0));
    assert_eq!(proposal.reason, AdjustReason::CountCorrection);
    assert_eq!(proposal.count_id, Some(count_id));
    // The manager confirms it.
    applied(
        app.push(&app.manager, vec![command(Action::Adjust(proposal))])
            .await,
    );
    synced(&app).await;
    let package = reg.get(&format!("/packages/v2/{}", tag.as_str())).await;
    assert_eq!(package["Quantity"], 990.0);
    let r = reconcile(&app).await;
    assert_eq!(r["in_agreement"], 1, "{r}");
}

#[tokio::test]
async fn a_large_variance_waits_for_a_recount_by_another_person_and_is_an_alert_until_then() {
    let app = spawn_app().await;
    let (reg, packages) = mapped_store(&app, 1).await;
    let id = packages[0].0;
    let count_id = count(&app, id, Quantity::grams(900, 0)).await;
    let refused = app
        .push(
            &app.manager,
            vec![command(Action::AcceptCount(CountRef { count_id }))],
        )
        .await;
    match &refused[0] {
        Outcome::Rejected { error, .. } => assert!(
            error.to_string().contains("over the 2% threshold"),
            "{error}"
        ),
        other => panic!("expected a refusal, got {other:?}"),
    }
    let alerts: Value = app
        .manager
        .client
        .get(app.url("/alerts"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        alerts
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["kind"] == "variance_over_threshold"),
        "{alerts}"
    );
    // The witness recounts, with the manager as their witness; then the count can be accepted.
    applied(
        app.push(
            &app.witness,
            vec![command(Action::RecordCount(RecordCount {
                count_id,
                package_id: id,
                counted: Quantity::grams(905, 0),
                witness: app.manager.id,
            }))],
        )
        .await,
    );
    applied(
        app.push(
            &app.manager,
            vec![command(Action::AcceptCount(CountRef { count_id }))],
        )
        .await,
    );
    synced(&app).await;
    let package = reg
        .get(&format!("/packages/v2/{}", packages[0].1.as_str()))
        .await;
    assert_eq!(package["Quantity"], 905.0);
    // Staff may not plan counts.
    let staff = app
        .push_raw(
            &app.staff.client,
            vec![command(Action::PlanCount(PlanCount {
                count_id: CountId::new(),
                scope: CountScope::Zone(Zone::SalesFloor),
            }))],
        )
        .await;
    assert_eq!(staff.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_manifest_the_regulator_shows_twice_is_an_alert() {
    let app = spawn_app().await;
    let reg: Regulator = mapped_store(&app, 1).await.0;
    let r = reg
        .admin(
            reqwest::Method::POST,
            "/sandbox/v2/manifests",
            json!({"license": reg.license, "manifest_number": "0000000999", "twice": true,
                "packages": [{"label": app.next_tag().as_str(), "item": crate::regulator::ITEM, "quantity": 10}]}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let alerts: Value = app
        .manager
        .client
        .get(app.url("/alerts"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        alerts
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["kind"] == "manifest_twice"
                && a["message"].as_str().unwrap().contains("0000000999")),
        "{alerts}"
    );
}

#[tokio::test]
async fn a_package_refused_at_receiving_is_listed_as_going_back_not_as_only_at_the_regulator() {
    let app = spawn_app().await;
    let (reg, _) = mapped_store(&app, 1).await;
    let (kept, refused) = (app.next_tag(), app.next_tag());
    let r = reg
        .admin(
            reqwest::Method::POST,
            "/sandbox/v2/manifests",
            json!({"license": reg.license, "manifest_number": "0000000888", "packages": [
                {"label": kept.as_str(), "item": crate::regulator::ITEM, "quantity": 50},
                {"label": refused.as_str(), "item": crate::regulator::ITEM, "quantity": 30}]}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let line = |tag: &RegulatorTag, decision| ReceiveLine {
        package_id: PackageId::new(),
        tag: tag.clone(),
        product_id: FLOWER,
        shipped: Quantity::grams(
            if decision == LineDecision::Accept {
                50
            } else {
                30
            },
            0,
        ),
        batch: "B-2".into(),
        lab: LabResult {
            state: LabState::Passed,
            result_id: Some("COA".into()),
            thc_percent: None,
            cbd_percent: None,
            tested_on: None,
        },
        packaged_on: NaiveDate::from_ymd_opt(2026, 10, 1).unwrap(),
        expires_on: None,
        decision,
    };
    applied(
        app.push(
            &app.manager,
            vec![command(Action::Receive(Receive {
                manifest_number: "0000000888".into(),
                lines: vec![
                    line(&kept, LineDecision::Accept),
                    line(
                        &refused,
                        LineDecision::Reject {
                            reason: "seal broken".into(),
                        },
                    ),
                ],
            }))],
        )
        .await,
    );
    synced(&app).await;
    let r = reconcile(&app).await;
    let only: Vec<&str> = r["regulator_only"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect();
    assert!(!only.contains(&refused.as_str()), "{r}");
    let going_back = r["rejected_at_receiving"].as_array().unwrap();
    // Receiving happens in the regulator's own screens: its list still holds the refused package
    // at the store, as Metrc's does until the shipper takes the rejection back.
    let listed_at_regulator = reg
        .get("/packages/v2/active?pageNumber=1&pageSize=20")
        .await["Data"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["Label"] == refused.as_str());
    assert!(listed_at_regulator);
    assert_eq!(going_back.len(), 1, "{r}");
    assert_eq!(going_back[0]["tag"], refused.as_str());
    assert_eq!(going_back[0]["manifest_number"], "0000000888");
    assert_eq!(going_back[0]["reason"], "seal broken");
    // The package kept is compared like any other, and agrees.
    assert!(
        r["packages"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["tag"] != kept.as_str()),
        "{r}"
    );
}
