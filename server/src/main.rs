//! `pistil`: the Pistil server binary.

use clap::Parser;
use server::cli::{Cli, Command};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    server::telemetry::init();
    match cli.command {
        Command::Serve(args) => {
            let app = server::Application::build(args.into_config()).await?;
            println!("Pistil is running at http://{}", app.local_addr());
            app.run_until_stopped().await
        }
    }
}
