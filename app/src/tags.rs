//! Free package tags for splits and merges. The regulator hands them out; the tablet keeps a
//! list so a manager in a vault without Wi-Fi can still split, and never offers a tag its own
//! state already uses.

use domain::{account::Role, RegulatorTag, State};

use crate::{api, session::Session};

const CACHE: &str = "pistil.free_tags";
const FETCHED_AT: &str = "pistil.free_tags_at";
/// How often a manager's tablet refreshes the list in the background, in milliseconds.
const REFRESH_MS: f64 = 5.0 * 60.0 * 1000.0;

fn storage() -> Option<web_sys::Storage> {
    web_sys::window().and_then(|w| w.local_storage().ok().flatten())
}

fn cached() -> Vec<String> {
    storage()
        .and_then(|s| s.get_item(CACHE).ok().flatten())
        .and_then(|v| serde_json::from_str(&v).ok())
        .unwrap_or_default()
}

fn remember(tags: &[String]) {
    if let Some(s) = storage() {
        let _ = s.set_item(CACHE, &serde_json::to_string(tags).unwrap_or_default());
        let _ = s.set_item(FETCHED_AT, &js_sys::Date::now().to_string());
    }
}

/// Refreshes the kept list in the background when a manager is signed in and it is stale.
pub fn refresh_soon(session: Session) {
    if !session.allows(Role::Manager) {
        return;
    }
    let fetched_at: f64 = storage()
        .and_then(|s| s.get_item(FETCHED_AT).ok().flatten())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0.0);
    if js_sys::Date::now() - fetched_at < REFRESH_MS && !cached().is_empty() {
        return;
    }
    leptos::task::spawn_local(async move {
        if let Ok(tags) = api::free_tags().await {
            remember(&tags);
        }
    });
}

/// Free tags: fresh from the server when it answers (and kept), else the kept ones; never one
/// the tablet's own state (confirmed or pending) already uses.
pub async fn free(state: &State) -> Vec<String> {
    let tags = match api::free_tags().await {
        Ok(tags) => {
            remember(&tags);
            tags
        }
        Err(_) => cached(),
    };
    tags.into_iter()
        .filter(|t| RegulatorTag::parse(t).is_ok_and(|t| !state.tags.contains_key(&t)))
        .collect()
}
