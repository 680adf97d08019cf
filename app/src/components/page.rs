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

/// States plainly what a page does not do yet and what it will hold.
#[component]
pub fn Upcoming(
    /// What the page will hold, one item per line.
    items: &'static [&'static str],
) -> impl IntoView {
    view! {
        <div class="panel upcoming" role="note">
            <p class="upcoming-title">"Not available yet. This page will hold:"</p>
            <ul>{items.iter().map(|i| view! { <li>{*i}</li> }).collect_view()}</ul>
        </div>
    }
}
