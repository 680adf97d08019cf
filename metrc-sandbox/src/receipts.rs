//! Sales receipts as Metrc v2 rules them: record, update, archive, and the duplication fault.
//! Every write checks all of its rows before changing anything.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use metrc::wire::{ReceiptBody, ReceiptId, RowError, Transaction};
use rust_decimal::Decimal;

use crate::model::{row, Receipt, Sandbox};

impl Sandbox {
    /// `POST /sales/v2/receipts`: records sales; quantities leave their packages.
    pub fn record_receipts(
        &mut self,
        license: &str,
        body: &[ReceiptBody],
        by: &str,
        now: DateTime<Utc>,
    ) -> Result<Vec<i64>, Vec<RowError>> {
        self.check_receipts(license, body, None)?;
        let mut ids = Vec::new();
        for r in body {
            for t in &r.transactions {
                let i = self
                    .package_index(license, &t.package_label)
                    .expect("checked above");
                self.packages[i].quantity -= t.quantity;
                self.packages[i].last_modified = now;
            }
            let id = self.next_id();
            self.receipts.push(receipt(id, license, r, by, now));
            ids.push(id);
        }
        Ok(ids)
    }

    /// Records one receipt a second time, as the duplication fault does.
    pub fn duplicate_receipt(
        &mut self,
        license: &str,
        external: &str,
        now: DateTime<Utc>,
    ) -> Result<i64, String> {
        let original = self
            .receipts
            .iter()
            .find(|r| {
                r.license == license
                    && r.external_receipt_number.as_deref() == Some(external)
                    && r.archived_date.is_none()
            })
            .cloned()
            .ok_or_else(|| format!("no receipt with external number {external}"))?;
        for t in &original.transactions {
            if let Some(i) = self.package_index(license, &t.package_label) {
                self.packages[i].quantity -= t.quantity;
                self.packages[i].last_modified = now;
            }
        }
        let id = self.next_id();
        self.receipts.push(Receipt {
            id,
            receipt_number: format!("{id:010}"),
            last_modified: now,
            ..original
        });
        Ok(id)
    }

    pub(crate) fn check_receipts(
        &self,
        license: &str,
        body: &[ReceiptBody],
        editing: Option<&[Option<&Receipt>]>,
    ) -> Result<(), Vec<RowError>> {
        let mut errors = Vec::new();
        let mut sold: HashMap<String, Decimal> = HashMap::new();
        for (i, r) in body.iter().enumerate() {
            if r.transactions.is_empty() {
                errors.push(row(i, "At least one transaction is required."));
            }
            if !CUSTOMER_TYPES.contains(&r.sales_customer_type.as_str()) {
                errors.push(row(
                    i,
                    format!(
                        "Sales Customer Type {} is not valid.",
                        r.sales_customer_type
                    ),
                ));
            }
            let patient = r.patient_license_number.as_deref().map(str::trim);
            if r.sales_customer_type == "Patient" && patient.is_none_or(str::is_empty) {
                errors.push(row(
                    i,
                    "Patient License Number is required for a Patient sale.",
                ));
            }
            let giving_back: HashMap<&str, Decimal> = editing
                .and_then(|e| e[i])
                .map(|old| {
                    old.transactions
                        .iter()
                        .map(|t| (t.package_label.as_str(), t.quantity))
                        .collect()
                })
                .unwrap_or_default();
            for t in &r.transactions {
                if let Some(p) = self.row_package(
                    license,
                    &t.package_label,
                    &t.unit_of_measure,
                    i,
                    &mut errors,
                ) {
                    let s = sold.entry(t.package_label.clone()).or_default();
                    *s += t.quantity;
                    let back = giving_back
                        .get(t.package_label.as_str())
                        .copied()
                        .unwrap_or_default();
                    if *s > p.quantity + back {
                        errors.push(row(
                            i,
                            format!("Package {} does not have enough quantity.", t.package_label),
                        ));
                    }
                }
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }

    /// `PUT /sales/v2/receipts`: replaces receipts' lines (a return is a smaller quantity); a
    /// finalized receipt takes no change.
    pub fn update_receipts(
        &mut self,
        license: &str,
        body: &[ReceiptBody],
        by: &str,
        now: DateTime<Utc>,
    ) -> Result<(), Vec<RowError>> {
        let olds: Vec<Option<&Receipt>> = body
            .iter()
            .map(|r| {
                r.id.and_then(|id| {
                    self.receipts
                        .iter()
                        .find(|x| x.id == id && x.license == license && x.archived_date.is_none())
                })
            })
            .collect();
        let mut errors: Vec<RowError> = olds
            .iter()
            .enumerate()
            .filter(|(_, o)| o.is_none())
            .map(|(i, _)| row(i, "Receipt not found."))
            .chain(
                olds.iter()
                    .enumerate()
                    .filter_map(|(i, o)| o.filter(|r| r.is_final).map(|r| (i, r.id)))
                    .map(|(i, id)| {
                        row(
                            i,
                            format!("Receipt {id} is finalized and cannot be changed."),
                        )
                    }),
            )
            .collect();
        if errors.is_empty() {
            if let Err(e) = self.check_receipts(license, body, Some(&olds)) {
                errors = e;
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let olds: Vec<Receipt> = olds
            .into_iter()
            .map(|o| o.expect("checked above").clone())
            .collect();
        for (r, old) in body.iter().zip(olds) {
            for t in &old.transactions {
                if let Some(i) = self.package_index(license, &t.package_label) {
                    self.packages[i].quantity += t.quantity;
                }
            }
            for t in &r.transactions {
                let i = self
                    .package_index(license, &t.package_label)
                    .expect("checked above");
                self.packages[i].quantity -= t.quantity;
                self.packages[i].last_modified = now;
            }
            let slot = self
                .receipts
                .iter_mut()
                .find(|x| x.id == old.id)
                .expect("exists");
            *slot = Receipt {
                recorded_date_time: old.recorded_date_time,
                recorded_by_user_name: old.recorded_by_user_name.clone(),
                ..receipt(old.id, license, r, by, now)
            };
        }
        Ok(())
    }

    /// `DELETE /sales/v2/receipts/{id}`: archives (voids) a receipt and puts its quantities
    /// back; a finalized receipt must be unfinalized first.
    pub fn archive_receipt(
        &mut self,
        license: &str,
        id: i64,
        now: DateTime<Utc>,
    ) -> Result<(), ReceiptRefusal> {
        let r = self
            .receipts
            .iter_mut()
            .find(|r| r.id == id && r.license == license && r.archived_date.is_none())
            .ok_or(ReceiptRefusal::NotFound)?;
        if r.is_final {
            return Err(ReceiptRefusal::Final);
        }
        r.archived_date = Some(now);
        r.last_modified = now;
        let lines = r.transactions.clone();
        for t in lines {
            if let Some(i) = self.package_index(license, &t.package_label) {
                self.packages[i].quantity += t.quantity;
                self.packages[i].last_modified = now;
            }
        }
        Ok(())
    }

    /// `PUT /sales/v2/receipts/finalize` (`finalize`) or `/unfinalize`: a finalized receipt takes
    /// no more changes and lists with the inactive ones; unfinalizing opens it again.
    pub fn finalize_receipts(
        &mut self,
        license: &str,
        body: &[ReceiptId],
        finalize: bool,
        now: DateTime<Utc>,
    ) -> Result<(), Vec<RowError>> {
        let errors: Vec<RowError> = body
            .iter()
            .enumerate()
            .filter(|(_, b)| {
                !self
                    .receipts
                    .iter()
                    .any(|r| r.id == b.id && r.license == license && r.archived_date.is_none())
            })
            .map(|(i, b)| row(i, format!("Receipt {} not found.", b.id)))
            .collect();
        if !errors.is_empty() {
            return Err(errors);
        }
        for b in body {
            let r = self
                .receipts
                .iter_mut()
                .find(|r| r.id == b.id && r.license == license && r.archived_date.is_none())
                .expect("checked above");
            if r.is_final != finalize {
                r.is_final = finalize;
                r.last_modified = now;
            }
        }
        Ok(())
    }
}

/// Why a receipt could not be archived.
#[derive(Debug, PartialEq, Eq)]
pub enum ReceiptRefusal {
    /// No such receipt in the facility (or archived already).
    NotFound,
    /// Finalized: unfinalize it first.
    Final,
}

/// What `GET /sales/v2/customertypes` lists.
pub const CUSTOMER_TYPES: [&str; 5] = [
    "Consumer",
    "Patient",
    "Caregiver",
    "ExternalPatient",
    "NonResidentConsumer",
];

pub(crate) fn receipt(
    id: i64,
    license: &str,
    r: &ReceiptBody,
    by: &str,
    now: DateTime<Utc>,
) -> Receipt {
    Receipt {
        id,
        receipt_number: format!("{id:010}"),
        external_receipt_number: r.external_receipt_number.clone(),
        sales_date_time: r.sales_date_time,
        sales_customer_type: r.sales_customer_type.clone(),
        patient_license_number: r.patient_license_number.clone(),
        transactions: r
            .transactions
            .iter()
            .map(|t| Transaction {
                package_label: t.package_label.clone(),
                quantity: t.quantity,
                unit_of_measure: t.unit_of_measure.clone(),
                total_amount: t.total_amount,
            })
            .collect(),
        total_packages: r.transactions.len(),
        total_price: r.transactions.iter().map(|t| t.total_amount).sum(),
        is_final: false,
        archived_date: None,
        recorded_date_time: now,
        recorded_by_user_name: Some(by.into()),
        last_modified: now,
        license: license.into(),
    }
}
