//! The facility's Metrc locations: read from the regulator, matched to the store's zones by name
//! or chosen by a manager, kept in the settings, and handed to the ledger so a move is queued for
//! the regulator once both zones have a location.

use chrono::Utc;
use domain::zone_locations::{FacilityLocation, ZoneLocations};
use metrc::{MetrcClient, MetrcError};

use crate::{
    ledger::Ledger,
    store::{SettingStore, Store, StoreError},
};

const SETTING: &str = "regulator_locations";

/// Why the locations could not be read or chosen.
#[derive(Debug, thiserror::Error)]
pub enum LocationsError {
    /// The regulator did not give its list.
    #[error("the regulator did not list the facility's locations: {0}")]
    Regulator(#[from] MetrcError),
    /// A choice the facility's list does not allow.
    #[error(transparent)]
    Invalid(#[from] domain::DomainError),
    /// The settings could not be read or written.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// At start: the choices last saved, in force before anything is submitted.
pub async fn restore(store: &Store, ledger: &Ledger) -> anyhow::Result<()> {
    ledger.set_locations(store.setting::<ZoneLocations>(SETTING).await?);
    Ok(())
}

/// Reads the facility's locations now, keeping the choices a person made that the list still
/// holds; saved and in force once it returns.
pub async fn read(
    store: &Store,
    ledger: &Ledger,
    client: &MetrcClient,
) -> Result<ZoneLocations, LocationsError> {
    let facility = client
        .locations()
        .await?
        .into_iter()
        .map(|l| FacilityLocation {
            name: l.name,
            type_name: l.location_type_name,
            for_packages: l.for_packages,
        })
        .collect();
    let map = match ledger.locations() {
        Some(before) => before.reread(facility, Utc::now()),
        None => ZoneLocations::proposed(facility, Utc::now()),
    };
    store.put_setting(SETTING, &map).await?;
    ledger.set_locations(Some(map.clone()));
    Ok(map)
}

/// A manager's choice of location per zone (both, or neither to keep moves in the store).
pub async fn choose(
    store: &Store,
    ledger: &Ledger,
    vault: Option<String>,
    sales_floor: Option<String>,
) -> Result<ZoneLocations, LocationsError> {
    let Some(current) = ledger.locations() else {
        return Err(LocationsError::Invalid(domain::DomainError::InvalidInput {
            field: "locations".into(),
            message: "the facility's Metrc locations have not been read yet: read them first"
                .into(),
        }));
    };
    let map = ZoneLocations {
        vault,
        sales_floor,
        ..(*current).clone()
    };
    map.check()?;
    store.put_setting(SETTING, &map).await?;
    ledger.set_locations(Some(map.clone()));
    Ok(map)
}
