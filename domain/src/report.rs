//! Monthly report arithmetic: Health Canada's Cannabis Tracking System retailer fields
//! (SOR/2019-202 s.5) per Schedule 1 class, computed from the ledger's events alone, so every
//! figure can be traced to the events behind it and the same month always gives the same bytes.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::{
    event::{Event, EventKind, Receipt},
    AdjustReason, Category, SaleChannel, State,
};

/// Schedule 1 classes of cannabis products (SOR/2019-202).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportClass {
    /// 1: cannabis plant seeds (closing quantity in seeds).
    Seeds,
    /// 4: dried cannabis (flower, pre-rolls).
    Dried,
    /// 5: edible cannabis, solid.
    EdibleSolid,
    /// 6: edible cannabis, not solid (beverages).
    EdibleNonSolid,
    /// 7: cannabis extract for inhalation (vapes, concentrates).
    ExtractInhaled,
    /// 10: cannabis topical.
    Topical,
}

impl ReportClass {
    /// The class a product category reports under; accessories report under none.
    pub fn of(category: Category) -> Option<Self> {
        Some(match category {
            Category::Seed => ReportClass::Seeds,
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
            ReportClass::Dried => "4 Dried cannabis",
            ReportClass::EdibleSolid => "5 Edible cannabis (solid)",
            ReportClass::EdibleNonSolid => "6 Edible cannabis (not solid)",
            ReportClass::ExtractInhaled => "7 Cannabis extract (inhalation)",
            ReportClass::Topical => "10 Cannabis topical",
        }
    }
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
    let local = day.and_hms_opt(0, 0, 0).expect("midnight exists");
    Utc.from_utc_datetime(&local) - Duration::minutes(i64::from(state.config.utc_offset_minutes))
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

/// Inventory per class in a state: (number, kg contained, book value).
fn inventory(state: &State) -> BTreeMap<ReportClass, (Decimal, Decimal, Decimal)> {
    let mut out: BTreeMap<ReportClass, (Decimal, Decimal, Decimal)> = BTreeMap::new();
    for p in state.packages.values() {
        let Some(product) = state.products.get(&p.product_id) else {
            continue;
        };
        let Some(class) = ReportClass::of(product.category) else {
            continue;
        };
        let e = out.entry(class).or_default();
        e.0 += p.quantity.amount;
        e.1 += if class == ReportClass::Seeds {
            p.quantity.amount
        } else {
            product
                .net_amount(p.quantity.amount)
                .map_or(Decimal::ZERO, |g| g / Decimal::from(1000))
        };
        e.2 += product.cost.amount * p.quantity.amount;
    }
    out
}

/// Builds the month's report from every event in ledger order (those after the month are ignored).
/// Pure: the same events give the same report.
pub fn monthly<'a>(events: impl IntoIterator<Item = &'a Event>, month: NaiveDate) -> MonthlyReport {
    let month = NaiveDate::from_ymd_opt(month.year(), month.month(), 1).expect("first of month");
    let mut state = State::default();
    let mut events = events.into_iter().peekable();
    // Replay up to the month's start (in the store's time zone, as configured then).
    while let Some(e) = events.peek() {
        if e.at >= day_start(&state, month) {
            break;
        }
        state.apply(e);
        events.next();
    }
    let opening = inventory(&state);
    let mut classes: BTreeMap<ReportClass, ClassMonth> = BTreeMap::new();
    for (class, (n, _, _)) in &opening {
        classes.entry(*class).or_default().opening = *n;
    }
    let end = day_start(&state, next_month(month));
    let mut in_month = 0;
    for e in events {
        if e.at >= end {
            break;
        }
        in_month += 1;
        record(&state, &mut classes, e);
        state.apply(e);
    }
    for (class, (n, kg, value)) in inventory(&state) {
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
        store: state.config.name.clone(),
        classes,
        events_in_month: in_month,
    }
}

/// Adds one event's movements, judged against the state just before it.
fn record(state: &State, classes: &mut BTreeMap<ReportClass, ClassMonth>, e: &Event) {
    let class_of = |package: &crate::PackageId| {
        let p = state.packages.get(package)?;
        let product = state.products.get(&p.product_id)?;
        Some((ReportClass::of(product.category)?, product.cost.amount))
    };
    let sale = |r: &Receipt, classes: &mut BTreeMap<ReportClass, ClassMonth>| {
        for l in &r.lines {
            let Some((class, cost)) = class_of(&l.package_id) else {
                continue;
            };
            let c = classes.entry(class).or_default();
            c.reduced_sold += l.quantity.amount;
            match r.channel {
                SaleChannel::InStore => {
                    c.sold_in_store += l.quantity.amount;
                    c.sold_in_store_value += cost * l.quantity.amount;
                }
                SaleChannel::Remote => {
                    c.sold_remote += l.quantity.amount;
                    c.sold_remote_value += cost * l.quantity.amount;
                }
            }
        }
    };
    match &e.kind {
        EventKind::PackageReceived { package, .. } => {
            let class = state
                .products
                .get(&package.product_id)
                .and_then(|p| ReportClass::of(p.category));
            if let Some(class) = class {
                classes.entry(class).or_default().added_received += package.quantity.amount;
            }
        }
        EventKind::Sold { receipt } | EventKind::HoldFulfilled { receipt, .. } => {
            sale(receipt, classes)
        }
        EventKind::Returned { lines, .. } => {
            for l in lines {
                if let Some((class, _)) = class_of(&l.package_id) {
                    classes.entry(class).or_default().added_returned += l.quantity.amount;
                }
            }
        }
        EventKind::PackageDestroyed {
            package_id,
            quantity,
            ..
        } => {
            if let Some((class, _)) = class_of(package_id) {
                classes.entry(class).or_default().reduced_destroyed += quantity.amount;
            }
        }
        EventKind::PackageAdjusted {
            package_id,
            delta,
            reason,
            ..
        } => {
            if let Some((class, _)) = class_of(package_id) {
                let c = classes.entry(class).or_default();
                if delta.amount > Decimal::ZERO {
                    c.added_other += delta.amount;
                } else if *reason == AdjustReason::TheftOrLoss {
                    c.reduced_lost_stolen -= delta.amount;
                } else {
                    c.reduced_other -= delta.amount;
                }
            }
        }
        // Splits, merges, moves, holds and counts move product between packages and zones or
        // record facts; the store's inventory in numbers of products does not change.
        _ => {}
    }
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
