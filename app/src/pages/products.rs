//! The store's products as the purchase limits see them: category, net content and THC per
//! item, the regulator item (which a manager can make or bring up to date in Metrc from here),
//! and what each lacks before the store's law can count it.

use std::sync::Arc;

use domain::{Product, ProductId, QuantityType, State};
use leptos::prelude::*;

use crate::{api, components::page::Page, replica::use_replica};

/// One product's row.
#[derive(Clone, PartialEq)]
struct Row {
    id: ProductId,
    mapped: bool,
    name: String,
    sku: String,
    category: String,
    measured: String,
    net: String,
    thc: String,
    regulator: String,
    missing: Vec<String>,
}

impl Row {
    fn new(p: &Product, s: &State) -> Self {
        let count_based = p.quantity_type == QuantityType::CountBased;
        Self {
            id: p.id,
            mapped: p.regulator.is_some(),
            name: p.name.clone(),
            sku: p.sku.clone(),
            category: p.category.label().to_owned(),
            measured: if count_based {
                "per item".to_owned()
            } else {
                format!("by {}", p.unit.symbol())
            },
            net: match (count_based, p.net_content) {
                (false, _) => "—".into(),
                (true, Some(q)) => format!("{} {}", q.amount.normalize(), q.unit.symbol()),
                (true, None) => "not recorded".into(),
            },
            thc: match (count_based, p.thc_mg_per_unit) {
                (false, _) => "—".into(),
                (true, Some(mg)) => format!("{} mg", mg.normalize()),
                (true, None) => "not recorded".into(),
            },
            regulator: p
                .regulator
                .as_ref()
                .map_or_else(|| "not mapped".into(), |m| m.item_name.clone()),
            missing: s.config.jurisdiction.missing_for(p),
        }
    }
}

/// Every product, with what the store's limits still need from it.
#[component]
pub fn Products() -> impl IntoView {
    let replica = use_replica();
    let rows = Memo::new(move |_| {
        replica.view.with(|v| {
            v.as_ref().map(|s| {
                let mut rows: Vec<Row> = s.products.values().map(|p| Row::new(p, s)).collect();
                rows.sort_by(|a, b| a.name.cmp(&b.name).then(a.sku.cmp(&b.sku)));
                Arc::new(rows)
            })
        })
    });
    let only_missing = RwSignal::new(false);
    let jurisdiction = move || {
        replica.view.with(|v| {
            v.as_ref()
                .map(|s| s.config.jurisdiction.name.clone())
                .unwrap_or_default()
        })
    };
    let summary = move || {
        rows.with(|r| {
            r.as_ref().map(|r| {
                let lacking = r.iter().filter(|x| !x.missing.is_empty()).count();
                format!(
                    "{lacking} of {} products lack something {}'s purchase limits need to count them.",
                    r.len(),
                    jurisdiction()
                )
            })
        })
    };
    let shown = move || {
        rows.get().map_or_else(Vec::new, |r| {
            r.iter()
                .filter(|x| !only_missing.get() || !x.missing.is_empty())
                .cloned()
                .collect::<Vec<_>>()
        })
    };
    view! {
        <Page title="Products" lead="What each product records for the store's purchase limits and the regulator, and what it still lacks." testid="page-products">
            {move || match rows.get() {
                None => view! { <p class="muted">"Loading the store…"</p> }.into_any(),
                Some(_) => view! {
                    <p class="sub" data-testid="products-summary">{summary}</p>
                    <label class="check">
                        <input type="checkbox" data-testid="products-missing-only" bind:checked=only_missing />
                        " Only products that lack something"
                    </label>
                    <table class="grid" data-testid="products">
                        <thead><tr>
                            <th>"Product"</th><th>"Category"</th><th>"Sold"</th>
                            <th class="num">"Net content"</th><th class="num">"THC per item"</th>
                            <th>"Regulator item"</th><th>"For the purchase limits"</th>
                        </tr></thead>
                        <tbody>
                            {move || shown().into_iter().map(|r| {
                                let ready = r.missing.is_empty();
                                view! {
                                    <tr data-testid="product-row" data-missing=(!ready).to_string()>
                                        <td>{r.name}<span class="sub">{format!(" {}", r.sku)}</span></td>
                                        <td>{r.category}</td>
                                        <td>{r.measured}</td>
                                        <td class="num">{r.net}</td>
                                        <td class="num">{r.thc}</td>
                                        <td>{r.regulator}{r.mapped.then(|| view! { <SendItem product=r.id /> })}</td>
                                        <td data-testid="product-limits">{if ready {
                                            view! { <span class="status ok">"Counted"</span> }.into_any()
                                        } else {
                                            view! { <span class="status warn">{format!("Needs {}", r.missing.iter().map(|m| m.as_str()).collect::<Vec<_>>().join("; "))}</span> }.into_any()
                                        }}</td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any(),
            }}
        </Page>
    }
}

/// Makes the product's Metrc item, or brings the item of that name up to date, and says what
/// happened or what the product still lacks.
#[component]
fn SendItem(product: ProductId) -> impl IntoView {
    let busy = RwSignal::new(false);
    let said = RwSignal::new(None::<(bool, String)>);
    let send = move |_| {
        busy.set(true);
        said.set(None);
        leptos::task::spawn_local(async move {
            said.set(Some(match api::send_regulator_item(product).await {
                Ok(summary) => (true, summary),
                Err(e) => (false, e),
            }));
            busy.set(false);
        });
    };
    view! {
        <div class="cell-action">
            <button type="button" class="button small" data-testid="item-send" on:click=send disabled=move || busy.get()>
                {move || if busy.get() { "Sending…" } else { "Send to Metrc" }}
            </button>
            {move || said.get().map(|(ok, m)| view! {
                <p class=if ok { "banner ok" } else { "banner error" } role=if ok { "status" } else { "alert" } data-testid="item-message">{m}</p>
            })}
        </div>
    }
}
