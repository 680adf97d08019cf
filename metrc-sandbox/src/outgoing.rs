//! Outgoing transfers: a store sending packages back to a distributor or on to another licensee.
//! Metrc's API makes only templates of them; the transfer itself is registered in Metrc's own
//! screens, which the sandbox stands in for with `POST /sandbox/v2/transfers/outgoing`. Its
//! packages leave the active list and are in transit (`GET /packages/v2/intransit`); a change to
//! one is refused until it arrives.

use chrono::{DateTime, Utc};

use crate::model::{OutgoingTransfer, Sandbox};

/// Outgoing transfers are numbered from here, apart from incoming ones.
pub const OUTGOING_IDS: i64 = 900_000_000;

impl Sandbox {
    /// Registers an outgoing transfer of `labels`: every package the facility's, active and not
    /// already on its way, or nothing changes.
    pub fn ship(
        &mut self,
        license: &str,
        manifest: &str,
        recipient: (&str, &str),
        labels: &[String],
        now: DateTime<Utc>,
    ) -> Result<i64, String> {
        if manifest.trim().is_empty() {
            return Err("A manifest number is required.".into());
        }
        if self
            .outgoing
            .iter()
            .any(|t| t.license == license && t.manifest_number == manifest)
        {
            return Err(format!("Manifest {manifest} is already registered."));
        }
        if labels.is_empty() {
            return Err("A transfer carries at least one package.".into());
        }
        for label in labels {
            match self.package(license, label) {
                None => return Err(format!("Package {label} not found.")),
                Some(p) if p.is_finished => return Err(format!("Package {label} is finished.")),
                Some(p) if p.in_transit.is_some() => {
                    return Err(format!("Package {label} is already in transit."))
                }
                Some(_) => {}
            }
        }
        for label in labels {
            let i = self.package_index(license, label).expect("checked above");
            self.packages[i].in_transit = Some(manifest.to_owned());
            self.packages[i].last_modified = now;
        }
        let id = OUTGOING_IDS
            + self
                .outgoing
                .iter()
                .filter(|t| t.license == license)
                .count() as i64
            + 1;
        self.outgoing.push(OutgoingTransfer {
            id,
            license: license.into(),
            manifest_number: manifest.into(),
            recipient_license: recipient.0.into(),
            recipient_name: recipient.1.into(),
            packages: labels.to_vec(),
            created: now,
        });
        Ok(id)
    }
}
