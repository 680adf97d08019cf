//! The live public menu: what is on the shelf now, with price, THC and CBD and a stock state,
//! updated as sales happen anywhere in the store. No sign-in; phone first; `/shop` shows it
//! without the staff navigation so a store's website can embed it.

use std::str::FromStr;

use domain::{Category, Money, ProductId, StrainType, Unit};
use gloo_net::http::Request;
use leptos::prelude::*;
use rust_decimal::Decimal;
use serde::Deserialize;
use wasm_bindgen::{closure::Closure, JsCast};

use crate::components::page::Page;

/// A stock state in words, as the server sends it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Level {
    InStock,
    Low,
    SoldOut,
}

impl Level {
    fn words(self) -> &'static str {
        match self {
            Level::InStock => "In stock",
            Level::Low => "Low stock",
            Level::SoldOut => "Sold out",
        }
    }

    fn slug(self) -> &'static str {
        match self {
            Level::InStock => "in_stock",
            Level::Low => "low",
            Level::SoldOut => "sold_out",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
struct Item {
    product_id: ProductId,
    name: String,
    brand: String,
    category: Category,
    strain: StrainType,
    thc_percent: Option<Decimal>,
    cbd_percent: Option<Decimal>,
    price: Money,
    unit: Unit,
    stock: Level,
}

#[derive(Deserialize)]
struct MenuBody {
    seq: i64,
    items: Vec<Item>,
}

#[derive(Deserialize)]
struct Availability {
    product_id: ProductId,
    stock: Level,
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

async fn fetch_menu() -> Result<MenuBody, String> {
    let res = Request::get("/api/v1/menu")
        .send()
        .await
        .map_err(|_| "The menu cannot be reached right now; it will try again.".to_owned())?;
    res.json::<MenuBody>()
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
    let load = move || {
        leptos::task::spawn_local(async move {
            match fetch_menu().await {
                Ok(m) => {
                    seq.set_value(m.seq);
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
                .filter(|x| price.is_none_or(|p| x.price.amount <= p))
                .filter(|x| !only || x.stock != Level::SoldOut)
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
    let per = match item.unit {
        Unit::Each => String::new(),
        u => format!(" / {}", u.symbol()),
    };
    view! {
        <li class="menu-card" class:sold-out=item.stock == Level::SoldOut data-testid="menu-item" data-product=item.product_id.to_string()>
            <p class="brand">{item.brand.clone()}</p>
            <h2>{item.name.clone()}</h2>
            <p class="sub">{kind}</p>
            <p class="potency">{potency}</p>
            <div class="menu-foot">
                <strong class="price">{format!("{}{per}", item.price)}</strong>
                <span class=format!("stock {}", item.stock.slug()) data-testid="stock" data-stock=item.stock.slug()>{item.stock.words()}</span>
            </div>
        </li>
    }
}
