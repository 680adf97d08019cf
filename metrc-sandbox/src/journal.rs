//! The sandbox's journal: every write as the JSON it arrived in, replayed in order at start to
//! rebuild the state.

use chrono::{DateTime, Utc};
use metrc::wire::{
    AdjustPackage, CreatePackage, FinishPackage, ItemBody, LocationBody, MovePackage, PackageNote,
    ReceiptBody, ReceiptId, RetailIdAssociation, RowError,
};
use rust_decimal::Decimal;
use serde::{de::DeserializeOwned, Deserialize, Serialize};

use crate::{
    error::ApiError,
    locations::LocationRefusal,
    model::{AdjustReasonDef, Sandbox, UserKey},
    receipts::ReceiptRefusal,
};

/// A journaled write: replayed in order at start, it rebuilds the state.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub(crate) enum Op {
    Facility {
        license: String,
        name: String,
        tags: Vec<String>,
    },
    UserKey {
        key: UserKey,
    },
    VendorKey {
        key: String,
    },
    Item {
        license: String,
        name: String,
        category: String,
        quantity_type: String,
        uom: String,
        unit_weight: Option<Decimal>,
        unit_weight_uom: Option<String>,
    },
    Manifest {
        license: String,
        manifest: String,
        packages: Vec<SeedPackage>,
    },
    CreatePackages {
        license: String,
        body: Vec<CreatePackageJson>,
    },
    Adjust {
        license: String,
        body: Vec<AdjustJson>,
        #[serde(default = "someone")]
        by: String,
    },
    Finish {
        license: String,
        body: Vec<FinishJson>,
        finish: bool,
    },
    Receipts {
        license: String,
        body: Vec<ReceiptJson>,
        #[serde(default = "someone")]
        by: String,
    },
    UpdateReceipts {
        license: String,
        body: Vec<ReceiptJson>,
        #[serde(default = "someone")]
        by: String,
    },
    FinalizeReceipts {
        license: String,
        body: Vec<Json>,
        finalize: bool,
    },
    Items {
        license: String,
        body: Vec<Json>,
    },
    UpdateItems {
        license: String,
        body: Vec<Json>,
    },
    ArchiveItem {
        license: String,
        id: i64,
    },
    Locations {
        license: String,
        body: Vec<Json>,
    },
    UpdateLocations {
        license: String,
        body: Vec<Json>,
    },
    ArchiveLocation {
        license: String,
        id: i64,
    },
    MovePackages {
        license: String,
        body: Vec<Json>,
    },
    Notes {
        license: String,
        body: Vec<Json>,
    },
    Ship {
        license: String,
        manifest: String,
        recipient_license: String,
        recipient_name: String,
        packages: Vec<String>,
    },
    RetailIds {
        license: String,
        body: Vec<Json>,
    },
    ArchiveReceipt {
        license: String,
        id: i64,
    },
    DuplicateReceipt {
        license: String,
        external: String,
    },
    AdjustReasons {
        license: String,
        reasons: Vec<AdjustReasonDef>,
    },
}

/// A package arriving on a seeded manifest.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedPackage {
    /// Tag.
    pub label: String,
    /// Item name.
    pub item: String,
    /// Quantity, in the item's unit.
    #[serde(with = "metrc::number")]
    pub quantity: Decimal,
}

// Request bodies are journaled as the JSON they arrived in, then parsed again on replay.
type CreatePackageJson = serde_json::Value;
type AdjustJson = serde_json::Value;
type FinishJson = serde_json::Value;
type ReceiptJson = serde_json::Value;
type Json = serde_json::Value;

/// Who recorded a write journaled before the sandbox kept names.
fn someone() -> String {
    "Sandbox User".into()
}

pub(crate) fn parse_rows<T: DeserializeOwned>(
    body: &[serde_json::Value],
) -> Result<Vec<T>, ApiError> {
    body.iter()
        .enumerate()
        .map(|(i, v)| {
            serde_json::from_value(v.clone()).map_err(|e| {
                ApiError::Validation(vec![RowError {
                    row: i,
                    message: e.to_string(),
                }])
            })
        })
        .collect()
}

impl Op {
    /// Applies the op; returns the ids a v2 write answers with.
    pub(crate) fn apply(&self, s: &mut Sandbox, at: DateTime<Utc>) -> Result<Vec<i64>, ApiError> {
        match self {
            Op::Facility {
                license,
                name,
                tags,
            } => {
                s.add_facility(license, name, tags.iter().cloned());
                Ok(vec![])
            }
            Op::UserKey { key } => {
                s.user_keys.insert(key.key.clone(), key.clone());
                Ok(vec![])
            }
            Op::VendorKey { key } => {
                s.vendor_keys.insert(key.clone());
                Ok(vec![])
            }
            Op::Item {
                license,
                name,
                category,
                quantity_type,
                uom,
                unit_weight,
                unit_weight_uom,
            } => Ok(vec![s.add_item(
                license,
                name,
                category,
                quantity_type,
                uom,
                unit_weight.zip(unit_weight_uom.as_deref()),
                at,
            )]),
            Op::Manifest {
                license,
                manifest,
                packages,
            } => {
                if let Some(p) = packages.iter().find(|p| {
                    !s.items
                        .iter()
                        .any(|i| &i.license == license && i.name == p.item)
                }) {
                    return Err(ApiError::BadRequest(format!("Item {} not found.", p.item)));
                }
                packages
                    .iter()
                    .map(|p| {
                        s.seed_package(license, &p.label, &p.item, p.quantity, Some(manifest), at)
                            .map_err(ApiError::BadRequest)
                    })
                    .collect()
            }
            Op::CreatePackages { license, body } => s
                .create_packages(license, &parse_rows::<CreatePackage>(body)?, at)
                .map_err(ApiError::Validation),
            Op::Adjust { license, body, by } => s
                .adjust(license, &parse_rows::<AdjustPackage>(body)?, by, at)
                .map_err(ApiError::Validation),
            Op::Finish {
                license,
                body,
                finish,
            } => {
                s.finish(license, &parse_rows::<FinishPackage>(body)?, *finish, at)
                    .map_err(ApiError::Validation)?;
                Ok(vec![])
            }
            Op::Receipts { license, body, by } => s
                .record_receipts(license, &parse_rows::<ReceiptBody>(body)?, by, at)
                .map_err(ApiError::Validation),
            Op::UpdateReceipts { license, body, by } => {
                s.update_receipts(license, &parse_rows::<ReceiptBody>(body)?, by, at)
                    .map_err(ApiError::Validation)?;
                Ok(vec![])
            }
            Op::FinalizeReceipts {
                license,
                body,
                finalize,
            } => {
                s.finalize_receipts(license, &parse_rows::<ReceiptId>(body)?, *finalize, at)
                    .map_err(ApiError::Validation)?;
                Ok(vec![])
            }
            Op::ArchiveReceipt { license, id } => {
                s.archive_receipt(license, *id, at).map_err(|e| match e {
                    ReceiptRefusal::NotFound => ApiError::NotFound,
                    ReceiptRefusal::Final => ApiError::BadRequest(format!(
                        "Receipt {id} is finalized; unfinalize it before archiving."
                    )),
                })?;
                Ok(vec![])
            }
            Op::Items { license, body } => s
                .create_items(license, &parse_rows::<ItemBody>(body)?, at)
                .map_err(ApiError::Validation),
            Op::UpdateItems { license, body } => {
                s.update_items(license, &parse_rows::<ItemBody>(body)?, at)
                    .map_err(ApiError::Validation)?;
                Ok(vec![])
            }
            Op::ArchiveItem { license, id } => {
                s.archive_item(license, *id, at)
                    .map_err(|_| ApiError::NotFound)?;
                Ok(vec![])
            }
            Op::Locations { license, body } => s
                .create_locations(license, &parse_rows::<LocationBody>(body)?, at)
                .map_err(ApiError::Validation),
            Op::UpdateLocations { license, body } => {
                s.update_locations(license, &parse_rows::<LocationBody>(body)?, at)
                    .map_err(ApiError::Validation)?;
                Ok(vec![])
            }
            Op::ArchiveLocation { license, id } => {
                s.archive_location(license, *id, at).map_err(|e| match e {
                    LocationRefusal::NotFound => ApiError::NotFound,
                    LocationRefusal::Holds(name) => ApiError::BadRequest(format!(
                        "Location {name} still holds packages; move them first."
                    )),
                })?;
                Ok(vec![])
            }
            Op::MovePackages { license, body } => {
                s.move_packages(license, &parse_rows::<MovePackage>(body)?, at)
                    .map_err(ApiError::Validation)?;
                Ok(vec![])
            }
            Op::Notes { license, body } => {
                s.change_notes(license, &parse_rows::<PackageNote>(body)?, at)
                    .map_err(ApiError::Validation)?;
                Ok(vec![])
            }
            Op::Ship {
                license,
                manifest,
                recipient_license,
                recipient_name,
                packages,
            } => Ok(vec![s
                .ship(
                    license,
                    manifest,
                    (recipient_license, recipient_name),
                    packages,
                    at,
                )
                .map_err(ApiError::BadRequest)?]),
            Op::RetailIds { license, body } => s
                .associate_retail_ids(license, &parse_rows::<RetailIdAssociation>(body)?, at)
                .map_err(ApiError::Validation),
            Op::DuplicateReceipt { license, external } => Ok(vec![s
                .duplicate_receipt(license, external, at)
                .map_err(ApiError::BadRequest)?]),
            Op::AdjustReasons { license, reasons } => {
                if !s.facilities.contains_key(license) {
                    return Err(ApiError::BadRequest(format!(
                        "Facility {license} not found."
                    )));
                }
                if reasons.iter().any(|r| r.name.trim().is_empty()) {
                    return Err(ApiError::BadRequest(
                        "An adjustment reason needs a name.".into(),
                    ));
                }
                s.adjust_reasons.insert(license.clone(), reasons.clone());
                Ok(vec![])
            }
        }
    }
}
