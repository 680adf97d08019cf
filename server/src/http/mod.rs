//! HTTP surface: the JSON API under `/api/v1` and the browser app.
//!
//! - `GET /api/v1/health`: version, database and regulator state.
//! - `POST|GET|DELETE /api/v1/session`: sign in, who am I, sign out.
//! - `POST /api/v1/mutations`: apply commands, each at most once.
//! - `POST /api/v1/session/witness`: a witness confirms who they are.
//! - `GET /api/v1/packages/{id}/history`: a package's events and regulator sync state.
//! - `GET /api/v1/sync`: changes since a cursor, or a snapshot.
//! - `GET /api/v1/events/stream`: staff live events (SSE).
//! - `GET /api/v1/menu`, `GET /api/v1/menu/stream`: the public live menu (CORS open).
//! - `POST /api/v1/orders`, `GET /api/v1/orders/{id}` and its `/stream`: pickup orders (public);
//!   `GET /api/v1/orders`: the queue (staff).
//! - `GET /api/v1/audit/export`: every event in a range, CSV or JSONL, streamed.
//! - `GET /api/v1/openapi.json`: this API's OpenAPI document.
//! - `GET /api/v1/regulator/health`, `PUT /api/v1/regulator/credentials`: regulator sync.
//! - `GET /api/v1/regulator/tags`: free package tags for splits and merges.
//! - `GET /api/v1/regulator/incoming`: manifests to receive.
//! - `GET|PUT /api/v1/regulator/reasons`, `POST /api/v1/regulator/reasons/read`: the facility's
//!   Metrc adjustment reasons and what each of Pistil's is sent as.
//! - `GET /api/v1/reconcile`, `POST /api/v1/reconcile/void-receipt`: three-way reconciliation.
//! - `GET /api/v1/alerts`: what needs a manager's attention now.
//! - `GET /api/v1/reports/health-canada`: the monthly Health Canada retailer report.

pub mod audit;
pub mod client_addr;
pub mod error;
pub mod events_stream;
pub mod health;
pub mod menu_feed;
pub mod mutations;
pub mod openapi;
pub mod orders;
mod origin;
pub mod package_history;
pub mod product_items;
pub mod reconcile;
pub mod regulator;
pub mod regulator_locations;
pub mod regulator_parked;
pub mod regulator_reasons;
pub mod reports;
pub mod session;
mod state;
pub mod sync;

use std::path::Path;

use axum::{
    routing::{get, post},
    Router,
};
use tower_http::{
    compression::CompressionLayer,
    cors::{Any, CorsLayer},
    limit::RequestBodyLimitLayer,
    trace::TraceLayer,
};

use crate::web;
pub use state::AppState;

pub use error::ApiError;

/// Largest request body accepted, in bytes.
pub const BODY_LIMIT: usize = 2 * 1024 * 1024;

/// The whole application: API routes, then the browser app for everything else.
pub fn router(state: AppState, dist: &Path) -> Router {
    // A store's own website may show the menu: open CORS on the menu alone, GET only, no
    // credentials. Orders are placed from Pistil's own pages (the `/shop` page a website embeds).
    let menu = Router::new()
        .route("/menu", get(menu_feed::menu_index))
        .route("/menu/stream", get(menu_feed::menu_stream))
        .layer(
            CorsLayer::new()
                .allow_origin(Any)
                .allow_methods([axum::http::Method::GET])
                .allow_headers(Any),
        );
    let api = Router::new()
        .route("/health", get(health::health_show))
        .route(
            "/session",
            post(session::session_create)
                .get(session::session_show)
                .delete(session::session_delete),
        )
        .route("/session/witness", post(session::witness_create))
        .route(
            "/packages/{id}/history",
            get(package_history::package_history_show),
        )
        .route("/mutations", post(mutations::mutations_create))
        .route("/sync", get(sync::sync_show))
        .route("/events/stream", get(events_stream::events_stream))
        .route("/audit/export", get(audit::audit_export))
        .route("/openapi.json", get(openapi::openapi_show))
        .route("/regulator/health", get(regulator::regulator_health))
        .route("/reconcile", get(reconcile::reconcile_show))
        .route("/reconcile/void-receipt", post(reconcile::void_receipt))
        .route("/alerts", get(reconcile::alerts_index))
        .route("/reports", get(reports::reports_index))
        .route(
            "/reports/{kind}/{month}/submitted",
            post(reports::report_submitted),
        )
        .route("/reports/health-canada", get(reports::health_canada_show))
        .route("/reports/agco", get(reports::agco_show))
        .route("/reports/skus", get(reports::skus_show))
        .route("/reports/alberta", get(reports::alberta_show))
        .route(
            "/reports/british-columbia",
            get(reports::british_columbia_show),
        )
        .route(
            "/reports/metrc-completeness",
            get(reports::completeness_show),
        )
        .route(
            "/reports/health-canada/events",
            get(reports::health_canada_events),
        )
        .route("/regulator/tags", get(regulator::tags_index))
        .route("/regulator/incoming", get(regulator::incoming_index))
        .route(
            "/regulator/credentials",
            axum::routing::put(regulator::credentials_update),
        )
        .route(
            "/regulator/reasons",
            get(regulator_reasons::reasons_show).put(regulator_reasons::reasons_update),
        )
        .route(
            "/regulator/reasons/read",
            post(regulator_reasons::reasons_read),
        )
        .route(
            "/products/{id}/regulator-item",
            post(product_items::regulator_item_send),
        )
        .route(
            "/regulator/locations",
            get(regulator_locations::locations_show).put(regulator_locations::locations_update),
        )
        .route(
            "/regulator/locations/read",
            post(regulator_locations::locations_read),
        )
        .route("/regulator/parked", get(regulator_parked::parked_index))
        .route(
            "/regulator/parked/{seq}",
            post(regulator_parked::parked_settle),
        )
        .route(
            "/orders",
            post(orders::orders_create).get(orders::orders_index),
        )
        .route("/orders/{id}", get(orders::orders_show))
        .route("/orders/{id}/stream", get(orders::orders_stream))
        .merge(menu)
        .fallback(error::api_not_found)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            origin::same_origin_changes,
        ))
        .with_state(state);
    Router::new()
        .nest("/api/v1", api)
        .merge(web::router(dist))
        .layer(RequestBodyLimitLayer::new(BODY_LIMIT))
        // Outside the body limit, so its 413 is rewritten too.
        .layer(axum::middleware::map_response(error::json_errors))
        // Compression skips Server-Sent-Events streams by default, so live feeds are not buffered.
        .layer(CompressionLayer::new())
        .layer(TraceLayer::new_for_http())
}
