//! Pistil's browser app: the staff tablet screens and the public menu, one Leptos app.

pub mod components;
pub mod pages;

use leptos::prelude::*;
use leptos_router::{
    components::{Route, Router, Routes},
    path,
};

use components::nav::Nav;
use pages::*;

/// The app: navigation beside the routed page.
#[component]
pub fn App() -> impl IntoView {
    view! {
        <Router>
            <div class="shell">
                <Nav />
                <main class="content" id="main">
                    <Routes fallback=|| view! { <NotFound /> }>
                        <Route path=path!("/") view=Inventory />
                        <Route path=path!("/inventory") view=Inventory />
                        <Route path=path!("/counts") view=Counts />
                        <Route path=path!("/reconcile") view=Reconcile />
                        <Route path=path!("/orders") view=Orders />
                        <Route path=path!("/reports") view=Reports />
                        <Route path=path!("/menu") view=Menu />
                        <Route path=path!("/settings") view=Settings />
                        <Route path=path!("/login") view=Login />
                    </Routes>
                </main>
            </div>
        </Router>
    }
}
