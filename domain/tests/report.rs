//! The monthly Health Canada report on a seeded month: opening + additions - reductions = closing
//! for every class, the same bytes every time, and nothing from outside the month.

mod support;

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use domain::{command::*, report::*, *};
use rust_decimal::Decimal;
use support::*;

fn when(day: u32, month: u32, year: i32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(year, month, day, 17, 0, 0).unwrap()
}

fn run_at(s: &mut Store, action: Action, at: DateTime<Utc>) {
    let mut cmd = s.command(action);
    cmd.at = at;
    s.run(&cmd).unwrap_or_else(|e| panic!("{e}"));
}

/// November: 100 pre-rolls and 50 gummies arrive. December: sales in store and remote, a
/// destruction, a theft, an overage, a return, a delivery. January: one more sale.
fn seeded() -> Store {
    let mut s = Store::new();
    let preroll = s.on_floor(PREROLL, each(100), "PR-1");
    let gummies = s.on_floor(GUMMIES, each(50), "GM-1");
    let receipt = ReceiptId::new();
    run_at(&mut s, sale(preroll, 10, receipt), when(3, 12, 2026));
    let hold = HoldId::new();
    run_at(
        &mut s,
        Action::Reserve(Reserve {
            hold_id: hold,
            customer: CustomerRef::parse("sam-555").unwrap(),
            customer_name: "Sam".into(),
            channel: HoldChannel::Online,
            lines: vec![ReserveLine {
                package_id: preroll,
                quantity: each(5),
            }],
            expires_at: when(4, 12, 2026) + Duration::hours(2),
        }),
        when(4, 12, 2026),
    );
    run_at(
        &mut s,
        Action::FulfilHold(FulfilHold {
            hold_id: hold,
            receipt_id: ReceiptId::new(),
        }),
        when(4, 12, 2026) + Duration::minutes(30),
    );
    run_at(
        &mut s,
        Action::Destroy(Destroy {
            package_id: gummies,
            quantity: each(3),
            reason: DestroyReason::Damage,
            method: DestroyMethod::GrindAndMix,
            witness: WITNESS,
            note: None,
        }),
        when(8, 12, 2026),
    );
    let adjust = |id, n: i64, reason, note: Option<&str>| {
        Action::Adjust(Adjust {
            package_id: id,
            delta: each(n),
            reason,
            note: note.map(Into::into),
            count_id: None,
        })
    };
    run_at(
        &mut s,
        adjust(preroll, -2, AdjustReason::TheftOrLoss, Some("shelf sweep")),
        when(9, 12, 2026),
    );
    run_at(
        &mut s,
        adjust(gummies, 1, AdjustReason::EntryError, Some("miskeyed")),
        when(10, 12, 2026),
    );
    run_at(
        &mut s,
        Action::Return(ReturnGoods {
            return_id: ReturnId::new(),
            receipt_id: receipt,
            lines: vec![ReturnLine {
                package_id: preroll,
                quantity: each(1),
            }],
            disposition: ReturnDisposition::Restock,
        }),
        when(12, 12, 2026),
    );
    let more = PackageId::new();
    run_at(
        &mut s,
        Action::Receive(Receive {
            manifest_number: "M-DEC".into(),
            lines: vec![ReceiveLine {
                package_id: more,
                tag: tag(900),
                product_id: PREROLL,
                shipped: each(20),
                batch: "PR-2".into(),
                lab: lab("LAB-PR-2"),
                packaged_on: NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
                expires_on: None,
                decision: LineDecision::Accept,
            }],
        }),
        when(15, 12, 2026),
    );
    run_at(&mut s, sale(preroll, 4, ReceiptId::new()), when(2, 1, 2027));
    s
}

/// Reads one figure out of a month's row.
type Figure = fn(&ClassMonth) -> Decimal;

fn december() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()
}

#[test]
fn every_class_closes_at_opening_plus_additions_less_reductions() {
    let s = seeded();
    for month in [
        NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(),
        december(),
        NaiveDate::from_ymd_opt(2027, 1, 1).unwrap(),
    ] {
        let r = monthly(&s.events, month);
        for (class, c) in &r.classes {
            assert_eq!(c.closing, c.expected_closing(), "{month} {class:?}: {c:?}");
        }
    }
}

#[test]
fn a_month_opens_where_the_last_one_closed() {
    let s = seeded();
    let nov = monthly(&s.events, NaiveDate::from_ymd_opt(2026, 11, 1).unwrap());
    let dec = monthly(&s.events, december());
    for (class, c) in &dec.classes {
        assert_eq!(c.opening, nov.classes[class].closing, "{class:?}");
    }
}

#[test]
fn the_december_figures_count_each_movement_once_and_nothing_from_january() {
    let s = seeded();
    let r = monthly(&s.events, december());
    let dried = &r.classes[&ReportClass::Dried];
    assert_eq!(dried.opening, Decimal::from(100));
    assert_eq!(dried.added_received, Decimal::from(20));
    assert_eq!(dried.added_returned, Decimal::from(1));
    assert_eq!(dried.reduced_sold, Decimal::from(15));
    assert_eq!(dried.sold_in_store, Decimal::from(10));
    assert_eq!(dried.sold_remote, Decimal::from(5));
    assert_eq!(dried.sold_in_store_value, Decimal::new(4000, 2));
    assert_eq!(dried.reduced_lost_stolen, Decimal::from(2));
    assert_eq!(dried.closing, Decimal::from(104));
    // 104 pre-rolls of 0.5 g net, at 4.00 each.
    assert_eq!(dried.closing_kg, Decimal::new(52, 3));
    assert_eq!(dried.closing_value, Decimal::new(41600, 2));
    let edible = &r.classes[&ReportClass::EdibleSolid];
    assert_eq!(edible.reduced_destroyed, Decimal::from(3));
    assert_eq!(edible.added_other, Decimal::from(1));
    assert_eq!(edible.closing, Decimal::from(48));
}

#[test]
fn the_same_month_gives_the_same_bytes() {
    let s = seeded();
    let a = to_csv(&monthly(&s.events, december()));
    let b = to_csv(&monthly(&s.events, december()));
    assert_eq!(a, b);
    assert_eq!(
        a,
        "month,class,opening,added_received,added_returned,added_other,reduced_sold,reduced_destroyed,reduced_lost_stolen,reduced_returned,reduced_other,sold_in_store,sold_in_store_book_value,sold_remote,sold_remote_book_value,closing,closing_kg,closing_book_value\n\
         2026-12,4 Dried cannabis,100,20,1,0,15,0,2,0,0,10,40.00,5,20.00,104,0.052,416.00\n\
         2026-12,5 Edible cannabis (solid),50,0,0,1,0,3,0,0,0,0,0.00,0,0.00,48,0.48,192.00\n"
    );
}

#[test]
fn every_figure_is_the_sum_of_the_events_it_drills_down_to() {
    let s = seeded();
    let r = monthly(&s.events, december());
    let dried = &r.classes[&ReportClass::Dried];
    let sum = |m: Movement| -> Decimal {
        drill(&s.events, december(), Scope::Class(ReportClass::Dried), m)
            .iter()
            .map(|(_, c)| c.quantity)
            .sum()
    };
    assert_eq!(sum(Movement::SoldInStore), dried.sold_in_store);
    assert_eq!(sum(Movement::SoldRemote), dried.sold_remote);
    assert_eq!(sum(Movement::AddedReceived), dried.added_received);
    assert_eq!(sum(Movement::ReducedLostStolen), dried.reduced_lost_stolen);
    // The in-store sale drills to the one December receipt, not January's.
    let sales = drill(
        &s.events,
        december(),
        Scope::Class(ReportClass::Dried),
        Movement::SoldInStore,
    );
    assert_eq!(sales.len(), 1);
    assert!(matches!(s.events[sales[0].0].kind, EventKind::Sold { .. }));
    assert_eq!("sold_remote".parse::<Movement>(), Ok(Movement::SoldRemote));
    assert!("sold"
        .parse::<Movement>()
        .unwrap_err()
        .contains("is not a report figure"));
}

#[test]
fn the_agco_tabs_agree_with_the_federal_report_sku_by_sku() {
    let s = seeded();
    let federal = monthly(&s.events, december());
    let skus = by_sku(&s.events, december());
    let dried: Decimal = skus
        .skus
        .iter()
        .filter(|x| x.sku.contains("PRE-ROLL"))
        .map(|x| x.figures.closing)
        .sum();
    assert_eq!(dried, federal.classes[&ReportClass::Dried].closing);
    for x in &skus.skus {
        assert_eq!(x.figures.closing, x.figures.expected_closing(), "{}", x.sku);
    }
    let tab = agco_tab(&skus, "Destructions").unwrap();
    assert_eq!(tab.len(), 2, "one destruction in December: {tab:?}");
    assert_eq!(tab[1][3], "3");
    assert_eq!(tab[1][4], "damage");
    let adj = agco_tab(&skus, "Inventory Adjustments").unwrap();
    assert_eq!(adj.len(), 3, "{adj:?}");
    let sales = agco_tab(&skus, "Monthly Sales").unwrap();
    assert_eq!(sales[1][3], "10");
    assert_eq!(sales[1][5], "5");
    assert!(agco_tab(&skus, "Nope").is_none());
    for t in AGCO_TABS {
        assert!(agco_tab(&skus, t).is_some(), "{t}");
    }
}

#[test]
fn the_weight_based_month_balances_in_kilograms() {
    let s = seeded();
    let r = monthly_by_weight(&s.events, december());
    let dried = &r.classes[&ReportClass::Dried];
    // 100 pre-rolls of 0.5 g open the month: 0.05 kg; 104 close it.
    assert_eq!(dried.opening, Decimal::new(5, 2));
    assert_eq!(dried.closing, Decimal::new(52, 3));
    assert_eq!(dried.reduced_sold, Decimal::new(75, 4));
    for (class, c) in &r.classes {
        assert_eq!(c.closing, c.expected_closing(), "{class:?}");
    }
}

#[test]
fn every_sku_figure_is_the_sum_of_the_events_it_drills_down_to() {
    let s = seeded();
    let skus = by_sku(&s.events, december());
    assert!(!skus.skus.is_empty());
    let figures: [(Movement, Figure); 7] = [
        (Movement::AddedReceived, |f: &ClassMonth| f.added_received),
        (Movement::AddedReturned, |f: &ClassMonth| f.added_returned),
        (Movement::AddedOther, |f: &ClassMonth| f.added_other),
        (Movement::SoldInStore, |f: &ClassMonth| f.sold_in_store),
        (Movement::SoldRemote, |f: &ClassMonth| f.sold_remote),
        (Movement::ReducedDestroyed, |f: &ClassMonth| {
            f.reduced_destroyed
        }),
        (Movement::ReducedLostStolen, |f: &ClassMonth| {
            f.reduced_lost_stolen
        }),
    ];
    let mut followed = 0;
    for row in &skus.skus {
        for (movement, figure) in figures {
            let events = drill(&s.events, december(), Scope::Sku(&row.sku), movement);
            let sum: Decimal = events.iter().map(|(_, c)| c.quantity).sum();
            assert_eq!(sum, figure(&row.figures), "{} {movement:?}", row.sku);
            followed += events.len();
        }
    }
    assert!(followed > 0, "some SKU figure has events behind it");
    // A SKU nobody stocks has no events behind any figure.
    assert!(drill(
        &s.events,
        december(),
        Scope::Sku("NO-SUCH-SKU"),
        Movement::SoldInStore
    )
    .is_empty());
}

#[test]
fn the_weight_based_figures_drill_down_to_their_kilograms() {
    let s = seeded();
    let r = monthly_by_weight(&s.events, december());
    let dried = &r.classes[&ReportClass::Dried];
    let kg: Decimal = [Movement::SoldInStore, Movement::SoldRemote]
        .into_iter()
        .flat_map(|m| drill(&s.events, december(), Scope::Class(ReportClass::Dried), m))
        .map(|(_, c)| c.kg)
        .sum();
    assert_eq!(kg, dried.reduced_sold);
}

#[test]
fn each_jurisdiction_files_its_own_reports() {
    let kinds = |j: Jurisdiction| {
        j.reports
            .into_iter()
            .map(ReportKind::of)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        kinds(Jurisdiction::ontario()),
        [ReportKind::HealthCanada, ReportKind::Agco]
    );
    assert_eq!(
        kinds(Jurisdiction::alberta()),
        [ReportKind::HealthCanada, ReportKind::Alberta]
    );
    assert_eq!(
        kinds(Jurisdiction::british_columbia()),
        [ReportKind::HealthCanada, ReportKind::BritishColumbia]
    );
    assert_eq!(
        kinds(Jurisdiction::california()),
        [ReportKind::MetrcCompleteness]
    );
    for k in ReportKind::ALL {
        assert_eq!(ReportKind::parse(k.slug()), Some(k));
    }
}

/// Rows of cells as the server files them (the `csv` crate's defaults).
fn filed(rows: &[Vec<String>]) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    for r in rows {
        w.write_record(r).unwrap();
    }
    String::from_utf8(w.into_inner().unwrap()).unwrap()
}

/// Every report of the seeded December, by the name of its golden file.
fn december_files() -> Vec<(String, String)> {
    let s = seeded();
    let month = december();
    let skus = by_sku(&s.events, month);
    let mut files = vec![
        (
            "health-canada.csv".to_owned(),
            to_csv(&monthly(&s.events, month)),
        ),
        ("alberta.csv".to_owned(), filed(&alberta_rows(&skus))),
        (
            "british-columbia.csv".to_owned(),
            filed(&british_columbia_rows(&monthly_by_weight(&s.events, month))),
        ),
    ];
    for tab in AGCO_TABS {
        let rows = agco_tab(&skus, tab).unwrap();
        files.push((format!("agco-{}.csv", agco_tab_slug(tab)), filed(&rows)));
    }
    files
}

#[test]
fn the_seeded_month_files_exactly_the_golden_reports() {
    // `PISTIL_BLESS=1 cargo test -p domain --test report` rewrites the files after a change
    // that is meant to alter a report; the diff is then reviewed like code.
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/2026-12");
    let bless = std::env::var_os("PISTIL_BLESS").is_some();
    for (name, body) in december_files() {
        let path = dir.join(&name);
        if bless {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&path, &body).unwrap();
            continue;
        }
        let golden = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("{}: {e} (PISTIL_BLESS=1 writes it)", path.display()));
        assert_eq!(body, golden, "{name} differs from its golden file");
    }
}

#[test]
fn a_report_from_the_kept_month_start_is_the_report_from_the_whole_ledger() {
    let s = seeded();
    for month in [
        NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(),
        december(),
        NaiveDate::from_ymd_opt(2027, 1, 1).unwrap(),
    ] {
        let start = MonthStart::replay(&s.events, month);
        assert_eq!(
            to_csv(&monthly_from(&start, &s.events)),
            to_csv(&monthly(&s.events, month)),
            "{month}"
        );
        assert_eq!(
            serde_json::to_string(&by_sku_from(&start, &s.events)).unwrap(),
            serde_json::to_string(&by_sku(&s.events, month)).unwrap(),
            "{month}"
        );
        assert_eq!(
            to_csv(&monthly_by_weight_from(&start, &s.events)),
            to_csv(&monthly_by_weight(&s.events, month)),
            "{month}"
        );
        for class in [ReportClass::Dried, ReportClass::EdibleSolid] {
            assert_eq!(
                format!(
                    "{:?}",
                    drill_from(
                        &start,
                        &s.events,
                        Scope::Class(class),
                        Movement::SoldInStore
                    )
                ),
                format!(
                    "{:?}",
                    drill(&s.events, month, Scope::Class(class), Movement::SoldInStore)
                ),
                "{month} {class:?}"
            );
        }
    }
}

#[test]
fn a_month_start_is_settled_only_once_the_ledger_reaches_the_month() {
    let s = seeded();
    let dec_first = s
        .events
        .iter()
        .position(|e| e.at >= when(1, 12, 2026))
        .unwrap();
    // Kept from a ledger that had not reached December yet, it could still move.
    let early = MonthStart::replay(&s.events[..dec_first], december());
    assert!(!early.settled(dec_first));
    // Once December has begun in the ledger, later events are replayed inside the month.
    let start = MonthStart::replay(&s.events[..dec_first + 1], december());
    assert!(start.settled(dec_first + 1));
    assert_eq!(start.first, dec_first);
    assert_eq!(
        to_csv(&monthly_from(&start, &s.events)),
        to_csv(&monthly(&s.events, december()))
    );
}

#[test]
fn the_opening_is_checked_against_the_closing_as_filed_not_as_computed_again() {
    let s = seeded();
    let nov = monthly(&s.events, NaiveDate::from_ymd_opt(2026, 11, 1).unwrap());
    let dec = monthly(&s.events, december());
    let five = Some(Decimal::from(5));
    // November as it was filed: read back from its bytes, it is December's opening everywhere.
    let filed = filed_closings(&to_csv(&nov)).unwrap();
    assert_eq!(filed.len(), nov.classes.len());
    let checks = opening_checks(&dec, &filed, five);
    assert!(checks.iter().all(|c| c.within_tolerance), "{checks:?}");

    // A November filed with other figures (an older Pistil's arithmetic, a file edited by hand):
    // dried 6% off is outside Health Canada's 5%, 4% is not; a class filed but no longer held
    // is checked too.
    let dried = nov.classes[&ReportClass::Dried].closing;
    let mut other = filed.clone();
    other.insert(ReportClass::Dried, dried * Decimal::new(106, 2));
    other.insert(ReportClass::Topical, Decimal::from(7));
    let checks = opening_checks(&dec, &other, five);
    let out: Vec<&str> = checks
        .iter()
        .filter(|c| !c.within_tolerance)
        .map(|c| c.class.as_str())
        .collect();
    assert_eq!(out, ["4 Dried cannabis", "10 Cannabis topical"]);
    let topical = checks
        .iter()
        .find(|c| c.class == "10 Cannabis topical")
        .unwrap();
    assert_eq!(
        (topical.opening, topical.previous_closing),
        (Decimal::ZERO, Decimal::from(7))
    );
    other.insert(ReportClass::Dried, dried * Decimal::new(104, 2));
    other.remove(&ReportClass::Topical);
    assert!(opening_checks(&dec, &other, five)
        .iter()
        .all(|c| c.within_tolerance));
    // Without a tolerance (a US store), nothing blocks.
    other.insert(ReportClass::Dried, Decimal::ZERO);
    assert!(opening_checks(&dec, &other, None)
        .iter()
        .all(|c| c.within_tolerance));
}

#[test]
fn a_filed_report_that_cannot_be_read_back_says_why() {
    assert_eq!(
        filed_closings("month,class,opening\n"),
        Err(FiledReportError::MissingColumn("closing"))
    );
    assert_eq!(
        filed_closings("month,class,closing\n2026-11,12 Hemp,3\n"),
        Err(FiledReportError::UnknownClass {
            row: 2,
            class: "12 Hemp".into()
        })
    );
    assert_eq!(
        filed_closings("month,class,closing\n2026-11,4 Dried cannabis,lots\n"),
        Err(FiledReportError::NotANumber {
            row: 2,
            value: "lots".into()
        })
    );
}
