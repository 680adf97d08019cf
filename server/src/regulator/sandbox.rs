//! The sandbox's state and rules: facilities, keys, items, tags, packages, adjustments and sales
//! receipts, as Metrc v2 keeps them. Pure: the HTTP layer authenticates, journals and calls in.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Metrc's JSON carries quantities and money as numbers (`16.0`); they are read through their
/// decimal text so no binary floating point ever touches them.
pub mod number {
    use rust_decimal::{prelude::ToPrimitive, Decimal};
    use serde::{Deserialize, Deserializer, Serializer};

    /// Writes a decimal as a JSON number.
    pub fn serialize<S: Serializer>(d: &Decimal, s: S) -> Result<S::Ok, S::Error> {
        match d.to_f64() {
            Some(f) => s.serialize_f64(f),
            None => Err(serde::ser::Error::custom("number out of range")),
        }
    }

    /// Reads a JSON number (or numeric string) exactly.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
        let v = serde_json::Value::deserialize(d)?;
        let text = match &v {
            serde_json::Value::Number(n) => n.to_string(),
            serde_json::Value::String(s) => s.clone(),
            other => {
                return Err(serde::de::Error::custom(format!(
                    "expected a number, got {other}"
                )))
            }
        };
        text.parse::<Decimal>()
            .or_else(|_| Decimal::from_scientific(&text))
            .map_err(|_| serde::de::Error::custom(format!("{text} is not a number")))
    }

    /// The same for optional numbers.
    pub mod option {
        use rust_decimal::Decimal;
        use serde::{Deserialize, Deserializer, Serializer};

        /// Writes an optional decimal as a JSON number or null.
        pub fn serialize<S: Serializer>(d: &Option<Decimal>, s: S) -> Result<S::Ok, S::Error> {
            match d {
                Some(d) => super::serialize(d, s),
                None => s.serialize_none(),
            }
        }

        /// Reads an optional JSON number exactly.
        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Decimal>, D::Error> {
            let v = Option::<serde_json::Value>::deserialize(d)?;
            match v {
                None | Some(serde_json::Value::Null) => Ok(None),
                Some(v) => super::deserialize(v)
                    .map(Some)
                    .map_err(serde::de::Error::custom),
            }
        }
    }
}

/// Metrc's permission names, as the docs list them per endpoint.
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
    /// Every permission.
    pub const ALL: [&str; 7] = [
        VIEW_PACKAGES,
        CREATE_PACKAGES,
        MANAGE_INVENTORY,
        VIEW_SALES,
        MANAGE_SALES,
        MANAGE_TAGS,
        MANAGE_ITEMS,
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

fn row(row: usize, message: impl Into<String>) -> RowError {
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

/// A sale line as posted.
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
    /// Last id handed out.
    pub last_id: i64,
}

/// Adjustment reasons this sandbox knows, with whether each needs a note.
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

// Metrc's request bodies, read by the sandbox and written by the client alike.

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
    /// Customer type.
    pub sales_customer_type: String,
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

impl Sandbox {
    fn next_id(&mut self) -> i64 {
        self.last_id += 1;
        self.last_id
    }

    /// Adds a facility with a fresh pool of tags.
    pub fn add_facility(
        &mut self,
        license: &str,
        name: &str,
        tags: impl IntoIterator<Item = String>,
    ) {
        self.facilities.insert(license.into(), name.into());
        self.available_tags
            .entry(license.into())
            .or_default()
            .extend(tags);
    }

    /// Adds or replaces an item; returns its id.
    pub fn add_item(
        &mut self,
        license: &str,
        name: &str,
        category: &str,
        quantity_type: &str,
        uom: &str,
        unit_weight: Option<(Decimal, &str)>,
    ) -> i64 {
        let id = self.next_id();
        self.items
            .retain(|i| !(i.license == license && i.name == name));
        self.items.push(Item {
            id,
            license: license.into(),
            name: name.into(),
            product_category_name: category.into(),
            quantity_type: quantity_type.into(),
            unit_of_measure_name: uom.into(),
            unit_weight: unit_weight.map(|(w, _)| w),
            unit_weight_unit_of_measure_name: unit_weight.map(|(_, u)| u.to_owned()),
            approval_status: "Approved".into(),
        });
        id
    }

    /// Puts a package straight into a facility, as a received manifest does.
    pub fn seed_package(
        &mut self,
        license: &str,
        label: &str,
        item: &str,
        quantity: Decimal,
        manifest: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<i64, String> {
        let item = self
            .item(license, item)
            .ok_or_else(|| format!("Item {item} not found."))?
            .clone();
        let id = self.next_id();
        self.packages.push(Package {
            id,
            label: label.into(),
            license: license.into(),
            package_type: "Product".into(),
            quantity,
            original_package_quantity: quantity,
            unit_of_measure_name: item.unit_of_measure_name.clone(),
            packaged_date: now.date_naive(),
            finished_date: None,
            is_finished: false,
            archived_date: None,
            received_from_manifest_number: manifest.map(Into::into),
            source_package_labels: String::new(),
            lab_testing_state: "TestPassed".into(),
            note: None,
            last_modified: now,
            item,
        });
        Ok(id)
    }

    fn item(&self, license: &str, name: &str) -> Option<&Item> {
        self.items
            .iter()
            .find(|i| i.license == license && i.name == name)
    }

    /// A package of a facility by label.
    pub fn package(&self, license: &str, label: &str) -> Option<&Package> {
        self.packages
            .iter()
            .find(|p| p.license == license && p.label == label && p.archived_date.is_none())
    }

    /// A package named in row `i` of a write, with the refusals Metrc gives when it is missing or
    /// the row uses another unit. A package in the wrong unit is still returned, so the row's
    /// quantity is checked too.
    fn row_package(
        &self,
        license: &str,
        label: &str,
        unit: &str,
        i: usize,
        errors: &mut Vec<RowError>,
    ) -> Option<&Package> {
        let Some(p) = self.package(license, label) else {
            errors.push(row(i, format!("Package {label} not found.")));
            return None;
        };
        if p.unit_of_measure_name != unit {
            errors.push(row(
                i,
                format!("Package {label} is measured in {}.", p.unit_of_measure_name),
            ));
        }
        Some(p)
    }

    fn package_index(&self, license: &str, label: &str) -> Option<usize> {
        self.packages
            .iter()
            .position(|p| p.license == license && p.label == label && p.archived_date.is_none())
    }

    /// `POST /packages/v2/`: new packages from ingredients (split, merge, repackage).
    pub fn create_packages(
        &mut self,
        license: &str,
        body: &[CreatePackage],
        now: DateTime<Utc>,
    ) -> Result<Vec<i64>, Vec<RowError>> {
        // Check everything first: Metrc records all of a request or none of it.
        let mut errors = Vec::new();
        let mut taken: HashMap<String, Decimal> = HashMap::new();
        let tags = self
            .available_tags
            .get(license)
            .cloned()
            .unwrap_or_default();
        let mut new_tags = HashSet::new();
        for (i, p) in body.iter().enumerate() {
            if !tags.contains(&p.tag) || !new_tags.insert(p.tag.clone()) {
                errors.push(row(i, format!("Tag {} is not available.", p.tag)));
            }
            if p.quantity <= Decimal::ZERO {
                errors.push(row(i, "Quantity must be greater than 0."));
            }
            if p.ingredients.is_empty() {
                errors.push(row(i, "At least one ingredient is required."));
            }
            for ing in &p.ingredients {
                let Some(src) =
                    self.row_package(license, &ing.package, &ing.unit_of_measure, i, &mut errors)
                else {
                    continue;
                };
                if src.is_finished {
                    errors.push(row(i, format!("Package {} is finished.", ing.package)));
                    continue;
                }
                let t = taken.entry(ing.package.clone()).or_default();
                *t += ing.quantity;
                if *t > src.quantity {
                    errors.push(row(
                        i,
                        format!(
                            "Package {} does not have enough quantity: {} {} available.",
                            ing.package,
                            src.quantity.normalize(),
                            src.unit_of_measure_name
                        ),
                    ));
                }
            }
            if !p.use_same_item {
                match p.item.as_deref().and_then(|name| self.item(license, name)) {
                    None => errors.push(row(
                        i,
                        format!("Item {} not found.", p.item.as_deref().unwrap_or("(none)")),
                    )),
                    Some(item) if item.unit_of_measure_name != p.unit_of_measure => {
                        errors.push(row(
                            i,
                            format!(
                                "Item {} is measured in {}, not {}.",
                                item.name, item.unit_of_measure_name, p.unit_of_measure
                            ),
                        ))
                    }
                    Some(_) => {}
                }
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let mut ids = Vec::new();
        for p in body {
            for ing in &p.ingredients {
                let i = self
                    .package_index(license, &ing.package)
                    .expect("checked above");
                self.packages[i].quantity -= ing.quantity;
                self.packages[i].last_modified = now;
            }
            let first = self
                .package(license, &p.ingredients[0].package)
                .expect("checked above")
                .clone();
            let item = if p.use_same_item {
                first.item.clone()
            } else {
                self.item(license, p.item.as_deref().unwrap_or_default())
                    .expect("checked above")
                    .clone()
            };
            if let Some(pool) = self.available_tags.get_mut(license) {
                pool.retain(|t| t != &p.tag);
            }
            let id = self.next_id();
            self.packages.push(Package {
                id,
                label: p.tag.clone(),
                license: license.into(),
                package_type: "Product".into(),
                quantity: p.quantity,
                original_package_quantity: p.quantity,
                unit_of_measure_name: p.unit_of_measure.clone(),
                packaged_date: p.actual_date,
                finished_date: None,
                is_finished: false,
                archived_date: None,
                received_from_manifest_number: None,
                source_package_labels: p
                    .ingredients
                    .iter()
                    .map(|i| i.package.clone())
                    .collect::<Vec<_>>()
                    .join(", "),
                lab_testing_state: first.lab_testing_state.clone(),
                note: p.note.clone(),
                last_modified: now,
                item,
            });
            ids.push(id);
        }
        Ok(ids)
    }

    /// `POST /packages/v2/adjust`: signed deltas with a reason.
    pub fn adjust(
        &mut self,
        license: &str,
        body: &[AdjustPackage],
        now: DateTime<Utc>,
    ) -> Result<Vec<i64>, Vec<RowError>> {
        let mut errors = Vec::new();
        let mut deltas: HashMap<String, Decimal> = HashMap::new();
        for (i, a) in body.iter().enumerate() {
            match ADJUST_REASONS
                .iter()
                .find(|(n, _)| *n == a.adjustment_reason)
            {
                None => errors.push(row(
                    i,
                    format!("Adjustment reason {} is not valid.", a.adjustment_reason),
                )),
                Some((_, true)) if a.reason_note.as_deref().is_none_or(|n| n.trim().is_empty()) => {
                    errors.push(row(
                        i,
                        format!("Adjustment reason {} requires a note.", a.adjustment_reason),
                    ))
                }
                Some(_) => {}
            }
            if let Some(p) = self.row_package(license, &a.label, &a.unit_of_measure, i, &mut errors)
            {
                let d = deltas.entry(a.label.clone()).or_default();
                *d += a.quantity;
                if p.quantity + *d < Decimal::ZERO {
                    errors.push(row(
                        i,
                        format!("Package {} cannot be adjusted below zero.", a.label),
                    ));
                }
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let mut ids = Vec::new();
        for a in body {
            let i = self
                .package_index(license, &a.label)
                .expect("checked above");
            self.packages[i].quantity += a.quantity;
            self.packages[i].last_modified = now;
            let id = self.next_id();
            self.adjustments.push(Adjustment {
                id,
                package_label: a.label.clone(),
                adjustment_quantity: a.quantity,
                adjustment_unit_of_measure_name: a.unit_of_measure.clone(),
                adjustment_reason_name: a.adjustment_reason.clone(),
                adjustment_note: a.reason_note.clone(),
                adjustment_date: a.adjustment_date,
            });
            ids.push(id);
        }
        Ok(ids)
    }

    /// `PUT /packages/v2/finish` (`finish = true`) and `/unfinish`.
    pub fn finish(
        &mut self,
        license: &str,
        body: &[FinishPackage],
        finish: bool,
        now: DateTime<Utc>,
    ) -> Result<(), Vec<RowError>> {
        let mut errors = Vec::new();
        for (i, f) in body.iter().enumerate() {
            match self.package(license, &f.label) {
                None => errors.push(row(i, format!("Package {} not found.", f.label))),
                Some(p) if finish && !p.quantity.is_zero() => errors.push(row(
                    i,
                    format!(
                        "Package {} must have a quantity of 0 to be finished.",
                        f.label
                    ),
                )),
                Some(p) if finish == p.is_finished => errors.push(row(
                    i,
                    format!(
                        "Package {} is {}already finished.",
                        f.label,
                        if finish { "" } else { "not " }
                    ),
                )),
                Some(_) if finish && f.actual_date.is_none() => {
                    errors.push(row(i, "ActualDate is required."))
                }
                Some(_) => {}
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        for f in body {
            let i = self
                .package_index(license, &f.label)
                .expect("checked above");
            let p = &mut self.packages[i];
            p.is_finished = finish;
            p.finished_date = if finish { f.actual_date } else { None };
            p.last_modified = now;
        }
        Ok(())
    }

    /// `POST /sales/v2/receipts`: records sales; quantities leave their packages.
    pub fn record_receipts(
        &mut self,
        license: &str,
        body: &[ReceiptBody],
        now: DateTime<Utc>,
    ) -> Result<Vec<i64>, Vec<RowError>> {
        self.check_receipts(license, body, None)?;
        let mut ids = Vec::new();
        for r in body {
            for t in &r.transactions {
                let i = self
                    .package_index(license, &t.package_label)
                    .expect("checked above");
                self.packages[i].quantity -= t.quantity;
                self.packages[i].last_modified = now;
            }
            let id = self.next_id();
            self.receipts.push(receipt(id, license, r, now));
            ids.push(id);
        }
        Ok(ids)
    }

    /// Records one receipt a second time, as the duplication fault does.
    pub fn duplicate_receipt(
        &mut self,
        license: &str,
        external: &str,
        now: DateTime<Utc>,
    ) -> Result<i64, String> {
        let original = self
            .receipts
            .iter()
            .find(|r| {
                r.license == license
                    && r.external_receipt_number.as_deref() == Some(external)
                    && r.archived_date.is_none()
            })
            .cloned()
            .ok_or_else(|| format!("no receipt with external number {external}"))?;
        for t in &original.transactions {
            if let Some(i) = self.package_index(license, &t.package_label) {
                self.packages[i].quantity -= t.quantity;
                self.packages[i].last_modified = now;
            }
        }
        let id = self.next_id();
        self.receipts.push(Receipt {
            id,
            receipt_number: format!("{id:010}"),
            last_modified: now,
            ..original
        });
        Ok(id)
    }

    fn check_receipts(
        &self,
        license: &str,
        body: &[ReceiptBody],
        editing: Option<&[Option<&Receipt>]>,
    ) -> Result<(), Vec<RowError>> {
        let mut errors = Vec::new();
        let mut sold: HashMap<String, Decimal> = HashMap::new();
        for (i, r) in body.iter().enumerate() {
            if r.transactions.is_empty() {
                errors.push(row(i, "At least one transaction is required."));
            }
            let giving_back: HashMap<&str, Decimal> = editing
                .and_then(|e| e[i])
                .map(|old| {
                    old.transactions
                        .iter()
                        .map(|t| (t.package_label.as_str(), t.quantity))
                        .collect()
                })
                .unwrap_or_default();
            for t in &r.transactions {
                if let Some(p) = self.row_package(
                    license,
                    &t.package_label,
                    &t.unit_of_measure,
                    i,
                    &mut errors,
                ) {
                    let s = sold.entry(t.package_label.clone()).or_default();
                    *s += t.quantity;
                    let back = giving_back
                        .get(t.package_label.as_str())
                        .copied()
                        .unwrap_or_default();
                    if *s > p.quantity + back {
                        errors.push(row(
                            i,
                            format!("Package {} does not have enough quantity.", t.package_label),
                        ));
                    }
                }
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }

    /// `PUT /sales/v2/receipts`: replaces receipts' lines (a return is a smaller quantity).
    pub fn update_receipts(
        &mut self,
        license: &str,
        body: &[ReceiptBody],
        now: DateTime<Utc>,
    ) -> Result<(), Vec<RowError>> {
        let olds: Vec<Option<&Receipt>> = body
            .iter()
            .map(|r| {
                r.id.and_then(|id| {
                    self.receipts
                        .iter()
                        .find(|x| x.id == id && x.license == license && x.archived_date.is_none())
                })
            })
            .collect();
        let mut errors: Vec<RowError> = olds
            .iter()
            .enumerate()
            .filter(|(_, o)| o.is_none())
            .map(|(i, _)| row(i, "Receipt not found."))
            .collect();
        if errors.is_empty() {
            if let Err(e) = self.check_receipts(license, body, Some(&olds)) {
                errors = e;
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let olds: Vec<Receipt> = olds
            .into_iter()
            .map(|o| o.expect("checked above").clone())
            .collect();
        for (r, old) in body.iter().zip(olds) {
            for t in &old.transactions {
                if let Some(i) = self.package_index(license, &t.package_label) {
                    self.packages[i].quantity += t.quantity;
                }
            }
            for t in &r.transactions {
                let i = self
                    .package_index(license, &t.package_label)
                    .expect("checked above");
                self.packages[i].quantity -= t.quantity;
                self.packages[i].last_modified = now;
            }
            let slot = self
                .receipts
                .iter_mut()
                .find(|x| x.id == old.id)
                .expect("exists");
            *slot = receipt(old.id, license, r, now);
        }
        Ok(())
    }

    /// `DELETE /sales/v2/receipts/{id}`: archives (voids) a receipt and puts its quantities back.
    pub fn archive_receipt(
        &mut self,
        license: &str,
        id: i64,
        now: DateTime<Utc>,
    ) -> Result<(), String> {
        let r = self
            .receipts
            .iter_mut()
            .find(|r| r.id == id && r.license == license && r.archived_date.is_none())
            .ok_or_else(|| format!("Receipt {id} not found."))?;
        r.archived_date = Some(now);
        r.last_modified = now;
        let lines = r.transactions.clone();
        for t in lines {
            if let Some(i) = self.package_index(license, &t.package_label) {
                self.packages[i].quantity += t.quantity;
                self.packages[i].last_modified = now;
            }
        }
        Ok(())
    }
}

fn receipt(id: i64, license: &str, r: &ReceiptBody, now: DateTime<Utc>) -> Receipt {
    Receipt {
        id,
        receipt_number: format!("{id:010}"),
        external_receipt_number: r.external_receipt_number.clone(),
        sales_date_time: r.sales_date_time,
        sales_customer_type: r.sales_customer_type.clone(),
        transactions: r
            .transactions
            .iter()
            .map(|t| Transaction {
                package_label: t.package_label.clone(),
                quantity: t.quantity,
                unit_of_measure: t.unit_of_measure.clone(),
                total_amount: t.total_amount,
            })
            .collect(),
        total_packages: r.transactions.len(),
        total_price: r.transactions.iter().map(|t| t.total_amount).sum(),
        archived_date: None,
        last_modified: now,
        license: license.into(),
    }
}
