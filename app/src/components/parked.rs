//! Changes the regulator refused, for a manager to settle: what each was, the regulator's words,
//! how many later changes wait behind it, and the two ways out — send it again once its cause is
//! fixed, or mark it done after finding it at the regulator, with a note. Shown on Settings (sync
//! health) and on Needs attention.

use domain::{relay::ParkedChange, RelayDecision};
use leptos::prelude::*;

use crate::api::{self, SyncFailure};

/// The list, refreshed after every decision.
#[component]
pub fn ParkedChanges() -> impl IntoView {
    let again = RwSignal::new(0u32);
    let list = LocalResource::new(move || {
        again.track();
        api::parked()
    });
    view! {
        <section data-testid="parked" aria-label="Refused by the regulator">
            <h2 class="section">"Refused by the regulator"</h2>
            {move || match list.get() {
                None => view! { <p class="muted">"Asking the server…"</p> }.into_any(),
                Some(Err(SyncFailure::Server(m))) => view! { <p class="banner error" role="alert">{m}</p> }.into_any(),
                Some(Err(_)) => view! { <p class="muted">"Refused changes are shown when the tablet is online."</p> }.into_any(),
                Some(Ok(l)) if l.changes.is_empty() => view! {
                    <p class="muted" data-testid="parked-empty">"The regulator has refused nothing: every change is on its way or there."</p>
                }.into_any(),
                Some(Ok(l)) => view! {
                    <p class="banner warn" data-testid="parked-summary">{summary(l.changes.len(), l.waiting_behind)}</p>
                }.into_any(),
            }}
            <ul class="attention-list">
                // Keyed by the change as refused: deciding one leaves the others, and a note half
                // written in them, as they are.
                <For
                    each=move || list.get().and_then(Result::ok).map(|l| l.changes).unwrap_or_default()
                    key=|c| (c.seq, c.attempts, c.reason.clone())
                    let:c
                >
                    <Parked change=c again=again />
                </For>
            </ul>
        </section>
    }
}

/// "2 changes refused; 1 later change of the same packages waits behind them."
fn summary(refused: usize, behind: usize) -> String {
    let them = if refused == 1 { "it" } else { "them" };
    let waits = match behind {
        0 => format!("nothing waits behind {them}"),
        1 => format!("1 later change of the same packages waits behind {them}"),
        n => format!("{n} later changes of the same packages wait behind {them}"),
    };
    format!(
        "{refused} change{} refused; {waits}. Nothing else waits.",
        if refused == 1 { "" } else { "s" }
    )
}

#[component]
fn Parked(change: ParkedChange, again: RwSignal<u32>) -> impl IntoView {
    let marking = RwSignal::new(false);
    let note = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let seq = change.seq;
    let decide = move |decision: RelayDecision| {
        let text = note.get_untracked().trim().to_owned();
        if decision == RelayDecision::DoneAtRegulator && text.is_empty() {
            error.set(Some(
                "Say what you found at the regulator before marking it done.".into(),
            ));
            return;
        }
        busy.set(true);
        error.set(None);
        leptos::task::spawn_local(async move {
            let note = (!text.is_empty()).then_some(text);
            match api::settle_parked(seq, decision, note).await {
                Ok(()) => again.update(|n| *n += 1),
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        });
    };
    let behind = match change.waiting_behind {
        0 => "nothing waits behind it".to_owned(),
        1 => "1 later change waits behind it".to_owned(),
        n => format!("{n} later changes wait behind it"),
    };
    view! {
        <li class="panel refused" data-testid="parked-item" data-seq=seq.to_string()>
            <p class="what"><strong>{change.what.clone()}</strong></p>
            <p class="sub">{format!(
                "{} · {} · tried {} time{} · {behind}",
                change.at.format("%Y-%m-%d %H:%M UTC"),
                change.packages.join(", "),
                change.attempts,
                if change.attempts == 1 { "" } else { "s" },
            )}</p>
            <p class="banner error" data-testid="parked-reason">{change.reason.clone()}</p>
            <p class="sub">{change.remedy.clone()}</p>
            <Show when=move || marking.get()>
                <label class="field">
                    <span>"What you found at the regulator"</span>
                    <textarea data-testid="parked-note" maxlength="500"
                        prop:value=move || note.get()
                        on:input=move |ev| note.set(event_target_value(&ev))></textarea>
                </label>
            </Show>
            {move || error.get().map(|e| view! { <p class="banner error" role="alert" data-testid="parked-error">{e}</p> })}
            <div class="form-actions">
                <button type="button" class="button primary" data-testid="parked-retry" disabled=move || busy.get()
                    on:click=move |_| decide(RelayDecision::Retry)>"Send again"</button>
                {move || if marking.get() {
                    view! {
                        <button type="button" class="button" data-testid="parked-confirm" disabled=move || busy.get()
                            on:click=move |_| decide(RelayDecision::DoneAtRegulator)>"Mark done at the regulator"</button>
                    }.into_any()
                } else {
                    view! {
                        <button type="button" class="button" data-testid="parked-done"
                            on:click=move |_| marking.set(true)>"It is already at the regulator…"</button>
                    }.into_any()
                }}
            </div>
        </li>
    }
}
