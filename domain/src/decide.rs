//! `decide`: the pure judgement of a command against the state.
//!
//! Longer than a file should be (one judgement per action); splitting it by concern (stock,
//! sales, counts) is open work under "One set of wire types".

use std::collections::{HashMap, HashSet};

use rust_decimal::Decimal;

use crate::{
    command::*,
    count::{CountScope, CountSession, LineState},
    event::{
        CountStart, Event, EventKind, Hold, MergedSource, Receipt, RejectedLine, ReturnedLine,
        SaleLine,
    },
    limits, CountId, DomainError, HoldReason, LabState, Money, Package, PackageId, PackageStatus,
    ProductId, Quantity, QuantityType, State, Unit, UnitFamily, Zone, EVENT_VERSION,
};

/// Judges a command. Returns the events it causes, or the rule it breaks. A command whose
/// mutation id was applied before causes nothing.
pub fn decide(state: &State, cmd: &Command) -> Result<Vec<Event>, DomainError> {
    if state.applied.contains(&cmd.mutation_id) {
        return Ok(Vec::new());
    }
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

fn define_product(state: &State, p: &crate::Product) -> Result<Vec<EventKind>, DomainError> {
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

fn receive(state: &State, cmd: &Command, r: &Receive) -> Result<Vec<EventKind>, DomainError> {
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

fn move_package(state: &State, m: &Move) -> Result<Vec<EventKind>, DomainError> {
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

fn split(state: &State, cmd: &Command, s: &Split) -> Result<Vec<EventKind>, DomainError> {
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

fn merge(state: &State, cmd: &Command, m: &Merge) -> Result<Vec<EventKind>, DomainError> {
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

fn destroy(state: &State, cmd: &Command, d: &Destroy) -> Result<Vec<EventKind>, DomainError> {
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

fn adjust(state: &State, a: &Adjust) -> Result<Vec<EventKind>, DomainError> {
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

/// Builds priced lines for a sale or hold, checking that each package can give what is asked.
fn priced_lines(
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
fn line_price(state: &State, product: &str, price: Money) -> Result<Money, DomainError> {
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

fn total_of(state: &State, lines: &[SaleLine]) -> Money {
    let currency = lines
        .first()
        .map_or(state.config.jurisdiction.currency, |l| {
            l.line_total.currency
        });
    Money::new(lines.iter().map(|l| l.line_total.amount).sum(), currency)
}

fn order_of(lines: &[SaleLine]) -> Vec<(ProductId, Decimal)> {
    lines
        .iter()
        .map(|l| (l.product_id, l.quantity.amount))
        .collect()
}

fn sell(state: &State, cmd: &Command, s: &Sell) -> Result<Vec<EventKind>, DomainError> {
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

fn return_goods(state: &State, r: &ReturnGoods) -> Result<Vec<EventKind>, DomainError> {
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

fn reserve(state: &State, cmd: &Command, r: &Reserve) -> Result<Vec<EventKind>, DomainError> {
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

fn fulfil(state: &State, f: &FulfilHold) -> Result<Vec<EventKind>, DomainError> {
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

fn plan_count(state: &State, c: &PlanCount) -> Result<Vec<EventKind>, DomainError> {
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

fn open_count<'a>(state: &'a State, id: &CountId) -> Result<&'a CountSession, DomainError> {
    state
        .counts
        .get(id)
        .filter(|c| c.is_open())
        .ok_or_else(|| DomainError::UnknownCount { id: id.to_string() })
}

fn accept_count(state: &State, c: &CountRef) -> Result<Vec<EventKind>, DomainError> {
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

fn record_count(
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
