//! `GET /api/v1/health`.

use axum::{extract::State, Json};
use domain::wire::{DatabaseHealth, Health, RegulatorConnection};

use super::AppState;

/// Reports version, database and regulator state.
#[utoipa::path(get, path = "/api/v1/health", tag = "system", responses((status = 200, body = Health)))]
pub async fn health_show(State(state): State<AppState>) -> Json<Health> {
    let db_ok = state.store.ping().await.is_ok();
    let mode = match crate::regulator::setup::facts(&state.store).await {
        Ok(Some(c)) if !c.embedded => "metrc",
        _ => "sandbox",
    };
    Json(Health {
        status: if db_ok { "ok" } else { "degraded" }.to_owned(),
        version: env!("CARGO_PKG_VERSION").to_owned(),
        database: DatabaseHealth {
            kind: "sqlite".to_owned(),
            ok: db_ok,
        },
        regulator: RegulatorConnection {
            mode: mode.to_owned(),
            state: state.outbox.health().state,
        },
    })
}
