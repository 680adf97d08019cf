//! Item categories, units of measure and items as Metrc v2 rules them: what each category
//! requires of an item, and the item writes (`POST`/`PUT /items/v2/`, `DELETE /items/v2/{id}`).
//! Every write checks all of its rows before changing anything.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use metrc::wire::{ItemBody, ItemCategory, RowError};
use rust_decimal::Decimal;

use crate::model::{row, Item, Sandbox};

/// Units of measure: (quantity type, name, abbreviation), as `GET /unitsofmeasure/v2/active`
/// lists them.
pub const UNITS: [(&str, &str, &str); 7] = [
    ("CountBased", "Each", "ea"),
    ("WeightBased", "Ounces", "oz"),
    ("WeightBased", "Pounds", "lb"),
    ("WeightBased", "Grams", "g"),
    ("WeightBased", "Milligrams", "mg"),
    ("WeightBased", "Kilograms", "kg"),
    ("VolumeBased", "Milliliters", "ml"),
];

/// The quantity type of a unit, if the sandbox knows the unit.
pub fn unit_type(name: &str) -> Option<&'static str> {
    UNITS
        .iter()
        .find(|(_, n, _)| *n == name)
        .map(|(t, _, _)| *t)
}

/// A category row: (name, product category type, quantity type, requires strain, unit weight,
/// unit volume, unit THC content). Which fields a category requires is set per state in Metrc;
/// these follow Metrc's example (Buds requires a strain) and what the counted categories need
/// to turn an "each" into grams, millilitres or milligrams of THC.
type CategoryRow = (
    &'static str,
    &'static str,
    &'static str,
    bool,
    bool,
    bool,
    bool,
);

const CATEGORY_ROWS: [CategoryRow; 10] = [
    ("Buds", "Buds", "WeightBased", true, false, false, false),
    (
        "Flower (packaged eighth)",
        "Buds",
        "CountBased",
        true,
        true,
        false,
        false,
    ),
    (
        "Pre-Roll Flower",
        "PreRoll",
        "CountBased",
        true,
        true,
        false,
        false,
    ),
    (
        "Vape Cartridge",
        "Concentrate",
        "CountBased",
        false,
        true,
        false,
        false,
    ),
    (
        "Concentrate (Each)",
        "Concentrate",
        "CountBased",
        false,
        true,
        false,
        false,
    ),
    (
        "Edible (weight - each)",
        "InfusedEdible",
        "CountBased",
        false,
        true,
        false,
        true,
    ),
    (
        "Infused Beverage",
        "InfusedEdible",
        "CountBased",
        false,
        false,
        true,
        true,
    ),
    (
        "Topical (weight - each)",
        "InfusedNonEdible",
        "CountBased",
        false,
        true,
        false,
        false,
    ),
    (
        "Seeds (each)",
        "Seeds",
        "CountBased",
        true,
        false,
        false,
        false,
    ),
    (
        "Shake/Trim",
        "ShakeTrim",
        "WeightBased",
        true,
        false,
        false,
        false,
    ),
];

/// Every item category, with every field Metrc's documentation shows on one.
pub fn categories() -> Vec<ItemCategory> {
    CATEGORY_ROWS
        .iter()
        .map(
            |&(name, kind, quantity, strain, weight, volume, thc)| ItemCategory {
                name: name.into(),
                product_category_type: kind.into(),
                quantity_type: quantity.into(),
                requires_strain: strain,
                requires_unit_weight: weight,
                requires_unit_volume: volume,
                requires_unit_thc_content: thc,
                can_contain_seeds: kind == "Seeds" || kind == "Buds",
                can_be_remediated: true,
                can_be_destroyed: true,
                ..ItemCategory::default()
            },
        )
        .collect()
}

/// One category by name.
pub fn category(name: &str) -> Option<ItemCategory> {
    categories().into_iter().find(|c| c.name == name)
}

/// The refusals for one item row, Metrc's way: each names the field.
fn check_item(i: usize, b: &ItemBody, errors: &mut Vec<RowError>) {
    if b.name.trim().is_empty() {
        errors.push(row(i, "Name is required."));
    }
    let Some(c) = category(&b.item_category) else {
        errors.push(row(
            i,
            format!("Item Category {} not found.", b.item_category),
        ));
        return;
    };
    match unit_type(&b.unit_of_measure) {
        None => errors.push(row(
            i,
            format!("Unit of Measure {} not found.", b.unit_of_measure),
        )),
        Some(t) if t != c.quantity_type => errors.push(row(
            i,
            format!(
                "Unit of Measure {} cannot be used with Item Category {} ({}).",
                b.unit_of_measure, c.name, c.quantity_type
            ),
        )),
        Some(_) => {}
    }
    let blank = |v: &Option<String>| v.as_deref().is_none_or(|s| s.trim().is_empty());
    if c.requires_strain && blank(&b.strain) {
        errors.push(row(i, format!("Strain is required for {}.", c.name)));
    }
    let mut measure =
        |required: bool, value: Option<Decimal>, unit: &Option<String>, field: &str, kind: &str| {
            match (value, unit.as_deref()) {
                (None, _) if required => {
                    errors.push(row(i, format!("{field} is required for {}.", c.name)))
                }
                (None, _) => {}
                (Some(v), _) if v <= Decimal::ZERO => {
                    errors.push(row(i, format!("{field} must be greater than 0.")))
                }
                (Some(_), Some(u)) if unit_type(u) == Some(kind) => {}
                (Some(_), u) => errors.push(row(
                    i,
                    format!(
                        "{field} Unit of Measure {} is not a {kind} unit.",
                        u.unwrap_or("(none)")
                    ),
                )),
            }
        };
    measure(
        c.requires_unit_weight,
        b.unit_weight,
        &b.unit_weight_unit_of_measure,
        "Unit Weight",
        "WeightBased",
    );
    measure(
        c.requires_unit_volume,
        b.unit_volume,
        &b.unit_volume_unit_of_measure,
        "Unit Volume",
        "VolumeBased",
    );
    measure(
        c.requires_unit_thc_content,
        b.unit_thc_content,
        &b.unit_thc_content_unit_of_measure,
        "Unit THC Content",
        "WeightBased",
    );
}

/// An item record from a checked row.
fn item_of(id: i64, license: &str, b: &ItemBody, now: DateTime<Utc>) -> Item {
    let c = category(&b.item_category).expect("checked");
    Item {
        id,
        license: license.into(),
        name: b.name.trim().into(),
        product_category_name: c.name,
        product_category_type: c.product_category_type,
        quantity_type: c.quantity_type,
        unit_of_measure_name: b.unit_of_measure.clone(),
        strain_name: b.strain.clone().filter(|s| !s.trim().is_empty()),
        unit_thc_content: b.unit_thc_content,
        unit_thc_content_unit_of_measure_name: b
            .unit_thc_content
            .and(b.unit_thc_content_unit_of_measure.clone()),
        unit_volume: b.unit_volume,
        unit_volume_unit_of_measure_name: b.unit_volume.and(b.unit_volume_unit_of_measure.clone()),
        unit_weight: b.unit_weight,
        unit_weight_unit_of_measure_name: b.unit_weight.and(b.unit_weight_unit_of_measure.clone()),
        approval_status: "Approved".into(),
        archived: false,
        last_modified: now,
    }
}

impl Sandbox {
    /// The facility's item named `name`, unless archived.
    pub(crate) fn item(&self, license: &str, name: &str) -> Option<&Item> {
        self.items
            .iter()
            .find(|i| i.license == license && i.name == name && !i.archived)
    }

    /// Checks item rows: each valid, names unique among the facility's items (except the item a
    /// row updates) and within the request.
    fn check_items(&self, license: &str, body: &[ItemBody]) -> Result<(), Vec<RowError>> {
        let mut errors = Vec::new();
        let mut names = HashSet::new();
        for (i, b) in body.iter().enumerate() {
            check_item(i, b, &mut errors);
            let name = b.name.trim();
            let taken = self
                .item(license, name)
                .is_some_and(|other| Some(other.id) != b.id);
            if !name.is_empty() && (taken || !names.insert(name.to_owned())) {
                errors.push(row(i, format!("Item {name} already exists.")));
            }
            if let Some(id) = b.id {
                if !self
                    .items
                    .iter()
                    .any(|x| x.id == id && x.license == license && !x.archived)
                {
                    errors.push(row(i, format!("Item {id} not found.")));
                }
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }

    /// `POST /items/v2/`: new items.
    pub fn create_items(
        &mut self,
        license: &str,
        body: &[ItemBody],
        now: DateTime<Utc>,
    ) -> Result<Vec<i64>, Vec<RowError>> {
        let errors: Vec<RowError> = body
            .iter()
            .enumerate()
            .filter(|(_, b)| b.id.is_some())
            .map(|(i, _)| row(i, "Id must not be given when creating an item."))
            .collect();
        if !errors.is_empty() {
            return Err(errors);
        }
        self.check_items(license, body)?;
        Ok(body
            .iter()
            .map(|b| {
                let id = self.next_id();
                self.items.push(item_of(id, license, b, now));
                id
            })
            .collect())
    }

    /// `PUT /items/v2/`: changes items; the packages of an item show it as changed.
    pub fn update_items(
        &mut self,
        license: &str,
        body: &[ItemBody],
        now: DateTime<Utc>,
    ) -> Result<(), Vec<RowError>> {
        let errors: Vec<RowError> = body
            .iter()
            .enumerate()
            .filter(|(_, b)| b.id.is_none())
            .map(|(i, _)| row(i, "Id is required when updating an item."))
            .collect();
        if !errors.is_empty() {
            return Err(errors);
        }
        self.check_items(license, body)?;
        for b in body {
            let id = b.id.expect("checked");
            let item = item_of(id, license, b, now);
            for p in self.packages.iter_mut().filter(|p| p.item.id == id) {
                p.item = item.clone();
                p.last_modified = now;
            }
            let slot = self.items.iter_mut().find(|x| x.id == id).expect("checked");
            *slot = item;
        }
        Ok(())
    }

    /// `DELETE /items/v2/{id}`: archives an item; it lists as inactive and makes no new packages.
    pub fn archive_item(
        &mut self,
        license: &str,
        id: i64,
        now: DateTime<Utc>,
    ) -> Result<(), String> {
        let item = self
            .items
            .iter_mut()
            .find(|x| x.id == id && x.license == license && !x.archived)
            .ok_or_else(|| format!("Item {id} not found."))?;
        item.archived = true;
        item.last_modified = now;
        Ok(())
    }
}
