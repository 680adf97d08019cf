//! Canada: the Cannabis Act's 30 g dried-cannabis equivalent and its Schedule 3, with each
//! province's age, reports and time zone.

use chrono_tz::Tz;
use rust_decimal::Decimal;

use super::{
    grams, items, term, Jurisdiction, Measure, ProgramRules, PurchaseLimit, ReportFormat, Window,
};
use crate::{Category, Currency, Program};

/// Cannabis Act, S.C. 2018, c. 16, Schedule 3 "Equivalent Amounts", in the version in force
/// from 2022-12-02 (SOR/2022-252), read 2026-12-04. Quantities equivalent to 1 g of dried
/// cannabis: dried 1 g; fresh 5 g; solids containing cannabis 15 g; non-solids containing
/// cannabis other than beverages 70 g; concentrates 0.25 g; beverages 570 g; seeds 1 seed.
pub const SCHEDULE_3: &str = "Cannabis Act (S.C. 2018, c. 16) s. 8(1)(a) and Schedule 3 as amended by SOR/2022-252, in force 2022-12-02; read 2026-12-04";

/// The provinces sell 30 g "at one time": per transaction (ontario.ca, "Buying recreational
/// cannabis"; OCS, "How much recreational cannabis am I allowed to purchase?": "per
/// transaction"), read 2026-12-04.
const PER_TRANSACTION: &str = "ontario.ca \"Buying recreational cannabis\" and OCS: 30 g \"at one time\", \"per transaction\"; read 2026-12-04";

/// Cannabis Act s. 8(1): at most four cannabis plants that are not budding or flowering.
const PLANTS: &str = "Cannabis Act (S.C. 2018, c. 16) s. 8(1): no more than four cannabis plants that are not budding or flowering; read 2026-12-04";

/// Schedule 3 as Pistil's categories read it. Topicals are creams (non-solids, 70 g) or balms
/// (solids, 15 g); Pistil counts every topical as a solid, the stricter of the two. Oils and
/// tinctures taken by mouth are non-solids; vape oils and other extracts are concentrates.
fn dried_equivalent() -> PurchaseLimit {
    use Category::*;
    let per = |category, g: Decimal| term(category, Measure::NetWeight, g, Decimal::ONE);
    PurchaseLimit {
        name: "dried cannabis equivalent".into(),
        max: Decimal::from(30),
        unit_label: "g".into(),
        window: Window::Transaction,
        terms: vec![
            grams(Flower),
            grams(PreRoll),
            per(Fresh, Decimal::from(5)),
            per(Edible, Decimal::from(15)),
            per(Topical, Decimal::from(15)),
            per(Oil, Decimal::from(70)),
            per(Beverage, Decimal::from(570)),
            per(Extract, Decimal::new(25, 2)),
            per(Vape, Decimal::new(25, 2)),
            items(Seed),
        ],
        source: format!("{SCHEDULE_3}; {PER_TRANSACTION}"),
    }
}

fn plants() -> PurchaseLimit {
    PurchaseLimit {
        name: "cannabis plants".into(),
        max: Decimal::from(4),
        unit_label: "plants".into(),
        window: Window::Transaction,
        terms: vec![items(Category::Plant)],
        source: PLANTS.into(),
    }
}

fn province(
    code: &str,
    name: &str,
    min_age: u8,
    time_zone: Tz,
    report: ReportFormat,
) -> Jurisdiction {
    Jurisdiction {
        code: code.into(),
        name: name.into(),
        min_age,
        currency: Currency::Cad,
        time_zone,
        programs: vec![ProgramRules {
            program: Program::AdultUse,
            limits: vec![dried_equivalent(), plants()],
            unlimited: vec![],
            registration_required: false,
        }],
        no_medical_because: Some(
            "medical cannabis in Canada is sold by federal licence holders, not provincial retail stores (Cannabis Regulations, SOR/2018-144, Part 14)".into(),
        ),
        // Health Canada refuses a monthly report whose opening differs from the last closing by more than 5%.
        report_opening_tolerance_percent: Some(Decimal::from(5)),
        count_variance_threshold_percent: Decimal::from(2),
        significant_discrepancy: None,
        reports: vec![ReportFormat::HealthCanadaCts, report],
    }
}

impl Jurisdiction {
    /// Ontario (AGCO, Cannabis Licence Act, 2018): age 19.
    pub fn ontario() -> Self {
        province(
            "ON",
            "Ontario",
            19,
            Tz::America__Toronto,
            ReportFormat::AgcoRetail,
        )
    }

    /// Alberta (AGLC, Gaming, Liquor and Cannabis Act): age 18.
    pub fn alberta() -> Self {
        province(
            "AB",
            "Alberta",
            18,
            Tz::America__Edmonton,
            ReportFormat::AglcMonthly,
        )
    }

    /// British Columbia (LCRB, Cannabis Control and Licensing Act): age 19.
    pub fn british_columbia() -> Self {
        province(
            "BC",
            "British Columbia",
            19,
            Tz::America__Vancouver,
            ReportFormat::BcMonthly,
        )
    }
}
