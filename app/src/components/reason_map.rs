//! Which of the facility's own Metrc adjustment reasons each of Pistil's is sent as: read from
//! the regulator, matched by name where Metrc's common name is listed, chosen by a manager where
//! not. A reason left unmapped cannot be used until it is.

use std::collections::BTreeMap;

use domain::{reason_map::ReasonMap, AdjustReason};
use leptos::prelude::*;

use crate::{
    api::{self, SyncFailure},
    words::cap,
};

/// The form's choices as the server holds them: Metrc's reason per row key.
fn chosen_in(m: &ReasonMap) -> BTreeMap<String, String> {
    let mut c: BTreeMap<String, String> =
        m.adjust.iter().map(|(r, n)| (key(*r), n.clone())).collect();
    if let Some(d) = &m.destruction {
        c.insert(DESTRUCTION.into(), d.clone());
    }
    c
}

/// The key the destruction row uses in the form (not one of Pistil's adjustment reasons).
const DESTRUCTION: &str = "destruction";

/// The reasons table on the Settings page.
#[component]
pub fn ReasonMapping() -> impl IntoView {
    let map = RwSignal::new(None::<ReasonMap>);
    let choices = RwSignal::new(BTreeMap::<String, String>::new());
    let message = RwSignal::new(None::<(bool, String)>);
    let busy = RwSignal::new(false);
    // A pick the manager changed and has not saved stays when an answer arrives (a slow first
    // load, the facility's list read again); the others follow the server.
    let take = move |m: ReasonMap| {
        let before = map.with_untracked(|old| old.as_ref().map(chosen_in).unwrap_or_default());
        choices.update(|c| crate::forms::follow(c, &before, &chosen_in(&m)));
        map.set(Some(m));
    };
    leptos::task::spawn_local(async move {
        match api::reasons().await {
            Ok(m) => take(m),
            Err(SyncFailure::Server(m)) => message.set(Some((false, m))),
            Err(_) => message.set(Some((
                false,
                "The reasons are shown when the tablet is online.".into(),
            ))),
        }
    });
    let read = move |_| {
        busy.set(true);
        message.set(None);
        leptos::task::spawn_local(async move {
            match api::read_reasons().await {
                Ok(m) => {
                    message.set(Some((
                        true,
                        format!("Read {} reasons from the facility.", m.facility.len()),
                    )));
                    take(m);
                }
                Err(e) => message.set(Some((false, e))),
            }
            busy.set(false);
        });
    };
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        busy.set(true);
        message.set(None);
        let c = choices.get_untracked();
        let adjust: BTreeMap<AdjustReason, String> = AdjustReason::ALL
            .iter()
            .filter_map(|r| {
                c.get(&key(*r))
                    .filter(|n| !n.is_empty())
                    .map(|n| (*r, n.clone()))
            })
            .collect();
        let destruction = c.get(DESTRUCTION).filter(|n| !n.is_empty()).cloned();
        leptos::task::spawn_local(async move {
            match api::save_reasons(&adjust, destruction.as_deref()).await {
                Ok(m) => {
                    message.set(Some((true, "Saved.".into())));
                    take(m);
                }
                Err(e) => message.set(Some((false, e))),
            }
            busy.set(false);
        });
    };
    let rows = move || {
        let mut rows: Vec<(String, String)> = AdjustReason::ALL
            .iter()
            .map(|r| (key(*r), cap(r.label())))
            .collect();
        rows.push((DESTRUCTION.into(), "Destruction".into()));
        rows
    };
    let names = move || {
        map.with(|m| {
            m.as_ref()
                .map(|m| {
                    m.facility
                        .iter()
                        .map(|f| f.name.clone())
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
    };
    let summary = move || {
        map.with(|m| match m.as_ref().and_then(|m| m.read_at.map(|at| (m, at))) {
            None => "The facility's list has not been read yet; until it is, Metrc's common names are sent.".to_owned(),
            Some((m, at)) => {
                let mapped = m.adjust.len() + usize::from(m.destruction.is_some());
                format!(
                    "{} reasons read from the facility on {}; {mapped} of {} of Pistil's reasons mapped.",
                    m.facility.len(),
                    at.format("%Y-%m-%d %H:%M UTC"),
                    AdjustReason::ALL.len() + 1
                )
            }
        })
    };
    view! {
        <h2 class="section">"Metrc adjustment reasons"</h2>
        <form class="panel" on:submit=save novalidate data-testid="reason-map">
            <p class="sub" data-testid="reason-summary">{summary}</p>
            <table class="grid">
                <thead><tr><th>"Pistil's reason"</th><th>"Sent to Metrc as"</th></tr></thead>
                <tbody>
                    {move || rows().into_iter().map(|(k, label)| {
                        let k2 = k.clone();
                        let chosen = {
                            let k = k.clone();
                            move || choices.with(|c| c.get(&k).cloned().unwrap_or_default())
                        };
                        let unmapped = {
                            let chosen = chosen.clone();
                            move || chosen().is_empty()
                        };
                        view! {
                            <tr data-testid="reason-row" data-reason=k.clone() data-mapped=move || (!unmapped()).to_string()>
                                <td>{label}</td>
                                <td>
                                    <select
                                        data-testid="reason-choice"
                                        aria-label=format!("Metrc reason for {k}")
                                        prop:value=chosen.clone()
                                        on:change=move |ev| {
                                            let v = event_target_value(&ev);
                                            choices.update(|c| { c.insert(k2.clone(), v); });
                                        }
                                    >
                                        <option value="">"— not mapped: cannot be used —"</option>
                                        {names().into_iter().map(|n| {
                                            let selected = { let n = n.clone(); let chosen = chosen.clone(); move || chosen() == n };
                                            view! { <option value=n.clone() selected=selected>{n.clone()}</option> }
                                        }).collect_view()}
                                    </select>
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
            {move || message.get().map(|(ok, m)| view! {
                <p class=if ok { "banner ok" } else { "banner error" } role=if ok { "status" } else { "alert" } data-testid="reason-message">{m}</p>
            })}
            <div class="form-actions">
                <button type="button" class="button" data-testid="reason-read" on:click=read disabled=move || busy.get()>"Read the facility's list again"</button>
                <button type="submit" class="button primary" data-testid="reason-save" disabled=move || busy.get() || map.with(Option::is_none)>"Save"</button>
            </div>
        </form>
    }
}

/// A reason's key as the server spells it.
fn key(r: AdjustReason) -> String {
    serde_json::to_value(r)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}
