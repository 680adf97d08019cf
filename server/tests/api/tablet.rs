//! What the tablet app needs beyond the ledger: a witness confirming on the same tablet, a
//! package's history with who did what and how far it reached the regulator, and the store's
//! policies in the snapshot so the tablet decides as the server does.

use domain::{command::*, *};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::*;

#[tokio::test]
async fn a_witness_confirms_with_their_own_password_and_starts_no_session() {
    let app = spawn_app().await;
    let ok = app
        .manager
        .client
        .post(app.url("/session/witness"))
        .json(&json!({"email": "w@t.test", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), StatusCode::OK);
    assert!(
        ok.headers().get("set-cookie").is_none(),
        "a witness gets no session"
    );
    let answer: Value = ok.json().await.unwrap();
    assert_eq!(answer["outcome"], "confirmed", "{answer}");
    assert_eq!(answer["witness"]["id"], app.witness.id.to_string());

    let wrong = app
        .manager
        .client
        .post(app.url("/session/witness"))
        .json(&json!({"email": "w@t.test", "password": "not it"}))
        .send()
        .await
        .unwrap();
    // A wrong password is an answer to the signed-in manager, not a failed request.
    assert_eq!(wrong.status(), StatusCode::OK);
    let answer: Value = wrong.json().await.unwrap();
    assert_eq!(answer["outcome"], "refused", "{answer}");

    let myself = app
        .manager
        .client
        .post(app.url("/session/witness"))
        .json(&json!({"email": "m@t.test", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(myself.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = myself.json().await.unwrap();
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("different person"));

    for (who, client, want) in [
        ("nobody", &app.anonymous, StatusCode::UNAUTHORIZED),
        ("staff", &app.staff.client, StatusCode::FORBIDDEN),
    ] {
        let res = client
            .post(app.url("/session/witness"))
            .json(&json!({"email": "w@t.test", "password": PASSWORD}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), want, "{who}");
    }
}

#[tokio::test]
async fn a_package_history_names_who_did_what_and_where_it_stands_with_the_regulator() {
    let app = spawn_app().await;
    let (flower, preroll) = app.stock_the_shelf(100, 10).await;
    app.push(
        &app.manager,
        vec![command(Action::Adjust(Adjust {
            package_id: flower,
            delta: Quantity::grams(-2, 0),
            reason: AdjustReason::MoistureLoss,
            note: None,
            count_id: None,
        }))],
    )
    .await;
    app.push(&app.staff, vec![sell(preroll, Quantity::each(1))])
        .await;

    let history: Value = app
        .staff
        .client
        .get(app.url(&format!("/packages/{flower}/history")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let events = history["events"].as_array().unwrap();
    let kinds: Vec<&str> = events
        .iter()
        .map(|e| {
            e["event"]["kind"]
                .as_object()
                .and_then(|k| k.keys().next())
                .map_or("", |k| k.as_str())
        })
        .collect();
    assert_eq!(events.len(), 3, "received, moved, adjusted: {kinds:?}");
    assert!(events.iter().all(|e| e["actor_name"] == "m@t.test"));
    let last = events.last().unwrap();
    assert!(last["regulator"]["state"].is_string(), "{last}");
    assert!(
        events
            .windows(2)
            .all(|w| w[0]["seq"].as_i64() < w[1]["seq"].as_i64()),
        "oldest first"
    );

    let missing = app
        .staff
        .client
        .get(app.url(&format!("/packages/{}/history", PackageId::new())))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    let garbled = app
        .staff
        .client
        .get(app.url("/packages/not-an-id/history"))
        .send()
        .await
        .unwrap();
    assert_eq!(garbled.status(), StatusCode::BAD_REQUEST);
    let anonymous = app
        .anonymous
        .get(app.url(&format!("/packages/{flower}/history")))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_snapshot_carries_the_store_policies_a_tablet_decides_with() {
    let app = spawn_app().await;
    app.stock_the_shelf(100, 10).await;
    let snap = app.snapshot().await;
    let config = &snap["snapshot"]["config"];
    assert!(config["merge_policy"].is_object(), "{config}");
    assert!(!config["jurisdiction"].is_null(), "{config}");
}

#[tokio::test]
async fn a_manager_gets_free_tags_the_ledger_has_not_used_and_staff_get_none() {
    let app = spawn_app().await;
    let free: Value = app
        .manager
        .client
        .get(app.url("/regulator/tags"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let tags: Vec<String> = serde_json::from_value(free["tags"].clone()).unwrap();
    assert!(tags.len() >= 10, "{free}");
    // Once the ledger uses one (a split made on a tablet, not yet at the regulator), it is not offered.
    let (flower, _) = app.stock_the_shelf(100, 10).await;
    let used = RegulatorTag::parse(&tags[0]).unwrap();
    let out = app
        .push(
            &app.manager,
            vec![command(Action::Split(Split {
                source: flower,
                new_packages: vec![NewPackage {
                    package_id: PackageId::new(),
                    tag: used,
                }],
                amounts: SplitAmounts::Equal {
                    total: Quantity::grams(10, 0),
                },
            }))],
        )
        .await;
    assert!(
        matches!(out[0], server::ledger::Outcome::Applied { .. }),
        "{out:?}"
    );
    let again: Value = app
        .manager
        .client
        .get(app.url("/regulator/tags"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(!again["tags"]
        .as_array()
        .unwrap()
        .iter()
        .any(|t| t == &tags[0]));

    let staff = app
        .staff
        .client
        .get(app.url("/regulator/tags"))
        .send()
        .await
        .unwrap();
    assert_eq!(staff.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn incoming_manifests_list_what_the_regulator_ships_matched_to_products_until_received() {
    let app = spawn_app().await;
    let creds = server::regulator::setup::saved(&app.store, &app.secret)
        .await
        .unwrap()
        .unwrap()
        .credentials;
    let admin = reqwest::Client::new();
    // A mapped product, and a delivery at the regulator with one of its packages and one unknown item.
    let mut p = product(FLOWER, "Mapped Flower", Category::Flower);
    p.regulator = Some(RegulatorMapping {
        item_name: "Mapped Buds".into(),
        item_category: "Buds".into(),
        unit_of_measure: Unit::Grams,
        unit_weight: None,
        unit_weight_definition: UnitWeightDefinition::NetCannabis,
        strain: None,
    });
    app.push(&app.manager, vec![command(Action::DefineProduct(p))])
        .await;
    for (name, unit) in [("Mapped Buds", "Grams"), ("Stranger Item", "Each")] {
        let r = admin
            .post(format!("{}/sandbox/v2/items", creds.base_url))
            .json(&json!({"license": creds.license, "name": name, "category": "Buds", "quantity_type": if unit == "Grams" { "WeightBased" } else { "CountBased" }, "unit_of_measure": unit}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
    }
    let (t1, t2) = (app.next_tag(), app.next_tag());
    let r = admin
        .post(format!("{}/sandbox/v2/manifests", creds.base_url))
        .json(
            &json!({"license": creds.license, "manifest_number": "0000004242", "packages": [
                {"label": t1.as_str(), "item": "Mapped Buds", "quantity": 450},
                {"label": t2.as_str(), "item": "Stranger Item", "quantity": 12},
            ]}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);

    let incoming: Value = app
        .manager
        .client
        .get(app.url("/regulator/incoming"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let m = incoming
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["manifest_number"] == "0000004242")
        .unwrap_or_else(|| panic!("{incoming}"));
    let lines = m["lines"].as_array().unwrap();
    let known = lines.iter().find(|l| l["tag"] == t1.as_str()).unwrap();
    assert_eq!(known["product_id"], FLOWER.to_string());
    assert_eq!(known["shipped"]["amount"], "450");
    assert!(known["problem"].is_null(), "{known}");
    let stranger = lines.iter().find(|l| l["tag"] == t2.as_str()).unwrap();
    assert!(stranger["product_id"].is_null());
    assert!(
        stranger["problem"]
            .as_str()
            .unwrap()
            .contains("Stranger Item"),
        "{stranger}"
    );

    // Once received, the manifest is no longer offered.
    let out = app
        .push(
            &app.manager,
            vec![command(Action::Receive(Receive {
                manifest_number: "0000004242".into(),
                lines: vec![ReceiveLine {
                    package_id: PackageId::new(),
                    tag: t1.clone(),
                    product_id: FLOWER,
                    shipped: Quantity::grams(450, 0),
                    batch: "0000004242".into(),
                    lab: LabResult {
                        state: LabState::Passed,
                        result_id: None,
                        thc_percent: None,
                        cbd_percent: None,
                        tested_on: None,
                    },
                    packaged_on: chrono::NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(),
                    expires_on: None,
                    decision: LineDecision::Accept,
                }],
            }))],
        )
        .await;
    assert!(
        matches!(out[0], server::ledger::Outcome::Applied { .. }),
        "{out:?}"
    );
    let after: Value = app
        .manager
        .client
        .get(app.url("/regulator/incoming"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(!after
        .as_array()
        .unwrap()
        .iter()
        .any(|m| m["manifest_number"] == "0000004242"));
    let staff = app
        .staff
        .client
        .get(app.url("/regulator/incoming"))
        .send()
        .await
        .unwrap();
    assert_eq!(staff.status(), StatusCode::FORBIDDEN);
}
