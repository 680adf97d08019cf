//! `GET /api/v1/openapi.json`: the API's OpenAPI document, generated from the handlers and the
//! wire types (the domain's included).

use axum::Json;
use utoipa::OpenApi;

use super::{
    audit, error, events_stream, health, menu_feed, mutations, orders, package_history,
    product_items, reconcile, regulator, regulator_locations, regulator_parked, regulator_reasons,
    reports, session, sync,
};

/// The document.
#[derive(OpenApi)]
#[openapi(
    info(title = "Pistil API", description = "Shelf, sales and regulator records in one live, provable picture."),
    paths(
        health::health_show,
        session::session_create,
        session::session_show,
        session::session_delete,
        session::witness_create,
        package_history::package_history_show,
        mutations::mutations_create,
        sync::sync_show,
        events_stream::events_stream,
        menu_feed::menu_index,
        menu_feed::menu_stream,
        orders::orders_create,
        orders::orders_show,
        orders::orders_stream,
        orders::orders_index,
        audit::audit_export,
        regulator::regulator_health,
        regulator::credentials_update,
        regulator::tags_index,
        regulator::incoming_index,
        product_items::regulator_item_send,
        regulator_locations::locations_show,
        regulator_locations::locations_read,
        regulator_locations::locations_update,
        regulator_reasons::reasons_show,
        regulator_reasons::reasons_read,
        regulator_reasons::reasons_update,
        regulator_parked::parked_index,
        regulator_parked::parked_settle,
        reconcile::reconcile_show,
        reconcile::void_receipt,
        reconcile::alerts_index,
        reports::health_canada_show,
        reports::health_canada_events,
        reports::completeness_show,
        reports::agco_show,
        reports::skus_show,
        reports::alberta_show,
        reports::british_columbia_show,
        reports::reports_index,
        reports::report_submitted,
        openapi_show,
    ),
    components(schemas(error::ErrorBody, domain::Command, domain::DomainError, domain::Event, audit::AuditRow, audit::Format)),
    tags(
        (name = "system", description = "Health and this document"),
        (name = "session", description = "Staff sign-in"),
        (name = "ledger", description = "Commands, sync and the staff event stream"),
        (name = "menu", description = "The public live menu (no sign-in, CORS open)"),
        (name = "audit", description = "Audit exports"),
        (name = "regulator", description = "Regulator sync health and credentials"),
        (name = "reconcile", description = "Ledger, counts and regulator side by side; alerts"),
        (name = "reports", description = "Monthly regulator reports"),
    )
)]
pub struct ApiDoc;

/// This document.
#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "system", responses((status = 200, description = "The OpenAPI document")))]
pub async fn openapi_show() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
