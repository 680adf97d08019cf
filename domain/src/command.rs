//! Commands: what a person asks for, with who, where and when.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::{
    AdjustReason, CountId, CustomerRef, DestroyMethod, DestroyReason, DeviceId, HoldId, HoldReason,
    LabResult, Money, MutationId, PackageId, PatientRegistration, Product, ProductId, Quantity,
    ReceiptId, RegulatorTag, ReturnId, StoreConfig, UserId, Zone,
};

/// A request to change the ledger, with its idempotency key and its author.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Command {
    /// Minted where the command is made; a command with a known id changes nothing.
    pub mutation_id: MutationId,
    /// Who asks.
    pub actor: UserId,
    /// From which tablet, till or process.
    pub device: DeviceId,
    /// When it was asked, on the device's clock.
    pub at: DateTime<Utc>,
    /// What is asked.
    pub action: Action,
}

/// Everything a person can ask of the ledger.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Set the store's name, jurisdiction and policies.
    ConfigureStore(StoreConfig),
    /// Add or update a catalogue product.
    DefineProduct(Product),
    /// Receive an incoming manifest, line by line.
    Receive(Receive),
    /// Move a whole package between vault and sales floor.
    Move(Move),
    /// Split one package into new ones.
    Split(Split),
    /// Merge packages of one product into a new one.
    Merge(Merge),
    /// Destroy some or all of a package.
    Destroy(Destroy),
    /// Adjust a package's quantity with a reason.
    Adjust(Adjust),
    /// Sell at the counter.
    Sell(Sell),
    /// Take back goods against a receipt.
    Return(ReturnGoods),
    /// Reserve stock for pickup.
    Reserve(Reserve),
    /// Cancel a pickup hold.
    ReleaseHold(HoldRef),
    /// Release a hold whose time ran out.
    ExpireHold(HoldRef),
    /// Move a pickup order along: preparing, then ready at the counter.
    AdvanceOrder(AdvanceOrder),
    /// Sell the held stock to the customer who reserved it.
    FulfilHold(FulfilHold),
    /// Plan a cycle count of a zone, a category or a list of packages.
    PlanCount(PlanCount),
    /// Record a blind physical count (or recount) of a package in a planned count.
    RecordCount(RecordCount),
    /// Accept a count: its variances become count corrections.
    AcceptCount(CountRef),
    /// Close an empty package.
    Finish(PackageRef),
    /// Quarantine a package (recall, lab fail).
    PlaceOnHold(PlaceOnHold),
    /// Lift a quarantine.
    Release(PackageRef),
    /// A manager's decision on a change the regulator refused: send it again, or record that it
    /// is already at the regulator.
    SettleRelay(SettleRelay),
}

impl Action {
    /// A short name, as stored with events and shown in histories.
    pub fn name(&self) -> &'static str {
        match self {
            Action::ConfigureStore(_) => "configure_store",
            Action::DefineProduct(_) => "define_product",
            Action::Receive(_) => "receive",
            Action::Move(_) => "move",
            Action::Split(_) => "split",
            Action::Merge(_) => "merge",
            Action::Destroy(_) => "destroy",
            Action::Adjust(_) => "adjust",
            Action::Sell(_) => "sell",
            Action::Return(_) => "return",
            Action::Reserve(_) => "reserve",
            Action::ReleaseHold(_) => "release_hold",
            Action::ExpireHold(_) => "expire_hold",
            Action::AdvanceOrder(_) => "advance_order",
            Action::FulfilHold(_) => "fulfil_hold",
            Action::PlanCount(_) => "plan_count",
            Action::RecordCount(_) => "record_count",
            Action::AcceptCount(_) => "accept_count",
            Action::Finish(_) => "finish",
            Action::PlaceOnHold(_) => "place_on_hold",
            Action::Release(_) => "release",
            Action::SettleRelay(_) => "settle_relay",
        }
    }
}

/// An incoming manifest.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Receive {
    /// The regulator's manifest number; received once.
    pub manifest_number: String,
    /// Its lines.
    pub lines: Vec<ReceiveLine>,
}

/// One package on a manifest and what the receiver decided.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReceiveLine {
    /// Id for the new package.
    pub package_id: PackageId,
    /// Its tag.
    pub tag: RegulatorTag,
    /// Its product.
    pub product_id: ProductId,
    /// Quantity on the manifest.
    pub shipped: Quantity,
    /// Batch or lot.
    pub batch: String,
    /// Lab result.
    pub lab: LabResult,
    /// Packaging date.
    pub packaged_on: NaiveDate,
    /// Expiry date.
    pub expires_on: Option<NaiveDate>,
    /// Accept, accept a different quantity, or reject.
    pub decision: LineDecision,
}

/// What the receiver decided for a manifest line.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LineDecision {
    /// Accept as shipped.
    Accept,
    /// Accept what actually arrived.
    AcceptAdjusted {
        /// Quantity actually received.
        received: Quantity,
        /// Why it differs.
        reason: AdjustReason,
        /// A note, where the reason needs one.
        note: Option<String>,
    },
    /// Refuse the line.
    Reject {
        /// Why, in words.
        reason: String,
    },
}

/// Move a pickup order to its next stage.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdvanceOrder {
    /// The order's hold.
    pub hold_id: HoldId,
    /// Where it is now.
    pub stage: crate::event::OrderStage,
}

/// Move a package.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Move {
    /// The package.
    pub package_id: PackageId,
    /// Where to.
    pub to: Zone,
}

/// A new package made by a split or merge.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewPackage {
    /// Its id.
    pub package_id: PackageId,
    /// Its fresh tag.
    pub tag: RegulatorTag,
}

/// How a split divides the source.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SplitAmounts {
    /// This total in equal parts, one per new package.
    Equal {
        /// Total taken from the source.
        total: Quantity,
    },
    /// One amount per new package, in order.
    Manual {
        /// The amounts.
        amounts: Vec<Quantity>,
    },
}

/// Split one package.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Split {
    /// The source package.
    pub source: PackageId,
    /// The new packages.
    pub new_packages: Vec<NewPackage>,
    /// How much goes into each.
    pub amounts: SplitAmounts,
}

/// Merge packages.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Merge {
    /// The packages emptied into the new one (at least two).
    pub sources: Vec<PackageId>,
    /// The new package.
    pub into: NewPackage,
}

/// Destroy product.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Destroy {
    /// The package.
    pub package_id: PackageId,
    /// How much.
    pub quantity: Quantity,
    /// Why.
    pub reason: DestroyReason,
    /// How.
    pub method: DestroyMethod,
    /// Who watched; not the actor.
    pub witness: UserId,
    /// A note, where the reason needs one.
    pub note: Option<String>,
}

/// Adjust a package.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Adjust {
    /// The package.
    pub package_id: PackageId,
    /// Signed change.
    pub delta: Quantity,
    /// Why.
    pub reason: AdjustReason,
    /// A note, where the reason needs one.
    pub note: Option<String>,
    /// The count this corrects, for count corrections.
    pub count_id: Option<CountId>,
}

/// In store or remote (reserved online and picked up).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SaleChannel {
    /// Over the counter.
    InStore,
    /// Ordered remotely, picked up.
    Remote,
}

/// A line of a sale.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SellLine {
    /// The package sold from.
    pub package_id: PackageId,
    /// How much.
    pub quantity: Quantity,
    /// Price per unit charged, when it differs from the shelf price.
    pub unit_price: Option<Money>,
}

/// Sell at the counter.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sell {
    /// The receipt's id.
    pub receipt_id: ReceiptId,
    /// The customer, for purchase limits across the day.
    pub customer: Option<CustomerRef>,
    /// A medical patient's registration: the sale falls under the medical program's limits and
    /// is reported as a patient's. Absent, it is an adult-use sale.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub patient: Option<PatientRegistration>,
    /// The lines.
    pub lines: Vec<SellLine>,
}

/// What happens to returned goods.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReturnDisposition {
    /// Back into the package, sellable.
    Restock,
    /// Back into the package, which goes on hold until someone decides.
    Quarantine,
}

/// A returned line.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReturnLine {
    /// The package on the receipt.
    pub package_id: PackageId,
    /// How much comes back.
    pub quantity: Quantity,
}

/// Take back goods.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReturnGoods {
    /// The return's id.
    pub return_id: ReturnId,
    /// The original receipt.
    pub receipt_id: ReceiptId,
    /// What comes back.
    pub lines: Vec<ReturnLine>,
    /// Restock or quarantine.
    pub disposition: ReturnDisposition,
}

/// Who placed a hold.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HoldChannel {
    /// The public online menu.
    Online,
    /// A budtender, for a phone or counter order.
    Staff,
}

/// A reserved line.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReserveLine {
    /// The package reserved from.
    pub package_id: PackageId,
    /// How much.
    pub quantity: Quantity,
}

/// Reserve stock for pickup.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reserve {
    /// The hold's id.
    pub hold_id: HoldId,
    /// Who it is for (limits).
    pub customer: CustomerRef,
    /// Name to call at pickup.
    pub customer_name: String,
    /// Online or staff.
    pub channel: HoldChannel,
    /// What is reserved.
    pub lines: Vec<ReserveLine>,
    /// When the hold lapses by itself.
    pub expires_at: DateTime<Utc>,
}

/// A hold, by id.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HoldRef {
    /// The hold.
    pub hold_id: HoldId,
}

/// Sell held stock.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FulfilHold {
    /// The hold.
    pub hold_id: HoldId,
    /// The receipt it becomes.
    pub receipt_id: ReceiptId,
}

/// Plan a count.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanCount {
    /// The new count's id.
    pub count_id: CountId,
    /// Which packages it covers.
    pub scope: crate::count::CountScope,
}

/// A count, by id.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CountRef {
    /// The count.
    pub count_id: CountId,
}

/// A blind count of one package, witnessed.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordCount {
    /// The planned count it belongs to.
    pub count_id: CountId,
    /// The package counted.
    pub package_id: PackageId,
    /// What the counter found.
    pub counted: Quantity,
    /// The second person; not the counter.
    pub witness: UserId,
}

/// A package, by id.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PackageRef {
    /// The package.
    pub package_id: PackageId,
}

/// A manager's decision on a change the regulator refused.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SettleRelay {
    /// The ledger sequence of the refused change.
    pub seq: i64,
    /// What the manager decided.
    pub decision: RelayDecision,
    /// Why, in the manager's words; required when marking a change done at the regulator.
    #[serde(default)]
    pub note: Option<String>,
}

/// What becomes of a change the regulator refused.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RelayDecision {
    /// Send it again (after fixing its cause): the regulator is read back first, so nothing lands
    /// twice.
    Retry,
    /// The manager checked at the regulator that it is there: nothing more is sent for it.
    DoneAtRegulator,
}

impl RelayDecision {
    /// In words, for histories and the audit trail.
    pub fn label(self) -> &'static str {
        match self {
            RelayDecision::Retry => "sent again",
            RelayDecision::DoneAtRegulator => "marked done at the regulator",
        }
    }
}

/// Quarantine a package.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlaceOnHold {
    /// The package.
    pub package_id: PackageId,
    /// Why.
    pub reason: HoldReason,
}
