//! Sync health, named by its cause: what the relay knows of itself, shown on the Settings page
//! and pushed on the staff stream whenever the state changes.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The sync state, named by its cause.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
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

/// What the worker knows of its own health.
#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SyncHealth {
    /// The state.
    pub state: SyncState,
    /// The cause in words.
    pub cause: String,
    /// Since when this state holds.
    pub since: DateTime<Utc>,
}

impl SyncHealth {
    /// A state that holds from now.
    pub fn new(state: SyncState, cause: impl Into<String>) -> Self {
        Self {
            state,
            cause: cause.into(),
            since: Utc::now(),
        }
    }
}
