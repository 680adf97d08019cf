//! The sign-in page.

use leptos::{ev::SubmitEvent, prelude::*};
use leptos_router::hooks::use_navigate;

use crate::{api, components::page::Page, session::use_session};

/// Staff sign in with their own account; signed in, it shows who and offers to sign out.
#[component]
pub fn Login() -> impl IntoView {
    let session = use_session();
    let navigate = use_navigate();
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let replica = crate::replica::use_replica();
    // A form the browser sent itself (before the app took over) comes back here with why.
    let error = RwSignal::new(
        window()
            .location()
            .href()
            .ok()
            .and_then(|href| api::refusal_in(&href))
            .map(|why| why.to_string()),
    );
    let busy = RwSignal::new(false);
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        busy.set(true);
        error.set(None);
        let (e, p) = (email.get_untracked(), password.get_untracked());
        let navigate = navigate.clone();
        leptos::task::spawn_local(async move {
            match api::sign_in(&e, &p).await {
                Ok(user) => {
                    session.set(Some(user));
                    password.set(String::new());
                    // Changes that waited for a sign-in go now.
                    leptos::task::spawn_local(async move { replica.sync().await });
                    navigate("/inventory", Default::default());
                }
                Err(message) => error.set(Some(message)),
            }
            busy.set(false);
        });
    };
    let sign_out = move |_| {
        busy.set(true);
        error.set(None);
        leptos::task::spawn_local(async move {
            match api::sign_out().await {
                Ok(()) => session.set(None),
                Err(message) => error.set(Some(message)),
            }
            busy.set(false);
        });
    };
    view! {
        <Page title=Signal::derive(move || if session.user.with(Option::is_some) { "Account".to_owned() } else { "Sign in".to_owned() }) lead="Staff sign in with their own account; what they see depends on their role." testid="page-login">
            <Show
                when=move || session.user.with(Option::is_some)
                fallback=move || {
                    view! {
                        <form class="panel form" method="post" action="/api/v1/session" on:submit=submit.clone() data-testid="sign-in-form">
                            <label for="email">"Email"</label>
                            <input id="email" name="email" type="email" autocomplete="username" required bind:value=email />
                            <label for="password">"Password"</label>
                            <input id="password" name="password" type="password" autocomplete="current-password" required bind:value=password />
                            <button class="button primary" type="submit" disabled=move || busy.get()>
                                {move || if busy.get() { "Signing in…" } else { "Sign in" }}
                            </button>
                        </form>
                    }
                }
            >
                <div class="panel" data-testid="signed-in">
                    <p>
                        "Signed in as "
                        <strong>{move || session.user.with(|u| u.as_ref().map(|u| u.name.clone()).unwrap_or_default())}</strong>
                        {move || session.user.with(|u| u.as_ref().map(|u| format!(" ({})", u.role.as_str())).unwrap_or_default())}
                    </p>
                    <button class="button" on:click=sign_out disabled=move || busy.get()>
                        {move || if busy.get() { "Signing out…" } else { "Sign out" }}
                    </button>
                </div>
            </Show>
            {move || error.get().map(|m| view! { <p class="banner error" role="alert" data-testid="sign-in-error">{m}</p> })}
        </Page>
    }
}
