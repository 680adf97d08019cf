//! Jurisdictions: the law's purchase limits with their equivalencies, legal age, discrepancy
//! notices, time zone and report formats. Each preset lives in its own module, and every rule
//! carries the act, section or regulation it comes from and the date that version was read.
//!
//! A store's configuration records only its jurisdiction's code; the rules are these presets.
//! So a corrected rule applies from the next sale on, and no recorded sale is judged again.

mod california;
mod canada;
mod colorado;
mod massachusetts;
mod michigan;

use chrono_tz::Tz;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::{Category, Currency, Product, QuantityType};

/// One avoirdupois ounce in grams, where the law states a limit in ounces.
pub const OUNCE_GRAMS: Decimal = Decimal::from_parts(2_579_719_349, 6, 0, false, 9);

/// What a limit term measures on a product.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    /// Net cannabis weight in grams; a volume in millilitres counts as the same number of grams.
    NetWeight,
    /// Labelled THC in milligrams.
    ThcMilligrams,
    /// Whole items (seeds, plants).
    Items,
}

impl Measure {
    /// What a product must record for this measure, in words for the product screen.
    pub fn needs(self) -> &'static str {
        match self {
            Measure::NetWeight => "net cannabis content per item",
            Measure::ThcMilligrams => "THC per item (mg)",
            Measure::Items => "to be sold in whole items",
        }
    }
}

/// Over what a limit adds up.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Window {
    /// One sale or one pickup order.
    Transaction,
    /// A customer's store day: sales of the day and pickup holds they have open.
    Day,
}

/// Which of a licence's sales a limit governs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Program {
    /// Adult-use (recreational) sales.
    #[default]
    AdultUse,
    /// Sales to a registered medical patient.
    Medical,
}

impl Program {
    /// Words for people.
    pub fn label(self) -> &'static str {
        match self {
            Program::AdultUse => "adult-use",
            Program::Medical => "medical",
        }
    }
}

/// One category's contribution to a limit: `per` of the measure counts as `equals` of the limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
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

/// A purchase limit as the law writes it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PurchaseLimit {
    /// Name shown in refusals ("dried cannabis equivalent").
    pub name: String,
    /// The most a customer may buy.
    pub max: Decimal,
    /// Unit of `max` shown to people ("g").
    pub unit_label: String,
    /// Per transaction or per store day.
    pub window: Window,
    /// The categories counted, each with its equivalency.
    pub terms: Vec<LimitTerm>,
    /// The act, section or regulation, and the date the version was read.
    pub source: String,
}

/// One program's limits, and the categories the law leaves outside them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ProgramRules {
    /// Adult-use or medical.
    pub program: Program,
    /// The limits.
    pub limits: Vec<PurchaseLimit>,
    /// Categories no limit counts, and why.
    pub unlimited: Vec<(Category, String)>,
    /// Whether each sale must name the patient's registration (medical).
    pub registration_required: bool,
}

/// A count difference the law makes the store report, and to whom.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DiscrepancyRule {
    /// Name of the notice ("significant discrepancy").
    pub name: String,
    /// The difference, valued at shelf prices, as a percentage of average monthly sales.
    pub percent_of_average_monthly_sales: Decimal,
    /// Hours from discovery to notice.
    pub notify_within_hours: u32,
    /// Who must be told, and how.
    pub notify: String,
    /// The regulation, and the date the version was read.
    pub source: String,
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

/// A jurisdiction's rules. It is stored and sent as its code alone ("ON", "CA"): the rules are
/// always this release's presets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Jurisdiction {
    /// Short code ("ON", "CA").
    pub code: String,
    /// Full name.
    pub name: String,
    /// Legal age to buy.
    pub min_age: u8,
    /// Currency of prices.
    pub currency: Currency,
    /// The time zone a store here keeps unless it says otherwise.
    pub time_zone: Tz,
    /// Purchase limits per program (adult-use, medical where stores here may sell it).
    pub programs: Vec<ProgramRules>,
    /// Why a store here sells no medical cannabis, where it may not.
    pub no_medical_because: Option<String>,
    /// Largest opening-vs-previous-closing difference a monthly report may carry, in percent.
    pub report_opening_tolerance_percent: Option<Decimal>,
    /// A count variance above this percentage needs a recount before it is accepted.
    pub count_variance_threshold_percent: Decimal,
    /// A count difference the law says must be reported, where it sets one.
    pub significant_discrepancy: Option<DiscrepancyRule>,
    /// Reports this jurisdiction expects.
    pub reports: Vec<ReportFormat>,
}

impl Jurisdiction {
    /// Every preset, in the order a settings screen lists them.
    pub fn presets() -> Vec<Self> {
        vec![
            Self::ontario(),
            Self::alberta(),
            Self::british_columbia(),
            Self::california(),
            Self::colorado(),
            Self::michigan(),
            Self::massachusetts(),
        ]
    }

    /// A preset by its code, case-insensitive.
    pub fn preset(code: &str) -> Option<Self> {
        match code.trim().to_ascii_uppercase().as_str() {
            "ON" => Some(Self::ontario()),
            "AB" => Some(Self::alberta()),
            "BC" => Some(Self::british_columbia()),
            "CA" => Some(Self::california()),
            "CO" => Some(Self::colorado()),
            "MI" => Some(Self::michigan()),
            "MA" => Some(Self::massachusetts()),
            _ => None,
        }
    }

    /// The rules of one program, when a store here may sell under it.
    pub fn program(&self, program: Program) -> Option<&ProgramRules> {
        self.programs.iter().find(|p| p.program == program)
    }

    /// The adult-use limits.
    pub fn limits(&self) -> &[PurchaseLimit] {
        self.program(Program::AdultUse)
            .map_or(&[], |p| p.limits.as_slice())
    }

    /// What `product` lacks for these rules to count it, in words; empty when nothing is.
    pub fn missing_for(&self, product: &Product) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        if product.category == Category::Accessory {
            return out;
        }
        for term in self
            .programs
            .iter()
            .flat_map(|r| r.limits.iter().flat_map(|l| l.terms.iter()))
            .filter(|t| t.category == product.category)
        {
            if let Some(need) = term.lacks(product) {
                if !out.iter().any(|n| n == need) {
                    out.push(need.to_owned());
                }
            }
        }
        let placed = self.programs.iter().any(|r| r.places(product.category));
        if !placed {
            out.push(format!(
                "a category {}'s limits place (they do not count {})",
                self.name,
                product.category.label().to_lowercase()
            ));
        }
        out
    }
}

impl ProgramRules {
    /// Whether these rules place `category`: a limit counts it, or the law leaves it unlimited
    /// (accessories are not cannabis and always are).
    pub fn places(&self, category: Category) -> bool {
        category == Category::Accessory
            || self.unlimited.iter().any(|(c, _)| *c == category)
            || self
                .limits
                .iter()
                .any(|l| l.terms.iter().any(|t| t.category == category))
    }
}

impl LimitTerm {
    /// What a product lacks for this term to measure it, if anything.
    pub fn lacks(&self, product: &Product) -> Option<&'static str> {
        let ok = match self.measure {
            Measure::NetWeight => product.net_amount(Decimal::ONE).is_some(),
            Measure::ThcMilligrams => {
                product.quantity_type == QuantityType::CountBased
                    && product.thc_mg_per_unit.is_some()
            }
            Measure::Items => product.quantity_type == QuantityType::CountBased,
        };
        (!ok).then(|| self.measure.needs())
    }
}

/// `per` of `measure` in `category` counts as `equals` toward the limit.
fn term(category: Category, measure: Measure, per: Decimal, equals: Decimal) -> LimitTerm {
    LimitTerm {
        category,
        measure,
        per,
        equals,
    }
}

/// Grams of a category counted gram for gram.
fn grams(category: Category) -> LimitTerm {
    term(category, Measure::NetWeight, Decimal::ONE, Decimal::ONE)
}

/// Whole items counted one for one.
fn items(category: Category) -> LimitTerm {
    term(category, Measure::Items, Decimal::ONE, Decimal::ONE)
}

impl Serialize for Jurisdiction {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.code)
    }
}

impl<'de> Deserialize<'de> for Jurisdiction {
    /// A code, or (in events recorded before rules were presets) the whole rules object, of
    /// which only the code is read.
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Stored {
            Code(String),
            Recorded { code: String },
        }
        let code = match Stored::deserialize(d)? {
            Stored::Code(c) | Stored::Recorded { code: c } => c,
        };
        Jurisdiction::preset(&code).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "\"{code}\" is not a jurisdiction Pistil knows; use ON, AB, BC, CA, CO, MI or MA"
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_ounce_is_the_avoirdupois_ounce() {
        assert_eq!(OUNCE_GRAMS, Decimal::new(28_349_523_125, 9));
    }

    #[test]
    fn every_limit_names_its_source_and_the_date_it_was_read() {
        for j in Jurisdiction::presets() {
            assert_eq!(
                Jurisdiction::preset(&j.code.to_lowercase()),
                Some(j.clone())
            );
            for rules in &j.programs {
                for l in &rules.limits {
                    assert!(
                        l.source.contains("read 2026-"),
                        "{} {}: {}",
                        j.code,
                        l.name,
                        l.source
                    );
                    assert!(!l.terms.is_empty(), "{} {}", j.code, l.name);
                }
                if rules.program == Program::Medical {
                    assert!(rules.registration_required, "{}", j.code);
                }
            }
            assert_eq!(
                j.program(Program::Medical).is_none(),
                j.no_medical_because.is_some(),
                "{}: a jurisdiction without medical rules says why",
                j.code
            );
        }
    }

    #[test]
    fn a_jurisdiction_is_stored_as_its_code_and_read_back_from_older_whole_objects() {
        let json = serde_json::to_string(&Jurisdiction::colorado()).unwrap();
        assert_eq!(json, "\"CO\"");
        let back: Jurisdiction = serde_json::from_str(&json).unwrap();
        assert_eq!(back, Jurisdiction::colorado());
        let recorded = r#"{"code":"CA","name":"California","min_age":21,"currency":"Usd","limits":[],
            "report_opening_tolerance_percent":null,"count_variance_threshold_percent":"3",
            "significant_discrepancy_percent":"3","reports":["MetrcSync"]}"#;
        let old: Jurisdiction = serde_json::from_str(recorded).unwrap();
        assert_eq!(old, Jurisdiction::california());
        let e = serde_json::from_str::<Jurisdiction>("\"ZZ\"").unwrap_err();
        assert!(
            e.to_string().contains("\"ZZ\" is not a jurisdiction"),
            "{e}"
        );
    }
}
