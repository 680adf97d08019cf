//! Staff accounts, roles, argon2id passwords and cookie sessions.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use argon2::{
    password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString},
    Argon2,
};
use chrono::Utc;
use sha2::{Digest, Sha256};
use sqlx::{Row, SqlitePool};

/// Name of the session cookie.
pub const COOKIE: &str = "pistil_session";
/// How long a session lasts.
pub const SESSION_HOURS: i64 = 12;

pub use domain::account::{Role, User};

/// Hashes a password with argon2id and a random salt.
pub fn hash_password(password: &str) -> anyhow::Result<String> {
    // 16 bytes from the operating system's generator (uuid v4 draws them from getrandom).
    let salt = SaltString::encode_b64(uuid::Uuid::new_v4().as_bytes())
        .map_err(|e| anyhow::anyhow!("cannot make a salt: {e}"))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("cannot hash password: {e}"))
}

fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Creates a user; the email is case-folded.
pub async fn add_user(
    pool: &SqlitePool,
    email: &str,
    name: &str,
    role: Role,
    password: &str,
) -> anyhow::Result<User> {
    let email = email.trim().to_lowercase();
    anyhow::ensure!(email.contains('@'), "\"{email}\" is not an email address");
    anyhow::ensure!(
        password.chars().count() >= 8,
        "a password needs at least 8 characters"
    );
    let user = User {
        id: domain::UserId::new(),
        email,
        name: name.trim().to_owned(),
        role,
    };
    let hash = hash_password(password)?;
    sqlx::query("INSERT INTO users (id, email, name, role, password_hash, created_at) VALUES (?, ?, ?, ?, ?, ?)")
        .bind(user.id.to_string())
        .bind(&user.email)
        .bind(&user.name)
        .bind(role.as_str())
        .bind(hash)
        .bind(Utc::now().to_rfc3339())
        .execute(pool)
        .await
        .map_err(|e| match e {
            sqlx::Error::Database(d) if d.is_unique_violation() => anyhow::anyhow!("a user with email {} already exists", user.email),
            e => e.into(),
        })?;
    Ok(user)
}

fn user_from_row(row: &sqlx::sqlite::SqliteRow) -> Option<User> {
    Some(User {
        id: row.get::<String, _>("id").parse().ok()?,
        email: row.get("email"),
        name: row.get("name"),
        role: Role::parse(&row.get::<String, _>("role"))?,
    })
}

/// Checks a password; on success opens a session and returns its token.
pub async fn sign_in(
    pool: &SqlitePool,
    email: &str,
    password: &str,
) -> anyhow::Result<Option<(User, String)>> {
    let Some(user) = check_password(pool, email, password).await? else {
        return Ok(None);
    };
    let token = format!(
        "{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    );
    let now = Utc::now();
    sqlx::query(
        "INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)",
    )
    .bind(token_hash(&token))
    .bind(user.id.to_string())
    .bind(now.to_rfc3339())
    .bind((now + chrono::Duration::hours(SESSION_HOURS)).to_rfc3339())
    .execute(pool)
    .await?;
    Ok(Some((user, token)))
}

/// The user these credentials belong to, without starting a session (a witness confirming).
pub async fn check_password(
    pool: &SqlitePool,
    email: &str,
    password: &str,
) -> anyhow::Result<Option<User>> {
    let row = sqlx::query("SELECT id, email, name, role, password_hash FROM users WHERE email = ?")
        .bind(email.trim().to_lowercase())
        .fetch_optional(pool)
        .await?;
    let Some(row) = row else {
        // Spend the same effort as a real check, so timing does not reveal which emails exist.
        let _ = verify_password(password, "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$1aH0Vb1tUvHc7fE3jx5v5vgHn2GZUKe3xVtq3XGm0oE");
        return Ok(None);
    };
    let hash: String = row.get("password_hash");
    if !verify_password(password, &hash) {
        return Ok(None);
    }
    let user = user_from_row(&row).ok_or_else(|| anyhow::anyhow!("user row is malformed"))?;
    Ok(Some(user))
}

/// The user a live session token belongs to.
pub async fn session_user(pool: &SqlitePool, token: &str) -> anyhow::Result<Option<User>> {
    let row = sqlx::query(
        "SELECT u.id, u.email, u.name, u.role FROM sessions s JOIN users u ON u.id = s.user_id
         WHERE s.token_hash = ? AND s.expires_at > ?",
    )
    .bind(token_hash(token))
    .bind(Utc::now().to_rfc3339())
    .fetch_optional(pool)
    .await?;
    Ok(row.as_ref().and_then(user_from_row))
}

/// Ends a session.
pub async fn sign_out(pool: &SqlitePool, token: &str) -> anyhow::Result<()> {
    sqlx::query("DELETE FROM sessions WHERE token_hash = ?")
        .bind(token_hash(token))
        .execute(pool)
        .await?;
    Ok(())
}

/// Whether a user id exists (a witness must be a real person).
pub async fn user_exists(pool: &SqlitePool, id: domain::UserId) -> anyhow::Result<bool> {
    Ok(sqlx::query("SELECT 1 FROM users WHERE id = ?")
        .bind(id.to_string())
        .fetch_optional(pool)
        .await?
        .is_some())
}

/// Counts failed sign-ins per email and refuses more than `max` in `window`.
#[derive(Clone)]
pub struct LoginLimiter {
    inner: Arc<Mutex<HashMap<String, Vec<Instant>>>>,
    max: usize,
    window: Duration,
}

impl LoginLimiter {
    /// A limiter of `max` failures per `window`.
    pub fn new(max: usize, window: Duration) -> Self {
        Self {
            inner: Arc::default(),
            max,
            window,
        }
    }

    /// Whether another attempt is allowed now; how long to wait when not.
    pub fn check(&self, key: &str) -> Result<(), Duration> {
        let now = Instant::now();
        let mut map = self.inner.lock().expect("limiter lock");
        let Some(v) = map.get_mut(&key.to_lowercase()) else {
            return Ok(());
        };
        v.retain(|t| now.duration_since(*t) < self.window);
        if v.len() >= self.max {
            return Err(self.window - now.duration_since(v[0]));
        }
        Ok(())
    }

    /// Records a failed attempt.
    pub fn failed(&self, key: &str) {
        self.inner
            .lock()
            .expect("limiter lock")
            .entry(key.to_lowercase())
            .or_default()
            .push(Instant::now());
    }
}
