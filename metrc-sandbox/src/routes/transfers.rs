//! `/transfers/v2/`: incoming manifests, their deliveries and the packages they carry.

use axum::{
    extract::{Path as UrlPath, State},
    Json,
};
use chrono::{DateTime, Utc};
use metrc::wire::{perm, Page};
use serde::Serialize;

use crate::{
    auth::Caller,
    error::ApiError,
    model::{Package, Sandbox},
    paging::{page, ListQuery},
    state::SandboxState,
};

/// Incoming transfers as Metrc shows them: one per received manifest, each with one delivery.
/// Every transfer of the facility, incoming and outgoing, with its packages: what the delivery
/// routes look up by id.
pub(crate) fn all_transfers(s: &Sandbox, license: &str) -> Vec<(i64, String, Vec<Package>)> {
    let mut all = transfers(s, license);
    all.extend(s.outgoing.iter().filter(|t| t.license == license).map(|t| {
        let pkgs = t
            .packages
            .iter()
            .filter_map(|l| {
                s.packages
                    .iter()
                    .find(|p| p.license == license && &p.label == l)
            })
            .cloned()
            .collect();
        (t.id, t.manifest_number.clone(), pkgs)
    }));
    all
}

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

const SHIPPER: &str = "Sandbox Distributor";
const SHIPPER_LICENSE: &str = "C11-0000001-LIC";

/// A transfer with every field Metrc's documentation shows on one.
#[derive(Clone, Default, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct TransferView {
    id: i64,
    manifest_number: String,
    invoice_number: Option<String>,
    shipment_license_type: &'static str,
    shipper_facility_license_number: String,
    shipper_facility_name: String,
    name: Option<String>,
    transporter_facility_license_number: String,
    transporter_facility_name: String,
    driver_name: &'static str,
    driver_occupational_license_number: Option<String>,
    driver_vehicle_license_number: Option<String>,
    vehicle_make: Option<String>,
    vehicle_model: Option<String>,
    vehicle_license_plate_number: Option<String>,
    delivery_count: usize,
    received_delivery_count: usize,
    package_count: usize,
    received_package_count: usize,
    contains_plant_package: bool,
    contains_product_package: bool,
    contains_trade_sample: bool,
    contains_donation: bool,
    contains_testing_sample: bool,
    contains_product_requires_remediation: bool,
    contains_remediated_product_package: bool,
    is_voided: bool,
    created_date_time: DateTime<Utc>,
    created_by_user_name: String,
    last_modified: DateTime<Utc>,
    delivery_id: i64,
    recipient_facility_license_number: String,
    recipient_facility_name: String,
    shipment_type_name: &'static str,
    shipment_transaction_type: &'static str,
    estimated_departure_date_time: DateTime<Utc>,
    actual_departure_date_time: Option<DateTime<Utc>>,
    estimated_arrival_date_time: DateTime<Utc>,
    actual_arrival_date_time: Option<DateTime<Utc>>,
    delivery_package_count: usize,
    delivery_received_package_count: usize,
    received_date_time: Option<DateTime<Utc>>,
    estimated_return_departure_date_time: Option<DateTime<Utc>>,
    actual_return_departure_date_time: Option<DateTime<Utc>>,
    estimated_return_arrival_date_time: Option<DateTime<Utc>>,
    actual_return_arrival_date_time: Option<DateTime<Utc>>,
    originating_template_id: Option<i64>,
}

/// `GET /transfers/v2/incoming`, with the fields Metrc's documentation shows on one (the
/// sandbox's manifests come from one distributor, by road, and are received on arrival).
pub(crate) async fn transfers_incoming(
    State(st): State<SandboxState>,
    c: Caller,
    q: ListQuery,
) -> Result<Json<Page<TransferView>>, ApiError> {
    let license = c.facility(&q.license_number, perm::VIEW_TRANSFERS)?;
    let window = q.modified()?;
    let all = st.read(|s| {
        let name = s.facilities.get(&license).cloned().unwrap_or_default();
        transfers(s, &license)
            .into_iter()
            .filter_map(|(id, manifest, pkgs)| {
                let created = pkgs.iter().map(|p| p.last_modified).min()?;
                let modified = pkgs.iter().map(|p| p.last_modified).max()?;
                window.holds(modified).then(|| TransferView {
                    id,
                    manifest_number: manifest,
                    shipment_license_type: "Licensed",
                    shipper_facility_license_number: SHIPPER_LICENSE.into(),
                    shipper_facility_name: SHIPPER.into(),
                    transporter_facility_license_number: SHIPPER_LICENSE.into(),
                    transporter_facility_name: SHIPPER.into(),
                    driver_name: "Sandbox Driver",
                    delivery_count: 1,
                    received_delivery_count: 1,
                    package_count: pkgs.len(),
                    received_package_count: pkgs.len(),
                    contains_product_package: true,
                    created_date_time: created,
                    created_by_user_name: SHIPPER.into(),
                    last_modified: modified,
                    delivery_id: id,
                    recipient_facility_license_number: license.clone(),
                    recipient_facility_name: name.clone(),
                    shipment_type_name: "Transfer",
                    shipment_transaction_type: "Standard",
                    estimated_departure_date_time: created,
                    actual_departure_date_time: Some(created),
                    estimated_arrival_date_time: created,
                    actual_arrival_date_time: Some(created),
                    delivery_package_count: pkgs.len(),
                    delivery_received_package_count: pkgs.len(),
                    received_date_time: Some(created),
                    ..TransferView::default()
                })
            })
            .collect()
    });
    Ok(Json(page(all, &q)?))
}

/// `GET /transfers/v2/outgoing`: transfers leaving the facility, in transit until received.
pub(crate) async fn transfers_outgoing(
    State(st): State<SandboxState>,
    c: Caller,
    q: ListQuery,
) -> Result<Json<Page<TransferView>>, ApiError> {
    let license = c.facility(&q.license_number, perm::VIEW_TRANSFERS)?;
    let window = q.modified()?;
    let all = st.read(|s| {
        let name = s.facilities.get(&license).cloned().unwrap_or_default();
        s.outgoing
            .iter()
            .filter(|t| t.license == license)
            .filter_map(|t| {
                let modified = t
                    .packages
                    .iter()
                    .filter_map(|l| {
                        s.packages
                            .iter()
                            .find(|p| p.license == license && &p.label == l)
                    })
                    .map(|p| p.last_modified)
                    .max()
                    .unwrap_or(t.created)
                    .max(t.created);
                window.holds(modified).then(|| TransferView {
                    id: t.id,
                    manifest_number: t.manifest_number.clone(),
                    shipment_license_type: "Licensed",
                    shipper_facility_license_number: license.clone(),
                    shipper_facility_name: name.clone(),
                    transporter_facility_license_number: license.clone(),
                    transporter_facility_name: name.clone(),
                    driver_name: "Sandbox Driver",
                    delivery_count: 1,
                    package_count: t.packages.len(),
                    contains_product_package: true,
                    created_date_time: t.created,
                    created_by_user_name: "Sandbox User".into(),
                    last_modified: modified,
                    delivery_id: t.id,
                    recipient_facility_license_number: t.recipient_license.clone(),
                    recipient_facility_name: t.recipient_name.clone(),
                    shipment_type_name: "Transfer",
                    shipment_transaction_type: "Standard",
                    estimated_departure_date_time: t.created,
                    actual_departure_date_time: Some(t.created),
                    estimated_arrival_date_time: t.created,
                    delivery_package_count: t.packages.len(),
                    ..TransferView::default()
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
    q: ListQuery,
) -> Result<Json<Page<serde_json::Value>>, ApiError> {
    let license = c.facility(&q.license_number, perm::VIEW_TRANSFERS)?;
    let (_, manifest, pkgs) = st
        .read(|s| {
            all_transfers(s, &license)
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
    q: ListQuery,
) -> Result<Json<Page<serde_json::Value>>, ApiError> {
    let license = c.facility(&q.license_number, perm::VIEW_TRANSFERS)?;
    let (_, _, pkgs) = st
        .read(|s| {
            all_transfers(s, &license)
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
