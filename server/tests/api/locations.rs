//! The store's zones as the facility's Metrc locations: read from the regulator, matched by name
//! or chosen by a manager; once both zones have one, moves reach Metrc as location changes and
//! new packages are made in their zone's location. Without a choice, moves stay in the store.

use std::time::Duration;

use domain::{command::*, *};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::{
    helpers::*,
    regulator::{applied, mapped_store, synced, wait_until, Regulator},
};

fn moved(package: PackageId, to: Zone) -> Command {
    command(Action::Move(Move {
        package_id: package,
        to,
    }))
}

async fn location_of(reg: &Regulator, tag: &str) -> Value {
    reg.get(&format!("/packages/v2/{tag}")).await["LocationName"].clone()
}

async fn moves_queued(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE kind = 'package_moved'")
        .fetch_one(app.store.pool())
        .await
        .unwrap()
}

/// Makes the facility's locations at the regulator, as a store would in Metrc.
async fn facility_locations(reg: &Regulator, body: Value) {
    let res = reg
        .client
        .post(format!(
            "{}/locations/v2/?licenseNumber={}",
            reg.url, reg.license
        ))
        .basic_auth(&reg.vendor, Some(&reg.user))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
}

async fn call(
    user: &User,
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> reqwest::Response {
    let mut req = user.client.request(method, app.url(path));
    if let Some(b) = body {
        req = req.json(&b);
    }
    req.send().await.unwrap()
}

#[tokio::test]
async fn moves_reach_metrc_as_location_changes_once_both_zones_have_a_location() {
    let app = spawn_app().await;
    let (reg, packages) = mapped_store(&app, 2).await;
    synced(&app).await;
    // No location chosen: a move stays in the store.
    applied(
        app.push(&app.manager, vec![moved(packages[0].0, Zone::Vault)])
            .await,
    );
    assert_eq!(moves_queued(&app).await, 0);

    // The facility's locations, made at the regulator as a store would in Metrc.
    facility_locations(
        &reg,
        json!([
            {"Name": "Vault", "LocationTypeName": "Default"},
            {"Name": "Sales Floor", "LocationTypeName": "Default"},
            {"Name": "Clones", "LocationTypeName": "Planting"}
        ]),
    )
    .await;

    // Staff may neither read nor choose.
    let staff = call(
        &app.staff,
        &app,
        reqwest::Method::POST,
        "/regulator/locations/read",
        None,
    )
    .await;
    assert_eq!(staff.status(), StatusCode::FORBIDDEN);
    let read = call(
        &app.manager,
        &app,
        reqwest::Method::POST,
        "/regulator/locations/read",
        None,
    )
    .await;
    assert_eq!(read.status(), StatusCode::OK);
    let map: Value = read.json().await.unwrap();
    assert_eq!(map["facility"].as_array().unwrap().len(), 3);
    assert_eq!(map["vault"], "Vault", "matched by name: {map}");
    assert_eq!(
        map["sales_floor"], "Sales Floor",
        "letter case aside: {map}"
    );

    // Choices the facility cannot take are refused by name, and the choice in force stays.
    for (body, says) in [
        (
            json!({"vault": "Clones", "sales_floor": "Sales Floor"}),
            "Planting",
        ),
        (json!({"vault": "Vault"}), "both"),
        (json!({"vault": "Attic", "sales_floor": "Vault"}), "Attic"),
    ] {
        let res = call(
            &app.manager,
            &app,
            reqwest::Method::PUT,
            "/regulator/locations",
            Some(body.clone()),
        )
        .await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let e: Value = res.json().await.unwrap();
        assert!(
            e["error"]["message"].as_str().unwrap().contains(says),
            "{body}: {e}"
        );
    }
    let shown: Value = call(
        &app.manager,
        &app,
        reqwest::Method::GET,
        "/regulator/locations",
        None,
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(shown["vault"], "Vault");

    // Now a move is a location change at the regulator, both ways.
    let (a, b) = (&packages[0], &packages[1]);
    applied(
        app.push(
            &app.manager,
            vec![moved(a.0, Zone::SalesFloor), moved(b.0, Zone::Vault)],
        )
        .await,
    );
    synced(&app).await;
    assert_eq!(moves_queued(&app).await, 2);
    assert_eq!(location_of(&reg, a.1.as_str()).await, "Sales Floor");
    assert_eq!(location_of(&reg, b.1.as_str()).await, "Vault");

    // A split's new packages are made in their zone's location.
    let pool = reg.get("/tags/v2/package/available").await;
    let tags: Vec<RegulatorTag> = pool
        .as_array()
        .unwrap()
        .iter()
        .take(2)
        .map(|t| RegulatorTag::parse(t["Label"].as_str().unwrap()).unwrap())
        .collect();
    applied(
        app.push(
            &app.manager,
            vec![command(Action::Split(Split {
                source: a.0,
                new_packages: tags
                    .iter()
                    .map(|t| NewPackage {
                        package_id: PackageId::new(),
                        tag: t.clone(),
                    })
                    .collect(),
                amounts: SplitAmounts::Equal {
                    total: Quantity::grams(10, 0),
                },
            }))],
        )
        .await,
    );
    synced(&app).await;
    for t in &tags {
        assert_eq!(location_of(&reg, t.as_str()).await, "Sales Floor", "{t}");
    }

    // Choosing neither keeps moves in the store again.
    let res = call(
        &app.manager,
        &app,
        reqwest::Method::PUT,
        "/regulator/locations",
        Some(json!({})),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    applied(
        app.push(&app.manager, vec![moved(b.0, Zone::SalesFloor)])
            .await,
    );
    synced(&app).await;
    assert_eq!(moves_queued(&app).await, 2);
    assert_eq!(location_of(&reg, b.1.as_str()).await, "Vault");
}

#[tokio::test]
async fn a_move_sent_twice_after_a_lost_answer_leaves_the_package_where_it_was_put() {
    let app = spawn_app().await;
    let (reg, packages) = mapped_store(&app, 1).await;
    synced(&app).await;
    facility_locations(
        &reg,
        json!([
            {"Name": "Back Vault", "LocationTypeName": "Default"},
            {"Name": "Counter", "LocationTypeName": "Packing"}
        ]),
    )
    .await;
    let read = call(
        &app.manager,
        &app,
        reqwest::Method::POST,
        "/regulator/locations/read",
        None,
    )
    .await;
    assert_eq!(read.status(), StatusCode::OK);
    let res = call(
        &app.manager,
        &app,
        reqwest::Method::PUT,
        "/regulator/locations",
        Some(json!({"vault": "Back Vault", "sales_floor": "Counter"})),
    )
    .await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        res.text().await.unwrap()
    );
    // The move's answer is lost after it committed; the relay sends it again.
    let r = reg
        .admin(
            reqwest::Method::PUT,
            "/sandbox/v2/faults",
            json!({"drop_next_writes": 1}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    applied(
        app.push(&app.manager, vec![moved(packages[0].0, Zone::Vault)])
            .await,
    );
    wait_until(&app, "the move settled", Duration::from_secs(30), |h| {
        h["pending"] == 0 && h["sending"] == 0 && h["uncertain"] == 0
    })
    .await;
    assert_eq!(
        location_of(&reg, packages[0].1.as_str()).await,
        "Back Vault"
    );
    let done: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM outbox WHERE kind = 'package_moved' AND state = 'done'",
    )
    .fetch_one(app.store.pool())
    .await
    .unwrap();
    assert_eq!(done, 1);
}
