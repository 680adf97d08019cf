//! Sign-in as a browser's form: answered Post/Redirect/Get, so a wrong password or a lock comes
//! back as the sign-in page's address with why, never as an HTTP error a page logs; the JSON API
//! keeps its 401 and 429. A witness's wrong password is an answer, not a failed request.

use reqwest::{redirect::Policy, Client, StatusCode};
use serde_json::{json, Value};

use crate::helpers::*;

/// A browser without the app's session, which shows each redirect instead of following it.
fn browser() -> Client {
    Client::builder()
        .cookie_store(true)
        .redirect(Policy::none())
        .build()
        .unwrap()
}

async fn form_sign_in(
    app: &TestApp,
    client: &Client,
    email: &str,
    password: &str,
) -> reqwest::Response {
    client
        .post(app.url("/session"))
        .form(&[("email", email), ("password", password)])
        .send()
        .await
        .unwrap()
}

fn location(res: &reqwest::Response) -> String {
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    res.headers()["location"].to_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_form_sign_in_goes_to_the_app_with_a_session_or_back_to_the_sign_in_page_with_why() {
    let app = spawn_app().await;
    let browser = browser();

    let wrong = form_sign_in(&app, &browser, "m@t.test", "not it").await;
    assert_eq!(location(&wrong), "/login?refused=bad_credentials");
    assert!(wrong.headers().get("set-cookie").is_none());
    let who: Value = browser
        .get(app.url("/session"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(who.is_null(), "a refused form opens no session: {who}");

    let not_an_email = form_sign_in(&app, &browser, "marcus", PASSWORD).await;
    assert_eq!(location(&not_an_email), "/login?refused=invalid_body");

    let right = form_sign_in(&app, &browser, " M@t.test", PASSWORD).await;
    assert_eq!(location(&right), "/inventory");
    let cookie = right.headers()["set-cookie"].to_str().unwrap();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    let who: Value = browser
        .get(app.url("/session"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(who["id"], app.manager.id.to_string());

    // The JSON API answers as it always did.
    let json = app
        .anonymous
        .post(app.url("/session"))
        .json(&json!({"email": "m@t.test", "password": "not it"}))
        .send()
        .await
        .unwrap();
    assert_eq!(json.status(), StatusCode::UNAUTHORIZED);
    let body: Value = json.json().await.unwrap();
    assert_eq!(body["error"]["code"], "bad_credentials");
}

#[tokio::test]
async fn form_and_json_failures_lock_the_same_account_and_the_form_is_told_how_long_to_wait() {
    let app = spawn_app().await;
    let browser = browser();
    // Failures by form and by JSON add up on one account.
    for n in 0..10 {
        if n % 2 == 0 {
            let res = form_sign_in(&app, &browser, "s@t.test", "wrong").await;
            assert_eq!(
                location(&res),
                "/login?refused=bad_credentials",
                "attempt {n}"
            );
        } else {
            let res = app
                .anonymous
                .post(app.url("/session"))
                .json(&json!({"email": "s@t.test", "password": "wrong"}))
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "attempt {n}");
        }
    }
    let locked = form_sign_in(&app, &browser, "s@t.test", PASSWORD).await;
    let to = location(&locked);
    let wait: u64 = to
        .strip_prefix("/login?refused=too_many_requests&retry_after=")
        .unwrap_or_else(|| panic!("{to}"))
        .parse()
        .unwrap();
    assert!((1..=3600).contains(&wait), "{wait}");
    assert!(locked.headers().get("set-cookie").is_none());
}

#[tokio::test]
async fn a_sign_in_form_posted_from_another_site_is_refused() {
    // Login forgery: another site's page signing this browser into the attacker's account.
    let app = spawn_app().await;
    let res = browser()
        .post(app.url("/session"))
        .header("origin", "https://evil.test")
        .form(&[("email", "m@t.test"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(res.headers().get("set-cookie").is_none());
}

#[tokio::test]
async fn a_witness_with_a_wrong_password_is_refused_in_the_answer_and_counts_against_the_lock() {
    let app = spawn_app().await;
    let check = |password: &'static str| {
        app.manager
            .client
            .post(app.url("/session/witness"))
            .json(&json!({"email": "w@t.test", "password": password}))
            .send()
    };
    for n in 0..10 {
        let res = check("not it").await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "attempt {n}");
        let answer: Value = res.json().await.unwrap();
        assert_eq!(answer["outcome"], "refused", "{answer}");
        assert_eq!(answer["error"]["code"], "bad_credentials", "{answer}");
    }
    // Locked now: the right password is refused too, saying how long to wait.
    let answer: Value = check(PASSWORD).await.unwrap().json().await.unwrap();
    assert_eq!(answer["outcome"], "refused", "{answer}");
    assert_eq!(answer["error"]["code"], "too_many_requests", "{answer}");
    assert!(answer["error"]["message"]
        .as_str()
        .unwrap()
        .contains("seconds"));
    assert!(answer.get("witness").is_none());
}
