//! The sandbox's routes, Metrc's v2 paths first, then `/sandbox/v2/` set-up and faults.

mod admin;
mod catalog;
mod packages;
mod receipts;
mod transfers;

use axum::{
    routing::{get, post, put},
    Router,
};

use crate::{error::ApiError, state::SandboxState};
use admin::*;
use catalog::*;
use packages::*;
use receipts::*;
use transfers::*;

/// The sandbox's routes.
pub fn router(st: SandboxState) -> Router {
    Router::new()
        .route("/facilities/v2/", get(facilities))
        .route("/unitsofmeasure/v2/active", get(units))
        .route("/items/v2/active", get(items_active))
        .route("/items/v2/categories", get(item_categories))
        .route("/tags/v2/package/available", get(tags_available))
        .route("/packages/v2/", post(packages_create))
        .route("/packages/v2/active", get(packages_active))
        .route("/packages/v2/inactive", get(packages_inactive))
        .route("/packages/v2/adjust/reasons", get(adjust_reasons))
        .route("/packages/v2/adjust", post(packages_adjust))
        .route("/packages/v2/finish", put(packages_finish))
        .route("/packages/v2/unfinish", put(packages_unfinish))
        .route("/packages/v2/{key}", get(package_show))
        .route(
            "/sales/v2/receipts",
            post(receipts_create).put(receipts_update),
        )
        .route("/transfers/v2/incoming", get(transfers_incoming))
        .route("/transfers/v2/{id}/deliveries", get(transfer_deliveries))
        .route(
            "/transfers/v2/deliveries/{id}/packages",
            get(delivery_packages),
        )
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
        .route("/sandbox/v2/receipts/duplicate", post(receipt_duplicate))
        .fallback(|| async { ApiError::NotFound })
        .with_state(st)
}
