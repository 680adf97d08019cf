//! Pistil's Metrc client against the sandbox: a long catch-up read in windows of at most 24
//! hours, receipts read back with their finalization, and the store's location, note and item
//! calls, each as Metrc documents them (see the other suites for the sources).

mod common;

use chrono::{Duration, NaiveDate, Utc};
use common::*;
use metrc::{
    wire::{ItemBody, LocationBody, MovePackage, PackageNote},
    Credentials, MetrcClient, MetrcError,
};
use reqwest::Method;
use rust_decimal::Decimal;

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

#[tokio::test]
async fn a_catch_up_of_three_days_is_read_in_daily_windows_without_repeats() {
    let sb = spawn_sandbox().await;
    let c = client(&sb);
    let now = Utc::now();
    // One query over three days is what Metrc refuses ...
    let res = sb
        .get(&format!(
            "/packages/v2/active?lastModifiedStart={}&lastModifiedEnd={}",
            (now - Duration::days(3)).format("%Y-%m-%dT%H:%M:%SZ"),
            now.format("%Y-%m-%dT%H:%M:%SZ")
        ))
        .await;
    assert_eq!(res.status(), reqwest::StatusCode::BAD_REQUEST);
    // ... and what the client reads in windows.
    let packages = c
        .active_packages_changed(now - Duration::days(3), now + Duration::minutes(1))
        .await
        .unwrap();
    assert_eq!(packages.len(), 6);
    sb.ok(
        Method::POST,
        "/sales/v2/receipts",
        example("Sales", "RecordReceipts"),
    )
    .await;
    let receipts = c
        .receipts_changed(now - Duration::days(3), Utc::now() + Duration::minutes(1))
        .await
        .unwrap();
    assert_eq!(receipts.len(), 1);
    assert_eq!(
        receipts[0].recorded_by_user_name.as_deref(),
        Some("Sandbox User")
    );
}

#[tokio::test]
async fn a_days_receipts_include_the_finalized_and_leave_out_the_voided() {
    let sb = spawn_sandbox().await;
    let c = client(&sb);
    sb.ok(
        Method::POST,
        "/sales/v2/receipts",
        example("Sales", "RecordReceipts"),
    )
    .await;
    let mut second = example("Sales", "RecordReceipts");
    second[0]["ExternalReceiptNumber"] = "ABC-1235".into();
    sb.ok(Method::POST, "/sales/v2/receipts", second).await;
    let day = NaiveDate::from_ymd_opt(2016, 10, 4).unwrap();
    let both = c.receipts_on(day).await.unwrap();
    assert_eq!(both.len(), 2);
    c.finalize_receipts(&[both[0].id], true).await.unwrap();
    let after = c.receipts_on(day).await.unwrap();
    assert_eq!(after.len(), 2, "a finalized receipt is still the day's");
    assert!(after[0].is_final);
    // A finalized receipt cannot be voided until it is opened again.
    assert!(matches!(
        c.archive_receipt(both[0].id).await,
        Err(MetrcError::Validation { .. })
    ));
    c.finalize_receipts(&[both[0].id], false).await.unwrap();
    c.archive_receipt(both[0].id).await.unwrap();
    let left = c.receipts_on(day).await.unwrap();
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].external_receipt_number.as_deref(), Some("ABC-1235"));
    assert!(c
        .receipts_on(day.succ_opt().unwrap())
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn the_store_creates_an_item_and_a_location_moves_a_package_and_notes_it() {
    let sb = spawn_sandbox().await;
    let c = client(&sb);
    let categories = c.item_categories().await.unwrap();
    let cart = categories
        .iter()
        .find(|k| k.name == "Vape Cartridge")
        .unwrap();
    assert!(cart.requires_unit_weight);
    let ids = c
        .create_items(&[ItemBody {
            item_category: cart.name.clone(),
            name: "Cart 0.5 g".into(),
            unit_of_measure: "Each".into(),
            unit_weight: Some(Decimal::new(5, 1)),
            unit_weight_unit_of_measure: Some("Grams".into()),
            ..ItemBody::default()
        }])
        .await
        .unwrap();
    let item = c.item(ids[0]).await.unwrap();
    assert_eq!(item.unit_weight, Some(Decimal::new(5, 1)));
    assert_eq!(item.quantity_type, "CountBased");
    let types = c.location_types().await.unwrap();
    assert!(types.iter().any(|t| t.name == "Default" && t.for_packages));
    c.create_locations(&[
        LocationBody {
            id: None,
            name: "Vault".into(),
            location_type_name: "Default".into(),
        },
        LocationBody {
            id: None,
            name: "Sales Floor".into(),
            location_type_name: "Default".into(),
        },
    ])
    .await
    .unwrap();
    assert_eq!(c.locations().await.unwrap().len(), 2);
    let label = "ABCDEF012345670000010041";
    c.move_packages(&[MovePackage {
        label: label.into(),
        location: "Sales Floor".into(),
        sublocation: None,
        move_date: Utc::now().date_naive(),
    }])
    .await
    .unwrap();
    c.change_notes(&[PackageNote {
        package_label: label.into(),
        note: "Moved for the weekend".into(),
    }])
    .await
    .unwrap();
    let p = c.package(label).await.unwrap();
    assert_eq!(p.location_name.as_deref(), Some("Sales Floor"));
    assert_eq!(p.note.as_deref(), Some("Moved for the weekend"));
    let refused = c
        .move_packages(&[MovePackage {
            label: label.into(),
            location: "Back Room".into(),
            sublocation: None,
            move_date: Utc::now().date_naive(),
        }])
        .await;
    assert!(
        matches!(refused, Err(MetrcError::Validation { .. })),
        "{refused:?}"
    );
}
