//! Every route against every role, and against nobody.

use domain::{command::*, *};
use reqwest::{Method, StatusCode};

use crate::helpers::*;

#[tokio::test]
async fn every_route_answers_each_role_as_it_should() {
    let app = spawn_app().await;
    let clients = [
        ("none", &app.anonymous),
        ("staff", &app.staff.client),
        ("manager", &app.manager.client),
        ("owner", &app.owner.client),
    ];
    // (method, path, expected status for none, staff, manager, owner)
    let table: [(Method, &str, [u16; 4]); 19] = [
        (Method::GET, "/health", [200, 200, 200, 200]),
        (Method::GET, "/menu", [200, 200, 200, 200]),
        (Method::GET, "/session", [200, 200, 200, 200]),
        (Method::GET, "/sync?since=0", [401, 200, 200, 200]),
        (
            Method::GET,
            "/audit/export?from=2026-01-01&to=2026-12-31",
            [401, 403, 200, 200],
        ),
        (Method::GET, "/no/such/route", [404, 404, 404, 404]),
        (Method::GET, "/orders", [401, 200, 200, 200]),
        (Method::GET, "/regulator/tags", [401, 403, 200, 200]),
        (Method::GET, "/regulator/incoming", [401, 403, 200, 200]),
        (Method::POST, "/mutations", [401, 200, 200, 200]),
        (Method::GET, "/reconcile", [401, 403, 200, 200]),
        (Method::GET, "/alerts", [401, 403, 200, 200]),
        (
            Method::GET,
            "/reports/health-canada?month=2026-11",
            [401, 403, 200, 200],
        ),
        (
            Method::GET,
            "/reports/skus?month=2026-11",
            [401, 403, 200, 200],
        ),
        (
            Method::GET,
            "/reports/agco?month=2026-11",
            [401, 403, 200, 200],
        ),
        (
            Method::GET,
            "/reports/alberta?month=2026-11",
            [401, 403, 200, 200],
        ),
        (
            Method::GET,
            "/reports/british-columbia?month=2026-11",
            [401, 403, 200, 200],
        ),
        (
            Method::GET,
            "/reports/health-canada/events?month=2026-11&class=dried&figure=sold_in_store",
            [401, 403, 200, 200],
        ),
        // The regulator has no receipt 0.
        (
            Method::POST,
            "/reconcile/void-receipt",
            [401, 403, 404, 404],
        ),
    ];
    for (method, path, expected) in table {
        for ((who, client), want) in clients.iter().zip(expected) {
            let mut req = client.request(method.clone(), app.url(path));
            if path == "/reconcile/void-receipt" {
                req = req.json(&serde_json::json!({ "regulator_receipt_id": 0 }));
            } else if method == Method::POST {
                req = req.json(&serde_json::json!({ "mutations": [] }));
            }
            let res = req.send().await.unwrap();
            assert_eq!(res.status().as_u16(), want, "{method} {path} as {who}");
            if !res.status().is_success() {
                let body: serde_json::Value = res.json().await.unwrap();
                assert!(
                    body["error"]["code"].is_string() && body["error"]["message"].is_string(),
                    "{body}"
                );
            }
        }
    }
}

#[tokio::test]
async fn staff_sell_but_cannot_split_destroy_adjust_or_receive() {
    let app = spawn_app().await;
    let (flower, _) = app.stock_the_shelf(100, 10).await;
    let manager_only = [
        command(Action::Split(Split {
            source: flower,
            new_packages: vec![NewPackage {
                package_id: PackageId::new(),
                tag: app.next_tag(),
            }],
            amounts: SplitAmounts::Manual {
                amounts: vec![Quantity::grams(1, 0)],
            },
        })),
        command(Action::Adjust(Adjust {
            package_id: flower,
            delta: Quantity::grams(-1, 0),
            reason: AdjustReason::MoistureLoss,
            note: None,
            count_id: None,
        })),
        command(Action::Destroy(Destroy {
            package_id: flower,
            quantity: Quantity::grams(1, 0),
            reason: DestroyReason::Damage,
            method: DestroyMethod::Compost,
            witness: app.manager.id,
            note: None,
        })),
        command(Action::Move(Move {
            package_id: flower,
            to: Zone::Vault,
        })),
    ];
    for cmd in manager_only {
        let name = cmd.action.name();
        let res = app.push_raw(&app.staff.client, vec![cmd]).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{name} as staff");
        let body: serde_json::Value = res.json().await.unwrap();
        assert_eq!(
            body["error"]["message"],
            format!("\"{name}\" needs a manager account")
        );
    }
    let outcomes = app
        .push(&app.staff, vec![sell(flower, Quantity::grams(1, 0))])
        .await;
    assert!(matches!(
        outcomes[0],
        server::ledger::Outcome::Applied { .. }
    ));
}

#[tokio::test]
async fn the_actor_of_a_command_is_the_signed_in_person() {
    let app = spawn_app().await;
    let (flower, _) = app.stock_the_shelf(100, 10).await;
    let mut cmd = sell(flower, Quantity::grams(1, 0));
    cmd.actor = app.owner.id; // a device claiming to be someone else
    app.push(&app.staff, vec![cmd]).await;
    let res = app
        .manager
        .client
        .get(app.url("/audit/export?from=2000-01-01&to=2100-01-01&format=jsonl"))
        .send()
        .await
        .unwrap();
    let last = res.text().await.unwrap().lines().last().unwrap().to_owned();
    let row: serde_json::Value = serde_json::from_str(&last).unwrap();
    assert_eq!(row["event"], "sold");
    assert_eq!(row["actor"], app.staff.id.to_string());
}

#[tokio::test]
async fn a_wrong_password_is_refused_and_repeated_attempts_are_rate_limited() {
    let app = spawn_app().await;
    let mut last = StatusCode::OK;
    for _ in 0..12 {
        last = app
            .anonymous
            .post(app.url("/session"))
            .json(&serde_json::json!({ "email": "m@t.test", "password": "wrong password" }))
            .send()
            .await
            .unwrap()
            .status();
        if last == StatusCode::TOO_MANY_REQUESTS {
            break;
        }
        assert_eq!(last, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(last, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn asking_who_is_signed_in_answers_null_when_nobody_is() {
    let app = spawn_app().await;
    let nobody: serde_json::Value = app
        .anonymous
        .get(app.url("/session"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(nobody.is_null());
    let staff: serde_json::Value = app
        .staff
        .client
        .get(app.url("/session"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(staff["role"], "staff");
    let res = app
        .staff
        .client
        .delete(app.url("/session"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let after: serde_json::Value = app
        .staff
        .client
        .get(app.url("/session"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(after.is_null(), "signed out: {after}");
}

#[tokio::test]
async fn the_session_cookie_is_http_only_and_same_site_strict() {
    let app = spawn_app().await;
    let res = app
        .anonymous
        .post(app.url("/session"))
        .json(&serde_json::json!({ "email": "s@t.test", "password": PASSWORD }))
        .send()
        .await
        .unwrap();
    let cookie = res.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["role"], "staff");
    assert!(body.get("password_hash").is_none());
}

#[tokio::test]
async fn the_openapi_document_covers_every_route_and_the_domain_schemas() {
    let app = spawn_app().await;
    let doc: serde_json::Value = app
        .anonymous
        .get(app.url("/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let paths = doc["paths"].as_object().unwrap();
    for (path, methods) in [
        ("/api/v1/health", &["get"][..]),
        ("/api/v1/session", &["get", "post", "delete"][..]),
        ("/api/v1/mutations", &["post"][..]),
        ("/api/v1/sync", &["get"][..]),
        ("/api/v1/events/stream", &["get"][..]),
        ("/api/v1/menu", &["get"][..]),
        ("/api/v1/menu/stream", &["get"][..]),
        ("/api/v1/audit/export", &["get"][..]),
        ("/api/v1/openapi.json", &["get"][..]),
        ("/api/v1/session/witness", &["post"][..]),
        ("/api/v1/packages/{id}/history", &["get"][..]),
        ("/api/v1/orders", &["get", "post"][..]),
        ("/api/v1/orders/{id}", &["get"][..]),
        ("/api/v1/regulator/tags", &["get"][..]),
        ("/api/v1/regulator/incoming", &["get"][..]),
    ] {
        for m in methods {
            assert!(
                paths.get(path).and_then(|p| p.get(*m)).is_some(),
                "{m} {path} missing from the document"
            );
        }
    }
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    for name in [
        "Command",
        "Action",
        "Split",
        "Quantity",
        "DomainError",
        "Outcome",
        "MenuItem",
        "ErrorBody",
    ] {
        assert!(schemas.contains_key(name), "schema {name} missing");
    }
    // The public menu's schema has no cost, vendor or tag.
    let item = serde_json::to_string(&schemas["MenuItem"]).unwrap();
    for secret in ["cost", "vendor", "tag"] {
        assert!(!item.contains(secret), "MenuItem exposes {secret}");
    }
}
