//! What a facility can use: facilities, units, items, item categories, available tags.

use axum::{
    extract::{Query, State},
    Json,
};
use metrc::wire::{perm, Page};
use serde::Serialize;

use crate::{
    auth::Caller,
    error::ApiError,
    model::Item,
    paging::{page, ListQuery},
    state::SandboxState,
};

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct FacilityView {
    facility_id: usize,
    name: String,
    display_name: String,
    license: LicenseView,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct LicenseView {
    number: String,
    license_type: String,
}

pub(crate) async fn facilities(
    State(st): State<SandboxState>,
    c: Caller,
) -> Json<Vec<FacilityView>> {
    Json(st.read(|s| {
        s.facilities
            .iter()
            .enumerate()
            .filter(|(_, (l, _))| c.0.licenses.contains(l))
            .map(|(i, (l, n))| FacilityView {
                facility_id: i + 1,
                name: n.clone(),
                display_name: n.clone(),
                license: LicenseView {
                    number: l.clone(),
                    license_type: "Retailer".into(),
                },
            })
            .collect()
    }))
}

pub(crate) async fn units(_c: Caller) -> Json<serde_json::Value> {
    Json(serde_json::json!([
        {"QuantityType":"CountBased","Name":"Each","Abbreviation":"ea"},
        {"QuantityType":"WeightBased","Name":"Ounces","Abbreviation":"oz"},
        {"QuantityType":"WeightBased","Name":"Pounds","Abbreviation":"lb"},
        {"QuantityType":"WeightBased","Name":"Grams","Abbreviation":"g"},
        {"QuantityType":"WeightBased","Name":"Milligrams","Abbreviation":"mg"},
        {"QuantityType":"WeightBased","Name":"Kilograms","Abbreviation":"kg"},
        {"QuantityType":"VolumeBased","Name":"Milliliters","Abbreviation":"ml"}
    ]))
}

pub(crate) async fn items_active(
    State(st): State<SandboxState>,
    c: Caller,
    Query(q): Query<ListQuery>,
) -> Result<Json<Page<Item>>, ApiError> {
    let license = c.facility(&q.license_number, perm::MANAGE_ITEMS)?;
    Ok(Json(page(
        st.read(|s| {
            s.items
                .iter()
                .filter(|i| i.license == license)
                .cloned()
                .collect()
        }),
        &q,
    )?))
}

/// Item categories this sandbox knows: (name, product category type, quantity type, requires unit
/// weight, requires unit volume). Count-based categories that need a unit weight are how Metrc
/// turns "each" into grams.
const CATEGORIES: [(&str, &str, &str, bool, bool); 10] = [
    ("Buds", "Buds", "WeightBased", false, false),
    (
        "Flower (packaged eighth)",
        "Buds",
        "CountBased",
        true,
        false,
    ),
    ("Pre-Roll Flower", "PreRoll", "CountBased", true, false),
    ("Vape Cartridge", "Concentrate", "CountBased", true, false),
    (
        "Concentrate (Each)",
        "Concentrate",
        "CountBased",
        true,
        false,
    ),
    (
        "Edible (weight - each)",
        "InfusedEdible",
        "CountBased",
        true,
        false,
    ),
    (
        "Infused Beverage",
        "InfusedEdible",
        "CountBased",
        false,
        true,
    ),
    (
        "Topical (weight - each)",
        "InfusedNonEdible",
        "CountBased",
        true,
        false,
    ),
    ("Seeds (each)", "Seeds", "CountBased", false, false),
    ("Shake/Trim", "ShakeTrim", "WeightBased", false, false),
];

pub(crate) async fn item_categories(
    c: Caller,
    Query(q): Query<ListQuery>,
) -> Result<Json<Page<serde_json::Value>>, ApiError> {
    c.facility(&q.license_number, perm::MANAGE_ITEMS)?;
    let all = CATEGORIES
        .iter()
        .map(|(name, kind, qty, weight, volume)| {
            serde_json::json!({"Name": name, "ProductCategoryType": kind, "QuantityType": qty, "RequiresStrain": *kind == "Buds",
                "RequiresUnitWeight": weight, "RequiresUnitVolume": volume, "CanBeDestroyed": true})
        })
        .collect();
    Ok(Json(page(all, &q)?))
}

pub(crate) async fn tags_available(
    State(st): State<SandboxState>,
    c: Caller,
    Query(q): Query<ListQuery>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let license = c.facility(&q.license_number, perm::MANAGE_TAGS)?;
    let tags = st.read(|s| s.available_tags.get(&license).cloned().unwrap_or_default());
    Ok(Json(serde_json::Value::Array(
        tags.iter()
            .enumerate()
            .map(|(i, t)| serde_json::json!({"Id": i + 1, "TagInventoryTypeName": "Package", "Label": t}))
            .collect(),
    )))
}
