//! Packages: what the regulator tracks by tag and the shelf holds.

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::{PackageId, ProductId, Quantity, RegulatorTag};

/// Where a package physically is.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Zone {
    /// The locked back room; nothing sells from here.
    Vault,
    /// Behind the counter; sales and holds come from here.
    SalesFloor,
}

impl Zone {
    /// The name shown to people.
    pub fn label(self) -> &'static str {
        match self {
            Zone::Vault => "Vault",
            Zone::SalesFloor => "Sales floor",
        }
    }
}

/// Why a package is held back from sale.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum HoldReason {
    /// A recall by the producer or the regulator.
    Recall,
    /// A failed lab test.
    LabFail,
    /// Returned by a customer and set aside.
    CustomerReturn,
    /// Under investigation (damage, count discrepancy).
    Investigation,
}

impl HoldReason {
    /// The name shown to people.
    pub fn label(self) -> &'static str {
        match self {
            HoldReason::Recall => "recall",
            HoldReason::LabFail => "lab fail",
            HoldReason::CustomerReturn => "customer return",
            HoldReason::Investigation => "investigation",
        }
    }
}

/// A package's lifecycle state.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum PackageStatus {
    /// Sellable (when on the floor) and changeable.
    Active,
    /// Quarantined: nothing sells, moves or splits from it.
    OnHold(HoldReason),
    /// Emptied and closed.
    Finished,
    /// Entirely destroyed.
    Destroyed,
}

impl PackageStatus {
    /// The word shown to people.
    pub fn label(self) -> &'static str {
        match self {
            PackageStatus::Active => "active",
            PackageStatus::OnHold(_) => "on hold",
            PackageStatus::Finished => "finished",
            PackageStatus::Destroyed => "destroyed",
        }
    }
}

/// State of the package's lab test.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum LabState {
    /// Not tested yet.
    NotSubmitted,
    /// Sent, waiting for a result.
    Pending,
    /// Passed.
    Passed,
    /// Failed.
    Failed,
}

/// The lab result a package carries.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct LabResult {
    /// State of the test.
    pub state: LabState,
    /// The lab's result or certificate id; merge policy compares it.
    pub result_id: Option<String>,
    /// Total THC in percent.
    pub thc_percent: Option<Decimal>,
    /// Total CBD in percent.
    pub cbd_percent: Option<Decimal>,
    /// When tested.
    pub tested_on: Option<NaiveDate>,
}

/// A physical package.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Package {
    /// Its id.
    pub id: PackageId,
    /// Its regulator tag.
    pub tag: RegulatorTag,
    /// What it contains.
    pub product_id: ProductId,
    /// Production batch or lot.
    pub batch: String,
    /// Lab result.
    pub lab: LabResult,
    /// When packaged.
    pub packaged_on: NaiveDate,
    /// Best before.
    pub expires_on: Option<NaiveDate>,
    /// Where it is.
    pub zone: Zone,
    /// Lifecycle state.
    pub status: PackageStatus,
    /// Everything physically in the package, in the product's unit (held units included).
    pub quantity: Quantity,
    /// The part of `quantity` reserved by holds for pickup.
    pub held: Decimal,
    /// Packages this one was split or merged from.
    pub parents: Vec<PackageId>,
    /// Packages split or merged out of this one.
    pub children: Vec<PackageId>,
    /// The manifest it arrived on, if received.
    pub manifest_number: Option<String>,
    /// When it entered the store's ledger.
    pub created_at: DateTime<Utc>,
}

impl Package {
    /// Units that can be sold, reserved, moved, split or destroyed: quantity minus holds.
    pub fn available(&self) -> Decimal {
        self.quantity.amount - self.held
    }

    /// Available quantity with its unit.
    pub fn available_qty(&self) -> Quantity {
        Quantity::new(self.available(), self.quantity.unit)
    }
}
