//! The sandbox's routes, Metrc's v2 paths first, then `/sandbox/v2/` set-up and faults.

mod admin;
mod catalog;
mod locations;
mod packages;
mod receipts;
mod retail_id;
mod transfers;

use axum::{
    routing::{get, post, put},
    Router,
};

use crate::{error::ApiError, state::SandboxState};
use admin::*;
use catalog::*;
use locations::*;
use packages::*;
use receipts::*;
use retail_id::*;
use transfers::*;

/// The sandbox's routes.
pub fn router(st: SandboxState) -> Router {
    Router::new()
        .route("/facilities/v2/", get(facilities))
        .route("/unitsofmeasure/v2/active", get(units))
        .route("/items/v2/", post(items_create).put(items_update))
        .route("/items/v2/active", get(items_active))
        .route("/items/v2/inactive", get(items_inactive))
        .route("/items/v2/categories", get(item_categories))
        .route("/items/v2/{id}", get(item_show).delete(item_delete))
        .route(
            "/locations/v2/",
            post(locations_create).put(locations_update),
        )
        .route("/locations/v2/active", get(locations_active))
        .route("/locations/v2/inactive", get(locations_inactive))
        .route("/locations/v2/types", get(location_types_list))
        .route(
            "/locations/v2/{id}",
            get(location_show).delete(location_delete),
        )
        .route("/tags/v2/package/available", get(tags_available))
        .route("/packages/v2/", post(packages_create))
        .route("/packages/v2/active", get(packages_active))
        .route("/packages/v2/inactive", get(packages_inactive))
        .route("/packages/v2/adjust/reasons", get(adjust_reasons))
        .route("/packages/v2/adjust", post(packages_adjust))
        .route("/packages/v2/adjustments", get(adjustments))
        .route("/packages/v2/intransit", get(packages_in_transit))
        .route("/packages/v2/location", put(packages_location))
        .route("/packages/v2/note", put(packages_note))
        .route("/packages/v2/finish", put(packages_finish))
        .route("/packages/v2/unfinish", put(packages_unfinish))
        .route("/packages/v2/{key}", get(package_show))
        .route(
            "/sales/v2/receipts",
            post(receipts_create).put(receipts_update),
        )
        .route("/transfers/v2/incoming", get(transfers_incoming))
        .route("/transfers/v2/outgoing", get(transfers_outgoing))
        .route("/retailid/v2/allotment", get(allotment))
        .route("/retailid/v2/associate", post(associate))
        .route("/retailid/v2/receive/{label}", get(receive))
        .route("/transfers/v2/{id}/deliveries", get(transfer_deliveries))
        .route(
            "/transfers/v2/deliveries/{id}/packages",
            get(delivery_packages),
        )
        .route("/sales/v2/receipts/finalize", put(receipts_finalize))
        .route("/sales/v2/receipts/unfinalize", put(receipts_unfinalize))
        .route("/sales/v2/receipts/active", get(receipts_active))
        .route("/sales/v2/receipts/inactive", get(receipts_inactive))
        .route(
            "/sales/v2/receipts/external/{number}",
            get(receipt_external),
        )
        .route(
            "/sales/v2/receipts/{id}",
            get(receipt_show).delete(receipt_delete),
        )
        .route("/sandbox/v2/faults", get(faults_show).put(faults_set))
        .route("/sandbox/v2/stats", get(stats))
        .route("/sandbox/v2/keys", post(key_create).put(key_change))
        .route("/sandbox/v2/items", post(item_create))
        .route("/sandbox/v2/adjust-reasons", put(adjust_reasons_set))
        .route("/sandbox/v2/manifests", post(manifest_seed))
        .route("/sandbox/v2/transfers/outgoing", post(outgoing_seed))
        .route("/sandbox/v2/receipts/duplicate", post(receipt_duplicate))
        .fallback(|| async { ApiError::NotFound })
        .with_state(st)
}
