//! The rule for a form filled from the server: what a person changed is never replaced by data
//! that arrives later; a field they left as the server last said follows the server's new answer.

use std::collections::BTreeMap;

/// Brings `typed` up to `after`, the server's new answer, keeping every field whose value differs
/// from `before` (the answer the form was last filled from): that one the person changed.
pub fn follow(
    typed: &mut BTreeMap<String, String>,
    before: &BTreeMap<String, String>,
    after: &BTreeMap<String, String>,
) {
    let keys: Vec<String> = typed
        .keys()
        .chain(before.keys())
        .chain(after.keys())
        .cloned()
        .collect();
    for key in keys {
        let as_last_said = typed.get(&key).map_or("", String::as_str)
            == before.get(&key).map_or("", String::as_str);
        if as_last_said {
            match after.get(&key) {
                Some(v) => typed.insert(key, v.clone()),
                None => typed.remove(&key),
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn a_field_the_person_changed_stays_and_the_rest_follow_the_server() {
        let before = map(&[("vault", "Vault A"), ("floor", "")]);
        // The person picked a floor location; the vault is as the server last said.
        let mut typed = map(&[("vault", "Vault A"), ("floor", "Front")]);
        let after = map(&[("vault", "Vault B"), ("floor", "Back")]);
        follow(&mut typed, &before, &after);
        assert_eq!(typed, map(&[("vault", "Vault B"), ("floor", "Front")]));
    }

    #[test]
    fn a_slow_first_answer_fills_only_what_is_still_empty() {
        // Nothing was loaded yet (before is empty); the person already chose one field.
        let mut typed = map(&[("waste", "Waste (Unusable Product)")]);
        let after = map(&[("waste", "Waste"), ("drying", "Drying")]);
        follow(&mut typed, &BTreeMap::new(), &after);
        assert_eq!(
            typed,
            map(&[("waste", "Waste (Unusable Product)"), ("drying", "Drying")])
        );
    }

    #[test]
    fn a_choice_the_person_cleared_stays_cleared_and_one_the_server_dropped_goes() {
        let before = map(&[("a", "One"), ("b", "Two")]);
        let mut typed = map(&[("a", ""), ("b", "Two")]);
        follow(&mut typed, &before, &map(&[("a", "One")]));
        assert_eq!(typed, map(&[("a", "")]));
    }
}
