//! Bad input gets a clear error naming the problem, and changes nothing.

use reqwest::StatusCode;

use crate::helpers::*;

async fn post(app: &TestApp, body: &str) -> (StatusCode, serde_json::Value) {
    let res = app
        .manager
        .client
        .post(app.url("/mutations"))
        .header("content-type", "application/json")
        .body(body.to_owned())
        .send()
        .await
        .unwrap();
    let status = res.status();
    (status, res.json().await.unwrap())
}

#[tokio::test]
async fn malformed_json_is_a_400_naming_the_problem() {
    let app = spawn_app().await;
    let (status, body) = post(&app, "{\"mutations\": [").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"]["code"], "malformed_json");
}

#[tokio::test]
async fn an_unknown_field_is_a_422_naming_the_field() {
    let app = spawn_app().await;
    let (status, body) = post(&app, r#"{"mutations": [], "colour": "green"}"#).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("unknown field `colour`"),
        "{body}"
    );
}

#[tokio::test]
async fn a_malformed_tag_is_refused_with_its_length() {
    let app = spawn_app().await;
    let body = serde_json::json!({ "mutations": [{ "command": {
        "mutation_id": uuid::Uuid::new_v4(), "actor": uuid::Uuid::new_v4(), "device": uuid::Uuid::new_v4(),
        "at": "2026-11-24T10:00:00Z",
        "action": { "split": { "source": uuid::Uuid::new_v4(), "amounts": { "equal": { "total": { "amount": "1", "unit": "Grams" } } },
                    "new_packages": [{ "package_id": uuid::Uuid::new_v4(), "tag": "1A4SHORT" }] } } } }] });
    let (status, body) = post(&app, &body.to_string()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("a regulator tag has 24 characters; \"1A4SHORT\" has 8"),
        "{body}"
    );
}

#[tokio::test]
async fn a_body_over_the_limit_is_a_413() {
    let app = spawn_app().await;
    let big = format!(
        "{{\"mutations\": [], \"pad\": \"{}\"}}",
        "x".repeat(3 * 1024 * 1024)
    );
    let res = app
        .manager
        .client
        .post(app.url("/mutations"))
        .header("content-type", "application/json")
        .body(big)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn an_export_with_a_bad_date_says_which() {
    let app = spawn_app().await;
    let res = app
        .manager
        .client
        .get(app.url("/audit/export?from=yesterday&to=2026-01-01"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(
        body["error"]["message"],
        "\"yesterday\" is neither a date (YYYY-MM-DD) nor an RFC 3339 time"
    );
}
