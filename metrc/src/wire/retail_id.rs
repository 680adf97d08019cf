//! Retail ID: a QR code per item, associated with its package's label, and the facility's quota.

use serde::{Deserialize, Serialize};

/// Body element of `POST /retailid/v2/associate`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RetailIdAssociation {
    /// The package.
    pub package_label: String,
    /// Its items' QR code URLs.
    pub qr_urls: Vec<String>,
}

/// `GET /retailid/v2/receive/{label}`: a package's items' codes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RetailIdEaches {
    /// One QR code URL per item.
    pub eaches: Vec<String>,
    /// Tags of packages made from the same source.
    #[serde(default)]
    pub sibling_tags: Vec<String>,
    /// Whether the codes must be verified on receipt.
    #[serde(default)]
    pub requires_verification: bool,
    /// Ranges of item numbers, first and last.
    #[serde(default)]
    pub ranges: Vec<[u32; 2]>,
    /// How many codes.
    pub qr_count: usize,
    /// The package's tag.
    pub child_tag: String,
    /// Where the labels came from ("RetailId").
    #[serde(default)]
    pub label_source: Option<String>,
}

/// `GET /retailid/v2/allotment`: the facility's quota of Retail Item IDs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RetailIdAllotment {
    /// Facility id.
    pub facility_id: i64,
    /// Codes it may still take.
    pub allotment: usize,
    /// Its licence.
    pub facility_license_number: String,
}
