//! Regulator sync over the API: health that names its cause, and saving credentials.
//!
//! - `GET /api/v1/regulator/health` (manager): state, cause, counts, oldest pending change.
//! - `PUT /api/v1/regulator/credentials` (manager): save new keys; they are never returned.

use axum::{extract::State, Json};
use domain::wire::{
    AvailableTags, CredentialsSaved, IncomingLine, IncomingManifest, NewCredentials, SyncReport,
};

use super::AppState;
use super::{
    error::{ErrorBody, JsonLater},
    session::CurrentUser,
    ApiError,
};
use crate::{
    auth::Role,
    regulator::{report, setup},
};

/// Most tags returned at once: enough for a shift of splits, cached by the tablet.
pub const TAGS_RETURNED: usize = 200;

/// Package tags a split or merge may use: free at the regulator and unused in the ledger.
#[utoipa::path(get, path = "/api/v1/regulator/tags", tag = "regulator",
    responses((status = 200, body = AvailableTags), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn tags_index(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<AvailableTags>, ApiError> {
    user.require(Role::Manager, "listing free package tags")?;
    let Some(client) = state.outbox.client().await else {
        return Err(ApiError::RegulatorUnavailable(
            "no regulator connection is configured, so no free tags are known".into(),
        ));
    };
    let free = client.available_tags().await.map_err(|e| {
        ApiError::RegulatorUnavailable(format!("the regulator could not list free tags: {e}"))
    })?;
    let view = state.ledger.view().await;
    let tags = free
        .into_iter()
        .filter(|t| domain::RegulatorTag::parse(t).is_ok_and(|t| !view.state.tags.contains_key(&t)))
        .take(TAGS_RETURNED)
        .collect();
    Ok(Json(AvailableTags { tags }))
}

/// Manifests to receive: at the regulator, not yet in the ledger.
#[utoipa::path(get, path = "/api/v1/regulator/incoming", tag = "regulator",
    responses((status = 200, body = Vec<IncomingManifest>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn incoming_index(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<Vec<IncomingManifest>>, ApiError> {
    user.require(Role::Manager, "receiving manifests")?;
    let Some(client) = state.outbox.client().await else {
        return Err(ApiError::RegulatorUnavailable(
            "no regulator connection is configured, so no incoming manifests are known".into(),
        ));
    };
    let unavailable = |e: metrc::MetrcError| {
        ApiError::RegulatorUnavailable(format!(
            "the regulator could not list incoming manifests: {e}"
        ))
    };
    let transfers = client.incoming_transfers().await.map_err(unavailable)?;
    let mut out = Vec::new();
    for t in transfers {
        let known = state
            .ledger
            .view()
            .await
            .state
            .manifests
            .contains(&t.manifest_number);
        if known {
            continue;
        }
        let packages = client
            .delivery_packages(t.delivery_id)
            .await
            .map_err(unavailable)?;
        let view = state.ledger.view().await;
        let lines = packages
            .into_iter()
            .map(|mut p| {
                // Metrc sends numbers ("450.0"); the ledger keeps them as written ("450").
                p.shipped_quantity = p.shipped_quantity.normalize();
                let product = view.state.products.values().find(|x| {
                    x.regulator
                        .as_ref()
                        .is_some_and(|m| m.item_name == p.item_name)
                });
                let reg_unit = domain::Unit::from_regulator_name(&p.shipped_unit_of_measure_name);
                let tag_taken = domain::RegulatorTag::parse(&p.package_label)
                    .map(|t| view.state.tags.contains_key(&t))
                    .unwrap_or(false);
                let (shipped, problem) = match (product, reg_unit) {
                    (_, None) => (
                        domain::Quantity::new(p.shipped_quantity, domain::Unit::Each),
                        Some(format!(
                            "the regulator measures it in {}, which Pistil does not know",
                            p.shipped_unit_of_measure_name
                        )),
                    ),
                    (None, Some(u)) => (
                        domain::Quantity::new(p.shipped_quantity, u),
                        Some(format!(
                            "no product is mapped to the regulator item \"{}\"; map one in the catalogue first",
                            p.item_name
                        )),
                    ),
                    (Some(prod), Some(u)) => {
                        match domain::Quantity::new(p.shipped_quantity, u).convert(prod.unit) {
                            Ok(q) => (q, None),
                            Err(_) => (
                                domain::Quantity::new(p.shipped_quantity, u),
                                Some(format!(
                                    "shipped in {} but {} is sold in {}",
                                    u.regulator_name(),
                                    prod.name,
                                    prod.unit.regulator_name()
                                )),
                            ),
                        }
                    }
                };
                IncomingLine {
                    problem: problem.or_else(|| {
                        tag_taken.then(|| format!("tag {} is already on a package here", p.package_label))
                    }),
                    tag: p.package_label,
                    item_name: p.item_name,
                    shipped,
                    packaged_on: p.packaged_date,
                    product_id: product.map(|x| x.id),
                    lab: match p.lab_testing_state.as_deref() {
                        Some("TestPassed") => domain::LabState::Passed,
                        Some("TestFailed") => domain::LabState::Failed,
                        Some("NotSubmitted") => domain::LabState::NotSubmitted,
                        _ => domain::LabState::Pending,
                    },
                }
            })
            .collect();
        out.push(IncomingManifest {
            manifest_number: t.manifest_number,
            shipper: t.shipper_facility_name,
            lines,
        });
    }
    Ok(Json(out))
}

/// Sync health.
#[utoipa::path(get, path = "/api/v1/regulator/health", tag = "regulator",
    responses((status = 200, body = SyncReport), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn regulator_health(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<SyncReport>, ApiError> {
    user.require(Role::Manager, "regulator sync health")?;
    Ok(Json(
        report::read(&state.store, &state.outbox, &state.ledger).await?,
    ))
}

/// Saves credentials and resumes sync with them.
#[utoipa::path(put, path = "/api/v1/regulator/credentials", tag = "regulator", request_body = NewCredentials,
    responses((status = 200, body = CredentialsSaved, description = "Saved; the keys are never returned by any route"), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn credentials_update(
    State(state): State<AppState>,
    user: CurrentUser,
    body: JsonLater<NewCredentials>,
) -> Result<Json<CredentialsSaved>, ApiError> {
    user.require(Role::Manager, "regulator credentials")?;
    let body = body.parse()?;
    for (field, v) in [
        ("base_url", &body.base_url),
        ("vendor_key", &body.vendor_key),
        ("user_key", &body.user_key),
        ("license", &body.license),
    ] {
        if v.trim().is_empty() {
            return Err(ApiError::InvalidBody(format!("{field} must not be empty")));
        }
        // Keys and licences are short printable text; anything else is a paste gone wrong.
        domain::text::check(field, v, domain::text::MAX_NAME)
            .map_err(|e| ApiError::InvalidBody(e.to_string()))?;
    }
    let (base_url, host) =
        setup::parse_base_url(&body.base_url).map_err(|e| ApiError::InvalidBody(e.to_string()))?;
    let embedded = setup::facts(&state.store)
        .await?
        .is_some_and(|c| c.embedded && c.base_url == base_url);
    let saved = CredentialsSaved {
        host,
        license: body.license.clone(),
    };
    let creds = setup::Connection {
        credentials: metrc::Credentials {
            base_url,
            vendor_key: body.vendor_key,
            user_key: body.user_key,
            license: body.license,
        },
        embedded,
        key_expires_on: body.key_expires_on,
    };
    setup::save(&state.store, &state.secret, &creds).await?;
    let client = setup::client(
        creds.credentials,
        state.regulator_timeout,
        state.regulator_gets_per_second,
    );
    // Another facility or state may list other reasons.
    crate::regulator::reasons::read_soon(state.store.clone(), state.ledger.clone(), client.clone());
    state.outbox.set_client(client).await;
    Ok(Json(saved))
}
