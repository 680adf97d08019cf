//! Items (what a package contains, as the facility names it in Metrc) and the item categories a
//! state allows, with the fields each category requires.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::number;

/// An item category as `GET /items/v2/categories` lists it: what an item of it must state.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct ItemCategory {
    /// Name, as an item's `ItemCategory` names it.
    pub name: String,
    /// "Buds", "Concentrate", "InfusedEdible", ...
    pub product_category_type: String,
    /// "WeightBased", "CountBased" or "VolumeBased": the units an item of it may use.
    pub quantity_type: String,
    /// A strain is required.
    pub requires_strain: bool,
    /// A brand is required.
    pub requires_item_brand: bool,
    /// An administration method is required.
    pub requires_administration_method: bool,
    /// CBD percent per unit is required.
    pub requires_unit_cbd_percent: bool,
    /// CBD content per unit is required.
    pub requires_unit_cbd_content: bool,
    /// CBD per dose is required.
    pub requires_unit_cbd_content_dose: bool,
    /// THC percent per unit is required.
    pub requires_unit_thc_percent: bool,
    /// THC content per unit is required.
    pub requires_unit_thc_content: bool,
    /// THC per dose is required.
    pub requires_unit_thc_content_dose: bool,
    /// Volume per unit is required.
    pub requires_unit_volume: bool,
    /// Weight per unit is required.
    pub requires_unit_weight: bool,
    /// Serving size is required.
    pub requires_serving_size: bool,
    /// Supply duration is required.
    pub requires_supply_duration_days: bool,
    /// Number of doses is required.
    pub requires_number_of_doses: bool,
    /// Public ingredients are required.
    pub requires_public_ingredients: bool,
    /// A description is required.
    pub requires_description: bool,
    /// Allergens are required.
    pub requires_allergens: bool,
    /// Product photos required.
    pub requires_product_photos: u32,
    /// A product photo description is required.
    pub requires_product_photo_description: bool,
    /// Label photos required.
    pub requires_label_photos: u32,
    /// A label photo description is required.
    pub requires_label_photo_description: bool,
    /// Packaging photos required.
    pub requires_packaging_photos: u32,
    /// A packaging photo description is required.
    pub requires_packaging_photo_description: bool,
    /// Product PDF documents required.
    #[serde(rename = "RequiresProductPDFDocuments")]
    pub requires_product_pdf_documents: u32,
    /// Whether its packages may contain seeds.
    pub can_contain_seeds: bool,
    /// Whether its packages may be remediated.
    pub can_be_remediated: bool,
    /// Whether its packages may be destroyed.
    pub can_be_destroyed: bool,
    /// Lab test batches that apply.
    pub lab_test_batch_names: Vec<String>,
}

/// Body element of `POST /items/v2/` (without `Id`) and `PUT /items/v2/` (with it): the fields a
/// store fills; the others Metrc documents are left out, which it reads as null.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ItemBody {
    /// The item's id (PUT only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
    /// One of the state's item categories.
    pub item_category: String,
    /// Name, unique in the facility.
    pub name: String,
    /// Unit its packages are counted in ("Grams", "Each", "Milliliters", ...).
    pub unit_of_measure: String,
    /// Strain name.
    #[serde(default)]
    pub strain: Option<String>,
    /// Brand name.
    #[serde(default)]
    pub item_brand: Option<String>,
    /// THC per unit.
    #[serde(default, with = "number::option")]
    pub unit_thc_content: Option<Decimal>,
    /// Its unit ("Milligrams").
    #[serde(default)]
    pub unit_thc_content_unit_of_measure: Option<String>,
    /// Volume per unit.
    #[serde(default, with = "number::option")]
    pub unit_volume: Option<Decimal>,
    /// Its unit ("Milliliters").
    #[serde(default)]
    pub unit_volume_unit_of_measure: Option<String>,
    /// Weight per unit: how Metrc turns "each" into grams for count-based items.
    #[serde(default, with = "number::option")]
    pub unit_weight: Option<Decimal>,
    /// Its unit ("Grams", "Milligrams").
    #[serde(default)]
    pub unit_weight_unit_of_measure: Option<String>,
}

/// An item as `GET /items/v2/{id}` and `/items/v2/active` show it (the fields a store reads).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ItemRecord {
    /// Id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Category name.
    pub product_category_name: String,
    /// Category type.
    #[serde(default)]
    pub product_category_type: String,
    /// "WeightBased", "CountBased" or "VolumeBased".
    pub quantity_type: String,
    /// Unit of measure.
    pub unit_of_measure_name: String,
    /// Strain.
    #[serde(default)]
    pub strain_name: Option<String>,
    /// THC per unit.
    #[serde(default, with = "number::option")]
    pub unit_thc_content: Option<Decimal>,
    /// Its unit.
    #[serde(default)]
    pub unit_thc_content_unit_of_measure_name: Option<String>,
    /// Volume per unit.
    #[serde(default, with = "number::option")]
    pub unit_volume: Option<Decimal>,
    /// Its unit.
    #[serde(default)]
    pub unit_volume_unit_of_measure_name: Option<String>,
    /// Weight per unit.
    #[serde(default, with = "number::option")]
    pub unit_weight: Option<Decimal>,
    /// Its unit.
    #[serde(default)]
    pub unit_weight_unit_of_measure_name: Option<String>,
    /// "Approved", "AwaitingConfirmation", ...
    #[serde(default)]
    pub approval_status: String,
}
