//! Colorado: one combined ounce equivalent per sales transaction (Marijuana Enforcement
//! Division).

use chrono_tz::Tz;
use rust_decimal::Decimal;

use super::{term, Jurisdiction, Measure, ProgramRules, PurchaseLimit, ReportFormat, Window};
use crate::{Category, Currency, Program};

/// 1 CCR 212-3, Rule 3-615 (formerly 1 CCR 212-2 R 402(C)(1.5), MED Industry Bulletin 15-12):
/// no more than one ounce of flower "or its equivalent" in one sales transaction; one ounce of
/// flower equals 8 g of concentrate and 80 ten-milligram servings (800 mg) of THC in products;
/// non-psychoactive topicals are exempt (HB 16-1216 §8). Text as quoted by MED's bulletin and
/// its industry letter, read 2026-12-04.
const SALES_LIMIT: &str = "1 CCR 212-3 Rule 3-615 (formerly R 402(C)(1.5); MED Industry Bulletin 15-12) and HB 16-1216 §8; read 2026-12-04";

/// The limit is counted in ounces of flower. MED's letter puts "one ounce of cannabis flower, or
/// 28 grams"; Pistil uses 28 g, the stricter of that and 28.35 g.
fn ounce_equivalent() -> PurchaseLimit {
    use Category::*;
    let flower = Decimal::from(28);
    let of = |category, measure, per: Decimal| term(category, measure, per, Decimal::ONE);
    PurchaseLimit {
        name: "one-ounce equivalent".into(),
        max: Decimal::ONE,
        unit_label: "oz".into(),
        window: Window::Transaction,
        terms: vec![
            of(Flower, Measure::NetWeight, flower),
            of(PreRoll, Measure::NetWeight, flower),
            of(Extract, Measure::NetWeight, Decimal::from(8)),
            of(Vape, Measure::NetWeight, Decimal::from(8)),
            of(Edible, Measure::ThcMilligrams, Decimal::from(800)),
            of(Beverage, Measure::ThcMilligrams, Decimal::from(800)),
            of(Oil, Measure::ThcMilligrams, Decimal::from(800)),
        ],
        source: SALES_LIMIT.into(),
    }
}

impl Jurisdiction {
    /// Colorado (MED): age 21; one ounce equivalent per transaction. Colorado's medical limits
    /// are not modelled: a medical sale is refused.
    pub fn colorado() -> Self {
        Jurisdiction {
            code: "CO".into(),
            name: "Colorado".into(),
            min_age: 21,
            currency: Currency::Usd,
            time_zone: Tz::America__Denver,
            programs: vec![ProgramRules {
                program: Program::AdultUse,
                limits: vec![ounce_equivalent()],
                unlimited: vec![(
                    Category::Topical,
                    "non-psychoactive topicals are exempt (HB 16-1216 §8)".into(),
                )],
                registration_required: false,
            }],
            no_medical_because: Some(
                "Pistil does not yet carry Colorado's medical limits (C.R.S. 44-10-501 ff.); sell medical marijuana from a system that does".into(),
            ),
            report_opening_tolerance_percent: None,
            count_variance_threshold_percent: Decimal::from(3),
            significant_discrepancy: None,
            reports: vec![ReportFormat::MetrcSync],
        }
    }
}
