//! The Sign in page.

use leptos::prelude::*;

use crate::components::page::{Page, Upcoming};

/// Staff sign in with their own account; what they see depends on their role.
#[component]
pub fn Login() -> impl IntoView {
    view! {
        <Page title="Sign in" lead="Staff sign in with their own account; what they see depends on their role." testid="page-login">
            <Upcoming items=&[
                "Sign in with an email and password",
                "Owner, manager and staff roles",
            ] />
        </Page>
    }
}
