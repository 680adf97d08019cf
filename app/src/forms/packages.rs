//! The package card's forms: split, merge, adjust, destroy and move.

use super::{at_most, positive, tag, text, Check, FieldError, Parsed, MAX_NOTE};
use domain::{
    account::User,
    command::{Adjust, Destroy, Merge, Move, NewPackage, Split, SplitAmounts},
    Action, AdjustReason, DestroyMethod, DestroyReason, Package, PackageId, Quantity, Zone,
};

/// A split as typed: how many parts, equal or per part, and a new tag for each.
#[derive(Clone, Debug, PartialEq)]
pub struct SplitForm {
    /// Number of parts.
    pub parts: String,
    /// Amounts per part rather than one total split equally.
    pub manual: bool,
    /// The total to split off, equally.
    pub total: String,
    /// Each part's amount, when `manual`.
    pub amounts: Vec<String>,
    /// Each part's new tag.
    pub tags: Vec<String>,
}

impl SplitForm {
    /// Most parts in one split.
    pub const MAX_PARTS: usize = 50;

    /// The form as it opens: two equal parts of everything available.
    pub fn new(package: &Package) -> Self {
        SplitForm {
            parts: "2".into(),
            manual: false,
            total: package.available().normalize().to_string(),
            amounts: vec![String::new(); Self::MAX_PARTS],
            tags: vec![String::new(); Self::MAX_PARTS],
        }
    }

    /// The number of parts, when it is one.
    pub fn count(&self) -> Option<usize> {
        self.parts
            .trim()
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=Self::MAX_PARTS).contains(n))
    }

    /// The split, or every field that is wrong.
    pub fn parse(&self, package: &Package) -> Parsed<Action> {
        let mut check = Check::default();
        let unit = package.quantity.unit;
        let n = check.take(self.count().ok_or_else(|| {
            FieldError::new(
                "Parts",
                format!("enter a whole number from 1 to {}", Self::MAX_PARTS),
            )
        }));
        let n = n.unwrap_or(0);
        let mut new_packages = Vec::with_capacity(n);
        for i in 0..n {
            let field = format!("Tag for part {}", i + 1);
            let raw = self.tags.get(i).map_or("", String::as_str);
            let Some(t) = check.take(tag(&field, raw)) else {
                continue;
            };
            if t == package.tag {
                check.fail(FieldError::new(&field, "is this package's own tag"));
            } else if let Some(j) = new_packages.iter().position(|p: &NewPackage| p.tag == t) {
                check.fail(FieldError::new(
                    &field,
                    format!("is already part {}'s", j + 1),
                ));
            }
            new_packages.push(NewPackage {
                package_id: PackageId::new(),
                tag: t,
            });
        }
        let available = package.available();
        let amounts = if self.manual {
            let mut v = Vec::with_capacity(n);
            for i in 0..n {
                let field = format!("Amount for part {}", i + 1);
                let raw = self.amounts.get(i).map_or("", String::as_str);
                v.extend(check.take(positive(&field, raw, unit)));
            }
            if v.len() == n {
                let sum = Quantity::new(v.iter().map(|q| q.amount).sum(), unit);
                check.take(at_most("Amounts together", sum, available));
            }
            Some(SplitAmounts::Manual { amounts: v })
        } else {
            check
                .take(
                    positive("Total to split off", &self.total, unit)
                        .and_then(|q| at_most("Total to split off", q, available)),
                )
                .map(|total| SplitAmounts::Equal { total })
        };
        check.done(|| {
            Some(Action::Split(Split {
                source: package.id,
                new_packages,
                amounts: amounts?,
            }))
        })
    }
}

/// A merge as chosen: the packages to join this one, and the merged package's tag.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MergeForm {
    /// The other packages, in the order chosen.
    pub chosen: Vec<PackageId>,
    /// The new package's tag.
    pub tag: String,
}

impl MergeForm {
    /// The merge of `this` with the chosen packages, or what is missing.
    pub fn parse(&self, this: &Package) -> Parsed<Action> {
        let mut check = Check::default();
        let others: Vec<PackageId> = self
            .chosen
            .iter()
            .copied()
            .filter(|id| *id != this.id)
            .collect();
        if others.is_empty() {
            check.fail(FieldError::new(
                "Packages",
                "choose at least one package to merge with this one",
            ));
        }
        let t = check.take(tag("Tag for the merged package", &self.tag));
        check.done(|| {
            let mut sources = vec![this.id];
            sources.extend(others);
            Some(Action::Merge(Merge {
                sources,
                into: NewPackage {
                    package_id: PackageId::new(),
                    tag: t?,
                },
            }))
        })
    }
}

/// An adjustment as typed.
#[derive(Clone, Debug, PartialEq)]
pub struct AdjustForm {
    /// Take away rather than add.
    pub remove: bool,
    /// How much.
    pub quantity: String,
    /// Why.
    pub reason: AdjustReason,
    /// The explanation some reasons need.
    pub note: String,
}

impl Default for AdjustForm {
    fn default() -> Self {
        AdjustForm {
            remove: true,
            quantity: String::new(),
            reason: AdjustReason::ALL[0],
            note: String::new(),
        }
    }
}

impl AdjustForm {
    /// The adjustment, or every field that is wrong.
    pub fn parse(&self, package: &Package) -> Parsed<Action> {
        let mut check = Check::default();
        let unit = package.quantity.unit;
        let q = check.take(positive("Quantity", &self.quantity, unit).and_then(|q| {
            if self.remove {
                at_most("Quantity", q, package.quantity.amount)
            } else {
                Ok(q)
            }
        }));
        let note = check.take(note_for(
            &self.note,
            self.reason.requires_note(),
            self.reason.label(),
        ));
        check.done(|| {
            let q = q?;
            let delta = if self.remove { -q.amount } else { q.amount };
            Some(Action::Adjust(Adjust {
                package_id: package.id,
                delta: Quantity::new(delta, unit),
                reason: self.reason,
                note: note?,
                count_id: None,
            }))
        })
    }
}

/// The note field: bounded plain text, required for some reasons.
fn note_for(raw: &str, required: bool, reason: &str) -> Result<Option<String>, FieldError> {
    let note = text("Note", raw, MAX_NOTE)?;
    if required && note.is_none() {
        return Err(FieldError::new(
            "Note",
            format!("say what happened: \"{reason}\" needs a note"),
        ));
    }
    Ok(note)
}

/// A destruction as typed, before the witness has confirmed.
#[derive(Clone, Debug, PartialEq)]
pub struct DestroyForm {
    /// How much.
    pub quantity: String,
    /// Why.
    pub reason: DestroyReason,
    /// How.
    pub method: DestroyMethod,
    /// The explanation some reasons need.
    pub note: String,
    /// The witness's sign-in email.
    pub witness_email: String,
    /// The witness's password.
    pub witness_password: String,
}

impl DestroyForm {
    /// The form as it opens: everything available, the first reason and method.
    pub fn new(package: &Package) -> Self {
        DestroyForm {
            quantity: package.available().normalize().to_string(),
            reason: DestroyReason::ALL[0],
            method: DestroyMethod::ALL[0],
            note: String::new(),
            witness_email: String::new(),
            witness_password: String::new(),
        }
    }

    /// What to destroy, ready for the witness to confirm, or every field that is wrong. `me` is
    /// the email of the person signed in, who cannot be their own witness.
    pub fn parse(&self, package: &Package, me: Option<&str>) -> Parsed<Witnessed> {
        let mut check = Check::default();
        let q = check.take(
            positive("Quantity", &self.quantity, package.quantity.unit)
                .and_then(|q| at_most("Quantity", q, package.available())),
        );
        let note = check.take(note_for(
            &self.note,
            self.reason.requires_note(),
            self.reason.label(),
        ));
        if let Err(e) = super::witness_sign_in(&self.witness_email, &self.witness_password, me) {
            check.fail(e);
        }
        check.done(|| {
            Some(Witnessed {
                package_id: package.id,
                quantity: q?,
                reason: self.reason,
                method: self.method,
                note: note?,
            })
        })
    }
}

/// A destruction that waits only for its witness.
#[derive(Clone, Debug, PartialEq)]
pub struct Witnessed {
    package_id: PackageId,
    quantity: Quantity,
    reason: DestroyReason,
    method: DestroyMethod,
    note: Option<String>,
}

impl Witnessed {
    /// How much is destroyed.
    pub fn quantity(&self) -> Quantity {
        self.quantity
    }

    /// The destruction as `actor` records it with `witness` beside them; a person cannot witness
    /// their own destruction.
    pub fn action(self, witness: &User, actor: domain::UserId) -> Result<Action, FieldError> {
        if witness.id == actor {
            return Err(FieldError::new(
                "Witness",
                "must be someone other than the person destroying",
            ));
        }
        Ok(Action::Destroy(Destroy {
            package_id: self.package_id,
            quantity: self.quantity,
            reason: self.reason,
            method: self.method,
            witness: witness.id,
            note: self.note,
        }))
    }
}

/// A move to the other zone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MoveForm {
    /// Where to.
    pub to: Zone,
}

impl MoveForm {
    /// The move the card offers: to the zone the package is not in.
    pub fn across(package: &Package) -> Self {
        MoveForm {
            to: match package.zone {
                Zone::Vault => Zone::SalesFloor,
                Zone::SalesFloor => Zone::Vault,
            },
        }
    }

    /// The move, or why there is nothing to move.
    pub fn parse(&self, package: &Package) -> Parsed<Action> {
        if package.zone == self.to {
            return Err(vec![FieldError::new(
                "Destination",
                format!("the package is already in the {}", self.to.label()),
            )]);
        }
        Ok(Action::Move(Move {
            package_id: package.id,
            to: self.to,
        }))
    }
}

#[cfg(test)]
mod tests {
    use domain::{account::Role, Unit};
    use rust_decimal::Decimal;

    use super::*;

    fn tag_no(n: u32) -> String {
        format!("1A4FF0100000022000{n:06}")
    }

    fn package(grams: i64) -> Package {
        crate::forms::test_package(
            Quantity::new(Decimal::from(grams), Unit::Grams),
            Zone::Vault,
        )
    }

    fn fields(r: Parsed<impl std::fmt::Debug>) -> Vec<String> {
        r.unwrap_err().into_iter().map(|e| e.field).collect()
    }

    fn user(id: domain::UserId) -> User {
        User {
            id,
            email: "w@store.test".into(),
            name: "Wren".into(),
            role: Role::Manager,
        }
    }

    #[test]
    fn an_equal_split_becomes_the_command_with_one_new_tag_per_part() {
        let p = package(100);
        let mut f = SplitForm::new(&p);
        f.parts = "2".into();
        f.total = "40".into();
        f.tags[0] = tag_no(2);
        f.tags[1] = tag_no(3);
        let Action::Split(s) = f.parse(&p).unwrap() else {
            panic!("not a split")
        };
        assert_eq!(s.source, p.id);
        assert_eq!(s.new_packages.len(), 2);
        assert_eq!(
            s.amounts,
            SplitAmounts::Equal {
                total: Quantity::new(Decimal::from(40), Unit::Grams)
            }
        );
    }

    #[test]
    fn a_split_names_every_wrong_field_at_once() {
        let p = package(100);
        let mut f = SplitForm::new(&p);
        f.parts = "3".into();
        f.total = "abc".into();
        f.tags[0] = tag_no(2);
        f.tags[1] = "1A4-SHORT".into();
        f.tags[2] = tag_no(2);
        assert_eq!(
            fields(f.parse(&p)),
            ["Tag for part 2", "Tag for part 3", "Total to split off"]
        );
    }

    #[test]
    fn a_split_of_zero_or_too_many_parts_asks_for_a_number_in_range() {
        let p = package(100);
        for parts in ["0", "51", "two", "", "-1"] {
            let mut f = SplitForm::new(&p);
            f.parts = parts.into();
            assert_eq!(fields(f.parse(&p)), ["Parts"], "{parts:?}");
        }
    }

    #[test]
    fn a_split_may_not_take_more_than_the_package_has_free() {
        let mut p = package(100);
        p.held = Decimal::from(30);
        let mut f = SplitForm::new(&p);
        f.total = "80".into();
        f.tags[0] = tag_no(2);
        f.tags[1] = tag_no(3);
        let e = f.parse(&p).unwrap_err();
        assert_eq!(
            e[0].to_string(),
            "Total to split off: 80 g is more than the 70 g available"
        );
    }

    #[test]
    fn a_split_by_part_checks_each_amount_and_their_sum() {
        let p = package(10);
        let mut f = SplitForm::new(&p);
        f.manual = true;
        f.tags[0] = tag_no(2);
        f.tags[1] = tag_no(3);
        f.amounts[0] = "6".into();
        f.amounts[1] = "5".into();
        assert_eq!(fields(f.parse(&p)), ["Amounts together"]);
        f.amounts[1] = "0".into();
        assert_eq!(fields(f.parse(&p)), ["Amount for part 2"]);
        f.amounts[1] = "4".into();
        assert!(f.parse(&p).is_ok());
    }

    #[test]
    fn a_part_cannot_reuse_the_source_packages_tag() {
        let p = package(100);
        let mut f = SplitForm::new(&p);
        f.parts = "1".into();
        f.total = "5".into();
        f.tags[0] = p.tag.to_string();
        assert_eq!(fields(f.parse(&p)), ["Tag for part 1"]);
    }

    #[test]
    fn a_merge_needs_another_package_and_a_tag() {
        let p = package(10);
        let f = MergeForm {
            chosen: vec![p.id],
            tag: String::new(),
        };
        assert_eq!(
            fields(f.parse(&p)),
            ["Packages", "Tag for the merged package"]
        );
        let other = PackageId::new();
        let f = MergeForm {
            chosen: vec![other],
            tag: tag_no(9),
        };
        let Action::Merge(m) = f.parse(&p).unwrap() else {
            panic!("not a merge")
        };
        assert_eq!(m.sources, vec![p.id, other]);
    }

    #[test]
    fn removing_more_than_the_package_holds_is_refused_adding_is_not() {
        let p = package(10);
        let mut f = AdjustForm {
            quantity: "12".into(),
            ..AdjustForm::default()
        };
        assert_eq!(fields(f.parse(&p)), ["Quantity"]);
        f.remove = false;
        let Action::Adjust(a) = f.parse(&p).unwrap() else {
            panic!("not an adjustment")
        };
        assert_eq!(a.delta.amount, Decimal::from(12));
    }

    #[test]
    fn a_removal_is_a_negative_delta() {
        let p = package(10);
        let f = AdjustForm {
            quantity: "1.5".into(),
            ..AdjustForm::default()
        };
        let Action::Adjust(a) = f.parse(&p).unwrap() else {
            panic!("not an adjustment")
        };
        assert_eq!(a.delta.amount, Decimal::new(-15, 1));
        assert_eq!(a.note, None);
    }

    #[test]
    fn a_reason_that_needs_a_note_says_so() {
        let p = package(10);
        let f = AdjustForm {
            quantity: "1".into(),
            reason: AdjustReason::TheftOrLoss,
            ..AdjustForm::default()
        };
        let e = f.parse(&p).unwrap_err();
        assert_eq!(e[0].field, "Note");
        assert!(e[0].message.contains("needs a note"), "{}", e[0]);
    }

    #[test]
    fn too_many_decimals_in_an_adjustment_are_refused() {
        let p = package(10);
        let f = AdjustForm {
            quantity: "0.0005".into(),
            ..AdjustForm::default()
        };
        assert_eq!(
            f.parse(&p).unwrap_err()[0].message,
            "at most 3 decimals in g"
        );
    }

    #[test]
    fn a_destruction_needs_a_witness_who_is_not_the_actor() {
        let p = package(10);
        let mut f = DestroyForm::new(&p);
        assert_eq!(fields(f.parse(&p, None)), ["Witness"]);
        // Typing one's own email is caught on the tablet, before any request.
        f.witness_email = "Me@Store.test".into();
        f.witness_password = "secret".into();
        assert_eq!(fields(f.parse(&p, Some("me@store.test"))), ["Witness"]);
        f.witness_email = "w@store.test".into();
        let me = domain::UserId::new();
        let e = f
            .parse(&p, None)
            .unwrap()
            .action(&user(me), me)
            .unwrap_err();
        assert_eq!(e.field, "Witness");
        let Action::Destroy(d) = f
            .parse(&p, Some("me@store.test"))
            .unwrap()
            .action(&user(domain::UserId::new()), me)
            .unwrap()
        else {
            panic!("not a destruction")
        };
        assert_eq!(d.quantity.amount, Decimal::from(10));
    }

    #[test]
    fn a_destruction_of_more_than_is_free_is_refused() {
        let mut p = package(10);
        p.held = Decimal::from(4);
        let mut f = DestroyForm::new(&p);
        f.quantity = "7".into();
        f.witness_email = "w@store.test".into();
        f.witness_password = "secret".into();
        assert_eq!(fields(f.parse(&p, None)), ["Quantity"]);
    }

    #[test]
    fn a_move_goes_to_the_other_zone_and_never_to_where_it_is() {
        let p = package(10);
        assert_eq!(MoveForm::across(&p).to, Zone::SalesFloor);
        assert!(MoveForm::across(&p).parse(&p).is_ok());
        let e = MoveForm { to: Zone::Vault }.parse(&p).unwrap_err();
        assert_eq!(e[0].field, "Destination");
    }
}
