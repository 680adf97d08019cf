//! `GET /api/v1/health`.

use axum::{extract::State, Json};
use serde::Serialize;

use super::AppState;

/// What the health endpoint reports.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Health {
    /// `ok` when every part answers, `degraded` otherwise.
    pub status: &'static str,
    /// The server's version.
    pub version: &'static str,
    /// The database's state.
    pub database: DatabaseHealth,
    /// The regulator connection's state.
    pub regulator: RegulatorHealth,
}

/// Database part of the health report.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DatabaseHealth {
    /// Always `sqlite` for now.
    pub kind: &'static str,
    /// Whether a trivial query succeeded.
    pub ok: bool,
}

/// Regulator part of the health report.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RegulatorHealth {
    /// `sandbox` (embedded) or `metrc`.
    pub mode: &'static str,
    /// Sync state (healthy, auth_failed, mapping_error, rate_limited, regulator_down, lagging).
    pub state: crate::regulator::outbox::SyncState,
}

/// Reports version, database and regulator state.
#[utoipa::path(get, path = "/api/v1/health", tag = "system", responses((status = 200, body = Health)))]
pub async fn health_show(State(state): State<AppState>) -> Json<Health> {
    let db_ok = state.store.ping().await.is_ok();
    Json(Health {
        status: if db_ok { "ok" } else { "degraded" },
        version: env!("CARGO_PKG_VERSION"),
        database: DatabaseHealth {
            kind: "sqlite",
            ok: db_ok,
        },
        regulator: RegulatorHealth {
            mode: match crate::regulator::setup::saved(&state.store).await {
                Ok(Some(c)) if !c.embedded => "metrc",
                _ => "sandbox",
            },
            state: state.outbox.health().state,
        },
    })
}
