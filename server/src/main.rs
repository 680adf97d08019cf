//! `pistil`: the Pistil server binary.

use clap::Parser;
#[cfg(feature = "bench")]
use server::cli::BenchKind;
use server::cli::{Cli, Command, UserCommand};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    server::telemetry::init();
    match cli.command {
        Command::Serve(args) => {
            let config = args.into_config();
            #[cfg(feature = "demo")]
            let demo = config.demo;
            let app = server::Application::build(config).await?;
            #[cfg(feature = "demo")]
            if demo {
                println!("Demo sign-ins (email / password):");
                for (email, _, role, password) in server::demo::LOGINS {
                    println!("  {:<8} {email} / {password}", role.as_str());
                }
            }
            println!("Pistil is running at http://{}", app.local_addr());
            app.run_until_stopped().await
        }
        #[cfg(feature = "bench")]
        Command::Bench(args) => {
            let run = |k: BenchKind| {
                matches!(args.which, BenchKind::All)
                    || std::mem::discriminant(&args.which) == std::mem::discriminant(&k)
            };
            if run(BenchKind::Ingest) {
                server::bench::ingest(args.n.unwrap_or(20_000)).await?;
            }
            if run(BenchKind::Fanout) {
                server::bench::fanout(
                    args.n.unwrap_or(200),
                    std::time::Duration::from_millis(args.interval_ms),
                )
                .await?;
            }
            if run(BenchKind::Export) {
                server::bench::export(args.n.unwrap_or(1_000_000)).await?;
            }
            if run(BenchKind::Drain) {
                server::bench::drain(args.n.unwrap_or(1_000)).await?;
            }
            if run(BenchKind::Reconcile) {
                server::bench::reconcile(args.n.unwrap_or(100_000)).await?;
            }
            if matches!(args.which, BenchKind::RelayFaults) {
                for seed in &args.seeds {
                    server::bench::relay_faults(args.n.unwrap_or(1_000), *seed).await?;
                }
            }
            if run(BenchKind::Reports) {
                server::bench::reports(args.n.unwrap_or(30_000)).await?;
            }
            Ok(())
        }
        Command::RegulatorSandbox(args) => {
            metrc_sandbox::run_standalone(args.addr, &args.data_dir, &args.license).await
        }
        Command::User(UserCommand::Add(args)) => {
            let role = server::auth::Role::parse(&args.role).ok_or_else(|| {
                anyhow::anyhow!(
                    "role must be owner, manager or staff; got \"{}\"",
                    args.role
                )
            })?;
            let store = server::store::Store::open(&args.data_dir).await?;
            let user =
                server::auth::add_user(&store, &args.email, &args.name, role, &args.password)
                    .await?;
            println!("Added {} <{}> as {}", user.name, user.email, role.as_str());
            Ok(())
        }
    }
}
