//! Locations (the rooms and zones a facility names in Metrc) and the package writes that use
//! them: moving a package and changing its note.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// A location as `GET /locations/v2/active` lists it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Location {
    /// Id.
    pub id: i64,
    /// Name, unique in the facility.
    pub name: String,
    /// Its type's id.
    pub location_type_id: i64,
    /// Its type's name.
    pub location_type_name: String,
    /// Whether plant batches may be here.
    pub for_plant_batches: bool,
    /// Whether plants may be here.
    pub for_plants: bool,
    /// Whether harvests may be here.
    pub for_harvests: bool,
    /// Whether packages may be here.
    pub for_packages: bool,
}

/// A location type as `GET /locations/v2/types` lists it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct LocationType {
    /// Id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Whether plant batches may be in one.
    pub for_plant_batches: bool,
    /// Whether plants may be in one.
    pub for_plants: bool,
    /// Whether harvests may be in one.
    pub for_harvests: bool,
    /// Whether packages may be in one.
    pub for_packages: bool,
}

/// Body element of `POST /locations/v2/` (without `Id`) and `PUT /locations/v2/` (with it).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct LocationBody {
    /// The location's id (PUT only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
    /// Name.
    pub name: String,
    /// One of the facility's location types.
    pub location_type_name: String,
}

/// Body element of `PUT /packages/v2/location`.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct MovePackage {
    /// Tag.
    pub label: String,
    /// The location's name.
    pub location: String,
    /// A sublocation's name, where the facility uses them.
    #[serde(default)]
    pub sublocation: Option<String>,
    /// When it moved.
    pub move_date: NaiveDate,
}

/// Body element of `PUT /packages/v2/note`.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PackageNote {
    /// Tag.
    pub package_label: String,
    /// The note; empty clears it.
    pub note: String,
}
