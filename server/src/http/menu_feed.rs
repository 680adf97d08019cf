//! The public live menu: `GET /api/v1/menu` and the Server-Sent-Events stream
//! `GET /api/v1/menu/stream` (what they carry is `feed::menu`'s). No login.

use std::convert::Infallible;

use axum::{
    body::Body,
    extract::State,
    http::{header, HeaderMap},
    response::{IntoResponse, Response},
    Json,
};
use domain::wire::{Availability, Menu};
use futures_util::StreamExt;

use super::ApiError;
use super::AppState;
use crate::feed::menu;

/// The menu now.
#[utoipa::path(get, path = "/api/v1/menu", tag = "menu", responses((status = 200, body = Menu)))]
pub async fn menu_index(State(state): State<AppState>) -> Json<Menu> {
    Json(menu::menu(&state.ledger).await)
}

/// The sequence number a reconnecting client last saw, from `Last-Event-ID`.
pub fn last_event_id(headers: &HeaderMap) -> Result<Option<i64>, ApiError> {
    match headers.get("last-event-id") {
        None => Ok(None),
        Some(v) => v
            .to_str()
            .ok()
            .and_then(|s| s.trim().parse::<i64>().ok())
            .map(Some)
            .ok_or_else(|| {
                ApiError::BadRequest("Last-Event-ID must be a ledger sequence number".into())
            }),
    }
}

/// Live availability: `ready`, then `availability` events (data: `Availability`), id = ledger sequence.
#[utoipa::path(get, path = "/api/v1/menu/stream", tag = "menu",
    params(("Last-Event-ID" = Option<i64>, Header, description = "Resume after this ledger sequence")),
    responses((status = 200, content_type = "text/event-stream", body = Availability)))]
/// Resuming with `Last-Event-ID` first sends the current availability of every
/// product that changed since that id, so nothing is missed.
pub async fn menu_stream(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let resume = last_event_id(&headers)?;
    let frames = state
        .menu_feed
        .follow(&state.ledger, &state.store, resume)
        .await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/event-stream"),
            (header::CACHE_CONTROL, "no-cache"),
            (header::HeaderName::from_static("x-accel-buffering"), "no"),
        ],
        Body::from_stream(frames.map(Ok::<_, Infallible>)),
    )
        .into_response())
}
