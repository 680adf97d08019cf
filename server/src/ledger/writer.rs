//! The single writer: decides each job's commands against the in-memory state, commits a batch
//! of jobs in one transaction (events, outcomes, projections and outbox rows together), then
//! tells followers and submitters.

use std::{
    collections::{HashMap, HashSet},
    sync::Arc,
};

use chrono::Utc;
use domain::{
    reason_map::ReasonMap,
    wire::{AuditRow, Availability},
    Event, EventKind, PackageId, ProductId,
};
use tokio::sync::{broadcast, mpsc, RwLock};

use super::{load_view, Committed, Job, Locations, Outcome, Reasons, SeqEvent, SeqEventRef, View};
use crate::store::{Batch, EventRow, HoldRow, LedgerStore, MutationRow, PackageRow, ProductRow};

/// Most jobs committed together in one transaction.
const MAX_BATCH: usize = 256;

/// Runs until every `Ledger` handle is dropped: takes the waiting jobs, commits them, answers.
pub(super) async fn writer(
    store: Arc<dyn LedgerStore>,
    max_hold: chrono::Duration,
    view: Arc<RwLock<View>>,
    feed: broadcast::Sender<Arc<Committed>>,
    reasons: Reasons,
    locations: Locations,
    mut rx: mpsc::Receiver<Job>,
) {
    while let Some(first) = rx.recv().await {
        let mut jobs = vec![first];
        while jobs.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(j) => jobs.push(j),
                Err(_) => break,
            }
        }
        let map = reasons.read().expect("reasons lock").clone();
        let moves = locations
            .read()
            .expect("locations lock")
            .as_ref()
            .is_some_and(|l| l.in_use());
        let mut guard = view.write().await;
        let rules = Rules {
            reasons: map.as_deref(),
            moves,
            max_hold,
        };
        match write_batch(&*store, &mut guard, &rules, &jobs).await {
            Ok((outcomes, committed)) => {
                drop(guard);
                // Followers first: waking a thousand streams is the slow part, and each
                // submitter's reply only waits for it by the few microseconds the send takes.
                if !committed.events.is_empty() {
                    let _ = feed.send(Arc::new(committed));
                }
                for (job, out) in jobs.into_iter().zip(outcomes) {
                    let _ = job.reply.send(Ok(out));
                }
            }
            Err(e) => {
                tracing::error!(error = ?e, "ledger batch failed; reloading state from the database");
                // The in-memory state may be ahead of what was committed: rebuild it.
                match load_view(&*store).await {
                    Ok(v) => *guard = v,
                    Err(e2) => tracing::error!(error = ?e2, "could not reload the ledger"),
                }
                drop(guard);
                for job in jobs {
                    let _ = job
                        .reply
                        .send(Err(anyhow::anyhow!("the ledger could not commit: {e}")));
                }
            }
        }
    }
}

/// What the writer checks beyond the domain's own rules, as the store has set them.
struct Rules<'a> {
    /// The facility's reason mapping, once read.
    reasons: Option<&'a ReasonMap>,
    /// Whether a move between zones is a change for the regulator.
    moves: bool,
    /// The store's pickup hold: the longest any hold may last.
    max_hold: chrono::Duration,
}

/// Events the regulator must learn of; each becomes an outbox row.
fn regulator_relevant(kind: &EventKind, moves: bool) -> bool {
    if let EventKind::PackageMoved { .. } = kind {
        return moves;
    }
    matches!(
        kind,
        EventKind::PackageReceived { .. }
            | EventKind::PackageSplit { .. }
            | EventKind::PackagesMerged { .. }
            | EventKind::PackageDestroyed { .. }
            | EventKind::PackageAdjusted { .. }
            | EventKind::Sold { .. }
            | EventKind::Returned { .. }
            | EventKind::HoldFulfilled { .. }
            | EventKind::PackageFinished { .. }
    )
}

/// Decides every mutation of the batch against the view (advancing it), then commits the
/// events, outcomes and touched projections in one write.
async fn write_batch(
    store: &dyn LedgerStore,
    view: &mut View,
    rules: &Rules<'_>,
    jobs: &[Job],
) -> anyhow::Result<(Vec<Vec<Outcome>>, Committed)> {
    let ids: Vec<domain::MutationId> = jobs
        .iter()
        .flat_map(|j| j.mutations.iter().map(|m| m.command.mutation_id))
        .collect();
    let mut known = store
        .outcomes(&ids)
        .await?
        .into_iter()
        .map(|(id, json)| Ok((id, serde_json::from_str::<Outcome>(&json)?)))
        .collect::<anyhow::Result<HashMap<_, _>>>()?;
    let mut numbered = numbered_outcomes(store, jobs).await?;
    let now = Utc::now().to_rfc3339();
    let mut batch = Batch {
        recorded_at: now.clone(),
        ..Batch::default()
    };
    let mut all_outcomes = Vec::with_capacity(jobs.len());
    let mut new_events: Vec<SeqEvent> = Vec::new();
    for job in jobs {
        let mut outcomes = Vec::with_capacity(job.mutations.len());
        for m in &job.mutations {
            let id = m.command.mutation_id;
            // Processed before, or earlier in this very batch: its outcome stands.
            if let Some(o) = known.get(&id) {
                outcomes.push(o.clone());
                continue;
            }
            // A number this tablet already used: the first mutation sent under it stands, and
            // this one is answered with its outcome, never applied.
            let number = job.client_id.clone().zip(m.client_seq);
            if let Some(o) = number.as_ref().and_then(|n| numbered.get(n)) {
                outcomes.push(o.clone());
                continue;
            }
            let decided = domain::decide(&view.state, &m.command).and_then(|events| {
                let kinds = || events.iter().map(|e| &e.kind);
                match rules
                    .reasons
                    .and_then(|r| r.unmapped(kinds()))
                    .or_else(|| domain::limits::hold_too_long(kinds(), rules.max_hold))
                {
                    Some(e) => Err(e),
                    None => Ok(events),
                }
            });
            let outcome = match decided {
                Ok(events) => {
                    let mut refs = Vec::with_capacity(events.len());
                    for event in events {
                        view.seq += 1;
                        view.apply(&event);
                        refs.push(SeqEventRef {
                            seq: view.seq,
                            kind: event.kind.name().into(),
                        });
                        batch.events.push(event_row(
                            view.seq,
                            &event,
                            &now,
                            rules.moves,
                            &view.state,
                        )?);
                        new_events.push(SeqEvent {
                            seq: view.seq,
                            event,
                        });
                    }
                    Outcome::Applied {
                        mutation_id: id,
                        seq: view.seq,
                        events: refs,
                    }
                }
                Err(error) => Outcome::Rejected {
                    mutation_id: id,
                    error,
                },
            };
            batch.mutations.push(MutationRow {
                mutation_id: id.to_string(),
                client_id: job.client_id.clone(),
                client_seq: m.client_seq,
                action: m.command.action.name(),
                outcome: serde_json::to_string(&outcome)?,
            });
            if let Some((client, n)) = number {
                batch.clients.push((client.clone(), n));
                numbered.insert((client, n), outcome.clone());
            }
            known.insert(id, outcome.clone());
            outcomes.push(outcome);
        }
        all_outcomes.push(outcomes);
    }
    let availability = projections(&mut batch, view, &new_events)?;
    store.commit(batch).await?;
    Ok((
        all_outcomes,
        Committed {
            events: new_events,
            availability,
        },
    ))
}

/// The recorded outcomes of the numbers the batch's tablets send, by client and number.
async fn numbered_outcomes(
    store: &dyn LedgerStore,
    jobs: &[Job],
) -> anyhow::Result<HashMap<(String, i64), Outcome>> {
    let mut by_client: HashMap<&str, Vec<i64>> = HashMap::new();
    for job in jobs {
        if let Some(client) = &job.client_id {
            let numbers = by_client.entry(client).or_default();
            numbers.extend(job.mutations.iter().filter_map(|m| m.client_seq));
        }
    }
    let mut out = HashMap::new();
    for (client, numbers) in by_client {
        for (n, json) in store.numbered_outcomes(client, &numbers).await? {
            out.insert((client.to_owned(), n), serde_json::from_str(&json)?);
        }
    }
    Ok(out)
}

/// An event as the store keeps it.
/// `moves`: whether a move between zones is a change for the regulator (the store sends
/// locations). `state` has the event applied: the audit columns name its packages' tags and
/// products from it.
pub fn event_row(
    seq: i64,
    event: &Event,
    now: &str,
    moves: bool,
    state: &domain::State,
) -> anyhow::Result<EventRow> {
    Ok(EventRow {
        seq,
        body: serde_json::to_string(event)?,
        audit: AuditRow::of(seq, now.to_owned(), event, state),
        // Every package the change touches, so a change in doubt or refused holds back each
        // one's later changes at the regulator.
        outbox_key: regulator_relevant(&event.kind, moves).then(|| {
            event
                .kind
                .packages()
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(" ")
        }),
        settles: match &event.kind {
            EventKind::RelayChangeSettled { seq, decision, .. } => Some((*seq, *decision)),
            _ => None,
        },
    })
}

/// Adds every package, product, hold and customer-day the new events touched to the batch;
/// returns the menu frames of the products whose availability may have changed.
fn projections(
    batch: &mut Batch,
    view: &View,
    events: &[SeqEvent],
) -> anyhow::Result<Vec<(i64, Availability)>> {
    let mut packages: HashMap<PackageId, i64> = HashMap::new();
    let mut products: HashMap<ProductId, i64> = HashMap::new();
    let mut holds: HashSet<domain::HoldId> = HashSet::new();
    let mut customers: HashSet<domain::CustomerRef> = HashSet::new();
    for e in events {
        for id in e.event.kind.packages() {
            packages.insert(id, e.seq);
            if let Some(p) = view.state.packages.get(&id) {
                products.insert(p.product_id, e.seq);
            }
        }
        match &e.event.kind {
            EventKind::ProductDefined { product } => {
                products.insert(product.id, e.seq);
            }
            EventKind::HoldPlaced { hold } => {
                holds.insert(hold.hold_id);
            }
            EventKind::HoldReleased { hold_id, .. } | EventKind::HoldAdvanced { hold_id, .. } => {
                holds.insert(*hold_id);
            }
            EventKind::HoldFulfilled { hold_id, receipt } => {
                holds.insert(*hold_id);
                customers.extend(receipt.customer.clone());
            }
            EventKind::Sold { receipt } => customers.extend(receipt.customer.clone()),
            _ => {}
        }
    }
    for (id, seq) in &packages {
        let Some(p) = view.state.packages.get(id) else {
            continue;
        };
        batch.packages.push(PackageRow {
            id: id.to_string(),
            tag: p.tag.to_string(),
            product_id: p.product_id.to_string(),
            status: p.status.label(),
            zone: format!("{:?}", p.zone),
            quantity: p.quantity.amount.to_string(),
            held: p.held.to_string(),
            body: serde_json::to_string(p)?,
            changed_seq: *seq,
        });
    }
    let mut availability = Vec::with_capacity(products.len());
    for (id, seq) in &products {
        let Some(p) = view.state.products.get(id) else {
            continue;
        };
        batch.products.push(ProductRow {
            id: id.to_string(),
            sku: p.sku.clone(),
            category: format!("{:?}", p.category),
            available: view.available(*id).to_string(),
            body: serde_json::to_string(p)?,
            changed_seq: *seq,
        });
        if let Some(a) = view.availability(*id) {
            availability.push((*seq, a));
        }
    }
    for id in holds {
        batch.holds.push(match view.state.holds.get(&id) {
            Some(h) => HoldRow::Active {
                hold_id: id.to_string(),
                customer: h.customer.to_string(),
                expires_at: h.expires_at.to_rfc3339(),
                body: serde_json::to_string(h)?,
            },
            None => HoldRow::Ended {
                hold_id: id.to_string(),
            },
        });
    }
    for c in customers {
        if let Some(day) = view.state.purchases.get(&c) {
            batch.purchases.push((
                c.to_string(),
                day.day.to_string(),
                serde_json::to_string(&day.lines)?,
            ));
        }
    }
    availability.sort_by_key(|(seq, _)| *seq);
    Ok(availability)
}
