//! Retail ID: QR codes, one per item, associated with a package's label (`POST
//! /retailid/v2/associate`), read back by label (`GET /retailid/v2/receive/{label}`), within
//! the facility's quota (`GET /retailid/v2/allotment`). Every write checks all of its rows
//! before changing anything.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use metrc::wire::{RetailIdAssociation, RowError};
use rust_decimal::Decimal;

use crate::model::{row, Sandbox};

/// Retail Item IDs a facility may hold; Metrc's own example shows 50,000.
pub const ALLOTMENT: usize = 50_000;

impl Sandbox {
    /// The facility's quota left: its allotment less the codes its packages carry.
    pub fn allotment_left(&self, license: &str) -> usize {
        let used: usize = self
            .packages
            .iter()
            .filter(|p| p.license == license)
            .map(|p| p.retail_ids.len())
            .sum();
        ALLOTMENT.saturating_sub(used)
    }

    /// Gives each named package its QR codes (replacing any it had); answers the packages' ids.
    pub fn associate_retail_ids(
        &mut self,
        license: &str,
        body: &[RetailIdAssociation],
        now: DateTime<Utc>,
    ) -> Result<Vec<i64>, Vec<RowError>> {
        let mut errors = Vec::new();
        let mut seen = HashSet::new();
        let mut adding = 0usize;
        for (i, a) in body.iter().enumerate() {
            let Some(p) = self.package(license, &a.package_label) else {
                errors.push(row(i, format!("Package {} not found.", a.package_label)));
                continue;
            };
            if a.qr_urls.is_empty() {
                errors.push(row(i, "At least one QR code URL is required."));
            }
            let items = Decimal::from(a.qr_urls.len() as u64);
            if p.unit_of_measure_name == "Each" && items > p.quantity {
                errors.push(row(
                    i,
                    format!(
                        "Package {} holds {} items; {} QR codes were given.",
                        a.package_label,
                        p.quantity.normalize(),
                        a.qr_urls.len()
                    ),
                ));
            }
            for url in &a.qr_urls {
                if !(url.starts_with("https://") || url.starts_with("http://")) {
                    errors.push(row(i, format!("QR code {url} is not a URL.")));
                } else if !seen.insert(url.clone()) {
                    errors.push(row(i, format!("QR code {url} is given twice.")));
                } else if let Some(other) = self.packages.iter().find(|o| {
                    o.license == license && o.label != a.package_label && o.retail_ids.contains(url)
                }) {
                    errors.push(row(
                        i,
                        format!("QR code {url} belongs to package {}.", other.label),
                    ));
                }
            }
            adding += a.qr_urls.len().saturating_sub(p.retail_ids.len());
        }
        if adding > self.allotment_left(license) {
            errors.push(row(0, "The facility's Retail ID allotment is used up."));
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(body
            .iter()
            .map(|a| {
                let i = self
                    .package_index(license, &a.package_label)
                    .expect("checked above");
                let p = &mut self.packages[i];
                p.retail_ids = a.qr_urls.clone();
                p.last_modified = now;
                p.id
            })
            .collect())
    }
}
