//! Which of the facility's Metrc locations each of the store's zones is. A facility that uses
//! locations in Metrc (a setting of the facility there, not of the law) keeps every package in
//! one: a move between the vault and the sales floor reaches Metrc as a location change
//! (`PUT /packages/v2/location`) and a new package is made in its zone's location. The list is
//! read from the facility and a manager chooses; with no choice, moves stay in the store.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::{DomainError, Zone};

/// One location in the facility's list.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FacilityLocation {
    /// Its name in Metrc.
    pub name: String,
    /// Its location type's name.
    pub type_name: String,
    /// Whether its type may hold packages.
    pub for_packages: bool,
}

/// The facility's locations as last read, and which one each zone is.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ZoneLocations {
    /// The facility's active locations, as Metrc gave them.
    pub facility: Vec<FacilityLocation>,
    /// When the list was read.
    pub read_at: Option<DateTime<Utc>>,
    /// The location the vault is.
    pub vault: Option<String>,
    /// The location the sales floor is.
    pub sales_floor: Option<String>,
}

impl ZoneLocations {
    /// Choices for a freshly read list: a zone goes to the package location of its own name
    /// ("Vault", "Sales Floor"), letter case aside; otherwise it waits for a person.
    pub fn proposed(facility: Vec<FacilityLocation>, read_at: DateTime<Utc>) -> Self {
        let find = |zone: Zone| {
            facility
                .iter()
                .find(|l| l.for_packages && l.name.trim().eq_ignore_ascii_case(zone.label()))
                .map(|l| l.name.clone())
        };
        Self {
            vault: find(Zone::Vault),
            sales_floor: find(Zone::SalesFloor),
            facility,
            read_at: Some(read_at),
        }
    }

    /// A newly read list, keeping each choice a person made that the list still holds.
    pub fn reread(&self, facility: Vec<FacilityLocation>, read_at: DateTime<Utc>) -> Self {
        let mut next = Self::proposed(facility, read_at);
        let holds = |n: &String| next.facility.iter().any(|l| &l.name == n && l.for_packages);
        if let Some(v) = self.vault.as_ref().filter(|v| holds(v)) {
            next.vault = Some(v.clone());
        }
        if let Some(s) = self.sales_floor.as_ref().filter(|s| holds(s)) {
            next.sales_floor = Some(s.clone());
        }
        next
    }

    /// Checks a person's choices: both zones or neither, two different locations, each one the
    /// facility lists as able to hold packages.
    pub fn check(&self) -> Result<(), DomainError> {
        let invalid = |message: String| DomainError::InvalidInput {
            field: "locations".into(),
            message,
        };
        for (zone, name) in [
            (Zone::Vault, &self.vault),
            (Zone::SalesFloor, &self.sales_floor),
        ] {
            let Some(name) = name else { continue };
            match self.facility.iter().find(|l| &l.name == name) {
                None => {
                    return Err(invalid(format!(
                        "\"{name}\" (for the {}) is not one of the facility's Metrc locations ({})",
                        zone.label().to_lowercase(),
                        self.names()
                    )))
                }
                Some(l) if !l.for_packages => {
                    return Err(invalid(format!(
                        "\"{name}\" is a {} location, which Metrc does not let hold packages",
                        l.type_name
                    )))
                }
                Some(_) => {}
            }
        }
        match (&self.vault, &self.sales_floor) {
            (Some(v), Some(s)) if v == s => Err(invalid(format!(
                "the vault and the sales floor are both \"{v}\": choose two locations, or none"
            ))),
            (Some(_), None) | (None, Some(_)) => Err(invalid(
                "choose a location for both the vault and the sales floor, or for neither".into(),
            )),
            _ => Ok(()),
        }
    }

    /// The Metrc location of `zone`, when the store sends locations.
    pub fn of(&self, zone: Zone) -> Option<&str> {
        if !self.in_use() {
            return None;
        }
        match zone {
            Zone::Vault => self.vault.as_deref(),
            Zone::SalesFloor => self.sales_floor.as_deref(),
        }
    }

    /// Whether moves and new packages carry locations: both zones are chosen.
    pub fn in_use(&self) -> bool {
        self.vault.is_some() && self.sales_floor.is_some()
    }

    fn names(&self) -> String {
        if self.facility.is_empty() {
            return "it lists none".into();
        }
        self.facility
            .iter()
            .map(|l| l.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn loc(name: &str, for_packages: bool) -> FacilityLocation {
        FacilityLocation {
            name: name.into(),
            type_name: if for_packages { "Default" } else { "Planting" }.into(),
            for_packages,
        }
    }

    #[test]
    fn zones_are_matched_by_name_to_locations_that_hold_packages() {
        let m = ZoneLocations::proposed(
            vec![
                loc("VAULT", true),
                loc("Sales floor", false),
                loc("Front", true),
            ],
            Utc::now(),
        );
        assert_eq!(m.vault.as_deref(), Some("VAULT"));
        assert_eq!(
            m.sales_floor, None,
            "a planting location cannot hold packages"
        );
        assert!(!m.in_use());
        assert_eq!(m.of(Zone::Vault), None, "half a choice sends nothing");
    }

    #[test]
    fn choices_must_be_both_listed_different_and_able_to_hold_packages() {
        let facility = vec![loc("Back", true), loc("Front", true), loc("Clones", false)];
        let with = |v: Option<&str>, s: Option<&str>| ZoneLocations {
            facility: facility.clone(),
            read_at: None,
            vault: v.map(Into::into),
            sales_floor: s.map(Into::into),
        };
        assert!(with(None, None).check().is_ok());
        assert!(with(Some("Back"), Some("Front")).check().is_ok());
        for (v, s, says) in [
            (Some("Back"), None, "both"),
            (Some("Back"), Some("Back"), "both \"Back\""),
            (Some("Attic"), Some("Front"), "not one of"),
            (Some("Clones"), Some("Front"), "Planting"),
        ] {
            let e = with(v, s).check().unwrap_err().to_string();
            assert!(e.contains(says), "{v:?} {s:?}: {e}");
        }
        let m = with(Some("Back"), Some("Front"));
        assert_eq!(m.of(Zone::SalesFloor), Some("Front"));
    }

    #[test]
    fn a_reread_keeps_choices_the_list_still_holds() {
        let before = ZoneLocations {
            facility: vec![loc("Back", true), loc("Front", true)],
            read_at: None,
            vault: Some("Back".into()),
            sales_floor: Some("Front".into()),
        };
        let after = before.reread(vec![loc("Back", true), loc("Counter", true)], Utc::now());
        assert_eq!(after.vault.as_deref(), Some("Back"));
        assert_eq!(after.sales_floor, None);
    }
}
