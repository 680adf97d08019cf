//! Pickup orders: placed by a customer without signing in, held at once, limited across channels,
//! released on the server's own schedule, and fulfilled at the counter.

use std::time::Duration;

use domain::{command::*, *};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::*;

async fn menu_available(app: &TestApp, product: ProductId) -> String {
    let menu: Value = app
        .anonymous
        .get(app.url("/menu"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    menu["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["product_id"] == product.to_string())
        .map(|i| i["available"].as_str().unwrap().to_owned())
        .unwrap()
}

async fn place(app: &TestApp, phone: &str, product: ProductId, qty: &str) -> reqwest::Response {
    app.anonymous
        .post(app.url("/orders"))
        .json(
            &json!({"customer_name": "Robin", "phone": phone, "age_confirmed": true,
            "lines": [{"product_id": product, "quantity": qty}]}),
        )
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_customer_reserves_without_signing_in_and_the_counter_hands_it_over() {
    let app = spawn_app().await;
    app.stock_the_shelf(100, 10).await;
    assert_eq!(menu_available(&app, PREROLL).await, "10");
    let res = place(&app, "(416) 555-0101", PREROLL, "3").await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let order: Value = res.json().await.unwrap();
    assert_eq!(order["status"], "placed");
    assert_eq!(order["number"].as_str().unwrap().len(), 6);
    // The hold takes the stock off the menu at once, for everyone.
    assert_eq!(menu_available(&app, PREROLL).await, "7");
    // The counter sees it in the queue.
    let queue: Value = app
        .staff
        .client
        .get(app.url("/orders"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(queue.as_array().unwrap().len(), 1);
    assert_eq!(queue[0]["customer_name"], "Robin");
    assert_eq!(queue[0]["channel"], "online");
    // The counter works on it: preparing, then ready; the customer's page follows.
    let id: HoldId = order["order_id"].as_str().unwrap().parse().unwrap();
    for (stage, status) in [
        (OrderStage::Preparing, "preparing"),
        (OrderStage::Ready, "ready"),
    ] {
        let out = app
            .push(
                &app.staff,
                vec![command(Action::AdvanceOrder(AdvanceOrder {
                    hold_id: id,
                    stage,
                }))],
            )
            .await;
        assert!(
            matches!(out[0], server::ledger::Outcome::Applied { .. }),
            "{out:?}"
        );
        let now: Value = app
            .anonymous
            .get(app.url(&format!("/orders/{id}")))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(now["status"], status);
    }
    // Picked up: it becomes a sale from the held packages.
    let out = app
        .push(
            &app.staff,
            vec![command(Action::FulfilHold(FulfilHold {
                hold_id: id,
                receipt_id: ReceiptId::new(),
            }))],
        )
        .await;
    assert!(
        matches!(out[0], server::ledger::Outcome::Applied { .. }),
        "{out:?}"
    );
    let after: Value = app
        .anonymous
        .get(app.url(&format!("/orders/{id}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(after["status"], "picked_up");
    assert_eq!(menu_available(&app, PREROLL).await, "7");
    // Nobody but staff reads the queue.
    let res = app.anonymous.get(app.url("/orders")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_budtender_taking_a_phone_order_places_it_from_the_counter_under_the_same_limits() {
    let app = spawn_app().await;
    app.stock_the_shelf(100, 10).await;
    let res = app
        .staff
        .client
        .post(app.url("/orders"))
        .json(&json!({"customer_name": "Pat on the phone", "phone": "4165550111", "age_confirmed": true,
            "lines": [{"product_id": FLOWER, "quantity": "25"}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let order: Value = res.json().await.unwrap();
    assert_eq!(order["channel"], "staff");
    // Ontario limits each transaction ("30 g at one time"): a second order is its own.
    assert_eq!(
        place(&app, "416 555 0111", FLOWER, "10").await.status(),
        StatusCode::CREATED
    );
    // The counter is held to the same 30 g as the customer online.
    let res = app
        .staff
        .client
        .post(app.url("/orders"))
        .json(&json!({"customer_name": "Pat on the phone", "phone": "4165550111", "age_confirmed": true,
            "lines": [{"product_id": FLOWER, "quantity": "31"}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

/// Makes the test store a California store, whose limits count a customer's day.
async fn in_california(app: &TestApp) {
    let config = StoreConfig {
        jurisdiction: Jurisdiction::california(),
        time_zone: chrono_tz::America::Los_Angeles,
        ..StoreConfig::default()
    };
    let out = app
        .push(&app.owner, vec![command(Action::ConfigureStore(config))])
        .await;
    assert!(
        matches!(out[0], server::ledger::Outcome::Applied { .. }),
        "{out:?}"
    );
}

#[tokio::test]
async fn an_order_over_the_purchase_limit_is_refused_with_the_category_and_the_excess() {
    let app = spawn_app().await;
    app.stock_the_shelf(100, 10).await;
    let res = place(&app, "4165550102", FLOWER, "31").await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = res.json().await.unwrap();
    let message = body["error"]["message"].as_str().unwrap();
    assert!(message.contains("dried"), "{message}");
    assert!(message.contains('1'), "{message}");
    assert_eq!(menu_available(&app, FLOWER).await, "100");
    // Where the law counts the day (California, 28.5 g), earlier holds count too.
    in_california(&app).await;
    assert_eq!(
        place(&app, "416-555-0102", FLOWER, "20").await.status(),
        StatusCode::CREATED
    );
    let res = place(&app, "4165550102", FLOWER, "20").await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = res.json().await.unwrap();
    let message = body["error"]["message"].as_str().unwrap();
    assert!(message.contains("the day's total to 40 g"), "{message}");
}

#[tokio::test]
async fn bad_orders_are_refused_with_the_field_named_and_nothing_held() {
    let app = spawn_app().await;
    app.stock_the_shelf(100, 10).await;
    for (body, field) in [
        (
            json!({"customer_name": "", "phone": "4165550103", "age_confirmed": true, "lines": [{"product_id": PREROLL, "quantity": "1"}]}),
            "customer_name",
        ),
        (
            json!({"customer_name": "Sam", "phone": "12", "age_confirmed": true, "lines": [{"product_id": PREROLL, "quantity": "1"}]}),
            "phone",
        ),
        (
            json!({"customer_name": "Sam", "phone": "4165550103", "age_confirmed": false, "lines": [{"product_id": PREROLL, "quantity": "1"}]}),
            "19 or older",
        ),
        (
            json!({"customer_name": "Sam", "phone": "4165550103", "age_confirmed": true, "lines": [{"product_id": PREROLL, "quantity": "11"}]}),
            "only 10",
        ),
    ] {
        let res = app
            .anonymous
            .post(app.url("/orders"))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let err: Value = res.json().await.unwrap();
        assert!(
            err["error"]["message"].as_str().unwrap().contains(field),
            "{err}"
        );
    }
    assert_eq!(menu_available(&app, PREROLL).await, "10");
}

#[tokio::test]
async fn two_customers_racing_for_the_last_unit_get_exactly_one_hold() {
    let app = spawn_app().await;
    app.stock_the_shelf(100, 1).await;
    let (a, b) = tokio::join!(
        place(&app, "4165550104", PREROLL, "1"),
        place(&app, "4165550105", PREROLL, "1")
    );
    let mut statuses = [a.status(), b.status()];
    statuses.sort();
    assert_eq!(
        statuses,
        [StatusCode::CREATED, StatusCode::UNPROCESSABLE_ENTITY]
    );
    assert_eq!(menu_available(&app, PREROLL).await, "0");
}

#[tokio::test]
async fn an_uncollected_order_lapses_on_the_server_schedule_and_the_stock_returns() {
    let app = spawn_app_with(|c| c.pickup_hold = Duration::from_secs(1)).await;
    app.stock_the_shelf(100, 10).await;
    let order: Value = place(&app, "4165550106", PREROLL, "4")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(menu_available(&app, PREROLL).await, "6");
    let id = order["order_id"].as_str().unwrap().to_owned();
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let now: Value = app
            .anonymous
            .get(app.url(&format!("/orders/{id}")))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if now["status"] == "expired" {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "still {now}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(menu_available(&app, PREROLL).await, "10");
}

#[tokio::test]
async fn a_phone_number_is_kept_only_as_a_keyed_hash_and_still_ties_a_customers_day_together() {
    let app = spawn_app().await;
    app.stock_the_shelf(100, 10).await;
    in_california(&app).await;
    // Online: 20 g on hold for this phone.
    assert_eq!(
        place(&app, "(416) 555-0177", FLOWER, "20").await.status(),
        StatusCode::CREATED
    );
    // At the counter, a till sends the same number as a plain reference: the day adds up.
    let pkg = app.snapshot().await["snapshot"]["packages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["product_id"] == FLOWER.to_string())
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .parse::<PackageId>()
        .unwrap();
    let mut sale = sell(pkg, Quantity::grams(10, 0));
    if let Action::Sell(s) = &mut sale.action {
        s.customer = Some(CustomerRef::parse("phone:4165550177").unwrap());
    }
    let out = app.push(&app.staff, vec![sale]).await;
    let server::ledger::Outcome::Rejected { error, .. } = &out[0] else {
        panic!("20 g held and 10 g sold is over 28.5 g: {out:?}")
    };
    assert!(error.to_string().contains("28.5"), "{error}");
    // Nowhere in what the ledger keeps or hands out is the number.
    let snapshot = app.snapshot().await.to_string();
    let res = app
        .manager
        .client
        .get(app.url("/audit/export?from=2000-01-01&to=2999-12-31&format=jsonl"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let history = res.text().await.unwrap();
    assert!(
        history.contains("hold_placed") || history.contains("reserved"),
        "{history}"
    );
    for text in [&snapshot, &history] {
        assert!(
            !text.contains("4165550177") && !text.contains("555-0177"),
            "{text}"
        );
    }
    assert!(
        snapshot.contains("phone-hmac:"),
        "the hold names its customer by the hash"
    );
}

#[tokio::test]
async fn a_customers_phone_follows_its_order_on_a_live_stream_until_it_is_picked_up() {
    let app = spawn_app().await;
    app.stock_the_shelf(100, 10).await;
    let order: Value = place(&app, "(416) 555-0133", PREROLL, "2")
        .await
        .json()
        .await
        .unwrap();
    let id: HoldId = order["order_id"].as_str().unwrap().parse().unwrap();
    let res = app
        .anonymous
        .get(app.url(&format!("/orders/{id}/stream")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "text/event-stream");
    // The staff's taps happen while the phone listens; each arrives as the status it made.
    let staff = tokio::spawn({
        let (address, client) = (app.address.clone(), app.staff.client.clone());
        async move {
            tokio::time::sleep(Duration::from_millis(200)).await;
            let commands = [
                command(Action::AdvanceOrder(AdvanceOrder {
                    hold_id: id,
                    stage: OrderStage::Preparing,
                })),
                command(Action::AdvanceOrder(AdvanceOrder {
                    hold_id: id,
                    stage: OrderStage::Ready,
                })),
                command(Action::FulfilHold(FulfilHold {
                    hold_id: id,
                    receipt_id: ReceiptId::new(),
                })),
            ];
            for c in commands {
                let res = client
                    .post(format!("{address}/api/v1/mutations"))
                    .json(&json!({ "mutations": [{ "command": c }] }))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(res.status(), StatusCode::OK);
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    });
    let frames = crate::menu::read_events(res, |e| e.len() >= 4).await;
    staff.await.unwrap();
    let statuses: Vec<String> = frames
        .iter()
        .map(|f| {
            assert_eq!(f.event.as_deref(), Some("status"));
            let o: Value = serde_json::from_str(&f.data).unwrap();
            assert_eq!(o["order_id"], id.to_string());
            o["status"].as_str().unwrap().to_owned()
        })
        .collect();
    assert_eq!(statuses, ["placed", "preparing", "ready", "picked_up"]);

    // Settled: a phone that connects now is told so, and the stream ends.
    let res = app
        .anonymous
        .get(app.url(&format!("/orders/{id}/stream")))
        .send()
        .await
        .unwrap();
    let body = tokio::time::timeout(Duration::from_secs(10), res.text())
        .await
        .expect("a settled order's stream ends")
        .unwrap();
    assert!(body.contains("\"status\":\"picked_up\""), "{body}");
    // No such order: refused in the API's shape, not an open stream.
    let res = app
        .anonymous
        .get(app.url(&format!("/orders/{}/stream", HoldId::new())))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}
