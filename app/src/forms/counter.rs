//! The counter's forms: a sale of one package, and a customer's reservation for pickup.

use domain::{
    command::{Sell, SellLine},
    wire::{OrderLineRequest, PlaceOrder},
    Action, CustomerRef, Package, PatientRegistration, ProductId, ReceiptId,
};
use rust_decimal::Decimal;

use super::{at_most, positive, text, Check, FieldError, Parsed};

/// Fewest and most digits in a phone number (E.164 allows 15).
const PHONE_DIGITS: std::ops::RangeInclusive<usize> = 7..=15;

/// The phone's digits, which tie a customer's purchases together for the day's limits.
fn phone(raw: &str, required: bool) -> Result<Option<CustomerRef>, FieldError> {
    let digits: String = raw.chars().filter(char::is_ascii_digit).collect();
    if raw.trim().is_empty() && !required {
        return Ok(None);
    }
    let stray = raw
        .chars()
        .find(|c| !(c.is_ascii_digit() || " +-().".contains(*c)));
    if let Some(c) = stray {
        return Err(FieldError::new(
            "Phone",
            format!("{c:?} is not part of a phone number"),
        ));
    }
    if !PHONE_DIGITS.contains(&digits.len()) {
        return Err(FieldError::new(
            "Phone",
            format!(
                "a phone number has {} to {} digits; \"{}\" has {}",
                PHONE_DIGITS.start(),
                PHONE_DIGITS.end(),
                raw.trim(),
                digits.len()
            ),
        ));
    }
    CustomerRef::parse(&format!("phone:{digits}"))
        .map(Some)
        .map_err(|e| FieldError::new("Phone", e.to_string()))
}

/// A sale of one package at the counter, as typed.
#[derive(Clone, Debug, PartialEq)]
pub struct SellForm {
    /// How much.
    pub quantity: String,
    /// The customer's phone, for purchase limits (optional).
    pub phone: String,
    /// A medical patient's registration (empty for an adult-use sale).
    pub patient: String,
}

impl Default for SellForm {
    fn default() -> Self {
        SellForm {
            quantity: "1".into(),
            phone: String::new(),
            patient: String::new(),
        }
    }
}

impl SellForm {
    /// The sale, or every field that is wrong. `medical`: the store's law has a medical program.
    pub fn parse(&self, package: &Package, medical: bool) -> Parsed<Action> {
        let mut check = Check::default();
        let q = check.take(
            positive("Quantity", &self.quantity, package.quantity.unit)
                .and_then(|q| at_most("Quantity", q, package.available())),
        );
        let customer = check.take(phone(&self.phone, false));
        let patient = check.take(match self.patient.trim() {
            "" => Ok(None),
            _ if !medical => Err(FieldError::new(
                "Patient registration",
                "this store makes no medical sales",
            )),
            raw => PatientRegistration::parse(raw)
                .map(Some)
                .map_err(|e| FieldError::new("Patient registration", e.to_string())),
        });
        check.done(|| {
            Some(Action::Sell(Sell {
                receipt_id: ReceiptId::new(),
                customer: customer?,
                patient: patient?,
                lines: vec![SellLine {
                    package_id: package.id,
                    quantity: q?,
                    unit_price: None,
                }],
            }))
        })
    }
}

/// A reservation as a customer types it on their phone.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ReserveForm {
    /// The name to call at the counter.
    pub name: String,
    /// Their phone number.
    pub phone: String,
    /// They confirmed they are of age.
    pub age_confirmed: bool,
    /// The cart: each product and how much.
    pub lines: Vec<(ProductId, Decimal)>,
}

impl ReserveForm {
    /// Longest name called at the counter (the domain's own bound).
    pub const MAX_NAME: usize = domain::text::MAX_CUSTOMER_NAME;

    /// The request to place, or every field that is wrong. `min_age`: the store's legal age.
    pub fn parse(&self, min_age: u8) -> Parsed<PlaceOrder> {
        let mut check = Check::default();
        if self.lines.is_empty() {
            check.fail(FieldError::new("Cart", "add something to reserve"));
        }
        if let Some((_, q)) = self.lines.iter().find(|(_, q)| *q <= Decimal::ZERO) {
            check.fail(FieldError::new(
                "Cart",
                format!("{q} is not an amount to reserve"),
            ));
        }
        let name = check.take(text("Name", &self.name, Self::MAX_NAME).and_then(|n| {
            n.ok_or_else(|| FieldError::new("Name", "enter the name to call at pickup"))
        }));
        check.take(phone(&self.phone, true));
        if !self.age_confirmed {
            check.fail(FieldError::new(
                "Age",
                format!("confirm you are {min_age} or older to reserve"),
            ));
        }
        check.done(|| {
            Some(PlaceOrder {
                customer_name: name?,
                phone: self.phone.trim().to_owned(),
                age_confirmed: true,
                lines: self
                    .lines
                    .iter()
                    .map(|(product_id, quantity)| OrderLineRequest {
                        product_id: *product_id,
                        quantity: *quantity,
                    })
                    .collect(),
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use domain::{Quantity, Zone};

    use super::*;

    fn package(items: i64) -> Package {
        crate::forms::test_package(Quantity::each(items), Zone::SalesFloor)
    }

    #[test]
    fn a_sale_with_a_phone_is_tied_to_the_customer_by_its_digits() {
        let p = package(10);
        let f = SellForm {
            quantity: "2".into(),
            phone: "(416) 555-0199".into(),
            ..SellForm::default()
        };
        let Action::Sell(s) = f.parse(&p, false).unwrap() else {
            panic!("not a sale")
        };
        assert_eq!(s.customer.unwrap().as_str(), "phone:4165550199");
        assert_eq!(s.lines[0].quantity, Quantity::each(2));
    }

    #[test]
    fn half_an_item_and_more_than_the_shelf_are_refused() {
        let p = package(3);
        let half = SellForm {
            quantity: "0.5".into(),
            ..SellForm::default()
        };
        assert_eq!(
            half.parse(&p, false).unwrap_err()[0].message,
            "ea is counted in whole items"
        );
        let four = SellForm {
            quantity: "4".into(),
            ..SellForm::default()
        };
        assert_eq!(four.parse(&p, false).unwrap_err()[0].field, "Quantity");
    }

    #[test]
    fn a_short_phone_or_one_with_letters_is_not_a_phone() {
        let p = package(3);
        for raw in ["555-12", "call me", "4165550199x"] {
            let f = SellForm {
                phone: raw.into(),
                ..SellForm::default()
            };
            assert_eq!(f.parse(&p, false).unwrap_err()[0].field, "Phone", "{raw:?}");
        }
    }

    #[test]
    fn a_patient_registration_only_where_the_law_has_medical_sales() {
        let p = package(3);
        let f = SellForm {
            patient: "ab-123".into(),
            ..SellForm::default()
        };
        assert_eq!(
            f.parse(&p, false).unwrap_err()[0].message,
            "this store makes no medical sales"
        );
        let Action::Sell(s) = f.parse(&p, true).unwrap() else {
            panic!("not a sale")
        };
        assert_eq!(s.patient.unwrap().as_str(), "AB-123");
    }

    #[test]
    fn a_reservation_names_every_missing_field() {
        let e = ReserveForm::default().parse(19).unwrap_err();
        let fields: Vec<&str> = e.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["Cart", "Name", "Phone", "Age"]);
        assert_eq!(e[3].message, "confirm you are 19 or older to reserve");
    }

    #[test]
    fn a_name_with_a_direction_override_or_too_long_is_refused() {
        let mut f = ReserveForm {
            name: "Robin\u{202E}".into(),
            phone: "416 555 0199".into(),
            age_confirmed: true,
            lines: vec![(ProductId::new(), Decimal::ONE)],
        };
        assert_eq!(f.parse(19).unwrap_err()[0].field, "Name");
        f.name = "R".repeat(ReserveForm::MAX_NAME + 1);
        assert_eq!(f.parse(19).unwrap_err()[0].field, "Name");
        f.name = "  Robin Tester ".into();
        let order = f.parse(19).unwrap();
        assert_eq!(order.customer_name, "Robin Tester");
        assert_eq!(order.lines.len(), 1);
    }
}
