//! Pistil's domain: quantities, products, packages, commands, events, and the pure
//! `decide` / `evolve` pair that the server and the tablet app both run.

pub mod account;
pub mod alerts;
pub mod command;
pub mod count;
mod decide;
pub mod discrepancy;
mod error;
pub mod event;
mod ids;
mod jurisdiction;
pub mod limits;
mod money;
mod package;
mod product;
pub mod quantity;
mod reason;
pub mod reason_map;
pub mod reconcile;
pub mod relay;
pub mod report;
mod state;
pub mod tag;
pub mod text;
pub mod wire;
pub mod zone_locations;

pub use command::{
    Action, Command, HoldChannel, RelayDecision, ReturnDisposition, SaleChannel, SettleRelay,
};
pub use decide::{decide, merge_compatibility, split_parts};
pub use error::DomainError;
pub use event::{Event, EventKind, OrderStage, EVENT_VERSION};
pub use ids::*;
pub use jurisdiction::{
    DiscrepancyRule, Jurisdiction, LimitTerm, Measure, Program, ProgramRules, PurchaseLimit,
    ReportFormat, Window, OUNCE_GRAMS,
};
pub use money::{Currency, Money};
pub use package::{HoldReason, LabResult, LabState, Package, PackageStatus, Zone};
pub use product::{
    Category, Product, QuantityType, RegulatorMapping, StrainType, UnitWeightDefinition,
};
pub use quantity::{Quantity, Unit, UnitFamily};
pub use reason::{AdjustReason, DestroyMethod, DestroyReason};
pub use state::{
    evolve, CustomerDay, MergePolicy, ReceiptLineRecord, ReceiptRecord, State, StoreConfig, Totals,
    STATE_VERSION,
};
pub use tag::RegulatorTag;
