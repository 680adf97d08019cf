//! Alerts for the dashboard and the staff stream: what needs a manager now. Computed from the
//! ledger's state, the regulator sync's health and the regulator's incoming manifests; a task
//! recomputes them on a schedule and publishes each change.

use std::time::Duration;

use chrono::{DateTime, Utc};
use domain::{count::LineState, PackageStatus, State};
use serde::{Deserialize, Serialize};

use crate::{http::regulator::RegulatorHealth, regulator::outbox::SyncState};

/// Holds that lapse within this many minutes raise an alert.
pub const HOLD_WARNING_MINUTES: i64 = 30;

/// What an alert is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AlertKind {
    /// A count found a variance over the jurisdiction's threshold.
    VarianceOverThreshold,
    /// Regulator sync is halted.
    SyncHalted,
    /// The regulator key expires soon.
    KeyExpiring,
    /// Pickup holds lapse soon.
    HoldsExpiring,
    /// Packages reach their expiry date soon.
    PackagesExpiring,
    /// The regulator shows a manifest twice.
    ManifestTwice,
}

/// One alert.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Alert {
    /// What it is about.
    pub kind: AlertKind,
    /// Whether it stops compliance work (true) or only needs attention soon.
    pub urgent: bool,
    /// What to know, in words.
    pub message: String,
    /// Where in the app to act.
    pub link: String,
}

/// Alerts that follow from the ledger alone.
pub fn from_state(state: &State, now: DateTime<Utc>, expiry_days: u32) -> Vec<Alert> {
    let mut out = Vec::new();
    let threshold = state.config.jurisdiction.count_variance_threshold_percent;
    for c in state.counts.values().filter(|c| c.is_open()) {
        let over: Vec<String> = c
            .lines
            .iter()
            .filter(|l| l.state(threshold) == LineState::NeedsRecount)
            .filter_map(|l| state.packages.get(&l.package_id).map(|p| p.tag.short()))
            .collect();
        if !over.is_empty() {
            out.push(Alert {
                kind: AlertKind::VarianceOverThreshold,
                urgent: true,
                message: format!(
                    "count of {}: {} over the {threshold}% variance threshold ({}); a different counter must recount",
                    c.scope.describe(),
                    plural(over.len(), "package"),
                    over.join(", ")
                ),
                link: "/counts".into(),
            });
        }
    }
    let soon = now + chrono::Duration::minutes(HOLD_WARNING_MINUTES);
    let lapsing: Vec<&str> = state
        .holds
        .values()
        .filter(|h| h.expires_at > now && h.expires_at <= soon)
        .map(|h| h.customer_name.as_str())
        .collect();
    if !lapsing.is_empty() {
        out.push(Alert {
            kind: AlertKind::HoldsExpiring,
            urgent: false,
            message: format!(
                "{} lapse within {HOLD_WARNING_MINUTES} minutes ({})",
                plural(lapsing.len(), "pickup order"),
                lapsing.join(", ")
            ),
            link: "/orders".into(),
        });
    }
    let today = state.config.day_of(now);
    let horizon = today + chrono::Duration::days(i64::from(expiry_days));
    let mut expired = 0;
    let mut expiring = 0;
    for p in state.packages.values() {
        let open = matches!(p.status, PackageStatus::Active | PackageStatus::OnHold(_));
        if !open || p.quantity.is_zero() {
            continue;
        }
        match p.expires_on {
            Some(d) if d < today => expired += 1,
            Some(d) if d <= horizon => expiring += 1,
            _ => {}
        }
    }
    if expired + expiring > 0 {
        out.push(Alert {
            kind: AlertKind::PackagesExpiring,
            urgent: expired > 0,
            message: format!(
                "{} past expiry and {} expiring within {expiry_days} days",
                plural(expired, "package"),
                expiring
            ),
            link: "/inventory?expiring=1".into(),
        });
    }
    out
}

/// Alerts from the regulator sync's health report.
pub fn from_health(h: &RegulatorHealth) -> Vec<Alert> {
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
    c: &crate::regulator::client::MetrcClient,
) -> Result<Vec<(String, Vec<String>)>, crate::regulator::client::MetrcError> {
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

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// Everything that needs attention now.
pub async fn current(state: &crate::AppState) -> Vec<Alert> {
    let mut out = {
        let view = state.ledger.view().await;
        from_state(&view.state, Utc::now(), state.expiry_alert_days)
    };
    if let Ok(h) = crate::http::regulator::report(state).await {
        let halted = matches!(
            h.health.state,
            SyncState::AuthFailed | SyncState::RegulatorDown
        );
        out.extend(from_health(&h));
        if !halted {
            if let Some(c) = state.outbox.client().await {
                if let Ok(m) = newest_manifests(&c).await {
                    out.extend(from_manifests(&m));
                }
            }
        }
    }
    out.sort_by_key(|a| !a.urgent);
    out
}

/// Recomputes the alerts every `every` and publishes them on `state.alerts` when they change.
pub fn spawn(state: crate::AppState, every: Duration) {
    tokio::spawn(async move {
        loop {
            let now = current(&state).await;
            state.alerts.send_if_modified(|a| {
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
