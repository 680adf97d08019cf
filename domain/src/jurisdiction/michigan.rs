//! Michigan: 2.5 ounces per adult-use transaction of which at most 15 g concentrate, 2.5 ounces
//! a day for a registered patient, and the Medical Marihuana Act's equivalents for infused products.

use chrono_tz::Tz;
use rust_decimal::Decimal;

use super::{
    term, Jurisdiction, Measure, ProgramRules, PurchaseLimit, ReportFormat, Window, OUNCE_GRAMS,
};
use crate::{Category, Currency, Program};

/// MRTMA s. 5(1)(a) (MCL 333.27955): 2.5 ounces, "not more than 15 grams of marihuana may be in
/// the form of marihuana concentrate"; Mich Admin Code R 420.505(1)(d) and R 420.506: the sale
/// may not exceed the purchasing limit. Read 2026-12-04.
const ADULT_USE: &str =
    "MRTMA s. 5(1)(a) (MCL 333.27955); Mich Admin Code R 420.505(1)(d), R 420.506; read 2026-12-04";

/// MMMA s. 4(c) (MCL 333.26424(c)): one ounce of usable marihuana equals 16 ounces of an
/// infused product in solid form, 36 fluid ounces in liquid form, 7 grams in gaseous form.
/// Michigan's adult-use act sets no equivalents of its own, so Pistil applies these to both.
const EQUIVALENTS: &str =
    "MMMA s. 4(c) (MCL 333.26424(c)) usable marihuana equivalents; read 2026-12-04";

/// R 420.506: a registered qualifying patient may buy 2.5 ounces a day. The 10 ounces a month
/// the statewide monitoring system also checks is not counted by Pistil.
const MEDICAL: &str = "Mich Admin Code R 420.506 (2.5 oz daily per registered qualifying patient); MCL 333.26424(c); read 2026-12-04";

/// 36 US fluid ounces in millilitres.
fn liquid_ounce_ml() -> Decimal {
    Decimal::new(106_464_706_425, 8)
}

/// The 2.5-ounce limit in ounces of usable marihuana. Concentrates and vape oils are
/// "usable marihuana" (resin and extract) and count weight for weight; topicals count as
/// solids, the stricter of the two forms a topical can take.
fn ounces(window: Window, source: &str) -> PurchaseLimit {
    use Category::*;
    let oz = |category, measure, per: Decimal| term(category, measure, per, Decimal::ONE);
    let solid = OUNCE_GRAMS * Decimal::from(16);
    PurchaseLimit {
        name: "usable marihuana equivalent".into(),
        max: Decimal::new(25, 1),
        unit_label: "oz".into(),
        window,
        terms: vec![
            oz(Flower, Measure::NetWeight, OUNCE_GRAMS),
            oz(PreRoll, Measure::NetWeight, OUNCE_GRAMS),
            oz(Extract, Measure::NetWeight, OUNCE_GRAMS),
            oz(Vape, Measure::NetWeight, OUNCE_GRAMS),
            oz(Edible, Measure::NetWeight, solid),
            oz(Topical, Measure::NetWeight, solid),
            oz(Beverage, Measure::NetWeight, liquid_ounce_ml()),
            oz(Oil, Measure::NetWeight, liquid_ounce_ml()),
        ],
        source: format!("{source}; {EQUIVALENTS}"),
    }
}

fn concentrate() -> PurchaseLimit {
    use Category::*;
    PurchaseLimit {
        name: "marihuana concentrate".into(),
        max: Decimal::from(15),
        unit_label: "g".into(),
        window: Window::Transaction,
        terms: vec![super::grams(Extract), super::grams(Vape)],
        source: ADULT_USE.into(),
    }
}

impl Jurisdiction {
    /// Michigan (Cannabis Regulatory Agency): age 21; adult-use per transaction, medical per day
    /// with the patient's registry card.
    pub fn michigan() -> Self {
        Jurisdiction {
            code: "MI".into(),
            name: "Michigan".into(),
            min_age: 21,
            currency: Currency::Usd,
            time_zone: Tz::America__Detroit,
            programs: vec![
                ProgramRules {
                    program: Program::AdultUse,
                    limits: vec![ounces(Window::Transaction, ADULT_USE), concentrate()],
                    unlimited: vec![],
                    registration_required: false,
                },
                ProgramRules {
                    program: Program::Medical,
                    limits: vec![ounces(Window::Day, MEDICAL)],
                    unlimited: vec![],
                    registration_required: true,
                },
            ],
            no_medical_because: None,
            report_opening_tolerance_percent: None,
            count_variance_threshold_percent: Decimal::from(3),
            significant_discrepancy: None,
            reports: vec![ReportFormat::MetrcSync],
        }
    }
}
