//! `GET /api/v1/events/stream`: every committed event, live, for staff tablets.
//! Each SSE event's id is its ledger sequence; `Last-Event-ID` resumes without gaps. A change of
//! regulator sync state arrives as a `regulator_health` event (no id) carrying the new state and cause,
//! and a change of the alerts as an `alerts` event (no id) carrying them all.

use std::{convert::Infallible, time::Duration};

use axum::{
    extract::State,
    http::HeaderMap,
    response::sse::{Event as SseEvent, KeepAlive, Sse},
};
use futures_util::{Stream, StreamExt};

use super::AppState;
use super::{session::CurrentUser, ApiError};
use crate::{
    feed::{staff, StaffNews},
    ledger::SeqEvent,
};

/// One piece of news as an SSE event: a ledger event carries its sequence as id; health and
/// alerts carry none, so resuming ignores them.
fn sse(news: &StaffNews) -> SseEvent {
    let (event, data) = match news {
        StaffNews::Event(e) => (
            SseEvent::default()
                .id(e.seq.to_string())
                .event(e.event.kind.name()),
            serde_json::to_string(e),
        ),
        StaffNews::Health(h) => (
            SseEvent::default().event("regulator_health"),
            serde_json::to_string(h),
        ),
        StaffNews::Alerts(a) => (
            SseEvent::default().event("alerts"),
            serde_json::to_string(a),
        ),
    };
    match data {
        Ok(json) => event.data(json),
        Err(_) => SseEvent::default().comment("unserializable"),
    }
}

/// The staff event stream.
#[utoipa::path(get, path = "/api/v1/events/stream", tag = "ledger",
    params(("Last-Event-ID" = Option<i64>, Header, description = "Resume after this ledger sequence")),
    responses((status = 200, content_type = "text/event-stream", body = SeqEvent), (status = 401, body = super::error::ErrorBody)))]
pub async fn events_stream(
    State(state): State<AppState>,
    _user: CurrentUser,
    headers: HeaderMap,
) -> Result<Sse<impl Stream<Item = Result<SseEvent, Infallible>>>, ApiError> {
    let resume = super::menu_feed::last_event_id(&headers)?;
    let news = staff::follow(
        &state.ledger,
        &state.store,
        &state.outbox,
        &state.alerts,
        resume,
    )
    .await?;
    Ok(Sse::new(news.map(|n| Ok(sse(&n)))).keep_alive(
        KeepAlive::new()
            .interval(Duration::from_secs(15))
            .text("heartbeat"),
    ))
}
