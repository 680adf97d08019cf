//! Three-way reconciliation: the ledger, the last physical count and the regulator, with one
//! diagnosis per package checked in a fixed order. Most "missing inventory" is a broken
//! connection, a wrong mapping, a delay or a duplicate, so a quantity change is proposed only
//! when none of those is present.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::{
    command::Adjust, AdjustReason, CountId, Package, PackageId, Product, ProductId, Quantity,
    UnitWeightDefinition,
};

/// A package as the regulator holds it (the fields reconciliation compares), borrowed from
/// whatever the edge parsed: a store's whole snapshot is compared without copying it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RegulatorPackage<'a> {
    /// Its tag.
    pub label: &'a str,
    /// Quantity at the regulator.
    pub quantity: Decimal,
    /// The regulator's unit name ("Grams", "Each").
    pub unit: &'a str,
    /// The regulator item's name.
    pub item_name: &'a str,
    /// The item's category.
    pub item_category: &'a str,
    /// The item's unit weight, for count-based items.
    pub unit_weight: Option<Decimal>,
    /// That weight's unit name.
    pub unit_weight_unit: Option<&'a str>,
}

/// Why regulator sync is not running, when it is not.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum SyncHalt {
    /// The key is expired, revoked or lacks a permission.
    AuthFailed {
        /// Since when.
        since: DateTime<Utc>,
        /// The cause in words.
        cause: String,
    },
    /// The regulator does not answer.
    RegulatorDown {
        /// Since when.
        since: DateTime<Utc>,
        /// The cause in words.
        cause: String,
    },
}

/// Changes of a package still on their way to the regulator.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InFlight {
    /// How many.
    pub changes: u32,
    /// When the oldest was made.
    pub oldest: DateTime<Utc>,
}

/// What the regulator recorded twice.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DuplicateKind {
    /// A sales receipt.
    Receipt,
    /// A received manifest.
    Manifest,
    /// A package adjustment.
    Adjustment,
}

/// A record the regulator holds twice; `regulator_id` is the extra one, to be voided.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Duplicate {
    /// What kind of record.
    pub kind: DuplicateKind,
    /// Our reference (receipt id, manifest number).
    pub reference: String,
    /// The regulator's id of the copy to void.
    pub regulator_id: i64,
    /// How much of this package the copy took, in the regulator's unit.
    pub quantity: Decimal,
}

/// The last physical count of a package.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CountFigure {
    /// The count.
    pub count_id: CountId,
    /// What was found.
    pub counted: Quantity,
    /// What the ledger expected at that moment.
    pub expected: Quantity,
    /// When.
    pub at: DateTime<Utc>,
    /// Whether an adjustment citing it was already made.
    pub corrected: bool,
}

/// Everything known of one package, gathered by the edges.
#[derive(Clone, Debug)]
pub struct PackageFacts<'a> {
    /// The ledger's package.
    pub package: &'a Package,
    /// Its product.
    pub product: &'a Product,
    /// The regulator's package, when it has one by this tag.
    pub regulator: Option<RegulatorPackage<'a>>,
    /// Changes still in the outbox.
    pub in_flight: Option<InFlight>,
    /// A change the regulator refused, with its words.
    pub refused: Option<&'a str>,
    /// Records the regulator holds twice for this package.
    pub duplicates: Vec<Duplicate>,
    /// The last physical count.
    pub count: Option<CountFigure>,
}

/// One diagnosis, in the order they are checked.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Diagnosis {
    /// 1. Sync is halted: no count is questioned while the connection is broken.
    SyncHalted {
        /// The halt.
        halt: SyncHalt,
    },
    /// 2. The product's mapping to the regulator is missing or wrong: fix the mapping.
    Mapping {
        /// What is wrong, in words.
        problem: String,
    },
    /// 3. Changes are still on their way: wait.
    Timing {
        /// What is in flight.
        in_flight: InFlight,
    },
    /// 4. The regulator recorded something twice: void the copy.
    Duplication {
        /// The copies.
        duplicates: Vec<Duplicate>,
    },
    /// 5. A genuine difference: with a physical count, an adjustment for a manager to confirm;
    ///    without one, the package should be counted first.
    Variance {
        /// Ledger minus regulator, in the regulator's unit, when they differ.
        regulator_gap: Option<Decimal>,
        /// Counted minus ledger, when a count differs.
        count_gap: Option<Decimal>,
        /// The adjustment to confirm, when a count supports one.
        proposal: Option<Adjust>,
    },
    /// Nothing to explain.
    InAgreement,
}

impl Diagnosis {
    /// Position in the checking order (1 first; agreement last).
    pub fn rank(&self) -> u8 {
        match self {
            Diagnosis::SyncHalted { .. } => 1,
            Diagnosis::Mapping { .. } => 2,
            Diagnosis::Timing { .. } => 3,
            Diagnosis::Duplication { .. } => 4,
            Diagnosis::Variance { .. } => 5,
            Diagnosis::InAgreement => 6,
        }
    }

    /// A short name, as shown in lists and filters.
    pub fn label(&self) -> &'static str {
        match self {
            Diagnosis::SyncHalted { .. } => "Sync halted",
            Diagnosis::Mapping { .. } => "Mapping",
            Diagnosis::Timing { .. } => "Timing",
            Diagnosis::Duplication { .. } => "Duplicate at regulator",
            Diagnosis::Variance { .. } => "Variance",
            Diagnosis::InAgreement => "In agreement",
        }
    }

    /// Whether it proposes changing a quantity.
    pub fn proposes_adjustment(&self) -> bool {
        matches!(
            self,
            Diagnosis::Variance {
                proposal: Some(_),
                ..
            }
        )
    }
}

/// One package, three ways, with its diagnosis.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PackageRow {
    /// The package.
    pub package_id: PackageId,
    /// Its tag.
    pub tag: String,
    /// Its product.
    pub product_id: ProductId,
    /// The product's name.
    pub product_name: String,
    /// The ledger's (POS) quantity.
    pub ledger: Quantity,
    /// The last physical count.
    pub count: Option<CountFigure>,
    /// The regulator's quantity, in its unit.
    pub regulator: Option<Decimal>,
    /// The regulator's unit name.
    pub regulator_unit: Option<String>,
    /// What explains any difference, checked in order.
    pub diagnosis: Diagnosis,
}

/// One product, summed over its packages.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ProductRow {
    /// The product.
    pub product_id: ProductId,
    /// Its name.
    pub name: String,
    /// Its SKU.
    pub sku: String,
    /// Ledger total, in the product's unit.
    pub ledger: Quantity,
    /// Counted total over its packages with a count not yet corrected, when any.
    pub counted: Option<Decimal>,
    /// Regulator total, in the regulator's unit.
    pub regulator: Option<Decimal>,
    /// Packages needing attention.
    pub packages_off: u32,
    /// The first cause among its packages, in checking order.
    pub diagnosis: Diagnosis,
}

/// The reconciliation page's data.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ReconcileReport {
    /// When the regulator was read.
    pub checked_at: DateTime<Utc>,
    /// Why sync is halted, when it is: then no count is questioned.
    pub halt: Option<SyncHalt>,
    /// Packages compared.
    pub packages_compared: u32,
    /// Of which in agreement.
    pub in_agreement: u32,
    /// Packages needing attention, first cause first.
    pub packages: Vec<PackageRow>,
    /// Products needing attention, first cause first.
    pub products: Vec<ProductRow>,
    /// Tags the regulator holds active that the ledger has closed or never had (packages on a
    /// manifest not yet received are on their way, and packages refused at receiving are going
    /// back: neither is listed here).
    pub regulator_only: Vec<String>,
    /// Packages the regulator still lists here that the store refused at receiving: they go back
    /// to their shipper, and the regulator drops them once the shipper takes them back. Not a
    /// difference.
    #[serde(default)]
    pub rejected_at_receiving: Vec<RejectedPackage>,
}

/// A package the store refused at receiving that the regulator still lists at the store.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RejectedPackage {
    /// Its tag.
    pub tag: String,
    /// The manifest it came on.
    pub manifest_number: String,
    /// Why the store refused it.
    pub reason: String,
    /// When.
    pub rejected_at: DateTime<Utc>,
}

/// The ledger quantity in the regulator item's unit, when the mapping converts it exactly.
pub fn in_regulator_unit(product: &Product, q: Quantity) -> Option<Decimal> {
    let unit = product.regulator.as_ref()?.unit_of_measure;
    q.convert(unit).ok().map(|c| c.amount)
}

fn weight_words(q: Decimal, unit: &str) -> String {
    format!("{} {}", q.normalize(), unit)
}

/// What is wrong with a product's mapping against the regulator's package, if anything.
pub fn mapping_problem(product: &Product, reg: Option<RegulatorPackage<'_>>) -> Option<String> {
    let Some(m) = &product.regulator else {
        return Some(format!(
            "{} is not mapped to a regulator item; map it in the catalogue",
            product.name
        ));
    };
    let reg = reg?;
    if reg.item_name != m.item_name {
        return Some(format!(
            "the regulator holds this package as item \"{}\", but {} is mapped to \"{}\"",
            reg.item_name, product.name, m.item_name
        ));
    }
    if !reg.item_category.is_empty() && reg.item_category != m.item_category {
        return Some(format!(
            "item \"{}\" is in category \"{}\" at the regulator, but the mapping says \"{}\"",
            reg.item_name, reg.item_category, m.item_category
        ));
    }
    if reg.unit != m.unit_of_measure.regulator_name() {
        return Some(format!(
            "the regulator measures this package in {}, the mapping in {}",
            reg.unit,
            m.unit_of_measure.regulator_name()
        ));
    }
    if let (Some(ours), Some(theirs)) = (m.unit_weight, reg.unit_weight) {
        let theirs_unit = reg.unit_weight_unit.unwrap_or("Grams");
        let same = crate::Unit::from_regulator_name(theirs_unit)
            .and_then(|u| ours.convert(u).ok())
            .is_some_and(|o| o.amount == theirs);
        if !same {
            let (ours_def, other, other_def) = match m.unit_weight_definition {
                UnitWeightDefinition::NetCannabis => (
                    " (net cannabis)",
                    product.gross_unit_weight,
                    "gross weight with paper and filter",
                ),
                UnitWeightDefinition::Gross => {
                    (" (gross)", product.net_content, "net cannabis weight")
                }
            };
            let explained = other
                .and_then(|o| {
                    crate::Unit::from_regulator_name(theirs_unit).and_then(|u| o.convert(u).ok())
                })
                .filter(|o| o.amount == theirs)
                .map(|_| format!(": that is this product's {other_def}"))
                .unwrap_or_default();
            return Some(format!(
                "unit weight differs: {} maps {ours}{ours_def} per item, the regulator's item \"{}\" says {}{explained}",
                product.name,
                reg.item_name,
                weight_words(theirs, theirs_unit),
            ));
        }
    }
    None
}

/// Diagnoses one package. The checks run in order and the first that applies is the answer, so a
/// quantity change is never proposed while an earlier cause is present.
pub fn diagnose(halt: Option<&SyncHalt>, f: &PackageFacts<'_>) -> Diagnosis {
    if let Some(h) = halt {
        return Diagnosis::SyncHalted { halt: h.clone() };
    }
    if let Some(problem) = mapping_problem(f.product, f.regulator) {
        return Diagnosis::Mapping { problem };
    }
    if let Some(words) = f.refused {
        return Diagnosis::Mapping {
            problem: format!("the regulator refused a change to this package: {words}"),
        };
    }
    if let Some(in_flight) = f.in_flight.clone() {
        return Diagnosis::Timing { in_flight };
    }
    if !f.duplicates.is_empty() {
        return Diagnosis::Duplication {
            duplicates: f.duplicates.clone(),
        };
    }
    let ledger = f.package.quantity;
    let regulator_gap = match (f.regulator, in_regulator_unit(f.product, ledger)) {
        (Some(r), Some(ours)) if ours != r.quantity => Some(ours - r.quantity),
        // The regulator has no active package by this tag but the ledger still holds product.
        (None, Some(ours)) if !ours.is_zero() => Some(ours),
        _ => None,
    };
    let open_count = f.count.as_ref().filter(|c| !c.corrected);
    let count_gap = open_count
        .map(|c| c.counted.amount - c.expected.amount)
        .filter(|g| !g.is_zero());
    if regulator_gap.is_none() && count_gap.is_none() {
        return Diagnosis::InAgreement;
    }
    let proposal = open_count.zip(count_gap).map(|(c, gap)| Adjust {
        package_id: f.package.id,
        delta: Quantity::new(gap, ledger.unit),
        reason: AdjustReason::CountCorrection,
        note: None,
        count_id: Some(c.count_id),
    });
    Diagnosis::Variance {
        regulator_gap,
        count_gap,
        proposal,
    }
}
