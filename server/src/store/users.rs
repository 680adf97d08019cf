//! Staff accounts and their sessions. Passwords arrive hashed and tokens as their hashes: the
//! store never sees either in the clear.

use std::future::Future;

use chrono::{DateTime, Utc};
use domain::account::{Role, User};
use sqlx::Row;

use super::{Store, StoreError};

/// Users and sessions.
pub trait UserStore {
    /// Adds a user with its password hash; `Duplicate` when the email is taken.
    fn insert_user(
        &self,
        user: &User,
        password_hash: &str,
        at: DateTime<Utc>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// The user with this (case-folded) email, with its password hash.
    fn user_by_email(
        &self,
        email: &str,
    ) -> impl Future<Output = Result<Option<(User, String)>, StoreError>> + Send;
    /// Whether a user id exists.
    fn user_exists(
        &self,
        id: domain::UserId,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
    /// Opens a session under its token's hash.
    fn insert_session(
        &self,
        token_hash: &str,
        user: domain::UserId,
        at: DateTime<Utc>,
        expires: DateTime<Utc>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// The user of a session that has not expired by `now`.
    fn session_user(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<Option<User>, StoreError>> + Send;
    /// Ends a session.
    fn delete_session(
        &self,
        token_hash: &str,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
}

/// A user row (id, email, name, role first).
fn user_of(row: &sqlx::sqlite::SqliteRow) -> Result<User, StoreError> {
    let unreadable = |what: String| StoreError::Unreadable {
        what,
        source: serde::de::Error::custom("not a value Pistil writes"),
    };
    let id: String = row.try_get(0)?;
    let role: String = row.try_get(3)?;
    Ok(User {
        id: id
            .parse()
            .map_err(|_| unreadable(format!("user id {id:?}")))?,
        email: row.try_get(1)?,
        name: row.try_get(2)?,
        role: Role::parse(&role).ok_or_else(|| unreadable(format!("role {role:?}")))?,
    })
}

impl UserStore for Store {
    async fn insert_user(
        &self,
        user: &User,
        password_hash: &str,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO users (id, email, name, role, password_hash, created_at) VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(user.id.to_string())
        .bind(&user.email)
        .bind(&user.name)
        .bind(user.role.as_str())
        .bind(password_hash)
        .bind(at.to_rfc3339())
        .execute(&self.pool)
        .await
        .map_err(|e| match e {
            sqlx::Error::Database(d) if d.is_unique_violation() => {
                StoreError::Duplicate(format!("a user with email {}", user.email))
            }
            e => e.into(),
        })?;
        Ok(())
    }

    async fn user_by_email(&self, email: &str) -> Result<Option<(User, String)>, StoreError> {
        let row =
            sqlx::query("SELECT id, email, name, role, password_hash FROM users WHERE email = ?")
                .bind(email)
                .fetch_optional(&self.pool)
                .await?;
        row.map(|r| Ok((user_of(&r)?, r.try_get(4)?))).transpose()
    }

    async fn user_exists(&self, id: domain::UserId) -> Result<bool, StoreError> {
        Ok(sqlx::query("SELECT 1 FROM users WHERE id = ?")
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await?
            .is_some())
    }

    async fn insert_session(
        &self,
        token_hash: &str,
        user: domain::UserId,
        at: DateTime<Utc>,
        expires: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)")
            .bind(token_hash)
            .bind(user.to_string())
            .bind(at.to_rfc3339())
            .bind(expires.to_rfc3339())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn session_user(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<User>, StoreError> {
        // Both times are written by `to_rfc3339` in UTC, one text form that sorts as time.
        let row = sqlx::query(
            "SELECT u.id, u.email, u.name, u.role FROM sessions s JOIN users u ON u.id = s.user_id
             WHERE s.token_hash = ? AND s.expires_at > ?",
        )
        .bind(token_hash)
        .bind(now.to_rfc3339())
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(user_of).transpose()
    }

    async fn delete_session(&self, token_hash: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = ?")
            .bind(token_hash)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
