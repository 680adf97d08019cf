//! HTTP surface: the JSON API under `/api/v1` and the browser app.
//!
//! - `GET /api/v1/health`: version, database and regulator state.

pub mod error;
pub mod health;

use std::path::Path;

use axum::{routing::get, Router};
use tower_http::{compression::CompressionLayer, limit::RequestBodyLimitLayer, trace::TraceLayer};

use crate::{web, AppState};

pub use error::ApiError;

/// Largest request body accepted, in bytes.
pub const BODY_LIMIT: usize = 2 * 1024 * 1024;

/// The whole application: API routes, then the browser app for everything else.
pub fn router(state: AppState, dist: &Path) -> Router {
    let api = Router::new()
        .route("/health", get(health::health_show))
        .fallback(error::api_not_found)
        .with_state(state);
    Router::new()
        .nest("/api/v1", api)
        .merge(web::router(dist))
        .layer(RequestBodyLimitLayer::new(BODY_LIMIT))
        // Compression skips Server-Sent-Events streams by default, so live feeds are not buffered.
        .layer(CompressionLayer::new())
        .layer(TraceLayer::new_for_http())
}
