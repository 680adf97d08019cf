//! `DomainError`: every rule a command can break, as data with a human message.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::{quantity::QuantityError, tag::TagError, Quantity};

/// A refusal by the domain. It crosses the wire as data; `Display` is the message people read.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum DomainError {
    /// A field is missing, empty or malformed.
    #[error("{field}: {message}")]
    InvalidInput {
        /// The field.
        field: String,
        /// What is wrong with it.
        message: String,
    },
    /// A tag failed to parse.
    #[error("{error}")]
    Tag {
        /// Why the tag is not valid.
        error: TagError,
    },
    /// Units that do not convert.
    #[error("{action} on {package}: {error}")]
    Unit {
        /// The action attempted.
        action: String,
        /// The package (short tag).
        package: String,
        /// Why the units do not fit.
        error: QuantityError,
    },
    /// No such product.
    #[error("no product with id {id}")]
    UnknownProduct {
        /// The id given.
        id: String,
    },
    /// No such package.
    #[error("no package with id {id}")]
    UnknownPackage {
        /// The id given.
        id: String,
    },
    /// No such active hold.
    #[error("no active hold {id}: it was released, expired, fulfilled or never placed")]
    UnknownHold {
        /// The id given.
        id: String,
    },
    /// No such receipt.
    #[error("no receipt {id}")]
    UnknownReceipt {
        /// The id given.
        id: String,
    },
    /// An id that must be new was used before.
    #[error("{what} {id} already exists")]
    AlreadyExists {
        /// What kind of thing.
        what: String,
        /// Its id.
        id: String,
    },
    /// The package's status forbids the action.
    #[error("cannot {action} {package}: it is {status}")]
    NotActive {
        /// The action attempted.
        action: String,
        /// The package (short tag).
        package: String,
        /// Its status in words.
        status: String,
    },
    /// Not enough quantity.
    #[error(
        "{action} needs {needed} but {package} has {available} on hand{}",
        held_note(held)
    )]
    Insufficient {
        /// The action attempted, capitalised ("Split").
        action: String,
        /// The package (short tag).
        package: String,
        /// What the action needs.
        needed: Quantity,
        /// What is available.
        available: Quantity,
        /// What is held for pickup, if anything.
        held: Option<Quantity>,
    },
    /// A quantity that must be above zero is not.
    #[error("{field} must be more than zero; got {quantity}")]
    NotPositive {
        /// The field.
        field: String,
        /// What was given.
        quantity: Quantity,
    },
    /// Sales and holds come from the sales floor only.
    #[error("cannot {action} from {package}: it is in the {zone}, not on the sales floor")]
    NotOnFloor {
        /// The action attempted.
        action: String,
        /// The package (short tag).
        package: String,
        /// Where it is.
        zone: String,
    },
    /// Moving a package where it already is.
    #[error("{package} is already in the {zone}")]
    AlreadyInZone {
        /// The package (short tag).
        package: String,
        /// Where it is.
        zone: String,
    },
    /// Stock held for pickup cannot be moved or merged.
    #[error("cannot {action} {package}: {held} of it is held for pickup orders")]
    HeldStock {
        /// The action attempted.
        action: String,
        /// The package (short tag).
        package: String,
        /// What is held.
        held: Quantity,
    },
    /// A tag is already on another package.
    #[error("tag {tag} is already in use; pick a fresh tag")]
    TagInUse {
        /// The full tag.
        tag: String,
    },
    /// The same tag twice in one command.
    #[error("tag {tag} is given twice")]
    DuplicateTag {
        /// The full tag.
        tag: String,
    },
    /// A manifest can be received once.
    #[error("manifest {manifest} was already received")]
    ManifestAlreadyReceived {
        /// The manifest number.
        manifest: String,
    },
    /// Destroy and count need a second person.
    #[error("{action} needs a witness other than the person doing it")]
    WitnessIsActor {
        /// The action attempted.
        action: String,
    },
    /// Some reasons require a note.
    #[error("the reason \"{reason}\" requires a note")]
    NoteRequired {
        /// The reason's label.
        reason: String,
    },
    /// Equal parts that do not divide exactly.
    #[error("{total} cannot be split into {parts} equal parts exactly; enter the amounts by hand")]
    UnequalSplit {
        /// The total asked for.
        total: Quantity,
        /// The number of parts.
        parts: usize,
    },
    /// Merge policy or product rules refuse the merge.
    #[error("{first} and {second} cannot be merged: {reason}")]
    MergeIncompatible {
        /// One package (short tag).
        first: String,
        /// The other package (short tag).
        second: String,
        /// The rule that refuses, in words.
        reason: String,
    },
    /// An adjustment would leave less than zero (or less than what is held).
    #[error("adjusting {package} by {delta} would leave {result}, below {floor}")]
    AdjustBelowFloor {
        /// The package (short tag).
        package: String,
        /// The delta asked for.
        delta: Quantity,
        /// What would be left.
        result: Quantity,
        /// The least the package may keep (zero, or what is held).
        floor: Quantity,
    },
    /// A purchase limit would be exceeded.
    #[error("over the {max} {unit} {limit} limit by {over} {unit} ({counted} {would_be} {unit})")]
    PurchaseLimitExceeded {
        /// The limit's name.
        limit: String,
        /// The limit.
        max: rust_decimal::Decimal,
        /// Its unit label.
        unit: String,
        /// What the total counts: this transaction, or the customer's day.
        counted: String,
        /// The total with this order.
        would_be: rust_decimal::Decimal,
        /// By how much it is exceeded.
        over: rust_decimal::Decimal,
    },
    /// The jurisdiction's limits cannot place a product's category.
    #[error("{jurisdiction}'s {program} purchase limits do not count {category}, so {product} cannot be sold here: change its category to one the law places")]
    CategoryNotPlaced {
        /// The product.
        product: String,
        /// Its category.
        category: String,
        /// The jurisdiction.
        jurisdiction: String,
        /// Adult-use or medical.
        program: String,
    },
    /// A product lacks what a limit measures.
    #[error("{product} cannot be counted against {jurisdiction}'s {limit} limit: it has no {missing}; add it on the product screen")]
    LimitMeasureMissing {
        /// The product.
        product: String,
        /// The limit.
        limit: String,
        /// The jurisdiction.
        jurisdiction: String,
        /// What the product must record.
        missing: String,
    },
    /// A store here may not sell under this program.
    #[error("{jurisdiction} stores in Pistil make no {program} sales: {because}")]
    ProgramNotSold {
        /// The jurisdiction.
        jurisdiction: String,
        /// Adult-use or medical.
        program: String,
        /// Why.
        because: String,
    },
    /// Returning more than was sold.
    #[error("cannot return {requested} of {package}: receipt {receipt} sold {sold} and {returned} was already returned")]
    ReturnExceedsSale {
        /// The package (short tag).
        package: String,
        /// The receipt.
        receipt: String,
        /// Sold on the receipt.
        sold: Quantity,
        /// Already returned.
        returned: Quantity,
        /// Asked to return now.
        requested: Quantity,
    },
    /// The package is not on the receipt.
    #[error("{package} is not on receipt {receipt}")]
    NotOnReceipt {
        /// The package (short tag).
        package: String,
        /// The receipt.
        receipt: String,
    },
    /// A hold that has not reached its expiry.
    #[error("hold {hold} expires at {expires_at}, not yet")]
    HoldNotExpired {
        /// The hold.
        hold: String,
        /// When it expires.
        expires_at: DateTime<Utc>,
    },
    /// Finishing a package that still holds product.
    #[error("cannot finish {package}: it still has {quantity}")]
    NotEmpty {
        /// The package (short tag).
        package: String,
        /// What is left.
        quantity: Quantity,
    },
    /// Releasing a package that is not on hold.
    #[error("{package} is not on hold")]
    NotOnHold {
        /// The package (short tag).
        package: String,
    },
    /// No such count, or it is already accepted.
    #[error("no open count {id}: it was accepted or never planned")]
    UnknownCount {
        /// The id given.
        id: String,
    },
    /// A package that the count does not cover.
    #[error("{package} is not part of count {count}")]
    NotInCount {
        /// The package (short tag).
        package: String,
        /// The count.
        count: String,
    },
    /// A recount by the person who counted first.
    #[error("{package} was counted by you; a recount needs a different counter")]
    RecountBySameCounter {
        /// The package (short tag).
        package: String,
    },
    /// Accepting a count while a large variance waits for its recount.
    #[error("{package} is off by {variance} ({percent}% of {expected}), over the {threshold}% threshold: a different counter must recount it before the count can be accepted")]
    RecountRequired {
        /// The package (short tag).
        package: String,
        /// Counted minus expected.
        variance: Quantity,
        /// What the ledger expected.
        expected: Quantity,
        /// The variance in percent of expected, rounded.
        percent: rust_decimal::Decimal,
        /// The jurisdiction's threshold.
        threshold: rust_decimal::Decimal,
    },
    /// The change would reach Metrc with a reason the facility's list has no match for.
    #[error("{reason} has no Metrc adjustment reason for this facility yet: a manager chooses one under Settings, Metrc adjustment reasons")]
    ReasonNotMapped {
        /// Pistil's reason, in words.
        reason: String,
    },
    /// Accepting a count before anything was counted.
    #[error("count {count} has nothing counted yet")]
    NothingCounted {
        /// The count.
        count: String,
    },
}

fn held_note(held: &Option<Quantity>) -> String {
    match held {
        Some(h) => format!(" ({h} more is held for pickup)"),
        None => String::new(),
    }
}

impl From<TagError> for DomainError {
    fn from(e: TagError) -> Self {
        DomainError::Tag { error: e }
    }
}

impl DomainError {
    /// A stable machine-readable code, the serde tag.
    pub fn code(&self) -> String {
        serde_json::to_value(self)
            .ok()
            .and_then(|v| v.get("code").and_then(|c| c.as_str()).map(str::to_owned))
            .unwrap_or_else(|| "domain_error".into())
    }
}
