//! Which of the facility's own Metrc adjustment reasons each of Pistil's reasons is sent as.
//! Metrc's list differs by state (FACTS.md, `/packages/v2/adjust/reasons`), so the list is read
//! from the facility and a manager maps what Pistil could not match by name.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::{AdjustReason, DomainError, EventKind};

/// One reason in the facility's own list.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FacilityReason {
    /// The name Metrc takes as `AdjustmentReason`.
    pub name: String,
    /// Whether Metrc refuses an adjustment for it without a note.
    pub requires_note: bool,
}

/// The facility's reasons as last read, and what each Pistil reason is sent as.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReasonMap {
    /// The facility's list, as Metrc gave it.
    pub facility: Vec<FacilityReason>,
    /// When the list was read.
    pub read_at: Option<DateTime<Utc>>,
    /// Pistil's adjustment reason → the facility reason it is sent as.
    pub adjust: BTreeMap<AdjustReason, String>,
    /// The facility reason a destruction is sent as (a retailer records destruction as waste).
    pub destruction: Option<String>,
}

/// The name Pistil proposes for destruction when the facility lists it.
pub const DESTRUCTION_DEFAULT: &str = "Waste (Unusable Product)";

impl ReasonMap {
    /// A map for a freshly read list: each reason goes to the facility reason of the same name as
    /// Metrc's common list (`AdjustReason::regulator_name`), letter case aside; the rest wait for
    /// a person.
    pub fn proposed(facility: Vec<FacilityReason>, read_at: DateTime<Utc>) -> Self {
        let find = |want: &str| {
            facility
                .iter()
                .find(|f| f.name.trim().eq_ignore_ascii_case(want))
                .map(|f| f.name.clone())
        };
        let adjust = AdjustReason::ALL
            .iter()
            .filter_map(|r| find(r.regulator_name()).map(|n| (*r, n)))
            .collect();
        let destruction = find(DESTRUCTION_DEFAULT);
        Self {
            facility,
            read_at: Some(read_at),
            adjust,
            destruction,
        }
    }

    /// A newly read list, keeping every choice a person made that the list still holds.
    pub fn reread(&self, facility: Vec<FacilityReason>, read_at: DateTime<Utc>) -> Self {
        let mut next = Self::proposed(facility, read_at);
        let listed = |n: &String| next.facility.iter().any(|f| &f.name == n);
        for (r, n) in &self.adjust {
            if listed(n) {
                next.adjust.insert(*r, n.clone());
            }
        }
        if let Some(d) = self.destruction.as_ref().filter(|d| listed(d)) {
            next.destruction = Some(d.clone());
        }
        next
    }

    /// Checks a person's choices: each named reason must be one the facility lists.
    pub fn check(&self) -> Result<(), DomainError> {
        let chosen = self
            .adjust
            .values()
            .chain(self.destruction.as_ref())
            .find(|n| !self.facility.iter().any(|f| &f.name == *n));
        match chosen {
            Some(n) => Err(DomainError::InvalidInput {
                field: "reasons".into(),
                message: format!(
                    "\"{n}\" is not one of the facility's Metrc adjustment reasons ({})",
                    self.names()
                ),
            }),
            None => Ok(()),
        }
    }

    /// What Pistil's `reason` is sent as, if mapped.
    pub fn for_adjust(&self, reason: AdjustReason) -> Option<&str> {
        self.adjust.get(&reason).map(String::as_str)
    }

    /// Whether the facility's reason needs a note.
    pub fn requires_note(&self, name: &str) -> bool {
        self.facility
            .iter()
            .any(|f| f.name == name && f.requires_note)
    }

    /// The first change among `events` that has no facility reason to be sent with.
    pub fn unmapped<'a>(
        &self,
        events: impl IntoIterator<Item = &'a EventKind>,
    ) -> Option<DomainError> {
        events.into_iter().find_map(|e| match e {
            EventKind::PackageAdjusted { reason, .. } if self.for_adjust(*reason).is_none() => {
                Some(DomainError::ReasonNotMapped {
                    reason: reason.label().into(),
                })
            }
            EventKind::PackageDestroyed { .. } if self.destruction.is_none() => {
                Some(DomainError::ReasonNotMapped {
                    reason: "destruction".into(),
                })
            }
            _ => None,
        })
    }

    fn names(&self) -> String {
        self.facility
            .iter()
            .map(|f| f.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }
}
