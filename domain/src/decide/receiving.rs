//! Products defined, packages received from a manifest, packages moved between zones.

use rust_decimal::Decimal;

use super::{
    fresh_ids, fresh_tags, invalid, non_empty, note_given, package, positive, require_active,
};
use crate::{
    command::*,
    event::{EventKind, RejectedLine},
    DomainError, HoldReason, LabState, Package, PackageStatus, Quantity, QuantityType, State,
    UnitFamily, Zone,
};

pub(super) fn define_product(
    state: &State,
    p: &crate::Product,
) -> Result<Vec<EventKind>, DomainError> {
    non_empty("sku", &p.sku)?;
    non_empty("name", &p.name)?;
    for (field, m) in [("price", p.price), ("cost", p.cost)] {
        if m.amount < Decimal::ZERO {
            return Err(invalid(
                field,
                format!("{} cannot be negative ({})", p.name, m.amount),
            ));
        }
    }
    let family_ok = matches!(
        (p.quantity_type, p.unit.family()),
        (QuantityType::CountBased, UnitFamily::Count)
            | (QuantityType::WeightBased, UnitFamily::Weight)
            | (QuantityType::VolumeBased, UnitFamily::Volume)
    );
    if !family_ok {
        return Err(invalid(
            "unit",
            format!(
                "{:?} products cannot be tracked in {}",
                p.quantity_type, p.unit
            ),
        ));
    }
    if p.quantity_type == QuantityType::CountBased
        && !matches!(
            p.category,
            crate::Category::Accessory | crate::Category::Seed | crate::Category::Plant
        )
        && p.net_content.is_none()
    {
        return Err(invalid(
            "net_content",
            format!("{} needs its net cannabis content per item", p.name),
        ));
    }
    // Seeds are reported by the number of seeds (SOR/2019-202, Schedule 1, item 1): a seed
    // package's net content is how many seeds it holds.
    if let (crate::Category::Seed, Some(n)) = (p.category, p.net_content) {
        if n.unit != crate::Unit::Each || n.amount <= Decimal::ZERO || !n.amount.fract().is_zero() {
            return Err(invalid(
                "net_content",
                format!(
                    "{}: a seed package's net content is its number of seeds, a whole number of each (got {n})",
                    p.name
                ),
            ));
        }
    }
    if let Some(old) = state.products.get(&p.id) {
        if old.unit != p.unit && state.packages.values().any(|pk| pk.product_id == p.id) {
            return Err(invalid(
                "unit",
                format!(
                    "{} has packages; its unit cannot change from {} to {}",
                    p.name, old.unit, p.unit
                ),
            ));
        }
    }
    Ok(vec![EventKind::ProductDefined { product: p.clone() }])
}

pub(super) fn receive(
    state: &State,
    cmd: &Command,
    r: &Receive,
) -> Result<Vec<EventKind>, DomainError> {
    non_empty("manifest_number", &r.manifest_number)?;
    if state.manifests.contains(&r.manifest_number) {
        return Err(DomainError::ManifestAlreadyReceived {
            manifest: r.manifest_number.clone(),
        });
    }
    if r.lines.is_empty() {
        return Err(invalid("lines", "a manifest needs at least one line"));
    }
    fresh_tags(state, r.lines.iter().map(|l| &l.tag))?;
    fresh_ids(state, r.lines.iter().map(|l| &l.package_id))?;
    let mut accepted = Vec::new();
    let mut rejected = Vec::new();
    for line in &r.lines {
        let product =
            state
                .products
                .get(&line.product_id)
                .ok_or_else(|| DomainError::UnknownProduct {
                    id: line.product_id.to_string(),
                })?;
        let convert = |q: Quantity| {
            q.convert(product.unit).map_err(|error| DomainError::Unit {
                action: "receive".into(),
                package: line.tag.short(),
                error,
            })
        };
        let shipped = convert(line.shipped)?;
        positive("shipped", shipped)?;
        let (received, adjust_reason, note) = match &line.decision {
            LineDecision::Accept => (shipped, None, None),
            LineDecision::AcceptAdjusted {
                received,
                reason,
                note,
            } => {
                let received = convert(*received)?;
                positive("received", received)?;
                if reason.requires_note() && !note_given(note) {
                    return Err(DomainError::NoteRequired {
                        reason: reason.label().into(),
                    });
                }
                (received, Some(*reason), note.clone())
            }
            LineDecision::Reject { reason } => {
                non_empty("reject reason", reason)?;
                rejected.push(RejectedLine {
                    tag: line.tag.to_string(),
                    shipped,
                    reason: reason.clone(),
                });
                continue;
            }
        };
        let status = if line.lab.state == LabState::Failed {
            PackageStatus::OnHold(HoldReason::LabFail)
        } else {
            PackageStatus::Active
        };
        accepted.push(EventKind::PackageReceived {
            package: Package {
                id: line.package_id,
                tag: line.tag.clone(),
                product_id: line.product_id,
                batch: line.batch.clone(),
                lab: line.lab.clone(),
                packaged_on: line.packaged_on,
                expires_on: line.expires_on,
                zone: Zone::Vault,
                status,
                quantity: received,
                held: Decimal::ZERO,
                parents: Vec::new(),
                children: Vec::new(),
                manifest_number: Some(r.manifest_number.clone()),
                created_at: cmd.at,
            },
            shipped,
            adjust_reason,
            note,
        });
    }
    let mut kinds = vec![EventKind::ManifestReceived {
        manifest_number: r.manifest_number.clone(),
        accepted: accepted.len() as u32,
        rejected,
    }];
    kinds.extend(accepted);
    Ok(kinds)
}

pub(super) fn move_package(state: &State, m: &Move) -> Result<Vec<EventKind>, DomainError> {
    let p = package(state, &m.package_id)?;
    require_active("move", p)?;
    if p.zone == m.to {
        return Err(DomainError::AlreadyInZone {
            package: p.tag.short(),
            zone: p.zone.label().to_lowercase(),
        });
    }
    if !p.held.is_zero() {
        return Err(DomainError::HeldStock {
            action: "move".into(),
            package: p.tag.short(),
            held: Quantity::new(p.held.normalize(), p.quantity.unit),
        });
    }
    Ok(vec![EventKind::PackageMoved {
        package_id: p.id,
        from: p.zone,
        to: m.to,
    }])
}
