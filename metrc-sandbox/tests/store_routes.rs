//! Conformance of the routes a store uses every week beyond sales and package changes:
//! locations and their types, moving a package between them, package notes, and items (the
//! product mapping) created, read, changed and archived.
//!
//! Sources, cited per test:
//! - [POSTMAN] Metrc's California Postman collection (`fixtures/postman-ca-dump.txt`): the
//!   example bodies, sent as they are.
//! - [DOC] Metrc's v2 documentation pages (Colorado), as scraped in OcelliSolutions/OpenMetrc
//!   (`src/OpenMetrc.Scraper/Reference/<Group>/co/<route>.html`).

mod common;

use common::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

async fn rows(res: reqwest::Response) -> Vec<String> {
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let body: Value = res.json().await.unwrap();
    body.as_array()
        .unwrap_or_else(|| panic!("not a row list: {body}"))
        .iter()
        .map(|r| format!("{}: {}", r["row"], r["message"].as_str().unwrap()))
        .collect()
}

async fn package(sb: &Sandbox, label: &str) -> Value {
    sb.json(&format!("/packages/v2/{label}")).await
}

// [POSTMAN] v2/Locations Create and Update; [DOC] Locations/co/get_locations_v2_types.html and
// get_locations_v2_active.html (a location shows its type's Default/Planting/Packing flags).
#[tokio::test]
async fn locations_are_created_listed_with_their_types_and_renamed() {
    let sb = spawn_sandbox().await;
    let ids: Value = sb
        .ok(
            Method::POST,
            "/locations/v2/",
            example("Locations", "Create"),
        )
        .await
        .json()
        .await
        .unwrap();
    let ids: Vec<i64> = ids["Ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_i64().unwrap())
        .collect();
    assert_eq!(ids.len(), 2);
    let types = sb.json("/locations/v2/types").await;
    let names: Vec<&str> = types["Data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["Name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Default", "Planting", "Packing"]);
    let active = sb.json("/locations/v2/active").await;
    assert_eq!(active["Total"], 2);
    let harvest = &active["Data"][0];
    assert_eq!(harvest["Name"], "Harvest Location");
    assert_eq!(harvest["LocationTypeName"], "Default");
    assert_eq!(harvest["ForPackages"], true);
    assert_eq!(active["Data"][1]["ForPackages"], false);

    // The example's update with this facility's ids.
    let mut update = example("Locations", "Update");
    update[0]["Id"] = json!(ids[0]);
    update[1]["Id"] = json!(ids[1]);
    sb.ok(Method::PUT, "/locations/v2/", update).await;
    let one = sb.json(&format!("/locations/v2/{}", ids[0])).await;
    assert_eq!(one["Name"], "Harvesting Location");

    // Refusals name the row and the field; nothing of the request applies.
    let bad = sb
        .send(
            Method::POST,
            "/locations/v2/",
            &json!([
                {"Name": "Vault", "LocationTypeName": "Default"},
                {"Name": "Harvesting Location", "LocationTypeName": "Default"},
                {"Name": "Back room", "LocationTypeName": "Cellar"},
                {"Name": " ", "LocationTypeName": "Default"}
            ]),
        )
        .await;
    let found = rows(bad).await;
    assert_eq!(
        found,
        [
            "1: Location Harvesting Location already exists.",
            "2: Location Type Cellar not found.",
            "3: Name is required.",
        ]
    );
    assert_eq!(sb.json("/locations/v2/active").await["Total"], 2);
}

// [POSTMAN] v2/Packages ChangeLocations (`Label`, `Location`, `Sublocation`, `MoveDate`); [DOC]
// Locations/co/delete_locations_v2_id.html. The sandbox's facilities use no sublocations, so the
// example's own rows are refused by their sublocation until it is left out.
#[tokio::test]
async fn packages_move_between_locations_that_hold_packages_and_show_where_they_are() {
    let sb = spawn_sandbox().await;
    sb.ok(
        Method::POST,
        "/locations/v2/",
        json!([
            {"Name": "Back Location", "LocationTypeName": "Default"},
            {"Name": "Storage Closet", "LocationTypeName": "Packing"},
            {"Name": "Clone Room", "LocationTypeName": "Planting"}
        ]),
    )
    .await;
    let example_rows = sb
        .send(
            Method::PUT,
            "/packages/v2/location",
            &example("Packages", "ChangeLocations"),
        )
        .await;
    assert_eq!(
        rows(example_rows).await,
        [
            "0: Sublocation Back Sublocation not found.",
            "1: Sublocation Shelf 2 not found.",
        ]
    );
    let mut moves = example("Packages", "ChangeLocations");
    for m in moves.as_array_mut().unwrap() {
        m["Sublocation"] = Value::Null;
    }
    sb.ok(Method::PUT, "/packages/v2/location", moves).await;
    let p = package(&sb, "ABCDEF012345670000010041").await;
    assert_eq!(p["LocationName"], "Back Location");
    assert_eq!(p["LocationTypeName"], "Default");
    assert_eq!(
        package(&sb, "ABCDEF012345670000010042").await["LocationName"],
        "Storage Closet"
    );

    let bad = sb
        .send(
            Method::PUT,
            "/packages/v2/location",
            &json!([
                {"Label": "ABCDEF012345670000010043", "Location": "Storage Closet", "Sublocation": null, "MoveDate": "2026-12-04"},
                {"Label": "ABCDEF012345670000010044", "Location": "Clone Room", "Sublocation": null, "MoveDate": "2026-12-04"},
                {"Label": "ABCDEF012345670000099999", "Location": "Attic", "Sublocation": null, "MoveDate": "2026-12-04"}
            ]),
        )
        .await;
    assert_eq!(
        rows(bad).await,
        [
            "1: Location Clone Room cannot hold packages.",
            "2: Package ABCDEF012345670000099999 not found.",
            "2: Location Attic not found.",
        ]
    );
    assert_eq!(
        package(&sb, "ABCDEF012345670000010043").await["LocationName"],
        Value::Null,
        "a refused request moves nothing"
    );

    // Renaming a location shows on what it holds; it cannot be archived while it holds any.
    let active = sb.json("/locations/v2/active").await;
    let back = active["Data"][0]["Id"].as_i64().unwrap();
    sb.ok(
        Method::PUT,
        "/locations/v2/",
        json!([{"Id": back, "Name": "Vault", "LocationTypeName": "Default"}]),
    )
    .await;
    assert_eq!(
        package(&sb, "ABCDEF012345670000010041").await["LocationName"],
        "Vault"
    );
    let res = sb
        .send(
            Method::DELETE,
            &format!("/locations/v2/{back}"),
            &json!(null),
        )
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let clone_room = active["Data"][2]["Id"].as_i64().unwrap();
    let res = sb
        .send(
            Method::DELETE,
            &format!("/locations/v2/{clone_room}"),
            &json!(null),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(sb.json("/locations/v2/inactive").await["Total"], 1);
    assert_eq!(sb.json("/locations/v2/active").await["Total"], 2);

    // A new package may be put in a location when it is made.
    let mut first = example("Packages", "Create")[0].clone();
    first["Location"] = json!("Vault");
    sb.ok(Method::POST, "/packages/v2/", json!([first])).await;
    assert_eq!(
        package(&sb, "ABCDEF012345670000020201").await["LocationName"],
        "Vault"
    );
}

// [POSTMAN] v2/Packages ChangeNote: a note set, and an empty one clearing it.
#[tokio::test]
async fn package_notes_are_set_and_cleared() {
    let sb = spawn_sandbox().await;
    sb.ok(
        Method::PUT,
        "/packages/v2/note",
        json!([{"PackageLabel": "ABCDEF012345670000010042", "Note": "Recount Friday"}]),
    )
    .await;
    assert_eq!(
        package(&sb, "ABCDEF012345670000010042").await["Note"],
        "Recount Friday"
    );
    sb.ok(
        Method::PUT,
        "/packages/v2/note",
        example("Packages", "ChangeNote"),
    )
    .await;
    assert_eq!(
        package(&sb, "ABCDEF012345670000010041").await["Note"],
        "Package note here."
    );
    assert_eq!(
        package(&sb, "ABCDEF012345670000010042").await["Note"],
        Value::Null
    );
    let bad = sb
        .send(
            Method::PUT,
            "/packages/v2/note",
            &json!([{"PackageLabel": "NOPE", "Note": "x"}]),
        )
        .await;
    assert_eq!(rows(bad).await, ["0: Package NOPE not found."]);
}

// [POSTMAN] v2/Items Create (its first row, "Buds Item"); [DOC] Items/co/get_items_v2_categories
// .html (what a category requires) and get_items_v2_id.html; an item's packages show the item as
// it now is, and an archived item makes no new package.
#[tokio::test]
async fn items_are_created_to_their_categorys_requirements_changed_and_archived() {
    let sb = spawn_sandbox().await;
    let buds_item = example("Items", "Create")[0].clone();
    let ids: Value = sb
        .ok(Method::POST, "/items/v2/", json!([buds_item]))
        .await
        .json()
        .await
        .unwrap();
    let id = ids["Ids"][0].as_i64().unwrap();
    let item = sb.json(&format!("/items/v2/{id}")).await;
    assert_eq!(item["Name"], "Buds Item");
    assert_eq!(item["ProductCategoryName"], "Buds");
    assert_eq!(item["QuantityType"], "WeightBased");
    assert_eq!(item["StrainName"], "Spring Hill Kush");

    let bad = sb
        .send(
            Method::POST,
            "/items/v2/",
            &json!([
                {"ItemCategory": "Buds", "Name": "No strain", "UnitOfMeasure": "Grams"},
                {"ItemCategory": "Buds", "Name": "Counted buds", "UnitOfMeasure": "Each", "Strain": "OG"},
                {"ItemCategory": "Vape Cartridge", "Name": "Cart", "UnitOfMeasure": "Each"},
                {"ItemCategory": "Infused Beverage", "Name": "Soda", "UnitOfMeasure": "Each", "UnitVolume": 355, "UnitVolumeUnitOfMeasure": "Grams", "UnitThcContent": 10, "UnitThcContentUnitOfMeasure": "Milligrams"},
                {"ItemCategory": "Tinctures", "Name": "Drops", "UnitOfMeasure": "Each"},
                {"ItemCategory": "Buds", "Name": "Buds Item", "UnitOfMeasure": "Grams", "Strain": "OG"}
            ]),
        )
        .await;
    assert_eq!(
        rows(bad).await,
        [
            "0: Strain is required for Buds.",
            "1: Unit of Measure Each cannot be used with Item Category Buds (WeightBased).",
            "2: Unit Weight is required for Vape Cartridge.",
            "3: Unit Volume Unit of Measure Grams is not a VolumeBased unit.",
            "4: Item Category Tinctures not found.",
            "5: Item Buds Item already exists.",
        ]
    );
    let cart = json!([{"ItemCategory": "Vape Cartridge", "Name": "Cart 0.5 g", "UnitOfMeasure": "Each",
        "UnitWeight": 0.5, "UnitWeightUnitOfMeasure": "Grams"}]);
    sb.ok(Method::POST, "/items/v2/", cart).await;
    assert_eq!(sb.json("/items/v2/active").await["Total"], 3);

    // Renamed: the packages of the item show its new name.
    let seeded = sb.json("/items/v2/active").await["Data"][0].clone();
    let seeded_id = seeded["Id"].as_i64().unwrap();
    sb.ok(
        Method::PUT,
        "/items/v2/",
        json!([{"Id": seeded_id, "ItemCategory": "Buds", "Name": "Buds (house)", "UnitOfMeasure": "Ounces", "Strain": "House"}]),
    )
    .await;
    assert_eq!(
        package(&sb, "ABCDEF012345670000010041").await["Item"]["Name"],
        "Buds (house)"
    );

    // Archived: inactive, and no new package of it.
    let res = sb
        .send(Method::DELETE, &format!("/items/v2/{id}"), &json!(null))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(sb.json("/items/v2/inactive").await["Total"], 1);
    let mut create = example("Packages", "Create");
    create[0]["Item"] = json!("Buds Item");
    create[0]["UseSameItem"] = json!(false);
    let refused = sb.send(Method::POST, "/packages/v2/", &create).await;
    assert!(rows(refused)
        .await
        .contains(&"0: Item Buds Item not found.".to_owned()));
}
