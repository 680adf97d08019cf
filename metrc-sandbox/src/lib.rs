//! A stateful, Metrc-v2-faithful sandbox: the same paths, Basic auth with vendor and user keys,
//! `licenseNumber`, paginated envelopes, Metrc's error shapes, a journal that survives restarts,
//! and fault injection under `/sandbox/v2/`. The default regulator in development, demos and
//! tests, as Metrc's own sandbox is for integrators. It speaks [`metrc`]'s wire model from the
//! other side; `metrc` knows nothing of it.

mod auth;
mod catalog;
mod error;
mod facility;
pub mod faults;
mod journal;
mod locations;
pub mod model;
mod outgoing;
mod packages;
mod paging;
mod receipts;
mod retail_id;
mod routes;
mod state;

pub use faults::Faults;
pub use journal::SeedPackage;
pub use routes::router;
pub use state::SandboxState;

/// Tags a stand-alone sandbox's facility starts with.
pub const STANDALONE_TAGS: u32 = 5000;

/// Runs the sandbox on its own until the process stops: opens its journal in `data_dir`, on
/// first start provisions `license` with fresh keys (printed once) and [`STANDALONE_TAGS`] tags,
/// and serves on `addr`.
pub async fn run_standalone(
    addr: std::net::SocketAddr,
    data_dir: &std::path::Path,
    license: &str,
) -> anyhow::Result<()> {
    let st = SandboxState::open(data_dir).await?;
    if st.is_empty() {
        let vendor = uuid::Uuid::new_v4().simple().to_string();
        let user = uuid::Uuid::new_v4().simple().to_string();
        let tags = (1..=STANDALONE_TAGS)
            .map(|n| format!("1A4FF0300000029{n:09}"))
            .collect();
        st.provision(license, "Sandbox facility", &vendor, &user, tags)
            .await?;
        println!("Provisioned facility {license} with {STANDALONE_TAGS} package tags.");
        println!("Vendor key: {vendor}");
        println!("User key:   {user}");
    }
    let listener = tokio::net::TcpListener::bind(addr).await?;
    println!(
        "Metrc sandbox listening at http://{}",
        listener.local_addr()?
    );
    axum::serve(listener, router(st)).await?;
    Ok(())
}
