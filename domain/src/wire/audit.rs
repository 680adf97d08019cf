//! The audit export's row: one ledger event in words an auditor reads without the code.

use serde::{Deserialize, Serialize};

use crate::{Event, EventKind, State, UserId};

/// Separates product names and SKUs in one cell: they may hold spaces and commas.
pub const LIST_SEPARATOR: &str = " | ";

/// One row of the audit export, as the ledger stores it beside each event: ids for machines and,
/// beside them, the names, tags and SKUs an auditor reads without a second lookup.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditRow {
    /// Ledger sequence.
    pub seq: i64,
    /// When it happened (device clock).
    pub at: String,
    /// When the server recorded it.
    pub recorded_at: String,
    /// Who (their id).
    pub actor: String,
    /// Who, by name (as the store's accounts name them when the export is read).
    #[serde(default)]
    pub actor_name: String,
    /// From which device.
    pub device: String,
    /// The mutation that caused it.
    pub mutation_id: String,
    /// What happened.
    pub event: String,
    /// Packages touched (ids, separated by spaces).
    pub packages: String,
    /// Their regulator tags, in the same order.
    #[serde(default)]
    pub tags: String,
    /// Their products' names, each once, in the order the packages name them.
    #[serde(default)]
    pub products: String,
    /// Those products' SKUs, in the same order as `products`.
    #[serde(default)]
    pub skus: String,
    /// Reason code, where there is one.
    pub reason: String,
    /// Who witnessed it (their id), for a destruction or a count.
    #[serde(default)]
    pub witness: String,
    /// The witness by name.
    #[serde(default)]
    pub witness_name: String,
    /// Quantities, each as "amount unit" (g, mL or ea), separated by spaces.
    pub quantities: String,
}

impl AuditRow {
    /// The CSV export's columns, in order: the fields, as the header row names them.
    pub const COLUMNS: [&'static str; 16] = [
        "seq",
        "at",
        "recorded_at",
        "actor",
        "actor_name",
        "device",
        "mutation_id",
        "event",
        "packages",
        "tags",
        "products",
        "skus",
        "reason",
        "witness",
        "witness_name",
        "quantities",
    ];

    /// The row of one stored event: what the audit export shows, kept beside the event. `state`
    /// is the ledger's state with the event applied, where its packages (new ones included) and
    /// their products are found. People's names are not kept here: the export reads them.
    pub fn of(seq: i64, recorded_at: String, event: &Event, state: &State) -> AuditRow {
        let (reason, quantities) = reason_and_quantities(&event.kind);
        let packages = event.kind.packages();
        let found: Vec<_> = packages
            .iter()
            .filter_map(|id| state.packages.get(id))
            .collect();
        let mut products = Vec::new();
        for p in &found {
            if let Some(product) = state.products.get(&p.product_id) {
                if !products
                    .iter()
                    .any(|x: &&crate::Product| x.id == product.id)
                {
                    products.push(product);
                }
            }
        }
        let list = |v: Vec<&str>| v.join(LIST_SEPARATOR);
        AuditRow {
            seq,
            at: event
                .at
                .to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            recorded_at,
            actor: event.actor.to_string(),
            actor_name: String::new(),
            device: event.device.to_string(),
            mutation_id: event.mutation_id.to_string(),
            event: event.kind.name().to_owned(),
            packages: packages
                .iter()
                .map(|p| p.to_string())
                .collect::<Vec<_>>()
                .join(" "),
            tags: found
                .iter()
                .map(|p| p.tag.as_str())
                .collect::<Vec<_>>()
                .join(" "),
            products: list(products.iter().map(|p| p.name.as_str()).collect()),
            skus: list(products.iter().map(|p| p.sku.as_str()).collect()),
            reason,
            witness: witness(&event.kind)
                .map(|w| w.to_string())
                .unwrap_or_default(),
            witness_name: String::new(),
            quantities,
        }
    }
}

/// Who watched, for the events a second person must witness.
pub fn witness(kind: &EventKind) -> Option<UserId> {
    match kind {
        EventKind::PackageDestroyed { witness, .. } | EventKind::CountRecorded { witness, .. } => {
            Some(*witness)
        }
        _ => None,
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
