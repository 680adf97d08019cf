//! The facility's Metrc adjustment reasons mapped to Pistil's: by name where the state's list
//! has Metrc's common name, by a person where it does not, and checked before anything is sent.

use chrono::{TimeZone, Utc};
use domain::{
    reason_map::{FacilityReason, ReasonMap},
    *,
};

fn list(names: &[&str]) -> Vec<FacilityReason> {
    names
        .iter()
        .map(|n| FacilityReason {
            name: (*n).into(),
            requires_note: false,
        })
        .collect()
}

fn adjusted(reason: AdjustReason) -> EventKind {
    EventKind::PackageAdjusted {
        package_id: PackageId::from_u128(1),
        delta: Quantity::grams(-1, 0),
        remaining: Quantity::grams(9, 0),
        reason,
        note: None,
        count_id: None,
    }
}

#[test]
fn names_match_whatever_their_letter_case_and_the_rest_wait_for_a_person() {
    let at = Utc.with_ymd_and_hms(2026, 12, 5, 12, 0, 0).unwrap();
    let m = ReasonMap::proposed(list(&["scale variance", "Moisture Loss", "Theft"]), at);
    assert_eq!(
        m.for_adjust(AdjustReason::ScaleVariance),
        Some("scale variance")
    );
    assert_eq!(m.for_adjust(AdjustReason::TheftOrLoss), Some("Theft"));
    // Metrc's common name for moisture loss is "Drying", which this list does not have.
    assert_eq!(m.for_adjust(AdjustReason::MoistureLoss), None);
    assert_eq!(m.destruction, None);
    assert_eq!(m.read_at, Some(at));
}

#[test]
fn reading_again_keeps_a_persons_choices_the_list_still_holds() {
    let at = Utc.with_ymd_and_hms(2026, 12, 5, 12, 0, 0).unwrap();
    let mut m = ReasonMap::proposed(list(&["Moisture Loss", "Waste", "Audit"]), at);
    m.adjust
        .insert(AdjustReason::MoistureLoss, "Moisture Loss".into());
    m.adjust
        .insert(AdjustReason::CountCorrection, "Audit".into());
    m.destruction = Some("Waste".into());
    m.check().unwrap();
    let again = m.reread(list(&["Moisture Loss", "Waste", "Drying"]), at);
    assert_eq!(
        again.for_adjust(AdjustReason::MoistureLoss),
        Some("Moisture Loss")
    );
    // "Audit" left the list, so the choice went with it.
    assert_eq!(again.for_adjust(AdjustReason::CountCorrection), None);
    assert_eq!(again.destruction.as_deref(), Some("Waste"));
}

#[test]
fn a_choice_the_facility_does_not_list_is_refused_by_name() {
    let at = Utc.with_ymd_and_hms(2026, 12, 5, 12, 0, 0).unwrap();
    let mut m = ReasonMap::proposed(list(&["Waste", "Theft"]), at);
    m.adjust.insert(AdjustReason::Sample, "Samples".into());
    let e = m.check().unwrap_err();
    assert_eq!(
        e.to_string(),
        "reasons: \"Samples\" is not one of the facility's Metrc adjustment reasons (Waste, Theft)"
    );
}

#[test]
fn a_change_with_an_unmapped_reason_is_named_and_one_with_a_mapped_reason_passes() {
    let at = Utc.with_ymd_and_hms(2026, 12, 5, 12, 0, 0).unwrap();
    let m = ReasonMap::proposed(list(&["Scale Variance"]), at);
    assert!(m
        .unmapped([&adjusted(AdjustReason::ScaleVariance)])
        .is_none());
    let e = m
        .unmapped([
            &adjusted(AdjustReason::ScaleVariance),
            &adjusted(AdjustReason::Sample),
        ])
        .unwrap();
    assert!(matches!(e, DomainError::ReasonNotMapped { .. }));
    assert!(
        e.to_string()
            .starts_with("sample has no Metrc adjustment reason for this facility"),
        "{e}"
    );
    let destroyed = EventKind::PackageDestroyed {
        package_id: PackageId::from_u128(1),
        quantity: Quantity::grams(1, 0),
        remaining: Quantity::grams(9, 0),
        reason: DestroyReason::Damage,
        method: DestroyMethod::Compost,
        note: None,
        witness: UserId::from_u128(2),
    };
    assert!(m
        .unmapped([&destroyed])
        .unwrap()
        .to_string()
        .starts_with("destruction has no"));
}
