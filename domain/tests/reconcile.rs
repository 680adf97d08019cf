//! Reconciliation diagnoses, one cause at a time, and the rule that no quantity change is proposed
//! while an earlier cause is present.

mod support;

use chrono::{TimeZone, Utc};
use domain::{count::CountScope, reconcile::*, *};
use proptest::prelude::*;
use rust_decimal::Decimal;
use support::*;

fn mapped_preroll() -> Product {
    let mut p = product(PREROLL, "Blue Dream Pre-roll", Category::PreRoll);
    p.regulator = Some(RegulatorMapping {
        item_name: "BD Pre-roll 0.5g".into(),
        item_category: "Pre-Roll Flower".into(),
        unit_of_measure: Unit::Each,
        unit_weight: Some(g("0.5")),
        unit_weight_definition: UnitWeightDefinition::NetCannabis,
        strain: None,
    });
    p
}

fn at_regulator(label: &str, quantity: i64) -> RegulatorPackage<'_> {
    RegulatorPackage {
        label,
        quantity: Decimal::from(quantity),
        unit: "Each",
        item_name: "BD Pre-roll 0.5g",
        item_category: "Pre-Roll Flower",
        unit_weight: Some(Decimal::new(5, 1)),
        unit_weight_unit: Some("Grams"),
    }
}

fn a_package(quantity: i64) -> Package {
    let mut s = Store::new();
    let id = s.receive(&[(PREROLL, each(quantity), "B-1")])[0];
    s.pkg(id).clone()
}

fn facts<'a>(
    package: &'a Package,
    product: &'a Product,
    reg: Option<&RegulatorPackage<'a>>,
) -> PackageFacts<'a> {
    PackageFacts {
        package,
        product,
        regulator: reg.copied(),
        in_flight: None,
        refused: None,
        duplicates: vec![],
        count: None,
    }
}

fn since() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 30, 9, 0, 0).unwrap()
}

fn counted(n: i64, expected: i64) -> CountFigure {
    CountFigure {
        count_id: CountId::from_u128(7),
        counted: each(n),
        expected: each(expected),
        at: since(),
        corrected: false,
    }
}

#[test]
fn ledger_and_regulator_that_agree_need_nothing() {
    let pkg = a_package(100);
    let prod = mapped_preroll();
    let reg = at_regulator(pkg.tag.as_str(), 100);
    assert_eq!(
        diagnose(None, &facts(&pkg, &prod, Some(&reg))),
        Diagnosis::InAgreement
    );
}

#[test]
fn a_halted_sync_questions_no_count() {
    let pkg = a_package(100);
    let prod = mapped_preroll();
    let reg = at_regulator(pkg.tag.as_str(), 90);
    let halt = SyncHalt::AuthFailed {
        since: since(),
        cause: "the user key has expired".into(),
    };
    let mut f = facts(&pkg, &prod, Some(&reg));
    f.count = Some(counted(90, 100));
    let d = diagnose(Some(&halt), &f);
    assert_eq!(d, Diagnosis::SyncHalted { halt });
    assert!(!d.proposes_adjustment());
}

#[test]
fn a_pre_roll_weighed_gross_at_the_regulator_is_a_mapping_problem_named_as_such() {
    let pkg = a_package(100);
    let prod = mapped_preroll();
    let mut reg = at_regulator(pkg.tag.as_str(), 100);
    reg.unit_weight = Some(Decimal::new(65, 2));
    match diagnose(None, &facts(&pkg, &prod, Some(&reg))) {
        Diagnosis::Mapping { problem } => assert_eq!(
            problem,
            "unit weight differs: Blue Dream Pre-roll maps 0.5 g (net cannabis) per item, the regulator's item \"BD Pre-roll 0.5g\" says 0.65 Grams: that is this product's gross weight with paper and filter"
        ),
        other => panic!("expected a mapping diagnosis, got {other:?}"),
    }
}

#[test]
fn an_unmapped_product_a_wrong_item_and_a_wrong_unit_are_mapping_problems() {
    let pkg = a_package(100);
    let mut unmapped = mapped_preroll();
    unmapped.regulator = None;
    let reg = at_regulator(pkg.tag.as_str(), 100);
    assert!(matches!(
        diagnose(None, &facts(&pkg, &unmapped, Some(&reg))),
        Diagnosis::Mapping { problem } if problem.contains("is not mapped")
    ));
    let prod = mapped_preroll();
    let mut other_item = reg;
    other_item.item_name = "Some Other Item";
    assert!(matches!(
        diagnose(None, &facts(&pkg, &prod, Some(&other_item))),
        Diagnosis::Mapping { problem } if problem.contains("as item \"Some Other Item\"")
    ));
    let mut grams = reg;
    grams.unit = "Grams";
    assert!(matches!(
        diagnose(None, &facts(&pkg, &prod, Some(&grams))),
        Diagnosis::Mapping { problem } if problem.contains("measures this package in Grams")
    ));
}

#[test]
fn a_change_still_in_the_outbox_means_wait() {
    let pkg = a_package(100);
    let prod = mapped_preroll();
    let reg = at_regulator(pkg.tag.as_str(), 104);
    let mut f = facts(&pkg, &prod, Some(&reg));
    f.in_flight = Some(InFlight {
        changes: 1,
        oldest: since(),
    });
    f.duplicates = vec![Duplicate {
        kind: DuplicateKind::Receipt,
        reference: "r".into(),
        regulator_id: 1,
        quantity: Decimal::from(4),
    }];
    assert!(matches!(diagnose(None, &f), Diagnosis::Timing { .. }));
}

#[test]
fn a_receipt_recorded_twice_is_a_duplicate_to_void_not_a_count_to_adjust() {
    let pkg = a_package(100);
    let prod = mapped_preroll();
    let reg = at_regulator(pkg.tag.as_str(), 96);
    let mut f = facts(&pkg, &prod, Some(&reg));
    f.duplicates = vec![Duplicate {
        kind: DuplicateKind::Receipt,
        reference: "r-1".into(),
        regulator_id: 42,
        quantity: Decimal::from(4),
    }];
    f.count = Some(counted(96, 100));
    let d = diagnose(None, &f);
    assert!(
        matches!(&d, Diagnosis::Duplication { duplicates } if duplicates[0].regulator_id == 42)
    );
    assert!(!d.proposes_adjustment());
}

#[test]
fn a_genuine_shrink_proposes_a_count_correction_citing_the_count() {
    let pkg = a_package(100);
    let prod = mapped_preroll();
    let reg = at_regulator(pkg.tag.as_str(), 100);
    let mut f = facts(&pkg, &prod, Some(&reg));
    f.count = Some(counted(97, 100));
    match diagnose(None, &f) {
        Diagnosis::Variance {
            regulator_gap,
            count_gap,
            proposal: Some(adj),
        } => {
            assert_eq!(regulator_gap, None);
            assert_eq!(count_gap, Some(Decimal::from(-3)));
            assert_eq!(adj.delta, each(-3));
            assert_eq!(adj.reason, AdjustReason::CountCorrection);
            assert_eq!(adj.count_id, Some(CountId::from_u128(7)));
        }
        other => panic!("expected a proposed adjustment, got {other:?}"),
    }
}

#[test]
fn an_unexplained_regulator_gap_without_a_count_asks_for_a_count_not_an_adjustment() {
    let pkg = a_package(100);
    let prod = mapped_preroll();
    let reg = at_regulator(pkg.tag.as_str(), 98);
    let d = diagnose(None, &facts(&pkg, &prod, Some(&reg)));
    assert_eq!(
        d,
        Diagnosis::Variance {
            regulator_gap: Some(Decimal::from(2)),
            count_gap: None,
            proposal: None
        }
    );
}

#[test]
fn a_count_already_corrected_is_no_longer_a_variance() {
    let pkg = a_package(97);
    let prod = mapped_preroll();
    let reg = at_regulator(pkg.tag.as_str(), 97);
    let mut f = facts(&pkg, &prod, Some(&reg));
    let mut c = counted(97, 100);
    c.corrected = true;
    f.count = Some(c);
    assert_eq!(diagnose(None, &f), Diagnosis::InAgreement);
}

#[test]
fn the_state_remembers_the_last_count_of_a_package() {
    let mut s = Store::new();
    let id = s.receive(&[(PREROLL, each(10), "B-1")])[0];
    let count = CountId::new();
    s.ok(Action::PlanCount(command::PlanCount {
        count_id: count,
        scope: CountScope::Packages(vec![id]),
    }));
    assert!(s.state.last_count(&id).is_none());
    s.ok(Action::RecordCount(command::RecordCount {
        count_id: count,
        package_id: id,
        counted: each(9),
        witness: WITNESS,
    }));
    let (cid, _, entry) = s.state.last_count(&id).unwrap();
    assert_eq!(cid, count);
    assert_eq!(entry.counted, each(9));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Whatever else is true of a package, an earlier cause wins and only a variance proposes a change.
    #[test]
    fn no_quantity_change_is_proposed_while_an_earlier_cause_is_present(
        halted in any::<bool>(),
        mapped in any::<bool>(),
        gross in any::<bool>(),
        in_flight in any::<bool>(),
        duplicated in any::<bool>(),
        reg_qty in 90i64..110,
        count in proptest::option::of(90i64..110),
    ) {
        let pkg = a_package(100);
        let mut prod = mapped_preroll();
        if !mapped { prod.regulator = None; }
        let mut reg = at_regulator(pkg.tag.as_str(), reg_qty);
        if gross { reg.unit_weight = Some(Decimal::new(65, 2)); }
        let halt = SyncHalt::RegulatorDown { since: since(), cause: "no answer".into() };
        let mut f = facts(&pkg, &prod, Some(&reg));
        if in_flight { f.in_flight = Some(InFlight { changes: 2, oldest: since() }); }
        if duplicated {
            f.duplicates = vec![Duplicate { kind: DuplicateKind::Receipt, reference: "r".into(), regulator_id: 9, quantity: Decimal::ONE }];
        }
        f.count = count.map(|n| counted(n, 100));
        let d = diagnose(halted.then_some(&halt), &f);
        let expected_rank = if halted { 1 } else if !mapped || gross { 2 } else if in_flight { 3 } else if duplicated { 4 } else { d.rank() };
        prop_assert_eq!(d.rank(), expected_rank);
        if d.proposes_adjustment() {
            prop_assert!(!halted && mapped && !gross && !in_flight && !duplicated);
            prop_assert!(count.is_some_and(|n| n != 100));
        }
        if !halted && mapped && !gross && !in_flight && !duplicated {
            let agrees = reg_qty == 100 && count.is_none_or(|n| n == 100);
            prop_assert_eq!(d == Diagnosis::InAgreement, agrees);
        }
    }
}

#[test]
fn alerts_name_a_variance_over_threshold_and_holds_and_packages_about_to_lapse() {
    use domain::alerts::{from_state, AlertKind};
    let mut s = Store::new();
    let id = s.receive(&[(PREROLL, each(100), "B-1")])[0];
    let count = CountId::new();
    s.ok(Action::PlanCount(command::PlanCount {
        count_id: count,
        scope: CountScope::Packages(vec![id]),
    }));
    assert!(from_state(&s.state, at(), 30).is_empty());
    s.ok(Action::RecordCount(command::RecordCount {
        count_id: count,
        package_id: id,
        counted: each(80),
        witness: WITNESS,
    }));
    let alerts = from_state(&s.state, at(), 30);
    assert_eq!(alerts.len(), 1);
    assert_eq!(alerts[0].kind, AlertKind::VarianceOverThreshold);
    assert!(alerts[0].urgent);
    assert_eq!(
        alerts[0].message,
        "count of 1 package: 1 package over the 2% variance threshold (1A4…1002); a different counter must recount"
    );
    // Expiry: a package whose date is within the window raises the expiry alert.
    let mut soon = s.state.clone();
    soon.packages.get_mut(&id).unwrap().expires_on =
        Some(at().date_naive() + chrono::Duration::days(3));
    let alerts = from_state(&soon, at(), 30);
    let expiring = alerts
        .iter()
        .find(|a| a.kind == AlertKind::PackagesExpiring)
        .unwrap();
    assert_eq!(
        expiring.message,
        "0 packages past expiry and 1 expiring within 30 days"
    );
    assert!(!expiring.urgent);
}
