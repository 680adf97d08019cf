//! Facilities, items and the packages a manifest brings: how the sandbox is set up and how a
//! write finds the package each of its rows names.

use chrono::{DateTime, Utc};
use metrc::wire::RowError;
use rust_decimal::Decimal;

use crate::model::{row, Item, Package, Sandbox};

impl Sandbox {
    pub(crate) fn next_id(&mut self) -> i64 {
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

    /// Adds or replaces an item, as the sandbox's set-up does (without a category's required
    /// fields: the demo's items stand for ones made long ago); returns its id.
    #[allow(clippy::too_many_arguments)]
    pub fn add_item(
        &mut self,
        license: &str,
        name: &str,
        category: &str,
        quantity_type: &str,
        uom: &str,
        unit_weight: Option<(Decimal, &str)>,
        now: DateTime<Utc>,
    ) -> i64 {
        let id = self.next_id();
        self.items
            .retain(|i| !(i.license == license && i.name == name));
        self.items.push(Item {
            id,
            license: license.into(),
            name: name.into(),
            product_category_name: category.into(),
            product_category_type: crate::catalog::category(category)
                .map(|c| c.product_category_type)
                .unwrap_or_default(),
            quantity_type: quantity_type.into(),
            unit_of_measure_name: uom.into(),
            strain_name: None,
            unit_thc_content: None,
            unit_thc_content_unit_of_measure_name: None,
            unit_volume: None,
            unit_volume_unit_of_measure_name: None,
            unit_weight: unit_weight.map(|(w, _)| w),
            unit_weight_unit_of_measure_name: unit_weight.map(|(_, u)| u.to_owned()),
            approval_status: "Approved".into(),
            archived: false,
            last_modified: now,
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
            in_transit: None,
            retail_ids: Vec::new(),
            location_id: None,
            location_name: None,
            location_type_name: None,
            last_modified: now,
            item,
        });
        Ok(id)
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
    pub(crate) fn row_package(
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
        if let Some(m) = &p.in_transit {
            errors.push(row(
                i,
                format!("Package {label} is in transit on manifest {m}."),
            ));
        }
        if p.unit_of_measure_name != unit {
            errors.push(row(
                i,
                format!("Package {label} is measured in {}.", p.unit_of_measure_name),
            ));
        }
        Some(p)
    }

    pub(crate) fn package_index(&self, license: &str, label: &str) -> Option<usize> {
        self.packages
            .iter()
            .position(|p| p.license == license && p.label == label && p.archived_date.is_none())
    }
}
