//! Runtime configuration of the server.

use std::{net::SocketAddr, path::PathBuf};

/// Everything `Application::build` needs to know.
#[derive(Debug, Clone)]
pub struct Config {
    /// Address to bind; port 0 picks a free one.
    pub addr: SocketAddr,
    /// Directory for the SQLite database.
    pub data_dir: PathBuf,
    /// Directory of the built browser app.
    pub dist: PathBuf,
    /// Whether to seed the demo store.
    pub demo: bool,
    /// Whether cookies are marked `Secure` (set when served behind TLS).
    pub secure_cookies: bool,
    /// The address people open Pistil at, when it is not the one it listens on (behind a
    /// reverse proxy): state-changing requests must come from its origin, and an https address
    /// makes cookies `Secure`.
    pub public_url: Option<url::Url>,
    /// How often expired pickup holds are looked for.
    pub hold_sweep: std::time::Duration,
    /// How long a regulator call may take before its answer counts as lost.
    pub regulator_timeout: std::time::Duration,
    /// How long a pickup order holds its stock before it lapses.
    pub pickup_hold: std::time::Duration,
    /// GET calls per second the regulator allows this facility (Metrc's default is 50).
    pub regulator_gets_per_second: f64,
    /// Packages expiring within this many days raise an alert.
    pub expiry_alert_days: u32,
    /// How often alerts are recomputed for the staff stream.
    pub alert_sweep: std::time::Duration,
    /// The share (percent) of a product's stock on the floor one online customer may hold.
    pub online_hold_share: u32,
}
