//! What a browser on another site can do with a signed-in person's cookie (nothing), who may
//! read the API from another site (the menu only), and when cookies are Secure.

use domain::*;
use reqwest::{header, StatusCode};
use serde_json::{json, Value};

use crate::helpers::*;

fn origin_of(app: &TestApp) -> String {
    app.address.clone()
}

#[tokio::test]
async fn a_change_sent_from_another_sites_page_is_refused_and_records_nothing() {
    let app = spawn_app().await;
    let (flower, _) = app.stock_the_shelf(100, 10).await;
    let before = app.events_count().await;
    let body = json!({ "mutations": [{ "command": sell(flower, Quantity::grams(1, 0)) }] });
    for (name, value) in [
        ("origin", "http://evil.test"),
        ("origin", "null"),
        ("sec-fetch-site", "cross-site"),
    ] {
        let res = app
            .manager
            .client
            .post(app.url("/mutations"))
            .header(name, value)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{name}: {value}");
        let e: Value = res.json().await.unwrap();
        assert_eq!(e["error"]["code"], "cross_origin", "{e}");
    }
    // The same from a public page: a forged reservation and a forged sign-in are refused too.
    let order = app
        .anonymous
        .post(app.url("/orders"))
        .header("origin", "https://evil.test")
        .json(
            &json!({"customer_name": "Sam", "phone": "416 555 0101", "age_confirmed": true,
            "lines": [{"product_id": PREROLL, "quantity": "1"}]}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(order.status(), StatusCode::FORBIDDEN);
    let sign_in = app
        .anonymous
        .post(app.url("/session"))
        .header("origin", "https://evil.test")
        .json(&json!({"email": "m@t.test", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(sign_in.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.events_count().await, before, "nothing recorded");

    // From Pistil's own page it goes through.
    let ok = app
        .manager
        .client
        .post(app.url("/mutations"))
        .header("origin", origin_of(&app))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), StatusCode::OK);
    assert_eq!(app.events_count().await, before + 1);
}

#[tokio::test]
async fn only_the_menu_is_readable_from_another_site_and_never_with_credentials() {
    let app = spawn_app().await;
    app.stock_the_shelf(100, 10).await;
    let menu = app
        .anonymous
        .get(app.url("/menu"))
        .header("origin", "https://store-website.example")
        .send()
        .await
        .unwrap();
    assert_eq!(menu.status(), StatusCode::OK);
    assert_eq!(menu.headers()[header::ACCESS_CONTROL_ALLOW_ORIGIN], "*");
    assert!(menu
        .headers()
        .get(header::ACCESS_CONTROL_ALLOW_CREDENTIALS)
        .is_none());
    // Orders: no CORS answer at all, for a read or a preflight.
    let id = HoldId::new();
    let read = app
        .anonymous
        .get(app.url(&format!("/orders/{id}")))
        .header("origin", "https://store-website.example")
        .send()
        .await
        .unwrap();
    assert!(read
        .headers()
        .get(header::ACCESS_CONTROL_ALLOW_ORIGIN)
        .is_none());
    let preflight = app
        .anonymous
        .request(reqwest::Method::OPTIONS, app.url("/orders"))
        .header("origin", "https://store-website.example")
        .header("access-control-request-method", "POST")
        .send()
        .await
        .unwrap();
    assert!(preflight
        .headers()
        .get(header::ACCESS_CONTROL_ALLOW_ORIGIN)
        .is_none());
}

/// The session cookie a sign-in sets.
async fn cookie(app: &TestApp, origin: Option<&str>) -> (StatusCode, String) {
    let mut req = reqwest::Client::new()
        .post(app.url("/session"))
        .json(&json!({"email": "m@t.test", "password": PASSWORD}));
    if let Some(o) = origin {
        req = req.header("origin", o);
    }
    let res = req.send().await.unwrap();
    let set = res
        .headers()
        .get(header::SET_COOKIE)
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (res.status(), set)
}

#[tokio::test]
async fn behind_an_https_address_cookies_are_secure_and_only_its_pages_change_anything() {
    let plain = spawn_app().await;
    let (_, set) = cookie(&plain, None).await;
    assert!(!set.contains("Secure"), "{set}");

    let app =
        spawn_app_with(|c| c.public_url = Some("https://shop.example".parse().unwrap())).await;
    let (status, set) = cookie(&app, Some("https://shop.example")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(set.contains("; Secure"), "{set}");
    assert!(
        set.contains("HttpOnly") && set.contains("SameSite=Strict"),
        "{set}"
    );
    // The address it listens on is not the public one: a page served there may not sign in.
    let (status, _) = cookie(&app, Some(&app.address)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}
