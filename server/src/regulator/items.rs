//! A product's Metrc item made or brought up to date from its mapping: the body is built from the
//! product with the fields the facility's item category requires (a strain, a weight, volume or
//! THC per unit), and sent as a new item or as a change to the item of that name. Building the
//! body is pure; [`send`] does the calls.

use domain::{Product, Unit};
use metrc::{
    wire::{ItemBody, ItemCategory, ItemRecord},
    MetrcClient, MetrcError,
};

/// Why a product's item could not be sent.
#[derive(Debug, thiserror::Error)]
pub enum ItemsError {
    /// The regulator could not be asked, or refused.
    #[error(transparent)]
    Regulator(#[from] MetrcError),
    /// The product cannot make a Metrc item as it stands (said in words).
    #[error("{0}")]
    Incomplete(String),
}

/// What was done at the regulator.
#[derive(Debug, Clone, PartialEq)]
pub struct Sent {
    /// A new item (`false`: the item of that name was changed).
    pub created: bool,
    /// The item as Metrc now shows it.
    pub item: ItemRecord,
}

fn quantity_type(unit: Unit) -> &'static str {
    match unit {
        Unit::Each => "CountBased",
        Unit::Milliliters => "VolumeBased",
        _ => "WeightBased",
    }
}

/// The item body for `product` in `category`, or everything it still lacks, in one sentence.
pub fn item_body(product: &Product, category: &ItemCategory) -> Result<ItemBody, String> {
    let Some(m) = &product.regulator else {
        return Err(format!(
            "{} has no regulator mapping: give it a Metrc item name and category first",
            product.name
        ));
    };
    let mut missing: Vec<&str> = Vec::new();
    if quantity_type(m.unit_of_measure) != category.quantity_type {
        return Err(format!(
            "{}'s mapping counts in {}, but Metrc's {} items are {}",
            product.name,
            m.unit_of_measure.regulator_name(),
            category.name,
            category.quantity_type
        ));
    }
    let strain = m.strain.clone().filter(|s| !s.trim().is_empty());
    if category.requires_strain && strain.is_none() {
        missing.push("a strain (the mapping's strain)");
    }
    if category.requires_unit_weight && m.unit_weight.is_none() {
        missing.push("a weight per item (the mapping's unit weight)");
    }
    let volume = product.net_content.filter(|q| q.unit == Unit::Milliliters);
    if category.requires_unit_volume && volume.is_none() {
        missing.push("a volume per item (the product's net content in ml)");
    }
    if category.requires_unit_thc_content && product.thc_mg_per_unit.is_none() {
        missing.push("THC per item (the product's THC in mg per item)");
    }
    if !missing.is_empty() {
        return Err(format!(
            "Metrc's {} items need {} before {} can be sent",
            category.name,
            join(&missing),
            product.name
        ));
    }
    Ok(ItemBody {
        id: None,
        item_category: category.name.clone(),
        name: m.item_name.clone(),
        unit_of_measure: m.unit_of_measure.regulator_name().into(),
        strain,
        item_brand: Some(product.brand.clone()).filter(|b| !b.trim().is_empty()),
        unit_thc_content: product.thc_mg_per_unit,
        unit_thc_content_unit_of_measure: product.thc_mg_per_unit.map(|_| "Milligrams".into()),
        unit_volume: volume.map(|q| q.amount),
        unit_volume_unit_of_measure: volume.map(|_| "Milliliters".into()),
        unit_weight: m.unit_weight.map(|q| q.amount),
        unit_weight_unit_of_measure: m.unit_weight.map(|q| q.unit.regulator_name().into()),
    })
}

fn join(parts: &[&str]) -> String {
    match parts {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// Makes `product`'s Metrc item, or changes the item of that name to match the product. A retry
/// after a lost answer finds the item made and changes it to the same fields.
pub async fn send(client: &MetrcClient, product: &Product) -> Result<Sent, ItemsError> {
    let Some(m) = &product.regulator else {
        return Err(ItemsError::Incomplete(format!(
            "{} has no regulator mapping: give it a Metrc item name and category first",
            product.name
        )));
    };
    let categories = client.item_categories().await?;
    let Some(category) = categories.iter().find(|c| c.name == m.item_category) else {
        let names: Vec<&str> = categories.iter().map(|c| c.name.as_str()).collect();
        return Err(ItemsError::Incomplete(format!(
            "the facility's Metrc has no item category \"{}\" (it lists {})",
            m.item_category,
            names.join(", ")
        )));
    };
    let mut body = item_body(product, category).map_err(ItemsError::Incomplete)?;
    let existing = client
        .items()
        .await?
        .into_iter()
        .find(|i| i.name == m.item_name);
    let (created, id) = match existing {
        Some(item) => {
            body.id = Some(item.id);
            client.update_items(&[body]).await?;
            (false, item.id)
        }
        None => {
            let ids = client.create_items(&[body]).await?;
            let id = ids.first().copied().ok_or_else(|| MetrcError::Server {
                status: 200,
                message: "the regulator made the item but answered with no id".into(),
            })?;
            (true, id)
        }
    };
    Ok(Sent {
        created,
        item: client.item(id).await?,
    })
}

#[cfg(test)]
mod tests {
    use domain::{
        Category, Money, ProductId, Quantity, QuantityType, RegulatorMapping, StrainType,
        UnitWeightDefinition,
    };
    use rust_decimal::Decimal;

    use super::*;

    fn cart() -> Product {
        Product {
            id: ProductId::new(),
            sku: "V-1".into(),
            upc: None,
            name: "Blue Dream cart".into(),
            brand: "Acme".into(),
            category: Category::Vape,
            strain: StrainType::Hybrid,
            quantity_type: QuantityType::CountBased,
            unit: Unit::Each,
            net_content: Some(Quantity::grams(5, 1)),
            gross_unit_weight: None,
            thc_mg_per_unit: Some(Decimal::new(400, 0)),
            thc_percent: None,
            cbd_percent: None,
            price: Money::zero(domain::Currency::Cad),
            cost: Money::zero(domain::Currency::Cad),
            vendor: String::new(),
            regulator: Some(RegulatorMapping {
                item_name: "Acme Blue Dream cart".into(),
                item_category: "Vape Cartridge".into(),
                unit_of_measure: Unit::Each,
                unit_weight: Some(Quantity::grams(5, 1)),
                unit_weight_definition: UnitWeightDefinition::NetCannabis,
                strain: Some("Blue Dream".into()),
            }),
        }
    }

    fn category(name: &str, quantity: &str) -> ItemCategory {
        ItemCategory {
            name: name.into(),
            quantity_type: quantity.into(),
            ..ItemCategory::default()
        }
    }

    #[test]
    fn a_mapped_product_becomes_the_item_its_category_asks_for() {
        let mut c = category("Vape Cartridge", "CountBased");
        c.requires_unit_weight = true;
        c.requires_unit_thc_content = true;
        let body = item_body(&cart(), &c).unwrap();
        assert_eq!(body.name, "Acme Blue Dream cart");
        assert_eq!(body.unit_of_measure, "Each");
        assert_eq!(body.unit_weight, Some(Decimal::new(5, 1)));
        assert_eq!(body.unit_weight_unit_of_measure.as_deref(), Some("Grams"));
        assert_eq!(body.unit_thc_content, Some(Decimal::new(400, 0)));
        assert_eq!(body.strain.as_deref(), Some("Blue Dream"));
        assert_eq!(body.item_brand.as_deref(), Some("Acme"));
        assert_eq!(body.unit_volume, None, "grams are not a volume");
    }

    #[test]
    fn everything_a_category_requires_and_the_product_lacks_is_named_at_once() {
        let mut p = cart();
        p.thc_mg_per_unit = None;
        let m = p.regulator.as_mut().unwrap();
        m.unit_weight = None;
        m.strain = Some("  ".into());
        let mut c = category("Infused Beverage", "CountBased");
        c.requires_strain = true;
        c.requires_unit_weight = true;
        c.requires_unit_volume = true;
        c.requires_unit_thc_content = true;
        let e = item_body(&p, &c).unwrap_err();
        assert_eq!(
            e,
            "Metrc's Infused Beverage items need a strain (the mapping's strain), a weight per item (the mapping's unit weight), a volume per item (the product's net content in ml) and THC per item (the product's THC in mg per item) before Blue Dream cart can be sent"
        );
    }

    #[test]
    fn a_unit_the_category_does_not_count_in_and_a_missing_mapping_are_refused() {
        let e = item_body(&cart(), &category("Buds", "WeightBased")).unwrap_err();
        assert!(e.contains("counts in Each"), "{e}");
        let mut p = cart();
        p.regulator = None;
        let e = item_body(&p, &category("Vape Cartridge", "CountBased")).unwrap_err();
        assert!(e.contains("no regulator mapping"), "{e}");
    }
}
