//! Jurisdictions: purchase limits with their equivalency tables, legal age, discrepancy
//! thresholds and report formats. Presets carry their sources in comments.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::{Category, Currency};

/// What a limit term measures on a product.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Measure {
    /// Net cannabis weight in grams (millilitres for drinks).
    NetWeight,
    /// Labelled THC in milligrams.
    ThcMilligrams,
    /// Whole items (seeds).
    Items,
}

/// One category's contribution to a limit: `per` of the measure counts as `equals` of the limit.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LimitTerm {
    /// The category this term covers.
    pub category: Category,
    /// What is measured.
    pub measure: Measure,
    /// This much of the measure...
    pub per: Decimal,
    /// ...counts as this much toward the limit.
    pub equals: Decimal,
}

/// A purchase limit per customer and day, summed over in-store sales and online holds.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PurchaseLimit {
    /// Name shown in refusals ("dried cannabis equivalent").
    pub name: String,
    /// The most a customer may buy.
    pub max: Decimal,
    /// Unit of `max` shown to people ("g").
    pub unit_label: String,
    /// The categories counted, each with its equivalency.
    pub terms: Vec<LimitTerm>,
}

/// Monthly or live reports a jurisdiction expects.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ReportFormat {
    /// Health Canada's Cannabis Tracking System monthly retailer report.
    HealthCanadaCts,
    /// Ontario AGCO's integrated retail report.
    AgcoRetail,
    /// Alberta AGLC monthly report per SKU.
    AglcMonthly,
    /// British Columbia monthly weight-based report.
    BcMonthly,
    /// Live Metrc sync plus a monthly completeness report.
    MetrcSync,
}

/// A jurisdiction's rules.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Jurisdiction {
    /// Short code ("ON", "CA").
    pub code: String,
    /// Full name.
    pub name: String,
    /// Legal age to buy.
    pub min_age: u8,
    /// Currency of prices.
    pub currency: Currency,
    /// Purchase limits per customer and day.
    pub limits: Vec<PurchaseLimit>,
    /// Largest opening-vs-previous-closing difference a monthly report may carry, in percent.
    pub report_opening_tolerance_percent: Option<Decimal>,
    /// A count variance above this percentage needs a recount before it is accepted.
    pub count_variance_threshold_percent: Decimal,
    /// "Significant discrepancy" as percent of average monthly sales, where defined.
    pub significant_discrepancy_percent: Option<Decimal>,
    /// Reports this jurisdiction expects.
    pub reports: Vec<ReportFormat>,
}

fn term(category: Category, measure: Measure, per: i64, equals: i64) -> LimitTerm {
    LimitTerm {
        category,
        measure,
        per: Decimal::from(per),
        equals: Decimal::from(equals),
    }
}

/// Cannabis Act s.8(1) and Schedule 3: 30 g dried equivalent in public; 1 g dried = 5 g fresh =
/// 15 g edible solid = 70 g liquid = 0.25 g concentrate = 1 seed. Topicals count like edible solids.
fn canada_limit() -> PurchaseLimit {
    use Category::*;
    PurchaseLimit {
        name: "dried cannabis equivalent".into(),
        max: Decimal::from(30),
        unit_label: "g".into(),
        terms: vec![
            term(Flower, Measure::NetWeight, 1, 1),
            term(PreRoll, Measure::NetWeight, 1, 1),
            term(Edible, Measure::NetWeight, 15, 1),
            term(Topical, Measure::NetWeight, 15, 1),
            term(Beverage, Measure::NetWeight, 70, 1),
            LimitTerm {
                category: Vape,
                measure: Measure::NetWeight,
                per: Decimal::new(25, 2),
                equals: Decimal::ONE,
            },
            LimitTerm {
                category: Extract,
                measure: Measure::NetWeight,
                per: Decimal::new(25, 2),
                equals: Decimal::ONE,
            },
            term(Seed, Measure::Items, 1, 1),
        ],
    }
}

fn canada(code: &str, name: &str, min_age: u8, reports: Vec<ReportFormat>) -> Jurisdiction {
    Jurisdiction {
        code: code.into(),
        name: name.into(),
        min_age,
        currency: Currency::Cad,
        limits: vec![canada_limit()],
        // Health Canada refuses a monthly report whose opening differs from the last closing by more than 5%.
        report_opening_tolerance_percent: Some(Decimal::from(5)),
        count_variance_threshold_percent: Decimal::from(2),
        significant_discrepancy_percent: None,
        reports,
    }
}

impl Jurisdiction {
    /// Ontario (AGCO): age 19.
    pub fn ontario() -> Self {
        canada(
            "ON",
            "Ontario",
            19,
            vec![ReportFormat::HealthCanadaCts, ReportFormat::AgcoRetail],
        )
    }

    /// Alberta (AGLC): age 18.
    pub fn alberta() -> Self {
        canada(
            "AB",
            "Alberta",
            18,
            vec![ReportFormat::HealthCanadaCts, ReportFormat::AglcMonthly],
        )
    }

    /// British Columbia: age 19.
    pub fn british_columbia() -> Self {
        canada(
            "BC",
            "British Columbia",
            19,
            vec![ReportFormat::HealthCanadaCts, ReportFormat::BcMonthly],
        )
    }

    /// California (DCC, 4 CCR §15400): 28.5 g non-concentrated cannabis, 8 g concentrate, age 21;
    /// a "significant discrepancy" is 3% of average monthly sales, reported within 24 hours.
    pub fn california() -> Self {
        use Category::*;
        Jurisdiction {
            code: "CA".into(),
            name: "California".into(),
            min_age: 21,
            currency: Currency::Usd,
            limits: vec![
                PurchaseLimit {
                    name: "non-concentrated cannabis".into(),
                    max: Decimal::new(285, 1),
                    unit_label: "g".into(),
                    terms: vec![
                        term(Flower, Measure::NetWeight, 1, 1),
                        term(PreRoll, Measure::NetWeight, 1, 1),
                    ],
                },
                PurchaseLimit {
                    name: "concentrated cannabis".into(),
                    max: Decimal::from(8),
                    unit_label: "g".into(),
                    terms: vec![
                        term(Extract, Measure::NetWeight, 1, 1),
                        term(Vape, Measure::NetWeight, 1, 1),
                    ],
                },
            ],
            report_opening_tolerance_percent: None,
            count_variance_threshold_percent: Decimal::from(3),
            significant_discrepancy_percent: Some(Decimal::from(3)),
            reports: vec![ReportFormat::MetrcSync],
        }
    }

    /// Colorado (1 CCR 212-3, 3-615): 1 oz (28 g) flower, 8 g concentrate, 800 mg THC in edibles, age 21.
    pub fn colorado() -> Self {
        use Category::*;
        Jurisdiction {
            code: "CO".into(),
            name: "Colorado".into(),
            min_age: 21,
            currency: Currency::Usd,
            limits: vec![
                PurchaseLimit {
                    name: "flower".into(),
                    max: Decimal::from(28),
                    unit_label: "g".into(),
                    terms: vec![
                        term(Flower, Measure::NetWeight, 1, 1),
                        term(PreRoll, Measure::NetWeight, 1, 1),
                    ],
                },
                PurchaseLimit {
                    name: "concentrate".into(),
                    max: Decimal::from(8),
                    unit_label: "g".into(),
                    terms: vec![
                        term(Extract, Measure::NetWeight, 1, 1),
                        term(Vape, Measure::NetWeight, 1, 1),
                    ],
                },
                PurchaseLimit {
                    name: "edible THC".into(),
                    max: Decimal::from(800),
                    unit_label: "mg".into(),
                    terms: vec![
                        term(Edible, Measure::ThcMilligrams, 1, 1),
                        term(Beverage, Measure::ThcMilligrams, 1, 1),
                    ],
                },
            ],
            report_opening_tolerance_percent: None,
            count_variance_threshold_percent: Decimal::from(3),
            significant_discrepancy_percent: None,
            reports: vec![ReportFormat::MetrcSync],
        }
    }

    /// A preset by its code, case-insensitive.
    pub fn preset(code: &str) -> Option<Self> {
        match code.to_ascii_uppercase().as_str() {
            "ON" => Some(Self::ontario()),
            "AB" => Some(Self::alberta()),
            "BC" => Some(Self::british_columbia()),
            "CA" => Some(Self::california()),
            "CO" => Some(Self::colorado()),
            _ => None,
        }
    }
}
