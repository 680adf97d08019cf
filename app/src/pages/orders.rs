//! The Orders page.

use leptos::prelude::*;

use crate::components::page::{Page, Upcoming};

/// Pickup orders from the online menu and the counter, from placed to picked up.
#[component]
pub fn Orders() -> impl IntoView {
    view! {
        <Page title="Orders" lead="Pickup orders from the online menu and the counter, from placed to picked up." testid="page-orders">
            <Upcoming items=&[
                "The live order queue: placed, preparing, ready, picked up",
                "Holds that expire on their own",
                "Phone and counter orders for a named customer, within purchase limits",
            ] />
        </Page>
    }
}
