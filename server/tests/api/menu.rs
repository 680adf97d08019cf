//! The public menu and its live stream.

use std::time::Duration;

use domain::*;
use futures_util::StreamExt;
use reqwest::StatusCode;

use crate::helpers::*;

#[tokio::test]
async fn the_public_menu_shows_stock_but_never_cost_vendor_tags_or_zones() {
    let app = spawn_app().await;
    app.stock_the_shelf(100, 10).await;
    let res = app
        .anonymous
        .get(app.url("/menu"))
        .header("Origin", "https://store.example")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["access-control-allow-origin"], "*");
    let text = res.text().await.unwrap();
    for secret in [
        "Secret Vendor",
        "cost",
        "1A4FF",
        "vendor",
        "Vault",
        "SalesFloor",
        "zone",
        "tag",
    ] {
        assert!(!text.contains(secret), "the menu leaks {secret}: {text}");
    }
    let menu: serde_json::Value = serde_json::from_str(&text).unwrap();
    let flower = menu["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["product_id"] == FLOWER.to_string())
        .unwrap();
    assert_eq!(flower["available"], "100");
    assert_eq!(flower["stock"], "in_stock");
}

/// One parsed Server-Sent Event.
#[derive(Debug)]
pub(crate) struct Sse {
    pub id: Option<String>,
    pub event: Option<String>,
    pub data: String,
}

pub(crate) async fn read_events(
    res: reqwest::Response,
    until: impl Fn(&[Sse]) -> bool,
) -> Vec<Sse> {
    let mut stream = res.bytes_stream();
    let mut buf = String::new();
    let mut events = Vec::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while !until(&events) {
        let chunk = tokio::time::timeout_at(deadline, stream.next())
            .await
            .expect("stream went quiet")
            .unwrap()
            .unwrap();
        buf.push_str(std::str::from_utf8(&chunk).unwrap());
        while let Some(end) = buf.find("\n\n") {
            let block: String = buf.drain(..end + 2).collect();
            let mut e = Sse {
                id: None,
                event: None,
                data: String::new(),
            };
            for line in block.lines() {
                if let Some(v) = line.strip_prefix("id:") {
                    e.id = Some(v.trim().to_owned());
                } else if let Some(v) = line.strip_prefix("event:") {
                    e.event = Some(v.trim().to_owned());
                } else if let Some(v) = line.strip_prefix("data:") {
                    e.data.push_str(v.trim());
                }
            }
            if e.event.is_some() {
                events.push(e);
            }
        }
    }
    events
}

fn availability_of(events: &[Sse], product: ProductId) -> Option<serde_json::Value> {
    events
        .iter()
        .rev()
        .filter(|e| e.event.as_deref() == Some("availability"))
        .map(|e| serde_json::from_str::<serde_json::Value>(&e.data).unwrap())
        .find(|v| v["product_id"] == product.to_string())
}

#[tokio::test]
async fn the_menu_stream_resumed_with_last_event_id_misses_nothing() {
    let app = spawn_app().await;
    let (flower, preroll) = app.stock_the_shelf(100, 10).await;
    let menu: serde_json::Value = app
        .anonymous
        .get(app.url("/menu"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let seen = menu["seq"].as_i64().unwrap();
    // While this customer is disconnected, a sale happens.
    app.push(&app.staff, vec![sell(flower, Quantity::grams(30, 0))])
        .await;
    let res = app
        .anonymous
        .get(app.url("/menu/stream"))
        .header("Last-Event-ID", seen.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "text/event-stream");
    let staff = app.staff.client.clone();
    let push_url = app.url("/mutations");
    // And another while connected.
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(200)).await;
        let m =
            serde_json::json!({ "mutations": [{ "command": sell(preroll, Quantity::each(4)) }] });
        staff.post(push_url).json(&m).send().await.unwrap();
    });
    let events = read_events(res, |evs| availability_of(evs, PREROLL).is_some()).await;
    assert_eq!(
        availability_of(&events, FLOWER).unwrap()["available"],
        "70",
        "the missed sale arrived on resume"
    );
    assert_eq!(
        availability_of(&events, PREROLL).unwrap()["available"],
        "6",
        "the live sale arrived"
    );
    let ids: Vec<i64> = events
        .iter()
        .filter_map(|e| e.id.as_ref()?.parse().ok())
        .collect();
    assert!(
        ids.windows(2).all(|w| w[0] <= w[1]),
        "ids never go back: {ids:?}"
    );
}

#[tokio::test]
async fn the_staff_stream_resumes_from_last_event_id_in_order() {
    let app = spawn_app().await;
    let (flower, _) = app.stock_the_shelf(100, 10).await;
    let start = app.events_count().await;
    for _ in 0..3 {
        app.push(&app.staff, vec![sell(flower, Quantity::grams(1, 0))])
            .await;
    }
    let res = app
        .staff
        .client
        .get(app.url("/events/stream"))
        .header("Last-Event-ID", start.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let events = read_events(res, |evs| evs.len() >= 3).await;
    let ids: Vec<i64> = events
        .iter()
        .map(|e| e.id.as_ref().unwrap().parse().unwrap())
        .collect();
    assert_eq!(ids, vec![start + 1, start + 2, start + 3]);
    assert!(events.iter().all(|e| e.event.as_deref() == Some("sold")));
}

#[tokio::test]
async fn two_customers_following_the_menu_while_sales_flow_end_on_the_same_stock() {
    let app = spawn_app().await;
    let (flower, _) = app.stock_the_shelf(100, 10).await;
    let follow = || async {
        let res = app
            .anonymous
            .get(app.url("/menu/stream"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        res
    };
    // The first follows from before the sales; the second arrives half-way, with no resume id.
    let first = follow().await;
    for _ in 0..5 {
        app.push(&app.staff, vec![sell(flower, Quantity::grams(1, 0))])
            .await;
    }
    let second = follow().await;
    for _ in 0..5 {
        app.push(&app.staff, vec![sell(flower, Quantity::grams(1, 0))])
            .await;
    }
    let done = |evs: &[Sse]| availability_of(evs, FLOWER).is_some_and(|a| a["available"] == "90");
    let (a, b) = tokio::join!(read_events(first, done), read_events(second, done));
    // The first saw every sale, one frame each, in order.
    let seen: Vec<String> = a
        .iter()
        .filter(|e| e.event.as_deref() == Some("availability"))
        .map(|e| serde_json::from_str::<serde_json::Value>(&e.data).unwrap())
        .filter(|v| v["product_id"] == FLOWER.to_string())
        .map(|v| v["available"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        seen,
        (90..100).rev().map(|n| n.to_string()).collect::<Vec<_>>()
    );
    // The second starts where it joined: nothing before its `ready`, nothing after it missed.
    let ready: i64 = b[0].data.parse().unwrap();
    assert_eq!(b[0].event.as_deref(), Some("ready"));
    assert!(b[1..]
        .iter()
        .all(|e| e.id.as_ref().unwrap().parse::<i64>().unwrap() > ready));
    assert_eq!(availability_of(&b, FLOWER).unwrap()["available"], "90");
}
