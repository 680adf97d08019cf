//! A year-end report against a year of a busy store's ledger: replaying the whole ledger for
//! December, against starting from December's kept month start. Prints the figures and the
//! ratio, measured side by side in this process.

#[path = "../tests/support/mod.rs"]
mod support;

use std::hint::black_box;

use chrono::{Duration, NaiveDate};
use domain::{command::*, report::*, *};
use support::*;

/// 2027 for a store selling about 1,000 receipts a day: one sale every 86 seconds.
fn a_year() -> Vec<Event> {
    let mut s = Store::new();
    let packages: Vec<PackageId> = (0..200)
        .map(|k| s.on_floor(PREROLL, each(10_000), &format!("PR-{k}")))
        .collect();
    let mut t = NaiveDate::from_ymd_opt(2027, 1, 1)
        .unwrap()
        .and_hms_opt(12, 0, 0)
        .unwrap()
        .and_utc();
    let end = NaiveDate::from_ymd_opt(2028, 1, 1)
        .unwrap()
        .and_hms_opt(0, 0, 0)
        .unwrap()
        .and_utc();
    let mut k = 0usize;
    while t < end {
        let mut cmd = s.command(Action::Sell(Sell {
            receipt_id: ReceiptId::new(),
            customer: None,
            patient: None,
            lines: vec![SellLine {
                package_id: packages[k % packages.len()],
                quantity: each(1),
                unit_price: None,
            }],
        }));
        cmd.at = t;
        s.run(&cmd).unwrap_or_else(|e| panic!("{e}"));
        t += Duration::seconds(86);
        k += 1;
    }
    s.events
}

fn main() {
    let events = a_year();
    let december = NaiveDate::from_ymd_opt(2027, 12, 1).unwrap();
    let whole = median(5, || {
        black_box(monthly(&events, december));
    });
    let replay = median(5, || {
        black_box(MonthStart::replay(&events, december));
    });
    let start = MonthStart::replay(&events, december);
    let kept = median(5, || {
        black_box(monthly_from(&start, &events));
    });
    assert_eq!(
        to_csv(&monthly_from(&start, &events)),
        to_csv(&monthly(&events, december))
    );
    println!("\n== Pistil year-end report figures ==");
    println!(
        "December of a {}-event year, whole-ledger replay: {:.1} ms",
        events.len(),
        whole.as_secs_f64() * 1e3
    );
    println!(
        "replaying to December's start once: {:.1} ms",
        replay.as_secs_f64() * 1e3
    );
    println!(
        "each report from the kept start: {:.1} ms ({:.1}x faster than the whole replay)",
        kept.as_secs_f64() * 1e3,
        whole.as_secs_f64() / kept.as_secs_f64()
    );
}
