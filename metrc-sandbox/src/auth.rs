//! Basic auth with vendor and user keys, `licenseNumber`, and the permission each route needs.
//! Faults apply here, before any work.

use std::time::Duration;

use axum::{
    extract::FromRequestParts,
    http::{header, request::Parts, Method},
};
use base64::Engine;
use chrono::Utc;

use crate::{error::ApiError, model::UserKey, state::SandboxState};

/// The caller, authenticated: the user key it presented. Faults apply here, before any work.
pub struct Caller(pub(crate) UserKey);

impl FromRequestParts<SandboxState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, st: &SandboxState) -> Result<Self, ApiError> {
        st.calls.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let faults = st.faults.lock().expect("faults lock").0.clone();
        if faults.latency_ms > 0 {
            tokio::time::sleep(Duration::from_millis(faults.latency_ms)).await;
        }
        let limited = if parts.method == Method::GET {
            st.roll(|f| f.rate_limit_percent)
        } else {
            st.roll(|f| f.write_rate_limit_percent)
        };
        if limited {
            return Err(ApiError::TooMany(faults.retry_after_secs.max(1)));
        }
        if st.roll(|f| f.error_percent) {
            return Err(ApiError::Internal("Injected failure.".into()));
        }
        let basic = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Basic "))
            .and_then(|b| {
                base64::engine::general_purpose::STANDARD
                    .decode(b.trim())
                    .ok()
            })
            .and_then(|b| String::from_utf8(b).ok())
            .ok_or(ApiError::Unauthorized)?;
        let (vendor, user) = basic.split_once(':').ok_or(ApiError::Unauthorized)?;
        st.read(|s| {
            let key = s
                .user_keys
                .get(user)
                .filter(|_| s.vendor_keys.contains(vendor))
                .ok_or(ApiError::Unauthorized)?;
            if key.revoked || key.expires_at.is_some_and(|t| t <= Utc::now()) {
                return Err(ApiError::Unauthorized);
            }
            Ok(Caller(key.clone()))
        })
    }
}

impl Caller {
    /// The user's name, as records show who made them.
    pub(crate) fn user_name(&self) -> &str {
        &self.0.user_name
    }

    /// Whether the key may act for the facility a record belongs to, for lookups where
    /// `licenseNumber` is optional: "If specified, the [record] will be validated against the
    /// specified License Number. If not specified, [it] will be validated against all of the
    /// User's current Facilities ... if [it] is not valid for the specified License Number, a 401
    /// Unauthorized status will be returned." (Metrc's documentation of GET /packages/v2/{id},
    /// /sales/v2/receipts/{id}, /items/v2/{id}, /locations/v2/{id}.)
    pub(crate) fn may_see(&self, license: &Option<String>, owner: &str) -> Result<(), ApiError> {
        let allowed = match license {
            Some(l) => l == owner && self.0.licenses.contains(l),
            None => self.0.licenses.iter().any(|l| l == owner),
        };
        if allowed {
            Ok(())
        } else {
            Err(ApiError::Unauthorized)
        }
    }

    /// Fails with 403 unless the key holds `permission`.
    pub(crate) fn must_hold(&self, permission: &str) -> Result<(), ApiError> {
        if self.0.permissions.contains(permission) {
            Ok(())
        } else {
            Err(ApiError::Forbidden)
        }
    }

    /// The facility named by `licenseNumber`: 401 when this key cannot act for it, 403 without `permission`.
    pub(crate) fn facility(
        &self,
        license: &Option<String>,
        permission: &str,
    ) -> Result<String, ApiError> {
        let license = license
            .clone()
            .ok_or_else(|| ApiError::BadRequest("licenseNumber is required.".into()))?;
        if !self.0.licenses.contains(&license) {
            return Err(ApiError::Unauthorized);
        }
        if !self.0.permissions.contains(permission) {
            return Err(ApiError::Forbidden);
        }
        Ok(license)
    }
}
