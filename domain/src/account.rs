//! Staff accounts as both sides see them: who is signed in and what their role allows.

use serde::{Deserialize, Serialize};

/// What a person may do.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Sells, takes returns, handles pickup orders.
    Staff,
    /// Also splits, merges, destroys, adjusts, counts, receives and reads reports.
    Manager,
    /// Everything, including store settings and regulator credentials.
    Owner,
}

impl Role {
    /// Parses `owner`, `manager` or `staff`.
    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "owner" => Some(Role::Owner),
            "manager" => Some(Role::Manager),
            "staff" => Some(Role::Staff),
            _ => None,
        }
    }

    /// Whether this role may do what `needed` may.
    pub fn allows(self, needed: Role) -> bool {
        self >= needed
    }

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Manager => "manager",
            Role::Staff => "staff",
        }
    }
}

/// A signed-in person.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct User {
    /// Their id, the `actor` of their commands.
    pub id: crate::UserId,
    /// Sign-in email.
    pub email: String,
    /// Display name.
    pub name: String,
    /// Role.
    pub role: Role,
}
