//! Purchase limits: what a customer's day adds up to under each of the jurisdiction's limits.

use rust_decimal::Decimal;

use crate::{CustomerRef, DomainError, Measure, ProductId, PurchaseLimit, QuantityType, State};

/// How much `qty` of a product counts toward `limit`, in the limit's unit.
pub fn contribution(
    state: &State,
    limit: &PurchaseLimit,
    product: ProductId,
    qty: Decimal,
) -> Decimal {
    let Some(p) = state.products.get(&product) else {
        return Decimal::ZERO;
    };
    let Some(term) = limit.terms.iter().find(|t| t.category == p.category) else {
        return Decimal::ZERO;
    };
    let measured = match term.measure {
        // A product without a declared net content cannot be weighed against the limit;
        // products are refused that state at definition time for limited categories.
        Measure::NetWeight => p.net_amount(qty).unwrap_or_default(),
        Measure::ThcMilligrams => match p.quantity_type {
            QuantityType::CountBased => p.thc_mg_per_unit.unwrap_or_default() * qty,
            _ => Decimal::ZERO,
        },
        Measure::Items => qty,
    };
    measured * term.equals / term.per
}

/// Checks that adding `order` to what `customer` already bought today and has on hold stays
/// within every limit. With no customer, the order alone is checked.
pub fn check(
    state: &State,
    customer: Option<&CustomerRef>,
    day: chrono::NaiveDate,
    order: &[(ProductId, Decimal)],
) -> Result<(), DomainError> {
    let mut prior: Vec<(ProductId, Decimal)> = Vec::new();
    if let Some(c) = customer {
        if let Some(d) = state.purchases.get(c) {
            if d.day == day {
                prior.extend(d.lines.iter().copied());
            }
        }
        for hold in state.holds.values().filter(|h| &h.customer == c) {
            prior.extend(hold.lines.iter().map(|l| (l.product_id, l.quantity.amount)));
        }
    }
    for limit in &state.config.jurisdiction.limits {
        let adds: Decimal = order
            .iter()
            .map(|(p, q)| contribution(state, limit, *p, *q))
            .sum();
        if adds.is_zero() {
            continue;
        }
        let before: Decimal = prior
            .iter()
            .map(|(p, q)| contribution(state, limit, *p, *q))
            .sum();
        let would_be = before + adds;
        if would_be > limit.max {
            return Err(DomainError::PurchaseLimitExceeded {
                limit: limit.name.clone(),
                max: limit.max.normalize(),
                unit: limit.unit_label.clone(),
                would_be: would_be.round_dp(3).normalize(),
                over: (would_be - limit.max).round_dp(3).normalize(),
            });
        }
    }
    Ok(())
}
