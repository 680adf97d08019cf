//! The package actions a manager takes on the card: split, merge, adjust, destroy and move. Each
//! form checks its own input, then asks `domain` (through the replica) before anything is queued,
//! and shows the domain's own words when it refuses.

use std::str::FromStr;

use domain::{
    merge_compatibility, Action, AdjustReason, DestroyMethod, DestroyReason, Package, PackageId,
    PackageStatus, Quantity, Zone,
};
use leptos::prelude::*;
use rust_decimal::Decimal;

use crate::words::{cap, fmt_q};
use crate::{
    api,
    forms::{self, FieldError},
    replica::{use_replica, Replica},
    session::use_session,
};

/// One action on a package.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flow {
    /// Split into new packages.
    Split,
    /// Merge with compatible packages into a new one.
    Merge,
    /// Adjust the quantity with a reason.
    Adjust,
    /// Destroy some or all, witnessed.
    Destroy,
    /// Move between vault and sales floor.
    Move,
    /// Sell at the counter (staff).
    Sell,
}

impl Flow {
    /// Stable id for tests and CSS.
    pub fn slug(self) -> &'static str {
        match self {
            Flow::Split => "split",
            Flow::Merge => "merge",
            Flow::Adjust => "adjust",
            Flow::Destroy => "destroy",
            Flow::Move => "move",
            Flow::Sell => "sell",
        }
    }

    /// The button's words.
    pub fn label(self, zone: Zone) -> &'static str {
        match self {
            Flow::Split => "Split",
            Flow::Merge => "Merge",
            Flow::Adjust => "Adjust",
            Flow::Destroy => "Destroy",
            Flow::Sell => "Sell",
            Flow::Move => match zone {
                Zone::Vault => "Move to sales floor",
                Zone::SalesFloor => "Move to vault",
            },
        }
    }
}

/// Shows what is wrong with the form, every field at once.
fn refuse(error: RwSignal<Option<String>>, errors: &[FieldError]) {
    error.set(Some(forms::message(errors)));
}

/// The form for one flow.
#[component]
pub fn FlowPanel(
    /// Which action.
    flow: Flow,
    /// The package acted on.
    package: Package,
    /// Called when the form closes, with a message when something was queued.
    on_close: Callback<Option<String>>,
) -> impl IntoView {
    let body = match flow {
        Flow::Split => view! { <SplitForm package=package on_close=on_close /> }.into_any(),
        Flow::Merge => view! { <MergeForm package=package on_close=on_close /> }.into_any(),
        Flow::Adjust => view! { <AdjustForm package=package on_close=on_close /> }.into_any(),
        Flow::Destroy => view! { <DestroyForm package=package on_close=on_close /> }.into_any(),
        Flow::Move => view! { <MoveForm package=package on_close=on_close /> }.into_any(),
        Flow::Sell => view! { <SellForm package=package on_close=on_close /> }.into_any(),
    };
    view! {
        <section class="panel flow" data-testid=format!("flow-{}", flow.slug()) aria-label=flow.slug()>
            {body}
        </section>
    }
}

/// Queues `action`; the domain's refusal comes back as the form's error.
fn send(
    replica: Replica,
    action: Action,
    error: RwSignal<Option<String>>,
    busy: RwSignal<bool>,
    on_close: Callback<Option<String>>,
    done: String,
) {
    busy.set(true);
    leptos::task::spawn_local(async move {
        match replica.submit(action).await {
            Ok(_) => on_close.run(Some(done)),
            Err(e) => error.set(Some(e.to_string())),
        }
        busy.set(false);
    });
}

#[component]
fn Buttons(
    label: &'static str,
    busy: RwSignal<bool>,
    on_close: Callback<Option<String>>,
    error: RwSignal<Option<String>>,
) -> impl IntoView {
    view! {
        {move || error.get().map(|m| view! { <p class="banner error" role="alert" data-testid="flow-error">{m}</p> })}
        <div class="form-actions">
            <button type="submit" class="button primary" data-testid="flow-submit" disabled=move || busy.get()>{label}</button>
            <button type="button" class="button" on:click=move |_| on_close.run(None)>"Cancel"</button>
        </div>
    }
}

#[component]
fn SplitForm(package: Package, on_close: Callback<Option<String>>) -> impl IntoView {
    let replica = use_replica();
    let unit = package.quantity.unit;
    let available = package.available();
    let start = forms::SplitForm::new(&package);
    let parts = RwSignal::new(start.parts);
    let manual = RwSignal::new(start.manual);
    let total = RwSignal::new(start.total);
    let amounts = RwSignal::new(start.amounts);
    let tags = RwSignal::new(start.tags);
    let typed = move || forms::SplitForm {
        parts: parts.get(),
        manual: manual.get(),
        total: total.get(),
        amounts: amounts.get(),
        tags: tags.get(),
    };
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    // Offer free tags as soon as the form opens.
    leptos::task::spawn_local(async move {
        let state = replica.view.get_untracked().unwrap_or_default();
        let free = crate::tags::free(&state).await;
        tags.update(|t| {
            for (slot, tag) in t.iter_mut().zip(free) {
                if slot.is_empty() {
                    *slot = tag;
                }
            }
        });
    });
    let count = move || parts.with(|_| typed().count());
    let taken = move || -> Option<Decimal> {
        if manual.get() {
            let n = count()?;
            amounts.with(|a| {
                a.iter()
                    .take(n)
                    .map(|s| Decimal::from_str(s.trim()).ok())
                    .sum()
            })
        } else {
            Decimal::from_str(total.get().trim()).ok()
        }
    };
    // A figure only for amounts that could be split off: nothing negative, nothing over what is free.
    let remainder = move || match taken().filter(|t| *t > Decimal::ZERO && *t <= available) {
        Some(t) => format!(
            "Left in this package: {}",
            fmt_q(Quantity::new(package.quantity.amount - t, unit))
        ),
        None => "Left in this package: enter the amounts".to_owned(),
    };
    let each = move || match (manual.get(), count(), taken()) {
        (false, Some(n), Some(t)) if n > 0 && t > Decimal::ZERO && t <= available => format!(
            "{n} × {}",
            fmt_q(Quantity::new((t / Decimal::from(n)).round_dp(3), unit))
        ),
        _ => String::new(),
    };
    let package = StoredValue::new(package);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        let form = untrack(typed);
        match package.with_value(|p| form.parse(p)) {
            Ok(action) => {
                let n = form.count().unwrap_or(0);
                send(replica, action, error, busy, on_close, format!("Split into {n} new packages. It goes to the server as soon as there is a connection."));
            }
            Err(e) => refuse(error, &e),
        }
    };
    view! {
        <form on:submit=submit novalidate>
            <h2>"Split"</h2>
            <p class="sub">{format!("Available to split: {}", fmt_q(Quantity::new(available, unit)))}</p>
            <div class="form-row">
                <label class="field">
                    <span>"Parts"</span>
                    <input type="number" min="1" max="50" inputmode="numeric" data-testid="split-parts" bind:value=parts />
                </label>
                <fieldset class="field segmented">
                    <legend>"Amounts"</legend>
                    <label class="check"><input type="radio" name="split-mode" checked=move || !manual.get() on:change=move |_| manual.set(false) data-testid="split-equal" />"Equal parts"</label>
                    <label class="check"><input type="radio" name="split-mode" checked=move || manual.get() on:change=move |_| manual.set(true) data-testid="split-manual" />"Amount per part"</label>
                </fieldset>
                <Show when=move || !manual.get()>
                    <label class="field">
                        <span>{format!("Total to split off ({})", unit.symbol())}</span>
                        <input type="text" inputmode="decimal" data-testid="split-total" bind:value=total />
                    </label>
                </Show>
            </div>
            <p class="live" data-testid="split-remainder" aria-live="polite">{remainder}" "<span class="sub">{each}</span></p>
            <ol class="parts">
                {move || (0..count().unwrap_or(0)).map(|i| view! {
                    <li class="form-row">
                        <label class="field grow">
                            <span>{format!("New tag for part {}", i + 1)}</span>
                            <input type="text" class="mono" maxlength="24" autocomplete="off" data-testid=format!("split-tag-{i}")
                                prop:value=move || tags.with(|t| t[i].clone())
                                on:input=move |ev| tags.update(|t| t[i] = event_target_value(&ev)) />
                        </label>
                        <Show when=move || manual.get()>
                            <label class="field">
                                <span>{format!("Amount ({})", unit.symbol())}</span>
                                <input type="text" inputmode="decimal" data-testid=format!("split-amount-{i}")
                                    prop:value=move || amounts.with(|a| a[i].clone())
                                    on:input=move |ev| amounts.update(|a| a[i] = event_target_value(&ev)) />
                            </label>
                        </Show>
                    </li>
                }).collect_view()}
            </ol>
            <Buttons label="Split" busy=busy on_close=on_close error=error />
        </form>
    }
}

#[component]
fn MergeForm(package: Package, on_close: Callback<Option<String>>) -> impl IntoView {
    let replica = use_replica();
    let state = replica.view.get_untracked().unwrap_or_default();
    // Every open package of the same product: compatible ones selectable, the rest with the reason.
    let mut candidates: Vec<(Package, Result<(), String>)> = state
        .packages
        .values()
        .filter(|p| {
            p.id != package.id
                && p.product_id == package.product_id
                && matches!(p.status, PackageStatus::Active | PackageStatus::OnHold(_))
        })
        .map(|p| (p.clone(), merge_compatibility(&state, &package, p)))
        .collect();
    candidates.sort_by(|a, b| a.1.is_err().cmp(&b.1.is_err()).then(a.0.tag.cmp(&b.0.tag)));
    let chosen = RwSignal::new(Vec::<PackageId>::new());
    let tag = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let st = state.clone();
    leptos::task::spawn_local(async move {
        if let Some(t) = crate::tags::free(&st).await.into_iter().next() {
            if tag.get_untracked().is_empty() {
                tag.set(t);
            }
        }
    });
    let this = StoredValue::new(package);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        let form = forms::MergeForm {
            chosen: chosen.get_untracked(),
            tag: tag.get_untracked(),
        };
        match this.with_value(|p| form.parse(p)) {
            Ok(action) => {
                let n = form.chosen.len() + 1;
                send(
                    replica,
                    action,
                    error,
                    busy,
                    on_close,
                    format!("Merged {n} packages into a new one."),
                );
            }
            Err(e) => refuse(error, &e),
        }
    };
    let empty = candidates.is_empty();
    view! {
        <form on:submit=submit novalidate>
            <h2>"Merge"</h2>
            <p class="sub">"Only packages the store's merge policy allows can be chosen; the others say why not."</p>
            {empty.then(|| view! { <p class="muted">"No other open package of this product."</p> })}
            <ul class="choices">
                {candidates.into_iter().map(|(p, ok)| {
                    let id = p.id;
                    let reason = ok.err();
                    let disabled = reason.is_some();
                    let (_, tail) = p.tag.grouped();
                    view! {
                        <li class:disabled=disabled data-testid="merge-candidate" data-tag=p.tag.to_string()>
                            <label class="check">
                                <input type="checkbox" disabled=disabled
                                    on:change=move |ev| {
                                        let on = event_target_checked(&ev);
                                        chosen.update(|c| { c.retain(|x| *x != id); if on { c.push(id); } });
                                    } />
                                <span><strong>{tail.to_owned()}</strong>{format!(" · {} · batch {}", fmt_q(p.quantity), p.batch)}</span>
                            </label>
                            {reason.map(|r| view! { <span class="reason" data-testid="merge-reason">{r}</span> })}
                        </li>
                    }
                }).collect_view()}
            </ul>
            <label class="field">
                <span>"Tag for the merged package"</span>
                <input type="text" class="mono" maxlength="24" data-testid="merge-tag" bind:value=tag />
            </label>
            <Buttons label="Merge" busy=busy on_close=on_close error=error />
        </form>
    }
}

#[component]
fn AdjustForm(package: Package, on_close: Callback<Option<String>>) -> impl IntoView {
    let replica = use_replica();
    let unit = package.quantity.unit;
    let direction = RwSignal::new(String::from("remove"));
    let qty = RwSignal::new(String::new());
    let reason = RwSignal::new(String::from("0"));
    let note = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let picked = move || {
        reason
            .get()
            .parse::<usize>()
            .ok()
            .and_then(|i| AdjustReason::ALL.get(i).copied())
            .unwrap_or(AdjustReason::ALL[0])
    };
    let package = StoredValue::new(package);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        let form = forms::AdjustForm {
            remove: direction.get_untracked() == "remove",
            quantity: qty.get_untracked(),
            reason: untrack(picked),
            note: note.get_untracked(),
        };
        match package.with_value(|p| form.parse(p)) {
            Ok(action) => {
                let done = match &action {
                    Action::Adjust(a) => format!("Adjusted by {}.", fmt_q(a.delta)),
                    _ => String::new(),
                };
                send(replica, action, error, busy, on_close, done);
            }
            Err(e) => refuse(error, &e),
        }
    };
    view! {
        <form on:submit=submit novalidate>
            <h2>"Adjust"</h2>
            <div class="form-row">
                <label class="field">
                    <span>"Change"</span>
                    <select data-testid="adjust-direction" bind:value=direction>
                        <option value="remove">"Remove"</option>
                        <option value="add">"Add"</option>
                    </select>
                </label>
                <label class="field">
                    <span>{format!("Quantity ({})", unit.symbol())}</span>
                    <input type="text" inputmode="decimal" data-testid="adjust-quantity" bind:value=qty />
                </label>
                <label class="field grow">
                    <span>"Reason"</span>
                    <select data-testid="adjust-reason" bind:value=reason>
                        {AdjustReason::ALL.iter().enumerate().map(|(i, r)| view! { <option value=i.to_string()>{cap(r.label())}</option> }).collect_view()}
                    </select>
                </label>
            </div>
            <label class="field">
                <span>{move || if picked().requires_note() { "Note (required for this reason)" } else { "Note" }}</span>
                <textarea rows="2" data-testid="adjust-note" bind:value=note></textarea>
            </label>
            <Buttons label="Adjust" busy=busy on_close=on_close error=error />
        </form>
    }
}

#[component]
fn DestroyForm(package: Package, on_close: Callback<Option<String>>) -> impl IntoView {
    let replica = use_replica();
    let unit = package.quantity.unit;
    let qty = RwSignal::new(forms::DestroyForm::new(&package).quantity);
    let reason = RwSignal::new(String::from("0"));
    let method = RwSignal::new(String::from("0"));
    let note = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let pick = |s: String| s.parse::<usize>().unwrap_or(0);
    let package = StoredValue::new(package);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        let form = forms::DestroyForm {
            quantity: qty.get_untracked(),
            reason: DestroyReason::ALL
                [pick(reason.get_untracked()).min(DestroyReason::ALL.len() - 1)],
            method: DestroyMethod::ALL
                [pick(method.get_untracked()).min(DestroyMethod::ALL.len() - 1)],
            note: note.get_untracked(),
            witness_email: email.get_untracked(),
            witness_password: password.get_untracked(),
        };
        let me = use_session()
            .user
            .with_untracked(|u| u.as_ref().map(|u| u.email.clone()));
        let draft = match package.with_value(|p| form.parse(p, me.as_deref())) {
            Ok(d) => d,
            Err(e) => return refuse(error, &e),
        };
        let actor = replica.actor();
        busy.set(true);
        leptos::task::spawn_local(async move {
            // The witness signs in on this tablet; the server confirms who they are.
            match api::witness(&form.witness_email, &form.witness_password).await {
                Ok(w) => {
                    password.set(String::new());
                    busy.set(false);
                    let q = draft.quantity();
                    match draft.action(&w, actor) {
                        Ok(action) => send(
                            replica,
                            action,
                            error,
                            busy,
                            on_close,
                            format!("Destroyed {}, witnessed by {}.", fmt_q(q), w.name),
                        ),
                        Err(e) => refuse(error, &[e]),
                    }
                }
                Err(m) => {
                    error.set(Some(format!("Witness: {m}")));
                    busy.set(false);
                }
            }
        });
    };
    view! {
        <form on:submit=submit novalidate>
            <h2>"Destroy"</h2>
            <div class="form-row">
                <label class="field">
                    <span>{format!("Quantity ({})", unit.symbol())}</span>
                    <input type="text" inputmode="decimal" data-testid="destroy-quantity" bind:value=qty />
                </label>
                <label class="field grow">
                    <span>"Reason"</span>
                    <select data-testid="destroy-reason" bind:value=reason>
                        {DestroyReason::ALL.iter().enumerate().map(|(i, r)| view! { <option value=i.to_string()>{cap(r.label())}</option> }).collect_view()}
                    </select>
                </label>
                <label class="field grow">
                    <span>"Method"</span>
                    <select data-testid="destroy-method" bind:value=method>
                        {DestroyMethod::ALL.iter().enumerate().map(|(i, m)| view! { <option value=i.to_string()>{cap(m.label())}</option> }).collect_view()}
                    </select>
                </label>
            </div>
            <label class="field">
                <span>"Note"</span>
                <textarea rows="2" data-testid="destroy-note" bind:value=note></textarea>
            </label>
            <fieldset class="witness">
                <legend>"Witness: a second person confirms"</legend>
                <div class="form-row">
                    <label class="field grow">
                        <span>"Witness email"</span>
                        <input type="email" autocomplete="off" data-testid="witness-email" bind:value=email />
                    </label>
                    <label class="field grow">
                        <span>"Witness password"</span>
                        <input type="password" autocomplete="off" data-testid="witness-password" bind:value=password />
                    </label>
                </div>
            </fieldset>
            <Buttons label="Destroy" busy=busy on_close=on_close error=error />
        </form>
    }
}

#[component]
fn SellForm(package: Package, on_close: Callback<Option<String>>) -> impl IntoView {
    let replica = use_replica();
    let unit = package.quantity.unit;
    let qty = RwSignal::new(String::from("1"));
    let phone = RwSignal::new(String::new());
    let patient = RwSignal::new(String::new());
    // The field for a patient's registration shows only where the store's law has a medical program.
    let medical = Memo::new(move |_| {
        replica.view.with(|v| {
            v.as_ref().is_some_and(|s| {
                s.config
                    .jurisdiction
                    .program(domain::Program::Medical)
                    .is_some()
            })
        })
    });
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let available = package.available_qty();
    let package = StoredValue::new(package);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        let form = forms::SellForm {
            quantity: qty.get_untracked(),
            phone: phone.get_untracked(),
            patient: patient.get_untracked(),
        };
        match package.with_value(|p| form.parse(p, medical.get_untracked())) {
            Ok(action) => {
                let done = match &action {
                    Action::Sell(s) => format!("Sold {}.", fmt_q(s.lines[0].quantity)),
                    _ => String::new(),
                };
                send(replica, action, error, busy, on_close, done);
            }
            Err(e) => refuse(error, &e),
        }
    };
    view! {
        <form on:submit=submit novalidate>
            <h2>"Sell"</h2>
            <p class="sub">{format!("Available: {}", fmt_q(available))}</p>
            <div class="form-row">
                <label class="field">
                    <span>{format!("Quantity ({})", unit.symbol())}</span>
                    <input type="text" inputmode="decimal" data-testid="sell-quantity" bind:value=qty />
                </label>
                <label class="field grow">
                    <span>"Customer phone (for purchase limits)"</span>
                    <input type="tel" data-testid="sell-phone" bind:value=phone />
                </label>
            </div>
            <Show when=move || medical.get()>
                <label class="field">
                    <span>"Medical patient registration (empty for an adult-use sale)"</span>
                    <input type="text" autocomplete="off" data-testid="sell-patient" bind:value=patient />
                </label>
            </Show>
            <Buttons label="Sell" busy=busy on_close=on_close error=error />
        </form>
    }
}

#[component]
fn MoveForm(package: Package, on_close: Callback<Option<String>>) -> impl IntoView {
    let replica = use_replica();
    let form = forms::MoveForm::across(&package);
    let to = form.to;
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let from = package.zone;
    let package = StoredValue::new(package);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        match package.with_value(|p| form.parse(p)) {
            Ok(action) => send(
                replica,
                action,
                error,
                busy,
                on_close,
                format!("Moved to {}.", to.label()),
            ),
            Err(e) => refuse(error, &e),
        }
    };
    view! {
        <form on:submit=submit novalidate>
            <h2>{format!("Move to {}", to.label())}</h2>
            <p class="sub">{format!("The whole package moves from {} to {}.", from.label(), to.label())}</p>
            <Buttons label="Move" busy=busy on_close=on_close error=error />
        </form>
    }
}
