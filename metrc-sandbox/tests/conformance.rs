//! Conformance of the Metrc sandbox: Metrc's own Postman example bodies, its status codes and
//! response shapes, and fault injection.

mod common;

use common::*;
use metrc_sandbox::SandboxState;
use reqwest::StatusCode;
use serde_json::{json, Value};

#[tokio::test]
async fn metrcs_own_create_package_example_merges_packages_and_refuses_its_reused_tag() {
    let sb = spawn_sandbox().await;
    let rows = example("Packages", "Create").as_array().unwrap().clone();
    // Rows 0 and 1 each merge two packages into a new tag.
    let res = sb
        .send(
            reqwest::Method::POST,
            "/packages/v2/",
            &Value::Array(rows[..2].to_vec()),
        )
        .await;
    let status = res.status();
    let body: Value = res.json().await.unwrap();
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["Ids"].as_array().unwrap().len(), 2);
    assert!(body["Warnings"].is_null());
    assert_eq!(quantity(&sb, "ABCDEF012345670000020201").await, 16.0);
    assert_eq!(quantity(&sb, "ABCDEF012345670000010041").await, 2.0);
    // Row 2 reuses row 1's tag, which is consumed now: refused row by row, as Metrc does.
    let again = sb
        .send(
            reqwest::Method::POST,
            "/packages/v2/",
            &Value::Array(vec![rows[2].clone()]),
        )
        .await;
    assert_eq!(again.status(), StatusCode::BAD_REQUEST);
    let refusal: Value = again.json().await.unwrap();
    assert_eq!(refusal[0]["row"], 0);
    assert_eq!(
        refusal[0]["message"],
        "Tag ABCDEF012345670000020202 is not available."
    );
}

#[tokio::test]
async fn metrcs_own_adjust_example_applies_signed_deltas() {
    let sb = spawn_sandbox().await;
    let res = sb
        .send(
            reqwest::Method::POST,
            "/packages/v2/adjust",
            &example("Packages", "Adjust"),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["Ids"].as_array().unwrap().len(), 2);
    assert_eq!(quantity(&sb, "ABCDEF012345670000010041").await, 8.0);
    assert_eq!(quantity(&sb, "ABCDEF012345670000010042").await, 11.0);
}

#[tokio::test]
async fn metrcs_own_receipt_example_records_a_sale_findable_by_external_number_and_archivable() {
    let sb = spawn_sandbox().await;
    let res = sb
        .send(
            reqwest::Method::POST,
            "/sales/v2/receipts",
            &example("Sales", "RecordReceipts"),
        )
        .await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        res.text().await.unwrap()
    );
    assert_eq!(quantity(&sb, "ABCDEF012345670000010331").await, 9.0);
    let r: Value = sb
        .get("/sales/v2/receipts/external/ABC-1234")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(r["ExternalReceiptNumber"], "ABC-1234");
    assert_eq!(r["TotalPackages"], 2);
    let id = r["Id"].as_i64().unwrap();
    let del = sb
        .send(
            reqwest::Method::DELETE,
            &format!("/sales/v2/receipts/{id}"),
            &json!(null),
        )
        .await;
    assert_eq!(del.status(), StatusCode::OK);
    assert_eq!(
        quantity(&sb, "ABCDEF012345670000010331").await,
        10.0,
        "voiding puts the quantity back"
    );
    assert_eq!(
        sb.get("/sales/v2/receipts/external/ABC-1234")
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    let inactive: Value = sb
        .get("/sales/v2/receipts/inactive")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(inactive["Total"], 1);
}

#[tokio::test]
async fn finishing_needs_an_empty_package_and_unfinish_reverses_it() {
    let sb = spawn_sandbox().await;
    let finish = example("Packages", "Finish");
    let res = sb
        .send(reqwest::Method::PUT, "/packages/v2/finish", &finish)
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let rows: Value = res.json().await.unwrap();
    assert_eq!(
        rows[0]["message"],
        "Package ABCDEF012345670000010041 must have a quantity of 0 to be finished."
    );
    let empty = json!([{"Label": "ABCDEF012345670000010041", "Quantity": -10.0, "UnitOfMeasure": "Ounces", "AdjustmentReason": "Drying", "AdjustmentDate": "2026-01-01", "ReasonNote": null}]);
    assert_eq!(
        sb.send(reqwest::Method::POST, "/packages/v2/adjust", &empty)
            .await
            .status(),
        StatusCode::OK
    );
    let one = json!([{"Label": "ABCDEF012345670000010041", "ActualDate": "2026-01-02"}]);
    assert_eq!(
        sb.send(reqwest::Method::PUT, "/packages/v2/finish", &one)
            .await
            .status(),
        StatusCode::OK
    );
    let inactive: Value = sb.get("/packages/v2/inactive").await.json().await.unwrap();
    assert_eq!(inactive["Data"][0]["Label"], "ABCDEF012345670000010041");
    let unfinish = json!([{"Label": "ABCDEF012345670000010041"}]);
    assert_eq!(
        sb.send(reqwest::Method::PUT, "/packages/v2/unfinish", &unfinish)
            .await
            .status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn lists_come_in_metrcs_envelope_with_pages_of_at_most_twenty() {
    let sb = spawn_sandbox().await;
    let all: Value = sb.get("/packages/v2/active").await.json().await.unwrap();
    for key in [
        "Data",
        "Total",
        "TotalRecords",
        "PageSize",
        "RecordsOnPage",
        "Page",
        "CurrentPage",
        "TotalPages",
    ] {
        assert!(all.get(key).is_some(), "envelope lacks {key}: {all}");
    }
    assert_eq!(all["Total"], 6);
    let p2: Value = sb
        .get("/packages/v2/active?pageSize=4&pageNumber=2")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(p2["RecordsOnPage"], 2);
    assert_eq!(p2["TotalPages"], 2);
    assert_eq!(p2["Data"][0]["Item"]["Name"], "Buds");
    assert_eq!(
        sb.get("/packages/v2/active?pageSize=21").await.status(),
        StatusCode::BAD_REQUEST
    );
    let reasons: Value = sb
        .get("/packages/v2/adjust/reasons")
        .await
        .json()
        .await
        .unwrap();
    assert!(reasons["Data"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["Name"] == "Drying" && r["RequiresNote"] == false));
    let categories: Value = sb.get("/items/v2/categories").await.json().await.unwrap();
    let preroll = categories["Data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["Name"] == "Pre-Roll Flower")
        .unwrap();
    assert_eq!(preroll["QuantityType"], "CountBased");
    assert_eq!(preroll["RequiresUnitWeight"], true);
    let facilities: Value = sb
        .client
        .get(format!("{}/facilities/v2/", sb.url))
        .basic_auth(VENDOR, Some(USER))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(facilities[0]["License"]["Number"], LICENSE);
}

#[tokio::test]
async fn more_than_ten_objects_in_one_write_is_a_413() {
    let sb = spawn_sandbox().await;
    let one = json!({"Label": "ABCDEF012345670000010041", "Quantity": -0.1, "UnitOfMeasure": "Ounces", "AdjustmentReason": "Drying", "AdjustmentDate": "2026-01-01", "ReasonNote": null});
    let body = Value::Array(vec![one; 11]);
    let res = sb
        .send(reqwest::Method::POST, "/packages/v2/adjust", &body)
        .await;
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let msg: Value = res.json().await.unwrap();
    assert!(msg["Message"].is_string());
}

#[tokio::test]
async fn keys_are_checked_401_for_a_bad_key_or_licence_and_403_for_a_missing_permission() {
    let sb = spawn_sandbox().await;
    let wrong_key = sb
        .client
        .get(sb.at("/packages/v2/active"))
        .basic_auth(VENDOR, Some("nope"))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong_key.status(), StatusCode::UNAUTHORIZED);
    let body: Value = wrong_key.json().await.unwrap();
    assert!(body["Message"].is_string());
    let other_license = sb
        .client
        .get(format!(
            "{}/packages/v2/active?licenseNumber=OTHER-1",
            sb.url
        ))
        .basic_auth(VENDOR, Some(USER))
        .send()
        .await
        .unwrap();
    assert_eq!(other_license.status(), StatusCode::UNAUTHORIZED);
    let r = sb
        .admin(
            reqwest::Method::PUT,
            "/sandbox/v2/keys",
            json!({"user_key": USER, "remove_permission": "Manage Sales"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let res = sb
        .send(
            reqwest::Method::POST,
            "/sales/v2/receipts",
            &example("Sales", "RecordReceipts"),
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let r = sb
        .admin(
            reqwest::Method::PUT,
            "/sandbox/v2/keys",
            json!({"user_key": USER, "expire": true}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(
        sb.get("/packages/v2/active").await.status(),
        StatusCode::UNAUTHORIZED
    );
    sb.admin(
        reqwest::Method::PUT,
        "/sandbox/v2/keys",
        json!({"user_key": USER, "restore": true}),
    )
    .await;
    assert_eq!(sb.get("/packages/v2/active").await.status(), StatusCode::OK);
}

#[tokio::test]
async fn injected_rate_limits_answer_429_with_retry_after() {
    let sb = spawn_sandbox().await;
    let r = sb
        .admin(
            reqwest::Method::PUT,
            "/sandbox/v2/faults",
            json!({"rate_limit_percent": 100, "retry_after_secs": 7}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let res = sb.get("/packages/v2/active").await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(res.headers()["retry-after"], "7");
    let bad = sb
        .admin(
            reqwest::Method::PUT,
            "/sandbox/v2/faults",
            json!({"error_percent": 150}),
        )
        .await;
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn a_write_that_commits_then_drops_is_recorded_though_the_caller_times_out() {
    let sb = spawn_sandbox().await;
    sb.admin(
        reqwest::Method::PUT,
        "/sandbox/v2/faults",
        json!({"commit_then_drop_percent": 100}),
    )
    .await;
    let res = sb
        .client
        .post(sb.at("/sales/v2/receipts"))
        .basic_auth(VENDOR, Some(USER))
        .json(&example("Sales", "RecordReceipts"))
        .timeout(std::time::Duration::from_millis(500))
        .send()
        .await;
    assert!(res.unwrap_err().is_timeout());
    sb.admin(reqwest::Method::PUT, "/sandbox/v2/faults", json!({}))
        .await;
    // Reading back finds the sale: a retry must not record it again.
    let r = sb.get("/sales/v2/receipts/external/ABC-1234").await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(quantity(&sb, "ABCDEF012345670000010331").await, 9.0);
}

#[tokio::test]
async fn a_duplicated_receipt_is_there_twice_as_the_fault_promises() {
    let sb = spawn_sandbox().await;
    sb.send(
        reqwest::Method::POST,
        "/sales/v2/receipts",
        &example("Sales", "RecordReceipts"),
    )
    .await;
    let r = sb
        .admin(
            reqwest::Method::POST,
            "/sandbox/v2/receipts/duplicate",
            json!({"license": LICENSE, "external_receipt_number": "ABC-1234"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let active: Value = sb
        .get("/sales/v2/receipts/active")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(active["Total"], 2);
    assert_eq!(quantity(&sb, "ABCDEF012345670000010331").await, 8.0);
}

#[tokio::test]
async fn the_sandbox_state_survives_a_restart_from_its_own_database() {
    let dir = tempfile::tempdir().unwrap();
    {
        let st = SandboxState::open(dir.path()).await.unwrap();
        st.provision(
            LICENSE,
            "Store",
            VENDOR,
            USER,
            vec!["ABCDEF012345670000020201".into()],
        )
        .await
        .unwrap();
    }
    let st = SandboxState::open(dir.path()).await.unwrap();
    assert!(!st.is_empty());
}

#[tokio::test]
async fn a_seeded_manifest_shows_as_an_incoming_transfer_with_its_delivery_and_packages() {
    let sb = spawn_sandbox().await;
    let transfers: Value = sb.get("/transfers/v2/incoming").await.json().await.unwrap();
    assert_eq!(transfers["Total"], 1);
    let t = &transfers["Data"][0];
    assert_eq!(t["ManifestNumber"], "0000000001");
    assert_eq!(t["PackageCount"], 6);
    let id = t["Id"].as_i64().unwrap();
    let deliveries: Value = sb
        .get(&format!("/transfers/v2/{id}/deliveries"))
        .await
        .json()
        .await
        .unwrap();
    let delivery = deliveries["Data"][0]["Id"].as_i64().unwrap();
    let packages: Value = sb
        .get(&format!("/transfers/v2/deliveries/{delivery}/packages"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(packages["Total"], 6);
    assert_eq!(packages["Data"][0]["ShippedQuantity"], 10.0);
    assert_eq!(packages["Data"][0]["ShippedUnitOfMeasureName"], "Ounces");
    let received: Value = sb
        .get("/packages/v2/ABCDEF012345670000010041")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(received["ReceivedFromManifestNumber"], "0000000001");
}
