//! `/transfers/v2/`: incoming manifests, their deliveries and the packages they carry.

use axum::{
    extract::{Path as UrlPath, Query, State},
    Json,
};
use metrc::wire::{perm, Page};

use crate::{
    auth::Caller,
    error::ApiError,
    model::{Package, Sandbox},
    paging::{page, ListQuery},
    state::SandboxState,
};

/// Incoming transfers as Metrc shows them: one per received manifest, each with one delivery.
pub(crate) fn transfers(s: &Sandbox, license: &str) -> Vec<(i64, String, Vec<Package>)> {
    let mut by_manifest: Vec<(String, Vec<Package>)> = Vec::new();
    for p in s.packages.iter().filter(|p| p.license == license) {
        let Some(m) = &p.received_from_manifest_number else {
            continue;
        };
        match by_manifest.iter_mut().find(|(n, _)| n == m) {
            Some((_, v)) => v.push(p.clone()),
            None => by_manifest.push((m.clone(), vec![p.clone()])),
        }
    }
    by_manifest
        .into_iter()
        .enumerate()
        .map(|(i, (m, v))| (1000 + i as i64, m, v))
        .collect()
}

pub(crate) async fn transfers_incoming(
    State(st): State<SandboxState>,
    c: Caller,
    Query(q): Query<ListQuery>,
) -> Result<Json<Page<serde_json::Value>>, ApiError> {
    let license = c.facility(&q.license_number, perm::VIEW_PACKAGES)?;
    let all = st.read(|s| {
        transfers(s, &license)
            .into_iter()
            .map(|(id, manifest, pkgs)| {
                serde_json::json!({
                    "Id": id, "ManifestNumber": manifest, "DeliveryId": id, "ShipmentTypeName": "Transfer",
                    "ShipperFacilityLicenseNumber": "C11-0000001-LIC", "ShipperFacilityName": "Sandbox Distributor",
                    "RecipientFacilityLicenseNumber": license, "PackageCount": pkgs.len(), "ReceivedPackageCount": pkgs.len(),
                    "CreatedDateTime": pkgs.iter().map(|p| p.last_modified).min(), "LastModified": pkgs.iter().map(|p| p.last_modified).max(),
                })
            })
            .collect()
    });
    Ok(Json(page(all, &q)?))
}

pub(crate) async fn transfer_deliveries(
    State(st): State<SandboxState>,
    c: Caller,
    UrlPath(id): UrlPath<i64>,
    Query(q): Query<ListQuery>,
) -> Result<Json<Page<serde_json::Value>>, ApiError> {
    let license = c.facility(&q.license_number, perm::VIEW_PACKAGES)?;
    let (_, manifest, pkgs) = st
        .read(|s| {
            transfers(s, &license)
                .into_iter()
                .find(|(t, _, _)| *t == id)
        })
        .ok_or(ApiError::NotFound)?;
    let all = vec![serde_json::json!({
        "Id": id, "ManifestNumber": manifest, "RecipientFacilityLicenseNumber": license, "ShipmentTypeName": "Transfer",
        "DeliveryPackageCount": pkgs.len(), "DeliveryReceivedPackageCount": pkgs.len(),
    })];
    Ok(Json(page(all, &q)?))
}

pub(crate) async fn delivery_packages(
    State(st): State<SandboxState>,
    c: Caller,
    UrlPath(id): UrlPath<i64>,
    Query(q): Query<ListQuery>,
) -> Result<Json<Page<serde_json::Value>>, ApiError> {
    let license = c.facility(&q.license_number, perm::VIEW_PACKAGES)?;
    let (_, _, pkgs) = st
        .read(|s| {
            transfers(s, &license)
                .into_iter()
                .find(|(t, _, _)| *t == id)
        })
        .ok_or(ApiError::NotFound)?;
    let all = pkgs
        .iter()
        .map(|p| {
            serde_json::json!({
                "PackageId": p.id, "PackageLabel": p.label, "PackageType": "Product", "ItemId": p.item.id, "ItemName": p.item.name,
                "ItemCategoryName": p.item.product_category_name, "ShipmentPackageState": "Accepted",
                "ShippedQuantity": rust_decimal::prelude::ToPrimitive::to_f64(&p.original_package_quantity), "ShippedUnitOfMeasureName": p.unit_of_measure_name,
                "ReceivedQuantity": rust_decimal::prelude::ToPrimitive::to_f64(&p.original_package_quantity), "ReceivedUnitOfMeasureName": p.unit_of_measure_name,
                "PackagedDate": p.packaged_date, "LabTestingState": p.lab_testing_state,
            })
        })
        .collect();
    Ok(Json(page(all, &q)?))
}
