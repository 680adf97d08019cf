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
use futures_util::Stream;
use tokio::sync::broadcast::error::RecvError;

use super::{session::CurrentUser, ApiError};
use crate::{ledger::SeqEvent, store::EventStore, AppState};

fn sse(e: &SeqEvent) -> SseEvent {
    SseEvent::default()
        .id(e.seq.to_string())
        .event(e.event.kind.name())
        .json_data(e)
        .unwrap_or_else(|_| SseEvent::default().comment("unserializable"))
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
    let resume = match headers.get("last-event-id") {
        None => None,
        Some(v) => Some(
            v.to_str()
                .ok()
                .and_then(|s| s.trim().parse::<i64>().ok())
                .ok_or_else(|| {
                    ApiError::BadRequest("Last-Event-ID must be a ledger sequence number".into())
                })?,
        ),
    };
    let mut rx = state.ledger.subscribe();
    let now = state.ledger.view().await.seq;
    let mut sent = resume.unwrap_or(now);
    let backlog = if sent < now {
        state.store.events_after(sent, now).await?
    } else {
        vec![]
    };
    let store = state.store.clone();
    let mut health = state.outbox.watch_health();
    health.mark_unchanged();
    let mut alerts = state.alerts.subscribe();
    alerts.mark_unchanged();
    let stream = async_stream::stream! {
        for e in &backlog {
            yield Ok(sse(e));
            sent = e.seq;
        }
        loop {
            let next = tokio::select! {
                c = rx.recv() => c,
                changed = health.changed() => {
                    if changed.is_err() {
                        break;
                    }
                    // No id: a regulator state change is not a ledger event, so resuming ignores it.
                    let h = health.borrow_and_update().clone();
                    yield Ok(SseEvent::default()
                        .event("regulator_health")
                        .json_data(&h)
                        .unwrap_or_else(|_| SseEvent::default().comment("unserializable")));
                    continue;
                }
                changed = alerts.changed() => {
                    if changed.is_err() {
                        break;
                    }
                    // Alerts are derived, not ledger events: no id, the current set each time.
                    let a = alerts.borrow_and_update().clone();
                    yield Ok(SseEvent::default()
                        .event("alerts")
                        .json_data(&a)
                        .unwrap_or_else(|_| SseEvent::default().comment("unserializable")));
                    continue;
                }
            };
            match next {
                Ok(c) => {
                    let from = sent;
                    for e in c.events.iter().filter(|e| e.seq > from) {
                        yield Ok(sse(e));
                        sent = e.seq;
                    }
                }
                Err(RecvError::Lagged(_)) => {
                    // Fell behind the broadcast: read what was missed from the ledger itself.
                    match store.events_after(sent, i64::MAX).await {
                        Ok(missed) => for e in &missed {
                            yield Ok(sse(e));
                            sent = e.seq;
                        },
                        Err(err) => {
                            tracing::error!(error = ?err, "staff stream could not catch up");
                            break;
                        }
                    }
                }
                Err(RecvError::Closed) => break,
            }
        }
    };
    Ok(Sse::new(stream).keep_alive(
        KeepAlive::new()
            .interval(Duration::from_secs(15))
            .text("heartbeat"),
    ))
}
