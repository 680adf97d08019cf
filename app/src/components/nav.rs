//! The navigation rail.

use leptos::prelude::*;
use leptos_router::components::A;

/// One destination in the rail.
struct Destination {
    href: &'static str,
    label: &'static str,
    glyph: &'static str,
}

const DESTINATIONS: [Destination; 7] = [
    Destination {
        href: "/inventory",
        label: "Inventory",
        glyph: "▦",
    },
    Destination {
        href: "/counts",
        label: "Counts",
        glyph: "✓",
    },
    Destination {
        href: "/reconcile",
        label: "Reconcile",
        glyph: "⇄",
    },
    Destination {
        href: "/orders",
        label: "Orders",
        glyph: "◷",
    },
    Destination {
        href: "/reports",
        label: "Reports",
        glyph: "▤",
    },
    Destination {
        href: "/menu",
        label: "Menu",
        glyph: "☰",
    },
    Destination {
        href: "/settings",
        label: "Settings",
        glyph: "⚙",
    },
];

/// The app's navigation: brand, destinations, and the sign-in link.
#[component]
pub fn Nav() -> impl IntoView {
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
                        view! {
                            <li>
                                <A href=d.href attr:data-testid=format!("nav-{}", d.label.to_lowercase())>
                                    <span class="glyph" aria-hidden="true">{d.glyph}</span>
                                    <span class="label">{d.label}</span>
                                </A>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
            <A href="/login" attr:class="signin" attr:data-testid="nav-login">
                <span class="glyph" aria-hidden="true">"→"</span>
                <span class="label">"Sign in"</span>
            </A>
        </nav>
    }
}
