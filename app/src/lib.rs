//! Pistil's browser app: the staff tablet screens and the public menu, one Leptos app.

pub mod api;
pub mod components;
pub mod forms;
pub mod local;
pub mod pages;
pub mod replica;
pub mod session;
pub mod tags;
pub mod words;

use leptos::prelude::*;
use leptos_router::{
    components::{Route, Router, Routes},
    path,
};

use components::{guard::RequireRole, nav::Nav};
use domain::account::Role;
use pages::*;

/// The staff shell (navigation beside the page), except on `/shop`, the customers' menu, which
/// stands alone so a store's website can embed it.
#[component]
fn Frame(children: Children) -> impl IntoView {
    let location = leptos_router::hooks::use_location();
    let bare = Memo::new(move |_| location.pathname.with(|p| p.starts_with("/shop")));
    view! {
        <div class="shell" class:bare=bare>
            <Show when=move || !bare.get()>
                <Nav />
            </Show>
            {children()}
        </div>
    }
}

/// The app: navigation beside the routed page.
#[component]
pub fn App() -> impl IntoView {
    session::Session::provide();
    replica::Replica::provide();
    view! {
        <Router>
            <Frame>
                <components::scanner::Scanner />
                <main class="content" id="main">
                    <Routes fallback=|| view! { <NotFound /> }>
                        <Route path=path!("/") view=|| view! { <RequireRole role=Role::Staff><Inventory /></RequireRole> } />
                        <Route path=path!("/inventory") view=|| view! { <RequireRole role=Role::Staff><Inventory /></RequireRole> } />
                        <Route path=path!("/packages/:id") view=|| view! { <RequireRole role=Role::Staff><PackageCard /></RequireRole> } />
                        <Route path=path!("/attention") view=|| view! { <RequireRole role=Role::Staff><Attention /></RequireRole> } />
                        <Route path=path!("/products") view=|| view! { <RequireRole role=Role::Manager><Products /></RequireRole> } />
                        <Route path=path!("/receive") view=|| view! { <RequireRole role=Role::Manager><Receive /></RequireRole> } />
                        <Route path=path!("/counts") view=|| view! { <RequireRole role=Role::Manager><Counts /></RequireRole> } />
                        <Route path=path!("/counts/:id") view=|| view! { <RequireRole role=Role::Manager><CountSheet /></RequireRole> } />
                        <Route path=path!("/reconcile") view=|| view! { <RequireRole role=Role::Manager><Reconcile /></RequireRole> } />
                        <Route path=path!("/orders") view=|| view! { <RequireRole role=Role::Staff><Orders /></RequireRole> } />
                        <Route path=path!("/reports") view=|| view! { <RequireRole role=Role::Manager><Reports /></RequireRole> } />
                        <Route path=path!("/menu") view=Menu />
                        <Route path=path!("/shop") view=Shop />
                        <Route path=path!("/shop/orders/:id") view=OrderStatusPage />
                        <Route path=path!("/settings") view=|| view! { <RequireRole role=Role::Manager><Settings /></RequireRole> } />
                        <Route path=path!("/login") view=Login />
                    </Routes>
                </main>
            </Frame>
        </Router>
    }
}
