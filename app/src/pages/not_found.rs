//! The page for unknown addresses.

use leptos::prelude::*;
use leptos_router::components::A;

/// Shown when no route matches.
#[component]
pub fn NotFound() -> impl IntoView {
    view! {
        <section class="page" data-testid="page-not-found">
            <header class="page-head">
                <h1>"Page not found"</h1>
                <p class="lead">"There is nothing at this address."</p>
            </header>
            <A href="/inventory" attr:class="button primary">"Go to inventory"</A>
        </section>
    }
}
