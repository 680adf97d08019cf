//! Pickup orders.
//!
//! - `POST /api/v1/orders` (public): a customer reserves products for pickup (signed-in staff
//!   reserve for a named customer the same way; their orders come from the counter). The server picks the
//!   packages (oldest expiry first), places a hold that expires on its own, and answers with the
//!   order, or with the domain's reason (a purchase limit, not enough left).
//! - `GET /api/v1/orders/{id}` (public, by the order's unguessable id): where the order stands;
//!   `GET /api/v1/orders/{id}/stream`: the same, live (Server-Sent Events).
//! - `GET /api/v1/orders` (staff): the orders waiting for pickup.

use axum::{
    body::Body,
    extract::{Path, State},
    http::{header, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
use chrono::Utc;
use domain::{
    command::{Reserve, ReserveLine},
    wire::{Order, OrderStatus, PlaceOrder},
    Action, Command, HoldChannel, HoldId, MutationId, PackageStatus, ProductId, Quantity, Zone,
};
use futures_util::StreamExt;
use rust_decimal::Decimal;

use super::AppState;
use super::{
    client_addr::ClientAddr,
    error::{AppJson, ErrorBody},
    session::CurrentUser,
    ApiError,
};
use crate::{
    auth::Role,
    feed::order::{self, order_of},
    hold_expiry::{SERVER_DEVICE, SYSTEM},
    ledger::{Outcome, Submitted},
};

/// Places a pickup order.
#[utoipa::path(post, path = "/api/v1/orders", tag = "menu", request_body = PlaceOrder,
    responses((status = 201, body = Order), (status = 400, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn orders_create(
    State(state): State<AppState>,
    ClientAddr(address): ClientAddr,
    headers: axum::http::HeaderMap,
    AppJson(body): AppJson<PlaceOrder>,
) -> Result<(StatusCode, Json<Order>), ApiError> {
    // A budtender taking a phone or counter order places it signed in: it is theirs, from the
    // counter; the same holds, limits and expiry apply.
    let staff = super::session::signed_in(&state, &headers).await?;
    let name = body.customer_name.trim();
    if name.is_empty() {
        return Err(ApiError::InvalidBody(
            "customer_name: enter the name to call at pickup".into(),
        ));
    }
    let digits: String = body.phone.chars().filter(char::is_ascii_digit).collect();
    if digits.len() < 7 {
        return Err(ApiError::InvalidBody(format!(
            "phone: \"{}\" is not a phone number",
            body.phone.trim()
        )));
    }
    if body.lines.is_empty() {
        return Err(ApiError::InvalidBody("lines: the order is empty".into()));
    }
    // Kept as a keyed hash: the ledger never holds the number.
    let customer = state.secret.phone(&digits);
    // One public order at a time from the check to its commit, so the bounds are exact under
    // parallel orders; staff orders are not bounded and do not wait.
    let _turn = match staff {
        None => Some(state.order_limits.turn().await),
        Some(_) => None,
    };
    let (command, hold_id) = {
        let view = state.ledger.view().await;
        let min_age = view.state.config.jurisdiction.min_age;
        if !body.age_confirmed {
            return Err(ApiError::InvalidBody(format!(
                "age_confirmed: confirm you are {min_age} or older to reserve"
            )));
        }
        let mut lines = Vec::new();
        for (i, l) in body.lines.iter().enumerate() {
            let Some(product) = view.state.products.get(&l.product_id) else {
                return Err(ApiError::InvalidBody(format!(
                    "lines[{i}]: no product {} on the menu",
                    l.product_id
                )));
            };
            if l.quantity <= Decimal::ZERO {
                return Err(ApiError::InvalidBody(format!(
                    "lines[{i}]: the quantity of {} must be more than 0",
                    product.name
                )));
            }
            // Oldest expiry first, so the shelf turns over.
            let mut packages: Vec<_> = view
                .state
                .packages
                .values()
                .filter(|p| {
                    p.product_id == l.product_id
                        && p.status == PackageStatus::Active
                        && p.zone == Zone::SalesFloor
                        && p.available() > Decimal::ZERO
                })
                .collect();
            packages.sort_by_key(|p| (p.expires_on.is_none(), p.expires_on, p.packaged_on));
            let mut wanted = l.quantity;
            for p in packages {
                if wanted.is_zero() {
                    break;
                }
                let take = wanted.min(p.available());
                lines.push(ReserveLine {
                    package_id: p.id,
                    quantity: Quantity::new(take, p.quantity.unit),
                });
                wanted -= take;
            }
            if !wanted.is_zero() {
                return Err(ApiError::InvalidBody(format!(
                    "lines[{i}]: only {} {} of {} left",
                    (l.quantity - wanted).normalize(),
                    product.unit.symbol(),
                    product.name
                )));
            }
        }
        let now = Utc::now();
        let hold_id = HoldId::new();
        let command = Command {
            mutation_id: MutationId::new(),
            actor: staff.as_ref().map_or(SYSTEM, |u| u.id),
            device: SERVER_DEVICE,
            at: now,
            action: Action::Reserve(Reserve {
                hold_id,
                customer: customer.clone(),
                customer_name: name.to_owned(),
                channel: if staff.is_some() {
                    HoldChannel::Staff
                } else {
                    HoldChannel::Online
                },
                lines,
                expires_at: now + state.ledger.max_hold(),
            }),
        };
        // Anyone may reserve, but no one caller may hold the shelf: checked after the law's own
        // limits (which say more), with the ledger deciding again when it commits.
        if staff.is_none() {
            if let Err(e) = domain::decide(&view.state, &command) {
                return Err(ApiError::InvalidBody(e.to_string()));
            }
            let wanted: Vec<(ProductId, Decimal)> = body
                .lines
                .iter()
                .map(|l| (l.product_id, l.quantity))
                .collect();
            if let Err(r) = state
                .order_limits
                .check(&view.state, now, address, &customer, &wanted)
            {
                return Err(match r.retry_after {
                    Some(wait) => ApiError::TooManyRequests {
                        message: r.message,
                        retry_after: wait.as_secs().max(1),
                    },
                    None => ApiError::InvalidBody(r.message),
                });
            }
        }
        (command, hold_id)
    };
    let outcome = state
        .ledger
        .submit(
            None,
            vec![Submitted {
                client_seq: None,
                command,
            }],
        )
        .await?;
    match outcome.into_iter().next() {
        Some(Outcome::Applied { .. }) => {
            let view = state.ledger.view().await;
            if staff.is_none() {
                state.order_limits.placed(address, hold_id, &view.state);
            }
            let hold = view
                .state
                .holds
                .get(&hold_id)
                .ok_or_else(|| anyhow::anyhow!("the hold just placed is missing"))?;
            Ok((
                StatusCode::CREATED,
                Json(order_of(hold, OrderStatus::Placed, &view.state)),
            ))
        }
        Some(Outcome::Rejected { error, .. }) => Err(ApiError::InvalidBody(error.to_string())),
        None => Err(anyhow::anyhow!("the ledger answered nothing").into()),
    }
}

/// Where an order stands.
#[utoipa::path(get, path = "/api/v1/orders/{id}", tag = "menu",
    params(("id" = String, Path, description = "The order id")),
    responses((status = 200, body = Order), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn orders_show(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Order>, ApiError> {
    let id = order_id(&id)?;
    match order::order(&state.ledger, &state.store, id).await? {
        Some(o) => Ok(Json(o)),
        None => Err(ApiError::Missing(format!("no order {id}"))),
    }
}

fn order_id(id: &str) -> Result<HoldId, ApiError> {
    id.parse()
        .map_err(|_| ApiError::BadRequest(format!("{id:?} is not an order id")))
}

/// Where an order stands, live: a `status` event (data: `Order`) now and at each change, until
/// it is picked up, cancelled or expired. A phone that reconnects gets the status as it is then.
#[utoipa::path(get, path = "/api/v1/orders/{id}/stream", tag = "menu",
    params(("id" = String, Path, description = "The order's id")),
    responses((status = 200, content_type = "text/event-stream", body = Order),
        (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn orders_stream(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let id = order_id(&id)?;
    let Some(updates) = order::follow(&state.ledger, &state.store, id).await? else {
        return Err(ApiError::Missing(format!("no order {id}")));
    };
    let frames = updates.map(|o| {
        let data = serde_json::to_string(&o).unwrap_or_default();
        Ok::<_, std::convert::Infallible>(format!("event: status\ndata: {data}\n\n"))
    });
    Ok((
        [
            (header::CONTENT_TYPE, "text/event-stream"),
            (header::CACHE_CONTROL, "no-cache"),
            (header::HeaderName::from_static("x-accel-buffering"), "no"),
        ],
        Body::from_stream(frames),
    )
        .into_response())
}

/// Orders waiting for pickup, oldest first.
#[utoipa::path(get, path = "/api/v1/orders", tag = "menu",
    responses((status = 200, body = Vec<Order>), (status = 401, body = ErrorBody)))]
pub async fn orders_index(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<Vec<Order>>, ApiError> {
    user.require(Role::Staff, "the order queue")?;
    let view = state.ledger.view().await;
    let mut orders: Vec<Order> = view
        .state
        .holds
        .values()
        .map(|h| order_of(h, OrderStatus::Placed, &view.state))
        .collect();
    orders.sort_by_key(|o| o.placed_at);
    Ok(Json(orders))
}
