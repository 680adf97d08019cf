//! The sandbox's records as Metrc keeps them: keys, items, packages, adjustments and sales
//! receipts of every facility, and the whole state they make.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use metrc::{
    number,
    wire::{RowError, Transaction},
};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

pub(crate) fn row(row: usize, message: impl Into<String>) -> RowError {
    RowError {
        row,
        message: message.into(),
    }
}

/// A user key and what it may do.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct UserKey {
    /// The key.
    pub key: String,
    /// Licences it can act for.
    pub licenses: Vec<String>,
    /// Permissions it holds.
    pub permissions: HashSet<String>,
    /// When it stops working.
    pub expires_at: Option<DateTime<Utc>>,
    /// Revoked by its owner.
    pub revoked: bool,
}

/// An item (what a package contains).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Item {
    /// Id.
    pub id: i64,
    /// Facility licence.
    #[serde(skip)]
    pub license: String,
    /// Name.
    pub name: String,
    /// Category name.
    pub product_category_name: String,
    /// `WeightBased`, `CountBased` or `VolumeBased`.
    pub quantity_type: String,
    /// Unit of measure name.
    pub unit_of_measure_name: String,
    /// Unit weight for count-based items.
    #[serde(with = "number::option", default)]
    pub unit_weight: Option<Decimal>,
    /// Its unit.
    pub unit_weight_unit_of_measure_name: Option<String>,
    /// Always "Approved" here.
    pub approval_status: String,
}

/// A package as Metrc keeps it (the fields this sandbox tracks).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Package {
    /// Id.
    pub id: i64,
    /// Tag.
    pub label: String,
    /// Facility licence.
    #[serde(skip)]
    pub license: String,
    /// Always "Product".
    pub package_type: String,
    /// Current quantity.
    #[serde(with = "number")]
    pub quantity: Decimal,
    /// Quantity when the package was made or received.
    #[serde(with = "number")]
    pub original_package_quantity: Decimal,
    /// Unit name.
    pub unit_of_measure_name: String,
    /// Packaged.
    pub packaged_date: NaiveDate,
    /// Finished (inactive) when set.
    pub finished_date: Option<NaiveDate>,
    /// Whether finished.
    pub is_finished: bool,
    /// Discontinued when set.
    pub archived_date: Option<DateTime<Utc>>,
    /// Manifest it arrived on.
    pub received_from_manifest_number: Option<String>,
    /// Labels of source packages.
    pub source_package_labels: String,
    /// Lab testing state.
    pub lab_testing_state: String,
    /// Note.
    pub note: Option<String>,
    /// Last change.
    pub last_modified: DateTime<Utc>,
    /// The item.
    pub item: Item,
}

/// One adjustment as recorded.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Adjustment {
    /// Id.
    pub id: i64,
    /// Package label.
    pub package_label: String,
    /// Signed delta.
    #[serde(with = "number")]
    pub adjustment_quantity: Decimal,
    /// Unit.
    pub adjustment_unit_of_measure_name: String,
    /// Reason.
    pub adjustment_reason_name: String,
    /// Note.
    pub adjustment_note: Option<String>,
    /// Date.
    pub adjustment_date: NaiveDate,
}

/// A sales receipt.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Receipt {
    /// Id.
    pub id: i64,
    /// Metrc's receipt number.
    pub receipt_number: String,
    /// The store's own number; how a retry finds out whether a sale was recorded.
    pub external_receipt_number: Option<String>,
    /// Facility-local time of sale, no zone.
    pub sales_date_time: NaiveDateTime,
    /// Customer type.
    pub sales_customer_type: String,
    /// The patient's registration number, on a medical sale.
    #[serde(default)]
    pub patient_license_number: Option<String>,
    /// Lines.
    pub transactions: Vec<Transaction>,
    /// Number of lines.
    pub total_packages: usize,
    /// Sum of lines.
    #[serde(with = "number")]
    pub total_price: Decimal,
    /// Archived (voided) when set.
    pub archived_date: Option<DateTime<Utc>>,
    /// Last change.
    pub last_modified: DateTime<Utc>,
    /// Facility licence.
    #[serde(skip)]
    pub license: String,
}

/// The regulator's whole state.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Sandbox {
    /// Licence -> facility name.
    pub facilities: BTreeMap<String, String>,
    /// Vendor (integrator) keys.
    pub vendor_keys: HashSet<String>,
    /// User keys by key.
    pub user_keys: HashMap<String, UserKey>,
    /// Items.
    pub items: Vec<Item>,
    /// Available (unused) package tags per licence.
    pub available_tags: BTreeMap<String, Vec<String>>,
    /// Packages.
    pub packages: Vec<Package>,
    /// Adjustments.
    pub adjustments: Vec<Adjustment>,
    /// Receipts.
    pub receipts: Vec<Receipt>,
    /// A facility's own adjustment reasons, where set (Metrc's list differs by state); the
    /// others use `ADJUST_REASONS`.
    #[serde(default)]
    pub adjust_reasons: BTreeMap<String, Vec<AdjustReasonDef>>,
    /// Last id handed out.
    pub last_id: i64,
}

/// One adjustment reason as Metrc lists it for a facility.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdjustReasonDef {
    /// The name sent as `AdjustmentReason`.
    pub name: String,
    /// Whether an adjustment for it must carry a note.
    pub requires_note: bool,
}

impl Sandbox {
    /// The adjustment reasons `license` may use.
    pub fn reasons(&self, license: &str) -> Vec<AdjustReasonDef> {
        match self.adjust_reasons.get(license) {
            Some(own) => own.clone(),
            None => ADJUST_REASONS
                .iter()
                .map(|(name, requires_note)| AdjustReasonDef {
                    name: (*name).into(),
                    requires_note: *requires_note,
                })
                .collect(),
        }
    }
}

/// Adjustment reasons a facility has unless given its own, with whether each needs a note.
pub const ADJUST_REASONS: [(&str, bool); 9] = [
    ("Drying", false),
    ("Entry Error", true),
    ("Scale Variance", false),
    ("Sample", true),
    ("Quality Assurance Testing", false),
    ("Waste (Unusable Product)", false),
    ("Theft", true),
    ("Inventory Audit", false),
    ("Other", true),
];
