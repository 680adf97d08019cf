//! The regulator side: which regulator the store talks to (saved credentials, or the embedded
//! sandbox), the mapping from ledger events to Metrc calls, sync health, and the outbox worker
//! that relays the ledger exactly once through `metrc`.

pub mod items;
pub mod locations;
pub mod mapping;
pub mod outbox;
pub mod parked;
pub mod reasons;
pub mod report;
pub mod setup;

use metrc::MetrcError;

/// Why a change could not be relayed; the worker decides by the variant, never by its words.
#[derive(Debug, thiserror::Error)]
pub enum RelayError {
    /// The regulator's answer.
    #[error(transparent)]
    Metrc(#[from] MetrcError),
    /// The product is not mapped (or mapped wrongly) to a regulator item: a person fixes the
    /// mapping, then retries.
    #[error("{0}")]
    Mapping(String),
    /// The ledger cannot say what the change was (a package or receipt missing from the view).
    #[error("{0}")]
    Ledger(String),
    /// The regulator's record moved while our change was in doubt: a person must look.
    #[error("{0}")]
    Conflict(String),
    /// The outbox could not record its own progress.
    #[error("the outbox could not record its progress: {0}")]
    Store(#[from] crate::store::StoreError),
}
