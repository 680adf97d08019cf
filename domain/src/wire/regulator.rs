//! The regulator connection as the Settings, Receive and Products pages read and change it.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::{AdjustReason, LabState, MutationId, ProductId, Quantity, RelayDecision};

/// The sync state, named by its cause.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SyncState {
    /// Everything is flowing.
    Healthy,
    /// The key is expired, revoked or lacks a permission: nothing is sent until it is replaced.
    AuthFailed,
    /// A product is not mapped (or mapped wrongly) to a regulator item; those rows wait.
    MappingError,
    /// The regulator asked us to slow down.
    RateLimited,
    /// The regulator does not answer.
    RegulatorDown,
    /// Changes wait longer than the posting window.
    Lagging,
    /// The outbox could not record its own progress in the database: nothing more is sent or
    /// claimed until it can.
    StoreFailed,
    /// No regulator connection is configured.
    NotConfigured,
}

impl SyncState {
    /// Its name on the wire (`auth_failed`).
    pub fn name(self) -> &'static str {
        match self {
            SyncState::Healthy => "healthy",
            SyncState::AuthFailed => "auth_failed",
            SyncState::MappingError => "mapping_error",
            SyncState::RateLimited => "rate_limited",
            SyncState::RegulatorDown => "regulator_down",
            SyncState::Lagging => "lagging",
            SyncState::StoreFailed => "store_failed",
            SyncState::NotConfigured => "not_configured",
        }
    }
}

/// What the relay knows of its own health.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SyncHealth {
    /// The state.
    pub state: SyncState,
    /// The cause in words.
    pub cause: String,
    /// Since when this state holds.
    pub since: DateTime<Utc>,
}

impl SyncHealth {
    /// A state that holds from `since`.
    pub fn new(state: SyncState, cause: impl Into<String>, since: DateTime<Utc>) -> Self {
        Self {
            state,
            cause: cause.into(),
            since,
        }
    }
}

/// The sync's report (`GET /api/v1/regulator/health`): its state, what waits, the key's expiry.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SyncReport {
    /// State and its cause.
    #[serde(flatten)]
    pub health: SyncHealth,
    /// Changes waiting to be sent.
    pub pending: i64,
    /// Changes sent without an answer, to be read back before any retry.
    pub uncertain: i64,
    /// Changes on their way now; without an answer they are read back before any retry.
    pub sending: i64,
    /// Changes the regulator refused, waiting for a person.
    pub parked: i64,
    /// Changes the regulator has.
    pub done: i64,
    /// Age of the oldest waiting change, in seconds.
    pub oldest_pending_seconds: Option<i64>,
    /// The facility licence in use.
    pub license: Option<String>,
    /// Whether the embedded sandbox is the regulator.
    pub sandbox: bool,
    /// When the user key expires, where known.
    pub key_expires_on: Option<NaiveDate>,
    /// Things to act on before they stop the sync.
    pub warnings: Vec<String>,
}

/// Free package tags, for a split or merge to pick from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AvailableTags {
    /// Tags the regulator lists as free that no package in the ledger carries yet, in order.
    pub tags: Vec<String>,
}

/// A manifest the regulator shows on its way here and the ledger has not received yet.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IncomingManifest {
    /// The manifest number.
    pub manifest_number: String,
    /// Who ships it.
    pub shipper: Option<String>,
    /// Its packages.
    pub lines: Vec<IncomingLine>,
}

/// One package on an incoming manifest, matched to a product where a mapping says which.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IncomingLine {
    /// Its tag.
    pub tag: String,
    /// The regulator's item name.
    pub item_name: String,
    /// Quantity shipped, in the product's unit when matched (else the regulator's).
    pub shipped: Quantity,
    /// When it was packaged.
    pub packaged_on: Option<NaiveDate>,
    /// The product whose regulator mapping names this item, if any.
    pub product_id: Option<ProductId>,
    /// The lab state the regulator records for it.
    pub lab: LabState,
    /// Why the line cannot be received as it is, if it cannot.
    pub problem: Option<String>,
}

/// New regulator credentials.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewCredentials {
    /// The regulator's base URL.
    pub base_url: String,
    /// The integrator (vendor) key.
    pub vendor_key: String,
    /// The store's user key.
    pub user_key: String,
    /// The facility licence number.
    pub license: String,
    /// When the user key expires, if known; health warns 14 days ahead.
    #[serde(default)]
    pub key_expires_on: Option<NaiveDate>,
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

/// What was done at the regulator for a product's item, and the item as it now stands there.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ItemSent {
    /// A new item; `false` when the item of that name was changed to match.
    pub created: bool,
    /// The item's id at the regulator.
    pub item_id: i64,
    /// Its name.
    pub name: String,
    /// Its category.
    pub category: String,
    /// Its unit of measure.
    pub unit_of_measure: String,
    /// What was done, in a sentence.
    pub summary: String,
}

/// A manager's decision on one refused change.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Decision {
    /// `retry` (after fixing the cause) or `done_at_regulator` (after checking there).
    pub decision: RelayDecision,
    /// What was fixed or seen at the regulator; required for `done_at_regulator`.
    #[serde(default)]
    pub note: Option<String>,
    /// Sent again with the same id after a lost answer, the decision is recorded once.
    #[serde(default)]
    pub mutation_id: Option<MutationId>,
}

/// A manager's choices of facility reason per Pistil reason.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ReasonChoices {
    /// Pistil's adjustment reason → the facility reason it is sent as; a reason left out cannot
    /// be used until it is mapped.
    pub adjust: BTreeMap<AdjustReason, String>,
    /// The facility reason a destruction is sent as.
    pub destruction: Option<String>,
}

/// A manager's choice of Metrc location per zone.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct LocationChoices {
    /// The location the vault is; with `sales_floor`, or both left out to keep moves in the store.
    pub vault: Option<String>,
    /// The location the sales floor is.
    pub sales_floor: Option<String>,
}

/// Which regulator receipt to void (a copy the regulator recorded twice).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct VoidReceipt {
    /// The regulator's id of the copy.
    pub regulator_receipt_id: i64,
}

/// What was voided.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Voided {
    /// The regulator's id of the voided copy.
    pub regulator_receipt_id: i64,
    /// Our receipt number it duplicated.
    pub external_receipt_number: String,
    /// The copy that stands.
    pub kept_receipt_id: i64,
}
