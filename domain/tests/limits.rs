//! Purchase limits on the law's own arithmetic: each test is a sum a regulator would do by hand.

mod support;

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use domain::{command::*, *};
use rust_decimal::Decimal;
use support::*;

const CANS: ProductId = ProductId::from_u128(200);
const OIL: ProductId = ProductId::from_u128(201);
const SHATTER: ProductId = ProductId::from_u128(202);
const FRESH: ProductId = ProductId::from_u128(203);
const CLONE: ProductId = ProductId::from_u128(204);
const CHOCOLATE: ProductId = ProductId::from_u128(205);
const BALM: ProductId = ProductId::from_u128(206);
const SEEDS: ProductId = ProductId::from_u128(207);
const BARE_GUMMIES: ProductId = ProductId::from_u128(208);
const COOKIES: ProductId = ProductId::from_u128(209);

fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}

fn ml(s: &str) -> Quantity {
    Quantity::new(d(s), Unit::Milliliters)
}

/// A count-based product with its net content and THC per item.
fn item(
    id: ProductId,
    name: &str,
    category: Category,
    net: Option<Quantity>,
    thc_mg: Option<&str>,
) -> Product {
    Product {
        net_content: net,
        gross_unit_weight: None,
        thc_mg_per_unit: thc_mg.map(d),
        quantity_type: QuantityType::CountBased,
        unit: Unit::Each,
        ..product(id, name, category)
    }
}

/// A product weighed at the counter in grams.
fn weighed(id: ProductId, name: &str, category: Category) -> Product {
    Product {
        net_content: None,
        thc_mg_per_unit: None,
        quantity_type: QuantityType::WeightBased,
        unit: Unit::Grams,
        ..product(id, name, category)
    }
}

/// A store in `jurisdiction` with the fixtures' products and these, each with 1,000 on the floor.
fn store_in(
    jurisdiction: Jurisdiction,
    extra: Vec<Product>,
) -> (Store, Vec<(ProductId, PackageId)>) {
    let mut s = Store::new();
    let mut config = s.state.config.clone();
    config.time_zone = jurisdiction.time_zone;
    config.jurisdiction = jurisdiction;
    s.ok(Action::ConfigureStore(config));
    let mut floor = Vec::new();
    for p in extra {
        let id = p.id;
        let qty = Quantity::new(Decimal::from(1000), p.unit);
        s.ok(Action::DefineProduct(p));
        floor.push((id, s.on_floor(id, qty, "B-1")));
    }
    for (id, qty) in [(FLOWER, g("1000")), (GUMMIES, each(1000))] {
        floor.push((id, s.on_floor(id, qty, "B-1")));
    }
    (s, floor)
}

fn pkg(floor: &[(ProductId, PackageId)], product: ProductId) -> PackageId {
    floor.iter().find(|(p, _)| *p == product).unwrap().1
}

fn sale(lines: &[(PackageId, Quantity)], who: Option<&str>) -> Action {
    Action::Sell(Sell {
        receipt_id: ReceiptId::new(),
        customer: who.map(|w| CustomerRef::parse(w).unwrap()),
        patient: None,
        lines: lines
            .iter()
            .map(|(id, q)| SellLine {
                package_id: *id,
                quantity: *q,
                unit_price: None,
            })
            .collect(),
    })
}

fn sale_at(s: &mut Store, at: DateTime<Utc>, action: Action) -> Result<Vec<Event>, DomainError> {
    let mut cmd = s.command(action);
    cmd.at = at;
    s.run(&cmd)
}

#[test]
fn canada_allows_forty_eight_cans_of_355_ml_and_refuses_forty_nine() {
    let cans = item(
        CANS,
        "Citrus Sparkling",
        Category::Beverage,
        Some(ml("355")),
        Some("2"),
    );
    let (mut s, floor) = store_in(Jurisdiction::ontario(), vec![cans]);
    let id = pkg(&floor, CANS);
    // 48 × 355 g ÷ 570 g = 29.895 g of dried cannabis.
    s.ok(sale(&[(id, each(48))], None));
    let e = s.err(sale(&[(id, each(49))], None));
    assert_eq!(
        e.to_string(),
        "over the 30 g dried cannabis equivalent limit by 0.518 g (this transaction would come to 30.518 g)"
    );
}

#[test]
fn canada_counts_a_bottle_of_oil_as_a_non_solid_not_a_concentrate() {
    let oil = item(
        OIL,
        "THC Oil 30 ml",
        Category::Oil,
        Some(ml("30")),
        Some("600"),
    );
    let shatter = weighed(SHATTER, "Shatter", Category::Extract);
    let (mut s, floor) = store_in(Jurisdiction::ontario(), vec![oil, shatter]);
    // 70 bottles × 30 g ÷ 70 g = 30 g exactly: the whole limit, and no more.
    s.ok(sale(&[(pkg(&floor, OIL), each(70))], None));
    assert!(matches!(
        s.err(sale(&[(pkg(&floor, OIL), each(71))], None)),
        DomainError::PurchaseLimitExceeded { .. }
    ));
    // 7.5 g of concentrate ÷ 0.25 g = 30 g.
    s.ok(sale(&[(pkg(&floor, SHATTER), g("7.5"))], None));
    let e = s.err(sale(&[(pkg(&floor, SHATTER), g("7.6"))], None));
    assert!(e.to_string().contains("by 0.4 g"), "{e}");
}

#[test]
fn canada_places_fresh_cannabis_and_plants() {
    let fresh = weighed(FRESH, "Fresh Buds", Category::Fresh);
    let clone = item(CLONE, "Clone", Category::Plant, None, None);
    let (mut s, floor) = store_in(Jurisdiction::ontario(), vec![fresh, clone]);
    // 150 g fresh ÷ 5 g = 30 g dried.
    s.ok(sale(&[(pkg(&floor, FRESH), g("150"))], None));
    s.err(sale(&[(pkg(&floor, FRESH), g("151"))], None));
    s.ok(sale(&[(pkg(&floor, CLONE), each(4))], None));
    let e = s.err(sale(&[(pkg(&floor, CLONE), each(5))], None));
    assert!(
        e.to_string()
            .starts_with("over the 4 plants cannabis plants limit by 1 plants"),
        "{e}"
    );
}

#[test]
fn canada_limits_each_transaction_not_the_day() {
    let (mut s, floor) = store_in(Jurisdiction::ontario(), vec![]);
    let flower = pkg(&floor, FLOWER);
    s.ok(sale(&[(flower, g("25"))], Some("alex")));
    s.ok(sale(&[(flower, g("25"))], Some("alex")));
    // One transaction is still held to 30 g, lines of every class added up:
    // 25 g dried + 10 gummies × 10 g ÷ 15 g = 31.667 g.
    let e = s.err(sale(
        &[(flower, g("25")), (pkg(&floor, GUMMIES), each(10))],
        Some("alex"),
    ));
    assert!(e.to_string().contains("by 1.667 g"), "{e}");
}

#[test]
fn canadian_stores_make_no_medical_sales_and_say_why() {
    let (s, _) = store_in(Jurisdiction::alberta(), vec![]);
    let e = limits::check(
        &s.state,
        None,
        Program::Medical,
        at().date_naive(),
        &[(FLOWER, d("1"))],
    )
    .unwrap_err();
    assert!(matches!(e, DomainError::ProgramNotSold { .. }));
    assert!(e.to_string().contains("federal licence holders"), "{e}");
}

#[test]
fn colorado_is_one_combined_ounce_equivalent() {
    let shatter = weighed(SHATTER, "Shatter", Category::Extract);
    let chocolate = item(
        CHOCOLATE,
        "Chocolate 100 mg",
        Category::Edible,
        Some(g("40")),
        Some("100"),
    );
    let (mut s, floor) = store_in(Jurisdiction::colorado(), vec![shatter, chocolate]);
    let (flower, shatter, chocolate) = (
        pkg(&floor, FLOWER),
        pkg(&floor, SHATTER),
        pkg(&floor, CHOCOLATE),
    );
    // 14 g of 28 + 4 g of 8 = the whole ounce.
    s.ok(sale(&[(flower, g("14")), (shatter, g("4"))], None));
    let e = s.err(sale(
        &[(flower, g("14")), (shatter, g("4")), (chocolate, each(1))],
        None,
    ));
    assert_eq!(
        e.to_string(),
        "over the 1 oz one-ounce equivalent limit by 0.125 oz (this transaction would come to 1.125 oz)"
    );
    // 400 mg of 800 + 14 g of 28.
    s.ok(sale(&[(flower, g("14")), (chocolate, each(4))], None));
    // Three separate caps would have allowed 28 g + 8 g + 800 mg at once; the law does not.
    s.err(sale(&[(flower, g("28")), (shatter, g("8"))], None));
}

#[test]
fn colorado_exempts_topicals_and_cannot_place_seeds() {
    let balm = item(BALM, "Balm", Category::Topical, Some(g("50")), Some("500"));
    let seeds = item(SEEDS, "Seeds 5-pack", Category::Seed, None, None);
    assert_eq!(
        Jurisdiction::colorado().missing_for(&seeds),
        vec!["a category Colorado's limits place (they do not count seeds)"]
    );
    let (mut s, floor) = store_in(Jurisdiction::colorado(), vec![balm, seeds]);
    s.ok(sale(&[(pkg(&floor, BALM), each(20))], None));
    let e = s.err(sale(&[(pkg(&floor, SEEDS), each(1))], None));
    assert_eq!(
        e.to_string(),
        "Colorado's adult-use purchase limits do not count seeds, so Seeds 5-pack cannot be sold here: change its category to one the law places"
    );
}

#[test]
fn california_counts_the_concentrate_in_edibles_toward_eight_grams_a_day() {
    let chocolate = item(
        CHOCOLATE,
        "Chocolate 100 mg",
        Category::Edible,
        Some(g("40")),
        Some("100"),
    );
    let shatter = weighed(SHATTER, "Shatter", Category::Extract);
    let (mut s, floor) = store_in(Jurisdiction::california(), vec![chocolate, shatter]);
    let (chocolate, shatter, flower) = (
        pkg(&floor, CHOCOLATE),
        pkg(&floor, SHATTER),
        pkg(&floor, FLOWER),
    );
    // 7 g of shatter and 10 bars × 100 mg = 8 g of concentrate, alongside 28.5 g of flower.
    s.ok(sale(&[(shatter, g("7")), (flower, g("28.5"))], Some("sam")));
    s.ok(sale(&[(chocolate, each(10))], Some("sam")));
    let e = s.err(sale(&[(chocolate, each(1))], Some("SAM")));
    assert_eq!(
        e.to_string(),
        "over the 8 g cannabis concentrate limit by 0.1 g (this order would bring the day's total to 8.1 g)"
    );
    // Another customer's day is their own.
    s.ok(sale(&[(chocolate, each(80))], Some("kim")));
}

#[test]
fn california_needs_the_thc_of_an_edible_before_it_can_count_it() {
    let bare = item(
        BARE_GUMMIES,
        "Unlabelled Gummies",
        Category::Edible,
        Some(g("10")),
        None,
    );
    let (mut s, floor) = store_in(Jurisdiction::california(), vec![bare.clone()]);
    let e = s.err(sale(&[(pkg(&floor, BARE_GUMMIES), each(1))], None));
    assert_eq!(
        e.to_string(),
        "Unlabelled Gummies cannot be counted against California's cannabis concentrate limit: it has no THC per item (mg); add it on the product screen"
    );
    assert_eq!(
        Jurisdiction::california().missing_for(&bare),
        vec!["THC per item (mg)"]
    );
    assert!(Jurisdiction::ontario().missing_for(&bare).is_empty());
}

#[test]
fn california_limits_six_immature_plants_and_leaves_seeds_unlimited() {
    let clone = item(CLONE, "Clone", Category::Plant, None, None);
    let seeds = item(SEEDS, "Seeds 5-pack", Category::Seed, None, None);
    let (mut s, floor) = store_in(Jurisdiction::california(), vec![clone, seeds]);
    s.ok(sale(
        &[
            (pkg(&floor, CLONE), each(6)),
            (pkg(&floor, SEEDS), each(40)),
        ],
        Some("lee"),
    ));
    s.err(sale(&[(pkg(&floor, CLONE), each(1))], Some("lee")));
}

#[test]
fn california_patients_buy_eight_ounces_of_flower_a_day_and_the_programs_never_combine() {
    let (s, _) = store_in(Jurisdiction::california(), vec![]);
    let day = at().date_naive();
    let check = |q: &str| limits::check(&s.state, None, Program::Medical, day, &[(FLOWER, d(q))]);
    // 8 oz = 226.796185 g.
    assert!(check("226.796").is_ok());
    let e = check("227").unwrap_err();
    assert!(
        e.to_string()
            .starts_with("over the 226.796185 g medicinal dried flower limit by 0.204 g"),
        "{e}"
    );
    let mut s = s;
    let flower = s
        .state
        .packages
        .values()
        .find(|p| p.product_id == FLOWER)
        .unwrap()
        .id;
    s.ok(sale(&[(flower, g("28"))], Some("pat")));
    let pat = CustomerRef::parse("pat").unwrap();
    // The 28 g bought as adult use count toward the patient's day too.
    assert!(limits::check(
        &s.state,
        Some(&pat),
        Program::Medical,
        day,
        &[(FLOWER, d("198.796"))]
    )
    .is_ok());
    assert!(limits::check(
        &s.state,
        Some(&pat),
        Program::Medical,
        day,
        &[(FLOWER, d("198.8"))]
    )
    .is_err());
}

#[test]
fn michigan_is_two_and_a_half_ounces_a_transaction_with_fifteen_grams_of_concentrate() {
    let shatter = weighed(SHATTER, "Shatter", Category::Extract);
    let cookies = item(
        COOKIES,
        "Cookies 1 lb",
        Category::Edible,
        Some(Quantity::new(d("1"), Unit::Pounds)),
        Some("100"),
    );
    let (mut s, floor) = store_in(Jurisdiction::michigan(), vec![shatter, cookies]);
    let (flower, shatter, cookies) = (
        pkg(&floor, FLOWER),
        pkg(&floor, SHATTER),
        pkg(&floor, COOKIES),
    );
    // 2.5 oz = 70.8738078125 g.
    s.ok(sale(&[(flower, g("70.8738078125"))], None));
    s.err(sale(&[(flower, g("70.9"))], None));
    s.ok(sale(&[(shatter, g("15"))], None));
    let e = s.err(sale(&[(shatter, g("15.5"))], None));
    assert!(
        e.to_string()
            .starts_with("over the 15 g marihuana concentrate limit by 0.5 g"),
        "{e}"
    );
    // 16 oz of a solid infused product = 1 oz: two 1 lb packs and half an ounce of flower fill it.
    s.ok(sale(
        &[(cookies, each(2)), (flower, g("14.1747615625"))],
        None,
    ));
    s.err(sale(&[(cookies, each(2)), (flower, g("14.2"))], None));
}

#[test]
fn massachusetts_counts_a_day_in_one_ounce_equivalents() {
    let chocolate = item(
        CHOCOLATE,
        "Chocolate 100 mg",
        Category::Edible,
        Some(g("40")),
        Some("100"),
    );
    let balm = item(BALM, "Balm", Category::Topical, Some(g("50")), Some("500"));
    let (mut s, floor) = store_in(Jurisdiction::massachusetts(), vec![chocolate, balm]);
    // 500 mg of THC in edibles is the whole ounce.
    s.ok(sale(&[(pkg(&floor, CHOCOLATE), each(5))], Some("jo")));
    let e = s.err(sale(&[(pkg(&floor, FLOWER), g("1"))], Some("jo")));
    assert!(
        e.to_string()
            .starts_with("over the 1 oz dry weight equivalent limit"),
        "{e}"
    );
    // Topicals and ointments are not limited.
    s.ok(sale(&[(pkg(&floor, BALM), each(10))], Some("jo")));
}

#[test]
fn a_california_day_runs_midnight_to_midnight_local_time_in_summer_and_winter() {
    let (mut s, floor) = store_in(Jurisdiction::california(), vec![]);
    let flower = pkg(&floor, FLOWER);
    let la = |y, m, d, h, min| {
        chrono_tz::America::Los_Angeles
            .with_ymd_and_hms(y, m, d, h, min, 0)
            .unwrap()
            .with_timezone(&Utc)
    };
    // 20:00 and 22:00 on 15 July (PDT) are one day: a fixed UTC−5 offset would have reset at 22:00.
    sale_at(
        &mut s,
        la(2026, 7, 15, 20, 0),
        sale(&[(flower, g("28.5"))], Some("ray")),
    )
    .unwrap();
    let e = sale_at(
        &mut s,
        la(2026, 7, 15, 22, 0),
        sale(&[(flower, g("1"))], Some("ray")),
    )
    .unwrap_err();
    assert!(
        matches!(e, DomainError::PurchaseLimitExceeded { .. }),
        "{e}"
    );
    sale_at(
        &mut s,
        la(2026, 7, 16, 0, 30),
        sale(&[(flower, g("28.5"))], Some("ray")),
    )
    .unwrap();
    // In winter (PST) too.
    sale_at(
        &mut s,
        la(2026, 12, 1, 23, 30),
        sale(&[(flower, g("28.5"))], Some("ray")),
    )
    .unwrap();
    assert!(sale_at(
        &mut s,
        la(2026, 12, 1, 23, 59),
        sale(&[(flower, g("0.1"))], Some("ray"))
    )
    .is_err());
    sale_at(
        &mut s,
        la(2026, 12, 2, 0, 1),
        sale(&[(flower, g("0.1"))], Some("ray")),
    )
    .unwrap();
}

#[test]
fn the_day_daylight_saving_starts_has_twenty_three_hours() {
    let (s, _) = store_in(Jurisdiction::california(), vec![]);
    let c = &s.state.config;
    let start = |m, d| c.day_start(NaiveDate::from_ymd_opt(2026, m, d).unwrap());
    assert_eq!(
        start(3, 8),
        Utc.with_ymd_and_hms(2026, 3, 8, 8, 0, 0).unwrap()
    );
    assert_eq!(start(3, 9) - start(3, 8), Duration::hours(23));
    assert_eq!(start(11, 2) - start(11, 1), Duration::hours(25));
    // 01:30 on 1 November happens twice; both are 1 November.
    let first = Utc.with_ymd_and_hms(2026, 11, 1, 8, 30, 0).unwrap();
    assert_eq!(
        c.day_of(first),
        NaiveDate::from_ymd_opt(2026, 11, 1).unwrap()
    );
    assert_eq!(
        c.day_of(first + Duration::hours(1)),
        NaiveDate::from_ymd_opt(2026, 11, 1).unwrap()
    );
}

#[test]
fn a_configuration_recorded_with_a_fixed_offset_reads_as_the_jurisdictions_zone() {
    let recorded = r#"{"name":"Old Store","jurisdiction":{"code":"CA","name":"California","min_age":21,
        "currency":"Usd","limits":[],"report_opening_tolerance_percent":null,
        "count_variance_threshold_percent":"3","significant_discrepancy_percent":"3","reports":["MetrcSync"]},
        "merge_policy":{"same_batch":true,"same_lab_result":true,"expiry_window_days":30},
        "utc_offset_minutes":-300}"#;
    let c: StoreConfig = serde_json::from_str(recorded).unwrap();
    assert_eq!(c.jurisdiction, Jurisdiction::california());
    assert_eq!(c.time_zone, chrono_tz::America::Los_Angeles);
    let again: StoreConfig = serde_json::from_str(&serde_json::to_string(&c).unwrap()).unwrap();
    assert_eq!(again, c);
}

fn patient_sale(lines: &[(PackageId, Quantity)], who: &str, registration: &str) -> Action {
    let Action::Sell(mut sell) = sale(lines, Some(who)) else {
        unreachable!()
    };
    sell.patient = Some(PatientRegistration::parse(registration).unwrap());
    Action::Sell(sell)
}

#[test]
fn a_sale_with_a_patients_registration_is_medical_and_the_receipt_keeps_it() {
    let (mut s, floor) = store_in(Jurisdiction::california(), vec![]);
    let flower = pkg(&floor, FLOWER);
    // 100 g is over the adult-use 28.5 g but within the medicinal 8 oz.
    assert!(matches!(
        s.err(sale(&[(flower, g("100"))], Some("pat"))),
        DomainError::PurchaseLimitExceeded { .. }
    ));
    let events = s.ok(patient_sale(&[(flower, g("100"))], "pat", " ca-mmic-0042 "));
    let EventKind::Sold { receipt } = &events[0].kind else {
        panic!("{:?}", events[0].kind)
    };
    assert_eq!(
        receipt.patient.as_ref().map(|p| p.as_str()),
        Some("CA-MMIC-0042")
    );
    // The same patient's day: 100 g already, so 126.8 g more is the rest of 8 oz and 127 g is not.
    assert!(matches!(
        s.err(patient_sale(&[(flower, g("127"))], "pat", "CA-MMIC-0042")),
        DomainError::PurchaseLimitExceeded { .. }
    ));
    s.ok(patient_sale(
        &[(flower, g("126.796"))],
        "pat",
        "CA-MMIC-0042",
    ));
}

#[test]
fn a_patients_sale_where_the_store_has_no_medical_program_is_refused_with_the_reason() {
    let (mut s, floor) = store_in(Jurisdiction::ontario(), vec![]);
    let e = s.err(patient_sale(&[(pkg(&floor, FLOWER), g("1"))], "pat", "X1"));
    assert!(matches!(e, DomainError::ProgramNotSold { .. }), "{e}");
}

#[test]
fn a_patients_registration_is_read_once_and_refused_by_name_when_malformed() {
    assert_eq!(
        PatientRegistration::parse(" x00001 ").unwrap().as_str(),
        "X00001"
    );
    for (raw, says) in [
        ("", "empty"),
        ("   ", "empty"),
        ("X 1", "only letters, digits and hyphens"),
        ("X1;DROP", "only letters, digits and hyphens"),
        (&"9".repeat(51), "longer than 50"),
    ] {
        let e = PatientRegistration::parse(raw).unwrap_err();
        assert!(e.to_string().contains(says), "{raw:?}: {e}");
    }
    // A request body goes through the same reading.
    let body = r#"{"receipt_id":"00000000-0000-0000-0000-000000000001","customer":null,"patient":"a b","lines":[]}"#;
    let e = serde_json::from_str::<Sell>(body).unwrap_err();
    assert!(
        e.to_string().contains("only letters, digits and hyphens"),
        "{e}"
    );
    // A sale recorded before patients existed still reads, as adult use.
    let old = r#"{"receipt_id":"00000000-0000-0000-0000-000000000001","customer":null,"lines":[]}"#;
    assert_eq!(serde_json::from_str::<Sell>(old).unwrap().patient, None);
}
