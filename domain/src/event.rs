//! Events: past-tense facts. They carry the values they produced, so folding them needs no rules.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::{
    AdjustReason, CountId, CustomerRef, DestroyMethod, DestroyReason, DeviceId, HoldChannel,
    HoldId, HoldReason, Money, MutationId, Package, PackageId, PatientRegistration, Product,
    ProductId, Quantity, ReceiptId, RelayDecision, ReturnDisposition, ReturnId, SaleChannel,
    StoreConfig, UserId, Zone,
};

/// Version of the event schema written by this build.
pub const EVENT_VERSION: u16 = 1;

/// A recorded fact, with the command that caused it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    /// Schema version.
    pub version: u16,
    /// The command's idempotency key.
    pub mutation_id: MutationId,
    /// Who.
    pub actor: UserId,
    /// From where.
    pub device: DeviceId,
    /// When the command was made.
    pub at: DateTime<Utc>,
    /// What happened.
    pub kind: EventKind,
}

/// A line of a receipt or hold.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SaleLine {
    /// The package.
    pub package_id: PackageId,
    /// Its product.
    pub product_id: ProductId,
    /// How much, in the package's unit.
    pub quantity: Quantity,
    /// Price per unit.
    pub unit_price: Money,
    /// Price of the line.
    pub line_total: Money,
}

/// A completed sale.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Receipt {
    /// Its id (the regulator's external receipt number).
    pub receipt_id: ReceiptId,
    /// The customer, when known.
    pub customer: Option<CustomerRef>,
    /// The medical patient's registration, when sold under the medical program.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub patient: Option<PatientRegistration>,
    /// In store or remote.
    pub channel: SaleChannel,
    /// The lines.
    pub lines: Vec<SaleLine>,
    /// Sum of the lines.
    pub total: Money,
    /// The pickup hold it fulfilled, if any.
    pub hold_id: Option<HoldId>,
}

/// How far the counter has got with a pickup order.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderStage {
    /// Someone is putting it together.
    Preparing,
    /// Bagged and waiting at the counter.
    Ready,
}

/// An active pickup hold.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hold {
    /// How far the counter has got with it (none yet: just placed).
    #[serde(default)]
    pub stage: Option<OrderStage>,
    /// Its id.
    pub hold_id: HoldId,
    /// For whom.
    pub customer: CustomerRef,
    /// Name to call.
    pub customer_name: String,
    /// Online or staff.
    pub channel: HoldChannel,
    /// What is held.
    pub lines: Vec<SaleLine>,
    /// Sum of the lines.
    pub total: Money,
    /// When placed.
    pub placed_at: DateTime<Utc>,
    /// When it lapses.
    pub expires_at: DateTime<Utc>,
}

/// A package in a newly planned count.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CountStart {
    /// The package.
    pub package_id: PackageId,
    /// The ledger's quantity at the start.
    pub quantity: Quantity,
}

/// A manifest line that was refused.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RejectedLine {
    /// The tag on the manifest.
    pub tag: String,
    /// Quantity shipped.
    pub shipped: Quantity,
    /// Why refused.
    pub reason: String,
}

/// What a merge took from one source.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MergedSource {
    /// The source.
    pub package_id: PackageId,
    /// What it gave.
    pub quantity: Quantity,
}

/// A returned line.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReturnedLine {
    /// The package it goes back into.
    pub package_id: PackageId,
    /// Its product.
    pub product_id: ProductId,
    /// How much.
    pub quantity: Quantity,
}

/// Everything that can happen.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// Store settings changed.
    StoreConfigured {
        /// The new settings.
        config: StoreConfig,
    },
    /// A product was added or changed.
    ProductDefined {
        /// The product as it now is.
        product: Product,
    },
    /// A manifest was received (its packages follow as `PackageReceived`).
    ManifestReceived {
        /// Manifest number.
        manifest_number: String,
        /// Lines accepted.
        accepted: u32,
        /// Lines refused.
        rejected: Vec<RejectedLine>,
    },
    /// A package arrived.
    PackageReceived {
        /// The new package.
        package: Package,
        /// What the manifest said.
        shipped: Quantity,
        /// Why the received quantity differs, if it does.
        adjust_reason: Option<AdjustReason>,
        /// Note for that difference.
        note: Option<String>,
    },
    /// A package moved.
    PackageMoved {
        /// The package.
        package_id: PackageId,
        /// From.
        from: Zone,
        /// To.
        to: Zone,
    },
    /// A package was split.
    PackageSplit {
        /// The source.
        source: PackageId,
        /// Taken from it in total.
        taken: Quantity,
        /// Left in it.
        remaining: Quantity,
        /// The new packages.
        children: Vec<Package>,
    },
    /// Packages were merged into a new one.
    PackagesMerged {
        /// What each source gave (each is emptied and finished).
        sources: Vec<MergedSource>,
        /// The new package.
        package: Package,
    },
    /// Product was destroyed.
    PackageDestroyed {
        /// The package.
        package_id: PackageId,
        /// How much.
        quantity: Quantity,
        /// Left in the package.
        remaining: Quantity,
        /// Why.
        reason: DestroyReason,
        /// How.
        method: DestroyMethod,
        /// Who watched.
        witness: UserId,
        /// Note.
        note: Option<String>,
    },
    /// A quantity was adjusted.
    PackageAdjusted {
        /// The package.
        package_id: PackageId,
        /// Signed change.
        delta: Quantity,
        /// Left in the package.
        remaining: Quantity,
        /// Why.
        reason: AdjustReason,
        /// Note.
        note: Option<String>,
        /// The count it corrects.
        count_id: Option<CountId>,
    },
    /// A sale at the counter.
    Sold {
        /// The receipt.
        receipt: Receipt,
    },
    /// Goods came back.
    Returned {
        /// The return.
        return_id: ReturnId,
        /// Against this receipt.
        receipt_id: ReceiptId,
        /// What came back.
        lines: Vec<ReturnedLine>,
        /// Restocked or quarantined.
        disposition: ReturnDisposition,
    },
    /// Stock was reserved.
    HoldPlaced {
        /// The hold.
        hold: Hold,
    },
    /// A hold ended without a sale.
    HoldReleased {
        /// The hold.
        hold_id: HoldId,
        /// True when its time ran out, false when cancelled.
        expired: bool,
        /// What it had held, now available again.
        lines: Vec<SaleLine>,
    },
    /// A hold became a sale.
    HoldAdvanced {
        /// The hold.
        hold_id: HoldId,
        /// Its new stage.
        stage: OrderStage,
    },
    HoldFulfilled {
        /// The hold.
        hold_id: HoldId,
        /// The sale.
        receipt: Receipt,
    },
    /// A count was planned; each line keeps the ledger's quantity at its start.
    CountPlanned {
        /// The count.
        count_id: CountId,
        /// What it covers.
        scope: crate::count::CountScope,
        /// Its packages and their quantities at the start.
        lines: Vec<CountStart>,
    },
    /// A count was accepted; its corrections follow as `PackageAdjusted` events citing it.
    CountAccepted {
        /// The count.
        count_id: CountId,
        /// Packages corrected by this acceptance.
        corrected: u32,
        /// Packages nobody counted (left as they are).
        uncounted: u32,
    },
    /// A blind count was recorded.
    CountRecorded {
        /// The count.
        count_id: CountId,
        /// The package.
        package_id: PackageId,
        /// What the ledger said at the time.
        expected: Quantity,
        /// What was counted.
        counted: Quantity,
        /// Who witnessed.
        witness: UserId,
    },
    /// An empty package was closed.
    PackageFinished {
        /// The package.
        package_id: PackageId,
    },
    /// A package was quarantined.
    PackagePlacedOnHold {
        /// The package.
        package_id: PackageId,
        /// Why.
        reason: HoldReason,
    },
    /// A quarantine was lifted.
    PackageReleased {
        /// The package.
        package_id: PackageId,
    },
    /// A manager settled a change the regulator refused; the outbox row follows in the same write.
    RelayChangeSettled {
        /// The ledger sequence of the refused change.
        seq: i64,
        /// What was decided.
        decision: RelayDecision,
        /// The manager's words.
        note: Option<String>,
    },
}

impl EventKind {
    /// Every name `name` gives, so a live listener can subscribe to each kind.
    pub const NAMES: [&'static str; 22] = [
        "store_configured",
        "product_defined",
        "manifest_received",
        "package_received",
        "package_moved",
        "package_split",
        "packages_merged",
        "package_destroyed",
        "package_adjusted",
        "sold",
        "returned",
        "hold_placed",
        "hold_released",
        "hold_advanced",
        "hold_fulfilled",
        "count_planned",
        "count_recorded",
        "count_accepted",
        "package_finished",
        "package_placed_on_hold",
        "package_released",
        "relay_change_settled",
    ];

    /// Short name, as stored.
    pub fn name(&self) -> &'static str {
        match self {
            EventKind::StoreConfigured { .. } => "store_configured",
            EventKind::ProductDefined { .. } => "product_defined",
            EventKind::ManifestReceived { .. } => "manifest_received",
            EventKind::PackageReceived { .. } => "package_received",
            EventKind::PackageMoved { .. } => "package_moved",
            EventKind::PackageSplit { .. } => "package_split",
            EventKind::PackagesMerged { .. } => "packages_merged",
            EventKind::PackageDestroyed { .. } => "package_destroyed",
            EventKind::PackageAdjusted { .. } => "package_adjusted",
            EventKind::Sold { .. } => "sold",
            EventKind::Returned { .. } => "returned",
            EventKind::HoldPlaced { .. } => "hold_placed",
            EventKind::HoldReleased { .. } => "hold_released",
            EventKind::HoldAdvanced { .. } => "hold_advanced",
            EventKind::HoldFulfilled { .. } => "hold_fulfilled",
            EventKind::CountPlanned { .. } => "count_planned",
            EventKind::CountRecorded { .. } => "count_recorded",
            EventKind::CountAccepted { .. } => "count_accepted",
            EventKind::PackageFinished { .. } => "package_finished",
            EventKind::PackagePlacedOnHold { .. } => "package_placed_on_hold",
            EventKind::PackageReleased { .. } => "package_released",
            EventKind::RelayChangeSettled { .. } => "relay_change_settled",
        }
    }

    /// Every package this event touches, for projections, outbox ordering and histories.
    pub fn packages(&self) -> Vec<PackageId> {
        match self {
            EventKind::HoldAdvanced { .. }
            | EventKind::CountAccepted { .. }
            | EventKind::RelayChangeSettled { .. } => vec![],
            EventKind::CountPlanned { lines, .. } => lines.iter().map(|l| l.package_id).collect(),
            EventKind::StoreConfigured { .. }
            | EventKind::ProductDefined { .. }
            | EventKind::ManifestReceived { .. } => vec![],
            EventKind::PackageReceived { package, .. } => vec![package.id],
            EventKind::PackageMoved { package_id, .. }
            | EventKind::PackageDestroyed { package_id, .. }
            | EventKind::PackageAdjusted { package_id, .. }
            | EventKind::CountRecorded { package_id, .. }
            | EventKind::PackageFinished { package_id }
            | EventKind::PackagePlacedOnHold { package_id, .. }
            | EventKind::PackageReleased { package_id } => vec![*package_id],
            EventKind::PackageSplit {
                source, children, ..
            } => std::iter::once(*source)
                .chain(children.iter().map(|c| c.id))
                .collect(),
            EventKind::PackagesMerged { sources, package } => sources
                .iter()
                .map(|s| s.package_id)
                .chain(std::iter::once(package.id))
                .collect(),
            EventKind::Sold { receipt } | EventKind::HoldFulfilled { receipt, .. } => {
                receipt.lines.iter().map(|l| l.package_id).collect()
            }
            EventKind::Returned { lines, .. } => lines.iter().map(|l| l.package_id).collect(),
            EventKind::HoldPlaced { hold } => hold.lines.iter().map(|l| l.package_id).collect(),
            EventKind::HoldReleased { lines, .. } => lines.iter().map(|l| l.package_id).collect(),
        }
    }
}
