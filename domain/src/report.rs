//! Monthly report arithmetic: Health Canada's Cannabis Tracking System retailer fields
//! (SOR/2019-202 s.5) per Schedule 1 class, computed from the ledger's events alone, so every
//! figure can be traced to the events behind it and the same month always gives the same bytes.
//!
//! Longer than a file should be; splitting the figures, the drill-down and the month starts
//! apart is open work under "One set of wire types" and the Canadian reports.

use std::{borrow::Cow, collections::BTreeMap};

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::{
    event::{Event, EventKind},
    AdjustReason, Category, SaleChannel, State,
};

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
}

/// One class's month: every movement in numbers of products (weighed products in their unit).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClassMonth {
    /// (a) In inventory on the first day of the month.
    pub opening: Decimal,
    /// (b)(i) Added by sale or distribution to the store (received).
    pub added_received: Decimal,
    /// (b)(ii) Added by return from customers.
    pub added_returned: Decimal,
    /// (b)(iii) Added for any other reason (count overages, positive adjustments).
    pub added_other: Decimal,
    /// (c)(i) Ceased by sale.
    pub reduced_sold: Decimal,
    /// (c)(ii) Ceased by destruction.
    pub reduced_destroyed: Decimal,
    /// (c)(iii) Ceased by loss or theft.
    pub reduced_lost_stolen: Decimal,
    /// (c)(iv) Ceased by return to a supplier.
    pub reduced_returned: Decimal,
    /// (c)(v) Ceased for any other reason (count shortages, other negative adjustments).
    pub reduced_other: Decimal,
    /// (d)(i) Sold to consumers present at the location: number.
    pub sold_in_store: Decimal,
    /// (d)(i) Their book value.
    pub sold_in_store_value: Decimal,
    /// (d)(ii) Sold to consumers not present (reserved remotely): number.
    pub sold_remote: Decimal,
    /// (d)(ii) Their book value.
    pub sold_remote_value: Decimal,
    /// (e) In inventory on the last day of the month.
    pub closing: Decimal,
    /// (e) Kilograms of cannabis they contain (seeds: number of seeds).
    pub closing_kg: Decimal,
    /// (e) Their book value (cost, net of sales tax).
    pub closing_value: Decimal,
}

impl ClassMonth {
    /// Opening plus additions less reductions: what the closing must be.
    pub fn expected_closing(&self) -> Decimal {
        self.opening + self.added_received + self.added_returned + self.added_other
            - self.reduced_sold
            - self.reduced_destroyed
            - self.reduced_lost_stolen
            - self.reduced_returned
            - self.reduced_other
    }
}

/// The report for one store month.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonthlyReport {
    /// The month, first day.
    pub month: NaiveDate,
    /// The store's name.
    pub store: String,
    /// Per class, in Schedule 1 order.
    pub classes: BTreeMap<ReportClass, ClassMonth>,
    /// Events the figures were computed from (those inside the month).
    pub events_in_month: u64,
}

/// One class's opening against the previous month's closing.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct OpeningCheck {
    /// The class.
    pub class: String,
    /// This month's opening.
    pub opening: Decimal,
    /// Last month's closing.
    pub previous_closing: Decimal,
    /// The difference in percent of the previous closing.
    pub difference_percent: Decimal,
    /// Within the jurisdiction's tolerance.
    pub within_tolerance: bool,
}

/// The report with its pre-submission checks.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct HealthCanadaReport {
    /// The figures.
    pub report: MonthlyReport,
    /// Health Canada refuses a report whose opening differs from the previous closing by more.
    pub tolerance_percent: Option<Decimal>,
    /// Each class checked.
    pub opening_checks: Vec<OpeningCheck>,
    /// What the report does not carry yet, in words.
    pub notes: Vec<String>,
}

/// Each class's opening against the previous month's closing, judged by the tolerance.
pub fn opening_checks(
    report: &MonthlyReport,
    previous: &MonthlyReport,
    tolerance: Option<Decimal>,
) -> Vec<OpeningCheck> {
    report
        .classes
        .iter()
        .map(|(class, c)| {
            let before = previous
                .classes
                .get(class)
                .map_or(Decimal::ZERO, |p| p.closing);
            let diff = if before.is_zero() {
                if c.opening.is_zero() {
                    Decimal::ZERO
                } else {
                    Decimal::ONE_HUNDRED
                }
            } else {
                ((c.opening - before).abs() * Decimal::ONE_HUNDRED / before).round_dp(2)
            };
            OpeningCheck {
                class: class.label().to_owned(),
                opening: c.opening,
                previous_closing: before,
                difference_percent: diff.normalize(),
                within_tolerance: tolerance.is_none_or(|t| diff <= t),
            }
        })
        .collect()
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

/// Inventory per class in a state.
fn inventory(state: &State) -> Inventory {
    let mut out = Inventory::new();
    for p in state.packages.values() {
        let Some(product) = state.products.get(&p.product_id) else {
            continue;
        };
        let Some(class) = ReportClass::of(product.category) else {
            continue;
        };
        let e = out.entry(class).or_default();
        e.0 += p.quantity.amount;
        e.1 += kg_of(product, p.quantity.amount);
        e.2 += product.cost.amount * p.quantity.amount;
    }
    out
}

/// Builds the month's report from every event in ledger order (those after the month are ignored).
/// Pure: the same events give the same report.
pub fn monthly(events: &[Event], month: NaiveDate) -> MonthlyReport {
    monthly_at(Cow::Owned(MonthStart::replay(events, month)), events)
}

/// `monthly` from the ledger already replayed to the month's start.
pub fn monthly_from(from: &MonthStart, events: &[Event]) -> MonthlyReport {
    monthly_at(Cow::Borrowed(from), events)
}

fn monthly_at(from: Cow<'_, MonthStart>, events: &[Event]) -> MonthlyReport {
    let month = from.month;
    let mut classes: BTreeMap<ReportClass, ClassMonth> = BTreeMap::new();
    let mut in_month = 0;
    let (start, end) = walk(from, events, |_, state, e| {
        in_month += 1;
        for c in contributions(state, e) {
            add(&mut classes, c);
        }
    });
    for (class, (n, _, _)) in start {
        classes.entry(class).or_default().opening = n;
    }
    for (class, (n, kg, value)) in inventory(&end) {
        let c = classes.entry(class).or_default();
        c.closing = n;
        c.closing_kg = kg.round_dp(6).normalize();
        c.closing_value = value.round_dp(2);
    }
    for c in classes.values_mut() {
        c.sold_in_store_value = c.sold_in_store_value.round_dp(2);
        c.sold_remote_value = c.sold_remote_value.round_dp(2);
    }
    MonthlyReport {
        month,
        store: end.config.name.clone(),
        classes,
        events_in_month: in_month,
    }
}

/// The month per class with every movement in kilograms of cannabis (seeds: their number), as
/// weight-based provinces (British Columbia) report it. Book values are as in `monthly`.
pub fn monthly_by_weight(events: &[Event], month: NaiveDate) -> MonthlyReport {
    monthly_by_weight_at(Cow::Owned(MonthStart::replay(events, month)), events)
}

/// `monthly_by_weight` from the ledger already replayed to the month's start.
pub fn monthly_by_weight_from(from: &MonthStart, events: &[Event]) -> MonthlyReport {
    monthly_by_weight_at(Cow::Borrowed(from), events)
}

fn monthly_by_weight_at(from: Cow<'_, MonthStart>, events: &[Event]) -> MonthlyReport {
    let month = from.month;
    let mut classes: BTreeMap<ReportClass, ClassMonth> = BTreeMap::new();
    let mut in_month = 0;
    let (start, end) = walk(from, events, |_, state, e| {
        in_month += 1;
        for c in contributions(state, e) {
            add(
                &mut classes,
                Contribution {
                    quantity: c.kg,
                    ..c
                },
            );
        }
    });
    for (class, (_, kg, _)) in start {
        classes.entry(class).or_default().opening = kg;
    }
    for (class, (_, kg, value)) in inventory(&end) {
        let c = classes.entry(class).or_default();
        c.closing = kg;
        c.closing_kg = kg.round_dp(6).normalize();
        c.closing_value = value.round_dp(2);
    }
    for c in classes.values_mut() {
        for v in [
            &mut c.opening,
            &mut c.added_received,
            &mut c.added_returned,
            &mut c.added_other,
            &mut c.reduced_sold,
            &mut c.reduced_destroyed,
            &mut c.reduced_lost_stolen,
            &mut c.reduced_returned,
            &mut c.reduced_other,
            &mut c.sold_in_store,
            &mut c.sold_remote,
            &mut c.closing,
        ] {
            *v = v.round_dp(6).normalize();
        }
        c.sold_in_store_value = c.sold_in_store_value.round_dp(2);
        c.sold_remote_value = c.sold_remote_value.round_dp(2);
    }
    MonthlyReport {
        month,
        store: end.config.name.clone(),
        classes,
        events_in_month: in_month,
    }
}

/// A movement figure of the report, as the drill-down names it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Movement {
    /// (b)(i) received.
    AddedReceived,
    /// (b)(ii) returned by customers.
    AddedReturned,
    /// (b)(iii) other additions.
    AddedOther,
    /// (c)(i) sold; (d)(i) in store.
    SoldInStore,
    /// (c)(i) sold; (d)(ii) remote.
    SoldRemote,
    /// (c)(ii) destroyed.
    ReducedDestroyed,
    /// (c)(iii) lost or stolen.
    ReducedLostStolen,
    /// (c)(v) other reductions.
    ReducedOther,
}

impl std::str::FromStr for Movement {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        serde_json::from_value(serde_json::Value::String(s.to_owned())).map_err(|_| {
            format!(
                "\"{s}\" is not a report figure; use added_received, added_returned, added_other, sold_in_store, sold_remote, reduced_destroyed, reduced_lost_stolen or reduced_other"
            )
        })
    }
}

/// One event's share of one figure: class, figure, number of products, book value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Contribution {
    /// The product.
    pub product: crate::ProductId,
    /// The class.
    pub class: ReportClass,
    /// The figure.
    pub movement: Movement,
    /// Number of products (weighed products in their unit).
    pub quantity: Decimal,
    /// Book value (cost) of them.
    pub value: Decimal,
    /// Kilograms of cannabis they contain (seeds and plants: their number), for weight-based reports.
    pub kg: Decimal,
}

/// Kilograms of cannabis in `qty` of a product (seeds and plants: their number).
fn kg_of(product: &crate::Product, qty: Decimal) -> Decimal {
    if matches!(product.category, Category::Seed | Category::Plant) {
        return qty;
    }
    product
        .net_amount(qty)
        .map_or(Decimal::ZERO, |g| g / Decimal::from(1000))
}

/// What one event adds to the report's figures, judged against the state just before it. Both
/// the sums and the drill-down read this, so a figure is always the sum of its events.
pub fn contributions(state: &State, e: &Event) -> Vec<Contribution> {
    let class_of = |package: &crate::PackageId| {
        let p = state.packages.get(package)?;
        let product = state.products.get(&p.product_id)?;
        Some((ReportClass::of(product.category)?, product))
    };
    let one =
        |class: ReportClass, product: &crate::Product, movement, quantity: Decimal| Contribution {
            product: product.id,
            class,
            movement,
            quantity,
            value: product.cost.amount * quantity,
            kg: kg_of(product, quantity),
        };
    let mut out = Vec::new();
    match &e.kind {
        EventKind::PackageReceived { package, .. } => {
            if let Some(product) = state.products.get(&package.product_id) {
                if let Some(class) = ReportClass::of(product.category) {
                    out.push(one(
                        class,
                        product,
                        Movement::AddedReceived,
                        package.quantity.amount,
                    ));
                }
            }
        }
        EventKind::Sold { receipt } | EventKind::HoldFulfilled { receipt, .. } => {
            let movement = match receipt.channel {
                SaleChannel::InStore => Movement::SoldInStore,
                SaleChannel::Remote => Movement::SoldRemote,
            };
            for l in &receipt.lines {
                if let Some((class, product)) = class_of(&l.package_id) {
                    out.push(one(class, product, movement, l.quantity.amount));
                }
            }
        }
        EventKind::Returned { lines, .. } => {
            for l in lines {
                if let Some((class, product)) = class_of(&l.package_id) {
                    out.push(one(
                        class,
                        product,
                        Movement::AddedReturned,
                        l.quantity.amount,
                    ));
                }
            }
        }
        EventKind::PackageDestroyed {
            package_id,
            quantity,
            ..
        } => {
            if let Some((class, product)) = class_of(package_id) {
                out.push(one(
                    class,
                    product,
                    Movement::ReducedDestroyed,
                    quantity.amount,
                ));
            }
        }
        EventKind::PackageAdjusted {
            package_id,
            delta,
            reason,
            ..
        } => {
            if let Some((class, product)) = class_of(package_id) {
                let movement = if delta.amount > Decimal::ZERO {
                    Movement::AddedOther
                } else if *reason == AdjustReason::TheftOrLoss {
                    Movement::ReducedLostStolen
                } else {
                    Movement::ReducedOther
                };
                out.push(one(class, product, movement, delta.amount.abs()));
            }
        }
        // Splits, merges, moves, holds and counts move product between packages and zones or
        // record facts; the store's inventory in numbers of products does not change.
        _ => {}
    }
    out
}

fn add(classes: &mut BTreeMap<ReportClass, ClassMonth>, c: Contribution) {
    let m = classes.entry(c.class).or_default();
    match c.movement {
        Movement::AddedReceived => m.added_received += c.quantity,
        Movement::AddedReturned => m.added_returned += c.quantity,
        Movement::AddedOther => m.added_other += c.quantity,
        Movement::SoldInStore => {
            m.reduced_sold += c.quantity;
            m.sold_in_store += c.quantity;
            m.sold_in_store_value += c.value;
        }
        Movement::SoldRemote => {
            m.reduced_sold += c.quantity;
            m.sold_remote += c.quantity;
            m.sold_remote_value += c.value;
        }
        Movement::ReducedDestroyed => m.reduced_destroyed += c.quantity,
        Movement::ReducedLostStolen => m.reduced_lost_stolen += c.quantity,
        Movement::ReducedOther => m.reduced_other += c.quantity,
    }
}

/// Which rows of a report a drill-down follows: one Schedule 1 class, or one SKU.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope<'a> {
    /// A class of the federal (and British Columbia) report.
    Class(ReportClass),
    /// A SKU of the per-SKU reports (Ontario, Alberta).
    Sku(&'a str),
}

/// The events of `month` behind one figure of one class or SKU: each event's position in
/// `events` and its share. Their sum is the figure.
pub fn drill(
    events: &[Event],
    month: NaiveDate,
    scope: Scope<'_>,
    movement: Movement,
) -> Vec<(usize, Contribution)> {
    drill_at(
        Cow::Owned(MonthStart::replay(events, month)),
        events,
        scope,
        movement,
    )
}

/// `drill` from the ledger already replayed to the month's start.
pub fn drill_from(
    from: &MonthStart,
    events: &[Event],
    scope: Scope<'_>,
    movement: Movement,
) -> Vec<(usize, Contribution)> {
    drill_at(Cow::Borrowed(from), events, scope, movement)
}

fn drill_at(
    from: Cow<'_, MonthStart>,
    events: &[Event],
    scope: Scope<'_>,
    movement: Movement,
) -> Vec<(usize, Contribution)> {
    let mut out = Vec::new();
    walk(from, events, |i, state, e| {
        for c in contributions(state, e) {
            let inside = match scope {
                Scope::Class(class) => c.class == class,
                Scope::Sku(sku) => state.products.get(&c.product).is_some_and(|p| p.sku == sku),
            };
            if inside && c.movement == movement {
                out.push((i, c));
            }
        }
    });
    out
}

/// Inventory per class: (number, kg contained, book value).
type Inventory = BTreeMap<ReportClass, (Decimal, Decimal, Decimal)>;

/// The ledger replayed to a month's first moment in the store's time zone: every report of the
/// month starts from it, so a server that keeps it replays only the month itself.
#[derive(Clone, Debug)]
pub struct MonthStart {
    /// The first of the month.
    pub month: NaiveDate,
    /// The store as it stood when the month began.
    pub state: State,
    /// Position in the ledger of the month's first event (the number of events before it).
    pub first: usize,
}

impl MonthStart {
    /// Replays `events` up to the start of `month` (in the store's time zone, as configured then).
    pub fn replay(events: &[Event], month: NaiveDate) -> Self {
        let month =
            NaiveDate::from_ymd_opt(month.year(), month.month(), 1).expect("first of month");
        let mut state = State::default();
        let mut first = 0;
        for e in events {
            if e.at >= day_start(&state, month) {
                break;
            }
            state.apply(e);
            first += 1;
        }
        MonthStart {
            month,
            state,
            first,
        }
    }

    /// Whether events appended after `len` can no longer move it: the ledger already holds
    /// an event of the month or later, so whatever follows is replayed inside the month.
    pub fn settled(&self, len: usize) -> bool {
        self.first < len
    }
}

/// From the month's start, calls `each` for every event inside the month with the state just
/// before; returns the inventory at the month's start and the state at its end. A start that is
/// kept is copied; one replayed for this report alone is used up.
fn walk(
    from: Cow<'_, MonthStart>,
    events: &[Event],
    mut each: impl FnMut(usize, &State, &Event),
) -> (Inventory, State) {
    let MonthStart {
        month,
        mut state,
        first,
    } = from.into_owned();
    let start = inventory(&state);
    let end = day_start(&state, next_month(month));
    for (i, e) in events.iter().enumerate().skip(first) {
        if e.at >= end {
            break;
        }
        each(i, &state, e);
        state.apply(e);
    }
    (start, state)
}

/// The report as CSV, one row per class, columns in the order of SOR/2019-202 s.5.
pub fn to_csv(r: &MonthlyReport) -> String {
    let mut out = String::from(
        "month,class,opening,added_received,added_returned,added_other,reduced_sold,reduced_destroyed,reduced_lost_stolen,reduced_returned,reduced_other,sold_in_store,sold_in_store_book_value,sold_remote,sold_remote_book_value,closing,closing_kg,closing_book_value\n",
    );
    for (class, c) in &r.classes {
        let n = |d: Decimal| d.normalize().to_string();
        let row = [
            r.month.format("%Y-%m").to_string(),
            class.label().to_owned(),
            n(c.opening),
            n(c.added_received),
            n(c.added_returned),
            n(c.added_other),
            n(c.reduced_sold),
            n(c.reduced_destroyed),
            n(c.reduced_lost_stolen),
            n(c.reduced_returned),
            n(c.reduced_other),
            n(c.sold_in_store),
            format!("{:.2}", c.sold_in_store_value),
            n(c.sold_remote),
            format!("{:.2}", c.sold_remote_value),
            n(c.closing),
            n(c.closing_kg),
            format!("{:.2}", c.closing_value),
        ];
        out.push_str(&row.join(","));
        out.push('\n');
    }
    out
}

/// One SKU-UPC's month for the Ontario AGCO integrated retail report, in eaches.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SkuMonth {
    /// The store's SKU.
    pub sku: String,
    /// Its Schedule 1 class.
    pub class: ReportClass,
    /// Its UPC, where it has one.
    pub upc: String,
    /// The product's name.
    pub name: String,
    /// The same figures as the federal report, for this SKU.
    pub figures: ClassMonth,
}

/// A regulator-visible change of one package, for the adjustment and destruction tabs.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeLine {
    /// The store day.
    pub day: NaiveDate,
    /// The SKU.
    pub sku: String,
    /// The UPC.
    pub upc: String,
    /// Signed quantity in eaches (or the product's unit).
    pub quantity: Decimal,
    /// The reason, in the ledger's words.
    pub reason: String,
    /// A destruction's method, or an adjustment's note.
    pub detail: String,
}

/// The month per SKU, and its adjustments and destructions, as the AGCO tabs need them.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SkuReport {
    /// Per SKU, in SKU order.
    pub skus: Vec<SkuMonth>,
    /// Every adjustment in the month.
    pub adjustments: Vec<ChangeLine>,
    /// Every destruction in the month.
    pub destructions: Vec<ChangeLine>,
}

fn per_product(state: &State) -> BTreeMap<crate::ProductId, (Decimal, Decimal, Decimal)> {
    let mut out: BTreeMap<crate::ProductId, (Decimal, Decimal, Decimal)> = BTreeMap::new();
    for p in state.packages.values() {
        let Some(product) = state.products.get(&p.product_id) else {
            continue;
        };
        if ReportClass::of(product.category).is_none() {
            continue;
        }
        let e = out.entry(product.id).or_default();
        e.0 += p.quantity.amount;
        e.1 += kg_of(product, p.quantity.amount);
        e.2 += product.cost.amount * p.quantity.amount;
    }
    out
}

/// The month per SKU from the same contributions as the federal report, so the two agree.
pub fn by_sku(events: &[Event], month: NaiveDate) -> SkuReport {
    by_sku_at(Cow::Owned(MonthStart::replay(events, month)), events)
}

/// `by_sku` from the ledger already replayed to the month's start.
pub fn by_sku_from(from: &MonthStart, events: &[Event]) -> SkuReport {
    by_sku_at(Cow::Borrowed(from), events)
}

fn by_sku_at(from: Cow<'_, MonthStart>, events: &[Event]) -> SkuReport {
    let mut figures: BTreeMap<crate::ProductId, ClassMonth> = BTreeMap::new();
    let mut adjustments = Vec::new();
    let mut destructions = Vec::new();
    let mut opening = None;
    let (_, end) = walk(from, events, |_, state, e| {
        if opening.is_none() {
            opening = Some(per_product(state));
        }
        for c in contributions(state, e) {
            let mut one = BTreeMap::new();
            add(&mut one, c);
            if let Some(m) = one.remove(&c.class) {
                let f = figures.entry(c.product).or_default();
                merge(f, &m);
            }
        }
        let product_of = |id: &crate::PackageId| {
            state
                .packages
                .get(id)
                .and_then(|p| state.products.get(&p.product_id))
                .filter(|p| ReportClass::of(p.category).is_some())
        };
        match &e.kind {
            EventKind::PackageAdjusted {
                package_id,
                delta,
                reason,
                note,
                ..
            } => {
                if let Some(p) = product_of(package_id) {
                    adjustments.push(ChangeLine {
                        day: state.config.day_of(e.at),
                        sku: p.sku.clone(),
                        upc: p.upc.clone().unwrap_or_default(),
                        quantity: delta.amount.normalize(),
                        reason: reason.label().to_owned(),
                        detail: note.clone().unwrap_or_default(),
                    });
                }
            }
            EventKind::PackageDestroyed {
                package_id,
                quantity,
                reason,
                method,
                ..
            } => {
                if let Some(p) = product_of(package_id) {
                    destructions.push(ChangeLine {
                        day: state.config.day_of(e.at),
                        sku: p.sku.clone(),
                        upc: p.upc.clone().unwrap_or_default(),
                        quantity: quantity.amount.normalize(),
                        reason: reason.label().to_owned(),
                        detail: method.label().to_owned(),
                    });
                }
            }
            _ => {}
        }
    });
    // A month without events opens where it closes.
    let opening = opening.unwrap_or_else(|| per_product(&end));
    let closing = per_product(&end);
    let mut skus: Vec<SkuMonth> = end
        .products
        .values()
        .filter_map(|p| {
            let class = ReportClass::of(p.category)?;
            let mut f = figures.remove(&p.id).unwrap_or_default();
            let (o, _, _) = opening.get(&p.id).copied().unwrap_or_default();
            let (c, kg, value) = closing.get(&p.id).copied().unwrap_or_default();
            f.opening = o;
            f.closing = c;
            f.closing_kg = kg.round_dp(6).normalize();
            f.closing_value = value.round_dp(2);
            f.sold_in_store_value = f.sold_in_store_value.round_dp(2);
            f.sold_remote_value = f.sold_remote_value.round_dp(2);
            let active = f != ClassMonth::default();
            active.then(|| SkuMonth {
                sku: p.sku.clone(),
                class,
                upc: p.upc.clone().unwrap_or_default(),
                name: p.name.clone(),
                figures: f,
            })
        })
        .collect();
    skus.sort_by(|a, b| a.sku.cmp(&b.sku));
    SkuReport {
        skus,
        adjustments,
        destructions,
    }
}

fn merge(into: &mut ClassMonth, m: &ClassMonth) {
    into.added_received += m.added_received;
    into.added_returned += m.added_returned;
    into.added_other += m.added_other;
    into.reduced_sold += m.reduced_sold;
    into.reduced_destroyed += m.reduced_destroyed;
    into.reduced_lost_stolen += m.reduced_lost_stolen;
    into.reduced_returned += m.reduced_returned;
    into.reduced_other += m.reduced_other;
    into.sold_in_store += m.sold_in_store;
    into.sold_in_store_value += m.sold_in_store_value;
    into.sold_remote += m.sold_remote;
    into.sold_remote_value += m.sold_remote_value;
}

/// The AGCO tabs Pistil fills, by name.
pub const AGCO_TABS: [&str; 6] = [
    "Federal",
    "Monthly Sales",
    "Inventory Adjustments",
    "Destructions",
    "Inter-Store Transfer - Incoming",
    "Inter-Store Transfer - Outgoing",
];

/// A tab's name as it goes in a file name: `Inter-Store Transfer - Incoming` is
/// `inter_store_transfer_incoming`.
pub fn agco_tab_slug(tab: &str) -> String {
    tab.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_lowercase)
        .collect::<Vec<_>>()
        .join("_")
}

/// One AGCO tab as rows of cells, header first. Column layouts follow the regulation's fields
/// (the AGCO template's exact headings are not confirmed).
pub fn agco_tab(r: &SkuReport, tab: &str) -> Option<Vec<Vec<String>>> {
    let n = |d: Decimal| d.normalize().to_string();
    let rows = match tab {
        "Federal" => {
            let mut rows = vec![[
                "SKU",
                "UPC",
                "Product",
                "Opening",
                "Received",
                "Returned by customers",
                "Other additions",
                "Sold",
                "Destroyed",
                "Lost or stolen",
                "Returned to OCS",
                "Other reductions",
                "Closing",
            ]
            .map(str::to_owned)
            .to_vec()];
            rows.extend(r.skus.iter().map(|s| {
                let f = &s.figures;
                vec![
                    s.sku.clone(),
                    s.upc.clone(),
                    s.name.clone(),
                    n(f.opening),
                    n(f.added_received),
                    n(f.added_returned),
                    n(f.added_other),
                    n(f.reduced_sold),
                    n(f.reduced_destroyed),
                    n(f.reduced_lost_stolen),
                    n(f.reduced_returned),
                    n(f.reduced_other),
                    n(f.closing),
                ]
            }));
            rows
        }
        "Monthly Sales" => {
            let mut rows = vec![[
                "SKU",
                "UPC",
                "Product",
                "Sold in store",
                "Sold in store (book value)",
                "Sold remote",
                "Sold remote (book value)",
            ]
            .map(str::to_owned)
            .to_vec()];
            rows.extend(
                r.skus
                    .iter()
                    .filter(|s| !s.figures.reduced_sold.is_zero())
                    .map(|s| {
                        let f = &s.figures;
                        vec![
                            s.sku.clone(),
                            s.upc.clone(),
                            s.name.clone(),
                            n(f.sold_in_store),
                            format!("{:.2}", f.sold_in_store_value),
                            n(f.sold_remote),
                            format!("{:.2}", f.sold_remote_value),
                        ]
                    }),
            );
            rows
        }
        "Inventory Adjustments" | "Destructions" => {
            let (lines, detail) = if tab == "Destructions" {
                (&r.destructions, "Method")
            } else {
                (&r.adjustments, "Note")
            };
            let mut rows = vec![vec![
                "Date".to_owned(),
                "SKU".to_owned(),
                "UPC".to_owned(),
                "Quantity".to_owned(),
                "Reason".to_owned(),
                detail.to_owned(),
            ]];
            rows.extend(lines.iter().map(|l| {
                vec![
                    l.day.to_string(),
                    l.sku.clone(),
                    l.upc.clone(),
                    n(l.quantity),
                    l.reason.clone(),
                    l.detail.clone(),
                ]
            }));
            rows
        }
        // The ledger records no transfers between stores yet: the tabs go with headings only.
        "Inter-Store Transfer - Incoming" | "Inter-Store Transfer - Outgoing" => {
            vec![["Date", "SKU", "UPC", "Quantity", "Other store licence"]
                .map(str::to_owned)
                .to_vec()]
        }
        _ => return None,
    };
    Some(rows)
}

/// Alberta's monthly report per AGLC SKU: units and book value per SKU, rows of cells with a
/// header (the AGLC template's headings are not confirmed; columns follow SOR/2019-202 s.5).
pub fn alberta_rows(r: &SkuReport) -> Vec<Vec<String>> {
    let n = |d: Decimal| d.normalize().to_string();
    let mut rows = vec![[
        "AGLC SKU",
        "UPC",
        "Product",
        "Class",
        "Opening",
        "Received",
        "Returned by customers",
        "Other additions",
        "Sold",
        "Sold (book value)",
        "Destroyed",
        "Lost or stolen",
        "Other reductions",
        "Closing",
        "Closing (book value)",
    ]
    .map(str::to_owned)
    .to_vec()];
    rows.extend(r.skus.iter().map(|s| {
        let f = &s.figures;
        vec![
            s.sku.clone(),
            s.upc.clone(),
            s.name.clone(),
            s.class.label().to_owned(),
            n(f.opening),
            n(f.added_received),
            n(f.added_returned),
            n(f.added_other),
            n(f.reduced_sold),
            format!("{:.2}", f.sold_in_store_value + f.sold_remote_value),
            n(f.reduced_destroyed),
            n(f.reduced_lost_stolen),
            n(f.reduced_other + f.reduced_returned),
            n(f.closing),
            format!("{:.2}", f.closing_value),
        ]
    }));
    rows
}

/// British Columbia's weight-based monthly report: per class, every movement in kilograms of
/// cannabis (seeds: number), rows of cells with a header (the LCRB template's headings are not
/// confirmed).
pub fn british_columbia_rows(r: &MonthlyReport) -> Vec<Vec<String>> {
    let n = |d: Decimal| d.normalize().to_string();
    let mut rows = vec![[
        "Class",
        "Opening (kg)",
        "Received (kg)",
        "Returned by customers (kg)",
        "Other additions (kg)",
        "Sold in store (kg)",
        "Sold remote (kg)",
        "Destroyed (kg)",
        "Lost or stolen (kg)",
        "Other reductions (kg)",
        "Closing (kg)",
        "Closing (book value)",
    ]
    .map(str::to_owned)
    .to_vec()];
    rows.extend(r.classes.iter().map(|(class, c)| {
        vec![
            class.label().to_owned(),
            n(c.opening),
            n(c.added_received),
            n(c.added_returned),
            n(c.added_other),
            n(c.sold_in_store),
            n(c.sold_remote),
            n(c.reduced_destroyed),
            n(c.reduced_lost_stolen),
            n(c.reduced_other + c.reduced_returned),
            n(c.closing),
            format!("{:.2}", c.closing_value),
        ]
    }));
    rows
}
