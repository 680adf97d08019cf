//! The client's Retail ID calls: the facility's quota, QR codes associated with a package, and a
//! package's codes read back.

use reqwest::Method;

use super::MetrcClient;
use crate::{
    error::MetrcError,
    wire::{perm, RetailIdAllotment, RetailIdAssociation, RetailIdEaches},
};

impl MetrcClient {
    /// `GET /retailid/v2/allotment`.
    pub async fn retail_id_allotment(&self) -> Result<RetailIdAllotment, MetrcError> {
        self.get("/retailid/v2/allotment", Some(perm::MANAGE_RETAIL_ID))
            .await
    }

    /// `POST /retailid/v2/associate` (at most 10): each package's items' QR codes.
    pub async fn associate_retail_ids(
        &self,
        body: &[RetailIdAssociation],
    ) -> Result<Vec<i64>, MetrcError> {
        self.write(
            Method::POST,
            "/retailid/v2/associate",
            &body,
            perm::MANAGE_RETAIL_ID,
        )
        .await
    }

    /// `GET /retailid/v2/receive/{label}`: a package's items' codes.
    pub async fn retail_ids(&self, label: &str) -> Result<RetailIdEaches, MetrcError> {
        self.get(
            &format!("/retailid/v2/receive/{label}"),
            Some(perm::MANAGE_RETAIL_ID),
        )
        .await
    }
}
