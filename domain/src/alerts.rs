//! Alerts: what needs a manager now. The ones that follow from the ledger are decided here; the
//! server adds those from regulator sync health and the regulator's manifests.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::{count::LineState, PackageStatus, State};

/// Holds that lapse within this many minutes raise an alert.
pub const HOLD_WARNING_MINUTES: i64 = 30;

/// What an alert is about.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
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
    /// A count found a difference the law makes the store report (California's significant discrepancy).
    SignificantDiscrepancy,
    /// The regulator refused changes; they, and later changes of their packages, wait for a manager.
    RegulatorRefused,
    /// Online orders were often refused by the per-customer hold limits: stock may be targeted.
    OrderLimitsHit,
}

/// One alert.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
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
    for n in crate::discrepancy::notices(state, now) {
        out.push(Alert {
            kind: AlertKind::SignificantDiscrepancy,
            urgent: true,
            message: n.message(state),
            link: "/counts".into(),
        });
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
            link: "/inventory".into(),
        });
    }
    out
}

/// "1 package", "3 packages".
pub fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}
