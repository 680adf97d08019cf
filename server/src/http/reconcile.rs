//! Reconciliation over the API.
//!
//! - `GET /api/v1/reconcile` (manager): ledger, last count and regulator side by side for every
//!   package and product that needs attention, each with one diagnosis.
//! - `POST /api/v1/reconcile/void-receipt` (manager): void a receipt the regulator holds twice,
//!   after checking again that it is the later copy.

use std::collections::HashMap;

use axum::{extract::State, Json};
use domain::wire::{VoidReceipt, Voided};

use super::AppState;
use super::{
    error::{ErrorBody, JsonLater},
    session::CurrentUser,
    ApiError,
};
use crate::{
    auth::Role,
    reconcile::{self, ReconcileReport},
    regulator::RelayError,
};

/// Packages the regulator shows short that are read back for duplicates per request: enough for
/// any real day, bounded so one page view never floods the regulator.
pub const DUPLICATE_CHECKS: usize = 25;

/// The three-way picture.
#[utoipa::path(get, path = "/api/v1/reconcile", tag = "reconcile",
    responses((status = 200, body = ReconcileReport), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn reconcile_show(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<ReconcileReport>, ApiError> {
    user.require(Role::Manager, "reconciliation")?;
    let mut halt = reconcile::halt_of(&state.outbox.health());
    let outbox = reconcile::outbox_facts(&state.store).await?;
    let mut regulator = Vec::new();
    let client = state.outbox.client().await;
    if halt.is_none() {
        if let Some(c) = &client {
            match c.active_packages().await {
                Ok(r) => regulator = r,
                Err(e) => match reconcile::halt_of_error(&e) {
                    Some(h) => halt = Some(h),
                    None => {
                        return Err(ApiError::RegulatorUnavailable(format!(
                            "the regulator's packages could not be read: {e}"
                        )))
                    }
                },
            }
        }
    }
    let mut duplicates = rustc_hash::FxHashMap::default();
    if let (None, Some(c)) = (&halt, &client) {
        let (short, config) = {
            let view = state.ledger.view().await;
            (
                reconcile::short_at_regulator(&view.state, &regulator, &outbox),
                view.state.config.clone(),
            )
        };
        let mut days = HashMap::new();
        for (package, gap) in short.into_iter().take(DUPLICATE_CHECKS) {
            match reconcile::duplicates_for(
                &state.store,
                c,
                |t| config.day_of(t),
                package,
                gap,
                &mut days,
            )
            .await
            {
                Ok(d) if !d.is_empty() => {
                    duplicates.insert(package, d);
                }
                Ok(_) => {}
                Err(RelayError::Metrc(e)) => {
                    halt = reconcile::halt_of_error(&e);
                    if halt.is_some() {
                        break;
                    }
                }
                Err(RelayError::Store(e)) => return Err(e.into()),
                Err(e) => return Err(ApiError::Internal(e.into())),
            }
        }
    }
    let view = state.ledger.view().await;
    Ok(Json(reconcile::assemble(
        &view.state,
        halt.as_ref(),
        &regulator,
        &outbox,
        &duplicates,
    )))
}

/// Voids a duplicated receipt at the regulator; refuses anything that is not a later copy.
#[utoipa::path(post, path = "/api/v1/reconcile/void-receipt", tag = "reconcile", request_body = VoidReceipt,
    responses((status = 200, body = Voided), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn void_receipt(
    State(state): State<AppState>,
    user: CurrentUser,
    body: JsonLater<VoidReceipt>,
) -> Result<Json<Voided>, ApiError> {
    user.require(Role::Manager, "voiding a duplicate receipt")?;
    let body = body.parse()?;
    let Some(client) = state.outbox.client().await else {
        return Err(ApiError::RegulatorUnavailable(
            "no regulator connection is configured".into(),
        ));
    };
    let unavailable = |e: metrc::MetrcError| {
        ApiError::RegulatorUnavailable(format!("the regulator could not be asked: {e}"))
    };
    let id = body.regulator_receipt_id;
    let receipt = match client.receipt(id).await {
        Ok(r) => r,
        Err(metrc::MetrcError::NotFound) => {
            return Err(ApiError::Missing(format!(
                "the regulator has no receipt {id}"
            )))
        }
        Err(e) => return Err(unavailable(e)),
    };
    let Some(number) = receipt.external_receipt_number.clone() else {
        return Err(ApiError::Conflict(format!(
            "receipt {id} carries no receipt number of ours, so it is not a duplicate Pistil can judge"
        )));
    };
    let mut copies: Vec<i64> = client
        .receipts_on(receipt.sales_date_time.date())
        .await
        .map_err(unavailable)?
        .into_iter()
        .filter(|r| r.external_receipt_number.as_deref() == Some(number.as_str()))
        .map(|r| r.id)
        .collect();
    copies.sort_unstable();
    let kept = copies.first().copied();
    if copies.len() < 2 || kept == Some(id) || !copies.contains(&id) {
        return Err(ApiError::Conflict(format!(
            "receipt {id} is not a later copy of receipt {number}: the regulator holds {} receipt(s) with that number that are not voided",
            copies.len()
        )));
    }
    if receipt.is_final {
        // A finalized receipt takes no change until it is opened again.
        client
            .finalize_receipts(&[id], false)
            .await
            .map_err(unavailable)?;
    }
    client.archive_receipt(id).await.map_err(unavailable)?;
    tracing::info!(actor = %user.0.id, regulator_receipt_id = id, receipt = %number, "voided a duplicate receipt at the regulator");
    Ok(Json(Voided {
        regulator_receipt_id: id,
        external_receipt_number: number,
        kept_receipt_id: kept.unwrap_or_default(),
    }))
}

/// What needs a manager's attention now: variances over threshold, a halted sync, a key about
/// to expire, holds about to lapse, packages near expiry, a manifest recorded twice.
#[utoipa::path(get, path = "/api/v1/alerts", tag = "reconcile",
    responses((status = 200, body = [crate::alerts::Alert]), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn alerts_index(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<Vec<crate::alerts::Alert>>, ApiError> {
    user.require(Role::Manager, "alerts")?;
    Ok(Json(state.alerts.current().await))
}
