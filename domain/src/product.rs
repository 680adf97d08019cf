//! Products in the catalogue and how each maps to the regulator's items.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::{Money, ProductId, Quantity, Unit};

/// Product categories; each jurisdiction's purchase limits and reports are keyed on them.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Category {
    /// Dried flower sold by weight or in jars.
    Flower,
    /// Pre-rolled joints.
    PreRoll,
    /// Vape cartridges and disposables.
    Vape,
    /// Concentrates (shatter, rosin, hash, kief, distillate).
    Extract,
    /// Oils, tinctures and sprays taken by mouth: non-solids, not concentrates.
    Oil,
    /// Edible solids, capsules included.
    Edible,
    /// Drinks.
    Beverage,
    /// Creams, balms and other topicals.
    Topical,
    /// Seeds.
    Seed,
    /// Live cannabis plants and clones (not budding or flowering).
    Plant,
    /// Fresh (undried) cannabis.
    Fresh,
    /// Non-cannabis accessories (no limits, no regulator tracking).
    Accessory,
}

impl Category {
    /// Every category, in menu order.
    pub const ALL: [Category; 12] = [
        Category::Flower,
        Category::PreRoll,
        Category::Fresh,
        Category::Vape,
        Category::Extract,
        Category::Oil,
        Category::Edible,
        Category::Beverage,
        Category::Topical,
        Category::Seed,
        Category::Plant,
        Category::Accessory,
    ];

    /// The name shown to people.
    pub fn label(self) -> &'static str {
        match self {
            Category::Flower => "Flower",
            Category::PreRoll => "Pre-rolls",
            Category::Vape => "Vapes",
            Category::Extract => "Extracts",
            Category::Oil => "Oils",
            Category::Plant => "Plants",
            Category::Fresh => "Fresh cannabis",
            Category::Edible => "Edibles",
            Category::Beverage => "Beverages",
            Category::Topical => "Topicals",
            Category::Seed => "Seeds",
            Category::Accessory => "Accessories",
        }
    }
}

/// Whether a product is counted in items or measured by weight or volume.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum QuantityType {
    /// Sold and tracked in whole items.
    CountBased,
    /// Sold and tracked by weight.
    WeightBased,
    /// Sold and tracked by volume.
    VolumeBased,
}

/// What a regulator's "unit weight" measures: the two definitions that cause most mismatches.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum UnitWeightDefinition {
    /// Cannabis only (a pre-roll's 0.5 g of flower).
    NetCannabis,
    /// Everything that is weighed (flower, paper and filter).
    Gross,
}

/// How a product is known to the regulator.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegulatorMapping {
    /// The regulator's item name.
    pub item_name: String,
    /// The regulator's item category (e.g. "Pre-Roll Flower").
    pub item_category: String,
    /// The regulator's unit of measure for packages of this item.
    pub unit_of_measure: Unit,
    /// The regulator's unit weight for count-based items.
    pub unit_weight: Option<Quantity>,
    /// What that unit weight measures.
    pub unit_weight_definition: UnitWeightDefinition,
    /// The strain the item is of, as the facility names it in Metrc (categories such as Buds
    /// require one when the item is made).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub strain: Option<String>,
}

/// Strain type shown on the menu.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum StrainType {
    /// Indica.
    Indica,
    /// Sativa.
    Sativa,
    /// Hybrid.
    Hybrid,
    /// CBD-dominant.
    Cbd,
    /// Not applicable (accessories, some topicals).
    None,
}

/// A product in the catalogue.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Product {
    /// Its id.
    pub id: ProductId,
    /// The store's SKU.
    pub sku: String,
    /// Universal product code, where the product has one.
    pub upc: Option<String>,
    /// Display name.
    pub name: String,
    /// Brand.
    pub brand: String,
    /// Category.
    pub category: Category,
    /// Strain type.
    pub strain: StrainType,
    /// Counted or measured.
    pub quantity_type: QuantityType,
    /// The unit packages of this product are tracked in.
    pub unit: Unit,
    /// Net cannabis content of one item (count-based products): what purchase limits count.
    pub net_content: Option<Quantity>,
    /// Gross weight of one item, packaging aside (count-based products).
    pub gross_unit_weight: Option<Quantity>,
    /// THC per item in milligrams (count-based), where labelled.
    pub thc_mg_per_unit: Option<Decimal>,
    /// THC potency range shown on the menu, in percent (or mg/g for some edibles).
    pub thc_percent: Option<Decimal>,
    /// CBD potency in percent.
    pub cbd_percent: Option<Decimal>,
    /// Shelf price per item (count-based) or per unit of measure.
    pub price: Money,
    /// Cost per unit; never shown on the public menu.
    pub cost: Money,
    /// Supplier; never shown on the public menu.
    pub vendor: String,
    /// The regulator item, when mapped.
    pub regulator: Option<RegulatorMapping>,
}

impl Product {
    /// The net weight (grams) or volume (ml) that `qty` of this product contains, for purchase limits.
    /// `None` when the product has no defined net content.
    pub fn net_amount(&self, qty: Decimal) -> Option<Decimal> {
        match self.quantity_type {
            QuantityType::CountBased => {
                let per = self.net_content?;
                let base = match per.unit {
                    Unit::Milliliters => per,
                    _ => per.convert(Unit::Grams).ok()?,
                };
                Some(base.amount * qty)
            }
            QuantityType::WeightBased => Quantity::new(qty, self.unit)
                .convert(Unit::Grams)
                .ok()
                .map(|q| q.amount),
            QuantityType::VolumeBased => Some(qty),
        }
    }
}
