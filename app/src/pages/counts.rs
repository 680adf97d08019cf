//! The Counts page.

use leptos::prelude::*;

use crate::components::page::{Page, Upcoming};

/// Blind cycle counts with a second person as witness.
#[component]
pub fn Counts() -> impl IntoView {
    view! {
        <Page title="Counts" lead="Blind cycle counts with a second person as witness." testid="page-counts">
            <Upcoming items=&[
                "Counts planned by zone, category or a list of packages",
                "Blind counting: the counter never sees the expected quantity",
                "Variances per package and per product, with recounts above the threshold",
            ] />
        </Page>
    }
}
