//! Shows a page only to people whose role allows it.

use domain::account::Role;
use leptos::prelude::*;
use leptos_router::components::A;

use crate::session::use_session;

/// Renders `children` when the signed-in user has at least `role`; otherwise says what is needed.
#[component]
pub fn RequireRole(
    /// The least role that may see the page.
    role: Role,
    /// The page.
    children: ChildrenFn,
) -> impl IntoView {
    let session = use_session();
    move || {
        if !session.checked.get() {
            view! { <p class="muted" role="status">"Checking your sign-in…"</p> }.into_any()
        } else if session.allows(role) {
            children().into_any()
        } else if session.user.with(Option::is_none) {
            view! {
                <div class="panel notice" data-testid="needs-sign-in">
                    <p>"Sign in to see this page."</p>
                    <A href="/login" attr:class="button primary">"Sign in"</A>
                </div>
            }
            .into_any()
        } else {
            view! {
                <div class="panel notice" data-testid="needs-role">
                    <p>{format!("This page needs a {} account.", role.as_str())}</p>
                </div>
            }
            .into_any()
        }
    }
}
