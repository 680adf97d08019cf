//! The API's error type and its JSON body `{"error": {"code", "message"}}`.

pub use domain::wire::{ErrorBody, ErrorDetail};
use std::marker::PhantomData;

use axum::{
    extract::{
        rejection::{JsonRejection, QueryRejection},
        FromRequest, FromRequestParts, Query,
    },
    http::{header, request::Parts, HeaderValue, Method, StatusCode, Uri},
    response::{IntoResponse, Response},
    Json,
};
use serde::de::DeserializeOwned;

/// Every way an API request can fail; each maps to one status code and a stable `code`.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// No route matches.
    #[error("no API route matches {0}")]
    NotFound(String),
    /// A named thing (a package, an order) does not exist.
    #[error("{0}")]
    Missing(String),
    /// The regulator could not answer a question only it can answer.
    #[error("{0}")]
    RegulatorUnavailable(String),
    /// Not signed in.
    #[error("sign in first")]
    Unauthorized,
    /// Signed in without the needed role.
    #[error("{0}")]
    Forbidden(String),
    /// A change sent from another site's page (a forged request riding the session cookie).
    #[error("{0}")]
    CrossOrigin(String),
    /// Wrong email or password.
    #[error("{}", domain::wire::SignInRefused::BadCredentials)]
    BadCredentials,
    /// The body is not valid JSON.
    #[error("{0}")]
    MalformedJson(String),
    /// The JSON does not fit the expected shape (unknown or missing field, wrong type).
    #[error("{0}")]
    InvalidBody(String),
    /// A query parameter or other input is wrong.
    #[error("{0}")]
    BadRequest(String),
    /// The request contradicts what is on record (voiding a receipt that is not a duplicate).
    #[error("{0}")]
    Conflict(String),
    /// The body is larger than the limit.
    #[error("the request body is larger than {0} bytes")]
    TooLarge(usize),
    /// A bound on one caller (sign-in attempts, what one customer may hold); waiting
    /// `retry_after` seconds lets it pass.
    #[error("{message}")]
    TooManyRequests {
        /// What the caller is told.
        message: String,
        /// Seconds until it may succeed.
        retry_after: u64,
    },
    /// The route exists, not with this method.
    #[error("{method} is not allowed on {path}{allowed}")]
    MethodNotAllowed {
        /// The method asked for.
        method: String,
        /// The path.
        path: String,
        /// ", only GET, POST" or empty.
        allowed: String,
    },
    /// The body is not in a type the route reads.
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// The database failed; details are logged, not sent.
    #[error("database error")]
    Database(#[from] crate::store::StoreError),
    /// Any other internal failure; details are logged, not sent.
    #[error("internal error")]
    Internal(#[from] anyhow::Error),
}

impl ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::NotFound(_) | ApiError::Missing(_) => StatusCode::NOT_FOUND,
            ApiError::RegulatorUnavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Unauthorized | ApiError::BadCredentials => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) | ApiError::CrossOrigin(_) => StatusCode::FORBIDDEN,
            ApiError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::MalformedJson(_) | ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::InvalidBody(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::Database(_) | ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn code(&self) -> &'static str {
        match self {
            ApiError::NotFound(_) | ApiError::Missing(_) => "not_found",
            ApiError::RegulatorUnavailable(_) => "regulator_unavailable",
            ApiError::Unauthorized => "unauthorized",
            ApiError::Forbidden(_) => "forbidden",
            ApiError::CrossOrigin(_) => "cross_origin",
            ApiError::BadCredentials => "bad_credentials",
            ApiError::TooManyRequests { .. } => "too_many_requests",
            ApiError::MalformedJson(_) => "malformed_json",
            ApiError::InvalidBody(_) => "invalid_body",
            ApiError::BadRequest(_) => "bad_request",
            ApiError::Conflict(_) => "conflict",
            ApiError::TooLarge(_) => "payload_too_large",
            ApiError::MethodNotAllowed { .. } => "method_not_allowed",
            ApiError::UnsupportedMediaType(_) => "unsupported_media_type",
            ApiError::Database(_) => "database_error",
            ApiError::Internal(_) => "internal_error",
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status_code();
        if status.is_server_error() {
            tracing::error!(error = ?self, "request failed");
        }
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code().to_owned(),
                message: self.to_string(),
            },
        };
        let mut res = (status, Json(body)).into_response();
        if let ApiError::TooManyRequests {
            retry_after: secs, ..
        } = self
        {
            if let Ok(v) = HeaderValue::from_str(&secs.to_string()) {
                res.headers_mut().insert(header::RETRY_AFTER, v);
            }
        }
        res
    }
}

impl From<crate::reports::ReportError> for ApiError {
    fn from(e: crate::reports::ReportError) -> Self {
        match e {
            crate::reports::ReportError::Store(e) => ApiError::Database(e),
            e @ crate::reports::ReportError::File(_) => ApiError::Internal(e.into()),
            crate::reports::ReportError::Incomplete(why) => ApiError::Conflict(why),
        }
    }
}

impl From<crate::regulator::setup::SetupError> for ApiError {
    fn from(e: crate::regulator::setup::SetupError) -> Self {
        match e {
            crate::regulator::setup::SetupError::Store(e) => ApiError::Database(e),
            e @ crate::regulator::setup::SetupError::Sealed(_) => ApiError::Internal(e.into()),
        }
    }
}

impl From<JsonRejection> for ApiError {
    fn from(r: JsonRejection) -> Self {
        match r {
            JsonRejection::JsonDataError(e) => ApiError::InvalidBody(e.body_text()),
            JsonRejection::JsonSyntaxError(e) => ApiError::MalformedJson(e.body_text()),
            JsonRejection::MissingJsonContentType(_) => ApiError::BadRequest(
                "send the body as JSON with Content-Type: application/json".into(),
            ),
            JsonRejection::BytesRejection(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                ApiError::TooLarge(super::BODY_LIMIT)
            }
            other => ApiError::BadRequest(other.body_text()),
        }
    }
}

/// `Json` whose rejections use the API's error body.
#[derive(FromRequest)]
#[from_request(via(axum::Json), rejection(ApiError))]
pub struct AppJson<T>(pub T);

/// Fallback for unknown `/api/v1` paths: JSON, never the app's HTML.
pub async fn api_not_found(uri: axum::http::Uri) -> ApiError {
    ApiError::NotFound(uri.path().to_owned())
}

impl From<QueryRejection> for ApiError {
    fn from(r: QueryRejection) -> Self {
        ApiError::BadRequest(format!("query: {}", r.body_text()))
    }
}

/// A query string parsed only when the handler asks, after it has checked the caller's role:
/// a caller without the role learns nothing about which parameters are right.
pub struct QueryLater<T> {
    uri: Uri,
    wanted: PhantomData<fn() -> T>,
}

impl<T, S: Send + Sync> FromRequestParts<S> for QueryLater<T> {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(QueryLater {
            uri: parts.uri.clone(),
            wanted: PhantomData,
        })
    }
}

impl<T: DeserializeOwned> QueryLater<T> {
    /// The parsed query, or a 400 in the API's shape naming what is wrong.
    pub fn parse(&self) -> Result<T, ApiError> {
        Ok(Query::<T>::try_from_uri(&self.uri)?.0)
    }
}

/// A JSON body read whole but parsed only when the handler asks, after it has checked the
/// caller's role: a caller without the role learns nothing about which fields are right.
pub struct JsonLater<T> {
    bytes: axum::body::Bytes,
    json: bool,
    wanted: PhantomData<fn() -> T>,
}

impl<S: Send + Sync, T> FromRequest<S> for JsonLater<T> {
    type Rejection = ApiError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, ApiError> {
        let json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(is_json);
        let bytes = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(|e| match e.status() {
                StatusCode::PAYLOAD_TOO_LARGE => ApiError::TooLarge(super::BODY_LIMIT),
                _ => ApiError::BadRequest(e.body_text()),
            })?;
        Ok(JsonLater {
            bytes,
            json,
            wanted: PhantomData,
        })
    }
}

impl<T: DeserializeOwned> JsonLater<T> {
    /// The parsed body, or the API's error naming what is wrong with it.
    pub fn parse(&self) -> Result<T, ApiError> {
        if !self.json {
            return Err(ApiError::BadRequest(
                "send the body as JSON with Content-Type: application/json".into(),
            ));
        }
        Ok(Json::<T>::from_bytes(&self.bytes)?.0)
    }
}

/// Whether a Content-Type is JSON: `application/json` or an `application/…+json` type.
fn is_json(content_type: &str) -> bool {
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// Largest error body read back when one from below the handlers is rewritten.
const PLAIN_ERROR_LIMIT: usize = 4 * 1024;

/// Every error the API answers, whoever made it (the router's 405, the body limit's 413, an
/// extractor's 400 or 415), in the API's shape `{"error": {"code", "message"}}`.
pub async fn json_errors(method: Method, uri: Uri, res: Response) -> Response {
    if !uri.path().starts_with("/api/") {
        return res;
    }
    let status = res.status();
    let is_json = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return res;
    }
    let (parts, body) = res.into_parts();
    let text = axum::body::to_bytes(body, PLAIN_ERROR_LIMIT)
        .await
        .map(|b| String::from_utf8_lossy(&b).trim().to_owned())
        .unwrap_or_default();
    let path = uri.path().to_owned();
    let error = match status {
        StatusCode::METHOD_NOT_ALLOWED => ApiError::MethodNotAllowed {
            method: method.to_string(),
            path,
            allowed: parts
                .headers
                .get(header::ALLOW)
                .and_then(|v| v.to_str().ok())
                .filter(|v| !v.is_empty())
                .map(|v| format!("; it takes {v}"))
                .unwrap_or_default(),
        },
        StatusCode::PAYLOAD_TOO_LARGE => ApiError::TooLarge(super::BODY_LIMIT),
        StatusCode::NOT_FOUND => ApiError::NotFound(path),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ApiError::UnsupportedMediaType(if text.is_empty() {
            "send the body as JSON with Content-Type: application/json".into()
        } else {
            text
        }),
        s if s.is_server_error() => ApiError::Internal(anyhow::anyhow!("{s}: {text}")),
        s => ApiError::BadRequest(if text.is_empty() {
            s.canonical_reason().unwrap_or("bad request").to_lowercase()
        } else {
            text
        }),
    };
    let mut out = error.into_response();
    // What the layer below said about retrying or the methods allowed still holds.
    for h in [header::ALLOW, header::RETRY_AFTER] {
        if let Some(v) = parts.headers.get(&h) {
            out.headers_mut().insert(h, v.clone());
        }
    }
    out
}
