//! Facility locations as Metrc v2 rules them (`/locations/v2/`), and the package writes that
//! name them: moving a package (`PUT /packages/v2/location`) and changing its note
//! (`PUT /packages/v2/note`). Every write checks all of its rows before changing anything.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use metrc::wire::{self, LocationBody, MovePackage, PackageNote, RowError};

use crate::model::{row, Location, Sandbox, LOCATION_TYPES};

/// A location type by name: (id, name, plant batches, plants, harvests, packages).
fn location_type(name: &str) -> Option<(i64, &'static str, bool, bool, bool, bool)> {
    LOCATION_TYPES.iter().copied().find(|t| t.1 == name)
}

/// Every location type as Metrc lists them.
pub fn location_types() -> Vec<wire::LocationType> {
    LOCATION_TYPES
        .iter()
        .map(
            |&(id, name, batches, plants, harvests, packages)| wire::LocationType {
                id,
                name: name.into(),
                for_plant_batches: batches,
                for_plants: plants,
                for_harvests: harvests,
                for_packages: packages,
            },
        )
        .collect()
}

impl Location {
    /// As `GET /locations/v2/active` shows it.
    pub fn view(&self) -> wire::Location {
        let (type_id, _, batches, plants, harvests, packages) =
            location_type(&self.type_name).unwrap_or((0, "", false, false, false, false));
        wire::Location {
            id: self.id,
            name: self.name.clone(),
            location_type_id: type_id,
            location_type_name: self.type_name.clone(),
            for_plant_batches: batches,
            for_plants: plants,
            for_harvests: harvests,
            for_packages: packages,
        }
    }
}

impl Sandbox {
    /// The facility's active location named `name`.
    pub(crate) fn location(&self, license: &str, name: &str) -> Option<&Location> {
        self.locations
            .iter()
            .find(|l| l.license == license && l.name == name && !l.archived)
    }

    /// Refuses, in row `i`, a location that is not one of the facility's or cannot hold packages.
    pub(crate) fn check_package_location(
        &self,
        i: usize,
        license: &str,
        name: &str,
        errors: &mut Vec<RowError>,
    ) {
        match self.location(license, name) {
            None => errors.push(row(i, format!("Location {name} not found."))),
            Some(l) if !location_type(&l.type_name).is_some_and(|t| t.5) => {
                errors.push(row(i, format!("Location {name} cannot hold packages.")))
            }
            Some(_) => {}
        }
    }

    fn check_locations(&self, license: &str, body: &[LocationBody]) -> Result<(), Vec<RowError>> {
        let mut errors = Vec::new();
        let mut names = HashSet::new();
        for (i, b) in body.iter().enumerate() {
            let name = b.name.trim();
            if name.is_empty() {
                errors.push(row(i, "Name is required."));
            }
            if location_type(&b.location_type_name).is_none() {
                errors.push(row(
                    i,
                    format!("Location Type {} not found.", b.location_type_name),
                ));
            }
            let taken = self
                .location(license, name)
                .is_some_and(|other| Some(other.id) != b.id);
            if !name.is_empty() && (taken || !names.insert(name.to_owned())) {
                errors.push(row(i, format!("Location {name} already exists.")));
            }
            if let Some(id) = b.id {
                if !self
                    .locations
                    .iter()
                    .any(|l| l.id == id && l.license == license && !l.archived)
                {
                    errors.push(row(i, format!("Location {id} not found.")));
                }
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }

    /// `POST /locations/v2/`: new locations.
    pub fn create_locations(
        &mut self,
        license: &str,
        body: &[LocationBody],
        now: DateTime<Utc>,
    ) -> Result<Vec<i64>, Vec<RowError>> {
        if let Some(i) = body.iter().position(|b| b.id.is_some()) {
            return Err(vec![row(
                i,
                "Id must not be given when creating a location.",
            )]);
        }
        self.check_locations(license, body)?;
        Ok(body
            .iter()
            .map(|b| {
                let id = self.next_id();
                self.locations.push(Location {
                    id,
                    license: license.into(),
                    name: b.name.trim().into(),
                    type_name: b.location_type_name.clone(),
                    archived: false,
                    last_modified: now,
                });
                id
            })
            .collect())
    }

    /// `PUT /locations/v2/`: renames or retypes locations; packages in one show the new name.
    pub fn update_locations(
        &mut self,
        license: &str,
        body: &[LocationBody],
        now: DateTime<Utc>,
    ) -> Result<(), Vec<RowError>> {
        if let Some(i) = body.iter().position(|b| b.id.is_none()) {
            return Err(vec![row(i, "Id is required when updating a location.")]);
        }
        self.check_locations(license, body)?;
        for b in body {
            let id = b.id.expect("checked");
            let l = self
                .locations
                .iter_mut()
                .find(|l| l.id == id)
                .expect("checked");
            l.name = b.name.trim().into();
            l.type_name = b.location_type_name.clone();
            l.last_modified = now;
            let (name, kind) = (l.name.clone(), l.type_name.clone());
            for p in self
                .packages
                .iter_mut()
                .filter(|p| p.location_id == Some(id))
            {
                p.location_name = Some(name.clone());
                p.location_type_name = Some(kind.clone());
                p.last_modified = now;
            }
        }
        Ok(())
    }

    /// `DELETE /locations/v2/{id}`: archives an empty location.
    pub fn archive_location(
        &mut self,
        license: &str,
        id: i64,
        now: DateTime<Utc>,
    ) -> Result<(), LocationRefusal> {
        let held = self
            .packages
            .iter()
            .any(|p| p.location_id == Some(id) && p.archived_date.is_none() && !p.is_finished);
        let l = self
            .locations
            .iter_mut()
            .find(|l| l.id == id && l.license == license && !l.archived)
            .ok_or(LocationRefusal::NotFound)?;
        if held {
            return Err(LocationRefusal::Holds(l.name.clone()));
        }
        l.archived = true;
        l.last_modified = now;
        Ok(())
    }

    /// `PUT /packages/v2/location`: moves packages into one of the facility's locations.
    pub fn move_packages(
        &mut self,
        license: &str,
        body: &[MovePackage],
        now: DateTime<Utc>,
    ) -> Result<(), Vec<RowError>> {
        let mut errors = Vec::new();
        for (i, m) in body.iter().enumerate() {
            if self.package(license, &m.label).is_none() {
                errors.push(row(i, format!("Package {} not found.", m.label)));
            }
            self.check_package_location(i, license, &m.location, &mut errors);
            // The sandbox's facilities use no sublocations.
            if let Some(s) = m.sublocation.as_deref().filter(|s| !s.trim().is_empty()) {
                errors.push(row(i, format!("Sublocation {s} not found.")));
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        for m in body {
            let l = self
                .location(license, &m.location)
                .expect("checked above")
                .clone();
            let i = self
                .package_index(license, &m.label)
                .expect("checked above");
            let p = &mut self.packages[i];
            p.location_id = Some(l.id);
            p.location_name = Some(l.name);
            p.location_type_name = Some(l.type_name);
            p.last_modified = now;
        }
        Ok(())
    }

    /// `PUT /packages/v2/note`: sets packages' notes (an empty note clears one).
    pub fn change_notes(
        &mut self,
        license: &str,
        body: &[PackageNote],
        now: DateTime<Utc>,
    ) -> Result<(), Vec<RowError>> {
        let errors: Vec<RowError> = body
            .iter()
            .enumerate()
            .filter(|(_, n)| self.package(license, &n.package_label).is_none())
            .map(|(i, n)| row(i, format!("Package {} not found.", n.package_label)))
            .collect();
        if !errors.is_empty() {
            return Err(errors);
        }
        for n in body {
            let i = self
                .package_index(license, &n.package_label)
                .expect("checked above");
            let p = &mut self.packages[i];
            p.note = Some(n.note.clone()).filter(|s| !s.is_empty());
            p.last_modified = now;
        }
        Ok(())
    }
}

/// Why a location could not be archived.
#[derive(Debug, PartialEq, Eq)]
pub enum LocationRefusal {
    /// No such active location in the facility.
    NotFound,
    /// Packages are still in it (named).
    Holds(String),
}
