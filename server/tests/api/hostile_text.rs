//! Free text from outside (a customer's name, a manager's note): bounded, and no control or
//! direction-override characters, on every path; a refused request records nothing.

use domain::{command::*, *};
use reqwest::StatusCode;
use serde_json::{json, Value};
use server::ledger::Outcome;

use crate::helpers::*;

#[tokio::test]
async fn a_customer_name_with_control_or_override_characters_or_too_long_is_refused_by_name() {
    let app = spawn_app().await;
    app.stock_the_shelf(100, 100).await;
    let before = app.events_count().await;
    let long = "R".repeat(81);
    for name in [
        "Sam\u{0}",
        "Sam\u{7}",
        "mas\u{202E}Sam",
        "\u{2066}Sam",
        long.as_str(),
    ] {
        let res = app
            .anonymous
            .post(app.url("/orders"))
            .json(
                &json!({"customer_name": name, "phone": "416 555 0101", "age_confirmed": true,
                "lines": [{"product_id": PREROLL, "quantity": "1"}]}),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{name:?}");
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["error"]["code"], "invalid_body", "{body}");
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .starts_with("customer_name: "),
            "{body}"
        );
    }
    assert_eq!(app.events_count().await, before, "nothing recorded");
    // Eighty characters, accents included, are a name.
    let res = app
        .anonymous
        .post(app.url("/orders"))
        .json(
            &json!({"customer_name": "Zoë ".repeat(20).trim_end(), "phone": "416 555 0101",
            "age_confirmed": true, "lines": [{"product_id": PREROLL, "quantity": "1"}]}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn a_note_that_would_read_differently_to_an_auditor_is_refused_from_a_tablet() {
    let app = spawn_app().await;
    let (flower, _) = app.stock_the_shelf(100, 10).await;
    let adjust = |note: &str| {
        command(Action::Adjust(Adjust {
            package_id: flower,
            delta: Quantity::grams(-1, 0),
            reason: AdjustReason::TheftOrLoss,
            note: Some(note.to_owned()),
            count_id: None,
        }))
    };
    let before = app.events_count().await;
    let out = app
        .push(
            &app.manager,
            vec![
                adjust("found 1 g short \u{202E}tsol"),
                adjust(&"x".repeat(501)),
            ],
        )
        .await;
    for o in &out {
        let Outcome::Rejected { error, .. } = o else {
            panic!("applied: {o:?}")
        };
        assert!(error.to_string().starts_with("note: "), "{error}");
    }
    assert_eq!(app.events_count().await, before);
    let ok = app
        .push(&app.manager, vec![adjust("found 1 g short,\nbag torn")])
        .await;
    assert!(matches!(ok[0], Outcome::Applied { .. }), "{ok:?}");
}

#[tokio::test]
async fn regulator_credentials_with_control_characters_or_of_any_length_are_refused() {
    let app = spawn_app().await;
    for (field, value) in [
        ("vendor_key", "abc\u{0}def".to_owned()),
        ("license", "L".repeat(201)),
    ] {
        let mut body = json!({"base_url": "http://127.0.0.1:9", "vendor_key": "v",
            "user_key": "u", "license": "C10-0000001-LIC"});
        body[field] = json!(value);
        let res = app
            .manager
            .client
            .put(app.url("/regulator/credentials"))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{field}");
        let e: Value = res.json().await.unwrap();
        assert!(
            e["error"]["message"].as_str().unwrap().starts_with(field),
            "{e}"
        );
    }
}
