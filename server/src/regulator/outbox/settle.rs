//! Settling one change with the regulator: send it, or first read back whether an attempt in
//! doubt already landed (new tags for splits and merges, the package's quantity for adjustments,
//! the receipt by our number for sales, the finished flag); moves go as location changes where
//! the store sends locations.

use domain::{EventKind, Quantity};
use metrc::{
    wire::{
        AdjustPackage, CreatePackage, FinishPackage, MovePackage, ReceiptBody, TransactionBody,
        MAX_OBJECTS,
    },
    MetrcClient, MetrcError,
};

use super::{Expect, Outbox, Pending};
use crate::regulator::{mapping, RelayError};

impl Outbox {
    /// Sends one event's calls; after an attempt in doubt, first reads back whether it landed.
    /// Returns the regulator's ids.
    pub(super) async fn sync_one(
        &self,
        c: &MetrcClient,
        row: &Pending,
        expect: Option<Expect>,
    ) -> Result<Vec<i64>, RelayError> {
        let (id, event, uncertain) = (row.id, &row.event, row.in_doubt);
        let view = self.ledger.view().await;
        let state = &view.state;
        let date = state.config.day_of(event.at);
        let locations = self.ledger.locations();
        let located = |zone| {
            locations
                .as_deref()
                .and_then(|l| l.of(zone))
                .map(str::to_owned)
        };
        match &event.kind {
            EventKind::PackageReceived { package, .. } => {
                let (_, prod) = mapping::package_of(state, &package.id)?;
                // The package must be of a mapped item before anything about it can be sent.
                mapping::reg_qty(prod, package.quantity)?;
                let label = package.tag.to_string();
                let location = locations.as_deref().and_then(|l| l.of(package.zone));
                drop(view);
                // Received packages appear at the regulator from the manifest; we confirm, and
                // put one in its zone's location where the store sends locations.
                let found = c.package(&label).await?;
                if let Some(location) = location {
                    if found.location_name.as_deref() != Some(location) {
                        self.move_to(c, id, label, location, date).await?;
                    }
                }
                Ok(vec![found.id])
            }
            EventKind::PackageSplit {
                source, children, ..
            } => {
                let mut body = mapping::split(state, source, children, date)?;
                for (p, child) in body.iter_mut().zip(children) {
                    p.location = located(child.zone);
                }
                drop(view);
                self.create_once(c, id, &body, uncertain).await
            }
            EventKind::PackagesMerged { sources, package } => {
                let mut body = mapping::merge(state, sources, package, date)?;
                body.location = located(package.zone);
                drop(view);
                self.create_once(c, id, &[body], uncertain).await
            }
            EventKind::PackageMoved { package_id, to, .. } => {
                // Queued while the store sent locations; if it no longer does, nothing is sent.
                let Some(location) = located(*to) else {
                    return Ok(vec![]);
                };
                let (p, _) = mapping::package_of(state, package_id)?;
                let label = p.tag.to_string();
                drop(view);
                // Setting a location is the same however often it is sent: no read-back needed.
                self.move_to(c, id, label, &location, date).await?;
                Ok(vec![])
            }
            EventKind::PackageAdjusted {
                package_id,
                delta,
                reason,
                note,
                ..
            } => {
                let name = mapping::reason_name(self.ledger.reasons().as_deref(), *reason)?;
                let body = mapping::adjustment(
                    state,
                    package_id,
                    *delta,
                    &name,
                    note.clone().or_else(|| Some(reason.label().to_owned())),
                    date,
                )?;
                drop(view);
                self.adjust_once(c, id, body, uncertain, expect).await
            }
            EventKind::PackageDestroyed {
                package_id,
                quantity,
                reason,
                method,
                note,
                ..
            } => {
                let body = mapping::destruction(
                    state,
                    self.ledger.reasons().as_deref(),
                    package_id,
                    *quantity,
                    mapping::destruction_words(*reason, *method, note.as_deref()),
                    date,
                )?;
                drop(view);
                self.adjust_once(c, id, body, uncertain, expect).await
            }
            EventKind::Sold { receipt } | EventKind::HoldFulfilled { receipt, .. } => {
                let body = mapping::receipt(state, event)?;
                drop(view);
                // Only a sale in doubt comes this way: a receipt already there is not sent again.
                if let Some(found) = c
                    .receipt_by_external(&receipt.receipt_id.to_string())
                    .await?
                {
                    return Ok(vec![found.id]);
                }
                self.mark_sending(&[id]).await?;
                Ok(c.record_receipts(&[body]).await?)
            }
            EventKind::Returned { receipt_id, .. } => {
                // What each line of the receipt should show once every return so far is applied.
                let Some(ledger_lines) = state.receipt_lines(receipt_id) else {
                    return Err(RelayError::Ledger(format!(
                        "receipt {receipt_id} is not in the ledger"
                    )));
                };
                let mut expected = Vec::new();
                for l in ledger_lines {
                    let (p, prod) = mapping::package_of(state, &l.package_id)?;
                    let unit = p.quantity.unit;
                    let kept = mapping::reg_qty(prod, Quantity::new(l.sold - l.returned, unit))?.0;
                    expected.push((p.tag.to_string(), kept));
                }
                drop(view);
                let Some(reg) = c.receipt_by_external(&receipt_id.to_string()).await? else {
                    // Everything sold has come back: an earlier return archived the receipt,
                    // which is what this one would do too.
                    if expected.iter().all(|(_, kept)| kept.is_zero()) {
                        return Ok(vec![]);
                    }
                    return Err(MetrcError::NotFound.into());
                };
                // Idempotent by construction: the receipt is set to what it should be, so a
                // repeated edit changes nothing.
                let lines: Vec<TransactionBody> = reg
                    .transactions
                    .iter()
                    .filter_map(|t| {
                        let (_, kept) = expected.iter().find(|(tag, _)| *tag == t.package_label)?;
                        (!kept.is_zero()).then(|| TransactionBody {
                            package_label: t.package_label.clone(),
                            quantity: *kept,
                            unit_of_measure: t.unit_of_measure.clone(),
                            // The price follows the quantity kept, from what the receipt shows now.
                            total_amount: if t.quantity.is_zero() {
                                t.total_amount
                            } else {
                                (t.total_amount * *kept / t.quantity).round_dp(2)
                            },
                        })
                    })
                    .collect();
                let already = reg.transactions.iter().all(|t| {
                    lines
                        .iter()
                        .any(|l| l.package_label == t.package_label && l.quantity == t.quantity)
                }) && lines.len() == reg.transactions.len();
                if already {
                    return Ok(vec![reg.id]);
                }
                if reg.is_final {
                    // Metrc takes no change to a finalized receipt: it is opened, changed, and
                    // closed again below. A retry after a failure in between finds it open and
                    // leaves it open; the store's copy is unaffected either way.
                    c.finalize_receipts(&[reg.id], false).await?;
                }
                if lines.is_empty() {
                    c.archive_receipt(reg.id).await?;
                } else {
                    c.update_receipts(&[ReceiptBody {
                        id: Some(reg.id),
                        sales_date_time: reg.sales_date_time,
                        external_receipt_number: Some(receipt_id.to_string()),
                        sales_customer_type: reg.sales_customer_type.clone(),
                        patient_license_number: reg.patient_license_number.clone(),
                        transactions: lines,
                    }])
                    .await?;
                    if reg.is_final {
                        c.finalize_receipts(&[reg.id], true).await?;
                    }
                }
                Ok(vec![reg.id])
            }
            EventKind::PackageFinished { package_id } => {
                let (p, _) = mapping::package_of(state, package_id)?;
                let label = p.tag.to_string();
                drop(view);
                if uncertain && c.package(&label).await?.is_finished {
                    return Ok(vec![]);
                }
                self.mark_sending(&[id]).await?;
                c.finish(&[FinishPackage {
                    label,
                    actual_date: Some(date),
                }])
                .await?;
                Ok(vec![])
            }
            _ => Ok(vec![]),
        }
    }

    /// Puts a package in a Metrc location (`PUT /packages/v2/location`).
    async fn move_to(
        &self,
        c: &MetrcClient,
        id: i64,
        label: String,
        location: &str,
        date: chrono::NaiveDate,
    ) -> Result<(), RelayError> {
        self.mark_sending(&[id]).await?;
        c.move_packages(&[MovePackage {
            label,
            location: location.to_owned(),
            sublocation: None,
            move_date: date,
        }])
        .await?;
        Ok(())
    }

    pub(super) async fn create_once(
        &self,
        c: &MetrcClient,
        id: i64,
        body: &[CreatePackage],
        uncertain: bool,
    ) -> Result<Vec<i64>, RelayError> {
        // A new tag is a package at the regulator only if a write of ours landed: after a lost
        // answer, or when an earlier POST of a split larger than one POST may have gone through
        // before a later one failed. Those children are done; only the others are sent.
        let mut ids = Vec::new();
        let mut rest: Vec<CreatePackage> = Vec::new();
        if uncertain || body.len() > MAX_OBJECTS {
            for p in body {
                match c.package(&p.tag).await {
                    Ok(reg) => {
                        let expected = p.ingredients.iter().map(|i| i.package.as_str());
                        let made_from: Vec<&str> = reg.sources().collect();
                        if !expected.clone().all(|s| made_from.contains(&s)) {
                            return Err(RelayError::Conflict(format!(
                                "tag {} is already a package at the regulator, made from {} rather than from {}",
                                p.tag,
                                reg.source_package_labels.as_deref().unwrap_or("no other package"),
                                expected.collect::<Vec<_>>().join(", ")
                            )));
                        }
                        ids.push(reg.id);
                    }
                    Err(MetrcError::NotFound) => rest.push(p.clone()),
                    Err(e) => return Err(e.into()),
                }
            }
        } else {
            rest = body.to_vec();
        }
        if rest.is_empty() {
            return Ok(ids);
        }
        self.mark_sending(&[id]).await?;
        for chunk in rest.chunks(MAX_OBJECTS) {
            ids.extend(c.create_packages(chunk).await?);
        }
        Ok(ids)
    }

    pub(super) async fn adjust_once(
        &self,
        c: &MetrcClient,
        id: i64,
        body: AdjustPackage,
        uncertain: bool,
        expect: Option<Expect>,
    ) -> Result<Vec<i64>, RelayError> {
        let now = c.package(&body.label).await?.quantity;
        if uncertain {
            if let Some(before) = expect.and_then(|e| e.before) {
                if now == before + body.quantity {
                    return Ok(vec![]);
                }
                if now != before {
                    // Someone else changed the package meanwhile: a person must look.
                    return Err(RelayError::Conflict(format!("package {} changed at the regulator while our adjustment was in doubt ({before} before, {now} now)", body.label)));
                }
            }
        }
        self.remember(id, &Expect { before: Some(now) }).await?;
        Ok(c.adjust(&[body]).await?)
    }
}
