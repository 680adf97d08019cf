//! The state every route shares: handles to the layers below, assembled by `Application`.

/// Shared state handed to every handler.
#[derive(Clone)]
pub struct AppState {
    /// The ledger's database.
    pub store: crate::store::Store,
    /// Seals the regulator keys and keys the phone hash.
    pub secret: crate::secret::Secret,
    /// The ledger writer and its live view.
    pub ledger: crate::ledger::Ledger,
    /// Sign-in rate limiter.
    pub limiter: crate::auth::LoginLimiter,
    /// Bounds on what anonymous callers may hold through public orders.
    pub order_limits: crate::order_limits::OrderLimits,
    /// Whether session cookies carry `Secure` (behind TLS, or a public https address).
    pub secure_cookies: bool,
    /// The one origin changes may come from (`https://shop.example`), when a public address is
    /// set; otherwise the request's own host.
    pub public_origin: Option<String>,
    /// The regulator outbox worker and its health.
    pub outbox: crate::regulator::outbox::Outbox,
    /// Timeout of regulator calls.
    pub regulator_timeout: std::time::Duration,
    /// GET calls per second allowed by the regulator.
    pub regulator_gets_per_second: f64,
    /// The current alerts, republished whenever they change.
    pub alerts: crate::alerts::Alerts,
    /// The monthly reports, and the ledger's events as they last read them.
    pub reports: crate::reports::Reports,
    /// The public menu's live stream.
    pub menu_feed: crate::feed::MenuFeed,
}
