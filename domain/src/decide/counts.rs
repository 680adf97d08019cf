//! Counts: planned over a scope, recorded line by line (a recount by someone else), accepted.

use std::collections::HashSet;

use rust_decimal::Decimal;

use super::{in_unit, invalid, package, require_open};
use crate::{
    command::*,
    count::{CountScope, CountSession, LineState},
    event::{CountStart, EventKind},
    CountId, DomainError, Package, PackageStatus, Quantity, State,
};

pub(super) fn plan_count(state: &State, c: &PlanCount) -> Result<Vec<EventKind>, DomainError> {
    if state.counts.contains_key(&c.count_id) {
        return Err(DomainError::AlreadyExists {
            what: "count".into(),
            id: c.count_id.to_string(),
        });
    }
    let open =
        |p: &&Package| !matches!(p.status, PackageStatus::Finished | PackageStatus::Destroyed);
    let mut chosen: Vec<&Package> = match &c.scope {
        CountScope::Zone(z) => state
            .packages
            .values()
            .filter(open)
            .filter(|p| p.zone == *z)
            .collect(),
        CountScope::Category(cat) => state
            .packages
            .values()
            .filter(open)
            .filter(|p| {
                state
                    .products
                    .get(&p.product_id)
                    .is_some_and(|pr| pr.category == *cat)
            })
            .collect(),
        CountScope::Packages(ids) => {
            let mut seen = HashSet::new();
            let mut out = Vec::new();
            for id in ids {
                let p = package(state, id)?;
                require_open("count", p)?;
                if !seen.insert(*id) {
                    return Err(invalid(
                        "scope",
                        format!("{} is listed twice", p.tag.short()),
                    ));
                }
                out.push(p);
            }
            out
        }
    };
    if chosen.is_empty() {
        return Err(invalid(
            "scope",
            format!("there are no open packages in {}", c.scope.describe()),
        ));
    }
    // A package counted in two open counts at once would have two standing figures.
    for p in &chosen {
        if let Some((other, _)) = state
            .counts
            .iter()
            .find(|(_, s)| s.is_open() && s.line(&p.id).is_some())
        {
            return Err(invalid(
                "scope",
                format!(
                    "{} is already in open count {other}; accept that count first",
                    p.tag.short()
                ),
            ));
        }
    }
    chosen.sort_by(|a, b| a.tag.cmp(&b.tag));
    Ok(vec![EventKind::CountPlanned {
        count_id: c.count_id,
        scope: c.scope.clone(),
        lines: chosen
            .iter()
            .map(|p| CountStart {
                package_id: p.id,
                quantity: p.quantity,
            })
            .collect(),
    }])
}

pub(super) fn open_count<'a>(
    state: &'a State,
    id: &CountId,
) -> Result<&'a CountSession, DomainError> {
    state
        .counts
        .get(id)
        .filter(|c| c.is_open())
        .ok_or_else(|| DomainError::UnknownCount { id: id.to_string() })
}

pub(super) fn accept_count(state: &State, c: &CountRef) -> Result<Vec<EventKind>, DomainError> {
    let count = open_count(state, &c.count_id)?;
    if count.lines.iter().all(|l| l.entries.is_empty()) {
        return Err(DomainError::NothingCounted {
            count: c.count_id.to_string(),
        });
    }
    let threshold = state.config.jurisdiction.count_variance_threshold_percent;
    let mut out = Vec::new();
    let mut uncounted = 0;
    for line in &count.lines {
        let Some(last) = line.latest() else {
            uncounted += 1;
            continue;
        };
        let p = package(state, &line.package_id)?;
        if line.state(threshold) == LineState::NeedsRecount {
            let v = last.variance();
            let e = last.expected.amount;
            let percent = if e.is_zero() {
                Decimal::ONE_HUNDRED
            } else {
                (v.abs() * Decimal::ONE_HUNDRED / e.abs()).round_dp(1)
            };
            return Err(DomainError::RecountRequired {
                package: p.tag.short(),
                variance: Quantity::new(v.normalize(), last.expected.unit),
                expected: Quantity::new(e.normalize(), last.expected.unit),
                percent: percent.normalize(),
                threshold,
            });
        }
        let delta = last.variance();
        if delta.is_zero() || line.corrected {
            continue;
        }
        require_open("adjust", p)?;
        let result = p.quantity.amount + delta;
        if result < p.held || result < Decimal::ZERO {
            return Err(DomainError::AdjustBelowFloor {
                package: p.tag.short(),
                delta: Quantity::new(delta.normalize(), p.quantity.unit),
                result: Quantity::new(result.normalize(), p.quantity.unit),
                floor: Quantity::new(p.held.normalize(), p.quantity.unit),
            });
        }
        out.push(EventKind::PackageAdjusted {
            package_id: p.id,
            delta: Quantity::new(delta, p.quantity.unit),
            remaining: Quantity::new(result, p.quantity.unit),
            reason: crate::AdjustReason::CountCorrection,
            note: None,
            count_id: Some(c.count_id),
        });
    }
    out.push(EventKind::CountAccepted {
        count_id: c.count_id,
        corrected: out.len() as u32,
        uncounted,
    });
    Ok(out)
}

pub(super) fn record_count(
    state: &State,
    cmd: &Command,
    c: &RecordCount,
) -> Result<Vec<EventKind>, DomainError> {
    let count = open_count(state, &c.count_id)?;
    let p = package(state, &c.package_id)?;
    let line = count.line(&p.id).ok_or_else(|| DomainError::NotInCount {
        package: p.tag.short(),
        count: c.count_id.to_string(),
    })?;
    require_open("count", p)?;
    if c.witness == cmd.actor {
        return Err(DomainError::WitnessIsActor {
            action: "a count".into(),
        });
    }
    // Each person counts a package once: a second figure must come from someone else, which is
    // what makes a recount worth anything.
    if line.entries.iter().any(|e| e.counter == cmd.actor) {
        return Err(DomainError::RecountBySameCounter {
            package: p.tag.short(),
        });
    }
    if line.corrected {
        return Err(invalid(
            "package_id",
            format!("{} was already corrected for this count", p.tag.short()),
        ));
    }
    let counted = in_unit("count", p, c.counted)?;
    if counted.amount < Decimal::ZERO {
        return Err(invalid("counted", "a count cannot be negative"));
    }
    Ok(vec![EventKind::CountRecorded {
        count_id: c.count_id,
        package_id: p.id,
        expected: p.quantity,
        counted,
        witness: c.witness,
    }])
}
