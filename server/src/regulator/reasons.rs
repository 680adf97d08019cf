//! The facility's Metrc adjustment reasons: read from the regulator, mapped to Pistil's, kept in
//! the settings, and handed to the ledger so a change without a reason is refused up front.

use std::collections::BTreeMap;

use chrono::Utc;
use domain::{
    reason_map::{FacilityReason, ReasonMap},
    AdjustReason,
};
use metrc::{MetrcClient, MetrcError};

use crate::{
    ledger::Ledger,
    store::{SettingStore, Store, StoreError},
};

const SETTING: &str = "regulator_reasons";

/// Why the reasons could not be read or chosen.
#[derive(Debug, thiserror::Error)]
pub enum ReasonsError {
    /// The regulator did not give its list.
    #[error("the regulator did not list its adjustment reasons: {0}")]
    Regulator(#[from] MetrcError),
    /// A choice names a reason the facility does not list.
    #[error(transparent)]
    Invalid(#[from] domain::DomainError),
    /// The settings could not be read or written.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// At start: the map last saved, put in force before anything is submitted.
pub async fn restore(store: &Store, ledger: &Ledger) -> anyhow::Result<()> {
    ledger.set_reasons(store.setting::<ReasonMap>(SETTING).await?);
    Ok(())
}

/// Reads the facility's list now and maps it, keeping the choices a person made that the list
/// still holds; saved and in force once it returns.
pub async fn read(
    store: &Store,
    ledger: &Ledger,
    client: &MetrcClient,
) -> Result<ReasonMap, ReasonsError> {
    let listed = client.adjust_reasons().await?;
    let facility = listed
        .into_iter()
        .map(|r| FacilityReason {
            name: r.name,
            requires_note: r.requires_note,
        })
        .collect();
    let map = match ledger.reasons() {
        Some(before) => before.reread(facility, Utc::now()),
        None => ReasonMap::proposed(facility, Utc::now()),
    };
    store.put_setting(SETTING, &map).await?;
    ledger.set_reasons(Some(map.clone()));
    Ok(map)
}

/// Reads the list in the background (at start, or with new credentials); a failure is logged
/// and the map in force stays.
pub fn read_soon(store: Store, ledger: Ledger, client: MetrcClient) {
    tokio::spawn(async move {
        match read(&store, &ledger, &client).await {
            Ok(map) => tracing::info!(
                listed = map.facility.len(),
                mapped = map.adjust.len(),
                "read the facility's Metrc adjustment reasons"
            ),
            Err(e) => {
                tracing::warn!(error = %e, "could not read the facility's Metrc adjustment reasons")
            }
        }
    });
}

/// A manager's choices: each of Pistil's reasons to one of the facility's, and destruction's.
pub async fn choose(
    store: &Store,
    ledger: &Ledger,
    adjust: BTreeMap<AdjustReason, String>,
    destruction: Option<String>,
) -> Result<ReasonMap, ReasonsError> {
    let Some(current) = ledger.reasons() else {
        return Err(ReasonsError::Invalid(domain::DomainError::InvalidInput {
            field: "reasons".into(),
            message:
                "the facility's Metrc adjustment reasons have not been read yet: read them first"
                    .into(),
        }));
    };
    let map = ReasonMap {
        adjust,
        destruction,
        ..(*current).clone()
    };
    map.check()?;
    store.put_setting(SETTING, &map).await?;
    ledger.set_reasons(Some(map.clone()));
    Ok(map)
}
