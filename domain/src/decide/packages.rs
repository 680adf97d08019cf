//! A package changed by hand: split, merged, destroyed with a witness, adjusted with a reason.

use std::collections::HashSet;

use rust_decimal::Decimal;

use super::{
    fresh_ids, fresh_tags, in_unit, insufficient, invalid, note_given, package, positive,
    require_active, require_open,
};
use crate::{
    command::*,
    event::{EventKind, MergedSource},
    DomainError, Package, Quantity, State, Unit, Zone,
};

/// The amounts of a split, in the source's unit, one per new package.
pub fn split_parts(source: &Package, s: &Split) -> Result<Vec<Quantity>, DomainError> {
    let n = s.new_packages.len();
    if n == 0 {
        return Err(invalid(
            "new_packages",
            "a split needs at least one new package",
        ));
    }
    let unit = source.quantity.unit;
    let parts = match &s.amounts {
        SplitAmounts::Equal { total } => {
            let total = in_unit("split", source, *total)?;
            positive("total", total)?;
            let each = total.amount / Decimal::from(n as u64);
            let exact = each * Decimal::from(n as u64) == total.amount;
            let fine_enough = if unit == Unit::Each {
                each.fract().is_zero()
            } else {
                each.normalize().scale() <= 3
            };
            if !exact || !fine_enough {
                return Err(DomainError::UnequalSplit {
                    total: Quantity::new(total.amount.normalize(), unit),
                    parts: n,
                });
            }
            vec![Quantity::new(each.normalize(), unit); n]
        }
        SplitAmounts::Manual { amounts } => {
            if amounts.len() != n {
                return Err(invalid(
                    "amounts",
                    format!(
                        "{} amounts for {} new packages; give one amount per package",
                        amounts.len(),
                        n
                    ),
                ));
            }
            let mut out = Vec::with_capacity(n);
            for a in amounts {
                let q = in_unit("split", source, *a)?;
                positive("amount", q)?;
                out.push(q);
            }
            out
        }
    };
    Ok(parts)
}

pub(super) fn split(
    state: &State,
    cmd: &Command,
    s: &Split,
) -> Result<Vec<EventKind>, DomainError> {
    let src = package(state, &s.source)?;
    require_active("split", src)?;
    fresh_tags(state, s.new_packages.iter().map(|n| &n.tag))?;
    fresh_ids(state, s.new_packages.iter().map(|n| &n.package_id))?;
    let parts = split_parts(src, s)?;
    let taken: Decimal = parts.iter().map(|q| q.amount).sum();
    if taken > src.available() {
        return Err(insufficient("Split", src, taken));
    }
    let unit = src.quantity.unit;
    let children = s
        .new_packages
        .iter()
        .zip(parts)
        .map(|(n, q)| Package {
            id: n.package_id,
            tag: n.tag.clone(),
            quantity: q,
            held: Decimal::ZERO,
            parents: vec![src.id],
            children: Vec::new(),
            manifest_number: None,
            created_at: cmd.at,
            ..src.clone()
        })
        .collect();
    Ok(vec![EventKind::PackageSplit {
        source: src.id,
        taken: Quantity::new(taken.normalize(), unit),
        remaining: Quantity::new(src.quantity.amount - taken, unit),
        children,
    }])
}

/// Whether two packages may be merged under the store's policy; the reason in words when not.
pub fn merge_compatibility(state: &State, a: &Package, b: &Package) -> Result<(), String> {
    if a.product_id != b.product_id {
        let name = |p: &Package| {
            state
                .products
                .get(&p.product_id)
                .map_or("?".to_owned(), |x| x.name.clone())
        };
        return Err(format!("different products ({} vs {})", name(a), name(b)));
    }
    if a.quantity.unit != b.quantity.unit {
        return Err(format!(
            "different units ({} vs {})",
            a.quantity.unit, b.quantity.unit
        ));
    }
    if a.zone != b.zone {
        // "in the vault", "on the sales floor".
        let place = |z: Zone| match z {
            Zone::Vault => "in the vault",
            Zone::SalesFloor => "on the sales floor",
        };
        return Err(format!(
            "one is {}, the other {}; move one first",
            place(a.zone),
            place(b.zone)
        ));
    }
    let policy = &state.config.merge_policy;
    if policy.same_batch && a.batch != b.batch {
        return Err(format!("different batches ({} vs {})", a.batch, b.batch));
    }
    if policy.same_lab_result && (a.lab.state != b.lab.state || a.lab.result_id != b.lab.result_id)
    {
        let r = |p: &Package| {
            p.lab
                .result_id
                .clone()
                .unwrap_or_else(|| format!("{:?}", p.lab.state).to_lowercase())
        };
        return Err(format!("different lab results ({} vs {})", r(a), r(b)));
    }
    if let (Some(window), Some(ea), Some(eb)) =
        (policy.expiry_window_days, a.expires_on, b.expires_on)
    {
        let days = (ea - eb).num_days().abs();
        if days > i64::from(window) {
            return Err(format!(
                "expiry dates {ea} and {eb} are {days} days apart; the policy allows {window}"
            ));
        }
    }
    Ok(())
}

pub(super) fn merge(
    state: &State,
    cmd: &Command,
    m: &Merge,
) -> Result<Vec<EventKind>, DomainError> {
    let unique: HashSet<_> = m.sources.iter().collect();
    if m.sources.len() < 2 || unique.len() != m.sources.len() {
        return Err(invalid(
            "sources",
            "a merge needs at least two different packages",
        ));
    }
    let sources = m
        .sources
        .iter()
        .map(|id| package(state, id))
        .collect::<Result<Vec<_>, _>>()?;
    for p in &sources {
        require_active("merge", p)?;
        if !p.held.is_zero() {
            return Err(DomainError::HeldStock {
                action: "merge".into(),
                package: p.tag.short(),
                held: Quantity::new(p.held.normalize(), p.quantity.unit),
            });
        }
    }
    for (i, a) in sources.iter().enumerate() {
        for b in &sources[i + 1..] {
            merge_compatibility(state, a, b).map_err(|reason| DomainError::MergeIncompatible {
                first: a.tag.short(),
                second: b.tag.short(),
                reason,
            })?;
        }
    }
    fresh_tags(state, [&m.into.tag])?;
    fresh_ids(state, [&m.into.package_id])?;
    let first = sources[0];
    let total: Decimal = sources.iter().map(|p| p.quantity.amount).sum();
    let merged = Package {
        id: m.into.package_id,
        tag: m.into.tag.clone(),
        quantity: Quantity::new(total, first.quantity.unit),
        held: Decimal::ZERO,
        packaged_on: sources
            .iter()
            .map(|p| p.packaged_on)
            .min()
            .unwrap_or(first.packaged_on),
        expires_on: sources.iter().filter_map(|p| p.expires_on).min(),
        parents: m.sources.clone(),
        children: Vec::new(),
        manifest_number: None,
        created_at: cmd.at,
        ..first.clone()
    };
    Ok(vec![EventKind::PackagesMerged {
        sources: sources
            .iter()
            .map(|p| MergedSource {
                package_id: p.id,
                quantity: p.quantity,
            })
            .collect(),
        package: merged,
    }])
}

pub(super) fn destroy(
    state: &State,
    cmd: &Command,
    d: &Destroy,
) -> Result<Vec<EventKind>, DomainError> {
    let p = package(state, &d.package_id)?;
    require_open("destroy", p)?;
    if d.witness == cmd.actor {
        return Err(DomainError::WitnessIsActor {
            action: "destruction".into(),
        });
    }
    if d.reason.requires_note() && !note_given(&d.note) {
        return Err(DomainError::NoteRequired {
            reason: d.reason.label().into(),
        });
    }
    let q = in_unit("destroy", p, d.quantity)?;
    positive("quantity", q)?;
    if q.amount > p.available() {
        return Err(insufficient("Destroy", p, q.amount));
    }
    Ok(vec![EventKind::PackageDestroyed {
        package_id: p.id,
        quantity: q,
        remaining: Quantity::new(p.quantity.amount - q.amount, q.unit),
        reason: d.reason,
        method: d.method,
        witness: d.witness,
        note: d.note.clone(),
    }])
}

pub(super) fn adjust(state: &State, a: &Adjust) -> Result<Vec<EventKind>, DomainError> {
    let p = package(state, &a.package_id)?;
    require_open("adjust", p)?;
    let delta = in_unit("adjust", p, a.delta)?;
    if delta.is_zero() {
        return Err(invalid("delta", "an adjustment must change the quantity"));
    }
    if a.reason.requires_note() && !note_given(&a.note) {
        return Err(DomainError::NoteRequired {
            reason: a.reason.label().into(),
        });
    }
    if let Some(count_id) = a.count_id {
        let line = state
            .counts
            .get(&count_id)
            .ok_or_else(|| invalid("count_id", format!("no count {count_id}")))?
            .line(&p.id)
            .ok_or_else(|| DomainError::NotInCount {
                package: p.tag.short(),
                count: count_id.to_string(),
            })?;
        if line.entries.is_empty() {
            return Err(invalid(
                "count_id",
                format!("{} has not been counted in count {count_id}", p.tag.short()),
            ));
        }
        if line.corrected {
            return Err(invalid(
                "count_id",
                format!(
                    "{} was already corrected for count {count_id}",
                    p.tag.short()
                ),
            ));
        }
    }
    let result = p.quantity.amount + delta.amount;
    if result < p.held || result < Decimal::ZERO {
        return Err(DomainError::AdjustBelowFloor {
            package: p.tag.short(),
            delta: Quantity::new(delta.amount.normalize(), delta.unit),
            result: Quantity::new(result.normalize(), delta.unit),
            floor: Quantity::new(p.held.normalize(), delta.unit),
        });
    }
    Ok(vec![EventKind::PackageAdjusted {
        package_id: p.id,
        delta,
        remaining: Quantity::new(result, delta.unit),
        reason: a.reason,
        note: a.note.clone(),
        count_id: a.count_id,
    }])
}
