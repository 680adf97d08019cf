//! Sign-in, sign-out and the current user; the `CurrentUser` extractor every protected route uses.
//!
//! - `POST /api/v1/session`: sign in, sets an HttpOnly, SameSite=Strict cookie.
//! - `GET /api/v1/session`: who is signed in.
//! - `DELETE /api/v1/session`: sign out.
//! - `POST /api/v1/session/witness`: a second person confirms who they are (no session).

use axum::{
    extract::{FromRequest, FromRequestParts, Request, State},
    http::{header, request::Parts, HeaderMap, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    Form, Json,
};
use domain::wire::{ErrorDetail, SignIn, SignInRefused, WitnessCheck};

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
fn refused_for(wait: std::time::Duration) -> SignInRefused {
    SignInRefused::TooManyAttempts {
        retry_after: wait.as_secs().max(1),
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

/// Signs in; failed attempts are rate-limited per email and per address. JSON in, the user or an
/// error out. A browser's form (`application/x-www-form-urlencoded`) is answered Post/Redirect/Get:
/// 303 to the app signed in, or back to the sign-in page with why (`SignInRefused`), so a mistyped
/// password never reaches a page as an HTTP error.
#[utoipa::path(post, path = "/api/v1/session", tag = "session", request_body = SignIn,
    responses((status = 200, body = User, description = "Signed in; sets the session cookie"),
        (status = 303, description = "A browser's form: to /inventory signed in (the cookie set), or to /login?refused=<code>[&retry_after=<seconds>]"),
        (status = 401, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn session_create(
    State(state): State<AppState>,
    ClientAddr(address): ClientAddr,
    request: Request,
) -> Result<Response, ApiError> {
    if is_form(request.headers()) {
        let Form(body) = Form::<SignIn>::from_request(request, &state)
            .await
            .map_err(|r| ApiError::InvalidBody(r.body_text()))?;
        let Ok(email) = Email::parse(&body.email) else {
            return see_other(&SignInRefused::InvalidEmail.location(), None);
        };
        return match sign_in(&state, address, &email, &body.password).await {
            Ok((_, cookie)) => see_other(SignInRefused::SIGNED_IN, Some(cookie)),
            Err(Refusal::Refused(why)) => see_other(&why.location(), None),
            Err(Refusal::Failed(e)) => Err(e),
        };
    }
    let AppJson(body) = AppJson::<SignIn>::from_request(request, &state).await?;
    let (user, cookie) = sign_in(&state, address, &email_of(&body)?, &body.password).await?;
    let mut res = (StatusCode::OK, Json(user)).into_response();
    res.headers_mut().insert(header::SET_COOKIE, cookie);
    Ok(res)
}

fn is_form(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| {
            v.trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        })
}

fn see_other(location: &str, cookie: Option<HeaderValue>) -> Result<Response, ApiError> {
    let mut res = StatusCode::SEE_OTHER.into_response();
    res.headers_mut().insert(
        header::LOCATION,
        HeaderValue::from_str(location).map_err(anyhow::Error::from)?,
    );
    if let Some(cookie) = cookie {
        res.headers_mut().insert(header::SET_COOKIE, cookie);
    }
    Ok(res)
}

/// A sign-in that did not start a session: a refusal the person can act on, or a failure.
enum Refusal {
    Refused(SignInRefused),
    Failed(ApiError),
}

impl From<Refusal> for ApiError {
    fn from(r: Refusal) -> Self {
        match r {
            Refusal::Refused(SignInRefused::BadCredentials) => ApiError::BadCredentials,
            Refusal::Refused(why @ SignInRefused::TooManyAttempts { retry_after }) => {
                ApiError::TooManyRequests {
                    message: why.to_string(),
                    retry_after,
                }
            }
            Refusal::Refused(why @ SignInRefused::InvalidEmail) => {
                ApiError::InvalidBody(format!("email: {why}"))
            }
            Refusal::Failed(e) => e,
        }
    }
}

impl From<anyhow::Error> for Refusal {
    fn from(e: anyhow::Error) -> Self {
        Refusal::Failed(e.into())
    }
}

/// Checks the password under the limiter and opens a session: the user and their cookie.
async fn sign_in(
    state: &AppState,
    address: Option<std::net::IpAddr>,
    email: &Email,
    password: &str,
) -> Result<(User, HeaderValue), Refusal> {
    state
        .limiter
        .check(email, address)
        .map_err(|wait| Refusal::Refused(refused_for(wait)))?;
    let Some((user, token)) = auth::sign_in(&state.store, email, password).await? else {
        state.limiter.failed(email, address);
        return Err(Refusal::Refused(SignInRefused::BadCredentials));
    };
    let secure = if state.secure_cookies { "; Secure" } else { "" };
    let cookie = format!(
        "{}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}{secure}",
        auth::COOKIE,
        auth::SESSION_HOURS * 3600
    );
    let cookie = HeaderValue::from_str(&cookie)
        .map_err(|e| Refusal::Failed(anyhow::Error::from(e).into()))?;
    Ok((user, cookie))
}

/// A second person confirms who they are on the same tablet (a witness to a destruction or a
/// count). Starts no session; failures count against the same sign-in limit. A wrong password or
/// a locked email is an answer (`refused`), not a failed request: the manager asking is signed in.
#[utoipa::path(post, path = "/api/v1/session/witness", tag = "session", request_body = SignIn,
    responses((status = 200, body = WitnessCheck, description = "The witness, or why they are not confirmed"), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn witness_create(
    State(state): State<AppState>,
    user: CurrentUser,
    ClientAddr(address): ClientAddr,
    body: JsonLater<SignIn>,
) -> Result<Json<WitnessCheck>, ApiError> {
    user.require(Role::Manager, "confirming a witness")?;
    let body = body.parse()?;
    let email = email_of(&body)?;
    let refused = |why: SignInRefused| {
        Json(WitnessCheck::Refused {
            error: ErrorDetail {
                code: why.code().to_owned(),
                message: why.to_string(),
            },
        })
    };
    if let Err(wait) = state.limiter.check(&email, address) {
        return Ok(refused(refused_for(wait)));
    }
    let Some(witness) = auth::check_password(&state.store, &email, &body.password).await? else {
        state.limiter.failed(&email, address);
        return Ok(refused(SignInRefused::BadCredentials));
    };
    if witness.id == user.0.id {
        return Err(ApiError::InvalidBody(domain::account::SELF_WITNESS.into()));
    }
    Ok(Json(WitnessCheck::Confirmed { witness }))
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
