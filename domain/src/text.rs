//! Free text kept in the ledger (notes, names, reasons): bounded, and free of control and
//! direction-override characters, which would make an auditor's copy read differently from what
//! was typed. The same rule judges a tablet's command, an API call and a form.

use crate::{command::*, DomainError};

/// Longest note or reason.
pub const MAX_NOTE: usize = 500;
/// Longest name called at the counter.
pub const MAX_CUSTOMER_NAME: usize = 80;
/// Longest name, SKU, brand, batch or manifest number.
pub const MAX_NAME: usize = 200;

/// Whether `c` may appear in kept text: no control characters but a line break or a tab, no
/// bidirectional embedding, override or isolate.
pub fn allowed(c: char) -> bool {
    !((c.is_control() && c != '\n' && c != '\t')
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'))
}

/// Checks one field's text, naming the field.
pub fn check(field: &str, text: &str, max: usize) -> Result<(), DomainError> {
    let wrong = |message: String| DomainError::InvalidInput {
        field: field.into(),
        message,
    };
    let len = text.chars().count();
    if len > max {
        return Err(wrong(format!("at most {max} characters; got {len}")));
    }
    if let Some(c) = text.chars().find(|c| !allowed(*c)) {
        return Err(wrong(format!(
            "holds the invisible character U+{:04X}; retype it",
            c as u32
        )));
    }
    Ok(())
}

fn note(field: &str, text: &Option<String>) -> Result<(), DomainError> {
    text.as_deref()
        .map_or(Ok(()), |t| check(field, t, MAX_NOTE))
}

/// Checks every free-text field a command carries.
pub fn check_action(action: &Action) -> Result<(), DomainError> {
    match action {
        Action::ConfigureStore(c) => check("name", &c.name, MAX_NAME),
        Action::DefineProduct(p) => {
            check("sku", &p.sku, MAX_NAME)?;
            check("name", &p.name, MAX_NAME)?;
            check("brand", &p.brand, MAX_NAME)?;
            check("vendor", &p.vendor, MAX_NAME)?;
            p.upc
                .as_deref()
                .map_or(Ok(()), |u| check("upc", u, MAX_NAME))
        }
        Action::Receive(r) => {
            check("manifest_number", &r.manifest_number, MAX_NAME)?;
            for (i, l) in r.lines.iter().enumerate() {
                check(&format!("lines[{i}].batch"), &l.batch, MAX_NAME)?;
                match &l.decision {
                    LineDecision::Accept => {}
                    LineDecision::AcceptAdjusted { note: n, .. } => {
                        note(&format!("lines[{i}].note"), n)?
                    }
                    LineDecision::Reject { reason } => {
                        check(&format!("lines[{i}].reason"), reason, MAX_NOTE)?
                    }
                }
            }
            Ok(())
        }
        Action::Destroy(d) => note("note", &d.note),
        Action::Adjust(a) => note("note", &a.note),
        Action::Reserve(r) => check("customer_name", &r.customer_name, MAX_CUSTOMER_NAME),
        Action::SettleRelay(s) => note("note", &s.note),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_breaks_and_accents_are_text_bells_and_overrides_are_not() {
        assert!(check("note", "Bag torn,\nre-weighed: 3,5 g — Zoë", MAX_NOTE).is_ok());
        for bad in ["\u{0}", "\u{7}", "a\u{202E}b", "\u{2066}x", "\u{1b}[31m"] {
            assert!(check("note", bad, MAX_NOTE).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn length_is_counted_in_characters_not_bytes() {
        assert!(check("customer_name", &"é".repeat(80), MAX_CUSTOMER_NAME).is_ok());
        let e = check("customer_name", &"é".repeat(81), MAX_CUSTOMER_NAME).unwrap_err();
        assert_eq!(
            e.to_string(),
            "customer_name: at most 80 characters; got 81"
        );
    }
}
