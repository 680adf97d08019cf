//! The frame every page shares: a heading, a lead, and the body.

use leptos::prelude::*;

/// A page with its title and a one-sentence purpose.
#[component]
pub fn Page(
    /// The heading.
    #[prop(into)]
    title: Signal<String>,
    /// What the page is for, in one sentence.
    lead: &'static str,
    /// Stable id for tests.
    testid: &'static str,
    /// The body.
    children: Children,
) -> impl IntoView {
    view! {
        <section class="page" data-testid=testid>
            <header class="page-head">
                <h1>{move || title.get()}</h1>
                <p class="lead">{lead}</p>
            </header>
            {children()}
        </section>
    }
}
