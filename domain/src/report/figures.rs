//! What one event adds to a month's figures (its contributions), and the drill-down from a figure
//! back to the events behind it.

use std::{borrow::Cow, collections::BTreeMap};

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::{
    event::{Event, EventKind},
    AdjustReason, Category, SaleChannel, State,
};

use super::{walk, ClassMonth, MonthStart, ReportClass};

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

/// Kilograms of cannabis in `qty` of a product; seeds: the number of seeds (Schedule 1, item 1),
/// plants: their number (item 2). What cannot be known (`lacking`) counts 0 and is named.
pub(super) fn kg_of(product: &crate::Product, qty: Decimal) -> Decimal {
    match product.category {
        Category::Seed => seeds_per_package(product).map_or(Decimal::ZERO, |n| n * qty),
        Category::Plant => qty,
        _ => product
            .net_amount(qty)
            .map_or(Decimal::ZERO, |g| g / Decimal::from(1000)),
    }
}

/// How many seeds one package of a seed product holds: its net content, in each.
fn seeds_per_package(product: &crate::Product) -> Option<Decimal> {
    product
        .net_content
        .filter(|n| n.unit == crate::Unit::Each)
        .map(|n| n.amount)
}

/// What the reports need from a product that it does not carry, in words: a seed package's
/// number of seeds, or an item's net content (the quantity of cannabis the closing reports).
pub fn lacking(product: &crate::Product) -> Option<&'static str> {
    match product.category {
        Category::Seed if seeds_per_package(product).is_none() => {
            Some("the number of seeds in a package (its net content, in each)")
        }
        Category::Seed | Category::Plant | Category::Accessory => None,
        _ if product.quantity_type == crate::QuantityType::CountBased
            && product.net_content.is_none() =>
        {
            Some("its net content (grams or millilitres in one item)")
        }
        _ => None,
    }
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

pub(super) fn add(classes: &mut BTreeMap<ReportClass, ClassMonth>, c: Contribution) {
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

pub(super) fn drill_at(
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
