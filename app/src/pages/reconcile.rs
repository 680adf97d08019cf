//! The Reconcile page.

use leptos::prelude::*;

use crate::components::page::{Page, Upcoming};

/// Ledger, shelf and regulator side by side, with a diagnosis before any quantity changes.
#[component]
pub fn Reconcile() -> impl IntoView {
    view! {
        <Page title="Reconcile" lead="Ledger, shelf and regulator side by side, with a diagnosis before any quantity changes." testid="page-reconcile">
            <Upcoming items=&[
                "Ledger, last count and regulator quantity for each product and package",
                "One diagnosis each: sync halted, mapping, timing, duplication, or a genuine variance",
                "A proposed adjustment only when nothing else explains the difference",
            ] />
        </Page>
    }
}
