//! Alerts for the dashboard and the staff stream: what needs a manager now. Computed from the
//! ledger's state, the regulator sync's health and the regulator's incoming manifests; a task
//! recomputes them on a schedule and publishes each change.

use std::{sync::Arc, time::Duration};

use chrono::Utc;
pub use domain::alerts::{from_state, Alert, AlertKind};
use domain::wire::{SyncReport, SyncState};
use tokio::sync::watch;

use crate::{
    ledger::Ledger,
    order_limits::OrderLimits,
    regulator::{outbox::Outbox, parked, report},
    store::Store,
};

/// Alerts from the regulator sync's health report.
pub fn from_health(h: &SyncReport) -> Vec<Alert> {
    let mut out = Vec::new();
    if matches!(
        h.health.state,
        SyncState::AuthFailed | SyncState::RegulatorDown
    ) {
        out.push(Alert {
            kind: AlertKind::SyncHalted,
            urgent: true,
            message: format!(
                "regulator sync halted since {}: {}",
                h.health.since.format("%Y-%m-%d %H:%M UTC"),
                h.health.cause
            ),
            link: "/reconcile".into(),
        });
    }
    for w in &h.warnings {
        out.push(Alert {
            kind: AlertKind::KeyExpiring,
            urgent: false,
            message: w.clone(),
            link: "/settings".into(),
        });
    }
    out
}

/// The alert for changes the regulator refused: the regulator lacks them until a manager acts.
pub fn refused(parked: i64, behind: usize) -> Alert {
    let waiting = match behind {
        0 => String::new(),
        1 => "; 1 later change waits behind them".into(),
        n => format!("; {n} later changes wait behind them"),
    };
    Alert {
        kind: AlertKind::RegulatorRefused,
        urgent: true,
        message: format!(
            "the regulator refused {parked} change{}{waiting}: fix and send again, or mark done",
            if parked == 1 { "" } else { "s" }
        ),
        link: "/attention".into(),
    }
}

/// Newest manifests whose packages are read for a double recording on each sweep.
pub const MANIFESTS_CHECKED: usize = 5;

/// Alerts for manifests the regulator recorded twice: the same package labels twice on one
/// manifest (what a double recording looks like from outside).
pub fn from_manifests(manifests: &[(String, Vec<String>)]) -> Vec<Alert> {
    manifests
        .iter()
        .filter(|(_, labels)| {
            let mut seen = std::collections::HashSet::new();
            labels.iter().any(|l| !seen.insert(l))
        })
        .map(|(m, _)| Alert {
            kind: AlertKind::ManifestTwice,
            urgent: true,
            message: format!(
                "the regulator shows manifest {m} recorded twice; receive it once and ask the regulator to void the copy"
            ),
            link: "/receive".into(),
        })
        .collect()
}

/// The newest manifests at the regulator with their package labels.
async fn newest_manifests(
    c: &metrc::MetrcClient,
) -> Result<Vec<(String, Vec<String>)>, metrc::MetrcError> {
    let transfers = c.incoming_transfers().await?;
    let mut out = Vec::new();
    for t in transfers.iter().rev().take(MANIFESTS_CHECKED) {
        let labels = c
            .delivery_packages(t.delivery_id)
            .await?
            .into_iter()
            .map(|p| p.package_label)
            .collect();
        out.push((t.manifest_number.clone(), labels));
    }
    Ok(out)
}

/// What the alerts are computed from, and where each change is published.
#[derive(Clone)]
pub struct Alerts {
    store: Store,
    ledger: Ledger,
    outbox: Outbox,
    order_limits: OrderLimits,
    /// Packages expiring within this many days raise an alert.
    expiry_days: u32,
    published: Arc<watch::Sender<Vec<Alert>>>,
}

impl Alerts {
    /// Alerts over these sources, none published yet.
    pub fn new(
        store: Store,
        ledger: Ledger,
        outbox: Outbox,
        order_limits: OrderLimits,
        expiry_days: u32,
    ) -> Self {
        Self {
            store,
            ledger,
            outbox,
            order_limits,
            expiry_days,
            published: Arc::new(watch::channel(Vec::new()).0),
        }
    }

    /// Follows each published change.
    pub fn subscribe(&self) -> watch::Receiver<Vec<Alert>> {
        self.published.subscribe()
    }

    /// Everything that needs attention now.
    pub async fn current(&self) -> Vec<Alert> {
        let mut out = {
            let view = self.ledger.view().await;
            from_state(&view.state, Utc::now(), self.expiry_days)
        };
        if let Ok(h) = report::read(&self.store, &self.outbox, &self.ledger).await {
            let halted = matches!(
                h.health.state,
                SyncState::AuthFailed | SyncState::RegulatorDown
            );
            out.extend(from_health(&h));
            if h.parked > 0 {
                let behind = parked::waiting_behind_any(&self.store).await.unwrap_or(0);
                out.push(refused(h.parked, behind));
            }
            if !halted {
                if let Some(c) = self.outbox.client().await {
                    if let Ok(m) = newest_manifests(&c).await {
                        out.extend(from_manifests(&m));
                    }
                }
            }
        }
        let refused = self.order_limits.recent_refusals();
        if refused >= crate::order_limits::OFTEN {
            out.push(Alert {
                kind: AlertKind::OrderLimitsHit,
                urgent: false,
                message: format!(
                    "{refused} online orders were refused in the last hour for holding more than one customer may: someone may be trying to take stock off the menu"
                ),
                link: "/orders".into(),
            });
        }
        out.sort_by_key(|a| !a.urgent);
        out
    }

    /// Recomputes the alerts every `every` and publishes them when they change.
    pub fn spawn(self, every: Duration) {
        tokio::spawn(async move {
            loop {
                let now = self.current().await;
                self.published.send_if_modified(|a| {
                    if *a != now {
                        *a = now;
                        true
                    } else {
                        false
                    }
                });
                tokio::time::sleep(every).await;
            }
        });
    }
}
