//! Command-line interface of the `pistil` binary.

use std::{net::SocketAddr, path::PathBuf};

use clap::{Args, Parser, Subcommand};

use crate::config::Config;

/// Pistil: one live, provable picture of a cannabis retailer's shelf, sales and regulator records.
#[derive(Debug, Parser)]
#[command(name = "pistil", version, about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands of `pistil`.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the app and the API.
    Serve(ServeArgs),
    /// Manage staff accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Run a benchmark against a temporary server on 127.0.0.1 and print its figures.
    #[cfg(feature = "bench")]
    Bench(BenchArgs),
    /// Run the Metrc-faithful regulator sandbox on its own.
    RegulatorSandbox(SandboxArgs),
}

/// Options of `pistil regulator-sandbox`.
#[derive(Debug, Args)]
pub struct SandboxArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8081")]
    pub addr: SocketAddr,
    /// Directory of the sandbox's own database.
    #[arg(long, default_value = "./data/regulator-sandbox")]
    pub data_dir: PathBuf,
    /// Facility licence to provision on first start.
    #[arg(long, default_value = "C10-0000001-LIC")]
    pub license: String,
}

/// Options of `pistil bench`.
#[cfg(feature = "bench")]
#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Which benchmark.
    #[arg(value_enum)]
    pub which: BenchKind,
    /// How many mutations (ingest), sales (fanout, drain), events (export) or packages (reconcile); each has a default.
    #[arg(long)]
    pub n: Option<usize>,
    /// Fan-out: milliseconds between sales (20 = a very busy store; 5 = a burst).
    #[arg(long, default_value_t = 20)]
    pub interval_ms: u64,
    /// Relay faults: the seeds of the random sequences, one run each (`--seed 1 --seed 2`).
    #[arg(long = "seed", default_values_t = [1u64])]
    pub seeds: Vec<u64>,
}

/// The server benchmarks.
#[cfg(feature = "bench")]
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum BenchKind {
    /// Durable mutations per second over HTTP vs raw sqlx.
    Ingest,
    /// Commit-to-delivery delay for 1 and 1,000 menu stream subscribers.
    Fanout,
    /// Audit export of 1,000,000 events vs sqlite3 -csv.
    Export,
    /// Regulator outbox drain rate vs the GET pace, and calls per event.
    Drain,
    /// Reconciliation of 100,000 packages vs parsing the regulator snapshot alone.
    Reconcile,
    /// Every monthly report for a month of 30,000 receipts, vs reading the events alone.
    Reports,
    /// Fault soak: mixed changes under every sandbox fault, a key expiry and a SIGKILL, then the
    /// regulator compared with the ledger record by record (not part of `all`).
    RelayFaults,
    /// All of them, one after another.
    All,
}

/// `pistil user ...`
#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a user.
    Add(UserAddArgs),
}

/// Options of `pistil user add`.
#[derive(Debug, Args)]
pub struct UserAddArgs {
    /// Sign-in email.
    #[arg(long)]
    pub email: String,
    /// Display name.
    #[arg(long)]
    pub name: String,
    /// owner, manager or staff.
    #[arg(long)]
    pub role: String,
    /// Password (at least 8 characters); read from PISTIL_PASSWORD when not given.
    #[arg(long, env = "PISTIL_PASSWORD", hide_env_values = true)]
    pub password: String,
    /// Directory of the database.
    #[arg(long, default_value = "./data", env = "PISTIL_DATA_DIR")]
    pub data_dir: PathBuf,
}

/// Options of `pistil serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on; port 0 picks a free port.
    #[arg(long, default_value = "127.0.0.1:8080", env = "PISTIL_ADDR")]
    pub addr: SocketAddr,
    /// Directory for the database and other state; created when missing.
    #[arg(long, default_value = "./data", env = "PISTIL_DATA_DIR")]
    pub data_dir: PathBuf,
    /// Directory holding the built browser app (Trunk's output).
    #[arg(long, default_value = "./dist", env = "PISTIL_DIST")]
    pub dist: PathBuf,
    /// Seed a realistic demo store on first start.
    #[cfg(feature = "demo")]
    #[arg(long)]
    pub demo: bool,
    /// Mark session cookies Secure (when served behind TLS).
    #[arg(long, env = "PISTIL_SECURE_COOKIES")]
    pub secure_cookies: bool,
    /// The address people open Pistil at, behind a reverse proxy (`https://shop.example`):
    /// changes are accepted only from that origin, and https makes cookies Secure.
    #[arg(long, env = "PISTIL_PUBLIC_URL")]
    pub public_url: Option<url::Url>,
    /// Seconds between sweeps for expired pickup holds.
    #[arg(long, default_value_t = 5, env = "PISTIL_HOLD_SWEEP_SECS")]
    pub hold_sweep_secs: u64,
    /// Milliseconds a regulator call may take before its answer counts as lost.
    #[arg(long, default_value_t = 10_000, env = "PISTIL_REGULATOR_TIMEOUT_MS")]
    pub regulator_timeout_ms: u64,
    /// How long a pickup order holds its stock before it lapses: `2h`, `90m` or `30s`.
    #[arg(long, default_value = "2h", value_parser = parse_span, env = "PISTIL_PICKUP_HOLD")]
    pub pickup_hold: std::time::Duration,
    /// GET calls per second the regulator allows this facility.
    #[arg(long, default_value_t = 50.0, env = "PISTIL_REGULATOR_GETS_PER_SECOND")]
    pub regulator_gets_per_second: f64,
    /// Packages expiring within this many days raise an alert.
    #[arg(long, default_value_t = 30, env = "PISTIL_EXPIRY_ALERT_DAYS")]
    pub expiry_alert_days: u32,
    /// The share (percent, 1 to 100) of a product's stock on the floor that one online customer
    /// may hold at once.
    #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(u32).range(1..=100), env = "PISTIL_ONLINE_HOLD_SHARE")]
    pub online_hold_share: u32,
}

impl ServeArgs {
    /// Turns parsed arguments into the server's configuration.
    pub fn into_config(self) -> Config {
        Config {
            addr: self.addr,
            data_dir: self.data_dir,
            dist: self.dist,
            #[cfg(feature = "demo")]
            demo: self.demo,
            #[cfg(not(feature = "demo"))]
            demo: false,
            secure_cookies: self.secure_cookies,
            public_url: self.public_url,
            hold_sweep: std::time::Duration::from_secs(self.hold_sweep_secs.max(1)),
            regulator_timeout: std::time::Duration::from_millis(self.regulator_timeout_ms.max(50)),
            regulator_gets_per_second: self.regulator_gets_per_second,
            pickup_hold: self.pickup_hold,
            expiry_alert_days: self.expiry_alert_days,
            alert_sweep: std::time::Duration::from_secs(15),
            online_hold_share: self.online_hold_share,
        }
    }
}

/// A span of time as people write it: a whole number and `h`, `m` or `s`.
fn parse_span(raw: &str) -> Result<std::time::Duration, String> {
    let raw = raw.trim();
    let (digits, unit) = raw.split_at(raw.find(|c: char| !c.is_ascii_digit()).unwrap_or(raw.len()));
    let n: u64 = digits.parse().map_err(|_| {
        format!("\"{raw}\" is not a span of time; write for example 2h, 90m or 30s")
    })?;
    let secs = match unit {
        "h" => n * 3600,
        "m" => n * 60,
        "s" => n,
        _ => return Err(format!("\"{raw}\": the unit must be h, m or s")),
    };
    if secs == 0 {
        return Err("a pickup hold must last at least 1 s".into());
    }
    Ok(std::time::Duration::from_secs(secs))
}

#[cfg(test)]
mod tests {
    use super::parse_span;
    use std::time::Duration;

    #[test]
    fn spans_read_as_people_write_them() {
        assert_eq!(parse_span("2h"), Ok(Duration::from_secs(7200)));
        assert_eq!(parse_span("90m"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse_span(" 3s "), Ok(Duration::from_secs(3)));
    }

    #[test]
    fn a_span_without_a_unit_or_number_is_refused_with_an_example() {
        assert!(parse_span("120").unwrap_err().contains("unit"));
        assert!(parse_span("soon").unwrap_err().contains("2h"));
        assert!(parse_span("0s").is_err());
    }
}
