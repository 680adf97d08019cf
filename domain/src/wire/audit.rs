//! The audit export's row: one ledger event in words an auditor reads without the code.

use serde::{Deserialize, Serialize};

use crate::{Event, EventKind};

/// One row of the audit export, as the ledger stores it beside each event.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditRow {
    /// Ledger sequence.
    pub seq: i64,
    /// When it happened (device clock).
    pub at: String,
    /// When the server recorded it.
    pub recorded_at: String,
    /// Who.
    pub actor: String,
    /// From which device.
    pub device: String,
    /// The mutation that caused it.
    pub mutation_id: String,
    /// What happened.
    pub event: String,
    /// Packages touched.
    pub packages: String,
    /// Reason code, where there is one.
    pub reason: String,
    /// Quantities, as "amount unit" separated by spaces.
    pub quantities: String,
}

impl AuditRow {
    /// The row of one stored event: what the audit export shows, kept beside the event.
    pub fn of(seq: i64, recorded_at: String, event: &Event) -> AuditRow {
        let (reason, quantities) = reason_and_quantities(&event.kind);
        AuditRow {
            seq,
            at: event
                .at
                .to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            recorded_at,
            actor: event.actor.to_string(),
            device: event.device.to_string(),
            mutation_id: event.mutation_id.to_string(),
            event: event.kind.name().to_owned(),
            packages: event
                .kind
                .packages()
                .iter()
                .map(|p| p.to_string())
                .collect::<Vec<_>>()
                .join(" "),
            reason,
            quantities,
        }
    }
}

/// The reason column and the quantities column, in the words each kind of event gives them.
fn reason_and_quantities(kind: &EventKind) -> (String, String) {
    let q = |v: Vec<String>| v.join(" ");
    match kind {
        EventKind::PackageReceived {
            package,
            adjust_reason,
            ..
        } => (
            adjust_reason
                .map(|r| r.label().to_owned())
                .unwrap_or_default(),
            package.quantity.to_string(),
        ),
        EventKind::PackageSplit {
            taken, children, ..
        } => (
            String::new(),
            q(std::iter::once(format!("-{taken}"))
                .chain(children.iter().map(|c| c.quantity.to_string()))
                .collect()),
        ),
        EventKind::PackagesMerged { package, .. } => (String::new(), package.quantity.to_string()),
        EventKind::PackageDestroyed {
            quantity, reason, ..
        } => (reason.label().to_owned(), format!("-{quantity}")),
        EventKind::PackageAdjusted { delta, reason, .. } => {
            (reason.label().to_owned(), delta.to_string())
        }
        EventKind::Sold { receipt } | EventKind::HoldFulfilled { receipt, .. } => (
            String::new(),
            q(receipt
                .lines
                .iter()
                .map(|l| format!("-{}", l.quantity))
                .collect()),
        ),
        EventKind::Returned {
            lines, disposition, ..
        } => (
            format!("{disposition:?}").to_lowercase(),
            q(lines.iter().map(|l| l.quantity.to_string()).collect()),
        ),
        EventKind::HoldPlaced { hold } => (
            String::new(),
            q(hold.lines.iter().map(|l| l.quantity.to_string()).collect()),
        ),
        EventKind::HoldReleased { lines, expired, .. } => (
            if *expired {
                "expired".into()
            } else {
                "cancelled".into()
            },
            q(lines.iter().map(|l| l.quantity.to_string()).collect()),
        ),
        EventKind::CountRecorded {
            expected, counted, ..
        } => (
            String::new(),
            format!("expected {expected} counted {counted}"),
        ),
        EventKind::PackagePlacedOnHold { reason, .. } => (reason.label().to_owned(), String::new()),
        EventKind::RelayChangeSettled {
            seq,
            decision,
            note,
        } => (
            match note {
                Some(n) => format!("change {seq} {}: {n}", decision.label()),
                None => format!("change {seq} {}", decision.label()),
            },
            String::new(),
        ),
        _ => (String::new(), String::new()),
    }
}
