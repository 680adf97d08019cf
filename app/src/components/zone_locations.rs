//! Which of the facility's Metrc locations the vault and the sales floor are: read from the
//! regulator, matched by name where the facility uses the zones' own names, chosen by a manager
//! where not. With both chosen, moves reach Metrc as location changes; with neither, they stay
//! in the store.

use std::collections::BTreeMap;

use domain::{zone_locations::ZoneLocations, Zone};
use leptos::prelude::*;

use crate::api::{self, SyncFailure};

/// The vault row's key (also its `data-zone`).
const VAULT: &str = "vault";
/// The sales floor row's key.
const FLOOR: &str = "sales_floor";

/// The form's choices as the server holds them.
fn chosen_in(m: &ZoneLocations) -> BTreeMap<String, String> {
    [(VAULT, &m.vault), (FLOOR, &m.sales_floor)]
        .into_iter()
        .filter_map(|(k, v)| v.clone().map(|v| (k.to_owned(), v)))
        .collect()
}

/// The locations form on the Settings page.
#[component]
pub fn ZoneLocationsForm() -> impl IntoView {
    let map = RwSignal::new(None::<ZoneLocations>);
    let vault = RwSignal::new(String::new());
    let floor = RwSignal::new(String::new());
    let message = RwSignal::new(None::<(bool, String)>);
    let busy = RwSignal::new(false);
    // A choice the manager changed and has not saved stays when an answer arrives (a slow first
    // load, the facility's list read again); the other follows the server.
    let take = move |m: ZoneLocations| {
        let before = map.with_untracked(|old| old.as_ref().map(chosen_in).unwrap_or_default());
        let mut typed = BTreeMap::from([
            (VAULT.to_owned(), vault.get_untracked()),
            (FLOOR.to_owned(), floor.get_untracked()),
        ]);
        crate::forms::follow(&mut typed, &before, &chosen_in(&m));
        vault.set(typed.remove(VAULT).unwrap_or_default());
        floor.set(typed.remove(FLOOR).unwrap_or_default());
        map.set(Some(m));
    };
    leptos::task::spawn_local(async move {
        match api::zone_locations().await {
            Ok(m) => take(m),
            Err(SyncFailure::Server(m)) => message.set(Some((false, m))),
            Err(_) => message.set(Some((
                false,
                "The locations are shown when the tablet is online.".into(),
            ))),
        }
    });
    let read = move |_| {
        busy.set(true);
        message.set(None);
        leptos::task::spawn_local(async move {
            match api::read_zone_locations().await {
                Ok(m) => {
                    message.set(Some((
                        true,
                        format!("Read {} locations from the facility.", m.facility.len()),
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
        message.set(None);
        let some = |s: String| Some(s).filter(|s| !s.is_empty());
        let (v, f) = (some(vault.get_untracked()), some(floor.get_untracked()));
        // The server's own rule, judged here first: a refusal the tablet can see costs no request.
        let chosen = map.with_untracked(|m| {
            m.as_ref().map(|m| ZoneLocations {
                vault: v.clone(),
                sales_floor: f.clone(),
                ..m.clone()
            })
        });
        if let Some(Err(e)) = chosen.map(|c| c.check()) {
            message.set(Some((false, e.to_string())));
            return;
        }
        busy.set(true);
        leptos::task::spawn_local(async move {
            match api::save_zone_locations(v.as_deref(), f.as_deref()).await {
                Ok(m) => {
                    let words = if m.in_use() {
                        "Saved: moves now reach Metrc as location changes."
                    } else {
                        "Saved: moves stay in the store."
                    };
                    message.set(Some((true, words.into())));
                    take(m);
                }
                Err(e) => message.set(Some((false, e))),
            }
            busy.set(false);
        });
    };
    let names = move || {
        map.with(|m| {
            m.as_ref()
                .map(|m| {
                    m.facility
                        .iter()
                        .filter(|l| l.for_packages)
                        .map(|l| l.name.clone())
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
    };
    let summary = move || {
        map.with(|m| match m.as_ref().and_then(|m| m.read_at.map(|at| (m, at))) {
            None => "The facility's locations have not been read yet; until both zones have one, moves stay in the store.".to_owned(),
            Some((m, at)) => format!(
                "{} locations read from the facility on {}; {}",
                m.facility.len(),
                at.format("%Y-%m-%d %H:%M UTC"),
                if m.in_use() {
                    "moves reach Metrc as location changes."
                } else {
                    "moves stay in the store until both zones have a location."
                }
            ),
        })
    };
    let row = move |zone: Zone, chosen: RwSignal<String>| {
        let key = if zone == Zone::Vault { VAULT } else { FLOOR };
        view! {
            <tr data-testid="location-row" data-zone=key>
                <td>{zone.label()}</td>
                <td>
                    <select
                        data-testid="location-choice"
                        aria-label=format!("Metrc location for the {}", zone.label().to_lowercase())
                        prop:value=move || chosen.get()
                        on:change=move |ev| chosen.set(event_target_value(&ev))
                    >
                        <option value="">"— none: moves stay in the store —"</option>
                        {move || names().into_iter().map(|n| {
                            let selected = { let n = n.clone(); move || chosen.get() == n };
                            view! { <option value=n.clone() selected=selected>{n.clone()}</option> }
                        }).collect_view()}
                    </select>
                </td>
            </tr>
        }
    };
    view! {
        <h2 class="section">"Metrc locations"</h2>
        <form class="panel" on:submit=save novalidate data-testid="zone-locations">
            <p class="sub" data-testid="location-summary">{summary}</p>
            <table class="grid">
                <thead><tr><th>"Zone"</th><th>"Metrc location"</th></tr></thead>
                <tbody>
                    {row(Zone::Vault, vault)}
                    {row(Zone::SalesFloor, floor)}
                </tbody>
            </table>
            {move || message.get().map(|(ok, m)| view! {
                <p class=if ok { "banner ok" } else { "banner error" } role=if ok { "status" } else { "alert" } data-testid="location-message">{m}</p>
            })}
            <div class="form-actions">
                <button type="button" class="button" data-testid="location-read" on:click=read disabled=move || busy.get()>"Read the facility's locations"</button>
                <button type="submit" class="button primary" data-testid="location-save" disabled=move || busy.get() || map.with(Option::is_none)>"Save"</button>
            </div>
        </form>
    }
}
