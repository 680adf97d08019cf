//! Monthly report arithmetic: Health Canada's Cannabis Tracking System retailer fields
//! (SOR/2019-202 s.5) per Schedule 1 class, computed from the ledger's events alone, so every
//! figure can be traced to the events behind it and the same month always gives the same bytes.
//!
//! This file holds the kinds, classes and dates every report shares; each concern has its module.

mod federal;
mod figures;
mod month_start;
mod provincial;
mod sku;

pub use federal::{
    filed_closings, monthly, monthly_by_weight, monthly_by_weight_from, monthly_from,
    opening_checks, to_csv, ClassMonth, FiledReportError, HealthCanadaReport, Lacking,
    MonthlyReport, OpeningCheck,
};
use federal::{inventory, merge};
use figures::{add, kg_of};
pub use figures::{contributions, drill, drill_from, lacking, Contribution, Movement, Scope};
use month_start::walk;
pub use month_start::MonthStart;
pub use provincial::{agco_tab, agco_tab_slug, alberta_rows, british_columbia_rows, AGCO_TABS};
pub use sku::{by_sku, by_sku_from, ChangeLine, SkuMonth, SkuReport};

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::{Category, State};

/// Schedule 1 classes of cannabis products (SOR/2019-202).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportClass {
    /// 1: cannabis plant seeds (closing quantity in seeds).
    Seeds,
    /// 2: vegetative cannabis plants and seedlings.
    Plants,
    /// 3: fresh cannabis.
    Fresh,
    /// 4: dried cannabis (flower, pre-rolls).
    Dried,
    /// 5: edible cannabis, solid.
    EdibleSolid,
    /// 6: edible cannabis, not solid (beverages).
    EdibleNonSolid,
    /// 7: cannabis extract for inhalation (vapes, concentrates).
    ExtractInhaled,
    /// 8: cannabis extract for ingestion (oils, tinctures).
    ExtractIngested,
    /// 10: cannabis topical.
    Topical,
}

impl ReportClass {
    /// The class a product category reports under; accessories report under none.
    pub fn of(category: Category) -> Option<Self> {
        Some(match category {
            Category::Seed => ReportClass::Seeds,
            Category::Plant => ReportClass::Plants,
            Category::Fresh => ReportClass::Fresh,
            Category::Oil => ReportClass::ExtractIngested,
            Category::Flower | Category::PreRoll => ReportClass::Dried,
            Category::Edible => ReportClass::EdibleSolid,
            Category::Beverage => ReportClass::EdibleNonSolid,
            Category::Vape | Category::Extract => ReportClass::ExtractInhaled,
            Category::Topical => ReportClass::Topical,
            Category::Accessory => return None,
        })
    }

    /// Every class, in Schedule 1 order.
    pub const ALL: [ReportClass; 9] = [
        ReportClass::Seeds,
        ReportClass::Plants,
        ReportClass::Fresh,
        ReportClass::Dried,
        ReportClass::EdibleSolid,
        ReportClass::EdibleNonSolid,
        ReportClass::ExtractInhaled,
        ReportClass::ExtractIngested,
        ReportClass::Topical,
    ];

    /// The class a report's row names by its `label`.
    pub fn from_label(label: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.label() == label)
    }

    /// Schedule 1 item number and name.
    pub fn label(self) -> &'static str {
        match self {
            ReportClass::Seeds => "1 Cannabis plant seeds",
            ReportClass::Plants => "2 Vegetative cannabis plants and seedlings",
            ReportClass::Fresh => "3 Fresh cannabis",
            ReportClass::Dried => "4 Dried cannabis",
            ReportClass::EdibleSolid => "5 Edible cannabis (solid)",
            ReportClass::EdibleNonSolid => "6 Edible cannabis (not solid)",
            ReportClass::ExtractInhaled => "7 Cannabis extract (inhalation)",
            ReportClass::ExtractIngested => "8 Cannabis extract (ingestion)",
            ReportClass::Topical => "10 Cannabis topical",
        }
    }
}

impl std::str::FromStr for ReportClass {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        serde_json::from_value(serde_json::Value::String(s.to_owned())).map_err(|_| {
            format!("\"{s}\" is not a report class; use seeds, plants, fresh, dried, edible_solid, edible_non_solid, extract_inhaled, extract_ingested or topical")
        })
    }
}

/// An event behind a figure, as the drill-down lists it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FigureEvent {
    /// Ledger sequence.
    pub seq: i64,
    /// When.
    pub at: DateTime<Utc>,
    /// The event's kind.
    pub kind: String,
    /// Its share of the figure, in numbers of products.
    pub quantity: Decimal,
    /// Book value of that share.
    pub value: Decimal,
    /// Kilograms of cannabis in that share (seeds: their number), as weight-based reports count it.
    pub kg: Decimal,
}

/// One change the regulator must know of, and how it got there.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PostingRow {
    /// Ledger sequence.
    pub seq: i64,
    /// When the change was made.
    pub at: DateTime<Utc>,
    /// The event's kind.
    pub kind: String,
    /// Where the outbox stands with it: done, pending, sending, uncertain or parked.
    pub state: String,
    /// The regulator's ids for it, when it answered with any.
    pub regulator_ids: Vec<i64>,
    /// When the regulator confirmed it.
    pub posted_at: Option<DateTime<Utc>>,
    /// Minutes from the change to the regulator's confirmation (or to now, when still waiting).
    pub delay_minutes: i64,
    /// Posted later than the limit, or still waiting past it.
    pub late: bool,
    /// The regulator's refusal, when parked.
    pub refusal: Option<String>,
}

/// The month's sync-completeness report.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct CompletenessReport {
    /// The month, first day.
    pub month: NaiveDate,
    /// Changes in the month.
    pub changes: usize,
    /// Confirmed by the regulator.
    pub posted: usize,
    /// Still on their way.
    pub waiting: usize,
    /// Refused, waiting for a person.
    pub parked: usize,
    /// Later than the limit.
    pub late: usize,
    /// Every change.
    pub rows: Vec<PostingRow>,
}

/// The reports Pistil files.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportKind {
    /// Health Canada's monthly retailer report (CSV).
    HealthCanada,
    /// Regulator sync completeness (CSV).
    MetrcCompleteness,
    /// Ontario AGCO's integrated retail report: every tab, kept as rows of cells (JSON) and
    /// rendered as an XLSX workbook or one tab as CSV.
    Agco,
    /// Alberta's monthly report per AGLC SKU (CSV).
    Alberta,
    /// British Columbia's weight-based monthly report (CSV).
    BritishColumbia,
}

impl ReportKind {
    /// Every kind.
    pub const ALL: [ReportKind; 5] = [
        ReportKind::HealthCanada,
        ReportKind::MetrcCompleteness,
        ReportKind::Agco,
        ReportKind::Alberta,
        ReportKind::BritishColumbia,
    ];

    /// As stored and in paths.
    pub fn slug(self) -> &'static str {
        match self {
            ReportKind::HealthCanada => "health_canada",
            ReportKind::MetrcCompleteness => "metrc_completeness",
            ReportKind::Agco => "agco",
            ReportKind::Alberta => "alberta",
            ReportKind::BritishColumbia => "british_columbia",
        }
    }

    /// From a path segment.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.slug() == s)
    }

    /// The report a jurisdiction's format is filed as.
    pub fn of(format: crate::ReportFormat) -> Self {
        match format {
            crate::ReportFormat::HealthCanadaCts => ReportKind::HealthCanada,
            crate::ReportFormat::AgcoRetail => ReportKind::Agco,
            crate::ReportFormat::AglcMonthly => ReportKind::Alberta,
            crate::ReportFormat::BcMonthly => ReportKind::BritishColumbia,
            crate::ReportFormat::MetrcSync => ReportKind::MetrcCompleteness,
        }
    }
}

/// Where one month's report stands.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ReportStatus {
    /// Which report.
    pub kind: ReportKind,
    /// The month, `YYYY-MM`.
    pub month: String,
    /// generated, downloaded or submitted.
    pub status: String,
    /// When generated.
    pub generated_at: String,
    /// When first downloaded.
    pub downloaded_at: Option<String>,
    /// When marked submitted.
    pub submitted_at: Option<String>,
    /// Why its openings differ from the closings filed the month before, as the manager wrote
    /// it when marking it submitted (needed when a difference is over the tolerance).
    #[serde(default)]
    pub explanation: Option<String>,
}

/// The instant a store-local calendar day starts.
pub fn day_start(state: &State, day: NaiveDate) -> DateTime<Utc> {
    day_start_of(&state.config, day)
}

/// The instant a calendar day starts in a store's time.
pub fn day_start_of(config: &crate::StoreConfig, day: NaiveDate) -> DateTime<Utc> {
    config.day_start(day)
}

/// The first day of the month after `month`.
pub fn next_month(month: NaiveDate) -> NaiveDate {
    let (y, m) = if month.month() == 12 {
        (month.year() + 1, 1)
    } else {
        (month.year(), month.month() + 1)
    };
    NaiveDate::from_ymd_opt(y, m, 1).expect("first of a month exists")
}

/// The first day of the month before `month`.
pub fn previous_month(month: NaiveDate) -> NaiveDate {
    let first = NaiveDate::from_ymd_opt(month.year(), month.month(), 1).expect("first of month");
    let last = first.pred_opt().expect("a day before");
    NaiveDate::from_ymd_opt(last.year(), last.month(), 1).expect("first of month")
}

/// Inventory per class: (number, kg contained, book value).
type Inventory = BTreeMap<ReportClass, (Decimal, Decimal, Decimal)>;
