//! The alerts a manager should act on: the dashboard's first panel, live from the staff stream.

use domain::account::Role;
use leptos::prelude::*;
use leptos_router::components::A;

use crate::{replica::use_replica, session::use_session};

/// Alerts, most urgent first; nothing at all when there are none or the user is not a manager.
#[component]
pub fn Alerts() -> impl IntoView {
    let replica = use_replica();
    let session = use_session();
    view! {
        <Show when=move || session.allows(Role::Manager) && replica.alerts.with(|a| !a.is_empty())>
            <section class="panel alerts" aria-label="Alerts" data-testid="alerts">
                <h2>"Needs attention"</h2>
                <ul>
                    {move || replica.alerts.get().into_iter().map(|a| view! {
                        <li data-testid="alert" data-kind=serde_json::to_value(a.kind).ok().and_then(|v| v.as_str().map(str::to_owned))>
                            <span class=if a.urgent { "status danger" } else { "status warn" }>{if a.urgent { "Urgent" } else { "Soon" }}</span>
                            " "
                            <A href=a.link.clone()>{a.message.clone()}</A>
                        </li>
                    }).collect_view()}
                </ul>
            </section>
        </Show>
    }
}
