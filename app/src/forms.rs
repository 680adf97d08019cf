//! What a person typed into a form, as plain values that parse into a domain command or a list of
//! field errors, each naming its field. No browser here: the rules are tested on the host
//! (`cargo test -p app`), and the components only bind inputs to these values and show the result.

mod counter;
mod packages;
mod stock;
mod typed;

use std::{fmt, str::FromStr};

use domain::{account::SELF_WITNESS, Quantity, RegulatorTag, Unit};
use rust_decimal::Decimal;

pub use counter::{ReserveForm, SellForm};
pub use packages::{AdjustForm, DestroyForm, MergeForm, MoveForm, SplitForm, Witnessed};
pub use stock::{CountLineForm, LineChoice, ReceiveForm};
pub use typed::follow;

/// One thing wrong with what was typed, naming the field as the form labels it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldError {
    /// The field's label ("Quantity", "Tag for part 2").
    pub field: String,
    /// What is wrong, in words.
    pub message: String,
}

impl FieldError {
    /// An error on `field`.
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        FieldError {
            field: field.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

/// A parsed form, or everything wrong with it.
pub type Parsed<T> = Result<T, Vec<FieldError>>;

/// The errors as one message for a form's banner, one per line.
pub fn message(errors: &[FieldError]) -> String {
    errors
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}

/// Most decimals a person may type for an amount in `unit`: items are whole, and no scale in a
/// store weighs finer than a milligram.
pub fn decimals(unit: Unit) -> u32 {
    match unit {
        Unit::Each => 0,
        _ => 3,
    }
}

/// An amount as typed: a number, with no more decimals than the unit takes.
fn number(field: &str, raw: &str, unit: Unit) -> Result<Decimal, FieldError> {
    let t = raw.trim();
    if t.is_empty() {
        return Err(FieldError::new(field, "enter an amount"));
    }
    let n = Decimal::from_str(t)
        .map_err(|_| FieldError::new(field, format!("\"{t}\" is not a number")))?;
    let places = decimals(unit);
    if n.normalize().scale() > places {
        return Err(FieldError::new(
            field,
            match places {
                0 => format!("{} is counted in whole items", unit.symbol()),
                p => format!("at most {p} decimals in {}", unit.symbol()),
            },
        ));
    }
    Ok(n)
}

/// A positive amount in `unit`.
pub fn positive(field: &str, raw: &str, unit: Unit) -> Result<Quantity, FieldError> {
    let n = number(field, raw, unit)?;
    if n <= Decimal::ZERO {
        return Err(FieldError::new(field, "must be more than 0"));
    }
    Ok(Quantity::new(n, unit))
}

/// An amount that may be zero (a count that found nothing), never negative.
pub fn counted(field: &str, raw: &str, unit: Unit) -> Result<Quantity, FieldError> {
    let n = number(field, raw, unit)?;
    if n < Decimal::ZERO {
        return Err(FieldError::new(field, "cannot be less than 0"));
    }
    Ok(Quantity::new(n, unit))
}

/// Refuses `q` when it is more than `limit` (what the package has to give).
pub fn at_most(field: &str, q: Quantity, limit: Decimal) -> Result<Quantity, FieldError> {
    if q.amount > limit {
        return Err(FieldError::new(
            field,
            format!(
                "{} is more than the {} available",
                crate::words::fmt_q(q),
                crate::words::fmt_q(Quantity::new(limit, q.unit))
            ),
        ));
    }
    Ok(q)
}

/// A regulator tag as typed or scanned.
pub fn tag(field: &str, raw: &str) -> Result<RegulatorTag, FieldError> {
    let t = raw.trim();
    if t.is_empty() {
        return Err(FieldError::new(field, "scan or type a tag"));
    }
    RegulatorTag::parse(t).map_err(|e| FieldError::new(field, e.to_string()))
}

/// Longest note or reason kept with a record (the domain's own bound).
pub const MAX_NOTE: usize = domain::text::MAX_NOTE;

/// Free text kept with a record: trimmed, bounded, and without control or direction-override
/// characters, by the domain's rule (`domain::text`), so the form refuses what the ledger would.
pub fn text(field: &str, raw: &str, max: usize) -> Result<Option<String>, FieldError> {
    let t = raw.trim();
    if t.is_empty() {
        return Ok(None);
    }
    if t.chars().count() > max {
        return Err(FieldError::new(field, format!("at most {max} characters")));
    }
    if let Some(c) = t.chars().find(|c| !domain::text::allowed(*c)) {
        return Err(FieldError::new(
            field,
            format!(
                "holds the invisible character U+{:04X}; retype it",
                c as u32
            ),
        ));
    }
    Ok(Some(t.to_owned()))
}

/// Collects the errors of several fields: every problem is shown at once, not one per tap.
#[derive(Default)]
pub struct Check(Vec<FieldError>);

impl Check {
    /// The field's value, remembering its error.
    pub fn take<T>(&mut self, r: Result<T, FieldError>) -> Option<T> {
        r.map_err(|e| self.0.push(e)).ok()
    }

    /// Records an error.
    pub fn fail(&mut self, e: FieldError) {
        self.0.push(e);
    }

    /// `value` when nothing failed.
    pub fn done<T>(self, value: impl FnOnce() -> Option<T>) -> Parsed<T> {
        if self.0.is_empty() {
            if let Some(v) = value() {
                return Ok(v);
            }
        }
        Err(self.0)
    }
}

/// A witness's sign-in as typed: both fields filled, and not the person signed in (`me`, their
/// email), which the tablet knows without asking the server.
pub fn witness_sign_in(email: &str, password: &str, me: Option<&str>) -> Result<(), FieldError> {
    if email.trim().is_empty() || password.is_empty() {
        return Err(FieldError::new(
            "Witness",
            "a second person signs with their own email and password",
        ));
    }
    if me.is_some_and(|me| me.trim().eq_ignore_ascii_case(email.trim())) {
        return Err(FieldError::new("Witness", SELF_WITNESS));
    }
    Ok(())
}

/// A package to parse forms against, shared by the forms' tests.
#[cfg(test)]
pub(crate) fn test_package(quantity: Quantity, zone: domain::Zone) -> domain::Package {
    use domain::{LabResult, LabState, PackageId, ProductId};
    domain::Package {
        id: PackageId::new(),
        tag: RegulatorTag::parse("1A4FF0100000022000000001").unwrap(),
        product_id: ProductId::new(),
        batch: "B1".into(),
        lab: LabResult {
            state: LabState::Passed,
            result_id: None,
            thc_percent: None,
            cbd_percent: None,
            tested_on: None,
        },
        packaged_on: chrono::NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(),
        expires_on: None,
        zone,
        status: domain::PackageStatus::Active,
        quantity,
        held: Decimal::ZERO,
        parents: vec![],
        children: vec![],
        manifest_number: None,
        created_at: chrono::DateTime::from_timestamp(0, 0).unwrap(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_witness_signs_with_both_fields_and_is_never_the_person_signed_in() {
        use super::{witness_sign_in, SELF_WITNESS};
        assert!(witness_sign_in("", "pw", None).is_err());
        assert!(witness_sign_in("w@store.test", "", None).is_err());
        let me = Some("Manager@Store.test");
        assert_eq!(
            witness_sign_in("  manager@store.TEST ", "pw", me)
                .unwrap_err()
                .message,
            SELF_WITNESS
        );
        assert!(witness_sign_in("w@store.test", "pw", me).is_ok());
    }

    use super::*;

    #[test]
    fn an_empty_amount_asks_for_one() {
        let e = positive("Quantity", "  ", Unit::Grams).unwrap_err();
        assert_eq!(e.to_string(), "Quantity: enter an amount");
    }

    #[test]
    fn letters_are_not_a_number() {
        let e = positive("Quantity", "3,5g", Unit::Grams).unwrap_err();
        assert_eq!(e.message, "\"3,5g\" is not a number");
    }

    #[test]
    fn zero_and_negative_amounts_are_refused_where_something_must_move() {
        assert_eq!(
            positive("Quantity", "0", Unit::Grams).unwrap_err().message,
            "must be more than 0"
        );
        assert_eq!(
            positive("Quantity", "-2", Unit::Grams).unwrap_err().message,
            "must be more than 0"
        );
    }

    #[test]
    fn a_count_may_find_nothing_but_never_less() {
        assert_eq!(
            counted("Counted", "0", Unit::Each).unwrap().amount,
            Decimal::ZERO
        );
        assert_eq!(
            counted("Counted", "-1", Unit::Each).unwrap_err().message,
            "cannot be less than 0"
        );
    }

    #[test]
    fn items_are_whole_and_grams_stop_at_the_milligram() {
        assert_eq!(
            positive("Quantity", "1.5", Unit::Each).unwrap_err().message,
            "ea is counted in whole items"
        );
        assert_eq!(
            positive("Quantity", "1.2345", Unit::Grams)
                .unwrap_err()
                .message,
            "at most 3 decimals in g"
        );
        // Trailing zeros are not precision: 2.500 g is 2.5 g.
        assert!(positive("Quantity", "2.5000", Unit::Grams).is_ok());
        assert!(positive("Quantity", "3.00", Unit::Each).is_ok());
    }

    #[test]
    fn more_than_available_names_both_amounts() {
        let q = Quantity::new(Decimal::from(12), Unit::Grams);
        let e = at_most("Quantity", q, Decimal::from(10)).unwrap_err();
        assert_eq!(
            e.to_string(),
            "Quantity: 12 g is more than the 10 g available"
        );
    }

    #[test]
    fn a_tag_of_the_wrong_shape_says_what_a_tag_is() {
        let e = tag("Tag", "1A4-123").unwrap_err();
        assert_eq!(e.field, "Tag");
        assert!(!e.message.is_empty());
        assert_eq!(tag("Tag", "").unwrap_err().message, "scan or type a tag");
        assert!(tag("Tag", " 1A4FF0100000022000000123 ").is_ok());
    }

    #[test]
    fn notes_refuse_control_and_direction_override_characters_and_are_bounded() {
        assert_eq!(text("Note", "  ", MAX_NOTE).unwrap(), None);
        assert!(text("Note", "bag\u{7}", MAX_NOTE)
            .unwrap_err()
            .message
            .contains("U+0007"));
        assert!(text("Note", "abc\u{202E}fed", MAX_NOTE)
            .unwrap_err()
            .message
            .contains("U+202E"));
        assert_eq!(
            text("Note", &"x".repeat(MAX_NOTE + 1), MAX_NOTE)
                .unwrap_err()
                .message,
            "at most 500 characters"
        );
        assert_eq!(
            text("Note", " two lines\nof note ", MAX_NOTE)
                .unwrap()
                .as_deref(),
            Some("two lines\nof note")
        );
    }
}
