//! Injected failures, set through `/sandbox/v2/faults`: latency, 429s, 500s, and writes that
//! commit then never answer.

use axum::{extract::State, Json};
use serde::{Deserialize, Serialize};

use crate::{error::ApiError, state::SandboxState};

/// Injected failures, set through `/sandbox/v2/faults`.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Faults {
    /// Added to every regulator call.
    pub latency_ms: u64,
    /// Percentage of calls answered 429 with `Retry-After`.
    pub rate_limit_percent: u8,
    /// `Retry-After` seconds on those 429s.
    pub retry_after_secs: u64,
    /// Percentage of calls answered 500.
    pub error_percent: u8,
    /// Percentage of writes that commit and then never answer (the caller times out).
    pub commit_then_drop_percent: u8,
}

// ---- Fault injection and setup: /sandbox/v2/ (no auth; the sandbox listens on loopback). ----

pub(crate) async fn faults_show(State(st): State<SandboxState>) -> Json<Faults> {
    Json(st.faults.lock().expect("faults lock").0.clone())
}

pub(crate) async fn faults_set(
    State(st): State<SandboxState>,
    Json(f): Json<Faults>,
) -> Result<Json<Faults>, ApiError> {
    for (name, v) in [
        ("rate_limit_percent", f.rate_limit_percent),
        ("error_percent", f.error_percent),
        ("commit_then_drop_percent", f.commit_then_drop_percent),
    ] {
        if v > 100 {
            return Err(ApiError::BadRequest(format!(
                "{name} is a percentage: 0 to 100, got {v}."
            )));
        }
    }
    st.faults.lock().expect("faults lock").0 = f.clone();
    Ok(Json(f))
}
