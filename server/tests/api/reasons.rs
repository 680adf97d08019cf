//! Metrc adjustment reasons read from the facility's own list: matched by name, chosen by a
//! manager where the state's list differs, and a reason without a match refused before anything
//! is recorded or queued.

use std::{sync::Arc, time::Duration};

use domain::{command::*, reason_map::ReasonMap, *};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::{helpers::*, regulator::*};

fn adjust(package: PackageId, reason: AdjustReason) -> Command {
    command(Action::Adjust(Adjust {
        package_id: package,
        delta: Quantity::grams(-5, 0),
        reason,
        note: Some("checked on the scale".into()),
        count_id: None,
    }))
}

async fn map(app: &TestApp) -> Value {
    let res = app
        .manager
        .client
        .get(app.url("/regulator/reasons"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

async fn choose(app: &TestApp, user: &User, body: Value) -> reqwest::Response {
    user.client
        .put(app.url("/regulator/reasons"))
        .json(&body)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_states_own_reasons_are_read_mapped_by_a_manager_and_an_unmapped_one_is_refused_before_it_is_queued(
) {
    let app = spawn_app().await;
    let (reg, packages) = mapped_store(&app, 1).await;
    let (package, tag) = packages[0].clone();
    // The sandbox's list carries Metrc's common names: everything maps by itself.
    let first = map(&app).await;
    assert_eq!(first["adjust"]["MoistureLoss"], "Drying");
    assert_eq!(first["destruction"], "Waste (Unusable Product)");
    assert!(first["read_at"].is_string(), "{first}");

    // This facility's state lists other names.
    let r = reg
        .admin(
            reqwest::Method::PUT,
            "/sandbox/v2/adjust-reasons",
            json!({"license": reg.license, "reasons": [
                {"name": "Moisture Loss", "requires_note": false},
                {"name": "Scale Variance", "requires_note": false},
                {"name": "Waste", "requires_note": true},
            ]}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let res = app
        .manager
        .client
        .post(app.url("/regulator/reasons/read"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let read: Value = res.json().await.unwrap();
    assert_eq!(read["facility"].as_array().unwrap().len(), 3);
    assert_eq!(read["adjust"]["ScaleVariance"], "Scale Variance");
    assert!(read["adjust"].get("MoistureLoss").is_none(), "{read}");
    assert!(read["destruction"].is_null(), "{read}");

    // Unmapped: refused by name, and nothing recorded or queued.
    let events = app.events_count().await;
    let out = app
        .push(
            &app.manager,
            vec![adjust(package, AdjustReason::MoistureLoss)],
        )
        .await;
    let server::ledger::Outcome::Rejected { error, .. } = &out[0] else {
        panic!("{out:?}")
    };
    assert!(
        matches!(error, DomainError::ReasonNotMapped { .. }),
        "{error}"
    );
    assert!(
        error
            .to_string()
            .starts_with("moisture loss has no Metrc adjustment reason"),
        "{error}"
    );
    assert_eq!(app.events_count().await, events);

    // A choice must be one the facility lists; staff cannot choose.
    let res = choose(
        &app,
        &app.manager,
        json!({"adjust": {"MoistureLoss": "Drying"}, "destruction": null}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = res.json().await.unwrap();
    let message = body["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("\"Drying\" is not one of the facility's Metrc adjustment reasons"),
        "{message}"
    );
    assert!(message.contains("Moisture Loss"), "{message}");
    let res = choose(&app, &app.staff, json!({"adjust": {}, "destruction": null})).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(map(&app).await["adjust"].get("MoistureLoss").is_none());

    // Mapped by a manager: accepted, and it reaches the regulator under the facility's name.
    let res = choose(
        &app,
        &app.manager,
        json!({"adjust": {"MoistureLoss": "Moisture Loss", "ScaleVariance": "Scale Variance"}, "destruction": "Waste"}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    let out = app
        .push(
            &app.manager,
            vec![adjust(package, AdjustReason::MoistureLoss)],
        )
        .await;
    assert!(
        matches!(out[0], server::ledger::Outcome::Applied { .. }),
        "{out:?}"
    );
    let h = wait_until(&app, "the adjustment sent", Duration::from_secs(20), |h| {
        h["pending"] == 0 && h["sending"] == 0 && h["uncertain"] == 0
    })
    .await;
    assert_eq!(h["parked"], 0, "{h}");
    let at_regulator = reg.get(&format!("/packages/v2/{}", tag.as_str())).await;
    assert_eq!(
        at_regulator["Quantity"].as_f64(),
        Some(995.0),
        "{at_regulator}"
    );

    // The choices outlive a restart: the saved map is what a starting server puts in force.
    let store = server::store::Store::open(app.data_dir.path())
        .await
        .unwrap();
    let ledger = server::ledger::Ledger::start(Arc::new(store.clone()), chrono::Duration::hours(2))
        .await
        .unwrap();
    server::regulator::reasons::restore(&store, &ledger)
        .await
        .unwrap();
    let restored: ReasonMap = (*ledger.reasons().unwrap()).clone();
    assert_eq!(
        restored.for_adjust(AdjustReason::MoistureLoss),
        Some("Moisture Loss")
    );
    assert_eq!(restored.destruction.as_deref(), Some("Waste"));
}
