//! California's significant discrepancy: a count difference of 3% of average monthly sales or
//! more is reported to the DCC and local law enforcement within 24 hours (4 CCR §15034, §15036).

mod support;

use chrono::{Duration, TimeZone, Utc};
use domain::{command::*, count::CountScope, *};
use support::*;

/// A California store that sold 20 g of flower ($180) in each of August, September and October.
fn california_store() -> (Store, PackageId) {
    let mut s = Store::new();
    let mut config = s.state.config.clone();
    config.jurisdiction = Jurisdiction::california();
    config.time_zone = chrono_tz::America::Los_Angeles;
    s.ok(Action::ConfigureStore(config));
    let shelf = s.on_floor(FLOWER, g("100"), "B-1");
    for month in [8, 9, 10] {
        let mut cmd = s.command(Action::Sell(Sell {
            receipt_id: ReceiptId::new(),
            customer: None,
            patient: None,
            lines: vec![SellLine {
                package_id: shelf,
                quantity: g("20"),
                unit_price: None,
            }],
        }));
        cmd.at = Utc.with_ymd_and_hms(2026, month, 15, 20, 0, 0).unwrap();
        s.run(&cmd).unwrap();
    }
    let counted = s.on_floor(FLOWER, g("50"), "B-2");
    (s, counted)
}

/// Counts `package` at `found` on the fixtures' clock (20 November, 15:00 UTC).
fn count(s: &mut Store, package: PackageId, found: Quantity) -> CountId {
    let id = CountId::new();
    s.ok(Action::PlanCount(PlanCount {
        count_id: id,
        scope: CountScope::Packages(vec![package]),
    }));
    s.ok(Action::RecordCount(RecordCount {
        count_id: id,
        package_id: package,
        counted: found,
        witness: WITNESS,
    }));
    id
}

#[test]
fn a_shortage_of_three_percent_of_average_monthly_sales_names_the_deadline_and_who_to_tell() {
    let (mut s, package) = california_store();
    assert_eq!(
        discrepancy::average_monthly_sales(&s.state, at().date_naive()),
        ("180".parse().unwrap(), 3)
    );
    // 1 g short at $9.00 a gram: $9.00 is 5% of $180.
    count(&mut s, package, g("49"));
    let notices = discrepancy::notices(&s.state, at());
    assert_eq!(notices.len(), 1);
    let n = &notices[0];
    assert_eq!(n.due_at, at() + Duration::hours(24));
    assert_eq!(
        n.message(&s.state),
        "significant discrepancy: a count differs from the records by $9.00 USD at shelf prices, \
         5% of average monthly sales of $180.00 USD over 3 months; 3% or more must be reported to \
         the Department of Cannabis Control (form DCC-LIC-028) and local law enforcement within 24 \
         hours of discovery, by 2026-11-21 07:00 store time (4 CCR §15034 (\"at least 3% of the \
         average monthly sales\", the text of former 16 CCR §5034(a)) and §15036(a)(1) (notice \
         within 24 hours of discovery); read 2026-12-04)"
    );
    let alerts = alerts::from_state(&s.state, at(), 30);
    assert!(alerts
        .iter()
        .any(|a| a.kind == alerts::AlertKind::SignificantDiscrepancy && a.urgent));
    // The alert stays a week after discovery, then goes.
    assert_eq!(
        discrepancy::notices(&s.state, at() + Duration::days(7)).len(),
        1
    );
    assert!(discrepancy::notices(&s.state, at() + Duration::days(8)).is_empty());
}

#[test]
fn overages_count_as_differences_too_and_small_ones_raise_nothing() {
    let (mut s, package) = california_store();
    // 0.5 g over: $4.50 is 2.5% of $180, under the threshold.
    count(&mut s, package, g("50.5"));
    assert!(discrepancy::notices(&s.state, at()).is_empty());
    // 0.6 g over: $5.40 is exactly 3%.
    let (mut s, package) = california_store();
    count(&mut s, package, g("50.6"));
    assert_eq!(discrepancy::notices(&s.state, at()).len(), 1);
}

#[test]
fn a_store_without_a_month_of_sales_is_measured_against_this_month_so_far() {
    let mut s = Store::new();
    let mut config = s.state.config.clone();
    config.jurisdiction = Jurisdiction::california();
    s.ok(Action::ConfigureStore(config));
    let package = s.on_floor(FLOWER, g("50"), "B-1");
    count(&mut s, package, g("49.9"));
    let n = &discrepancy::notices(&s.state, at())[0];
    assert_eq!(n.percent, None);
    assert!(n
        .message(&s.state)
        .contains("$0.90 USD at shelf prices, with no sales recorded to measure it against"));
}

#[test]
fn ontario_sets_no_such_notice() {
    let mut s = Store::new();
    let package = s.on_floor(FLOWER, g("50"), "B-1");
    count(&mut s, package, g("10"));
    assert!(discrepancy::notices(&s.state, at()).is_empty());
}
