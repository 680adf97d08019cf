//! Releases pickup holds whose time ran out, on the server's own schedule: no tablet needs to be online.

use std::time::Duration;

use chrono::Utc;
use domain::{command::HoldRef, Action, Command, DeviceId, MutationId, UserId};

use crate::ledger::{Ledger, Submitted};

/// The server's own identity as actor and device of the commands it makes.
pub const SYSTEM: UserId = UserId::from_u128(0x5157_0000_0000_0000_0000_0000_0000_0001);
/// The server as a device.
pub const SERVER_DEVICE: DeviceId = DeviceId::from_u128(0x5157_0000_0000_0000_0000_0000_0000_0002);

/// Starts the sweeper.
pub fn spawn(ledger: Ledger, every: Duration) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        loop {
            tick.tick().await;
            if let Err(e) = sweep(&ledger).await {
                tracing::warn!(error = ?e, "hold expiry sweep failed; will retry");
            }
        }
    });
}

/// Expires every hold past its time; returns how many.
pub async fn sweep(ledger: &Ledger) -> anyhow::Result<usize> {
    let now = Utc::now();
    let due: Vec<_> = {
        let view = ledger.view().await;
        view.state
            .holds
            .values()
            .filter(|h| h.expires_at <= now)
            .map(|h| h.hold_id)
            .collect()
    };
    if due.is_empty() {
        return Ok(0);
    }
    let mutations = due
        .iter()
        .map(|hold_id| Submitted {
            client_seq: None,
            command: Command {
                // Derived from the hold, so two sweeps racing expire it once.
                mutation_id: MutationId(uuid::Uuid::new_v5(
                    &uuid::Uuid::NAMESPACE_OID,
                    format!("expire:{hold_id}").as_bytes(),
                )),
                actor: SYSTEM,
                device: SERVER_DEVICE,
                at: now,
                action: Action::ExpireHold(HoldRef { hold_id: *hold_id }),
            },
        })
        .collect();
    ledger.submit(None, mutations).await?;
    tracing::info!(count = due.len(), "expired pickup holds");
    Ok(due.len())
}
