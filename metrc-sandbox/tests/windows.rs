//! Conformance of the sandbox's query parameters: last-modified windows, timestamps, the
//! parameters Metrc marks optional, and rate limits on GET calls only.
//!
//! Sources, cited per test:
//! - [DOC] Metrc's v2 documentation pages per state, as scraped in OcelliSolutions/OpenMetrc
//!   (`src/OpenMetrc.Scraper/OpenApi/metrc-swagger-v2.yaml`, `src/OpenMetrc.Scraper/Reference/`).
//! - [PYMETRC] the pymetrc README: "time-based queries being limited to 24-hour periods".
//! - [BULLETIN] Metrc bulletin NV_IB_0039: "Rate limits only apply to 'GET' calls and do not
//!   include 'PUT,' 'POST,' or 'DELETE' calls."
//! - [THC] thcompliance.com's Metrc field guide: "URL-encode the plus sign in time-zone offsets
//!   as %2B".

mod common;

use chrono::{Duration, Utc};
use common::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

/// Every list route that documents `lastModifiedStart` / `lastModifiedEnd` ([DOC]).
const WINDOWED: [&str; 7] = [
    "/packages/v2/active",
    "/packages/v2/inactive",
    "/items/v2/active",
    "/locations/v2/active",
    "/sales/v2/receipts/active",
    "/sales/v2/receipts/inactive",
    "/transfers/v2/incoming",
];

fn window(start: &str, end: &str) -> String {
    format!(
        "lastModifiedStart={}&lastModifiedEnd={}",
        start.replace('+', "%2B"),
        end.replace('+', "%2B")
    )
}

async fn message(res: reqwest::Response) -> String {
    let body: Value = res.json().await.unwrap();
    body["Message"].as_str().unwrap_or_default().to_owned()
}

// [PYMETRC]; the refusal's wording is the sandbox's own (Metrc's is not published).
#[tokio::test]
async fn a_window_longer_than_24_hours_is_refused_on_every_windowed_route() {
    let sb = spawn_sandbox().await;
    let long = window("2026-01-01T00:00:00Z", "2026-01-02T00:00:01Z");
    let day = window("2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z");
    for route in WINDOWED {
        let res = sb.get(&format!("{route}?{long}")).await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{route}");
        assert!(message(res).await.contains("24 hours"), "{route}");
        let res = sb.get(&format!("{route}?{day}")).await;
        assert_eq!(res.status(), StatusCode::OK, "exactly 24 hours on {route}");
    }
}

// [DOC]: every windowed route filters by the record's LastModified; the incoming transfers used
// to ignore the window.
#[tokio::test]
async fn a_window_selects_records_by_when_they_last_changed() {
    let sb = spawn_sandbox().await;
    let now = Utc::now();
    let around = window(
        &(now - Duration::hours(1)).to_rfc3339(),
        &(now + Duration::hours(1)).to_rfc3339(),
    );
    let yesterday = window(
        &(now - Duration::hours(30)).to_rfc3339(),
        &(now - Duration::hours(7)).to_rfc3339(),
    );
    for route in ["/packages/v2/active", "/transfers/v2/incoming"] {
        let seen = sb.json(&format!("{route}?{around}")).await;
        assert!(seen["Total"].as_u64().unwrap() > 0, "{route}");
        let none = sb.json(&format!("{route}?{yesterday}")).await;
        assert_eq!(none["Total"], 0, "{route}");
    }
}

// [DOC] shows windows as `2018-01-17T06:30:00Z`; a timestamp without a zone is read as UTC (issue
// 27's reading of Metrc, whose servers keep UTC), and an offset names the same instant ([THC]).
#[tokio::test]
async fn timestamps_without_a_zone_are_utc_and_offsets_name_the_same_instant() {
    let sb = spawn_sandbox().await;
    let now = Utc::now();
    let start = now - Duration::minutes(10);
    let end = now + Duration::minutes(10);
    let utc = sb
        .json(&format!(
            "/packages/v2/active?{}",
            window(&start.to_rfc3339(), &end.to_rfc3339())
        ))
        .await;
    let fmt = "%Y-%m-%dT%H:%M:%S";
    let bare = sb
        .json(&format!(
            "/packages/v2/active?{}",
            window(&start.format(fmt).to_string(), &end.format(fmt).to_string())
        ))
        .await;
    let toronto = chrono::FixedOffset::west_opt(5 * 3600).unwrap();
    let offset = sb
        .json(&format!(
            "/packages/v2/active?{}",
            window(
                &start.with_timezone(&toronto).to_rfc3339(),
                &end.with_timezone(&toronto).to_rfc3339()
            )
        ))
        .await;
    assert_eq!(utc["Total"], 6);
    assert_eq!(bare["Total"], utc["Total"]);
    assert_eq!(offset["Total"], utc["Total"]);
    // An offset whose '+' was not encoded arrives as a space: refused, saying why.
    let res = sb
        .get("/packages/v2/active?lastModifiedStart=2026-01-01T00:00:00+01:00&lastModifiedEnd=2026-01-01T01:00:00Z")
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(message(res).await.contains("%2B"));
}

// A window must be a window: both ends, in order. Metrc's answer to half a window is not
// published; refusing it keeps a client from relying on a default that may differ.
#[tokio::test]
async fn half_a_window_or_one_that_ends_before_it_starts_is_refused_by_name() {
    let sb = spawn_sandbox().await;
    let cases = [
        ("lastModifiedStart=2026-01-01T00:00:00Z", "together"),
        ("lastModifiedEnd=2026-01-01T00:00:00Z", "together"),
        (
            "lastModifiedStart=2026-01-02T00:00:00Z&lastModifiedEnd=2026-01-01T00:00:00Z",
            "after",
        ),
        (
            "lastModifiedStart=yesterday&lastModifiedEnd=2026-01-01T00:00:00Z",
            "lastModifiedStart",
        ),
        ("pageSize=ten", "pageSize"),
    ];
    for (query, says) in cases {
        let res = sb.get(&format!("/packages/v2/active?{query}")).await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{query}");
        assert!(message(res).await.contains(says), "{query}");
    }
}

// [DOC] GET /sales/v2/receipts/active: sales dates and last-modified "will result in an error"
// together; a sales date range is facility-local, a bare date covers its whole day.
#[tokio::test]
async fn receipts_are_found_by_sales_day_and_never_by_both_kinds_of_range() {
    let sb = spawn_sandbox().await;
    sb.ok(
        Method::POST,
        "/sales/v2/receipts",
        example("Sales", "RecordReceipts"),
    )
    .await;
    // The example's sale is at 2016-10-04T16:44:53, facility time.
    let day = sb
        .json("/sales/v2/receipts/active?salesDateStart=2016-10-04&salesDateEnd=2016-10-04")
        .await;
    assert_eq!(day["Total"], 1);
    let morning = sb
        .json("/sales/v2/receipts/active?salesDateStart=2016-10-04T00:00:00&salesDateEnd=2016-10-04T12:00:00")
        .await;
    assert_eq!(morning["Total"], 0);
    let both = sb
        .get("/sales/v2/receipts/active?salesDateStart=2016-10-04&lastModifiedStart=2016-10-04T00:00:00Z&lastModifiedEnd=2016-10-04T01:00:00Z")
        .await;
    assert_eq!(both.status(), StatusCode::BAD_REQUEST);
}

// [DOC]: licenseNumber is optional on GET /sales/v2/receipts/{id}, /sales/v2/receipts/external/
// {externalNumber}, /items/v2/{id}, /locations/v2/{id} ("If not specified, the [record] will be
// validated against all of the User's current Facilities ... if [it] is not valid for the
// specified License Number, a 401 Unauthorized status will be returned"), and on
// /items/v2/categories, which needs no permission.
#[tokio::test]
async fn lookups_whose_licence_is_optional_answer_without_one_and_401_for_a_wrong_one() {
    let sb = spawn_sandbox().await;
    sb.ok(
        Method::POST,
        "/sales/v2/receipts",
        example("Sales", "RecordReceipts"),
    )
    .await;
    let receipt = sb.json("/sales/v2/receipts/external/ABC-1234").await;
    let id = receipt["Id"].as_i64().unwrap();
    let items = sb.json("/items/v2/active").await;
    let item = items["Data"][0]["Id"].as_i64().unwrap();
    let ids = sb
        .ok(
            Method::POST,
            "/locations/v2/",
            json!([{"Name": "Sales Floor", "LocationTypeName": "Default"}]),
        )
        .await
        .json::<Value>()
        .await
        .unwrap();
    let location = ids["Ids"][0].as_i64().unwrap();
    for path in [
        format!("/sales/v2/receipts/{id}"),
        "/sales/v2/receipts/external/ABC-1234".to_owned(),
        format!("/items/v2/{item}"),
        format!("/locations/v2/{location}"),
        "/items/v2/categories".to_owned(),
    ] {
        let res = sb.get_as_is(&path).await;
        assert_eq!(res.status(), StatusCode::OK, "{path} without a licence");
        let sep = if path.contains('?') { '&' } else { '?' };
        let res = sb
            .get_as_is(&format!("{path}{sep}licenseNumber=OTHER-1"))
            .await;
        assert_eq!(
            res.status(),
            StatusCode::UNAUTHORIZED,
            "{path} for another licence"
        );
    }
    // Categories and available tags need no permission ([DOC] "Permissions Required: None").
    sb.admin(
        Method::PUT,
        "/sandbox/v2/keys",
        json!({"user_key": USER, "remove_permission": "Manage Items"}),
    )
    .await;
    sb.admin(
        Method::PUT,
        "/sandbox/v2/keys",
        json!({"user_key": USER, "remove_permission": "Manage Tags"}),
    )
    .await;
    assert_eq!(
        sb.get("/items/v2/categories").await.status(),
        StatusCode::OK
    );
    assert_eq!(
        sb.get("/tags/v2/package/available").await.status(),
        StatusCode::OK
    );
    assert_eq!(
        sb.get("/items/v2/active").await.status(),
        StatusCode::FORBIDDEN
    );
}

// [BULLETIN]: the default rate-limit fault refuses GET calls only; a separate fault refuses
// writes, for relay tests, and a write it refuses is not recorded.
#[tokio::test]
async fn rate_limits_refuse_gets_while_writes_go_through_unless_writes_are_limited_too() {
    let sb = spawn_sandbox().await;
    let r = sb
        .admin(
            Method::PUT,
            "/sandbox/v2/faults",
            json!({"rate_limit_percent": 100, "retry_after_secs": 2}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let res = sb.get("/packages/v2/active").await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(res.headers()["retry-after"], "2");
    sb.ok(
        Method::POST,
        "/sales/v2/receipts",
        example("Sales", "RecordReceipts"),
    )
    .await;
    sb.admin(
        Method::PUT,
        "/sandbox/v2/faults",
        json!({"write_rate_limit_percent": 100, "retry_after_secs": 2}),
    )
    .await;
    let adjust = example("Packages", "Adjust");
    let res = sb.send(Method::POST, "/packages/v2/adjust", &adjust).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    sb.admin(Method::PUT, "/sandbox/v2/faults", json!({})).await;
    assert_eq!(
        quantity(&sb, "ABCDEF012345670000010041").await,
        10.0,
        "a refused write is not recorded"
    );
    let receipts = sb.json("/sales/v2/receipts/active").await;
    assert_eq!(receipts["Total"], 1, "the write under the GET limit was");
}
