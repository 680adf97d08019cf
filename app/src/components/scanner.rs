//! The barcode scanner: a keyboard-wedge scanner "types" a 24-character tag and Enter. Anywhere
//! outside a text field, that opens the package; inside a field, the field gets the tag as typed.

use domain::RegulatorTag;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use wasm_bindgen::{closure::Closure, JsCast};

use crate::replica::use_replica;

/// Longest pause between two scanned characters; people type slower than this.
const GAP_MS: f64 = 80.0;

/// Listens for scans for the life of the app and shows what it could not open.
#[component]
pub fn Scanner() -> impl IntoView {
    let replica = use_replica();
    let navigate = use_navigate();
    let message = RwSignal::new(None::<String>);
    let buffer = StoredValue::new(String::new());
    let last = StoredValue::new(0.0f64);
    let on_key =
        Closure::<dyn Fn(web_sys::KeyboardEvent)>::new(move |ev: web_sys::KeyboardEvent| {
            let in_field = ev
                .target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                .is_some_and(|el| {
                    matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT")
                });
            if in_field || ev.ctrl_key() || ev.meta_key() || ev.alt_key() {
                return;
            }
            let now = js_sys::Date::now();
            if now - last.get_value() > GAP_MS {
                buffer.set_value(String::new());
            }
            last.set_value(now);
            let key = ev.key();
            if key == "Enter" {
                let typed = buffer.get_value();
                buffer.set_value(String::new());
                if typed.len() != RegulatorTag::LEN {
                    return;
                }
                ev.prevent_default();
                match RegulatorTag::parse(&typed) {
                    Ok(tag) => {
                        let found = replica
                            .view
                            .with_untracked(|v| v.as_ref().and_then(|s| s.tags.get(&tag).copied()));
                        match found {
                            Some(id) => {
                                message.set(None);
                                navigate(&format!("/packages/{id}"), Default::default());
                            }
                            None => message.set(Some(format!(
                                "Scanned {typed}: no package on this tablet carries that tag."
                            ))),
                        }
                    }
                    Err(e) => message.set(Some(format!("Scanned {typed}: {e}"))),
                }
            } else if key.chars().count() == 1 {
                buffer.update_value(|b| b.push_str(&key));
            }
        });
    if let Some(w) = web_sys::window() {
        let _ = w.add_event_listener_with_callback("keydown", on_key.as_ref().unchecked_ref());
    }
    on_key.forget();
    view! {
        {move || message.get().map(|m| view! {
            <div class="toast" role="alert" data-testid="scan-message">
                <span>{m}</span>
                <button type="button" class="button" on:click=move |_| message.set(None)>"Dismiss"</button>
            </div>
        })}
    }
}
