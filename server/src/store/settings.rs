//! Store-wide settings, each kept as JSON under its key.

use std::future::Future;

use serde::{de::DeserializeOwned, Serialize};

use super::{json, parse, Store, StoreError};

/// Settings by key.
pub trait SettingStore {
    /// A setting, if it was ever saved.
    fn setting<T: DeserializeOwned>(
        &self,
        key: &str,
    ) -> impl Future<Output = Result<Option<T>, StoreError>> + Send;
    /// Whether a setting was ever saved, whatever its value.
    fn has_setting(&self, key: &str) -> impl Future<Output = Result<bool, StoreError>> + Send;
    /// Saves a setting, replacing the one before.
    fn put_setting<T: Serialize + Sync>(
        &self,
        key: &str,
        value: &T,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
}

impl SettingStore for Store {
    async fn setting<T: DeserializeOwned>(&self, key: &str) -> Result<Option<T>, StoreError> {
        let value: Option<String> = sqlx::query_scalar("SELECT value FROM settings WHERE key = ?")
            .bind(key)
            .fetch_optional(&self.pool)
            .await?;
        value
            .map(|v| parse(|| format!("setting {key}"), &v))
            .transpose()
    }

    async fn has_setting(&self, key: &str) -> Result<bool, StoreError> {
        Ok(sqlx::query("SELECT 1 FROM settings WHERE key = ?")
            .bind(key)
            .fetch_optional(&self.pool)
            .await?
            .is_some())
    }

    async fn put_setting<T: Serialize + Sync>(
        &self,
        key: &str,
        value: &T,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO settings (key, value) VALUES (?, ?)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        )
        .bind(key)
        .bind(json(&format!("setting {key}"), value)?)
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}
