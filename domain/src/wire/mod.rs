//! Types that cross HTTP as they are, read by the server and by whoever reads its answers.

use serde::{Deserialize, Serialize};

use crate::Event;

mod audit;
mod menu;

pub use audit::AuditRow;
pub use menu::{Availability, Menu, MenuItem, Stock};

/// One event in a package's history.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HistoryEntry {
    /// Ledger sequence.
    pub seq: i64,
    /// The name of the person who made it (their id is in the event).
    pub actor_name: Option<String>,
    /// The event.
    pub event: Event,
    /// Where it stands with the regulator, when the regulator must learn of it.
    pub regulator: Option<RegulatorStep>,
}

/// How far one event has reached the regulator.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RegulatorStep {
    /// `pending`, `sending`, `uncertain`, `parked` or `done`.
    pub state: String,
    /// Attempts so far.
    pub attempts: i64,
    /// The regulator's refusal, for a parked change.
    pub last_error: Option<String>,
    /// When the regulator confirmed it.
    pub done_at: Option<String>,
}

/// A package's history, oldest first.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PackageHistory {
    /// The events.
    pub events: Vec<HistoryEntry>,
}

/// What a manager learns on saving regulator credentials: where Pistil will send, never the keys.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CredentialsSaved {
    /// The regulator's host (and port, when not the scheme's own), as parsed.
    pub host: String,
    /// The facility licence the keys act for.
    pub license: String,
}
