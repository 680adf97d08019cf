//! The month per SKU, as the Ontario and Alberta reports carry it: opening, movements, closing.

use std::{borrow::Cow, collections::BTreeMap};

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::{
    event::{Event, EventKind},
    State,
};

use super::{add, contributions, kg_of, merge, walk, ClassMonth, MonthStart, ReportClass};

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

pub(super) fn per_product(
    state: &State,
) -> BTreeMap<crate::ProductId, (Decimal, Decimal, Decimal)> {
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

pub(super) fn by_sku_at(from: Cow<'_, MonthStart>, events: &[Event]) -> SkuReport {
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
