//! Staff accounts, roles, argon2id passwords and cookie sessions, and the sign-in limiter.

mod limiter;

pub use limiter::LoginLimiter;

use argon2::{
    password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString},
    Argon2,
};
use chrono::Utc;
use sha2::{Digest, Sha256};

use crate::store::UserStore;

/// Name of the session cookie.
pub const COOKIE: &str = "pistil_session";
/// How long a session lasts.
pub const SESSION_HOURS: i64 = 12;

pub use domain::account::{Email, Role, User};

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
    store: &impl UserStore,
    email: &str,
    name: &str,
    role: Role,
    password: &str,
) -> anyhow::Result<User> {
    let email = Email::parse(email)?;
    anyhow::ensure!(
        password.chars().count() >= 8,
        "a password needs at least 8 characters"
    );
    let user = User {
        id: domain::UserId::new(),
        email: email.to_string(),
        name: name.trim().to_owned(),
        role,
    };
    let hash = hash_password(password)?;
    store.insert_user(&user, &hash, Utc::now()).await?;
    Ok(user)
}

/// Checks a password; on success opens a session and returns its token.
pub async fn sign_in(
    store: &impl UserStore,
    email: &Email,
    password: &str,
) -> anyhow::Result<Option<(User, String)>> {
    let Some(user) = check_password(store, email, password).await? else {
        return Ok(None);
    };
    let token = format!(
        "{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    );
    let now = Utc::now();
    store
        .insert_session(
            &token_hash(&token),
            user.id,
            now,
            now + chrono::Duration::hours(SESSION_HOURS),
        )
        .await?;
    Ok(Some((user, token)))
}

/// The user these credentials belong to, without starting a session (a witness confirming).
pub async fn check_password(
    store: &impl UserStore,
    email: &Email,
    password: &str,
) -> anyhow::Result<Option<User>> {
    let Some((user, hash)) = store.user_by_email(email.as_str()).await? else {
        // Spend the same effort as a real check, so timing does not reveal which emails exist.
        let _ = verify_password(password, "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$1aH0Vb1tUvHc7fE3jx5v5vgHn2GZUKe3xVtq3XGm0oE");
        return Ok(None);
    };
    Ok(verify_password(password, &hash).then_some(user))
}

/// The user a live session token belongs to.
pub async fn session_user(store: &impl UserStore, token: &str) -> anyhow::Result<Option<User>> {
    Ok(store.session_user(&token_hash(token), Utc::now()).await?)
}

/// Ends a session.
pub async fn sign_out(store: &impl UserStore, token: &str) -> anyhow::Result<()> {
    Ok(store.delete_session(&token_hash(token)).await?)
}

/// Whether a user id exists (a witness must be a real person).
pub async fn user_exists(store: &impl UserStore, id: domain::UserId) -> anyhow::Result<bool> {
    Ok(store.user_exists(id).await?)
}
