//! Receive: an incoming manifest, line by line. Each package is accepted as shipped, accepted
//! with the quantity that actually arrived (and why it differs), or rejected with a reason.

use domain::{AdjustReason, RegulatorTag};
use leptos::prelude::*;

use crate::words::{cap, fmt_q};
use crate::{
    api::{self, SyncFailure},
    components::page::Page,
    forms::{self, LineChoice, ReceiveForm},
    replica::use_replica,
};

/// What the receiver decided for one line, as typed.
#[derive(Clone, Debug, Default)]
struct Choice {
    mode: String,
    received: String,
    reason: String,
    note: String,
    reject: String,
}

/// The list of manifests on their way, each with its line editor.
#[component]
pub fn Receive() -> impl IntoView {
    let replica = use_replica();
    let done = RwSignal::new(None::<String>);
    let manifests = LocalResource::new(move || {
        // Asked again after each sync, so a received manifest leaves the list.
        replica.outbox.track();
        async move { api::incoming().await }
    });
    view! {
        <Page title="Receive" lead="Deliveries the regulator shows on their way here. Check each package in: accept it, note what actually arrived, or reject it." testid="page-receive">
            {move || done.get().map(|m| view! { <p class="banner ok" role="status" data-testid="receive-done">{m}</p> })}
            {move || match manifests.get() {
                None => view! { <p class="muted">"Asking the regulator for incoming deliveries…"</p> }.into_any(),
                Some(Err(SyncFailure::Offline)) => view! {
                    <p class="banner warn">"Incoming deliveries come from the regulator: connect to see them."</p>
                }.into_any(),
                Some(Err(SyncFailure::SignedOut)) => view! { <p class="banner warn">"Sign in again to see incoming deliveries."</p> }.into_any(),
                Some(Err(SyncFailure::Server(m))) => view! { <p class="banner error" role="alert">{m}</p> }.into_any(),
                Some(Ok(list)) if list.is_empty() => view! {
                    <p class="muted" data-testid="receive-empty">"Nothing on its way: every delivery the regulator shows has been received."</p>
                }.into_any(),
                Some(Ok(_)) => ().into_any(),
            }}
            // Keyed by manifest: the list asked again after a sync keeps each manifest's form as
            // it is, open or closed, with what the receiver typed in it and where the cursor is.
            <For
                each=move || manifests.get().and_then(Result::ok).unwrap_or_default()
                key=|m| (m.manifest_number.clone(), m.lines.len())
                let:m
            >
                <Manifest manifest=m done=done />
            </For>
        </Page>
    }
}

#[component]
fn Manifest(
    manifest: domain::wire::IncomingManifest,
    done: RwSignal<Option<String>>,
) -> impl IntoView {
    let replica = use_replica();
    let state = replica.view.get_untracked().unwrap_or_default();
    let open = RwSignal::new(false);
    let n = manifest.lines.len();
    let choices = RwSignal::new(
        manifest
            .lines
            .iter()
            .map(|l| Choice {
                mode: if l.problem.is_some() {
                    "reject"
                } else {
                    "accept"
                }
                .into(),
                reject: l.problem.clone().unwrap_or_default(),
                reason: "0".into(),
                ..Default::default()
            })
            .collect::<Vec<_>>(),
    );
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let stored = StoredValue::new(manifest.clone());
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        let m = stored.get_value();
        let picks: Vec<LineChoice> = choices
            .get_untracked()
            .into_iter()
            .map(|c| match c.mode.as_str() {
                "reject" => LineChoice::Reject { reason: c.reject },
                "adjust" => LineChoice::Adjust {
                    received: c.received,
                    reason: AdjustReason::ALL[c
                        .reason
                        .parse::<usize>()
                        .unwrap_or(0)
                        .min(AdjustReason::ALL.len() - 1)],
                    note: c.note,
                },
                _ => LineChoice::Accept,
            })
            .collect();
        let rejected = picks
            .iter()
            .filter(|c| matches!(c, LineChoice::Reject { .. }))
            .count();
        let accepted = picks.len() - rejected;
        let form = ReceiveForm { choices: picks };
        let action = match form.parse(&m, replica.today()) {
            Ok(a) => a,
            Err(e) => return error.set(Some(forms::message(&e))),
        };
        busy.set(true);
        leptos::task::spawn_local(async move {
            match replica.submit(action).await {
                Ok(_) => {
                    open.set(false);
                    done.set(Some(format!(
                        "Manifest {}: {accepted} accepted, {rejected} rejected.",
                        stored.get_value().manifest_number
                    )));
                }
                Err(e) => error.set(Some(e.to_string())),
            }
            busy.set(false);
        });
    };
    view! {
        <section class="panel manifest" data-testid="manifest" data-manifest=manifest.manifest_number.clone()>
            <div class="manifest-head">
                <div>
                    <h2>{format!("Manifest {}", manifest.manifest_number)}</h2>
                    <p class="sub">{format!("{} · {n} packages", manifest.shipper.clone().unwrap_or_else(|| "Unknown shipper".into()))}</p>
                </div>
                <button type="button" class="button primary" data-testid="manifest-open" on:click=move |_| open.update(|o| *o = !*o)>
                    {move || if open.get() { "Close" } else { "Check in" }}
                </button>
            </div>
            <Show when=move || open.get()>
                <form on:submit=submit novalidate>
                    <ol class="receive-lines">
                        {manifest.lines.iter().enumerate().map(|(i, l)| {
                            let product = l.product_id.and_then(|id| state.products.get(&id).map(|p| p.name.clone()));
                            let (_, tail) = RegulatorTag::parse(&l.tag).map(|t| { let (h, t) = t.grouped(); (h, t.to_owned()) }).unwrap_or_default();
                            let problem = l.problem.clone();
                            let can_accept = problem.is_none();
                            let unit = l.shipped.unit;
                            let mode = move || choices.with(|c| c[i].mode.clone());
                            let set = move |f: fn(&mut Choice, String), v: String| choices.update(|c| f(&mut c[i], v));
                            view! {
                                <li class="receive-line" data-testid="receive-line">
                                    <div class="line-head">
                                        <strong class="mono">{tail}</strong>
                                        <span>{product.unwrap_or_else(|| l.item_name.clone())}</span>
                                        <span class="sub">{format!("Shipped {}", fmt_q(l.shipped))}</span>
                                    </div>
                                    {problem.map(|p| view! { <p class="banner warn">{p}</p> })}
                                    <div class="form-row" role="radiogroup" aria-label="Decision">
                                        <label class="check"><input type="radio" name=format!("d{i}") disabled=!can_accept checked=move || mode() == "accept" on:change=move |_| set(|c, v| c.mode = v, "accept".into()) data-testid="line-accept" />"Accept"</label>
                                        <label class="check"><input type="radio" name=format!("d{i}") disabled=!can_accept checked=move || mode() == "adjust" on:change=move |_| set(|c, v| c.mode = v, "adjust".into()) data-testid="line-adjust" />"Different quantity"</label>
                                        <label class="check"><input type="radio" name=format!("d{i}") checked=move || mode() == "reject" on:change=move |_| set(|c, v| c.mode = v, "reject".into()) data-testid="line-reject" />"Reject"</label>
                                    </div>
                                    <Show when=move || mode() == "adjust">
                                        <div class="form-row">
                                            <label class="field">
                                                <span>{format!("Arrived ({})", unit.symbol())}</span>
                                                <input type="text" inputmode="decimal" data-testid="line-received"
                                                    prop:value=move || choices.with(|c| c[i].received.clone())
                                                    on:input=move |ev| set(|c, v| c.received = v, event_target_value(&ev)) />
                                            </label>
                                            <label class="field grow">
                                                <span>"Why it differs"</span>
                                                <select data-testid="line-reason" on:change=move |ev| set(|c, v| c.reason = v, event_target_value(&ev))>
                                                    {AdjustReason::ALL.iter().enumerate().map(|(k, r)| view! { <option value=k.to_string() selected=move || choices.with(|c| c[i].reason == k.to_string())>{cap(r.label())}</option> }).collect_view()}
                                                </select>
                                            </label>
                                            <label class="field grow">
                                                <span>"Note"</span>
                                                <input type="text" data-testid="line-note" prop:value=move || choices.with(|c| c[i].note.clone()) on:input=move |ev| set(|c, v| c.note = v, event_target_value(&ev)) />
                                            </label>
                                        </div>
                                    </Show>
                                    <Show when=move || mode() == "reject">
                                        <label class="field">
                                            <span>"Why it is rejected"</span>
                                            <input type="text" data-testid="line-reject-reason"
                                                prop:value=move || choices.with(|c| c[i].reject.clone())
                                                on:input=move |ev| set(|c, v| c.reject = v, event_target_value(&ev)) />
                                        </label>
                                    </Show>
                                </li>
                            }
                        }).collect_view()}
                    </ol>
                    {move || error.get().map(|m| view! { <p class="banner error" role="alert" data-testid="receive-error">{m}</p> })}
                    <div class="form-actions">
                        <button type="submit" class="button primary" data-testid="receive-submit" disabled=move || busy.get()>"Receive manifest"</button>
                    </div>
                </form>
            </Show>
        </section>
    }
}
