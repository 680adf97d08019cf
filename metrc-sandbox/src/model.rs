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
    /// The person the key belongs to, as receipts and adjustments name who recorded them.
    #[serde(default = "default_user_name")]
    pub user_name: String,
}

fn default_user_name() -> String {
    "Sandbox User".into()
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
    /// Category type ("Buds", "InfusedEdible", ...).
    #[serde(default)]
    pub product_category_type: String,
    /// Strain, where the category needs one.
    #[serde(default)]
    pub strain_name: Option<String>,
    /// THC per unit.
    #[serde(with = "number::option", default)]
    pub unit_thc_content: Option<Decimal>,
    /// Its unit.
    #[serde(default)]
    pub unit_thc_content_unit_of_measure_name: Option<String>,
    /// Volume per unit.
    #[serde(with = "number::option", default)]
    pub unit_volume: Option<Decimal>,
    /// Its unit.
    #[serde(default)]
    pub unit_volume_unit_of_measure_name: Option<String>,
    /// Unit weight for count-based items.
    #[serde(with = "number::option", default)]
    pub unit_weight: Option<Decimal>,
    /// Its unit.
    pub unit_weight_unit_of_measure_name: Option<String>,
    /// Always "Approved" here.
    pub approval_status: String,
    /// Archived (`DELETE /items/v2/{id}`): listed with the inactive items, no new packages.
    #[serde(skip)]
    pub archived: bool,
    /// Last change.
    #[serde(skip)]
    pub last_modified: DateTime<Utc>,
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
    /// The manifest it is leaving on, while in transit to another facility.
    #[serde(skip)]
    pub in_transit: Option<String>,
    /// Its Retail ID QR codes, one per item.
    #[serde(skip)]
    pub retail_ids: Vec<String>,
    /// Location id, where the facility uses locations.
    #[serde(default)]
    pub location_id: Option<i64>,
    /// Location name.
    #[serde(default)]
    pub location_name: Option<String>,
    /// Location type name.
    #[serde(default)]
    pub location_type_name: Option<String>,
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
    /// Who adjusted it: the user whose key sent it.
    #[serde(default)]
    pub adjusted_by_user_name: Option<String>,
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
    /// Finalized: no more changes; listed with the inactive receipts.
    #[serde(default)]
    pub is_final: bool,
    /// Archived (voided) when set.
    pub archived_date: Option<DateTime<Utc>>,
    /// When it was recorded.
    pub recorded_date_time: DateTime<Utc>,
    /// Who recorded it: the user whose key sent it.
    #[serde(default)]
    pub recorded_by_user_name: Option<String>,
    /// Last change.
    pub last_modified: DateTime<Utc>,
    /// Facility licence.
    #[serde(skip)]
    pub license: String,
}

/// A transfer leaving a facility.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct OutgoingTransfer {
    /// Id (also its one delivery's id).
    pub id: i64,
    /// The shipping facility.
    pub license: String,
    /// The manifest number.
    pub manifest_number: String,
    /// Who receives it.
    pub recipient_license: String,
    /// Its name.
    pub recipient_name: String,
    /// The packages it carries, by label.
    pub packages: Vec<String>,
    /// When it was registered.
    pub created: DateTime<Utc>,
}

/// A facility location (a room or zone named in Metrc).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Location {
    /// Id.
    pub id: i64,
    /// Facility licence.
    pub license: String,
    /// Name, unique among the facility's active locations.
    pub name: String,
    /// Its type, by name (one of [`LOCATION_TYPES`]).
    pub type_name: String,
    /// Archived (`DELETE /locations/v2/{id}`).
    pub archived: bool,
    /// Last change.
    pub last_modified: DateTime<Utc>,
}

/// Location types as Metrc's own example lists them: (id, name, plant batches, plants,
/// harvests, packages). Source: Metrc's documentation for GET /locations/v2/types (Colorado),
/// as scraped in OcelliSolutions/OpenMetrc `Reference/Locations/co/get_locations_v2_types.html`.
pub const LOCATION_TYPES: [(i64, &str, bool, bool, bool, bool); 3] = [
    (1, "Default", true, true, true, true),
    (2, "Planting", true, true, false, false),
    (3, "Packing", false, false, false, true),
];

/// The regulator's whole state.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Sandbox {
    /// Licence -> facility name.
    pub facilities: BTreeMap<String, String>,
    /// Facility locations.
    #[serde(default)]
    pub locations: Vec<Location>,
    /// Outgoing transfers.
    #[serde(default)]
    pub outgoing: Vec<OutgoingTransfer>,
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
