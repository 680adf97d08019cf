//! The regulator relay as people see it: a change the regulator refused, in words, with what
//! waits behind it. Shared by the server's answer and the app's screens.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::{EventKind, PackageId, ProductId, State};

/// One refused change.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParkedChange {
    /// The change's ledger sequence: what a decision names.
    pub seq: i64,
    /// When it happened.
    pub at: DateTime<Utc>,
    /// The event's kind (`sold`, `package_adjusted`, …).
    pub kind: String,
    /// What it was, in words.
    pub what: String,
    /// The tags of the packages it touches.
    pub packages: Vec<String>,
    /// The regulator's refusal, or why the relay could not settle it.
    pub reason: String,
    /// How many times it was tried.
    pub attempts: i64,
    /// Later changes of the same packages that wait until this one is settled.
    pub waiting_behind: usize,
    /// What a person can do about it, in words.
    pub remedy: String,
}

/// The tag a package carries, or its id when the ledger no longer knows it.
pub fn tag(state: &State, id: &PackageId) -> String {
    state
        .packages
        .get(id)
        .map_or_else(|| id.to_string(), |p| p.tag.to_string())
}

/// A product's name, or its id when the catalogue no longer knows it.
fn product(state: &State, id: &ProductId) -> String {
    state
        .products
        .get(id)
        .map_or_else(|| id.to_string(), |p| p.name.clone())
}

/// A regulator-relevant change in words.
pub fn describe(state: &State, kind: &EventKind) -> String {
    match kind {
        EventKind::PackageReceived { package, .. } => {
            format!("Receive package {} ({})", package.tag, package.quantity)
        }
        EventKind::PackageSplit {
            source,
            taken,
            children,
            ..
        } => format!(
            "Split {taken} of {} into {} packages",
            tag(state, source),
            children.len()
        ),
        EventKind::PackagesMerged { sources, package } => format!(
            "Merge {} packages into {} ({})",
            sources.len(),
            package.tag,
            package.quantity
        ),
        EventKind::PackageDestroyed {
            package_id,
            quantity,
            reason,
            ..
        } => format!(
            "Destroy {quantity} of {} ({})",
            tag(state, package_id),
            reason.label()
        ),
        EventKind::PackageAdjusted {
            package_id,
            delta,
            reason,
            ..
        } => format!(
            "Adjust {} by {delta} ({})",
            tag(state, package_id),
            reason.label()
        ),
        EventKind::Sold { receipt } | EventKind::HoldFulfilled { receipt, .. } => {
            let one = receipt.lines.first().filter(|_| receipt.lines.len() == 1);
            match one {
                Some(l) => format!(
                    "Sale of {} of {}",
                    l.quantity,
                    product(state, &l.product_id)
                ),
                None => format!("Sale of {} lines", receipt.lines.len()),
            }
        }
        EventKind::Returned { lines, .. } => match lines.as_slice() {
            [l] => format!(
                "Return of {} of {}",
                l.quantity,
                product(state, &l.product_id)
            ),
            _ => format!("Return of {} lines", lines.len()),
        },
        EventKind::PackageFinished { package_id } => {
            format!("Finish empty package {}", tag(state, package_id))
        }
        EventKind::PackageMoved { package_id, to, .. } => format!(
            "Move {} to the {}",
            tag(state, package_id),
            to.label().to_lowercase()
        ),
        other => other.name().replace('_', " "),
    }
}

/// The refused changes and what waits behind them.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ParkedList {
    /// Oldest first.
    pub changes: Vec<ParkedChange>,
    /// Later changes held back behind all of them (each counted once).
    pub waiting_behind: usize,
}
