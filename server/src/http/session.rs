//! Sign-in, sign-out and the current user; the `CurrentUser` extractor every protected route uses.
//!
//! - `POST /api/v1/session`: sign in, sets an HttpOnly, SameSite=Strict cookie.
//! - `GET /api/v1/session`: who is signed in.
//! - `DELETE /api/v1/session`: sign out.
//! - `POST /api/v1/session/witness`: a second person confirms who they are (no session).

use axum::{
    extract::{FromRequestParts, State},
    http::{header, request::Parts, HeaderMap, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
use domain::wire::SignIn;

use super::AppState;
use super::{
    client_addr::ClientAddr,
    error::{AppJson, ErrorBody, JsonLater},
    ApiError,
};
use crate::auth::{self, Email, Role, User};

/// The email of a sign-in, folded once: the limiter and the lookup see the same account.
fn email_of(body: &SignIn) -> Result<Email, ApiError> {
    Email::parse(&body.email).map_err(|e| ApiError::InvalidBody(format!("email: {e}")))
}

/// A sign-in refused by the limiter, with the wait.
fn too_many_attempts(wait: std::time::Duration) -> ApiError {
    let secs = wait.as_secs().max(1);
    ApiError::TooManyRequests {
        message: format!("too many attempts; try again in {secs} seconds"),
        retry_after: secs,
    }
}

fn cookie_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == auth::COOKIE)
        .map(|(_, v)| v.to_owned())
}

/// Who is signed in, if anyone (for routes open to everyone that do more for staff).
pub async fn signed_in(state: &AppState, headers: &HeaderMap) -> Result<Option<User>, ApiError> {
    Ok(match cookie_token(headers) {
        Some(token) => auth::session_user(&state.store, &token).await?,
        None => None,
    })
}

/// The signed-in user, or 401.
pub struct CurrentUser(pub User);

impl CurrentUser {
    /// 403 unless the user has at least `role`.
    pub fn require(&self, role: Role, what: &str) -> Result<(), ApiError> {
        if self.0.role < role {
            return Err(ApiError::Forbidden(format!(
                "{what} needs a {} account",
                role.as_str()
            )));
        }
        Ok(())
    }
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = cookie_token(&parts.headers).ok_or(ApiError::Unauthorized)?;
        let user = auth::session_user(&state.store, &token)
            .await?
            .ok_or(ApiError::Unauthorized)?;
        Ok(CurrentUser(user))
    }
}

/// Signs in; failed attempts are rate-limited per email.
#[utoipa::path(post, path = "/api/v1/session", tag = "session", request_body = SignIn,
    responses((status = 200, body = User, description = "Signed in; sets the session cookie"), (status = 401, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn session_create(
    State(state): State<AppState>,
    ClientAddr(address): ClientAddr,
    AppJson(body): AppJson<SignIn>,
) -> Result<Response, ApiError> {
    let email = email_of(&body)?;
    state
        .limiter
        .check(&email, address)
        .map_err(too_many_attempts)?;
    let Some((user, token)) = auth::sign_in(&state.store, &email, &body.password).await? else {
        state.limiter.failed(&email, address);
        return Err(ApiError::BadCredentials);
    };
    let secure = if state.secure_cookies { "; Secure" } else { "" };
    let cookie = format!(
        "{}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}{secure}",
        auth::COOKIE,
        auth::SESSION_HOURS * 3600
    );
    let mut res = (StatusCode::OK, Json(user)).into_response();
    res.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_str(&cookie).map_err(anyhow::Error::from)?,
    );
    Ok(res)
}

/// A second person confirms who they are on the same tablet (a witness to a destruction or a
/// count). Starts no session; failures count against the same sign-in limit.
#[utoipa::path(post, path = "/api/v1/session/witness", tag = "session", request_body = SignIn,
    responses((status = 200, body = User, description = "The witness"), (status = 401, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn witness_create(
    State(state): State<AppState>,
    user: CurrentUser,
    ClientAddr(address): ClientAddr,
    body: JsonLater<SignIn>,
) -> Result<Json<User>, ApiError> {
    user.require(Role::Manager, "confirming a witness")?;
    let body = body.parse()?;
    let email = email_of(&body)?;
    state
        .limiter
        .check(&email, address)
        .map_err(too_many_attempts)?;
    let Some(witness) = auth::check_password(&state.store, &email, &body.password).await? else {
        state.limiter.failed(&email, address);
        return Err(ApiError::BadCredentials);
    };
    if witness.id == user.0.id {
        return Err(ApiError::InvalidBody(
            "the witness must be a different person from the one signed in".into(),
        ));
    }
    Ok(Json(witness))
}

/// Who is signed in: the user, or `null` when nobody is (so the app can ask without an error).
#[utoipa::path(get, path = "/api/v1/session", tag = "session", responses((status = 200, body = Option<User>)))]
pub async fn session_show(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Json<Option<User>>, ApiError> {
    let user = match cookie_token(&headers) {
        Some(token) => auth::session_user(&state.store, &token).await?,
        None => None,
    };
    Ok(Json(user))
}

/// Signs out and clears the cookie.
#[utoipa::path(delete, path = "/api/v1/session", tag = "session", responses((status = 204, description = "Signed out")))]
pub async fn session_delete(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    if let Some(token) = cookie_token(&headers) {
        auth::sign_out(&state.store, &token).await?;
    }
    let mut res = StatusCode::NO_CONTENT.into_response();
    let cookie = format!(
        "{}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0",
        auth::COOKIE
    );
    res.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_str(&cookie).map_err(anyhow::Error::from)?,
    );
    Ok(res)
}
