//! Money and customers: sales, returns, reservations held for pickup and fulfilled.

use std::collections::HashMap;

use rust_decimal::Decimal;

use super::{
    hold, in_unit, insufficient, invalid, non_empty, package, positive, require_active,
    require_floor, status_words,
};
use crate::{
    command::*,
    event::{EventKind, Hold, Receipt, ReturnedLine, SaleLine},
    limits, DomainError, Money, PackageId, PackageStatus, ProductId, Quantity, State,
};

/// Builds priced lines for a sale or hold, checking that each package can give what is asked.
pub(super) fn priced_lines(
    state: &State,
    action: &str,
    lines: impl Iterator<Item = (PackageId, Quantity, Option<Money>)>,
) -> Result<Vec<SaleLine>, DomainError> {
    let mut out = Vec::new();
    let mut per_package: HashMap<PackageId, Decimal> = HashMap::new();
    for (id, qty, price) in lines {
        let p = package(state, &id)?;
        require_active(action, p)?;
        require_floor(action, p)?;
        let q = in_unit(action, p, qty)?;
        positive("quantity", q)?;
        let wanted = per_package.entry(id).or_default();
        *wanted += q.amount;
        if *wanted > p.available() {
            let mut verb = action.to_owned();
            verb[..1].make_ascii_uppercase();
            return Err(insufficient(&verb, p, *wanted));
        }
        let product =
            state
                .products
                .get(&p.product_id)
                .ok_or_else(|| DomainError::UnknownProduct {
                    id: p.product_id.to_string(),
                })?;
        let unit_price = match price {
            Some(given) => line_price(state, &product.name, given)?,
            None => product.price,
        };
        out.push(SaleLine {
            package_id: id,
            product_id: p.product_id,
            quantity: q,
            unit_price,
            line_total: unit_price.times(q.amount),
        });
    }
    if out.is_empty() {
        return Err(invalid("lines", "at least one line is needed"));
    }
    Ok(out)
}

/// A price a person typed for a line: never negative, and in the store's own currency.
pub(super) fn line_price(state: &State, product: &str, price: Money) -> Result<Money, DomainError> {
    let currency = state.config.jurisdiction.currency;
    if price.currency != currency {
        return Err(invalid(
            "unit_price",
            format!(
                "{product} is priced in {}; this store sells in {}",
                price.currency.code(),
                currency.code()
            ),
        ));
    }
    if price.amount < Decimal::ZERO {
        return Err(invalid(
            "unit_price",
            format!(
                "the price of {product} cannot be negative ({})",
                price.amount
            ),
        ));
    }
    Ok(price)
}

pub(super) fn total_of(state: &State, lines: &[SaleLine]) -> Money {
    let currency = lines
        .first()
        .map_or(state.config.jurisdiction.currency, |l| {
            l.line_total.currency
        });
    Money::new(lines.iter().map(|l| l.line_total.amount).sum(), currency)
}

pub(super) fn order_of(lines: &[SaleLine]) -> Vec<(ProductId, Decimal)> {
    lines
        .iter()
        .map(|l| (l.product_id, l.quantity.amount))
        .collect()
}

pub(super) fn sell(state: &State, cmd: &Command, s: &Sell) -> Result<Vec<EventKind>, DomainError> {
    if state.receipts.contains_key(&s.receipt_id) {
        return Err(DomainError::AlreadyExists {
            what: "receipt".into(),
            id: s.receipt_id.to_string(),
        });
    }
    let lines = priced_lines(
        state,
        "sell",
        s.lines
            .iter()
            .map(|l| (l.package_id, l.quantity, l.unit_price)),
    )?;
    // A patient's registration is what makes a sale medical.
    let program = match s.patient {
        Some(_) => crate::Program::Medical,
        None => crate::Program::AdultUse,
    };
    limits::check(
        state,
        s.customer.as_ref(),
        program,
        state.config.day_of(cmd.at),
        &order_of(&lines),
    )?;
    Ok(vec![EventKind::Sold {
        receipt: Receipt {
            receipt_id: s.receipt_id,
            customer: s.customer.clone(),
            patient: s.patient.clone(),
            channel: SaleChannel::InStore,
            total: total_of(state, &lines),
            lines,
            hold_id: None,
        },
    }])
}

pub(super) fn return_goods(state: &State, r: &ReturnGoods) -> Result<Vec<EventKind>, DomainError> {
    if state.returns.contains(&r.return_id) {
        return Err(DomainError::AlreadyExists {
            what: "return".into(),
            id: r.return_id.to_string(),
        });
    }
    let rec = state
        .receipt_lines(&r.receipt_id)
        .ok_or_else(|| DomainError::UnknownReceipt {
            id: r.receipt_id.to_string(),
        })?;
    if r.lines.is_empty() {
        return Err(invalid("lines", "at least one line is needed"));
    }
    let mut asked: HashMap<PackageId, Decimal> = HashMap::new();
    let mut out = Vec::new();
    for line in &r.lines {
        let p = package(state, &line.package_id)?;
        let Some(rline) = rec.iter().find(|l| l.package_id == p.id) else {
            return Err(DomainError::NotOnReceipt {
                package: p.tag.short(),
                receipt: r.receipt_id.to_string(),
            });
        };
        if p.status == PackageStatus::Destroyed {
            return Err(DomainError::NotActive {
                action: "return into".into(),
                package: p.tag.short(),
                status: status_words(p),
            });
        }
        let q = in_unit("return", p, line.quantity)?;
        positive("quantity", q)?;
        let total = asked.entry(p.id).or_default();
        *total += q.amount;
        let sold = rline.sold;
        if rline.returned + *total > sold {
            return Err(DomainError::ReturnExceedsSale {
                package: p.tag.short(),
                receipt: r.receipt_id.to_string(),
                sold: Quantity::new(sold.normalize(), q.unit),
                returned: Quantity::new(rline.returned.normalize(), q.unit),
                requested: Quantity::new(total.normalize(), q.unit),
            });
        }
        out.push(ReturnedLine {
            package_id: p.id,
            product_id: p.product_id,
            quantity: q,
        });
    }
    Ok(vec![EventKind::Returned {
        return_id: r.return_id,
        receipt_id: r.receipt_id,
        lines: out,
        disposition: r.disposition,
    }])
}

pub(super) fn reserve(
    state: &State,
    cmd: &Command,
    r: &Reserve,
) -> Result<Vec<EventKind>, DomainError> {
    if state.holds.contains_key(&r.hold_id) {
        return Err(DomainError::AlreadyExists {
            what: "hold".into(),
            id: r.hold_id.to_string(),
        });
    }
    non_empty("customer_name", &r.customer_name)?;
    if r.expires_at <= cmd.at {
        return Err(invalid(
            "expires_at",
            "a hold must expire after it is placed",
        ));
    }
    let lines = priced_lines(
        state,
        "reserve",
        r.lines.iter().map(|l| (l.package_id, l.quantity, None)),
    )?;
    limits::check(
        state,
        Some(&r.customer),
        crate::Program::AdultUse,
        state.config.day_of(cmd.at),
        &order_of(&lines),
    )?;
    Ok(vec![EventKind::HoldPlaced {
        hold: Hold {
            stage: None,
            hold_id: r.hold_id,
            customer: r.customer.clone(),
            customer_name: r.customer_name.trim().to_owned(),
            channel: r.channel,
            total: total_of(state, &lines),
            lines,
            placed_at: cmd.at,
            expires_at: r.expires_at,
        },
    }])
}

pub(super) fn fulfil(state: &State, f: &FulfilHold) -> Result<Vec<EventKind>, DomainError> {
    let hold = hold(state, &HoldRef { hold_id: f.hold_id })?;
    if state.receipts.contains_key(&f.receipt_id) {
        return Err(DomainError::AlreadyExists {
            what: "receipt".into(),
            id: f.receipt_id.to_string(),
        });
    }
    for line in &hold.lines {
        let p = package(state, &line.package_id)?;
        require_active("sell", p)?;
    }
    Ok(vec![EventKind::HoldFulfilled {
        hold_id: hold.hold_id,
        receipt: Receipt {
            receipt_id: f.receipt_id,
            customer: Some(hold.customer.clone()),
            // Pickup orders are adult-use: the public order form takes no registration.
            patient: None,
            channel: match hold.channel {
                HoldChannel::Online => SaleChannel::Remote,
                HoldChannel::Staff => SaleChannel::InStore,
            },
            lines: hold.lines.clone(),
            total: hold.total,
            hold_id: Some(hold.hold_id),
        },
    }])
}
