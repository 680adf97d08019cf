//! The Inventory page.

use leptos::prelude::*;

use crate::components::page::{Page, Upcoming};

/// Every package in the store: where it is, how much is left, and what happened to it.
#[component]
pub fn Inventory() -> impl IntoView {
    view! {
        <Page title="Inventory" lead="Every package in the store: where it is, how much is left, and what happened to it." testid="page-inventory">
            <Upcoming items=&[
                "A searchable list of every package, fast at 10,000 and more",
                "Filters by zone, category, status and expiring soon",
                "Scan a tag anywhere to open its package card",
                "Split, merge, destroy, adjust, move and receive, offline too",
            ] />
        </Page>
    }
}
