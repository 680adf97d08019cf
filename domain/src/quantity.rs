//! Quantities: an exact decimal amount with its unit. Nothing here is floating point.

use std::fmt;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// A unit of measure.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Unit {
    /// Discrete items (a pre-roll, a can, a vape cartridge).
    Each,
    /// Grams.
    Grams,
    /// Milligrams.
    Milligrams,
    /// Avoirdupois ounces (28.349523125 g exactly).
    Ounces,
    /// Avoirdupois pounds (453.59237 g exactly).
    Pounds,
    /// Kilograms.
    Kilograms,
    /// Millilitres.
    Milliliters,
}

/// What a unit measures; only units of one family convert into each other.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum UnitFamily {
    /// Counted items.
    Count,
    /// Mass.
    Weight,
    /// Volume.
    Volume,
}

impl Unit {
    /// Every unit, in display order.
    pub const ALL: [Unit; 7] = [
        Unit::Each,
        Unit::Grams,
        Unit::Milligrams,
        Unit::Ounces,
        Unit::Pounds,
        Unit::Kilograms,
        Unit::Milliliters,
    ];

    /// The short symbol shown after a number.
    pub fn symbol(self) -> &'static str {
        match self {
            Unit::Each => "ea",
            Unit::Grams => "g",
            Unit::Milligrams => "mg",
            Unit::Ounces => "oz",
            Unit::Pounds => "lb",
            Unit::Kilograms => "kg",
            Unit::Milliliters => "ml",
        }
    }

    /// Metrc's name for the unit of measure.
    pub fn regulator_name(self) -> &'static str {
        match self {
            Unit::Each => "Each",
            Unit::Grams => "Grams",
            Unit::Milligrams => "Milligrams",
            Unit::Ounces => "Ounces",
            Unit::Pounds => "Pounds",
            Unit::Kilograms => "Kilograms",
            Unit::Milliliters => "Milliliters",
        }
    }

    /// The unit a regulator names ("Grams", "Each"), if it is one of ours.
    pub fn from_regulator_name(name: &str) -> Option<Unit> {
        Unit::ALL.into_iter().find(|u| u.regulator_name() == name)
    }

    /// The family this unit belongs to.
    pub fn family(self) -> UnitFamily {
        match self {
            Unit::Each => UnitFamily::Count,
            Unit::Milliliters => UnitFamily::Volume,
            _ => UnitFamily::Weight,
        }
    }

    /// How many of the family's base unit (grams, millilitres, items) one of this unit is.
    fn base_factor(self) -> Decimal {
        match self {
            Unit::Each | Unit::Grams | Unit::Milliliters => Decimal::ONE,
            Unit::Milligrams => Decimal::new(1, 3),
            Unit::Kilograms => Decimal::new(1000, 0),
            Unit::Ounces => Decimal::new(28_349_523_125, 9),
            Unit::Pounds => Decimal::new(45_359_237, 5),
        }
    }
}

impl fmt::Display for Unit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.symbol())
    }
}

/// Why two quantities cannot be combined or converted.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum QuantityError {
    /// Units of different families (grams and items).
    #[error("{from} cannot be expressed in {to}: they measure different things")]
    Incompatible {
        /// The unit converted from.
        from: Unit,
        /// The unit converted to.
        to: Unit,
    },
    /// The conversion would need rounding.
    #[error("{amount} {from} has no exact value in {to}")]
    Inexact {
        /// The amount converted.
        amount: Decimal,
        /// Its unit.
        from: Unit,
        /// The unit converted to.
        to: Unit,
    },
}

/// An exact amount and its unit.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Quantity {
    /// The amount; may be negative only for adjustment deltas.
    pub amount: Decimal,
    /// Its unit.
    pub unit: Unit,
}

impl Quantity {
    /// A quantity.
    pub fn new(amount: Decimal, unit: Unit) -> Self {
        Self { amount, unit }
    }

    /// Zero of a unit.
    pub fn zero(unit: Unit) -> Self {
        Self::new(Decimal::ZERO, unit)
    }

    /// Whole items.
    pub fn each(n: i64) -> Self {
        Self::new(Decimal::from(n), Unit::Each)
    }

    /// Grams from a mantissa and a scale: `grams(275, 1)` is 27.5 g.
    pub fn grams(mantissa: i64, scale: u32) -> Self {
        Self::new(Decimal::new(mantissa, scale), Unit::Grams)
    }

    /// Converts exactly, or says why it cannot.
    pub fn convert(self, to: Unit) -> Result<Quantity, QuantityError> {
        if self.unit == to {
            return Ok(self);
        }
        if self.unit.family() != to.family() {
            return Err(QuantityError::Incompatible {
                from: self.unit,
                to,
            });
        }
        let base = self.amount * self.unit.base_factor();
        let out = base / to.base_factor();
        // Division may round; an exact conversion survives the round trip.
        if out * to.base_factor() != base {
            return Err(QuantityError::Inexact {
                amount: self.amount,
                from: self.unit,
                to,
            });
        }
        Ok(Quantity::new(out.normalize(), to))
    }

    /// True when the amount is zero.
    pub fn is_zero(&self) -> bool {
        self.amount.is_zero()
    }
}

impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.amount.normalize(), self.unit.symbol())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn ounces_convert_to_grams_exactly() {
        let q = Quantity::new(dec!(1), Unit::Ounces)
            .convert(Unit::Grams)
            .unwrap();
        assert_eq!(q.amount, dec!(28.349523125));
        let back = q.convert(Unit::Ounces).unwrap();
        assert_eq!(back.amount, dec!(1));
    }

    #[test]
    fn milligrams_become_grams() {
        let q = Quantity::new(dec!(500), Unit::Milligrams)
            .convert(Unit::Grams)
            .unwrap();
        assert_eq!(q.to_string(), "0.5 g");
    }

    #[test]
    fn grams_that_are_no_whole_ounce_fraction_are_refused() {
        let err = Quantity::new(dec!(1), Unit::Grams)
            .convert(Unit::Ounces)
            .unwrap_err();
        assert!(matches!(err, QuantityError::Inexact { .. }));
    }

    #[test]
    fn items_never_become_grams() {
        let err = Quantity::each(3).convert(Unit::Grams).unwrap_err();
        assert_eq!(
            err.to_string(),
            "ea cannot be expressed in g: they measure different things"
        );
    }
}
