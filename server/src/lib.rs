//! Pistil's server: authenticates, runs the domain's decisions inside database transactions,
//! stores events, serves the browser app and streams what changed.

pub mod alerts;
pub mod auth;
#[cfg(feature = "bench")]
pub mod bench;
pub mod cli;
pub mod config;
#[cfg(feature = "demo")]
pub mod demo;
pub mod feed;
pub mod hold_expiry;
pub mod http;
pub mod ledger;
pub mod order_limits;
pub mod reconcile;
pub mod regulator;
pub mod reports;
pub mod secret;
pub mod store;
pub mod telemetry;
pub mod web;

use std::net::SocketAddr;

use anyhow::Context;
use tokio::net::TcpListener;

pub use config::Config;
pub use http::AppState;

/// A bound, ready-to-run server.
pub struct Application {
    listener: TcpListener,
    router: axum::Router,
    state: AppState,
}

impl Application {
    /// Opens the store, runs migrations, binds the address and assembles the routes.
    pub async fn build(config: Config) -> anyhow::Result<Self> {
        let store = store::Store::open(&config.data_dir).await?;
        let secret = secret::Secret::load(&config.data_dir)?;
        regulator::setup::seal_at_rest(&store, &secret).await?;
        let max_hold = chrono::Duration::from_std(config.pickup_hold)
            .context("the pickup hold is longer than Pistil can count")?;
        let ledger = ledger::Ledger::start(std::sync::Arc::new(store.clone()), max_hold).await?;
        let menu_feed = feed::MenuFeed::start(&ledger);
        if config.demo {
            #[cfg(feature = "demo")]
            demo::seed_if_empty(&store, &ledger).await?;
            #[cfg(not(feature = "demo"))]
            anyhow::bail!(
                "this build of Pistil carries no demo store (build it with --features demo)"
            );
        }
        hold_expiry::spawn(ledger.clone(), config.hold_sweep);
        regulator::reasons::restore(&store, &ledger).await?;
        regulator::locations::restore(&store, &ledger).await?;
        // The regulator: saved credentials, or else the embedded sandbox.
        let creds = match regulator::setup::saved(&store, &secret).await? {
            Some(c) if !c.embedded => c,
            _ => {
                let embedded =
                    regulator::setup::embedded_sandbox(&config.data_dir, &store, &secret).await?;
                #[cfg(feature = "demo")]
                if config.demo && embedded.fresh {
                    demo::sandbox::seed_from_store(
                        &embedded.connection.credentials,
                        &store,
                        &ledger,
                    )
                    .await?;
                }
                embedded.connection
            }
        };
        let client = regulator::setup::client(
            creds.credentials.clone(),
            config.regulator_timeout,
            config.regulator_gets_per_second,
        );
        // The embedded sandbox answers at once, so its list is in force before the first change;
        // a real regulator's is read in the background.
        if creds.embedded {
            if let Err(e) = regulator::reasons::read(&store, &ledger, &client).await {
                tracing::warn!(error = %e, "could not read the sandbox's adjustment reasons");
            }
        } else {
            regulator::reasons::read_soon(store.clone(), ledger.clone(), client.clone());
        }
        let outbox = regulator::outbox::Outbox::new(store.clone(), ledger.clone(), Some(client));
        #[cfg(feature = "demo")]
        if config.demo && creds.embedded {
            demo::plants::plant_once(&store, &ledger, &outbox, &creds.credentials).await?;
        }
        outbox.clone().spawn();
        let order_limits = order_limits::OrderLimits::new(
            order_limits::PER_PHONE,
            order_limits::PER_ADDRESS,
            config.online_hold_share,
        );
        let alerts = alerts::Alerts::new(
            store.clone(),
            ledger.clone(),
            outbox.clone(),
            order_limits.clone(),
            config.expiry_alert_days,
        );
        let reports = reports::Reports::new(store.clone(), ledger.clone());
        let state = AppState {
            store,
            secret: secret.clone(),
            ledger,
            order_limits,
            limiter: auth::LoginLimiter::new(10, 50, std::time::Duration::from_secs(60), 100_000),
            secure_cookies: config.secure_cookies
                || config
                    .public_url
                    .as_ref()
                    .is_some_and(|u| u.scheme() == "https"),
            public_origin: config
                .public_url
                .as_ref()
                .map(|u| u.origin().ascii_serialization()),
            outbox,
            regulator_timeout: config.regulator_timeout,
            regulator_gets_per_second: config.regulator_gets_per_second,
            alerts: alerts.clone(),
            reports: reports.clone(),
            menu_feed,
        };
        alerts.spawn(config.alert_sweep);
        reports.spawn(std::time::Duration::from_secs(600));
        let router = http::router(state.clone(), &config.dist);
        let listener = TcpListener::bind(config.addr)
            .await
            .with_context(|| format!("cannot listen on {}", config.addr))?;
        Ok(Self {
            listener,
            router,
            state,
        })
    }

    /// The address actually bound (useful with port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("a bound listener has an address")
    }

    /// The shared state (store, ledger), for tools and tests that run beside the server.
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until the process receives Ctrl-C or SIGTERM.
    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        tracing::info!(addr = %self.local_addr(), "serving");
        // Live streams send small frames; Nagle would hold them back waiting for acknowledgements.
        use axum::serve::ListenerExt;
        let listener = self.listener.tap_io(|tcp| {
            let _ = tcp.set_nodelay(true);
        });
        // Connection info: limits on sign-in and public orders count per client address too.
        axum::serve(
            listener,
            self.router
                .into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown_signal())
        .await
        .context("server stopped with an error")
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = terminate => {} }
}
