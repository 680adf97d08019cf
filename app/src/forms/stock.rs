//! Stock coming in and being counted: a manifest's check-in, one line of a count sheet.

use domain::{
    account::User,
    command::{LineDecision, Receive, ReceiveLine, RecordCount},
    wire::IncomingManifest,
    Action, AdjustReason, CountId, LabResult, PackageId, Unit, UserId,
};

use super::{counted, positive, tag, text, Check, FieldError, Parsed, MAX_NOTE};

/// What the receiver decided for one manifest line, as chosen.
#[derive(Clone, Debug, PartialEq)]
pub enum LineChoice {
    /// Accept as shipped.
    Accept,
    /// Accept what actually arrived.
    Adjust {
        /// The quantity received.
        received: String,
        /// Why it differs.
        reason: AdjustReason,
        /// A note, where the reason needs one.
        note: String,
    },
    /// Refuse the line.
    Reject {
        /// Why.
        reason: String,
    },
}

/// A manifest's check-in: one choice per line.
#[derive(Clone, Debug, PartialEq)]
pub struct ReceiveForm {
    /// The choices, in the manifest's order.
    pub choices: Vec<LineChoice>,
}

impl ReceiveForm {
    /// Every line accepted as shipped.
    pub fn new(manifest: &IncomingManifest) -> Self {
        ReceiveForm {
            choices: vec![LineChoice::Accept; manifest.lines.len()],
        }
    }

    /// The receipt, or every line that is wrong. A line with no product mapping can only be
    /// rejected. `today`: the packaging date of a line the regulator gives none.
    pub fn parse(&self, manifest: &IncomingManifest, today: chrono::NaiveDate) -> Parsed<Action> {
        let mut check = Check::default();
        let mut lines = Vec::new();
        for (i, l) in manifest.lines.iter().enumerate() {
            let field = format!("Line {} ({})", i + 1, l.tag);
            let choice = self.choices.get(i).unwrap_or(&LineChoice::Accept);
            let decision = match choice {
                LineChoice::Accept => Some(LineDecision::Accept),
                LineChoice::Reject { reason } => check
                    .take(text(&field, reason, MAX_NOTE).and_then(|r| {
                        r.ok_or_else(|| FieldError::new(&field, "say why it is rejected"))
                    }))
                    .map(|reason| LineDecision::Reject { reason }),
                LineChoice::Adjust {
                    received,
                    reason,
                    note,
                } => {
                    let q = check.take(positive(&field, received, l.shipped.unit));
                    let note = check.take(text(&field, note, MAX_NOTE).and_then(|n| {
                        if reason.requires_note() && n.is_none() {
                            Err(FieldError::new(
                                &field,
                                format!("\"{}\" needs a note", reason.label()),
                            ))
                        } else {
                            Ok(n)
                        }
                    }));
                    q.zip(note)
                        .map(|(received, note)| LineDecision::AcceptAdjusted {
                            received,
                            reason: *reason,
                            note,
                        })
                }
            };
            let Some(decision) = decision else {
                continue;
            };
            let Some(product_id) = l.product_id else {
                if !matches!(decision, LineDecision::Reject { .. }) {
                    let why = l
                        .problem
                        .clone()
                        .unwrap_or_else(|| "no product matches it".into());
                    check.fail(FieldError::new(
                        &field,
                        format!("{why}; reject it or map it"),
                    ));
                }
                continue;
            };
            let Some(t) = check.take(tag(&field, &l.tag)) else {
                continue;
            };
            lines.push(ReceiveLine {
                package_id: PackageId::new(),
                tag: t,
                product_id,
                shipped: l.shipped,
                batch: format!("Manifest {}", manifest.manifest_number),
                lab: LabResult {
                    state: l.lab,
                    result_id: None,
                    thc_percent: None,
                    cbd_percent: None,
                    tested_on: None,
                },
                packaged_on: l.packaged_on.unwrap_or(today),
                expires_on: None,
                decision,
            });
        }
        check.done(|| {
            Some(Action::Receive(Receive {
                manifest_number: manifest.manifest_number.clone(),
                lines,
            }))
        })
    }
}

/// One line of a count sheet: what the counter found.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CountLineForm {
    /// The amount found.
    pub counted: String,
}

impl CountLineForm {
    /// The recorded count, or what is wrong. A count is witnessed by someone other than the
    /// counter.
    pub fn parse(
        &self,
        count_id: CountId,
        package_id: PackageId,
        unit: Unit,
        witness: Option<&User>,
        actor: UserId,
    ) -> Parsed<Action> {
        let mut check = Check::default();
        let q = check.take(counted("Counted", &self.counted, unit));
        let w = check.take(match witness {
            None => Err(FieldError::new("Witness", "confirm a witness first")),
            Some(w) if w.id == actor => Err(FieldError::new(
                "Witness",
                "must be someone other than the counter",
            )),
            Some(w) => Ok(w.id),
        });
        check.done(|| {
            Some(Action::RecordCount(RecordCount {
                count_id,
                package_id,
                counted: q?,
                witness: w?,
            }))
        })
    }
}

#[cfg(test)]
mod tests {
    use domain::{account::Role, wire::IncomingLine, LabState, ProductId, Quantity};
    use rust_decimal::Decimal;

    use super::*;

    fn manifest() -> IncomingManifest {
        let line = |n: u32, product: Option<ProductId>| IncomingLine {
            tag: format!("1A4FF0100000022000{n:06}"),
            item_name: "Flower".into(),
            shipped: Quantity::new(Decimal::from(100), Unit::Grams),
            packaged_on: None,
            product_id: product,
            lab: LabState::Passed,
            problem: product
                .is_none()
                .then(|| "no product maps this item".into()),
        };
        IncomingManifest {
            manifest_number: "0000123".into(),
            shipper: None,
            lines: vec![line(1, Some(ProductId::new())), line(2, None)],
        }
    }

    fn today() -> chrono::NaiveDate {
        chrono::NaiveDate::from_ymd_opt(2026, 12, 5).unwrap()
    }

    #[test]
    fn an_unmapped_line_must_be_rejected_and_a_rejection_needs_a_reason() {
        let m = manifest();
        let mut f = ReceiveForm::new(&m);
        let e = f.parse(&m, today()).unwrap_err();
        assert_eq!(e.len(), 1);
        assert!(e[0]
            .to_string()
            .starts_with("Line 2 (1A4FF0100000022000000002): no product"));
        f.choices[1] = LineChoice::Reject { reason: " ".into() };
        assert_eq!(
            f.parse(&m, today()).unwrap_err()[0].message,
            "say why it is rejected"
        );
        f.choices[1] = LineChoice::Reject {
            reason: "not ordered".into(),
        };
        let Action::Receive(r) = f.parse(&m, today()).unwrap() else {
            panic!("not a receipt")
        };
        assert_eq!(
            r.lines.len(),
            1,
            "the rejected unmapped line is not a package"
        );
        assert_eq!(r.lines[0].packaged_on, today());
    }

    #[test]
    fn a_short_delivery_is_a_positive_amount_with_its_reasons_note() {
        let m = manifest();
        let mut f = ReceiveForm::new(&m);
        f.choices[1] = LineChoice::Reject {
            reason: "not ordered".into(),
        };
        f.choices[0] = LineChoice::Adjust {
            received: "-3".into(),
            reason: AdjustReason::TheftOrLoss,
            note: String::new(),
        };
        let e = f.parse(&m, today()).unwrap_err();
        assert_eq!(e.len(), 2, "{e:?}");
        f.choices[0] = LineChoice::Adjust {
            received: "97.5".into(),
            reason: AdjustReason::TheftOrLoss,
            note: "seal broken".into(),
        };
        let Action::Receive(r) = f.parse(&m, today()).unwrap() else {
            panic!("not a receipt")
        };
        assert!(matches!(
            r.lines[0].decision,
            LineDecision::AcceptAdjusted { .. }
        ));
    }

    #[test]
    fn a_count_line_may_be_zero_and_needs_another_persons_witness() {
        let me = UserId::new();
        let w = User {
            id: UserId::new(),
            email: "w@store.test".into(),
            name: "Wren".into(),
            role: Role::Staff,
        };
        let f = CountLineForm {
            counted: "0".into(),
        };
        let (c, p) = (CountId::new(), PackageId::new());
        assert!(f.parse(c, p, Unit::Each, Some(&w), me).is_ok());
        let fields = |r: Parsed<Action>| {
            r.unwrap_err()
                .into_iter()
                .map(|e| e.field)
                .collect::<Vec<_>>()
        };
        assert_eq!(fields(f.parse(c, p, Unit::Each, None, me)), ["Witness"]);
        assert_eq!(
            fields(f.parse(c, p, Unit::Each, Some(&w), w.id)),
            ["Witness"]
        );
        let typo = CountLineForm {
            counted: "1O".into(),
        };
        assert_eq!(
            fields(typo.parse(c, p, Unit::Each, Some(&w), me)),
            ["Counted"]
        );
    }
}
