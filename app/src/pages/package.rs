//! The package card: everything about one package (quantities, product and regulator mapping,
//! lab result, dates, sync state, lineage, history) and, for managers, its actions.

use std::sync::Arc;

use domain::{account::Role, Event, EventKind, LabState, Package, PackageId, Quantity, State};
use leptos::prelude::*;
use leptos_router::{components::A, hooks::use_params_map};

use crate::{
    api,
    components::{
        flows::{Flow, FlowPanel},
        page::Page,
    },
    replica::{use_replica, Net},
    session::use_session,
    words::{fmt_q, status_class, status_words},
};

fn lab_words(s: LabState) -> &'static str {
    match s {
        LabState::NotSubmitted => "Not submitted",
        LabState::Pending => "Pending",
        LabState::Passed => "Passed",
        LabState::Failed => "Failed",
    }
}

/// The card for the package in the route (`/packages/:id`).
#[component]
pub fn PackageCard() -> impl IntoView {
    let params = use_params_map();
    let replica = use_replica();
    let id =
        Memo::new(move |_| params.with(|p| p.get("id").and_then(|v| v.parse::<PackageId>().ok())));
    let package = Memo::new(move |_| {
        let id = id.get()?;
        replica
            .view
            .with(|v| v.as_ref().and_then(|s| s.packages.get(&id).cloned()))
    });
    // Both outlive the card's parts, which are rebuilt whenever the package changes (a sale on
    // another till, a sync): a form half filled in stays as it is.
    let done = RwSignal::new(None::<String>);
    let open = RwSignal::new(None::<Flow>);
    Effect::new(move |_| {
        id.track();
        done.set(None);
        open.set(None);
    });
    let known = Memo::new(move |_| replica.view.with(Option::is_some));
    let title = Signal::derive(move || {
        let name = package.with(|p| {
            p.as_ref().and_then(|p| {
                replica.view.with_untracked(|v| {
                    v.as_ref()
                        .and_then(|s| s.products.get(&p.product_id).map(|x| x.name.clone()))
                })
            })
        });
        name.unwrap_or_else(|| "Package".to_owned())
    });
    let on_close = Callback::new(move |message: Option<String>| {
        open.set(None);
        if message.is_some() {
            done.set(message);
        }
    });
    view! {
        <Page title=title lead="One package: what it holds, where it came from, and everything that happened to it." testid="page-package">
            {move || package.get().map(|p| view! { <CardHead package=p done=done open=open /> })}
            {move || open.get().and_then(|f| package.get_untracked().map(|p| view! {
                <FlowPanel flow=f package=p on_close=on_close />
            }))}
            {move || match (package.get(), known.get()) {
                (Some(p), _) => view! { <CardBody package=p /> }.into_any(),
                (None, true) => view! {
                    <p class="banner error" role="alert" data-testid="package-missing">
                        "This tablet knows no such package. Check the tag, or go back to "
                        <A href="/inventory">"Inventory"</A>"."
                    </p>
                }.into_any(),
                (None, false) => view! { <p class="muted" role="status">"Loading…"</p> }.into_any(),
            }}
        </Page>
    }
}

/// Tag, status and the manager's actions.
#[component]
fn CardHead(
    package: Package,
    done: RwSignal<Option<String>>,
    open: RwSignal<Option<Flow>>,
) -> impl IntoView {
    let replica = use_replica();
    let session = use_session();
    let id = package.id;
    let (head, tail) = package.tag.grouped();
    let tail = tail.to_owned();
    let is_open = matches!(
        package.status,
        domain::PackageStatus::Active | domain::PackageStatus::OnHold(_)
    );
    let manager = move || session.allows(Role::Manager);
    let zone = package.zone;
    let on_floor = zone == domain::Zone::SalesFloor;
    view! {
        <div class="card-head">
            <span class="tag big" data-testid="card-tag" title=package.tag.to_string()>
                <span class="tag-head">{head}</span>" "<strong class="tag-tail">{tail}</strong>
            </span>
            <span class=status_class(package.status) data-testid="card-status">{status_words(package.status)}</span>
            <Show when=move || replica.pending.with(|p| p.contains(&id))>
                <span class="status warn" data-testid="card-pending">"Changes waiting to be sent"</span>
            </Show>
        </div>
        {move || done.get().map(|m| view! { <p class="banner ok" role="status" data-testid="flow-done">{m}</p> })}
        <Show when=move || is_open>
            <div class="actions" role="group" aria-label="Package actions">
                {[Flow::Sell, Flow::Split, Flow::Merge, Flow::Adjust, Flow::Destroy, Flow::Move]
                    .into_iter()
                    // Staff sell from the floor; everything else is a manager's.
                    .filter(move |f| if *f == Flow::Sell { on_floor } else { manager() })
                    .map(|f| view! {
                        <button type="button" class="button" class:active=move || open.get() == Some(f)
                            data-testid=format!("action-{}", f.slug())
                            on:click=move |_| { done.set(None); open.set(if open.get_untracked() == Some(f) { None } else { Some(f) }); }>
                            {f.label(zone)}
                        </button>
                    })
                    .collect_view()}
            </div>
        </Show>
    }
}

/// Quantities, product, lab and dates, lineage and history.
#[component]
fn CardBody(package: Package) -> impl IntoView {
    let replica = use_replica();
    let state = replica.view.get_untracked().unwrap_or_default();
    let product = state.products.get(&package.product_id).cloned();
    let unit = package.quantity.unit;
    let available = Quantity::new(package.quantity.amount - package.held, unit);
    let id = package.id;
    let expired = package.expires_on.is_some_and(|d| d < replica.today());
    let mapping = product.as_ref().and_then(|p| p.regulator.clone());
    // What the store's purchase limits need from the product before it can be sold.
    let missing = product
        .as_ref()
        .map(|p| state.config.jurisdiction.missing_for(p))
        .unwrap_or_default();
    let jurisdiction = state.config.jurisdiction.name.clone();
    // Followed, not read once: the banner goes when the change reaches the server.
    let pending = Signal::derive(move || replica.pending.with(|p| p.contains(&id)));
    view! {
        <div class="card-grid">
            <section class="panel facts" aria-label="Quantities">
                <h2>"Quantities"</h2>
                <dl>
                    <dt>"In package"</dt><dd data-testid="card-quantity">{fmt_q(package.quantity)}</dd>
                    <dt>"On hold for orders"</dt><dd>{fmt_q(Quantity::new(package.held, unit))}</dd>
                    <dt>"Available"</dt><dd data-testid="card-available">{fmt_q(available)}</dd>
                    <dt>"Zone"</dt><dd data-testid="card-zone">{package.zone.label()}</dd>
                </dl>
            </section>
            <section class="panel facts" aria-label="Product">
                <h2>"Product"</h2>
                <dl>
                    <dt>"Name"</dt><dd>{product.as_ref().map_or("Unknown product".to_owned(), |p| p.name.clone())}</dd>
                    <dt>"SKU"</dt><dd>{product.as_ref().map_or(String::new(), |p| p.sku.clone())}</dd>
                    <dt>"Category"</dt><dd>{product.as_ref().map_or("", |p| p.category.label())}</dd>
                    <dt>"Regulator item"</dt>
                    <dd data-testid="card-mapping">{match &mapping {
                        Some(m) => format!("{} ({}, {})", m.item_name, m.item_category, m.unit_of_measure.regulator_name()),
                        None => "Not mapped: this package cannot be reported until its product is mapped".to_owned(),
                    }}</dd>
                </dl>
                {(!missing.is_empty()).then(|| view! {
                    <p class="banner warn" role="status" data-testid="card-limit-missing">
                        {format!("Cannot be sold in {jurisdiction} yet: the product needs {} for the purchase limits to count it.", missing.join(" and "))}
                    </p>
                })}
            </section>
            <section class="panel facts" aria-label="Lab and dates">
                <h2>"Lab and dates"</h2>
                <dl>
                    <dt>"Lab result"</dt>
                    <dd>{lab_words(package.lab.state)}
                        {package.lab.result_id.clone().map(|r| format!(" · {r}"))}
                        {package.lab.thc_percent.map(|t| format!(" · THC {}%", t.normalize()))}
                        {package.lab.cbd_percent.map(|t| format!(" · CBD {}%", t.normalize()))}
                    </dd>
                    <dt>"Batch"</dt><dd>{package.batch.clone()}</dd>
                    <dt>"Packaged"</dt><dd>{package.packaged_on.to_string()}</dd>
                    <dt>"Expires"</dt>
                    <dd class:expired=expired>{package.expires_on.map_or("No expiry date".to_owned(), |d| if expired { format!("{d} (expired)") } else { d.to_string() })}</dd>
                    <dt>"Manifest"</dt><dd>{package.manifest_number.clone().unwrap_or_else(|| "Made in store".to_owned())}</dd>
                </dl>
            </section>
        </div>
        <Lineage package=package.clone() state=state.clone() />
        <History id=id pending=pending />
    }
}

/// Parents above, children below, each a link to its own card.
#[component]
fn Lineage(package: Package, state: Arc<State>) -> impl IntoView {
    let link = move |id: &PackageId, state: &State| {
        let id = *id;
        let (label, qty) = state
            .packages
            .get(&id)
            .map(|p| (p.tag.grouped().1.to_owned(), fmt_q(p.quantity)))
            .unwrap_or_else(|| ("unknown".to_owned(), String::new()));
        view! {
            <A href=format!("/packages/{id}") attr:class="lineage-link" attr:data-testid="lineage-link">
                <strong>{label}</strong>" "<span class="sub">{qty}</span>
            </A>
        }
    };
    fn descendants(id: &PackageId, state: &State, depth: usize, out: &mut Vec<(usize, PackageId)>) {
        if depth > 3 {
            return;
        }
        if let Some(p) = state.packages.get(id) {
            for c in &p.children {
                out.push((depth, *c));
                descendants(c, state, depth + 1, out);
            }
        }
    }
    let mut below = Vec::new();
    descendants(&package.id, &state, 0, &mut below);
    let parents = package.parents.clone();
    let none = parents.is_empty() && below.is_empty();
    view! {
        <section class="panel lineage" aria-label="Lineage" data-testid="lineage">
            <h2>"Lineage"</h2>
            {none.then(|| view! { <p class="muted">"Received as is: no parent or child packages."</p> })}
            {(!parents.is_empty()).then(|| view! {
                <p class="sub">"Made from"</p>
                <ul class="tree">{parents.iter().map(|p| view! { <li>{link(p, &state)}</li> }).collect_view()}</ul>
            })}
            {(!below.is_empty()).then(|| view! {
                <p class="sub" data-testid="children-count">{format!("{} descendant packages", below.len())}</p>
                <ul class="tree">
                    {below.iter().map(|(depth, c)| view! {
                        <li style:padding-left=format!("{}rem", *depth as f64 * 1.5)>{link(c, &state)}</li>
                    }).collect_view()}
                </ul>
            })}
        </section>
    }
}

fn describe(e: &Event, id: PackageId) -> String {
    match &e.kind {
        EventKind::PackageReceived {
            package, shipped, ..
        } => format!(
            "Received {} (manifest {}, shipped {})",
            fmt_q(package.quantity),
            package.manifest_number.clone().unwrap_or_default(),
            fmt_q(*shipped)
        ),
        EventKind::PackageMoved { from, to, .. } => {
            format!("Moved from {} to {}", from.label(), to.label())
        }
        EventKind::PackageSplit {
            source,
            taken,
            children,
            ..
        } => {
            if *source == id {
                format!(
                    "Split {} into {} new packages",
                    fmt_q(*taken),
                    children.len()
                )
            } else {
                "Made by a split".to_owned()
            }
        }
        EventKind::PackagesMerged { sources, package } => {
            if package.id == id {
                format!("Made by merging {} packages", sources.len())
            } else {
                "Merged into a new package".to_owned()
            }
        }
        EventKind::PackageDestroyed {
            quantity,
            reason,
            method,
            note,
            ..
        } => format!(
            "Destroyed {} ({}, {}){}",
            fmt_q(*quantity),
            reason.label(),
            method.label(),
            note.as_ref().map(|n| format!(": {n}")).unwrap_or_default()
        ),
        EventKind::PackageAdjusted {
            delta,
            reason,
            note,
            ..
        } => format!(
            "Adjusted by {}{} ({}){}",
            if delta.amount.is_sign_positive() {
                "+"
            } else {
                ""
            },
            fmt_q(*delta),
            reason.label(),
            note.as_ref().map(|n| format!(": {n}")).unwrap_or_default()
        ),
        EventKind::Sold { receipt } | EventKind::HoldFulfilled { receipt, .. } => {
            let q: Vec<String> = receipt
                .lines
                .iter()
                .filter(|l| l.package_id == id)
                .map(|l| fmt_q(l.quantity))
                .collect();
            format!("Sold {}", q.join(" + "))
        }
        EventKind::Returned { lines, .. } => {
            let q: Vec<String> = lines
                .iter()
                .filter(|l| l.package_id == id)
                .map(|l| fmt_q(l.quantity))
                .collect();
            format!("Returned {}", q.join(" + "))
        }
        EventKind::HoldPlaced { hold } => format!("Held for {}'s pickup order", hold.customer_name),
        EventKind::HoldReleased { expired, .. } => if *expired {
            "Pickup hold expired"
        } else {
            "Pickup hold released"
        }
        .to_owned(),
        EventKind::CountRecorded {
            expected, counted, ..
        } => format!(
            "Counted {} (expected {})",
            fmt_q(*counted),
            fmt_q(*expected)
        ),
        EventKind::PackageFinished { .. } => "Finished (empty)".to_owned(),
        EventKind::PackagePlacedOnHold { reason, .. } => {
            format!("Placed on hold: {}", reason.label())
        }
        EventKind::PackageReleased { .. } => "Released from hold".to_owned(),
        other => other.name().replace('_', " "),
    }
}

fn regulator_words(step: &Option<domain::wire::RegulatorStep>) -> (String, &'static str) {
    match step {
        None => ("Not reported".to_owned(), "status muted"),
        Some(s) => match s.state.as_str() {
            "done" => ("At the regulator".to_owned(), "status ok"),
            "parked" => (
                format!(
                    "Refused by the regulator: {}",
                    s.last_error.clone().unwrap_or_default()
                ),
                "status danger",
            ),
            "uncertain" | "sending" => ("Being confirmed".to_owned(), "status warn"),
            _ => ("Waiting to be sent".to_owned(), "status warn"),
        },
    }
}

/// Who did what, when and why; and whether the regulator has it.
#[component]
fn History(id: PackageId, pending: Signal<bool>) -> impl IntoView {
    let replica = use_replica();
    let history = LocalResource::new(move || {
        // Reload after every sync (the card may have just changed).
        replica.net.track();
        replica.outbox.track();
        async move { api::history(id).await }
    });
    view! {
        <section class="panel history" aria-label="History" data-testid="history">
            <h2>"History"</h2>
            {move || pending.get().then(|| view! { <p class="banner warn" data-testid="history-pending">"Some changes to this package are still on this tablet and appear here once the server has them."</p> })}
            <Suspense fallback=|| view! { <p class="muted">"Loading history…"</p> }>
                {move || history.get().map(|r| match r {
                    Err(_) if matches!(replica.net.get_untracked(), Net::Offline) => view! {
                        <p class="muted">"History needs a connection; this tablet is offline."</p>
                    }.into_any(),
                    Err(message) => view! { <p class="banner error" role="alert">{message}</p> }.into_any(),
                    Ok(entries) => view! {
                        <ol class="events">
                            {entries.into_iter().rev().map(|h: domain::wire::HistoryEntry| {
                                let (reg, class) = regulator_words(&h.regulator);
                                let when = h.event.at.format("%Y-%m-%d %H:%M").to_string();
                                view! {
                                    <li data-testid="history-entry">
                                        <span class="what">{describe(&h.event, id)}</span>
                                        <span class="sub">{format!("{when} · {}", h.actor_name.unwrap_or_else(|| "unknown".to_owned()))}</span>
                                        {h.witness_name.map(|w| view! { <span class="sub" data-testid="history-witness">{format!("Witnessed by {w}")}</span> })}
                                        <span class=class>{reg}</span>
                                    </li>
                                }
                            }).collect_view()}
                        </ol>
                    }.into_any(),
                })}
            </Suspense>
        </section>
    }
}
