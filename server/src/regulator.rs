//! The regulator side: a Metrc-v2-faithful sandbox (the default regulator in development, demos
//! and tests); a typed client; and the outbox worker that relays the ledger to it exactly once.

pub mod client;
pub mod outbox;
pub mod sandbox;
pub mod sandbox_http;
pub mod setup;
