//! Health Canada's monthly figures per Schedule 1 class (SOR/2019-202 s.5), by count or by
//! weight, the opening check against the previous closing, and the report's CSV.

use std::{borrow::Cow, collections::BTreeMap};

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::{event::Event, State};

use super::{add, contributions, kg_of, walk, Contribution, Inventory, MonthStart, ReportClass};

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
    /// Products in the month's figures that lack what the report needs: their quantities of
    /// cannabis count 0 until each is given, so the report is not filed with them missing.
    #[serde(default)]
    pub lacking: Vec<Lacking>,
}

/// A product the report cannot count fully, and what it needs.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lacking {
    /// The product.
    pub product_id: crate::ProductId,
    /// Its SKU.
    pub sku: String,
    /// Its name.
    pub name: String,
    /// What it needs, in words.
    pub needs: String,
}

/// The products a state holds any of.
fn held(state: &State) -> std::collections::BTreeSet<crate::ProductId> {
    state
        .packages
        .values()
        .filter(|p| !p.quantity.amount.is_zero())
        .map(|p| p.product_id)
        .collect()
}

/// Of the products in a month (`seen`: moved, or held at its start; and those held at its end),
/// those that lack what the report needs, in SKU order.
fn lacking_in(mut seen: std::collections::BTreeSet<crate::ProductId>, end: &State) -> Vec<Lacking> {
    seen.extend(held(end));
    let mut out: Vec<Lacking> = seen
        .into_iter()
        .filter_map(|id| end.products.get(&id))
        .filter(|p| ReportClass::of(p.category).is_some())
        .filter_map(|p| {
            super::figures::lacking(p).map(|needs| Lacking {
                product_id: p.id,
                sku: p.sku.clone(),
                name: p.name.clone(),
                needs: needs.to_owned(),
            })
        })
        .collect();
    out.sort_by(|a, b| a.sku.cmp(&b.sku));
    out
}

/// One class's opening against the closing filed for the month before.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct OpeningCheck {
    /// The class.
    pub class: String,
    /// This month's opening.
    pub opening: Decimal,
    /// The closing filed for the month before.
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
    /// The month (`YYYY-MM`) whose report, as submitted, the openings are checked against; none
    /// when that report was not marked submitted (nothing filed to compare with).
    #[serde(default)]
    pub compared_with: Option<String>,
    /// Each class checked against the closing filed for `compared_with`.
    pub opening_checks: Vec<OpeningCheck>,
    /// What the report does not carry yet, in words.
    pub notes: Vec<String>,
}

impl HealthCanadaReport {
    /// The classes whose opening is further from the filed closing than the tolerance: marking
    /// this report submitted waits for an explanation of each.
    pub fn outside_tolerance(&self) -> impl Iterator<Item = &OpeningCheck> {
        self.opening_checks.iter().filter(|c| !c.within_tolerance)
    }
}

/// Why a report as filed cannot be read back.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FiledReportError {
    /// A column the report always has is not in its header.
    #[error("the filed report has no \"{0}\" column")]
    MissingColumn(&'static str),
    /// A row names no Schedule 1 class Pistil knows.
    #[error("the filed report's row {row} names no known class (\"{class}\")")]
    UnknownClass {
        /// Row number, the header being 1.
        row: usize,
        /// What the row says.
        class: String,
    },
    /// A closing that is not a number.
    #[error("the filed report's row {row} has a closing that is not a number (\"{value}\")")]
    NotANumber {
        /// Row number, the header being 1.
        row: usize,
        /// What the row says.
        value: String,
    },
}

/// Each class's closing as filed, read back from the report's CSV as it was kept (`to_csv`): the
/// figure Health Canada holds, which the next month's opening must match within the tolerance.
pub fn filed_closings(csv: &str) -> Result<BTreeMap<ReportClass, Decimal>, FiledReportError> {
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap_or_default().split(',').collect();
    let at = |name: &'static str| {
        header
            .iter()
            .position(|h| *h == name)
            .ok_or(FiledReportError::MissingColumn(name))
    };
    let (class_at, closing_at) = (at("class")?, at("closing")?);
    let mut out = BTreeMap::new();
    for (i, line) in lines.enumerate().filter(|(_, l)| !l.is_empty()) {
        let row = i + 2;
        let cells: Vec<&str> = line.split(',').collect();
        let label = cells.get(class_at).copied().unwrap_or_default();
        let class =
            ReportClass::from_label(label).ok_or_else(|| FiledReportError::UnknownClass {
                row,
                class: label.to_owned(),
            })?;
        let value = cells.get(closing_at).copied().unwrap_or_default();
        let closing = value
            .parse::<Decimal>()
            .map_err(|_| FiledReportError::NotANumber {
                row,
                value: value.to_owned(),
            })?;
        out.insert(class, closing);
    }
    Ok(out)
}

/// Each class's opening against the closing filed for the month before, judged by the
/// tolerance; a class in only one of them is checked too (its other figure is 0).
pub fn opening_checks(
    report: &MonthlyReport,
    filed: &BTreeMap<ReportClass, Decimal>,
    tolerance: Option<Decimal>,
) -> Vec<OpeningCheck> {
    let classes: std::collections::BTreeSet<ReportClass> =
        report.classes.keys().chain(filed.keys()).copied().collect();
    classes
        .into_iter()
        .map(|class| {
            let opening = report
                .classes
                .get(&class)
                .map_or(Decimal::ZERO, |c| c.opening);
            let before = filed.get(&class).copied().unwrap_or_default();
            let diff = if before.is_zero() {
                if opening.is_zero() {
                    Decimal::ZERO
                } else {
                    Decimal::ONE_HUNDRED
                }
            } else {
                ((opening - before).abs() * Decimal::ONE_HUNDRED / before).round_dp(2)
            };
            OpeningCheck {
                class: class.label().to_owned(),
                opening,
                previous_closing: before,
                difference_percent: diff.normalize(),
                within_tolerance: tolerance.is_none_or(|t| diff <= t),
            }
        })
        .collect()
}

/// Inventory per class in a state.
pub(super) fn inventory(state: &State) -> Inventory {
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

pub(super) fn monthly_at(from: Cow<'_, MonthStart>, events: &[Event]) -> MonthlyReport {
    let month = from.month;
    let mut classes: BTreeMap<ReportClass, ClassMonth> = BTreeMap::new();
    let mut in_month = 0;
    let mut seen = held(&from.state);
    let (start, end) = walk(from, events, |_, state, e| {
        in_month += 1;
        for c in contributions(state, e) {
            seen.insert(c.product);
            add(&mut classes, c);
        }
    });
    let lacking = lacking_in(seen, &end);
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
        lacking,
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

pub(super) fn monthly_by_weight_at(from: Cow<'_, MonthStart>, events: &[Event]) -> MonthlyReport {
    let month = from.month;
    let mut classes: BTreeMap<ReportClass, ClassMonth> = BTreeMap::new();
    let mut in_month = 0;
    let mut seen = held(&from.state);
    let (start, end) = walk(from, events, |_, state, e| {
        in_month += 1;
        for c in contributions(state, e) {
            seen.insert(c.product);
            add(
                &mut classes,
                Contribution {
                    quantity: c.kg,
                    ..c
                },
            );
        }
    });
    let lacking = lacking_in(seen, &end);
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
        lacking,
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

pub(super) fn merge(into: &mut ClassMonth, m: &ClassMonth) {
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
