//! Reason codes for adjustments and destructions, and destruction methods.

use serde::{Deserialize, Serialize};

/// Why a quantity was adjusted.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum AdjustReason {
    /// Scale reads differently from the label.
    ScaleVariance,
    /// Flower dried out.
    MoistureLoss,
    /// Given away as a sample.
    Sample,
    /// Sent for quality assurance or testing.
    QaTesting,
    /// Lost to packaging.
    PackagingWaste,
    /// Stolen or lost.
    TheftOrLoss,
    /// A data entry mistake.
    EntryError,
    /// The result of an accepted count.
    CountCorrection,
    /// Anything else.
    Other,
}

impl AdjustReason {
    /// Every reason, in picker order.
    pub const ALL: [AdjustReason; 9] = [
        AdjustReason::ScaleVariance,
        AdjustReason::MoistureLoss,
        AdjustReason::Sample,
        AdjustReason::QaTesting,
        AdjustReason::PackagingWaste,
        AdjustReason::TheftOrLoss,
        AdjustReason::EntryError,
        AdjustReason::CountCorrection,
        AdjustReason::Other,
    ];

    /// Whether a note explaining the adjustment is required.
    pub fn requires_note(self) -> bool {
        matches!(
            self,
            AdjustReason::TheftOrLoss
                | AdjustReason::EntryError
                | AdjustReason::Other
                | AdjustReason::Sample
        )
    }

    /// The label shown to people.
    pub fn label(self) -> &'static str {
        match self {
            AdjustReason::ScaleVariance => "scale variance",
            AdjustReason::MoistureLoss => "moisture loss",
            AdjustReason::Sample => "sample",
            AdjustReason::QaTesting => "QA / testing",
            AdjustReason::PackagingWaste => "packaging waste",
            AdjustReason::TheftOrLoss => "theft / loss",
            AdjustReason::EntryError => "entry error",
            AdjustReason::CountCorrection => "count correction",
            AdjustReason::Other => "other",
        }
    }

    /// The name Metrc commonly lists for it; a facility's own list may differ (see `ReasonMap`).
    pub fn regulator_name(self) -> &'static str {
        match self {
            AdjustReason::ScaleVariance => "Scale Variance",
            AdjustReason::MoistureLoss => "Drying",
            AdjustReason::Sample => "Sample",
            AdjustReason::QaTesting => "Quality Assurance Testing",
            AdjustReason::PackagingWaste => "Waste (Unusable Product)",
            AdjustReason::TheftOrLoss => "Theft",
            AdjustReason::EntryError => "Entry Error",
            AdjustReason::CountCorrection => "Inventory Audit",
            AdjustReason::Other => "Other",
        }
    }
}

/// Why product was destroyed.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum DestroyReason {
    /// Physically damaged.
    Damage,
    /// Past its expiry date.
    Expiry,
    /// Recalled.
    Recall,
    /// Failed a lab test.
    LabFail,
    /// Ordered by the regulator.
    RegulatoryOrder,
    /// Returned by a customer and unfit for sale.
    CustomerReturn,
    /// Anything else.
    Other,
}

impl DestroyReason {
    /// Every reason, in picker order.
    pub const ALL: [DestroyReason; 7] = [
        DestroyReason::Damage,
        DestroyReason::Expiry,
        DestroyReason::Recall,
        DestroyReason::LabFail,
        DestroyReason::RegulatoryOrder,
        DestroyReason::CustomerReturn,
        DestroyReason::Other,
    ];

    /// Whether a note is required.
    pub fn requires_note(self) -> bool {
        matches!(self, DestroyReason::RegulatoryOrder | DestroyReason::Other)
    }

    /// The label shown to people.
    pub fn label(self) -> &'static str {
        match self {
            DestroyReason::Damage => "damage",
            DestroyReason::Expiry => "expiry",
            DestroyReason::Recall => "recall",
            DestroyReason::LabFail => "lab fail",
            DestroyReason::RegulatoryOrder => "regulatory order",
            DestroyReason::CustomerReturn => "customer return",
            DestroyReason::Other => "other",
        }
    }
}

/// How product was rendered unusable.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum DestroyMethod {
    /// Ground and mixed with at least 50% non-cannabis waste.
    GrindAndMix,
    /// Composted.
    Compost,
    /// Incinerated.
    Incinerate,
    /// Handed to a licensed waste hauler.
    WasteHauler,
}

impl DestroyMethod {
    /// Every method, in picker order.
    pub const ALL: [DestroyMethod; 4] = [
        DestroyMethod::GrindAndMix,
        DestroyMethod::Compost,
        DestroyMethod::Incinerate,
        DestroyMethod::WasteHauler,
    ];

    /// The label shown to people.
    pub fn label(self) -> &'static str {
        match self {
            DestroyMethod::GrindAndMix => "ground and mixed with waste",
            DestroyMethod::Compost => "composted",
            DestroyMethod::Incinerate => "incinerated",
            DestroyMethod::WasteHauler => "licensed waste hauler",
        }
    }
}
