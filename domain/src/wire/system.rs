//! Sign-in, health and the one error shape every failed request answers with.

use serde::{Deserialize, Serialize};

use super::regulator::SyncState;

/// Sign-in (and a witness's confirmation).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SignIn {
    /// Email.
    pub email: String,
    /// Password.
    pub password: String,
}

/// The JSON body of every error response.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorBody {
    /// The error itself.
    pub error: ErrorDetail,
}

/// A machine-readable code and a human message.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorDetail {
    /// Stable identifier such as `not_found`.
    pub code: String,
    /// What went wrong, in words.
    pub message: String,
}

/// What the health endpoint reports.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Health {
    /// `ok` when every part answers, `degraded` otherwise.
    pub status: String,
    /// The server's version.
    pub version: String,
    /// The database's state.
    pub database: DatabaseHealth,
    /// The regulator connection's state.
    pub regulator: RegulatorConnection,
}

/// Database part of the health report.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DatabaseHealth {
    /// `sqlite`.
    pub kind: String,
    /// Whether a trivial query succeeded.
    pub ok: bool,
}

/// Regulator part of the health report.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RegulatorConnection {
    /// `sandbox` (embedded) or `metrc`.
    pub mode: String,
    /// Sync state, named by its cause.
    pub state: SyncState,
}
