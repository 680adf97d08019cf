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
            s.user.set(crate::api::me().await);
            s.checked.set(true);
        });
        s
    }

    /// Whether the signed-in user has at least `role`.
    pub fn allows(&self, role: Role) -> bool {
        self.user
            .with(|u| u.as_ref().is_some_and(|u| u.role.allows(role)))
    }
}

/// The session from context.
pub fn use_session() -> Session {
    expect_context::<Session>()
}
