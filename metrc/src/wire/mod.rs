//! Metrc v2's requests and responses as its documentation shows them: PascalCase JSON, numbers
//! for quantities and money (read exactly, see [`crate::number`]), arrays of at most
//! [`MAX_OBJECTS`] per write and pages of at most [`MAX_PAGE_SIZE`].

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::number;

mod catalog;
mod locations;
mod retail_id;

pub use catalog::{ItemBody, ItemCategory, ItemRecord};
pub use locations::{Location, LocationBody, LocationType, MovePackage, PackageNote};
pub use retail_id::{RetailIdAllotment, RetailIdAssociation, RetailIdEaches};

/// Most objects Metrc accepts in one write.
pub const MAX_OBJECTS: usize = 10;
/// Largest page Metrc serves.
pub const MAX_PAGE_SIZE: usize = 20;

/// Metrc's permission names, as its documentation lists them per endpoint.
pub mod perm {
    /// GET packages.
    pub const VIEW_PACKAGES: &str = "View Packages";
    /// POST /packages/v2/.
    pub const CREATE_PACKAGES: &str = "Create/Submit/Discontinue Packages";
    /// Adjust, finish, unfinish.
    pub const MANAGE_INVENTORY: &str = "Manage Packages Inventory";
    /// GET receipts.
    pub const VIEW_SALES: &str = "View Sales";
    /// Write receipts.
    pub const MANAGE_SALES: &str = "Manage Sales";
    /// Available tags.
    pub const MANAGE_TAGS: &str = "Manage Tags";
    /// Items.
    pub const MANAGE_ITEMS: &str = "Manage Items";
    /// Incoming transfers and their deliveries.
    pub const VIEW_TRANSFERS: &str = "View Transfers";
    /// Locations and their types.
    pub const MANAGE_LOCATIONS: &str = "Manage Locations";
    /// `PUT /packages/v2/note`.
    pub const MANAGE_PACKAGE_NOTES: &str = "Manage Package Notes";
    /// Retail ID codes.
    pub const MANAGE_RETAIL_ID: &str = "Manage RetailId";
    /// Every permission.
    pub const ALL: [&str; 11] = [
        VIEW_PACKAGES,
        CREATE_PACKAGES,
        MANAGE_INVENTORY,
        VIEW_SALES,
        MANAGE_SALES,
        MANAGE_TAGS,
        MANAGE_ITEMS,
        VIEW_TRANSFERS,
        MANAGE_LOCATIONS,
        MANAGE_PACKAGE_NOTES,
        MANAGE_RETAIL_ID,
    ];
}

/// A validation refusal: Metrc's `{"row": n, "message": "..."}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RowError {
    /// Index into the submitted array.
    pub row: usize,
    /// What is wrong.
    pub message: String,
}

// ---- Requests ----

/// Body element of `POST /packages/v2/`.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreatePackage {
    /// New tag.
    pub tag: String,
    /// Item name (ignored with UseSameItem).
    pub item: Option<String>,
    /// Quantity of the new package.
    #[serde(with = "number")]
    pub quantity: Decimal,
    /// Its unit.
    pub unit_of_measure: String,
    /// Take the item from the first ingredient.
    #[serde(default)]
    pub use_same_item: bool,
    /// Date of the change.
    pub actual_date: NaiveDate,
    /// Note.
    #[serde(default)]
    pub note: Option<String>,
    /// The location it is put in, where the facility uses locations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// Source packages and how much each gives.
    pub ingredients: Vec<Ingredient>,
}

/// A source of a new package.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Ingredient {
    /// Source tag.
    pub package: String,
    /// Taken from it.
    #[serde(with = "number")]
    pub quantity: Decimal,
    /// Unit.
    pub unit_of_measure: String,
}

/// Body element of `POST /packages/v2/adjust`.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AdjustPackage {
    /// Tag.
    pub label: String,
    /// Signed delta.
    #[serde(with = "number")]
    pub quantity: Decimal,
    /// Unit.
    pub unit_of_measure: String,
    /// Reason name.
    pub adjustment_reason: String,
    /// Date.
    pub adjustment_date: NaiveDate,
    /// Note.
    pub reason_note: Option<String>,
}

/// Body element of finish / unfinish.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct FinishPackage {
    /// Tag.
    pub label: String,
    /// Date (finish only).
    pub actual_date: Option<NaiveDate>,
}

/// Body element of `POST`/`PUT /sales/v2/receipts`.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ReceiptBody {
    /// Receipt id (PUT only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
    /// Facility-local time.
    pub sales_date_time: NaiveDateTime,
    /// The store's own number.
    pub external_receipt_number: Option<String>,
    /// Customer type: "Consumer" for adult use, "Patient" for a medical sale.
    pub sales_customer_type: String,
    /// The patient's registration number, on a medical sale (sent as null otherwise, as Metrc's
    /// own example does).
    #[serde(default)]
    pub patient_license_number: Option<String>,
    /// Lines.
    pub transactions: Vec<TransactionBody>,
}

/// A posted sale line.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TransactionBody {
    /// Package sold from.
    pub package_label: String,
    /// Quantity.
    #[serde(with = "number")]
    pub quantity: Decimal,
    /// Unit.
    pub unit_of_measure: String,
    /// Line price.
    #[serde(with = "number")]
    pub total_amount: Decimal,
}

// ---- Responses ----

/// Ids answered by a v2 create.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Ids {
    /// Ids, in submission order.
    pub ids: Vec<i64>,
    /// Warnings Metrc may add; usually null.
    #[serde(default)]
    pub warnings: Option<Vec<String>>,
}

/// Metrc's v2 list envelope.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Page<T> {
    /// The page's records.
    pub data: Vec<T>,
    /// All records.
    #[serde(default)]
    pub total: usize,
    /// All records.
    #[serde(default)]
    pub total_records: usize,
    /// Page size.
    #[serde(default)]
    pub page_size: usize,
    /// Records on this page.
    #[serde(default)]
    pub records_on_page: usize,
    /// Page number, from 1.
    #[serde(default)]
    pub page: usize,
    /// Page number, from 1.
    #[serde(default)]
    pub current_page: usize,
    /// Number of pages.
    pub total_pages: usize,
}

/// An adjustment reason as Metrc lists it for a facility.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AdjustReasonInfo {
    /// The name an adjustment sends as `AdjustmentReason`.
    pub name: String,
    /// Whether an adjustment for it must carry a note.
    #[serde(default)]
    pub requires_note: bool,
}

/// A package tag the facility may still use.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Tag {
    /// Id.
    #[serde(default)]
    pub id: i64,
    /// "Package".
    #[serde(default)]
    pub tag_inventory_type_name: String,
    /// The tag itself.
    pub label: String,
}

/// A package as the client reads it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Package {
    /// Id.
    pub id: i64,
    /// Tag.
    pub label: String,
    /// Quantity.
    #[serde(with = "number")]
    pub quantity: Decimal,
    /// Unit.
    pub unit_of_measure_name: String,
    /// Finished.
    pub is_finished: bool,
    /// The item it is of, as Metrc nests it.
    #[serde(default)]
    pub item: Option<Item>,
    /// The manifest it arrived on, if it was received.
    #[serde(default)]
    pub received_from_manifest_number: Option<String>,
    /// The packages it was made from, comma-separated, when it was made from others.
    #[serde(default)]
    pub source_package_labels: Option<String>,
    /// The facility location it is in, where the facility uses locations.
    #[serde(default)]
    pub location_name: Option<String>,
    /// Its note.
    #[serde(default)]
    pub note: Option<String>,
}

impl Package {
    /// The labels of the packages it was made from.
    pub fn sources(&self) -> impl Iterator<Item = &str> {
        self.source_package_labels
            .as_deref()
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
    }
}

/// The item fields of a package that reconciliation compares with the product's mapping.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Item {
    /// Item name.
    pub name: String,
    /// Item category.
    #[serde(default)]
    pub product_category_name: String,
    /// Unit weight, for count-based items that need one.
    #[serde(with = "number::option", default)]
    pub unit_weight: Option<Decimal>,
    /// Its unit.
    #[serde(default)]
    pub unit_weight_unit_of_measure_name: Option<String>,
}

/// A sale line as a receipt shows it.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Transaction {
    /// Package sold from.
    pub package_label: String,
    /// Quantity.
    #[serde(with = "number")]
    pub quantity: Decimal,
    /// Unit.
    pub unit_of_measure: String,
    /// Price of the line.
    #[serde(with = "number")]
    pub total_amount: Decimal,
}

/// A receipt as the client reads it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Receipt {
    /// Id.
    pub id: i64,
    /// Our receipt id.
    pub external_receipt_number: Option<String>,
    /// Facility-local time.
    pub sales_date_time: NaiveDateTime,
    /// Customer type.
    pub sales_customer_type: String,
    /// The patient's registration number, on a medical sale.
    #[serde(default)]
    pub patient_license_number: Option<String>,
    /// Lines.
    pub transactions: Vec<Transaction>,
    /// Finalized: Metrc takes no more changes to it, and lists it with the inactive receipts.
    #[serde(default)]
    pub is_final: bool,
    /// Archived (voided) when set.
    #[serde(default)]
    pub archived_date: Option<DateTime<FixedOffset>>,
    /// Who recorded it: the user whose key sent it.
    #[serde(default)]
    pub recorded_by_user_name: Option<String>,
}

/// Body element of `PUT /sales/v2/receipts/finalize` and `/unfinalize`.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ReceiptId {
    /// The receipt's id.
    pub id: i64,
}

/// A manifest on its way to this facility, as Metrc lists it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct IncomingTransfer {
    /// Transfer id.
    pub id: i64,
    /// The manifest number.
    pub manifest_number: String,
    /// Its delivery to us.
    pub delivery_id: i64,
    /// Who ships it.
    pub shipper_facility_name: Option<String>,
}

/// A transfer leaving this facility, as `GET /transfers/v2/outgoing` lists it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct OutgoingTransfer {
    /// Transfer id.
    pub id: i64,
    /// The manifest number.
    pub manifest_number: String,
    /// Its delivery.
    pub delivery_id: i64,
    /// Who receives it.
    #[serde(default)]
    pub recipient_facility_license_number: Option<String>,
    /// Their name.
    #[serde(default)]
    pub recipient_facility_name: Option<String>,
    /// Packages on it.
    #[serde(default)]
    pub package_count: usize,
    /// Voided.
    #[serde(default)]
    pub is_voided: bool,
}

/// A package on an incoming delivery.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeliveryPackage {
    /// Its tag.
    pub package_label: String,
    /// The regulator item.
    pub item_name: String,
    /// Quantity shipped.
    #[serde(with = "number")]
    pub shipped_quantity: Decimal,
    /// Unit shipped.
    pub shipped_unit_of_measure_name: String,
    /// When it was packaged.
    pub packaged_date: Option<NaiveDate>,
    /// "TestPassed", "TestFailed", "NotSubmitted", ...
    pub lab_testing_state: Option<String>,
}
