//! Reconciliation at the edge: pulls the regulator's packages (all pages) and, for packages the
//! regulator shows short, the receipts of the days that could explain it; reads the outbox; then
//! hands everything to `domain::reconcile::diagnose` per package and sums per product.

use std::collections::{HashMap, HashSet};

use rustc_hash::{FxHashMap, FxHashSet};

use chrono::{DateTime, NaiveDate, Utc};
use domain::{
    reconcile::{
        diagnose, in_regulator_unit, mapping_problem, CountFigure, Diagnosis, Duplicate,
        DuplicateKind, InFlight, PackageFacts, RegulatorPackage, RejectedPackage, SyncHalt,
    },
    Category, EventKind, Package, PackageId, PackageStatus, ProductId, Quantity, State,
};
use rust_decimal::Decimal;

pub use domain::reconcile::{PackageRow, ProductRow, ReconcileReport};

use crate::{
    regulator::outbox::{SyncHealth, SyncState},
    store::{EventStore, OutboxStore, RowState, StoreError},
};
use metrc::{wire::Package as RegPackage, MetrcClient, MetrcError};

/// Most sales days read back per package when looking for a duplicated receipt.
const DAYS_PER_PACKAGE: usize = 5;

/// What the outbox says of each package.
#[derive(Default)]
pub struct OutboxFacts {
    /// Changes not yet at the regulator.
    pub in_flight: FxHashMap<PackageId, InFlight>,
    /// Changes the regulator refused, with its words.
    pub refused: FxHashMap<PackageId, String>,
}

/// Reads in-flight and refused changes per package (every package an event touches).
pub async fn outbox_facts(store: &impl OutboxStore) -> Result<OutboxFacts, StoreError> {
    let mut out = OutboxFacts::default();
    for (state, why, event) in store.unsettled_events().await? {
        let parked = state == RowState::Parked;
        for p in event.kind.packages() {
            if parked {
                out.refused
                    .entry(p)
                    .or_insert_with(|| why.clone().unwrap_or_else(|| "no reason given".into()));
            } else {
                let f = out.in_flight.entry(p).or_insert(InFlight {
                    changes: 0,
                    oldest: event.at,
                });
                f.changes += 1;
                f.oldest = f.oldest.min(event.at);
            }
        }
    }
    Ok(out)
}

/// The halt sync health implies, if any.
pub fn halt_of(h: &SyncHealth) -> Option<SyncHalt> {
    match h.state {
        SyncState::AuthFailed => Some(SyncHalt::AuthFailed {
            since: h.since,
            cause: h.cause.clone(),
        }),
        SyncState::RegulatorDown | SyncState::NotConfigured => Some(SyncHalt::RegulatorDown {
            since: h.since,
            cause: h.cause.clone(),
        }),
        _ => None,
    }
}

/// The halt a failed regulator read implies; other failures are no halt.
pub fn halt_of_error(e: &MetrcError) -> Option<SyncHalt> {
    match e {
        MetrcError::Unauthorized { .. } | MetrcError::Forbidden { .. } => {
            Some(SyncHalt::AuthFailed {
                since: Utc::now(),
                cause: e.to_string(),
            })
        }
        MetrcError::Server { .. }
        | MetrcError::Transport(_)
        | MetrcError::AnswerLost
        | MetrcError::RateLimited { .. } => Some(SyncHalt::RegulatorDown {
            since: Utc::now(),
            cause: e.to_string(),
        }),
        _ => None,
    }
}

fn regulator_view(p: &RegPackage) -> RegulatorPackage<'_> {
    let item = p.item.as_ref();
    RegulatorPackage {
        label: &p.label,
        quantity: p.quantity,
        unit: &p.unit_of_measure_name,
        item_name: item.map_or("", |i| i.name.as_str()),
        item_category: item.map_or("", |i| i.product_category_name.as_str()),
        unit_weight: item.and_then(|i| i.unit_weight),
        unit_weight_unit: item.and_then(|i| i.unit_weight_unit_of_measure_name.as_deref()),
    }
}

fn is_open(s: PackageStatus) -> bool {
    !matches!(s, PackageStatus::Finished | PackageStatus::Destroyed)
}

/// Packages the regulator shows with less than the ledger and nothing in flight: where a
/// receipt recorded twice would show. Returns each with the gap, in the regulator's unit.
pub fn short_at_regulator(
    state: &State,
    regulator: &[RegPackage],
    outbox: &OutboxFacts,
) -> Vec<(PackageId, Decimal)> {
    regulator
        .iter()
        .filter_map(|r| {
            let tag = domain::RegulatorTag::parse(&r.label).ok()?;
            let p = state.package_by_tag(&tag)?;
            if outbox.in_flight.contains_key(&p.id) {
                return None;
            }
            let product = state.products.get(&p.product_id)?;
            let ours = in_regulator_unit(product, p.quantity)?;
            (r.quantity < ours).then_some((p.id, ours - r.quantity))
        })
        .collect()
}

/// Looks for receipts the regulator holds twice among those that sold from `package`: the days
/// of our receipts whose line equals the gap first, else the latest days, at most a few.
pub async fn duplicates_for(
    store: &impl EventStore,
    client: &MetrcClient,
    state_day: impl Fn(DateTime<Utc>) -> NaiveDate,
    package: PackageId,
    gap: Decimal,
    seen_days: &mut HashMap<NaiveDate, Vec<metrc::wire::Receipt>>,
) -> Result<Vec<Duplicate>, crate::regulator::RelayError> {
    let mut ours: Vec<(String, NaiveDate, Decimal)> = Vec::new();
    for e in store.sales_from(package).await? {
        let receipt = match &e.kind {
            EventKind::Sold { receipt } | EventKind::HoldFulfilled { receipt, .. } => receipt,
            _ => continue,
        };
        let qty: Decimal = receipt
            .lines
            .iter()
            .filter(|l| l.package_id == package)
            .map(|l| l.quantity.amount)
            .sum();
        ours.push((receipt.receipt_id.to_string(), state_day(e.at), qty));
    }
    let mut days: Vec<NaiveDate> = Vec::new();
    for (_, day, _) in ours.iter().filter(|(_, _, q)| *q == gap) {
        if !days.contains(day) {
            days.push(*day);
        }
    }
    for (_, day, _) in &ours {
        if days.len() >= DAYS_PER_PACKAGE {
            break;
        }
        if !days.contains(day) {
            days.push(*day);
        }
    }
    let mine: HashSet<&str> = ours.iter().map(|(id, _, _)| id.as_str()).collect();
    let mut found = Vec::new();
    for day in days {
        if let std::collections::hash_map::Entry::Vacant(slot) = seen_days.entry(day) {
            slot.insert(client.receipts_on(day).await?);
        }
        let mut by_number: HashMap<&str, Vec<&metrc::wire::Receipt>> = HashMap::new();
        for r in &seen_days[&day] {
            if let Some(n) = r.external_receipt_number.as_deref() {
                if mine.contains(n) {
                    by_number.entry(n).or_default().push(r);
                }
            }
        }
        for (number, mut copies) in by_number {
            if copies.len() < 2 {
                continue;
            }
            // The first recorded stands; every later copy is the duplicate.
            copies.sort_by_key(|r| r.id);
            for extra in &copies[1..] {
                found.push(Duplicate {
                    kind: DuplicateKind::Receipt,
                    reference: number.to_owned(),
                    regulator_id: extra.id,
                    quantity: ours
                        .iter()
                        .find(|(id, _, _)| id == number)
                        .map_or(Decimal::ZERO, |(_, _, q)| *q),
                });
            }
        }
    }
    Ok(found)
}

/// Builds the report: one diagnosis per open package (and per closed one the regulator still
/// holds), summed per product. Pure: all I/O was done before.
pub fn assemble(
    state: &State,
    halt: Option<&SyncHalt>,
    regulator: &[RegPackage],
    outbox: &OutboxFacts,
    duplicates: &FxHashMap<PackageId, Vec<Duplicate>>,
) -> ReconcileReport {
    // One pass over the counts instead of a search per package.
    let mut last_counts: FxHashMap<PackageId, CountFigure> = FxHashMap::default();
    for (count_id, c) in &state.counts {
        for line in &c.lines {
            let Some(e) = line.latest() else { continue };
            let newer = last_counts
                .get(&line.package_id)
                .is_none_or(|f| f.at < e.at);
            if newer {
                last_counts.insert(
                    line.package_id,
                    CountFigure {
                        count_id: *count_id,
                        counted: e.counted,
                        expected: e.expected,
                        at: e.at,
                        corrected: line.corrected,
                    },
                );
            }
        }
    }
    // The regulator's packages are read in the order they were parsed (their fields sit together
    // in memory), each looked up in the ledger by tag. A tag met twice is a manifest recorded
    // twice: the later copy is the duplicate.
    let mut matched: Vec<(&Package, &RegPackage)> = Vec::with_capacity(regulator.len());
    let mut seen: FxHashSet<PackageId> =
        FxHashSet::with_capacity_and_hasher(regulator.len(), Default::default());
    let mut copies: FxHashMap<PackageId, Vec<Duplicate>> = FxHashMap::default();
    let mut regulator_only = Vec::new();
    let mut rejected_at_receiving = Vec::new();
    for r in regulator {
        let Some(p) = state
            .tags
            .get(r.label.as_str())
            .and_then(|id| state.packages.get(id))
        else {
            // Packages on a manifest the store has not received yet are on their way, not extra.
            let arriving = r
                .received_from_manifest_number
                .as_ref()
                .is_some_and(|m| !state.manifests.contains(m));
            if r.is_finished || arriving {
                continue;
            }
            // Refused at receiving: on its way back to the shipper, which the ledger recorded.
            match state.rejected.get(r.label.as_str()) {
                Some(refused) => rejected_at_receiving.push(RejectedPackage {
                    tag: r.label.clone(),
                    manifest_number: refused.manifest_number.clone(),
                    reason: refused.reason.clone(),
                    rejected_at: refused.at,
                }),
                None => regulator_only.push(r.label.clone()),
            }
            continue;
        };
        if seen.insert(p.id) {
            matched.push((p, r));
        } else {
            copies.entry(p.id).or_default().push(Duplicate {
                kind: DuplicateKind::Manifest,
                reference: r.received_from_manifest_number.clone().unwrap_or_default(),
                regulator_id: r.id,
                quantity: r.quantity,
            });
        }
    }
    let mut rows = Vec::new();
    let mut compared = 0u32;
    let mut agree = 0u32;
    let mut sums: FxHashMap<ProductId, Sums> = FxHashMap::default();
    let unmatched = state
        .packages
        .values()
        .filter(|p| is_open(p.status) && !seen.contains(&p.id))
        .map(|p| (p, None));
    for (p, reg) in matched
        .into_iter()
        .map(|(p, r)| (p, Some(regulator_view(r))))
        .chain(unmatched)
    {
        let Some(product) = state.products.get(&p.product_id) else {
            continue;
        };
        if product.category == Category::Accessory {
            continue;
        }
        compared += 1;
        let facts = PackageFacts {
            package: p,
            product,
            regulator: reg,
            in_flight: outbox.in_flight.get(&p.id).cloned(),
            refused: outbox.refused.get(&p.id).map(String::as_str),
            duplicates: duplicates
                .get(&p.id)
                .into_iter()
                .flatten()
                .chain(copies.get(&p.id).into_iter().flatten())
                .cloned()
                .collect(),
            count: last_counts.get(&p.id).cloned(),
        };
        let sum = sums.entry(p.product_id).or_default();
        if is_open(p.status) {
            sum.ledger += p.quantity.amount;
        }
        if let Some(r) = reg {
            *sum.regulator.get_or_insert(Decimal::ZERO) += r.quantity;
        }
        if let Some(c) = facts.count.as_ref().filter(|c| !c.corrected) {
            *sum.counted.get_or_insert(Decimal::ZERO) += c.counted.amount;
        }
        let diagnosis = diagnose(halt, &facts);
        if diagnosis == Diagnosis::InAgreement {
            agree += 1;
            continue;
        }
        rows.push(PackageRow {
            package_id: p.id,
            tag: p.tag.as_str().to_owned(),
            product_id: p.product_id,
            product_name: product.name.clone(),
            ledger: p.quantity,
            count: facts.count,
            regulator: reg.map(|r| r.quantity),
            regulator_unit: reg.map(|r| r.unit.to_owned()),
            diagnosis,
        });
    }
    rows.sort_by(|a, b| {
        (a.diagnosis.rank(), &a.product_name, &a.tag).cmp(&(
            b.diagnosis.rank(),
            &b.product_name,
            &b.tag,
        ))
    });
    let products = product_rows(state, halt, &rows, &sums);
    regulator_only.sort();
    rejected_at_receiving.sort_by(|a: &RejectedPackage, b: &RejectedPackage| a.tag.cmp(&b.tag));
    ReconcileReport {
        checked_at: Utc::now(),
        halt: halt.cloned(),
        packages_compared: compared,
        in_agreement: agree,
        packages: rows,
        products,
        regulator_only,
        rejected_at_receiving,
    }
}

/// A product's totals over its compared packages.
#[derive(Default)]
struct Sums {
    ledger: Decimal,
    regulator: Option<Decimal>,
    counted: Option<Decimal>,
}

fn product_rows(
    state: &State,
    halt: Option<&SyncHalt>,
    rows: &[PackageRow],
    sums: &FxHashMap<ProductId, Sums>,
) -> Vec<ProductRow> {
    let mut off: HashMap<ProductId, Vec<&PackageRow>> = HashMap::new();
    for r in rows {
        off.entry(r.product_id).or_default().push(r);
    }
    let mut out: Vec<ProductRow> = off
        .into_iter()
        .filter_map(|(id, bad)| {
            let product = state.products.get(&id)?;
            let sum = sums.get(&id)?;
            let diagnosis = match (halt, mapping_problem(product, None)) {
                (None, Some(problem)) => Diagnosis::Mapping { problem },
                _ => bad
                    .iter()
                    .min_by_key(|r| r.diagnosis.rank())
                    .map(|r| r.diagnosis.clone())
                    .unwrap_or(Diagnosis::InAgreement),
            };
            Some(ProductRow {
                product_id: id,
                name: product.name.clone(),
                sku: product.sku.clone(),
                ledger: Quantity::new(sum.ledger, product.unit),
                counted: sum.counted,
                regulator: sum.regulator,
                packages_off: bad.len() as u32,
                diagnosis,
            })
        })
        .collect();
    out.sort_by(|a, b| (a.diagnosis.rank(), &a.name).cmp(&(b.diagnosis.rank(), &b.name)));
    out
}
