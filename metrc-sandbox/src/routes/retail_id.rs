//! `/retailid/v2/`: a facility's Retail ID quota, QR codes associated with packages, and a
//! package's codes read back by its label.

use axum::{
    extract::{Path as UrlPath, State},
    Json,
};
use metrc::wire::{perm, Ids, RetailIdAllotment, RetailIdEaches};

use crate::{
    auth::Caller,
    error::ApiError,
    journal::Op,
    paging::{writable, write_created, ListQuery},
    state::SandboxState,
};

/// `GET /retailid/v2/allotment`.
pub(crate) async fn allotment(
    State(st): State<SandboxState>,
    c: Caller,
    q: ListQuery,
) -> Result<Json<RetailIdAllotment>, ApiError> {
    let license = c.facility(&q.license_number, perm::MANAGE_RETAIL_ID)?;
    Ok(Json(st.read(|s| RetailIdAllotment {
        facility_id: s.facilities.keys().position(|l| l == &license).unwrap_or(0) as i64 + 1,
        allotment: s.allotment_left(&license),
        facility_license_number: license.clone(),
    })))
}

/// `POST /retailid/v2/associate`: QR codes for packages' items.
pub(crate) async fn associate(
    State(st): State<SandboxState>,
    c: Caller,
    q: ListQuery,
    Json(body): Json<Vec<serde_json::Value>>,
) -> Result<Json<Ids>, ApiError> {
    let license = writable(&c, &q, perm::MANAGE_RETAIL_ID, &body)?;
    c.must_hold(perm::VIEW_PACKAGES)?;
    write_created(&st, Op::RetailIds { license, body }).await
}

/// `GET /retailid/v2/receive/{label}`: a package's codes. Metrc's page marks `licenseNumber`
/// required and describes it as optional ("If not specified, the Package will be validated
/// against all of the User's current Facilities"); the sandbox takes the description.
pub(crate) async fn receive(
    State(st): State<SandboxState>,
    c: Caller,
    UrlPath(label): UrlPath<String>,
    q: ListQuery,
) -> Result<Json<RetailIdEaches>, ApiError> {
    c.must_hold(perm::MANAGE_RETAIL_ID)?;
    let p = st
        .read(|s| {
            s.packages
                .iter()
                .find(|p| p.label == label && p.archived_date.is_none())
                .cloned()
        })
        .ok_or(ApiError::NotFound)?;
    c.may_see(&q.license_number, &p.license)?;
    let n = p.retail_ids.len();
    Ok(Json(RetailIdEaches {
        eaches: p.retail_ids,
        sibling_tags: Vec::new(),
        requires_verification: false,
        ranges: if n == 0 { vec![] } else { vec![[1, n as u32]] },
        qr_count: n,
        child_tag: p.label,
        label_source: Some("RetailId".into()),
    }))
}
