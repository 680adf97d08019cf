//! The live public menu: what is on the shelf now, with price, THC and CBD and a stock state,
//! updated as sales happen anywhere in the store. No sign-in; phone first; `/shop` shows it
//! without the staff navigation so a store's website can embed it.

use std::str::FromStr;

use domain::{
    wire::{Availability, ErrorBody, MenuItem as Item, Order, OrderStatus, Stock},
    Category, Money, ProductId, StrainType, Unit,
};
use gloo_net::http::Request;
use leptos::prelude::*;
use rust_decimal::Decimal;
use wasm_bindgen::{closure::Closure, JsCast};

use crate::{
    components::page::Page,
    forms::{self, ReserveForm},
};

/// A stock state in words, and its name as page styles and tests read it.
fn stock_words(s: Stock) -> (&'static str, &'static str) {
    match s {
        Stock::InStock => ("In stock", "in_stock"),
        Stock::Low => ("Low stock", "low"),
        Stock::SoldOut => ("Sold out", "sold_out"),
    }
}

/// One product in the cart.
#[derive(Clone, Debug, PartialEq)]
struct CartLine {
    product_id: ProductId,
    name: String,
    quantity: Decimal,
    unit: Unit,
    price: Money,
}

fn strain_words(s: StrainType) -> &'static str {
    match s {
        StrainType::Indica => "Indica",
        StrainType::Sativa => "Sativa",
        StrainType::Hybrid => "Hybrid",
        StrainType::Cbd => "CBD",
        StrainType::None => "",
    }
}

async fn fetch_menu() -> Result<domain::wire::Menu, String> {
    let res = Request::get("/api/v1/menu")
        .send()
        .await
        .map_err(|_| "The menu cannot be reached right now; it will try again.".to_owned())?;
    res.json::<domain::wire::Menu>()
        .await
        .map_err(|e| format!("The menu could not be read: {e}"))
}

/// The menu inside the staff app (`/menu`).
#[component]
pub fn Menu() -> impl IntoView {
    view! {
        <Page title="Menu" lead="What customers see: everything on the shelf now, updated live as it sells." testid="page-menu">
            <MenuBoard />
        </Page>
    }
}

/// The menu on its own (`/shop`), for customers' phones and store websites.
#[component]
pub fn Shop() -> impl IntoView {
    view! {
        <section class="shop" data-testid="page-shop">
            <header class="shop-head">
                <img src="/icon.svg" alt="" width="36" height="36" />
                <div>
                    <h1>"Menu"</h1>
                    <p class="lead">"In stock now, updated live."</p>
                </div>
            </header>
            <MenuBoard />
        </section>
    }
}

/// Search, filters and the product cards, kept live from the menu stream.
#[component]
fn MenuBoard() -> impl IntoView {
    let items = RwSignal::new(None::<Result<Vec<Item>, String>>);
    let live = RwSignal::new(false);
    let seq = StoredValue::new(0i64);
    let min_age = RwSignal::new(19u8);
    let cart = RwSignal::new(Vec::<CartLine>::new());
    provide_context(cart);
    let load = move || {
        leptos::task::spawn_local(async move {
            match fetch_menu().await {
                Ok(m) => {
                    seq.set_value(m.seq);
                    min_age.set(m.min_age);
                    items.set(Some(Ok(m.items)));
                }
                Err(e) => {
                    if items.with_untracked(|i| !matches!(i, Some(Ok(_)))) {
                        items.set(Some(Err(e)));
                    }
                }
            }
        });
    };
    load();
    // The browser reconnects a dropped stream by itself and resumes after the last id it saw.
    if let Ok(es) = web_sys::EventSource::new("/api/v1/menu/stream") {
        let on_change =
            Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |ev: web_sys::MessageEvent| {
                let Some(data) = ev.data().as_string() else {
                    return;
                };
                if let Ok(a) = serde_json::from_str::<Availability>(&data) {
                    items.update(|i| {
                        if let Some(Ok(list)) = i {
                            if let Some(it) = list.iter_mut().find(|x| x.product_id == a.product_id)
                            {
                                it.stock = a.stock;
                            }
                        }
                    });
                }
            });
        let _ =
            es.add_event_listener_with_callback("availability", on_change.as_ref().unchecked_ref());
        on_change.forget();
        // `ready` carries the position the stream starts from: anything after the menu was read
        // and before the stream began is fetched again.
        let on_ready =
            Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |ev: web_sys::MessageEvent| {
                live.set(true);
                let at = ev
                    .data()
                    .as_string()
                    .and_then(|d| d.trim().parse::<i64>().ok())
                    .unwrap_or(0);
                if at > seq.get_value() || items.with_untracked(|i| !matches!(i, Some(Ok(_)))) {
                    load();
                }
            });
        let _ = es.add_event_listener_with_callback("ready", on_ready.as_ref().unchecked_ref());
        on_ready.forget();
        let on_error = Closure::<dyn Fn()>::new(move || live.set(false));
        let _ = es.add_event_listener_with_callback("error", on_error.as_ref().unchecked_ref());
        on_error.forget();
        let es = StoredValue::new_local(es);
        on_cleanup(move || es.with_value(|e| e.close()));
    }

    let search = RwSignal::new(String::new());
    let category = RwSignal::new(None::<Category>);
    let brand = RwSignal::new(String::new());
    let strain = RwSignal::new(String::new());
    let thc_min = RwSignal::new(String::new());
    let thc_max = RwSignal::new(String::new());
    let price_max = RwSignal::new(String::new());
    let in_stock_only = RwSignal::new(false);

    let categories = Memo::new(move |_| {
        let mut c: Vec<Category> = items.with(|i| match i {
            Some(Ok(list)) => list.iter().map(|x| x.category).collect(),
            _ => vec![],
        });
        c.sort();
        c.dedup();
        c
    });
    let brands = Memo::new(move |_| {
        let mut b: Vec<String> = items.with(|i| match i {
            Some(Ok(list)) => list.iter().map(|x| x.brand.clone()).collect(),
            _ => vec![],
        });
        b.sort();
        b.dedup();
        b
    });
    let shown = Memo::new(move |_| {
        let q = search.get().trim().to_lowercase();
        let thc = Decimal::from_str(thc_min.get().trim()).ok();
        let thc_top = Decimal::from_str(thc_max.get().trim()).ok();
        let price = Decimal::from_str(price_max.get().trim()).ok();
        let (cat, br, st, only) = (
            category.get(),
            brand.get(),
            strain.get(),
            in_stock_only.get(),
        );
        items.with(|i| match i {
            Some(Ok(list)) => list
                .iter()
                .filter(|x| {
                    q.is_empty()
                        || x.name.to_lowercase().contains(&q)
                        || x.brand.to_lowercase().contains(&q)
                })
                .filter(|x| cat.is_none_or(|c| x.category == c))
                .filter(|x| br.is_empty() || x.brand == br)
                .filter(|x| st.is_empty() || strain_words(x.strain) == st)
                .filter(|x| thc.is_none_or(|t| x.thc_percent.is_some_and(|v| v >= t)))
                .filter(|x| thc_top.is_none_or(|t| x.thc_percent.is_none_or(|v| v <= t)))
                .filter(|x| price.is_none_or(|p| x.price.amount <= p))
                .filter(|x| !only || x.stock != Stock::SoldOut)
                .cloned()
                .collect::<Vec<_>>(),
            _ => vec![],
        })
    });

    view! {
        <div class="menu-board">
            <p class="live-state" data-testid="menu-live" data-live=move || live.get().to_string() aria-live="polite">
                {move || if live.get() { "● Live: stock updates as it sells" } else { "○ Reconnecting to live stock…" }}
            </p>
            <div class="menu-filters" role="search">
                <label class="field grow">
                    <span>"Search"</span>
                    <input type="search" placeholder="Product or brand" data-testid="menu-search" bind:value=search />
                </label>
                <div class="chips" role="group" aria-label="Category">
                    <button type="button" class="chip" class:on=move || category.get().is_none() on:click=move |_| category.set(None)>"All"</button>
                    {move || categories.get().into_iter().map(|c| view! {
                        <button type="button" class="chip" class:on=move || category.get() == Some(c)
                            data-testid="menu-category" on:click=move |_| category.set(Some(c))>{c.label()}</button>
                    }).collect_view()}
                </div>
                <details class="more-filters">
                    <summary>"More filters"</summary>
                    <div class="form-row">
                        <label class="field">
                            <span>"Brand"</span>
                            <select data-testid="menu-brand" bind:value=brand>
                                <option value="">"Any brand"</option>
                                {move || brands.get().into_iter().map(|b| view! { <option value=b.clone()>{b.clone()}</option> }).collect_view()}
                            </select>
                        </label>
                        <label class="field">
                            <span>"Strain"</span>
                            <select data-testid="menu-strain" bind:value=strain>
                                <option value="">"Any"</option>
                                <option value="Indica">"Indica"</option>
                                <option value="Sativa">"Sativa"</option>
                                <option value="Hybrid">"Hybrid"</option>
                                <option value="CBD">"CBD"</option>
                            </select>
                        </label>
                        <label class="field">
                            <span>"THC at least (%)"</span>
                            <input type="text" inputmode="decimal" data-testid="menu-thc" bind:value=thc_min />
                        </label>
                        <label class="field">
                            <span>"THC at most (%)"</span>
                            <input type="text" inputmode="decimal" data-testid="menu-thc-max" bind:value=thc_max />
                        </label>
                        <label class="field">
                            <span>"Price at most ($)"</span>
                            <input type="text" inputmode="decimal" data-testid="menu-price" bind:value=price_max />
                        </label>
                        <label class="check">
                            <input type="checkbox" bind:checked=in_stock_only />
                            <span>"Hide sold out"</span>
                        </label>
                    </div>
                </details>
            </div>
            {move || match items.with(|i| i.as_ref().map(|r| r.as_ref().err().cloned())) {
                None => view! { <p class="muted" role="status">"Loading the menu…"</p> }.into_any(),
                Some(Some(e)) => view! { <p class="banner error" role="alert">{e}</p> }.into_any(),
                Some(None) => view! {
                    <p class="count" data-testid="menu-count">{move || format!("{} products", shown.with(Vec::len))}</p>
                    <ul class="menu-grid">
                        <For each=move || shown.get() key=|x| (x.product_id, x.stock) let:x>
                            <MenuCard item=x />
                        </For>
                    </ul>
                }.into_any(),
            }}
            <Cart cart=cart min_age=min_age />
        </div>
    }
}

#[component]
fn MenuCard(item: Item) -> impl IntoView {
    let potency = [
        item.thc_percent.map(|t| format!("THC {}%", t.normalize())),
        item.cbd_percent.map(|c| format!("CBD {}%", c.normalize())),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" · ");
    let kind = [item.category.label(), strain_words(item.strain)]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" · ");
    let cart = expect_context::<RwSignal<Vec<CartLine>>>();
    let sold_out = item.stock == Stock::SoldOut;
    let line = CartLine {
        product_id: item.product_id,
        name: item.name.clone(),
        quantity: Decimal::ONE,
        unit: item.unit,
        price: item.price,
    };
    let add = move |_| {
        cart.update(
            |c| match c.iter_mut().find(|l| l.product_id == line.product_id) {
                Some(l) => l.quantity += Decimal::ONE,
                None => c.push(line.clone()),
            },
        )
    };
    let per = match item.unit {
        Unit::Each => String::new(),
        u => format!(" / {}", u.symbol()),
    };
    view! {
        <li class="menu-card" class:sold-out=item.stock == Stock::SoldOut data-testid="menu-item" data-product=item.product_id.to_string()>
            <p class="brand">{item.brand.clone()}</p>
            <h2>{item.name.clone()}</h2>
            <p class="sub">{kind}</p>
            <p class="potency">{potency}</p>
            <div class="menu-foot">
                <strong class="price">{format!("{}{per}", item.price)}</strong>
                <span class=format!("stock {}", stock_words(item.stock).1) data-testid="stock" data-stock=stock_words(item.stock).1>{stock_words(item.stock).0}</span>
            </div>
            <button type="button" class="button add" data-testid="add-to-cart" disabled=sold_out on:click=add>
                {if sold_out { "Sold out".to_owned() } else { format!("Add 1{}", if item.unit == Unit::Each { String::new() } else { format!(" {}", item.unit.symbol()) }) }}
            </button>
        </li>
    }
}

/// The cart and the reservation form: name, phone and the age confirmation.
#[component]
fn Cart(cart: RwSignal<Vec<CartLine>>, min_age: RwSignal<u8>) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let phone = RwSignal::new(String::new());
    let adult = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let navigate = leptos_router::hooks::use_navigate();
    let total = move || {
        cart.with(|c| {
            c.iter()
                .map(|l| l.price.amount * l.quantity)
                .sum::<Decimal>()
                .round_dp(2)
        })
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        let form = ReserveForm {
            name: name.get_untracked(),
            phone: phone.get_untracked(),
            age_confirmed: adult.get_untracked(),
            lines: cart.with_untracked(|c| c.iter().map(|l| (l.product_id, l.quantity)).collect()),
        };
        let body = match form.parse(min_age.get_untracked()) {
            Ok(b) => b,
            Err(e) => return error.set(Some(forms::message(&e))),
        };
        busy.set(true);
        let navigate = navigate.clone();
        leptos::task::spawn_local(async move {
            let res = match Request::post("/api/v1/orders").json(&body) {
                Ok(req) => req.send().await,
                Err(e) => {
                    error.set(Some(e.to_string()));
                    busy.set(false);
                    return;
                }
            };
            match res {
                Ok(r) if r.status() == 201 => {
                    if let Ok(o) = r.json::<Order>().await {
                        cart.set(Vec::new());
                        navigate(&format!("/shop/orders/{}", o.order_id), Default::default());
                    }
                }
                Ok(r) => {
                    let m = r
                        .json::<ErrorBody>()
                        .await
                        .map(|b| b.error.message)
                        .unwrap_or_else(|_| format!("the store answered {}", r.status()));
                    error.set(Some(m));
                }
                Err(_) => error.set(Some(
                    "The store cannot be reached; check the connection and try again.".into(),
                )),
            }
            busy.set(false);
        });
    };
    view! {
        <form class="panel cart" data-testid="cart" on:submit=submit novalidate
            style:display=move || if cart.with(Vec::is_empty) { "none" } else { "" }>
                <h2>"Reserve for pickup"</h2>
                <ul class="cart-lines">
                    {move || cart.get().into_iter().map(|l| {
                        let id = l.product_id;
                        view! {
                            <li data-testid="cart-line">
                                <span>{format!("{} × {}", l.quantity.normalize(), l.name)}</span>
                                <button type="button" class="button" aria-label="Remove one"
                                    on:click=move |_| cart.update(|c| {
                                        if let Some(x) = c.iter_mut().find(|x| x.product_id == id) { x.quantity -= Decimal::ONE; }
                                        c.retain(|x| x.quantity > Decimal::ZERO);
                                    })>"−"</button>
                            </li>
                        }
                    }).collect_view()}
                </ul>
                <p class="cart-total">{move || format!("Total at pickup: ${}", total())}</p>
                <div class="form-row">
                    <label class="field grow">
                        <span>"Name for pickup"</span>
                        <input type="text" autocomplete="name" data-testid="order-name" bind:value=name />
                    </label>
                    <label class="field grow">
                        <span>"Phone"</span>
                        <input type="tel" autocomplete="tel" data-testid="order-phone" bind:value=phone />
                    </label>
                </div>
                <label class="check">
                    <input type="checkbox" data-testid="order-age" bind:checked=adult />
                    <span>{move || format!("I am {} or older and will show ID at pickup", min_age.get())}</span>
                </label>
                {move || error.get().map(|m| view! { <p class="banner error" role="alert" data-testid="order-error">{m}</p> })}
                <button type="submit" class="button primary" data-testid="order-submit" disabled=move || busy.get()>"Reserve"</button>
        </form>
    }
}

fn status_words(s: OrderStatus) -> (&'static str, &'static str) {
    match s {
        OrderStatus::Placed => ("Received: the store will start on it shortly", "status ok"),
        OrderStatus::Preparing => ("Being prepared", "status warn"),
        OrderStatus::Ready => ("Ready: come and pick it up", "status ok"),
        OrderStatus::PickedUp => ("Picked up. Enjoy!", "status ok"),
        OrderStatus::Cancelled => ("Cancelled by the store", "status danger"),
        OrderStatus::Expired => ("Not picked up in time; the hold ended", "status warn"),
    }
}

/// A customer's order, followed live (`/shop/orders/:id`).
#[component]
pub fn OrderStatusPage() -> impl IntoView {
    let params = leptos_router::hooks::use_params_map();
    let order = RwSignal::new(None::<Result<Order, String>>);
    let id = params.with_untracked(|p| p.get("id").unwrap_or_default());
    // Read once for an order the stream cannot follow (no such order): the server says why.
    let explain = {
        let id = id.clone();
        move || {
            let id = id.clone();
            leptos::task::spawn_local(async move {
                match Request::get(&format!("/api/v1/orders/{id}")).send().await {
                    Ok(r) if r.ok() => {
                        if let Ok(o) = r.json::<Order>().await {
                            order.set(Some(Ok(o)));
                        }
                    }
                    Ok(r) => order.set(Some(Err(format!("No such order ({})", r.status())))),
                    // Offline: the stream reconnects by itself once the phone is back.
                    Err(_) => {}
                }
            });
        }
    };
    // The order now, then each change the moment staff make it. The browser reconnects a
    // dropped stream by itself, and the server starts every connection with the status then.
    if let Ok(es) = web_sys::EventSource::new(&format!("/api/v1/orders/{id}/stream")) {
        let es = StoredValue::new_local(es);
        let on_status =
            Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |ev: web_sys::MessageEvent| {
                let Some(o) = ev
                    .data()
                    .as_string()
                    .and_then(|d| serde_json::from_str::<Order>(&d).ok())
                else {
                    return;
                };
                if !matches!(
                    o.status,
                    OrderStatus::Placed | OrderStatus::Preparing | OrderStatus::Ready
                ) {
                    // Settled: nothing more will change.
                    es.with_value(|e| e.close());
                }
                order.set(Some(Ok(o)));
            });
        es.with_value(|e| {
            let _ =
                e.add_event_listener_with_callback("status", on_status.as_ref().unchecked_ref());
        });
        on_status.forget();
        let on_error = Closure::<dyn Fn()>::new(move || {
            // Refused outright (not a dropped connection, which the browser retries).
            let closed = es.with_value(|e| e.ready_state() == web_sys::EventSource::CLOSED);
            if closed && order.with_untracked(Option::is_none) {
                explain();
            }
        });
        es.with_value(|e| {
            let _ = e.add_event_listener_with_callback("error", on_error.as_ref().unchecked_ref());
        });
        on_error.forget();
        on_cleanup(move || es.with_value(|e| e.close()));
    } else {
        explain();
    }
    view! {
        <section class="shop" data-testid="page-order">
            <header class="shop-head">
                <img src="/icon.svg" alt="" width="36" height="36" />
                <div><h1>"Your order"</h1><p class="lead">"This page updates by itself."</p></div>
            </header>
            {move || match order.get() {
                None => view! { <p class="muted">"Loading your order…"</p> }.into_any(),
                Some(Err(e)) => view! { <p class="banner error" role="alert">{e}</p> }.into_any(),
                Some(Ok(o)) => {
                    let (words, class) = status_words(o.status);
                    view! {
                        <div class="panel order">
                            <p class="order-number">"Order " <strong data-testid="order-number">{o.number.clone()}</strong></p>
                            <p class=class data-testid="order-status" data-status=o.status.name()>{words}</p>
                            <p>{format!("For {}", o.customer_name)}</p>
                            <ul>{o.lines.iter().map(|l| view! { <li>{format!("{} {} × {}", l.quantity.amount.normalize(), l.quantity.unit.symbol(), l.name)}</li> }).collect_view()}</ul>
                            <p>{format!("Total at pickup: {}", o.total)}</p>
                            {matches!(o.status, OrderStatus::Placed | OrderStatus::Preparing | OrderStatus::Ready).then(|| view! {
                                <p class="sub">{format!("Held until {} UTC. Show this number and your ID at the counter.", o.expires_at.format("%H:%M"))}</p>
                            })}
                        </div>
                    }.into_any()
                }
            }}
            <p><leptos_router::components::A href="/shop">"Back to the menu"</leptos_router::components::A></p>
        </section>
    }
}
