//! The public live menu: `GET /api/v1/menu` and the Server-Sent-Events stream
//! `GET /api/v1/menu/stream`. No login; never cost, vendor, package tags or quantities by zone.

use std::{collections::BTreeSet, convert::Infallible, time::Duration};

/// A comment line this often keeps proxies and browsers from closing an idle stream.
const HEARTBEAT: Duration = Duration::from_secs(15);

use axum::{
    body::{Body, Bytes},
    extract::State,
    http::{header, HeaderMap},
    response::{IntoResponse, Response},
    Json,
};
use domain::{Category, Money, ProductId, QuantityType, StrainType, Unit};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use tokio::sync::broadcast::error::RecvError;

use super::ApiError;
use crate::{ledger::View, AppState};

/// How much stock a customer is told there is.
#[derive(utoipa::ToSchema, Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stock {
    /// Plenty.
    InStock,
    /// A few left.
    Low,
    /// None.
    SoldOut,
}

/// Under this many items (count-based) or grams (by weight), stock shows as low.
fn stock_of(kind: QuantityType, available: Decimal) -> Stock {
    let low = match kind {
        QuantityType::CountBased => Decimal::from(5),
        _ => Decimal::from(28),
    };
    if available <= Decimal::ZERO {
        Stock::SoldOut
    } else if available <= low {
        Stock::Low
    } else {
        Stock::InStock
    }
}

/// A product as the public sees it.
#[derive(utoipa::ToSchema, Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct MenuItem {
    /// Product id.
    pub product_id: ProductId,
    /// Name.
    pub name: String,
    /// Brand.
    pub brand: String,
    /// Category.
    pub category: Category,
    /// Strain type.
    pub strain: StrainType,
    /// THC in percent.
    pub thc_percent: Option<Decimal>,
    /// CBD in percent.
    pub cbd_percent: Option<Decimal>,
    /// Price per unit.
    pub price: Money,
    /// The unit the price and availability are in.
    pub unit: Unit,
    /// Available to reserve or buy now.
    pub available: Decimal,
    /// Stock in words.
    pub stock: Stock,
}

/// The whole menu, and the ledger position it reflects.
#[derive(utoipa::ToSchema, Debug, Serialize, Deserialize)]
pub struct Menu {
    /// Ledger sequence the menu reflects; resume the stream from here.
    pub seq: i64,
    /// Products, accessories and cannabis alike, sorted by category and name.
    pub items: Vec<MenuItem>,
    /// The legal age to buy here; a customer confirms it to reserve.
    pub min_age: u8,
}

/// One availability change on the stream.
#[derive(utoipa::ToSchema, Debug, Serialize, Deserialize, PartialEq)]
pub struct Availability {
    /// Product id.
    pub product_id: ProductId,
    /// Available now.
    pub available: Decimal,
    /// Stock in words.
    pub stock: Stock,
}

fn item(view: &View, id: ProductId) -> Option<MenuItem> {
    let p = view.state.products.get(&id)?;
    let available = view.available(id);
    Some(MenuItem {
        product_id: id,
        name: p.name.clone(),
        brand: p.brand.clone(),
        category: p.category,
        strain: p.strain,
        thc_percent: p.thc_percent,
        cbd_percent: p.cbd_percent,
        price: p.price,
        unit: p.unit,
        available: available.normalize(),
        stock: stock_of(p.quantity_type, available),
    })
}

/// A product's availability now, as the stream sends it.
pub fn availability(view: &View, id: ProductId) -> Option<Availability> {
    let p = view.state.products.get(&id)?;
    let available = view.available(id);
    Some(Availability {
        product_id: id,
        available: available.normalize(),
        stock: stock_of(p.quantity_type, available),
    })
}

/// The menu now.
#[utoipa::path(get, path = "/api/v1/menu", tag = "menu", responses((status = 200, body = Menu)))]
pub async fn menu_index(State(state): State<AppState>) -> Json<Menu> {
    let view = state.ledger.view().await;
    let mut items: Vec<MenuItem> = view
        .state
        .products
        .keys()
        .filter_map(|id| item(&view, *id))
        .collect();
    items.sort_by(|a, b| (a.category, &a.name).cmp(&(b.category, &b.name)));
    Json(Menu {
        seq: view.seq,
        items,
        min_age: view.state.config.jurisdiction.min_age,
    })
}

fn last_event_id(headers: &HeaderMap) -> Result<Option<i64>, ApiError> {
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

/// One availability change as a complete Server-Sent-Events frame.
pub fn frame(seq: i64, a: &Availability) -> Bytes {
    let json = serde_json::to_string(a).unwrap_or_default();
    Bytes::from(format!("id: {seq}\nevent: availability\ndata: {json}\n\n"))
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
    // Subscribe before reading the backlog so no commit falls between the two.
    let mut rx = state.ledger.subscribe();
    let (backlog, mut sent_upto) = {
        let view = state.ledger.view().await;
        let changed: BTreeSet<ProductId> = match resume {
            Some(after) if after < view.seq => {
                crate::store::EventStore::events_after(&state.store, after, view.seq)
                    .await?
                    .iter()
                    .flat_map(|e| e.event.kind.packages())
                    .filter_map(|id| view.state.packages.get(&id).map(|p| p.product_id))
                    .collect()
            }
            _ => BTreeSet::new(),
        };
        let backlog: Vec<Bytes> = changed
            .iter()
            .filter_map(|id| availability(&view, *id))
            .map(|a| frame(view.seq, &a))
            .collect();
        (backlog, view.seq)
    };
    let ledger = state.ledger.clone();
    // Frames are rendered once per commit by the ledger; each subscriber only clones them.
    let stream = async_stream::stream! {
        yield Ok::<_, Infallible>(Bytes::from(format!("id: {sent_upto}\nevent: ready\ndata: {sent_upto}\n\n")));
        for e in backlog {
            yield Ok(e);
        }
        let mut heartbeat = tokio::time::interval(HEARTBEAT);
        heartbeat.tick().await;
        loop {
            tokio::select! {
                msg = rx.recv() => match msg {
                    Ok(committed) => {
                        for (seq, frame) in &committed.availability {
                            if *seq > sent_upto {
                                yield Ok(frame.clone());
                            }
                        }
                        if let Some(last) = committed.events.last() {
                            sent_upto = sent_upto.max(last.seq);
                        }
                    }
                    Err(RecvError::Lagged(_)) => {
                        // Too slow to keep up: send everything as it is now instead of what was missed.
                        let view = ledger.view().await;
                        let all: Vec<Bytes> =
                            view.state.products.keys().filter_map(|id| availability(&view, *id)).map(|a| frame(view.seq, &a)).collect();
                        let seq = view.seq;
                        drop(view);
                        for f in all {
                            yield Ok(f);
                        }
                        sent_upto = seq;
                    }
                    Err(RecvError::Closed) => break,
                },
                _ = heartbeat.tick() => yield Ok(Bytes::from_static(b": heartbeat\n\n")),
            }
        }
    };
    Ok((
        [
            (header::CONTENT_TYPE, "text/event-stream"),
            (header::CACHE_CONTROL, "no-cache"),
            (header::HeaderName::from_static("x-accel-buffering"), "no"),
        ],
        Body::from_stream(stream),
    )
        .into_response())
}
