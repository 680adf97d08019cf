//! The regulator keys are sealed before they reach the database: the database files alone reveal
//! neither key, a restart opens them again, and keys saved in the clear by an older Pistil are
//! sealed at the next start.

use reqwest::StatusCode;
use serde_json::json;
use server::{
    regulator::setup::{self, Connection},
    store::{SettingStore, Store},
    Application,
};

use crate::helpers::*;

/// Every byte the database keeps, write-ahead log included.
fn database_bytes(dir: &std::path::Path) -> Vec<u8> {
    let mut all = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if name.ends_with(".db")
            || name.ends_with(".db-wal")
            || name.ends_with(".sqlite")
            || name.contains("sqlite")
        {
            all.extend(std::fs::read(&path).unwrap());
        }
    }
    assert!(!all.is_empty(), "no database file in {}", dir.display());
    all
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

#[tokio::test]
async fn saved_keys_never_reach_the_database_in_the_clear() {
    let app = spawn_app().await;
    let (vendor, user) = ("VENDOR-KEY-3f9a1c", "USER-KEY-77b2e0");
    let res = app
        .manager
        .client
        .put(app.url("/regulator/credentials"))
        .json(
            &json!({"base_url": "http://127.0.0.1:9", "vendor_key": vendor,
            "user_key": user, "license": "C10-0000001-LIC"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let bytes = database_bytes(app.data_dir.path());
    assert!(
        !contains(&bytes, vendor) && !contains(&bytes, user),
        "a key is in the clear"
    );
    let c = setup::saved(&app.store, &app.secret)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (
            c.credentials.vendor_key.as_str(),
            c.credentials.user_key.as_str()
        ),
        (vendor, user)
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let key = app.data_dir.path().join(server::secret::FILE);
        assert_eq!(
            std::fs::metadata(key).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
}

#[tokio::test]
async fn keys_an_older_pistil_saved_in_the_clear_are_sealed_at_the_next_start() {
    let dir = tempfile::tempdir().unwrap();
    {
        let store = Store::open(dir.path()).await.unwrap();
        let clear = json!({"base_url": "http://127.0.0.1:9", "vendor_key": "OLD-VENDOR-91",
            "user_key": "OLD-USER-92", "license": "C10-0000001-LIC"});
        store
            .put_setting("regulator_credentials", &clear)
            .await
            .unwrap();
    }
    let app = Application::build(config(dir.path())).await.unwrap();
    let state = app.state().clone();
    let opened: Connection = setup::saved(&state.store, &state.secret)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(opened.credentials.vendor_key, "OLD-VENDOR-91");
    assert_eq!(opened.credentials.user_key, "OLD-USER-92");
    let raw: serde_json::Value = state
        .store
        .setting("regulator_credentials")
        .await
        .unwrap()
        .unwrap();
    for key in ["vendor_key", "user_key"] {
        assert!(
            raw[key].as_str().unwrap().starts_with("sealed:v1:"),
            "{raw}"
        );
    }
    drop(app);
}
