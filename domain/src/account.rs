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

/// A sign-in email as every part of Pistil compares it: trimmed and case-folded once, where it
/// arrives, so " M@Store.test\t" and "m@store.test" are one account for sign-in, its rate limit
/// and its lookup.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Email(String);

/// Why a text is not a sign-in email.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("\"{0}\" is not an email address")]
pub struct NotAnEmail(pub String);

/// The words for a person who names themselves as their own witness: the tablet says them before
/// sending, the server when it judges by id.
pub const SELF_WITNESS: &str = "the witness must be a different person from the one signed in";

/// Longest email accepted (RFC 5321's path limit).
pub const EMAIL_MAX: usize = 254;

impl Email {
    /// Trims and case-folds; refuses what is not one `local@domain` without spaces or control
    /// characters, or is longer than `EMAIL_MAX`.
    pub fn parse(s: &str) -> Result<Email, NotAnEmail> {
        let e = s.trim().to_lowercase();
        let shown = || NotAnEmail(e.chars().filter(|c| !c.is_control()).take(80).collect());
        let (local, domain) = e.split_once('@').ok_or_else(shown)?;
        if local.is_empty()
            || domain.is_empty()
            || domain.contains('@')
            || e.chars().count() > EMAIL_MAX
            || e.chars().any(|c| c.is_whitespace() || c.is_control())
        {
            return Err(shown());
        }
        Ok(Email(e))
    }

    /// The folded address.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Email {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_email_is_one_account_however_it_is_padded_or_cased() {
        let plain = Email::parse("m@store.test").unwrap();
        for padded in [
            " m@store.test",
            "m@store.test ",
            "\tM@Store.Test\n",
            "  M@STORE.TEST\t",
        ] {
            assert_eq!(Email::parse(padded).unwrap(), plain, "{padded:?}");
        }
    }

    #[test]
    fn what_is_not_an_email_is_named() {
        for bad in [
            "",
            "   ",
            "m",
            "@store.test",
            "m@",
            "m@@store.test",
            "m @store.test",
            "m@store\u{0}.test",
            "m@a@b",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?}");
        }
        let long = format!("{}@store.test", "a".repeat(250));
        assert!(Email::parse(&long).is_err());
        assert_eq!(
            Email::parse("not-an-email").unwrap_err().to_string(),
            "\"not-an-email\" is not an email address"
        );
    }
}
