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

/// Why a browser's sign-in form was sent back to the sign-in page. A form is answered
/// Post/Redirect/Get, so the refusal travels in the page's query (`?refused=<code>`, with
/// `retry_after=<seconds>` when waiting lets it through), never as an HTTP error a page would log.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignInRefused {
    /// The email or password is wrong.
    BadCredentials,
    /// Too many failed attempts; the next one may pass after this many seconds.
    TooManyAttempts {
        /// Seconds to wait.
        retry_after: u64,
    },
    /// What was typed as the email cannot be one.
    InvalidEmail,
}

impl SignInRefused {
    /// The sign-in page, where a refused form goes back to.
    pub const PAGE: &'static str = "/login";
    /// Where a browser's form goes once signed in.
    pub const SIGNED_IN: &'static str = "/inventory";

    /// The `refused` code, the same as the API's error code for the same refusal.
    pub fn code(self) -> &'static str {
        match self {
            SignInRefused::BadCredentials => "bad_credentials",
            SignInRefused::TooManyAttempts { .. } => "too_many_requests",
            SignInRefused::InvalidEmail => "invalid_body",
        }
    }

    /// The sign-in page's address carrying this refusal.
    pub fn location(self) -> String {
        match self {
            SignInRefused::TooManyAttempts { retry_after } => {
                format!(
                    "{}?refused={}&retry_after={retry_after}",
                    Self::PAGE,
                    self.code()
                )
            }
            _ => format!("{}?refused={}", Self::PAGE, self.code()),
        }
    }

    /// The refusal a sign-in page's query carries, if any (`None` for an unknown code).
    pub fn from_query(refused: &str, retry_after: Option<&str>) -> Option<Self> {
        match refused {
            "bad_credentials" => Some(SignInRefused::BadCredentials),
            "too_many_requests" => Some(SignInRefused::TooManyAttempts {
                retry_after: retry_after
                    .and_then(|s| s.parse().ok())
                    .unwrap_or(60)
                    .max(1),
            }),
            "invalid_body" => Some(SignInRefused::InvalidEmail),
            _ => None,
        }
    }
}

impl std::fmt::Display for SignInRefused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SignInRefused::BadCredentials => f.write_str("the email or password is wrong"),
            SignInRefused::TooManyAttempts { retry_after } => {
                write!(f, "too many attempts; try again in {retry_after} seconds")
            }
            SignInRefused::InvalidEmail => f.write_str("the email is not an email address"),
        }
    }
}

/// The answer to a witness's email and password: who they are, or why they are not confirmed.
/// A wrong password is an answer here, not a failed request: the manager asking is signed in.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum WitnessCheck {
    /// The password is theirs.
    Confirmed {
        /// The witness.
        witness: crate::account::User,
    },
    /// Not confirmed: `bad_credentials`, or `too_many_requests` when the email is locked for now.
    Refused {
        /// Why, as the API's errors say it.
        error: ErrorDetail,
    },
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
