//! `decide`: the pure judgement of a command against the state.
//!
//! The dispatch and the checks every family shares live here; each family of commands has its
//! own module.

mod counts;
mod packages;
mod receiving;
mod sales;

use counts::{accept_count, plan_count, record_count};
use packages::{adjust, destroy, merge, split};
pub use packages::{merge_compatibility, split_parts};
use receiving::{define_product, move_package, receive};
use sales::{fulfil, reserve, return_goods, sell};

use std::collections::HashSet;

use rust_decimal::Decimal;

use crate::{
    command::*,
    event::{Event, EventKind, Hold},
    DomainError, Package, PackageId, PackageStatus, Quantity, State, Unit, Zone, EVENT_VERSION,
};

/// Judges a command. Returns the events it causes, or the rule it breaks. A command whose
/// mutation id was applied before causes nothing.
pub fn decide(state: &State, cmd: &Command) -> Result<Vec<Event>, DomainError> {
    if state.applied.contains(&cmd.mutation_id) {
        return Ok(Vec::new());
    }
    crate::text::check_action(&cmd.action)?;
    let kinds = match &cmd.action {
        Action::ConfigureStore(c) => {
            non_empty("name", &c.name)?;
            vec![EventKind::StoreConfigured { config: c.clone() }]
        }
        Action::DefineProduct(p) => define_product(state, p)?,
        Action::Receive(r) => receive(state, cmd, r)?,
        Action::Move(m) => move_package(state, m)?,
        Action::Split(s) => split(state, cmd, s)?,
        Action::Merge(m) => merge(state, cmd, m)?,
        Action::Destroy(d) => destroy(state, cmd, d)?,
        Action::Adjust(a) => adjust(state, a)?,
        Action::Sell(s) => sell(state, cmd, s)?,
        Action::Return(r) => return_goods(state, r)?,
        Action::Reserve(r) => reserve(state, cmd, r)?,
        Action::AdvanceOrder(a) => {
            let held = hold(state, &HoldRef { hold_id: a.hold_id })?;
            // Stages only move forward; asking again for the stage it is at changes nothing.
            if held.stage.is_some_and(|s| s > a.stage) {
                return Err(DomainError::InvalidInput {
                    field: "stage".into(),
                    message: format!(
                        "order {} is already ready; it cannot go back to preparing",
                        a.hold_id
                    ),
                });
            }
            if held.stage == Some(a.stage) {
                vec![]
            } else {
                vec![EventKind::HoldAdvanced {
                    hold_id: a.hold_id,
                    stage: a.stage,
                }]
            }
        }
        Action::ReleaseHold(h) => {
            let hold = hold(state, h)?;
            vec![EventKind::HoldReleased {
                hold_id: hold.hold_id,
                expired: false,
                lines: hold.lines.clone(),
            }]
        }
        Action::ExpireHold(h) => {
            let hold = hold(state, h)?;
            if cmd.at < hold.expires_at {
                return Err(DomainError::HoldNotExpired {
                    hold: hold.hold_id.to_string(),
                    expires_at: hold.expires_at,
                });
            }
            vec![EventKind::HoldReleased {
                hold_id: hold.hold_id,
                expired: true,
                lines: hold.lines.clone(),
            }]
        }
        Action::FulfilHold(f) => fulfil(state, f)?,
        Action::PlanCount(p) => plan_count(state, p)?,
        Action::RecordCount(c) => record_count(state, cmd, c)?,
        Action::AcceptCount(c) => accept_count(state, c)?,
        Action::Finish(r) => {
            let p = package(state, &r.package_id)?;
            require_open("finish", p)?;
            if !p.quantity.is_zero() {
                return Err(DomainError::NotEmpty {
                    package: p.tag.short(),
                    quantity: p.quantity,
                });
            }
            vec![EventKind::PackageFinished { package_id: p.id }]
        }
        Action::PlaceOnHold(h) => {
            let p = package(state, &h.package_id)?;
            require_active("place on hold", p)?;
            vec![EventKind::PackagePlacedOnHold {
                package_id: p.id,
                reason: h.reason,
            }]
        }
        Action::Release(r) => {
            let p = package(state, &r.package_id)?;
            if !matches!(p.status, PackageStatus::OnHold(_)) {
                return Err(DomainError::NotOnHold {
                    package: p.tag.short(),
                });
            }
            vec![EventKind::PackageReleased { package_id: p.id }]
        }
        Action::SettleRelay(r) => settle_relay(r)?,
    };
    Ok(kinds
        .into_iter()
        .map(|kind| Event {
            version: EVENT_VERSION,
            mutation_id: cmd.mutation_id,
            actor: cmd.actor,
            device: cmd.device,
            at: cmd.at,
            kind,
        })
        .collect())
}

/// Longest note a relay decision keeps.
pub const RELAY_NOTE_MAX: usize = 500;

fn settle_relay(r: &crate::SettleRelay) -> Result<Vec<EventKind>, DomainError> {
    if r.seq < 1 {
        return Err(invalid(
            "seq",
            "must name a change in the ledger (1 or more)",
        ));
    }
    let note = r.note.as_deref().map(str::trim).filter(|n| !n.is_empty());
    if note.is_some_and(|n| n.chars().count() > RELAY_NOTE_MAX) {
        return Err(invalid(
            "note",
            format!("must be at most {RELAY_NOTE_MAX} characters"),
        ));
    }
    // Nothing more is ever sent for it: the ledger keeps who checked and what they saw.
    if r.decision == crate::RelayDecision::DoneAtRegulator && note.is_none() {
        return Err(invalid(
            "note",
            "say what you checked at the regulator before marking a change done there",
        ));
    }
    Ok(vec![EventKind::RelayChangeSettled {
        seq: r.seq,
        decision: r.decision,
        note: note.map(str::to_owned),
    }])
}

fn invalid(field: &str, message: impl Into<String>) -> DomainError {
    DomainError::InvalidInput {
        field: field.into(),
        message: message.into(),
    }
}

fn non_empty(field: &str, value: &str) -> Result<(), DomainError> {
    if value.trim().is_empty() {
        return Err(invalid(field, "must not be empty"));
    }
    Ok(())
}

fn package<'a>(state: &'a State, id: &PackageId) -> Result<&'a Package, DomainError> {
    state
        .packages
        .get(id)
        .ok_or_else(|| DomainError::UnknownPackage { id: id.to_string() })
}

fn hold<'a>(state: &'a State, h: &HoldRef) -> Result<&'a Hold, DomainError> {
    state
        .holds
        .get(&h.hold_id)
        .ok_or_else(|| DomainError::UnknownHold {
            id: h.hold_id.to_string(),
        })
}

fn status_words(p: &Package) -> String {
    match p.status {
        PackageStatus::OnHold(r) => format!("on hold ({})", r.label()),
        s => s.label().to_owned(),
    }
}

/// Only active packages sell, move, split, merge or are reserved.
fn require_active(action: &str, p: &Package) -> Result<(), DomainError> {
    if p.status != PackageStatus::Active {
        return Err(DomainError::NotActive {
            action: action.into(),
            package: p.tag.short(),
            status: status_words(p),
        });
    }
    Ok(())
}

/// Destroy, adjust, count and finish also work on quarantined packages, never on closed ones.
fn require_open(action: &str, p: &Package) -> Result<(), DomainError> {
    if matches!(p.status, PackageStatus::Finished | PackageStatus::Destroyed) {
        return Err(DomainError::NotActive {
            action: action.into(),
            package: p.tag.short(),
            status: status_words(p),
        });
    }
    Ok(())
}

fn require_floor(action: &str, p: &Package) -> Result<(), DomainError> {
    if p.zone != Zone::SalesFloor {
        return Err(DomainError::NotOnFloor {
            action: action.into(),
            package: p.tag.short(),
            zone: p.zone.label().to_lowercase(),
        });
    }
    Ok(())
}

/// Converts to the package's unit; items must stay whole.
fn in_unit(action: &str, p: &Package, q: Quantity) -> Result<Quantity, DomainError> {
    let converted = q
        .convert(p.quantity.unit)
        .map_err(|error| DomainError::Unit {
            action: action.into(),
            package: p.tag.short(),
            error,
        })?;
    if converted.unit == Unit::Each && !converted.amount.fract().is_zero() {
        return Err(invalid(
            "quantity",
            format!(
                "{} is counted in whole items; got {converted}",
                p.tag.short()
            ),
        ));
    }
    Ok(converted)
}

fn positive(field: &str, q: Quantity) -> Result<(), DomainError> {
    if q.amount <= Decimal::ZERO {
        return Err(DomainError::NotPositive {
            field: field.into(),
            quantity: q,
        });
    }
    Ok(())
}

fn insufficient(action: &str, p: &Package, needed: Decimal) -> DomainError {
    let unit = p.quantity.unit;
    DomainError::Insufficient {
        action: action.into(),
        package: p.tag.short(),
        needed: Quantity::new(needed.normalize(), unit),
        available: Quantity::new(p.available().normalize(), unit),
        held: (!p.held.is_zero()).then(|| Quantity::new(p.held.normalize(), unit)),
    }
}

fn note_given(note: &Option<String>) -> bool {
    note.as_deref().is_some_and(|n| !n.trim().is_empty())
}

fn fresh_tags<'a>(
    state: &State,
    tags: impl IntoIterator<Item = &'a crate::RegulatorTag>,
) -> Result<(), DomainError> {
    let mut seen = HashSet::new();
    for t in tags {
        if !seen.insert(t) {
            return Err(DomainError::DuplicateTag { tag: t.to_string() });
        }
        if state.tags.contains_key(t) {
            return Err(DomainError::TagInUse { tag: t.to_string() });
        }
    }
    Ok(())
}

fn fresh_ids<'a>(
    state: &State,
    ids: impl IntoIterator<Item = &'a PackageId>,
) -> Result<(), DomainError> {
    let mut seen = HashSet::new();
    for id in ids {
        if !seen.insert(id) || state.packages.contains_key(id) {
            return Err(DomainError::AlreadyExists {
                what: "package".into(),
                id: id.to_string(),
            });
        }
    }
    Ok(())
}
