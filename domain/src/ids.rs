//! Identifier newtypes. Every id is a UUID that a client (a tablet, the server) can mint.

use std::{fmt, str::FromStr};

use serde::{Deserialize, Serialize};
use uuid::Uuid;

macro_rules! entity_id {
    ($(#[$doc:meta] $name:ident),* $(,)?) => {$(
        #[$doc]
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = String, format = Uuid))]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            /// Mints a fresh random id.
            pub fn new() -> Self {
                Self(Uuid::new_v4())
            }
            /// A deterministic id, for seeds and tests.
            pub const fn from_u128(v: u128) -> Self {
                Self(Uuid::from_u128(v))
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }
    )*};
}

entity_id! {
    /// A product in the store's catalogue.
    ProductId,
    /// A physical package (what the regulator tracks by tag).
    PackageId,
    /// A command's idempotency key, minted where the command is made.
    MutationId,
    /// A staff account.
    UserId,
    /// A tablet, till or the server itself.
    DeviceId,
    /// A reservation of stock for pickup.
    HoldId,
    /// A sales receipt.
    ReceiptId,
    /// A return against a receipt.
    ReturnId,
    /// A physical count of one package.
    CountId,
}

/// How a customer is recognised for purchase limits (a loyalty id, a hashed phone number).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = String))]
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CustomerRef(String);

impl CustomerRef {
    /// Normalises a reference: trimmed, case-folded, never empty.
    pub fn parse(raw: &str) -> Result<Self, crate::DomainError> {
        let s = raw.trim().to_lowercase();
        if s.is_empty() {
            return Err(crate::DomainError::InvalidInput {
                field: "customer".into(),
                message: "the customer reference is empty".into(),
            });
        }
        Ok(Self(s))
    }

    /// The normalised text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A medical patient's registration number (Metrc's PatientLicenseNumber), as on the card:
/// trimmed, upper-cased, 1 to 50 letters, digits or hyphens. Read through `parse` whether it
/// comes from a form or a request body, so a stored one is always well formed.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = String))]
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PatientRegistration(String);

impl PatientRegistration {
    /// The longest registration number accepted (Metrc's field holds 50 characters).
    pub const MAX_LEN: usize = 50;

    /// Reads a registration number, naming what is wrong with it.
    pub fn parse(raw: &str) -> Result<Self, crate::DomainError> {
        let s = raw.trim().to_uppercase();
        let wrong = |message: String| crate::DomainError::InvalidInput {
            field: "patient".into(),
            message,
        };
        if s.is_empty() {
            return Err(wrong("the patient's registration number is empty".into()));
        }
        if s.chars().count() > Self::MAX_LEN {
            return Err(wrong(format!(
                "the patient's registration number is longer than {} characters",
                Self::MAX_LEN
            )));
        }
        if let Some(c) = s
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || *c == '-'))
        {
            return Err(wrong(format!(
                "the patient's registration number holds {c:?}; only letters, digits and hyphens are used"
            )));
        }
        Ok(Self(s))
    }

    /// The number as recorded.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for PatientRegistration {
    type Error = crate::DomainError;
    fn try_from(raw: String) -> Result<Self, Self::Error> {
        Self::parse(&raw)
    }
}

impl From<PatientRegistration> for String {
    fn from(p: PatientRegistration) -> Self {
        p.0
    }
}

impl fmt::Display for PatientRegistration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Display for CustomerRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
