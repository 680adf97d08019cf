//! California: the Department of Cannabis Control's daily limits (4 CCR §15409) and its
//! significant-discrepancy notice (4 CCR §15034, §15036).

use chrono_tz::Tz;
use rust_decimal::Decimal;

use super::{
    grams, items, term, DiscrepancyRule, Jurisdiction, Measure, ProgramRules, PurchaseLimit,
    ReportFormat, Window, OUNCE_GRAMS,
};
use crate::{Category, Currency, Program};

/// 4 CCR §15409 "Daily Limits" (Barclays, current text), read 2026-12-04.
const DAILY_LIMITS: &str = "4 CCR §15409 (Daily Limits); read 2026-12-04";

/// §15409(a)(2) counts "cannabis concentrate contained in cannabis products" and (e) makes the
/// retailer determine it. Pistil counts a manufactured product's labelled THC as the concentrate
/// it contains (1,000 mg of THC = 1 g), so every edible, drink, oil and topical needs its THC per item.
fn concentrate_in(category: Category) -> super::LimitTerm {
    term(
        category,
        Measure::ThcMilligrams,
        Decimal::from(1000),
        Decimal::ONE,
    )
}

fn adult_use() -> ProgramRules {
    use Category::*;
    ProgramRules {
        program: Program::AdultUse,
        limits: vec![
            PurchaseLimit {
                name: "non-concentrated cannabis".into(),
                max: Decimal::new(285, 1),
                unit_label: "g".into(),
                window: Window::Day,
                terms: vec![grams(Flower), grams(PreRoll), grams(Fresh)],
                source: format!("{DAILY_LIMITS}, (a)(1)"),
            },
            PurchaseLimit {
                name: "cannabis concentrate".into(),
                max: Decimal::from(8),
                unit_label: "g".into(),
                window: Window::Day,
                terms: vec![
                    grams(Extract),
                    grams(Vape),
                    concentrate_in(Edible),
                    concentrate_in(Beverage),
                    concentrate_in(Oil),
                    concentrate_in(Topical),
                ],
                source: format!("{DAILY_LIMITS}, (a)(2) and (e)"),
            },
            PurchaseLimit {
                name: "immature cannabis plants".into(),
                max: Decimal::from(6),
                unit_label: "plants".into(),
                window: Window::Day,
                terms: vec![items(Plant)],
                source: format!("{DAILY_LIMITS}, (a)(3)"),
            },
        ],
        unlimited: vec![(Seed, "§15409 sets no limit on seeds".into())],
        registration_required: false,
    }
}

/// §15409(b): a patient's day is 8 oz of dried mature flower and 12 immature plants; nothing
/// else is limited. (c), a physician's recommendation for more, is not modelled: such a sale
/// is refused and made as the recommendation documents, outside Pistil's limit.
fn medical() -> ProgramRules {
    use Category::*;
    let why = || "§15409(b) limits only dried flower and immature plants for patients".to_owned();
    ProgramRules {
        program: Program::Medical,
        limits: vec![
            PurchaseLimit {
                name: "medicinal dried flower".into(),
                max: OUNCE_GRAMS * Decimal::from(8),
                unit_label: "g".into(),
                window: Window::Day,
                terms: vec![grams(Flower), grams(PreRoll)],
                source: format!("{DAILY_LIMITS}, (b)(1)"),
            },
            PurchaseLimit {
                name: "immature cannabis plants".into(),
                max: Decimal::from(12),
                unit_label: "plants".into(),
                window: Window::Day,
                terms: vec![items(Plant)],
                source: format!("{DAILY_LIMITS}, (b)(2)"),
            },
        ],
        unlimited: [Fresh, Extract, Vape, Edible, Beverage, Oil, Topical, Seed]
            .into_iter()
            .map(|c| (c, why()))
            .collect(),
        registration_required: true,
    }
}

impl Jurisdiction {
    /// California (DCC): age 21; adult-use and medicinal daily limits; a significant
    /// discrepancy (3% of average monthly sales) is reported within 24 hours.
    pub fn california() -> Self {
        Jurisdiction {
            code: "CA".into(),
            name: "California".into(),
            min_age: 21,
            currency: Currency::Usd,
            time_zone: Tz::America__Los_Angeles,
            programs: vec![adult_use(), medical()],
            no_medical_because: None,
            report_opening_tolerance_percent: None,
            count_variance_threshold_percent: Decimal::from(3),
            significant_discrepancy: Some(DiscrepancyRule {
                name: "significant discrepancy".into(),
                percent_of_average_monthly_sales: Decimal::from(3),
                notify_within_hours: 24,
                notify: "the Department of Cannabis Control (form DCC-LIC-028) and local law enforcement".into(),
                source: "4 CCR §15034 (\"at least 3% of the average monthly sales\", the text of former 16 CCR §5034(a)) and §15036(a)(1) (notice within 24 hours of discovery); read 2026-12-04".into(),
            }),
            reports: vec![ReportFormat::MetrcSync],
        }
    }
}
