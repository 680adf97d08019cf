//! The order queue: pickup orders waiting at the counter, live. Staff hand an order over (it
//! becomes a sale from the held packages) or cancel it (the stock goes back on the menu).
//! Orders no one collects lapse on the server's own schedule.

use domain::{
    command::{AdvanceOrder, FulfilHold, HoldRef},
    wire::{Order, OrderStatus},
    Action, HoldChannel, OrderStage, ReceiptId,
};
use leptos::prelude::*;
use leptos_router::components::A;

use crate::words::fmt_q;
use crate::{
    api::{self, SyncFailure},
    components::page::Page,
    replica::use_replica,
};

/// The queue.
#[component]
pub fn Orders() -> impl IntoView {
    let replica = use_replica();
    let orders = LocalResource::new(move || {
        // Asked again whenever the ledger moves (a new order, one handed over elsewhere).
        replica.view.track();
        replica.outbox.track();
        async move { api::orders().await }
    });
    view! {
        <Page title="Orders" lead="Pickup orders waiting at the counter, oldest first. They lapse by themselves when their time is up." testid="page-orders">
            <p class="sub">
                "Taking a phone or counter order? Build it on the "
                <A href="/menu">"menu"</A>
                " for the customer, with their name and phone."
            </p>
            <Suspense fallback=|| view! { <p class="muted">"Loading orders…"</p> }>
                {move || orders.get().map(|r| match r {
                    Err(SyncFailure::Offline) => view! { <p class="banner warn">"The order queue needs a connection."</p> }.into_any(),
                    Err(SyncFailure::SignedOut) => view! { <p class="banner warn">"Sign in again to see orders."</p> }.into_any(),
                    Err(SyncFailure::Server(m)) => view! { <p class="banner error" role="alert">{m}</p> }.into_any(),
                    Ok(list) if list.is_empty() => view! { <p class="muted" data-testid="orders-empty">"No orders waiting."</p> }.into_any(),
                    Ok(list) => view! {
                        <ul class="order-queue">
                            {list.into_iter().map(|o| view! { <QueueItem order=o /> }).collect_view()}
                        </ul>
                    }.into_any(),
                })}
            </Suspense>
        </Page>
    }
}

#[component]
fn QueueItem(order: Order) -> impl IntoView {
    let replica = use_replica();
    let error = RwSignal::new(None::<String>);
    let id = order.order_id;
    let minutes_left = (order.expires_at - crate::replica::now())
        .num_minutes()
        .max(0);
    let act = move |action: Action| {
        leptos::task::spawn_local(async move {
            if let Err(e) = replica.submit(action).await {
                error.set(Some(e.to_string()));
            }
        });
    };
    view! {
        <li class="panel queued" data-testid="queued-order" data-number=order.number.clone()>
            <div class="manifest-head">
                <div>
                    <h2>{format!("{} · {}", order.number, order.customer_name)}</h2>
                    <p class="sub">{format!(
                        "{} · placed {} UTC · lapses in {minutes_left} min",
                        match order.channel { HoldChannel::Online => "Online", HoldChannel::Staff => "Counter" },
                        order.placed_at.format("%H:%M"),
                    )}</p>
                </div>
                <strong>{order.total.to_string()}</strong>
            </div>
            <ul>{order.lines.iter().map(|l| view! { <li>{format!("{} × {}", fmt_q(l.quantity), l.name)}</li> }).collect_view()}</ul>
            {move || error.get().map(|m| view! { <p class="banner error" role="alert">{m}</p> })}
            <p class=if order.status == OrderStatus::Ready { "status ok" } else { "status warn" } data-testid="queued-status" data-status=order.status.name()>
                {match order.status { OrderStatus::Preparing => "Preparing", OrderStatus::Ready => "Ready at the counter", _ => "New" }}
            </p>
            <div class="form-actions">
                {(order.status == OrderStatus::Placed).then(|| view! {
                    <button type="button" class="button" data-testid="order-preparing"
                        on:click=move |_| act(Action::AdvanceOrder(AdvanceOrder { hold_id: id, stage: OrderStage::Preparing }))>"Start preparing"</button>
                })}
                {(order.status != OrderStatus::Ready).then(|| view! {
                    <button type="button" class="button" data-testid="order-ready"
                        on:click=move |_| act(Action::AdvanceOrder(AdvanceOrder { hold_id: id, stage: OrderStage::Ready }))>"Ready"</button>
                })}
                <button type="button" class="button primary" data-testid="order-picked-up"
                    on:click=move |_| act(Action::FulfilHold(FulfilHold { hold_id: id, receipt_id: ReceiptId::new() }))>"Picked up"</button>
                <button type="button" class="button" data-testid="order-cancel"
                    on:click=move |_| act(Action::ReleaseHold(HoldRef { hold_id: id }))>"Cancel"</button>
            </div>
        </li>
    }
}
