//! Metrc's API as Pistil speaks it: the v2 wire model ([`wire`]) and a typed client
//! ([`MetrcClient`]) whose every failure is one [`MetrcError`] the relay can act on.
//!
//! This crate knows nothing of Pistil's ledger and nothing of any sandbox: it is what talks to
//! the real Metrc, and what a sandbox imitates from the other side of the wire.

pub mod client;
pub mod error;
pub mod number;
pub mod wire;

pub use client::{Credentials, MetrcClient, DEFAULT_GETS_PER_SECOND};
pub use error::MetrcError;
