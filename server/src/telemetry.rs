//! Structured logging with `tracing`.

use tracing_subscriber::{fmt, prelude::*, EnvFilter};

/// Installs the global subscriber: JSON lines when `PISTIL_LOG_FORMAT=json`, human-readable otherwise.
/// `RUST_LOG` overrides the default filter.
pub fn init() {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,server=info,tower_http=warn,sqlx=warn"));
    let json = std::env::var("PISTIL_LOG_FORMAT").is_ok_and(|v| v == "json");
    let registry = tracing_subscriber::registry().with(filter);
    // try_init: tests may install a subscriber more than once per process.
    let _ = if json {
        registry
            .with(fmt::layer().json().with_writer(std::io::stderr))
            .try_init()
    } else {
        registry
            .with(fmt::layer().compact().with_writer(std::io::stderr))
            .try_init()
    };
}
