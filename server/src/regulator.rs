//! The regulator side: a Metrc-v2-faithful sandbox (the default regulator in development, demos
//! and tests). The typed client and the outbox worker that drain the ledger into it come next.

pub mod sandbox;
pub mod sandbox_http;
