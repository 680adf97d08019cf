//! The Menu page.

use leptos::prelude::*;

use crate::components::page::{Page, Upcoming};

/// The live public menu customers browse and reserve from.
#[component]
pub fn Menu() -> impl IntoView {
    view! {
        <Page title="Menu" lead="The live public menu customers browse and reserve from." testid="page-menu">
            <Upcoming items=&[
                "Products in stock with price, THC and CBD, updated live",
                "Search and filters by category, brand, strain, THC and price",
                "Reserve for pickup, with age confirmation and purchase limits",
            ] />
        </Page>
    }
}
