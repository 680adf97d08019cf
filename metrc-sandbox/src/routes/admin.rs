//! Set-up under `/sandbox/v2/` (no auth; the sandbox listens on loopback): keys, items,
//! manifests, a facility's adjustment reasons, duplicated receipts, call counts.

use axum::{extract::State, http::StatusCode, Json};
use chrono::{DateTime, Utc};
use metrc::wire::{perm, Ids};
use rust_decimal::Decimal;
use serde::Deserialize;

use crate::{
    error::ApiError,
    faults::Faults,
    journal::{Op, SeedPackage},
    model::{AdjustReasonDef, UserKey},
    state::SandboxState,
};

/// `GET /sandbox/v2/faults`: the faults in force.
pub(crate) async fn faults_show(State(st): State<SandboxState>) -> Json<Faults> {
    Json(st.faults.lock().expect("faults lock").0.clone())
}

/// `PUT /sandbox/v2/faults`: replaces the faults in force.
pub(crate) async fn faults_set(
    State(st): State<SandboxState>,
    Json(f): Json<Faults>,
) -> Result<Json<Faults>, ApiError> {
    f.check().map_err(ApiError::BadRequest)?;
    st.faults.lock().expect("faults lock").0 = f.clone();
    Ok(Json(f))
}

pub(crate) async fn stats(State(st): State<SandboxState>) -> Json<serde_json::Value> {
    Json(serde_json::json!({ "calls": st.calls.load(std::sync::atomic::Ordering::Relaxed) }))
}

/// What can happen to a user key.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyChange {
    /// The user key.
    pub user_key: String,
    /// Expire it now.
    #[serde(default)]
    pub expire: bool,
    /// Revoke it.
    #[serde(default)]
    pub revoke: bool,
    /// Set an expiry.
    pub expires_at: Option<DateTime<Utc>>,
    /// Take a permission away.
    pub remove_permission: Option<String>,
    /// Give every permission back and lift expiry and revocation.
    #[serde(default)]
    pub restore: bool,
}

pub(crate) async fn key_change(
    State(st): State<SandboxState>,
    Json(k): Json<KeyChange>,
) -> Result<StatusCode, ApiError> {
    let mut key = st
        .read(|s| s.user_keys.get(&k.user_key).cloned())
        .ok_or(ApiError::NotFound)?;
    if k.expire {
        key.expires_at = Some(Utc::now());
    }
    if let Some(t) = k.expires_at {
        key.expires_at = Some(t);
    }
    if k.revoke {
        key.revoked = true;
    }
    if let Some(p) = &k.remove_permission {
        key.permissions.remove(p);
    }
    if k.restore {
        key.revoked = false;
        key.expires_at = None;
        key.permissions = perm::ALL.iter().map(|p| (*p).to_owned()).collect();
    }
    st.write(Op::UserKey { key }).await?;
    Ok(StatusCode::OK)
}

/// A new user key for a licence.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewKey {
    /// The key.
    pub user_key: String,
    /// Licences.
    pub licenses: Vec<String>,
    /// The person the key belongs to (shown as who recorded receipts and adjustments).
    #[serde(default)]
    pub user_name: Option<String>,
}

pub(crate) async fn key_create(
    State(st): State<SandboxState>,
    Json(k): Json<NewKey>,
) -> Result<StatusCode, ApiError> {
    let key = UserKey {
        key: k.user_key,
        licenses: k.licenses,
        permissions: perm::ALL.iter().map(|p| (*p).to_owned()).collect(),
        expires_at: None,
        revoked: false,
        user_name: k.user_name.unwrap_or_else(|| "Sandbox User".into()),
    };
    st.write(Op::UserKey { key }).await?;
    Ok(StatusCode::OK)
}

/// A facility's own list of adjustment reasons (Metrc's lists differ by state).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FacilityReasons {
    /// Facility.
    pub license: String,
    /// Its reasons, replacing the ones it had.
    pub reasons: Vec<AdjustReasonDef>,
}

pub(crate) async fn adjust_reasons_set(
    State(st): State<SandboxState>,
    Json(r): Json<FacilityReasons>,
) -> Result<StatusCode, ApiError> {
    st.write(Op::AdjustReasons {
        license: r.license,
        reasons: r.reasons,
    })
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// An item to create.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewItem {
    /// Facility.
    pub license: String,
    /// Name.
    pub name: String,
    /// Category name.
    pub category: String,
    /// `WeightBased`, `CountBased`, `VolumeBased`.
    pub quantity_type: String,
    /// Unit of measure name.
    pub unit_of_measure: String,
    /// Unit weight for count-based items.
    #[serde(with = "metrc::number::option", default)]
    pub unit_weight: Option<Decimal>,
    /// Its unit.
    pub unit_weight_unit_of_measure: Option<String>,
}

pub(crate) async fn item_create(
    State(st): State<SandboxState>,
    Json(i): Json<NewItem>,
) -> Result<Json<Ids>, ApiError> {
    let ids = st
        .write(Op::Item {
            license: i.license,
            name: i.name,
            category: i.category,
            quantity_type: i.quantity_type,
            uom: i.unit_of_measure,
            unit_weight: i.unit_weight,
            unit_weight_uom: i.unit_weight_unit_of_measure,
        })
        .await?;
    Ok(Json(Ids {
        ids,
        warnings: None,
    }))
}

/// Packages arriving on a manifest.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewManifest {
    /// Receiving facility.
    pub license: String,
    /// Manifest number.
    pub manifest_number: String,
    /// Packages.
    pub packages: Vec<SeedPackage>,
    /// Record the manifest twice (the duplication fault).
    #[serde(default)]
    pub twice: bool,
}

pub(crate) async fn manifest_seed(
    State(st): State<SandboxState>,
    Json(m): Json<NewManifest>,
) -> Result<Json<Ids>, ApiError> {
    let mut ids = st
        .write(Op::Manifest {
            license: m.license.clone(),
            manifest: m.manifest_number.clone(),
            packages: m.packages.clone(),
        })
        .await?;
    if m.twice {
        // The same labels a second time: what a double-recorded manifest looks like from outside.
        ids.extend(
            st.write(Op::Manifest {
                license: m.license,
                manifest: m.manifest_number,
                packages: m.packages,
            })
            .await?,
        );
    }
    Ok(Json(Ids {
        ids,
        warnings: None,
    }))
}

/// A transfer leaving a facility, as registered in Metrc's own screens.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewOutgoing {
    /// Shipping facility.
    pub license: String,
    /// Manifest number.
    pub manifest_number: String,
    /// Receiving facility's licence.
    pub recipient_license: String,
    /// Its name.
    pub recipient_name: String,
    /// Labels of the packages it carries.
    pub packages: Vec<String>,
}

pub(crate) async fn outgoing_seed(
    State(st): State<SandboxState>,
    Json(t): Json<NewOutgoing>,
) -> Result<Json<Ids>, ApiError> {
    let ids = st
        .write(Op::Ship {
            license: t.license,
            manifest: t.manifest_number,
            recipient_license: t.recipient_license,
            recipient_name: t.recipient_name,
            packages: t.packages,
        })
        .await?;
    Ok(Json(Ids {
        ids,
        warnings: None,
    }))
}

/// A receipt to record a second time.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Duplicate {
    /// Facility.
    pub license: String,
    /// The store's receipt number.
    pub external_receipt_number: String,
}

pub(crate) async fn receipt_duplicate(
    State(st): State<SandboxState>,
    Json(d): Json<Duplicate>,
) -> Result<Json<Ids>, ApiError> {
    let ids = st
        .write(Op::DuplicateReceipt {
            license: d.license,
            external: d.external_receipt_number,
        })
        .await?;
    Ok(Json(Ids {
        ids,
        warnings: None,
    }))
}
