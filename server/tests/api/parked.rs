//! Changes the regulator refused: listed with what waits behind them, held back for their own
//! packages only, and settled by a manager (send again, or mark done with a note), each decision
//! in the audit trail.

use std::time::Duration;

use domain::*;
use reqwest::StatusCode;
use serde_json::{json, Value};
use server::ledger::Outcome;

use crate::{
    helpers::*,
    regulator::{mapped_store, wait_until, Regulator},
};

/// Sets a package's quantity at the regulator, as someone working in Metrc directly would.
async fn adjust_at_regulator(reg: &Regulator, tag: &RegulatorTag, delta: f64) {
    let res = reg
        .client
        .post(format!(
            "{}/packages/v2/adjust?licenseNumber={}",
            reg.url, reg.license
        ))
        .basic_auth(&reg.vendor, Some(&reg.user))
        .json(&json!([{"Label": tag.as_str(), "Quantity": delta, "UnitOfMeasure": "Grams",
            "AdjustmentReason": "Scale Variance", "AdjustmentDate": "2026-12-01", "ReasonNote": "by hand"}]))
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        res.text().await.unwrap()
    );
}

async fn quantity(reg: &Regulator, tag: &RegulatorTag) -> Option<f64> {
    reg.get(&format!("/packages/v2/{}", tag.as_str())).await["Quantity"].as_f64()
}

async fn parked(app: &TestApp) -> Value {
    let res = app
        .manager
        .client
        .get(app.url("/regulator/parked"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

async fn settle(app: &TestApp, user: &User, seq: &str, body: Value) -> reqwest::Response {
    user.client
        .post(app.url(&format!("/regulator/parked/{seq}")))
        .json(&body)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_refused_sale_holds_back_only_its_package_and_goes_once_the_cause_is_fixed() {
    let app = spawn_app().await;
    let (reg, packages) = mapped_store(&app, 2).await;
    let ((a, a_tag), (b, b_tag)) = (packages[0].clone(), packages[1].clone());
    wait_until(&app, "received", Duration::from_secs(30), |h| {
        h["pending"] == 0 && h["sending"] == 0
    })
    .await;
    // Someone emptied A at the regulator by hand: a sale from it is refused there.
    adjust_at_regulator(&reg, &a_tag, -1000.0).await;
    let first = app
        .push(&app.staff, vec![sell(a, Quantity::grams(2, 0))])
        .await;
    let Outcome::Applied { seq, .. } = first[0] else {
        panic!("{first:?}")
    };
    wait_until(&app, "the sale parked", Duration::from_secs(30), |h| {
        h["parked"] == 1
    })
    .await;
    // A later sale of A waits behind it; a sale of B goes.
    app.push(
        &app.staff,
        vec![
            sell(a, Quantity::grams(3, 0)),
            sell(b, Quantity::grams(4, 0)),
        ],
    )
    .await;
    let b_left = || async { quantity(&reg, &b_tag).await };
    for _ in 0..300 {
        if b_left().await == Some(996.0) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(
        b_left().await,
        Some(996.0),
        "B's sale must not wait behind A's refusal"
    );
    let list = parked(&app).await;
    assert_eq!(list["changes"].as_array().unwrap().len(), 1, "{list}");
    let change = &list["changes"][0];
    assert_eq!(change["seq"], seq, "{list}");
    assert_eq!(change["waiting_behind"], 1, "{list}");
    assert_eq!(list["waiting_behind"], 1, "{list}");
    assert_eq!(change["packages"][0], a_tag.as_str(), "{list}");
    assert!(
        change["reason"]
            .as_str()
            .unwrap()
            .contains("does not have enough quantity"),
        "{list}"
    );
    assert_eq!(change["what"], "Sale of 2 g of Mapped Flower", "{list}");
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
    let refused = alerts
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["kind"] == "regulator_refused")
        .unwrap_or_else(|| panic!("{alerts}"));
    assert!(
        refused["message"]
            .as_str()
            .unwrap()
            .contains("refused 1 change; 1 later change waits behind them"),
        "{refused}"
    );

    // Fixed at the regulator, then sent again: both sales of A land, once each.
    adjust_at_regulator(&reg, &a_tag, 1000.0).await;
    let res = settle(
        &app,
        &app.manager,
        &seq.to_string(),
        json!({"decision": "retry"}),
    )
    .await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        res.text().await.unwrap()
    );
    let h = wait_until(&app, "the outbox drained", Duration::from_secs(30), |h| {
        h["pending"] == 0 && h["sending"] == 0 && h["uncertain"] == 0
    })
    .await;
    assert_eq!(h["parked"], 0, "{h}");
    assert_eq!(quantity(&reg, &a_tag).await, Some(995.0));
    assert_eq!(crate::regulator::all_receipts(&reg).await.len(), 3);
    assert!(parked(&app).await["changes"].as_array().unwrap().is_empty());

    // The decision is in the audit trail, under the manager's name.
    let csv = app
        .manager
        .client
        .get(app.url("/audit/export?from=2000-01-01&to=2100-01-01&format=csv"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let line = csv
        .lines()
        .find(|l| l.contains("relay_change_settled"))
        .unwrap_or_else(|| panic!("{csv}"));
    assert!(line.contains(&format!("change {seq} sent again")), "{line}");
    assert!(line.contains(&app.manager.id.to_string()), "{line}");
}

#[tokio::test]
async fn marking_a_refused_change_done_needs_a_note_and_sends_nothing() {
    let app = spawn_app().await;
    let (reg, packages) = mapped_store(&app, 1).await;
    let (a, a_tag) = packages[0].clone();
    wait_until(&app, "received", Duration::from_secs(30), |h| {
        h["pending"] == 0 && h["sending"] == 0
    })
    .await;
    adjust_at_regulator(&reg, &a_tag, -1000.0).await;
    let out = app
        .push(&app.staff, vec![sell(a, Quantity::grams(2, 0))])
        .await;
    let Outcome::Applied { seq, .. } = out[0] else {
        panic!("{out:?}")
    };
    wait_until(&app, "the sale parked", Duration::from_secs(30), |h| {
        h["parked"] == 1
    })
    .await;
    let s = seq.to_string();

    // Role first, then the input, each refusal in words; nothing changes.
    let staff = settle(&app, &app.staff, &s, json!({"decision": "retry"})).await;
    assert_eq!(staff.status(), StatusCode::FORBIDDEN);
    let bad = settle(&app, &app.manager, "twelve", json!({"decision": "retry"})).await;
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    let unknown = settle(&app, &app.manager, "999999", json!({"decision": "retry"})).await;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    let received: i64 =
        sqlx::query_scalar("SELECT seq FROM outbox WHERE state = 'done' ORDER BY id LIMIT 1")
            .fetch_one(app.store.pool())
            .await
            .unwrap();
    let settled = settle(
        &app,
        &app.manager,
        &received.to_string(),
        json!({"decision": "retry"}),
    )
    .await;
    assert_eq!(settled.status(), StatusCode::CONFLICT);
    let odd = settle(&app, &app.manager, &s, json!({"decision": "forget"})).await;
    assert_eq!(odd.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let silent = settle(
        &app,
        &app.manager,
        &s,
        json!({"decision": "done_at_regulator", "note": "  "}),
    )
    .await;
    assert_eq!(silent.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = silent.json().await.unwrap();
    assert!(
        body.to_string()
            .contains("say what you checked at the regulator"),
        "{body}"
    );
    assert_eq!(parked(&app).await["changes"].as_array().unwrap().len(), 1);

    // Marked done with a note: nothing is sent, and a resent request answers the same.
    let mutation_id = MutationId::new();
    let body = json!({"decision": "done_at_regulator", "note": "found it as receipt 0000000042", "mutation_id": mutation_id});
    let first = settle(&app, &app.manager, &s, body.clone()).await;
    assert_eq!(first.status(), StatusCode::OK);
    let first: Value = first.json().await.unwrap();
    let again = settle(&app, &app.manager, &s, body).await;
    assert_eq!(again.status(), StatusCode::OK);
    assert_eq!(again.json::<Value>().await.unwrap(), first);
    let h = wait_until(&app, "nothing parked", Duration::from_secs(10), |h| {
        h["parked"] == 0
    })
    .await;
    assert_eq!(h["pending"], 0, "{h}");
    assert!(crate::regulator::all_receipts(&reg).await.is_empty());
    let decisions: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM events WHERE kind = 'relay_change_settled'")
            .fetch_one(app.store.pool())
            .await
            .unwrap();
    assert_eq!(decisions, 1);
    let reason: String =
        sqlx::query_scalar("SELECT reason FROM events WHERE kind = 'relay_change_settled'")
            .fetch_one(app.store.pool())
            .await
            .unwrap();
    assert_eq!(
        reason,
        format!("change {seq} marked done at the regulator: found it as receipt 0000000042")
    );
}
