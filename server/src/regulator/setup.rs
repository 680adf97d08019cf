//! Which regulator `pistil serve` talks to: the credentials a manager saved, or else an embedded
//! sandbox on loopback, provisioned on first start and, under `--demo`, seeded from the store.

use std::{path::Path, time::Duration};

use crate::store::{SettingStore, Store, StoreError};
use chrono::NaiveDate;
use metrc::{Credentials, MetrcClient};
use metrc_sandbox::SandboxState;
use serde::{Deserialize, Serialize};

const SETTING: &str = "regulator_credentials";

/// A regulator connection as the store keeps it: Metrc's credentials, and what Pistil knows of
/// them that Metrc does not say.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Connection {
    /// Base URL, keys and licence.
    #[serde(flatten)]
    pub credentials: Credentials,
    /// Whether these are the embedded sandbox's own (remade at each start).
    #[serde(default)]
    pub embedded: bool,
    /// When the user key expires, where the store knows it (Metrc does not say).
    #[serde(default)]
    pub key_expires_on: Option<NaiveDate>,
}

/// The embedded sandbox as this start found it.
pub struct Embedded {
    /// The connection to it, saved.
    pub connection: Connection,
    /// Whether it was provisioned just now (its journal was empty), so nothing is in it yet.
    pub fresh: bool,
}

/// The saved credentials, if any.
pub async fn saved(store: &Store) -> Result<Option<Connection>, StoreError> {
    store.setting(SETTING).await
}

/// Saves credentials (server-side only; no API ever returns them).
pub async fn save(store: &Store, creds: &Connection) -> Result<(), StoreError> {
    store.put_setting(SETTING, creds).await
}

/// The embedded sandbox's licence.
pub const SANDBOX_LICENSE: &str = "C10-0000001-LIC";

/// Starts the embedded sandbox on loopback and, on its first start, provisions it. Returns the
/// connection, saved.
pub async fn embedded_sandbox(data_dir: &Path, store: &Store) -> anyhow::Result<Embedded> {
    let st = SandboxState::open(&data_dir.join("regulator-sandbox")).await?;
    let fresh = st.is_empty();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base_url = format!("http://{}", listener.local_addr()?);
    let router = metrc_sandbox::router(st.clone());
    tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, router).await {
            tracing::error!(error = ?e, "embedded regulator sandbox stopped");
        }
    });
    let mut creds = match saved(store).await? {
        Some(c) if !fresh => c,
        _ => Connection {
            credentials: Credentials {
                base_url: base_url.clone(),
                vendor_key: uuid::Uuid::new_v4().simple().to_string(),
                user_key: uuid::Uuid::new_v4().simple().to_string(),
                license: SANDBOX_LICENSE.into(),
            },
            embedded: true,
            key_expires_on: None,
        },
    };
    // The port is new on every start.
    creds.credentials.base_url = base_url;
    if fresh {
        let tags = (1..=2000u32)
            .map(|n| format!("1A4FF0300000029{:09}", 900_000 + n))
            .collect();
        st.provision(
            &creds.credentials.license,
            "Pistil embedded sandbox",
            &creds.credentials.vendor_key,
            &creds.credentials.user_key,
            tags,
        )
        .await?;
    }
    save(store, &creds).await?;
    Ok(Embedded {
        connection: creds,
        fresh,
    })
}

/// A client for saved credentials.
pub fn client(creds: Credentials, timeout: Duration, gets_per_second: f64) -> MetrcClient {
    MetrcClient::with_get_rate(creds, timeout, gets_per_second)
}
