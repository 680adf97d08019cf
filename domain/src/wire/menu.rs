//! The public menu as it crosses HTTP: never cost, vendor, package tags or quantities by zone.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::{Category, Money, ProductId, QuantityType, StrainType, Unit};

/// How much stock a customer is told there is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Stock {
    /// Plenty.
    InStock,
    /// A few left.
    Low,
    /// None.
    SoldOut,
}

impl Stock {
    /// Stock in words for what is available: five items (count-based) or 28 g (by weight) or
    /// fewer is low.
    pub fn of(kind: QuantityType, available: Decimal) -> Stock {
        let low = match kind {
            QuantityType::CountBased => Decimal::from(5),
            _ => Decimal::from(28),
        };
        if available <= Decimal::ZERO {
            Stock::SoldOut
        } else if available <= low {
            Stock::Low
        } else {
            Stock::InStock
        }
    }
}

/// A product as the public sees it.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MenuItem {
    /// Product id.
    pub product_id: ProductId,
    /// Name.
    pub name: String,
    /// Brand.
    pub brand: String,
    /// Category.
    pub category: Category,
    /// Strain type.
    pub strain: StrainType,
    /// THC in percent.
    pub thc_percent: Option<Decimal>,
    /// CBD in percent.
    pub cbd_percent: Option<Decimal>,
    /// Price per unit.
    pub price: Money,
    /// The unit the price and availability are in.
    pub unit: Unit,
    /// Available to reserve or buy now.
    pub available: Decimal,
    /// Stock in words.
    pub stock: Stock,
}

/// The whole menu, and the ledger position it reflects.
#[derive(Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Menu {
    /// Ledger sequence the menu reflects; resume the stream from here.
    pub seq: i64,
    /// Products, accessories and cannabis alike, sorted by category and name.
    pub items: Vec<MenuItem>,
    /// The legal age to buy here; a customer confirms it to reserve.
    pub min_age: u8,
}

/// One availability change on the stream.
#[derive(Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Availability {
    /// Product id.
    pub product_id: ProductId,
    /// Available now.
    pub available: Decimal,
    /// Stock in words.
    pub stock: Stock,
}
