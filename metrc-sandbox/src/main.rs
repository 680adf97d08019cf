//! `metrc-sandbox`: the Metrc-faithful regulator sandbox as a program of its own.

use std::{net::SocketAddr, path::PathBuf};

use clap::Parser;

/// Runs the sandbox on its own, provisioning a facility on first start.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8081")]
    addr: SocketAddr,
    /// Directory of the sandbox's own database.
    #[arg(long, default_value = "./data/regulator-sandbox")]
    data_dir: PathBuf,
    /// Facility licence to provision on first start.
    #[arg(long, default_value = "C10-0000001-LIC")]
    license: String,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    metrc_sandbox::run_standalone(args.addr, &args.data_dir, &args.license).await
}
