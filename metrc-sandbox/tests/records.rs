//! Conformance of the sandbox's records: the fields Metrc's documentation shows on item
//! categories, available tags, sales receipts (with finalization and who recorded them),
//! incoming transfers and the adjustment history.
//!
//! Sources, cited per test:
//! - [DOC] Metrc's v2 documentation pages (Colorado), as scraped in OcelliSolutions/OpenMetrc
//!   (`src/OpenMetrc.Scraper/Reference/<Group>/co/<route>.html`).
//! - [BRUNO] Metrc's documented examples as collected in thunkier/ThunkMetrc
//!   (`specs/generated/bruno/<Group>/<Name>.bru`).
//! - [BULLETIN] Metrc's bulletins as summarised in the shared regulator notes: inactive receipts
//!   are the finalized or voided ones.

mod common;

use common::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

/// Every documented field is present on `record`.
fn has_fields(record: &Value, fields: &[&str], what: &str) {
    let missing: Vec<&&str> = fields
        .iter()
        .filter(|f| record.get(**f).is_none())
        .collect();
    assert!(missing.is_empty(), "{what} lacks {missing:?}: {record}");
}

// [DOC] Items/co/get_items_v2_categories.html, the example's fields.
#[tokio::test]
async fn item_categories_carry_every_documented_requirement() {
    let sb = spawn_sandbox().await;
    let page = sb.json("/items/v2/categories").await;
    let fields = [
        "Name",
        "ProductCategoryType",
        "QuantityType",
        "RequiresStrain",
        "RequiresItemBrand",
        "RequiresAdministrationMethod",
        "RequiresUnitCbdPercent",
        "RequiresUnitCbdContent",
        "RequiresUnitCbdContentDose",
        "RequiresUnitThcPercent",
        "RequiresUnitThcContent",
        "RequiresUnitThcContentDose",
        "RequiresUnitVolume",
        "RequiresUnitWeight",
        "RequiresServingSize",
        "RequiresSupplyDurationDays",
        "RequiresNumberOfDoses",
        "RequiresPublicIngredients",
        "RequiresDescription",
        "RequiresAllergens",
        "RequiresProductPhotos",
        "RequiresProductPhotoDescription",
        "RequiresLabelPhotos",
        "RequiresLabelPhotoDescription",
        "RequiresPackagingPhotos",
        "RequiresPackagingPhotoDescription",
        "CanContainSeeds",
        "CanBeRemediated",
        "CanBeDestroyed",
        "RequiresProductPDFDocuments",
        "LabTestBatchNames",
    ];
    for c in page["Data"].as_array().unwrap() {
        has_fields(c, &fields, "a category");
    }
    let buds = page["Data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["Name"] == "Buds")
        .unwrap();
    // The documentation's own Buds row requires a strain.
    assert_eq!(buds["RequiresStrain"], true);
    assert_eq!(buds["QuantityType"], "WeightBased");
}

// [DOC] Tags/co/get_tags_v2_package_available.html: a plain array with these fields.
#[tokio::test]
async fn available_tags_carry_the_documented_fields() {
    let sb = spawn_sandbox().await;
    let tags = sb.json("/tags/v2/package/available").await;
    let first = &tags.as_array().unwrap()[0];
    has_fields(
        first,
        &[
            "Id",
            "GroupTagTypeName",
            "TagTypeName",
            "GroupTagTypeId",
            "TagTypeId",
            "TagInventoryTypeName",
            "MaxGroupSize",
            "FacilityId",
            "Label",
        ],
        "a tag",
    );
}

// [DOC] Sales/co/get_sales_v2_receipts_id.html (fields), put_sales_v2_receipts_finalize.html
// (body `[{"Id": 1}]`, no response); [BULLETIN] a finalized receipt lists as inactive. That a
// finalized receipt refuses changes until unfinalized is what finalizing means; Metrc's wording
// of the refusal is not published.
#[tokio::test]
async fn a_receipt_shows_who_recorded_it_and_once_finalized_takes_no_change_until_unfinalized() {
    let sb = spawn_sandbox().await;
    let r = sb
        .admin(
            Method::POST,
            "/sandbox/v2/keys",
            json!({"user_key": "budtender-key", "licenses": [LICENSE], "user_name": "Ada Budtender"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let res = sb
        .client
        .post(sb.at("/sales/v2/receipts"))
        .basic_auth(VENDOR, Some("budtender-key"))
        .json(&example("Sales", "RecordReceipts"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let receipt = sb.json("/sales/v2/receipts/external/ABC-1234").await;
    has_fields(
        &receipt,
        &[
            "Id",
            "ReceiptNumber",
            "ExternalReceiptNumber",
            "SalesDateTime",
            "SalesCustomerType",
            "PatientLicenseNumber",
            "TotalPackages",
            "TotalPrice",
            "Transactions",
            "IsFinal",
            "ArchivedDate",
            "RecordedDateTime",
            "RecordedByUserName",
            "LastModified",
        ],
        "a receipt",
    );
    assert_eq!(receipt["RecordedByUserName"], "Ada Budtender");
    assert_eq!(receipt["IsFinal"], false);
    let id = receipt["Id"].as_i64().unwrap();

    sb.ok(
        Method::PUT,
        "/sales/v2/receipts/finalize",
        json!([{"Id": id}]),
    )
    .await;
    assert_eq!(sb.json("/sales/v2/receipts/active").await["Total"], 0);
    let inactive = sb.json("/sales/v2/receipts/inactive").await;
    assert_eq!(inactive["Total"], 1);
    assert_eq!(inactive["Data"][0]["IsFinal"], true);
    // Still found by the store's number: a retry's read-back must see it.
    assert_eq!(
        sb.json("/sales/v2/receipts/external/ABC-1234").await["IsFinal"],
        true
    );
    let mut change = example("Sales", "RecordReceipts");
    change[0]["Id"] = json!(id);
    let res = sb.send(Method::PUT, "/sales/v2/receipts", &change).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let rows: Value = res.json().await.unwrap();
    assert!(rows[0]["message"].as_str().unwrap().contains("finalized"));
    let res = sb
        .send(
            Method::DELETE,
            &format!("/sales/v2/receipts/{id}"),
            &json!(null),
        )
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);

    sb.ok(
        Method::PUT,
        "/sales/v2/receipts/unfinalize",
        json!([{"Id": id}]),
    )
    .await;
    assert_eq!(sb.json("/sales/v2/receipts/active").await["Total"], 1);
    let res = sb
        .send(
            Method::DELETE,
            &format!("/sales/v2/receipts/{id}"),
            &json!(null),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    // An unknown receipt is refused by row, and nothing of the request applies.
    let res = sb
        .send(
            Method::PUT,
            "/sales/v2/receipts/finalize",
            &json!([{"Id": id}, {"Id": 999_999}]),
        )
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let rows: Value = res.json().await.unwrap();
    assert_eq!(rows.as_array().unwrap().len(), 2, "{rows}");
}

// [DOC] Transfers/co/get_transfers_v2_incoming.html, the example's fields.
#[tokio::test]
async fn incoming_transfers_carry_the_documented_fields() {
    let sb = spawn_sandbox().await;
    let page = sb.json("/transfers/v2/incoming").await;
    let t = &page["Data"][0];
    has_fields(
        t,
        &[
            "Id",
            "ManifestNumber",
            "InvoiceNumber",
            "ShipmentLicenseType",
            "ShipperFacilityLicenseNumber",
            "ShipperFacilityName",
            "Name",
            "TransporterFacilityLicenseNumber",
            "TransporterFacilityName",
            "DriverName",
            "DriverOccupationalLicenseNumber",
            "DriverVehicleLicenseNumber",
            "VehicleMake",
            "VehicleModel",
            "VehicleLicensePlateNumber",
            "DeliveryCount",
            "ReceivedDeliveryCount",
            "PackageCount",
            "ReceivedPackageCount",
            "ContainsPlantPackage",
            "ContainsProductPackage",
            "ContainsTradeSample",
            "ContainsDonation",
            "ContainsTestingSample",
            "ContainsProductRequiresRemediation",
            "ContainsRemediatedProductPackage",
            "IsVoided",
            "CreatedDateTime",
            "CreatedByUserName",
            "LastModified",
            "DeliveryId",
            "RecipientFacilityLicenseNumber",
            "RecipientFacilityName",
            "ShipmentTypeName",
            "ShipmentTransactionType",
            "EstimatedDepartureDateTime",
            "ActualDepartureDateTime",
            "EstimatedArrivalDateTime",
            "ActualArrivalDateTime",
            "DeliveryPackageCount",
            "DeliveryReceivedPackageCount",
            "ReceivedDateTime",
        ],
        "an incoming transfer",
    );
    assert_eq!(t["ManifestNumber"], "0000000001");
    assert_eq!(t["PackageCount"], 6);
    assert_eq!(t["RecipientFacilityName"], "Pistil Test Dispensary");
}

// [BRUNO] Packages/GetAdjustments.bru: the facility's adjustments with who made them.
#[tokio::test]
async fn the_adjustment_history_lists_each_adjustment_with_its_package_item_and_who() {
    let sb = spawn_sandbox().await;
    sb.ok(
        Method::POST,
        "/packages/v2/adjust",
        example("Packages", "Adjust"),
    )
    .await;
    let page = sb.json("/packages/v2/adjustments").await;
    assert_eq!(page["Total"], 2);
    let a = &page["Data"][0];
    has_fields(
        a,
        &[
            "PackageId",
            "PackageLabel",
            "ItemName",
            "ItemCategoryName",
            "AdjustmentQuantity",
            "AdjustmentUnitOfMeasureName",
            "AdjustmentUnitOfMeasureAbbreviation",
            "AdjustmentReasonName",
            "AdjustmentNote",
            "AdjustmentDate",
            "PackagedDate",
            "AdjustedByUserName",
        ],
        "an adjustment",
    );
    assert_eq!(a["PackageLabel"], "ABCDEF012345670000010041");
    assert_eq!(a["AdjustmentQuantity"], -2.0);
    assert_eq!(a["AdjustmentUnitOfMeasureAbbreviation"], "oz");
    assert_eq!(a["AdjustedByUserName"], "Sandbox User");
    assert_eq!(a["ItemName"], "Buds");
}

// ../shared/regulator/reference/GetFacilities.bru (Metrc's documented example): a facility's
// fields and its type's flags; the sandbox's facility assigns locations to packages once it has a
// location that can hold them.
#[tokio::test]
async fn a_facility_carries_the_documented_fields_and_says_whether_it_uses_locations() {
    let sb = spawn_sandbox().await;
    let get = || async {
        let res = sb
            .client
            .get(format!("{}/facilities/v2/", sb.url))
            .basic_auth(VENDOR, Some(USER))
            .send()
            .await
            .unwrap();
        res.json::<Value>().await.unwrap()[0].clone()
    };
    let f = get().await;
    has_fields(
        &f,
        &[
            "FacilityId",
            "HireDate",
            "IsOwner",
            "IsManager",
            "IsFinancialContact",
            "Email",
            "Occupations",
            "Name",
            "Alias",
            "DisplayName",
            "CredentialedDate",
            "SupportActivationDate",
            "SupportExpirationDate",
            "FacilityType",
            "License",
        ],
        "a facility",
    );
    has_fields(
        &f["License"],
        &[
            "Number",
            "EmployeeLicenseNumber",
            "StartDate",
            "EndDate",
            "LicenseType",
        ],
        "a licence",
    );
    assert_eq!(f["FacilityType"]["IsRetail"], true);
    assert_eq!(f["FacilityType"]["CanAssignLocationsToPackages"], false);
    sb.ok(
        Method::POST,
        "/locations/v2/",
        json!([{"Name": "Vault", "LocationTypeName": "Default"}]),
    )
    .await;
    assert_eq!(
        get().await["FacilityType"]["CanAssignLocationsToPackages"],
        true
    );
}
