//! Conformance of outgoing transfers (and the packages in transit on them) and of Retail ID.
//!
//! Sources, cited per test:
//! - [BRUNO] Metrc's documented examples as collected in thunkier/ThunkMetrc
//!   (`specs/generated/bruno/<Group>/<Name>.bru`).
//! - [DOC] Metrc's v2 documentation (OcelliSolutions/OpenMetrc,
//!   `src/OpenMetrc.Scraper/OpenApi/metrc-swagger-v2.yaml`).

mod common;

use common::*;
use metrc::{wire::RetailIdAssociation, Credentials, MetrcClient};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

async fn ship(sb: &Sandbox, manifest: &str, labels: &[&str]) -> reqwest::Response {
    sb.admin(
        Method::POST,
        "/sandbox/v2/transfers/outgoing",
        json!({"license": LICENSE, "manifest_number": manifest, "recipient_license": "C11-0000002-LIC",
            "recipient_name": "Returns Depot", "packages": labels}),
    )
    .await
}

fn client(sb: &Sandbox) -> MetrcClient {
    MetrcClient::new(
        Credentials {
            base_url: sb.url.clone(),
            vendor_key: VENDOR.into(),
            user_key: USER.into(),
            license: LICENSE.into(),
        },
        std::time::Duration::from_secs(5),
    )
}

// [BRUNO] Transfers/GetOutgoingTransfers.bru (the fields), Packages/GetInTransitPackages.bru; [DOC]
// both take a last-modified window. A package on its way out is in transit, not active, and takes
// no change until it arrives.
#[tokio::test]
async fn an_outgoing_transfer_lists_with_its_packages_in_transit_and_they_take_no_change() {
    let sb = spawn_sandbox().await;
    let res = ship(
        &sb,
        "0000000099",
        &["ABCDEF012345670000010043", "ABCDEF012345670000010044"],
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    let page = sb.json("/transfers/v2/outgoing").await;
    assert_eq!(page["Total"], 1);
    let t = &page["Data"][0];
    for field in [
        "Id",
        "ManifestNumber",
        "ShipperFacilityLicenseNumber",
        "RecipientFacilityLicenseNumber",
        "RecipientFacilityName",
        "PackageCount",
        "ReceivedPackageCount",
        "IsVoided",
        "CreatedDateTime",
        "LastModified",
        "DeliveryId",
        "ActualArrivalDateTime",
    ] {
        assert!(t.get(field).is_some(), "{field}: {t}");
    }
    assert_eq!(t["ShipperFacilityLicenseNumber"], LICENSE);
    assert_eq!(t["RecipientFacilityName"], "Returns Depot");
    assert_eq!(t["PackageCount"], 2);
    assert_eq!(t["ReceivedPackageCount"], 0);
    assert_eq!(t["ActualArrivalDateTime"], Value::Null);
    let id = t["Id"].as_i64().unwrap();
    let carried = sb
        .json(&format!("/transfers/v2/deliveries/{id}/packages"))
        .await;
    assert_eq!(carried["Total"], 2);
    assert_eq!(sb.json("/packages/v2/active").await["Total"], 4);
    assert_eq!(sb.json("/packages/v2/intransit").await["Total"], 2);
    // A window before the transfer finds none of it.
    let old = sb
        .json("/transfers/v2/outgoing?lastModifiedStart=2020-01-01T00:00:00Z&lastModifiedEnd=2020-01-01T12:00:00Z")
        .await;
    assert_eq!(old["Total"], 0);
    // In transit, it takes no change.
    let res = sb
        .send(
            Method::POST,
            "/packages/v2/adjust",
            &json!([{"Label": "ABCDEF012345670000010043", "Quantity": -1.0, "UnitOfMeasure": "Ounces",
                "AdjustmentReason": "Scale Variance", "AdjustmentDate": "2026-12-04", "ReasonNote": null}]),
        )
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let rows: Value = res.json().await.unwrap();
    assert!(
        rows[0]["message"].as_str().unwrap().contains("in transit"),
        "{rows}"
    );
    // Shipped again, or unknown: refused, and nothing else moves.
    assert_eq!(
        ship(&sb, "0000000100", &["ABCDEF012345670000010043"])
            .await
            .status(),
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        ship(&sb, "0000000101", &["ABCDEF012345670000010041", "NOPE"])
            .await
            .status(),
        StatusCode::BAD_REQUEST
    );
    assert_eq!(sb.json("/packages/v2/active").await["Total"], 4);
    // The client reads both.
    let c = client(&sb);
    let out = c.outgoing_transfers().await.unwrap();
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].manifest_number, "0000000099");
    assert_eq!(out[0].package_count, 2);
    assert_eq!(c.packages_in_transit().await.unwrap().len(), 2);
}

// [BRUNO] RetailId/CreateAssociate.bru (body and `{"Ids": ...}` answer), GetReceiveByLabel.bru
// (Eaches, Ranges, QrCount, ChildTag, LabelSource), GetAllotment.bru (FacilityId, Allotment,
// FacilityLicenseNumber).
#[tokio::test]
async fn retail_id_codes_are_associated_read_back_and_counted_against_the_allotment() {
    let sb = spawn_sandbox().await;
    let c = client(&sb);
    let before = c.retail_id_allotment().await.unwrap();
    assert_eq!(before.facility_license_number, LICENSE);
    let codes: Vec<String> = (1..=3)
        .map(|n| format!("https://id.1a4.com/SANDBOX{n:04}"))
        .collect();
    let ids = c
        .associate_retail_ids(&[RetailIdAssociation {
            package_label: "ABCDEF012345670000010041".into(),
            qr_urls: codes.clone(),
        }])
        .await
        .unwrap();
    assert_eq!(ids.len(), 1);
    let eaches = c.retail_ids("ABCDEF012345670000010041").await.unwrap();
    assert_eq!(eaches.eaches, codes);
    assert_eq!(eaches.qr_count, 3);
    assert_eq!(eaches.ranges, vec![[1, 3]]);
    assert_eq!(eaches.child_tag, "ABCDEF012345670000010041");
    assert_eq!(
        c.retail_id_allotment().await.unwrap().allotment,
        before.allotment - 3
    );
    // Without a licence, the package is checked against every facility of the key; with another
    // facility's, 401.
    let res = sb
        .get_as_is("/retailid/v2/receive/ABCDEF012345670000010041")
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = sb
        .get_as_is("/retailid/v2/receive/ABCDEF012345670000010041?licenseNumber=OTHER-1")
        .await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);

    // A code already on another package, one that is not a URL, and a package Metrc lacks.
    let res = sb
        .send(
            Method::POST,
            "/retailid/v2/associate",
            &json!([
                {"PackageLabel": "ABCDEF012345670000010042", "QrUrls": [codes[0], "not-a-url"]},
                {"PackageLabel": "ABCDEF012345670000099999", "QrUrls": ["https://id.1a4.com/X"]}
            ]),
        )
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let rows: Vec<String> = res
        .json::<Value>()
        .await
        .unwrap()
        .as_array()
        .unwrap()
        .iter()
        .map(|r| format!("{}: {}", r["row"], r["message"].as_str().unwrap()))
        .collect();
    assert_eq!(
        rows,
        [
            "0: QR code https://id.1a4.com/SANDBOX0001 belongs to package ABCDEF012345670000010041.",
            "0: QR code not-a-url is not a URL.",
            "1: Package ABCDEF012345670000099999 not found.",
        ]
    );
    // Counted items carry no more codes than they are.
    sb.admin(Method::POST, "/sandbox/v2/items", json!({"license": LICENSE, "name": "Gummies", "category": "Edible (weight - each)",
        "quantity_type": "CountBased", "unit_of_measure": "Each", "unit_weight": 5, "unit_weight_unit_of_measure": "Grams"}))
        .await;
    sb.admin(
        Method::POST,
        "/sandbox/v2/manifests",
        json!({"license": LICENSE, "manifest_number": "0000000002",
        "packages": [{"label": "ABCDEF012345670000030001", "item": "Gummies", "quantity": 2}]}),
    )
    .await;
    let res = sb
        .send(
            Method::POST,
            "/retailid/v2/associate",
            &json!([{"PackageLabel": "ABCDEF012345670000030001", "QrUrls": ["https://id.1a4.com/G1", "https://id.1a4.com/G2", "https://id.1a4.com/G3"]}]),
        )
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let text = res.text().await.unwrap();
    assert!(
        text.contains("holds 2 items; 3 QR codes were given"),
        "{text}"
    );
}
