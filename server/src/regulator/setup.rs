//! Which regulator `pistil serve` talks to: the credentials a manager saved, or else an embedded
//! sandbox on loopback, provisioned on first start and, under `--demo`, seeded from the store.

use std::{path::Path, time::Duration};

use crate::{
    secret::{Secret, SecretError},
    store::{SettingStore, Store, StoreError},
};
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

/// Why the saved connection cannot be read or kept.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    /// The database.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The keys do not open with this server's secret (another `secret.key`, or edited).
    #[error("the saved regulator keys cannot be opened: {0}; save the credentials again")]
    Sealed(#[from] SecretError),
}

/// The saved credentials, if any, with their keys opened. Keys saved before sealing existed are
/// read as they are (and sealed by `seal_at_rest`).
pub async fn saved(store: &Store, secret: &Secret) -> Result<Option<Connection>, SetupError> {
    let Some(mut c) = store.setting::<Connection>(SETTING).await? else {
        return Ok(None);
    };
    for key in [&mut c.credentials.vendor_key, &mut c.credentials.user_key] {
        if Secret::is_sealed(key) {
            *key = secret.open(key)?;
        }
    }
    Ok(Some(c))
}

/// What is known of the saved connection without opening its keys: enough for health reports.
#[derive(Clone, Debug, PartialEq)]
pub struct Facts {
    /// The facility licence.
    pub license: String,
    /// Where it sends.
    pub base_url: String,
    /// Whether it is the embedded sandbox.
    pub embedded: bool,
    /// When the user key expires, where known.
    pub key_expires_on: Option<NaiveDate>,
}

/// The saved connection's facts, keys left sealed.
pub async fn facts(store: &Store) -> Result<Option<Facts>, StoreError> {
    Ok(store.setting::<Connection>(SETTING).await?.map(|c| Facts {
        license: c.credentials.license,
        base_url: c.credentials.base_url,
        embedded: c.embedded,
        key_expires_on: c.key_expires_on,
    }))
}

/// Saves credentials with both keys sealed (server-side only; no API ever returns them).
pub async fn save(store: &Store, secret: &Secret, creds: &Connection) -> Result<(), SetupError> {
    let mut sealed = creds.clone();
    sealed.credentials.vendor_key = secret.seal(&creds.credentials.vendor_key);
    sealed.credentials.user_key = secret.seal(&creds.credentials.user_key);
    Ok(store.put_setting(SETTING, &sealed).await?)
}

/// Seals keys a store saved in the clear before sealing existed.
pub async fn seal_at_rest(store: &Store, secret: &Secret) -> Result<(), SetupError> {
    let Some(stored) = store.setting::<Connection>(SETTING).await? else {
        return Ok(());
    };
    let c = &stored.credentials;
    if Secret::is_sealed(&c.vendor_key) && Secret::is_sealed(&c.user_key) {
        return Ok(());
    }
    if let Some(open) = saved(store, secret).await? {
        save(store, secret, &open).await?;
        tracing::info!("regulator keys sealed at rest");
    }
    Ok(())
}

/// Why a regulator address is refused.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum BaseUrlError {
    /// Not a URL at all.
    #[error("base_url: \"{0}\" is not a URL ({1})")]
    NotAUrl(String, String),
    /// Not http or https.
    #[error("base_url: the regulator is reached over https, not {0}")]
    Scheme(String),
    /// A user name or password inside the address: the keys would go to whichever host follows.
    #[error("base_url: an address may not carry a user name or password (\"user@\"): the keys go in their own fields")]
    UserInfo,
    /// No host.
    #[error("base_url: the address names no host")]
    NoHost,
    /// Plain http to another machine would send the keys in clear.
    #[error("base_url: plain http only to this machine (127.0.0.1 or [::1]); {0} needs https")]
    PlainHttp(String),
    /// A query or fragment has no place in a base address.
    #[error("base_url: the address may not carry a query or a fragment")]
    Extra,
}

/// A regulator address as Pistil will call it: parsed as a URL, https unless the host is a
/// loopback IP literal, no user name or password, no query; returned without a trailing slash,
/// with its host (and port) in words.
pub fn parse_base_url(s: &str) -> Result<(String, String), BaseUrlError> {
    let url = url::Url::parse(s.trim())
        .map_err(|e| BaseUrlError::NotAUrl(s.trim().chars().take(120).collect(), e.to_string()))?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(BaseUrlError::UserInfo);
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(BaseUrlError::Extra);
    }
    let host = match url.host() {
        Some(h) => h,
        None => return Err(BaseUrlError::NoHost),
    };
    let loopback = match &host {
        url::Host::Ipv4(ip) => ip.is_loopback(),
        url::Host::Ipv6(ip) => ip.is_loopback(),
        url::Host::Domain(_) => false,
    };
    let shown = match url.port() {
        Some(p) => format!("{host}:{p}"),
        None => host.to_string(),
    };
    match url.scheme() {
        "https" => {}
        "http" if loopback => {}
        "http" => return Err(BaseUrlError::PlainHttp(shown)),
        other => return Err(BaseUrlError::Scheme(other.to_owned())),
    }
    Ok((url.as_str().trim_end_matches('/').to_owned(), shown))
}

/// The embedded sandbox's licence.
pub const SANDBOX_LICENSE: &str = "C10-0000001-LIC";

/// Starts the embedded sandbox on loopback and, on its first start, provisions it. Returns the
/// connection, saved.
pub async fn embedded_sandbox(
    data_dir: &Path,
    store: &Store,
    secret: &Secret,
) -> anyhow::Result<Embedded> {
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
    let mut creds = match saved(store, secret).await? {
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
    save(store, secret, &creds).await?;
    Ok(Embedded {
        connection: creds,
        fresh,
    })
}

/// A client for saved credentials.
pub fn client(creds: Credentials, timeout: Duration, gets_per_second: f64) -> MetrcClient {
    MetrcClient::with_get_rate(creds, timeout, gets_per_second)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_anywhere_and_plain_http_only_to_a_loopback_literal() {
        assert_eq!(
            parse_base_url(" https://api-ca.metrc.com/ ").unwrap(),
            ("https://api-ca.metrc.com".into(), "api-ca.metrc.com".into())
        );
        assert_eq!(
            parse_base_url("http://127.0.0.1:8081").unwrap(),
            ("http://127.0.0.1:8081".into(), "127.0.0.1:8081".into())
        );
        assert_eq!(parse_base_url("http://[::1]:9000").unwrap().1, "[::1]:9000");
        assert!(parse_base_url("http://127.1.2.3:80").is_ok());
    }

    #[test]
    fn an_address_that_would_send_the_keys_elsewhere_is_refused() {
        use BaseUrlError::*;
        assert_eq!(
            parse_base_url("http://127.0.0.1@127.0.0.2:8081"),
            Err(UserInfo)
        );
        assert_eq!(
            parse_base_url("https://user:pw@api-ca.metrc.com"),
            Err(UserInfo)
        );
        assert_eq!(
            parse_base_url("http://127.0.0.1.evil.test"),
            Err(PlainHttp("127.0.0.1.evil.test".into()))
        );
        assert_eq!(
            parse_base_url("http://localhost:8081"),
            Err(PlainHttp("localhost:8081".into()))
        );
        assert_eq!(
            parse_base_url("http://10.0.0.5"),
            Err(PlainHttp("10.0.0.5".into()))
        );
        assert_eq!(
            parse_base_url("ftp://api-ca.metrc.com"),
            Err(Scheme("ftp".into()))
        );
        assert_eq!(parse_base_url("https://api-ca.metrc.com/?x=1"), Err(Extra));
        assert!(matches!(
            parse_base_url("api-ca.metrc.com"),
            Err(NotAUrl(..))
        ));
        assert!(matches!(
            parse_base_url("file:///etc/passwd"),
            Err(Scheme(_)) | Err(NoHost)
        ));
    }
}
