//! Package writes as Metrc v2 rules them: new packages from ingredients, adjustments, finish and
//! unfinish. Every write checks all of its rows before changing anything.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use metrc::wire::{AdjustPackage, CreatePackage, FinishPackage, RowError};
use rust_decimal::Decimal;

use crate::model::{row, Adjustment, Package, Sandbox};

impl Sandbox {
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
            if let Some(name) = p.location.as_deref() {
                self.check_package_location(i, license, name, &mut errors);
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
            let location = p
                .location
                .as_deref()
                .and_then(|name| self.location(license, name))
                .cloned();
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
                in_transit: None,
                retail_ids: Vec::new(),
                location_id: location.as_ref().map(|l| l.id),
                location_name: location.as_ref().map(|l| l.name.clone()),
                location_type_name: location.map(|l| l.type_name),
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
        by: &str,
        now: DateTime<Utc>,
    ) -> Result<Vec<i64>, Vec<RowError>> {
        let mut errors = Vec::new();
        let mut deltas: HashMap<String, Decimal> = HashMap::new();
        let reasons = self.reasons(license);
        for (i, a) in body.iter().enumerate() {
            match reasons
                .iter()
                .find(|r| r.name == a.adjustment_reason)
                .map(|r| (&r.name, r.requires_note))
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
                adjusted_by_user_name: Some(by.into()),
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
}
