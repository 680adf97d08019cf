//! The Settings page.

use leptos::prelude::*;

use crate::components::page::{Page, Upcoming};

/// Store details, jurisdiction, policies, staff accounts and the regulator connection.
#[component]
pub fn Settings() -> impl IntoView {
    view! {
        <Page title="Settings" lead="Store details, jurisdiction, policies, staff accounts and the regulator connection." testid="page-settings">
            <Upcoming items=&[
                "Store name, time zone and jurisdiction",
                "Merge policy and count thresholds",
                "Staff accounts and roles",
                "Regulator credentials, kept on the server only",
            ] />
        </Page>
    }
}
