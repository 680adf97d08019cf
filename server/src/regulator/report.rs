//! The sync's health report: the relay's own state, the outbox counted by state, the oldest
//! change waiting and the key's expiry, as the Settings page, the alerts and the staff stream
//! read it.

use chrono::Utc;
use domain::wire::{SyncHealth, SyncReport, SyncState};

use super::{outbox::Outbox, setup};
use crate::{
    ledger::Ledger,
    store::{OutboxStore, RowState, Store, StoreError},
};

/// A change waiting longer than this makes the sync `lagging`.
pub const POSTING_WINDOW_SECS: i64 = 15 * 60;

/// Days before a key's known expiry from which health warns.
pub const KEY_WARNING_DAYS: i64 = 14;

/// Counts the outbox and names the state.
pub async fn read(
    store: &Store,
    outbox: &Outbox,
    ledger: &Ledger,
) -> Result<SyncReport, StoreError> {
    let counts = store.state_counts().await?;
    let count = |s: RowState| counts.get(&s).copied().unwrap_or(0);
    let now = Utc::now();
    let oldest_pending_seconds = store
        .oldest_waiting(now)
        .await?
        .map(|t| (now - t).num_seconds());
    let mut health = outbox.health();
    if health.state == SyncState::Healthy
        && oldest_pending_seconds.is_some_and(|s| s > POSTING_WINDOW_SECS)
    {
        health = SyncHealth {
            state: SyncState::Lagging,
            cause: format!(
                "the oldest change has waited {} minutes",
                oldest_pending_seconds.unwrap_or(0) / 60
            ),
            since: health.since,
        };
    }
    if health.state == SyncState::Healthy && count(RowState::Parked) > 0 {
        health.cause = "changes flow; some the regulator refused wait for a person".into();
    }
    let creds = setup::facts(store).await?;
    let key_expires_on = creds.as_ref().and_then(|c| c.key_expires_on);
    let mut warnings = Vec::new();
    if let Some(day) = key_expires_on {
        // Days as the store counts them, in its own time zone.
        let today = ledger.view().await.state.config.day_of(Utc::now());
        let left = (day - today).num_days();
        if (0..=KEY_WARNING_DAYS).contains(&left) {
            warnings.push(format!("the regulator user key expires on {day}, in {left} days: save a new key before then"));
        }
    }
    Ok(SyncReport {
        health,
        pending: count(RowState::Pending),
        uncertain: count(RowState::Uncertain),
        sending: count(RowState::Sending),
        parked: count(RowState::Parked),
        done: count(RowState::Done),
        oldest_pending_seconds,
        license: creds.as_ref().map(|c| c.license.clone()),
        sandbox: creds.is_some_and(|c| c.embedded),
        key_expires_on,
        warnings,
    })
}
