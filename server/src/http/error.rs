//! The API's error type and its JSON body `{"error": {"code", "message"}}`.

use axum::{
    http::StatusCode,
    response::{IntoResponse, Response},
    Json,
};
use serde::Serialize;

/// Every way an API request can fail; each maps to one status code and a stable `code`.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// No route matches.
    #[error("no API route matches {0}")]
    NotFound(String),
    /// The database failed; details are logged, not sent.
    #[error("database error")]
    Database(#[from] sqlx::Error),
    /// Any other internal failure; details are logged, not sent.
    #[error("internal error")]
    Internal(#[from] anyhow::Error),
}

impl ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::Database(_) | ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn code(&self) -> &'static str {
        match self {
            ApiError::NotFound(_) => "not_found",
            ApiError::Database(_) => "database_error",
            ApiError::Internal(_) => "internal_error",
        }
    }
}

/// The JSON body of every error response.
#[derive(Debug, Serialize)]
pub struct ErrorBody {
    /// The error itself.
    pub error: ErrorDetail,
}

/// A machine-readable code and a human message.
#[derive(Debug, Serialize)]
pub struct ErrorDetail {
    /// Stable identifier such as `not_found`.
    pub code: String,
    /// What went wrong, in words.
    pub message: String,
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
        (status, Json(body)).into_response()
    }
}

/// Fallback for unknown `/api/v1` paths: JSON, never the app's HTML.
pub async fn api_not_found(uri: axum::http::Uri) -> ApiError {
    ApiError::NotFound(uri.path().to_owned())
}
