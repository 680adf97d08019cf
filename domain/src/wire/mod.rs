//! Types that cross HTTP as they are, read by the server and by whoever reads its answers.

use serde::{Deserialize, Serialize};

use crate::Event;

mod audit;
mod menu;
mod orders;
mod regulator;
mod reports;
pub mod sync;
mod system;

pub use audit::AuditRow;
pub use menu::{Availability, Menu, MenuItem, Stock};
pub use orders::{Order, OrderLine, OrderLineRequest, OrderStatus, PlaceOrder};
pub use regulator::{
    AvailableTags, CredentialsSaved, Decision, IncomingLine, IncomingManifest, ItemSent,
    LocationChoices, NewCredentials, ReasonChoices, SyncHealth, SyncReport, SyncState, VoidReceipt,
    Voided,
};
pub use reports::MarkSubmitted;
pub use system::{
    DatabaseHealth, ErrorBody, ErrorDetail, Health, RegulatorConnection, SignIn, SignInRefused,
    WitnessCheck,
};

/// One event in a package's history.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HistoryEntry {
    /// Ledger sequence.
    pub seq: i64,
    /// The name of the person who made it (their id is in the event).
    pub actor_name: Option<String>,
    /// The name of its witness, for a destruction or a count (their id is in the event).
    #[serde(default)]
    pub witness_name: Option<String>,
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
