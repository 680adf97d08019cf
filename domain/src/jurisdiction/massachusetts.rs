//! Massachusetts: one ounce a day, or its combined dry-weight equivalent (Cannabis Control
//! Commission, 935 CMR 500.140(3)(a)).

use chrono_tz::Tz;
use rust_decimal::Decimal;

use super::{
    term, Jurisdiction, Measure, ProgramRules, PurchaseLimit, ReportFormat, Window, OUNCE_GRAMS,
};
use crate::{Category, Currency, Program};

/// 935 CMR 500.140(3)(a) (M.G.L. c. 94G, § 7): no more than one ounce "or its combined dry weight
/// equivalent in Marijuana concentrate or Edible Marijuana Products to a retail customer per
/// day"; one ounce equals 5 g of active THC in concentrate (tinctures included) and 500 mg of
/// active THC in edibles; topicals and ointments are not limited. Read 2026-12-04.
const SALES_LIMIT: &str = "935 CMR 500.140(3)(a) (M.G.L. c. 94G, § 7); read 2026-12-04";

/// The law counts a concentrate's active THC; Pistil counts an extract's or vape oil's whole
/// weight, which is never less than the THC in it. Tinctures are counted by their labelled THC.
fn ounce_equivalent() -> PurchaseLimit {
    use Category::*;
    let oz = |category, measure, per: Decimal| term(category, measure, per, Decimal::ONE);
    PurchaseLimit {
        name: "dry weight equivalent".into(),
        max: Decimal::ONE,
        unit_label: "oz".into(),
        window: Window::Day,
        terms: vec![
            oz(Flower, Measure::NetWeight, OUNCE_GRAMS),
            oz(PreRoll, Measure::NetWeight, OUNCE_GRAMS),
            oz(Extract, Measure::NetWeight, Decimal::from(5)),
            oz(Vape, Measure::NetWeight, Decimal::from(5)),
            oz(Oil, Measure::ThcMilligrams, Decimal::from(5000)),
            oz(Edible, Measure::ThcMilligrams, Decimal::from(500)),
            oz(Beverage, Measure::ThcMilligrams, Decimal::from(500)),
        ],
        source: SALES_LIMIT.into(),
    }
}

impl Jurisdiction {
    /// Massachusetts (CCC): age 21; one ounce equivalent a day. Medical sales (935 CMR 501, a
    /// 60-day supply) are not modelled and are refused.
    pub fn massachusetts() -> Self {
        Jurisdiction {
            code: "MA".into(),
            name: "Massachusetts".into(),
            min_age: 21,
            currency: Currency::Usd,
            time_zone: Tz::America__New_York,
            programs: vec![ProgramRules {
                program: Program::AdultUse,
                limits: vec![ounce_equivalent()],
                unlimited: vec![(
                    Category::Topical,
                    "topicals and ointments are not limited (935 CMR 500.140(3)(a)3)".into(),
                )],
                registration_required: false,
            }],
            no_medical_because: Some(
                "Pistil does not yet carry Massachusetts' medical 60-day supply (935 CMR 501); sell medical marijuana from a system that does".into(),
            ),
            report_opening_tolerance_percent: None,
            count_variance_threshold_percent: Decimal::from(3),
            significant_discrepancy: None,
            reports: vec![ReportFormat::MetrcSync],
        }
    }
}
