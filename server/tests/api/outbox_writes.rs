//! The outbox's own state writes fail (a trigger raises on one transition): the relay claims
//! nothing it has not recorded, says so in sync health, loses nothing, and sends nothing twice
//! once the database records again.

use std::time::Duration;

use domain::*;
use reqwest::StatusCode;
use serde_json::json;

use crate::{
    helpers::*,
    regulator::{all_receipts, mapped_store, wait_until, Regulator},
};

/// Makes one transition of an outbox row fail until `lift` is called.
async fn fail_transition(app: &TestApp, when: &str) {
    let sql = format!(
        "CREATE TRIGGER fail_transition BEFORE UPDATE OF state ON outbox WHEN {when}
         BEGIN SELECT RAISE(ABORT, 'injected failure of an outbox write'); END"
    );
    sqlx::query(&sql)
        .execute(app.store.pool())
        .await
        .expect("trigger");
}

async fn lift(app: &TestApp) {
    sqlx::query("DROP TRIGGER fail_transition")
        .execute(app.store.pool())
        .await
        .expect("drop trigger");
}

/// The states of the store's sale rows in the outbox.
async fn sale_states(app: &TestApp) -> Vec<String> {
    sqlx::query_scalar("SELECT state FROM outbox WHERE kind = 'sold' ORDER BY id")
        .fetch_all(app.store.pool())
        .await
        .unwrap()
}

/// A mapped store whose receiving has reached the regulator, and one package to sell from.
async fn settled_store(app: &TestApp) -> (Regulator, PackageId) {
    let (reg, packages) = mapped_store(app, 1).await;
    wait_until(app, "receiving confirmed", Duration::from_secs(30), |h| {
        h["pending"] == 0
            && h["sending"] == 0
            && h["uncertain"] == 0
            && h["done"].as_i64() >= Some(1)
    })
    .await;
    (reg, packages[0].0)
}

/// Receipts at the regulator that carry `number` as the store's receipt number.
async fn copies(reg: &Regulator, number: &str) -> usize {
    all_receipts(reg)
        .await
        .iter()
        .filter(|r| r["ExternalReceiptNumber"] == number)
        .count()
}

fn receipt_number(cmd: &command::Command) -> String {
    match &cmd.action {
        command::Action::Sell(s) => s.receipt_id.to_string(),
        other => panic!("not a sale: {other:?}"),
    }
}

async fn store_failed(app: &TestApp) {
    let h = wait_until(
        app,
        "sync health naming the store",
        Duration::from_secs(30),
        |h| h["state"] == "store_failed",
    )
    .await;
    assert!(
        h["cause"]
            .as_str()
            .unwrap()
            .contains("could not record its progress"),
        "{h}"
    );
}

async fn drained_once(app: &TestApp, reg: &Regulator, number: &str) {
    let h = wait_until(app, "the sale synced", Duration::from_secs(60), |h| {
        h["pending"] == 0 && h["sending"] == 0 && h["uncertain"] == 0 && h["state"] == "healthy"
    })
    .await;
    assert_eq!(sale_states(app).await, ["done"], "health then: {h}");
    assert_eq!(
        copies(reg, number).await,
        1,
        "the sale is at the regulator once (health then: {h})"
    );
}

#[tokio::test]
async fn when_marking_a_sale_as_sending_fails_nothing_is_sent_and_it_goes_once_the_store_records() {
    let app = spawn_app().await;
    let (reg, package) = settled_store(&app).await;
    fail_transition(&app, "NEW.state = 'sending'").await;
    let sale = sell(package, Quantity::grams(3, 0));
    let number = receipt_number(&sale);
    app.push(&app.staff, vec![sale]).await;
    store_failed(&app).await;
    assert_eq!(sale_states(&app).await, ["pending"], "nothing claimed");
    assert_eq!(copies(&reg, &number).await, 0, "not written down, not sent");
    lift(&app).await;
    drained_once(&app, &reg, &number).await;
}

#[tokio::test]
async fn when_recording_done_fails_the_sale_stays_in_doubt_and_is_never_sent_twice() {
    let app = spawn_app().await;
    let (reg, package) = settled_store(&app).await;
    fail_transition(&app, "NEW.state = 'done'").await;
    let sale = sell(package, Quantity::grams(3, 0));
    let number = receipt_number(&sale);
    app.push(&app.staff, vec![sale]).await;
    store_failed(&app).await;
    // Several passes read the sale back while `done` cannot be written: none sends it again.
    tokio::time::sleep(Duration::from_secs(5)).await;
    assert_eq!(sale_states(&app).await, ["sending"], "in doubt, not done");
    assert_eq!(copies(&reg, &number).await, 1);
    lift(&app).await;
    drained_once(&app, &reg, &number).await;
}

#[tokio::test]
async fn when_parking_fails_the_refused_change_waits_and_health_names_no_cause_it_cannot_show() {
    let app = spawn_app().await;
    // Test products carry no regulator mapping: receiving them is refused by the relay itself.
    fail_transition(&app, "NEW.state = 'parked'").await;
    app.stock_the_shelf(100, 10).await;
    store_failed(&app).await;
    let parked: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE state = 'parked'")
        .fetch_one(app.store.pool())
        .await
        .unwrap();
    assert_eq!(parked, 0);
    let waiting: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE state = 'pending'")
        .fetch_one(app.store.pool())
        .await
        .unwrap();
    assert!(waiting >= 2, "both received packages still wait: {waiting}");
    lift(&app).await;
    let h = wait_until(&app, "the refusal parked", Duration::from_secs(30), |h| {
        h["state"] == "mapping_error" && h["parked"].as_i64().unwrap() >= 1
    })
    .await;
    assert!(
        h["cause"]
            .as_str()
            .unwrap()
            .contains("not mapped to a regulator Item"),
        "{h}"
    );
}

#[tokio::test]
async fn when_putting_a_refused_sale_back_fails_it_stays_in_doubt_and_lands_once() {
    let app = spawn_app().await;
    let (reg, package) = settled_store(&app).await;
    fail_transition(&app, "OLD.state = 'sending' AND NEW.state = 'pending'").await;
    // Every call is refused with 429: nothing lands, and the sale must go back, which fails.
    let r = reg
        .admin(
            reqwest::Method::PUT,
            "/sandbox/v2/faults",
            json!({"rate_limit_percent": 100, "write_rate_limit_percent": 100, "retry_after_secs": 1}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let sale = sell(package, Quantity::grams(3, 0));
    let number = receipt_number(&sale);
    app.push(&app.staff, vec![sale]).await;
    store_failed(&app).await;
    // Still written down as sent: it will be read back, never claimed done nor forgotten.
    assert_eq!(sale_states(&app).await, ["sending"]);
    let r = reg
        .admin(reqwest::Method::PUT, "/sandbox/v2/faults", json!({}))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    drained_once(&app, &reg, &number).await;
    lift(&app).await;
}
