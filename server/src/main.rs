//! `pistil`: the Pistil server binary.

use clap::Parser;
use server::cli::{BenchKind, Cli, Command, UserCommand};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    server::telemetry::init();
    match cli.command {
        Command::Serve(args) => {
            let demo = args.demo;
            let app = server::Application::build(args.into_config()).await?;
            if demo {
                println!("Demo sign-ins (email / password):");
                for (email, _, role, password) in server::demo::LOGINS {
                    println!("  {:<8} {email} / {password}", role.as_str());
                }
            }
            println!("Pistil is running at http://{}", app.local_addr());
            app.run_until_stopped().await
        }
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
            if run(BenchKind::Reports) {
                server::bench::reports(args.n.unwrap_or(30_000)).await?;
            }
            Ok(())
        }
        Command::RegulatorSandbox(args) => {
            let st = server::regulator::sandbox_http::SandboxState::open(&args.data_dir).await?;
            if st.is_empty() {
                let (vendor, user) = (
                    uuid::Uuid::new_v4().simple().to_string(),
                    uuid::Uuid::new_v4().simple().to_string(),
                );
                let tags = (1..=5000u32)
                    .map(|n| format!("1A4FF0300000029{n:09}"))
                    .collect();
                st.provision(&args.license, "Sandbox facility", &vendor, &user, tags)
                    .await?;
                println!(
                    "Provisioned facility {} with 5,000 package tags.",
                    args.license
                );
                println!("Vendor key: {vendor}");
                println!("User key:   {user}");
            }
            let listener = tokio::net::TcpListener::bind(args.addr).await?;
            println!(
                "Metrc sandbox listening at http://{}",
                listener.local_addr()?
            );
            axum::serve(listener, server::regulator::sandbox_http::router(st)).await?;
            Ok(())
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
                server::auth::add_user(store.pool(), &args.email, &args.name, role, &args.password)
                    .await?;
            println!("Added {} <{}> as {}", user.name, user.email, role.as_str());
            Ok(())
        }
    }
}
