//! Purchase limits: what an order, or a customer's day, adds up to under each of the
//! jurisdiction's limits, counted the way the law counts it.

use rust_decimal::Decimal;

use crate::{
    CustomerRef, DomainError, Jurisdiction, LimitTerm, Measure, Product, ProductId, Program,
    PurchaseLimit, QuantityType, State, Window,
};

/// How much `qty` of `product` counts toward `limit`, in the limit's unit: zero when the limit
/// does not count the product's category, an error naming what is missing when the product
/// does not record what the limit measures.
pub fn contribution(
    jurisdiction: &Jurisdiction,
    limit: &PurchaseLimit,
    product: &Product,
    qty: Decimal,
) -> Result<Decimal, DomainError> {
    let Some(term) = limit.terms.iter().find(|t| t.category == product.category) else {
        return Ok(Decimal::ZERO);
    };
    let measured = measure(term, product, qty).ok_or_else(|| DomainError::LimitMeasureMissing {
        product: product.name.clone(),
        limit: limit.name.clone(),
        jurisdiction: jurisdiction.name.clone(),
        missing: term.measure.needs().into(),
    })?;
    Ok(measured * term.equals / term.per)
}

fn measure(term: &LimitTerm, product: &Product, qty: Decimal) -> Option<Decimal> {
    match term.measure {
        Measure::NetWeight => product.net_amount(qty),
        Measure::ThcMilligrams => match product.quantity_type {
            QuantityType::CountBased => product.thc_mg_per_unit.map(|mg| mg * qty),
            _ => None,
        },
        Measure::Items => (product.quantity_type == QuantityType::CountBased).then_some(qty),
    }
}

/// Checks that `order`, sold under `program`, stays within every limit: alone for limits per
/// transaction, and with what `customer` bought on `day` and holds for pickup for limits per
/// day. Limits of the two programs are never combined (4 CCR §15409(d)): a day's purchases count
/// whichever program they were sold under.
pub fn check(
    state: &State,
    customer: Option<&CustomerRef>,
    program: Program,
    day: chrono::NaiveDate,
    order: &[(ProductId, Decimal)],
) -> Result<(), DomainError> {
    let jurisdiction = &state.config.jurisdiction;
    let Some(rules) = jurisdiction.program(program) else {
        return Err(DomainError::ProgramNotSold {
            jurisdiction: jurisdiction.name.clone(),
            program: program.label().into(),
            because: jurisdiction
                .no_medical_because
                .clone()
                .unwrap_or_else(|| "its rules carry no limits for it".into()),
        });
    };
    let product = |id: &ProductId| {
        state
            .products
            .get(id)
            .ok_or_else(|| DomainError::UnknownProduct { id: id.to_string() })
    };
    for (id, _) in order {
        let p = product(id)?;
        if !rules.places(p.category) {
            return Err(DomainError::CategoryNotPlaced {
                product: p.name.clone(),
                category: p.category.label().to_lowercase(),
                jurisdiction: jurisdiction.name.clone(),
                program: program.label().into(),
            });
        }
    }
    // Only limits per day look back at the customer's day.
    let counts_days = rules.limits.iter().any(|l| l.window == Window::Day);
    let mut prior: Vec<(ProductId, Decimal)> = Vec::new();
    if let Some(c) = customer.filter(|_| counts_days) {
        if let Some(d) = state.purchases.get(c) {
            if d.day == day {
                prior.extend(d.lines.iter().copied());
            }
        }
        for hold in state.holds.values().filter(|h| &h.customer == c) {
            prior.extend(hold.lines.iter().map(|l| (l.product_id, l.quantity.amount)));
        }
    }
    let sum = |limit: &PurchaseLimit, lines: &[(ProductId, Decimal)]| {
        lines.iter().try_fold(Decimal::ZERO, |acc, (id, q)| {
            Ok::<_, DomainError>(acc + contribution(jurisdiction, limit, product(id)?, *q)?)
        })
    };
    for limit in &rules.limits {
        let adds = sum(limit, order)?;
        if adds.is_zero() {
            continue;
        }
        let (before, counted) = match limit.window {
            Window::Transaction => (Decimal::ZERO, "this transaction would come to"),
            Window::Day => (
                sum(limit, &prior)?,
                "this order would bring the day's total to",
            ),
        };
        // Equivalents divide (1/3 of an ounce); nine places keep a sum of thirds from going over.
        let would_be = (before + adds).round_dp(9);
        if would_be > limit.max {
            return Err(DomainError::PurchaseLimitExceeded {
                limit: limit.name.clone(),
                max: limit.max.normalize(),
                unit: limit.unit_label.clone(),
                counted: counted.into(),
                would_be: would_be.round_dp(3).normalize(),
                over: (would_be - limit.max).round_dp(3).normalize(),
            });
        }
    }
    Ok(())
}

/// The store's longest pickup hold broken by one of these events, if any: a hold placed to last
/// longer than `max` (the store's pickup hold setting), on any path that places one.
pub fn hold_too_long<'a>(
    events: impl IntoIterator<Item = &'a crate::EventKind>,
    max: chrono::Duration,
) -> Option<DomainError> {
    events.into_iter().find_map(|e| match e {
        crate::EventKind::HoldPlaced { hold } if hold.expires_at - hold.placed_at > max => {
            Some(DomainError::InvalidInput {
                field: "expires_at".into(),
                message: format!(
                    "a hold may last at most {} in this store; this one would last until {}",
                    spoken(max),
                    hold.expires_at.format("%Y-%m-%d %H:%M UTC")
                ),
            })
        }
        _ => None,
    })
}

/// A duration as a person says it: "2 hours", "90 minutes", "4 seconds".
fn spoken(d: chrono::Duration) -> String {
    let s = d.num_seconds();
    let (n, unit) = if s % 3600 == 0 && s >= 3600 {
        (s / 3600, "hour")
    } else if s % 60 == 0 && s >= 60 {
        (s / 60, "minute")
    } else {
        (s, "second")
    };
    format!("{n} {unit}{}", if n == 1 { "" } else { "s" })
}
