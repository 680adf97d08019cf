//! The connection indicator: online, syncing or offline, how many changes wait on this tablet,
//! and how many the server refused.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::replica::{use_replica, Net};

/// Always visible in the navigation, so a manager knows whether the vault's Wi-Fi is carrying
/// their changes.
#[component]
pub fn SyncStatus() -> impl IntoView {
    let r = use_replica();
    let pending = move || r.outbox.with(|o| o.len());
    let refused = move || r.attention.with(|a| a.len());
    let state = move || match r.net.get() {
        Net::Starting => ("starting", "Starting".to_owned()),
        Net::Online => ("online", "Online".to_owned()),
        Net::Syncing => ("syncing", "Syncing".to_owned()),
        Net::Offline => ("offline", "Offline".to_owned()),
        Net::SignedOut => ("offline", "Signed out".to_owned()),
        Net::Failing(_) => ("failing", "Server error".to_owned()),
    };
    view! {
        <div class="sync" data-testid="sync-status" data-state=move || state().0
            title=move || match r.net.get() { Net::Failing(m) => m, _ => String::new() }>
            <span class=move || format!("dot {}", state().0) aria-hidden="true"></span>
            <span class="label">{move || state().1}</span>
            <span class="pending" data-testid="pending-count" data-count=move || pending().to_string()>
                {move || match pending() {
                    0 => "Up to date".to_owned(),
                    n => format!("{n} waiting"),
                }}
            </span>
            <Show when=move || { refused() > 0 }>
                <A href="/attention" attr:class="attention" attr:data-testid="attention-link">
                    {move || format!("{} need attention", refused())}
                </A>
            </Show>
        </div>
    }
}
