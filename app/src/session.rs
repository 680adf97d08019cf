//! Who is signed in, shared through context.

use domain::account::{Role, User};
use leptos::prelude::*;

/// The signed-in user (`None` when signed out) and whether the first check has answered.
#[derive(Clone, Copy)]
pub struct Session {
    /// The user.
    pub user: RwSignal<Option<User>>,
    /// False until the server has said who is signed in.
    pub checked: RwSignal<bool>,
}

impl Session {
    /// Provides the session to the app and asks the server who is signed in.
    pub fn provide() -> Self {
        let s = Session {
            user: RwSignal::new(None),
            checked: RwSignal::new(false),
        };
        provide_context(s);
        leptos::task::spawn_local(async move {
            match crate::api::me().await {
                Ok(user) => s.set(user),
                // Offline: the person who last signed in on this tablet keeps working; the server
                // checks the session again when the changes are sent.
                Err(crate::api::SyncFailure::Offline) => s.user.set(remembered()),
                Err(_) => s.set(None),
            }
            s.checked.set(true);
        });
        s
    }

    /// Records who is signed in, and remembers them on this tablet for offline starts.
    pub fn set(&self, user: Option<User>) {
        if let Some(storage) = web_sys::window().and_then(|w| w.local_storage().ok().flatten()) {
            let _ = match &user {
                Some(u) => {
                    storage.set_item(REMEMBERED, &serde_json::to_string(u).unwrap_or_default())
                }
                None => storage.remove_item(REMEMBERED),
            };
        }
        self.user.set(user);
    }

    /// Whether the signed-in user has at least `role`.
    pub fn allows(&self, role: Role) -> bool {
        self.user
            .with(|u| u.as_ref().is_some_and(|u| u.role.allows(role)))
    }
}

const REMEMBERED: &str = "pistil.user";

fn remembered() -> Option<User> {
    web_sys::window()
        .and_then(|w| w.local_storage().ok().flatten())
        .and_then(|s| s.get_item(REMEMBERED).ok().flatten())
        .and_then(|v| serde_json::from_str(&v).ok())
}

/// The session from context.
pub fn use_session() -> Session {
    expect_context::<Session>()
}
