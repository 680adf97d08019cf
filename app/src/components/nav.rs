//! The navigation rail: what the signed-in person's role allows, and who is signed in.

use domain::account::Role;
use leptos::prelude::*;
use leptos_router::components::A;

use crate::session::use_session;

/// One destination in the rail; `role: None` is public.
struct Destination {
    href: &'static str,
    label: &'static str,
    glyph: &'static str,
    role: Option<Role>,
}

const DESTINATIONS: [Destination; 9] = [
    Destination {
        href: "/inventory",
        label: "Inventory",
        glyph: "▦",
        role: Some(Role::Staff),
    },
    Destination {
        href: "/products",
        label: "Products",
        glyph: "◧",
        role: Some(Role::Manager),
    },
    Destination {
        href: "/receive",
        label: "Receive",
        glyph: "⇩",
        role: Some(Role::Manager),
    },
    Destination {
        href: "/counts",
        label: "Counts",
        glyph: "✓",
        role: Some(Role::Manager),
    },
    Destination {
        href: "/reconcile",
        label: "Reconcile",
        glyph: "⇄",
        role: Some(Role::Manager),
    },
    Destination {
        href: "/orders",
        label: "Orders",
        glyph: "◷",
        role: Some(Role::Staff),
    },
    Destination {
        href: "/reports",
        label: "Reports",
        glyph: "▤",
        role: Some(Role::Manager),
    },
    Destination {
        href: "/menu",
        label: "Menu",
        glyph: "☰",
        role: None,
    },
    Destination {
        href: "/settings",
        label: "Settings",
        glyph: "⚙",
        role: Some(Role::Manager),
    },
];

/// The app's navigation: brand, destinations for this role, and the account link.
#[component]
pub fn Nav() -> impl IntoView {
    let session = use_session();
    let replica = crate::replica::use_replica();
    // The alerts' count rides on Reconcile, where they are listed, so it shows from every page.
    let alerts = move || {
        replica
            .alerts
            .with(|a| (!a.is_empty() && session.allows(Role::Manager)).then_some(a.len()))
    };
    let account_label = move || {
        session.user.with(|u| match u {
            Some(u) => u
                .name
                .split_whitespace()
                .next()
                .unwrap_or("Account")
                .to_owned(),
            None => "Sign in".to_owned(),
        })
    };
    view! {
        <nav class="rail" aria-label="Main">
            <a class="brand" href="/inventory">
                <img src="/icon.svg" alt="" width="32" height="32" />
                <span>"Pistil"</span>
            </a>
            <ul>
                {DESTINATIONS
                    .iter()
                    .map(|d| {
                        let role = d.role;
                        let badge = d.href == "/reconcile";
                        view! {
                            <Show when=move || role.is_none_or(|r| session.allows(r))>
                                <li>
                                    <A href=d.href attr:data-testid=format!("nav-{}", d.label.to_lowercase())>
                                        <span class="glyph" aria-hidden="true">{d.glyph}</span>
                                        <span class="label">{d.label}</span>
                                        {badge.then_some(move || alerts().map(|n| view! {
                                            <span class="badge" data-testid="nav-alerts" aria-label=format!("{n} alerts")>{n}</span>
                                        }))}
                                    </A>
                                </li>
                            </Show>
                        }
                    })
                    .collect_view()}
            </ul>
            <super::sync_status::SyncStatus />
            <A href="/login" attr:class="signin" attr:data-testid="nav-login">
                <span class="glyph" aria-hidden="true">"→"</span>
                <span class="label">{account_label}</span>
            </A>
        </nav>
    }
}
