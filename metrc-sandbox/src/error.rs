//! Metrc's error answers: 401/403/404/413/429/500 as `{"Message": "..."}`, 400 as Metrc's row
//! list or a message.

use axum::{
    http::{header, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
use metrc::wire::RowError;
use serde::Serialize;

/// Metrc's error responses.
#[derive(Debug)]
pub enum ApiError {
    /// 401.
    Unauthorized,
    /// 403.
    Forbidden,
    /// 404.
    NotFound,
    /// 400 with rows.
    Validation(Vec<RowError>),
    /// 400 with a message.
    BadRequest(String),
    /// 413.
    TooLarge,
    /// 429.
    TooMany(u64),
    /// 500.
    Internal(String),
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Message {
    message: String,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let msg = |s: StatusCode, m: &str| {
            (
                s,
                Json(Message {
                    message: m.to_owned(),
                }),
            )
                .into_response()
        };
        match self {
            ApiError::Unauthorized => msg(
                StatusCode::UNAUTHORIZED,
                "Authorization has been denied for this request.",
            ),
            ApiError::Forbidden => msg(
                StatusCode::FORBIDDEN,
                "The authenticated user does not have access to the requested resource.",
            ),
            ApiError::NotFound => msg(
                StatusCode::NOT_FOUND,
                "The requested resource could not be found (incorrect or invalid URI).",
            ),
            ApiError::Validation(rows) => (StatusCode::BAD_REQUEST, Json(rows)).into_response(),
            ApiError::BadRequest(m) => msg(StatusCode::BAD_REQUEST, &m),
            ApiError::TooLarge => msg(
                StatusCode::PAYLOAD_TOO_LARGE,
                "The content being submitted is too large",
            ),
            ApiError::TooMany(secs) => {
                let mut r = msg(StatusCode::TOO_MANY_REQUESTS, "The limit of API calls allowed has been exceeded. Please pace the usage rate of the API more apart.");
                if let Ok(v) = HeaderValue::from_str(&secs.to_string()) {
                    r.headers_mut().insert(header::RETRY_AFTER, v);
                }
                r
            }
            ApiError::Internal(m) => msg(
                StatusCode::INTERNAL_SERVER_ERROR,
                &format!("An error has occurred while executing your request. {m}"),
            ),
        }
    }
}
