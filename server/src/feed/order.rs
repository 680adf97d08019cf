//! What a customer's phone follows: one pickup order's status, now and at each change. Read from
//! the ledger's view while the order is held, and from its story in the ledger once it is settled.

use domain::{
    event::{Hold, OrderStage},
    wire::{Order, OrderLine, OrderStatus},
    EventKind, HoldId, State,
};
use futures_util::Stream;
use tokio::sync::broadcast::error::RecvError;

use crate::{
    ledger::Ledger,
    store::{EventStore, Store, StoreError},
};

/// The number said at the counter: the order id's first six characters.
pub fn number(id: &HoldId) -> String {
    id.to_string()[..6].to_uppercase()
}

/// An order as its customer sees it: `status` as the ledger settled it, refined by the hold's
/// stage while it is still held.
pub fn order_of(hold: &Hold, status: OrderStatus, state: &State) -> Order {
    let status = match (status, hold.stage) {
        (OrderStatus::Placed, Some(OrderStage::Preparing)) => OrderStatus::Preparing,
        (OrderStatus::Placed, Some(OrderStage::Ready)) => OrderStatus::Ready,
        (s, _) => s,
    };
    let mut lines: Vec<OrderLine> = Vec::new();
    for l in &hold.lines {
        match lines.iter_mut().find(|x| x.product_id == l.product_id) {
            Some(x) => x.quantity.amount += l.quantity.amount,
            None => lines.push(OrderLine {
                product_id: l.product_id,
                name: state
                    .products
                    .get(&l.product_id)
                    .map_or_else(|| "Unknown product".to_owned(), |p| p.name.clone()),
                quantity: l.quantity,
            }),
        }
    }
    Order {
        order_id: hold.hold_id,
        number: number(&hold.hold_id),
        status,
        customer_name: hold.customer_name.clone(),
        channel: hold.channel,
        placed_at: hold.placed_at,
        expires_at: hold.expires_at,
        lines,
        total: hold.total,
    }
}

/// Where an order stands now; `None` when there is no such order.
pub async fn order(
    ledger: &Ledger,
    store: &Store,
    id: HoldId,
) -> Result<Option<Order>, StoreError> {
    {
        let view = ledger.view().await;
        if let Some(hold) = view.state.holds.get(&id) {
            return Ok(Some(order_of(hold, OrderStatus::Placed, &view.state)));
        }
    }
    // Settled: read its story from the ledger.
    let mut placed = None;
    let mut status = None;
    for e in store.events_naming(&id.to_string()).await? {
        match e.kind {
            EventKind::HoldPlaced { hold } if hold.hold_id == id => placed = Some(hold),
            EventKind::HoldReleased {
                hold_id, expired, ..
            } if hold_id == id => {
                status = Some(if expired {
                    OrderStatus::Expired
                } else {
                    OrderStatus::Cancelled
                })
            }
            EventKind::HoldFulfilled { hold_id, .. } if hold_id == id => {
                status = Some(OrderStatus::PickedUp)
            }
            _ => {}
        }
    }
    let Some(hold) = placed else {
        return Ok(None);
    };
    let view = ledger.view().await;
    Ok(Some(order_of(
        &hold,
        status.unwrap_or(OrderStatus::Placed),
        &view.state,
    )))
}

/// Whether an event changes where this order stands.
fn about(kind: &EventKind, id: HoldId) -> bool {
    match kind {
        EventKind::HoldPlaced { hold } => hold.hold_id == id,
        EventKind::HoldAdvanced { hold_id, .. }
        | EventKind::HoldReleased { hold_id, .. }
        | EventKind::HoldFulfilled { hold_id, .. } => *hold_id == id,
        _ => false,
    }
}

/// Whether nothing more can happen to an order.
fn settled(status: OrderStatus) -> bool {
    matches!(
        status,
        OrderStatus::PickedUp | OrderStatus::Cancelled | OrderStatus::Expired
    )
}

/// The order now, then again at each change, until it is settled or the ledger stops. `None`
/// when there is no such order.
pub async fn follow(
    ledger: &Ledger,
    store: &Store,
    id: HoldId,
) -> Result<Option<impl Stream<Item = Order> + Send + 'static>, StoreError> {
    // Subscribed before reading, so a change between the two is not missed.
    let mut rx = ledger.subscribe();
    let Some(first) = order(ledger, store, id).await? else {
        return Ok(None);
    };
    let (ledger, store) = (ledger.clone(), store.clone());
    Ok(Some(async_stream::stream! {
        let mut last = first.status;
        yield first;
        while !settled(last) {
            let changed = match rx.recv().await {
                Ok(c) => c.events.iter().any(|e| about(&e.event.kind, id)),
                // Fell behind: read it again rather than guess what was missed.
                Err(RecvError::Lagged(_)) => true,
                Err(RecvError::Closed) => break,
            };
            if !changed {
                continue;
            }
            match order(&ledger, &store, id).await {
                Ok(Some(o)) if o.status != last => {
                    last = o.status;
                    yield o;
                }
                Ok(_) => {}
                Err(err) => {
                    tracing::error!(error = ?err, order = %id, "order stream could not read the order");
                    break;
                }
            }
        }
    }))
}
