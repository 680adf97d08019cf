//! Cycle counts: a planned, blind, two-person count of a set of packages, its variances, the
//! recount rule above the jurisdiction's threshold, and acceptance as count corrections.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::{Category, PackageId, Quantity, UserId, Zone};

/// Which packages a count covers, as the planner chose them.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CountScope {
    /// Every open package in a zone.
    Zone(Zone),
    /// Every open package of a category.
    Category(Category),
    /// A hand-picked list.
    Packages(Vec<PackageId>),
}

impl CountScope {
    /// The scope in words ("vault", "Pre-rolls", "3 packages").
    pub fn describe(&self) -> String {
        match self {
            CountScope::Zone(z) => z.label().into(),
            CountScope::Category(c) => c.label().into(),
            CountScope::Packages(p) if p.len() == 1 => "1 package".into(),
            CountScope::Packages(p) => format!("{} packages", p.len()),
        }
    }
}

/// One person's count of one package.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CountEntry {
    /// Who counted.
    pub counter: UserId,
    /// Who witnessed; never the counter.
    pub witness: UserId,
    /// What was found.
    pub counted: Quantity,
    /// What the ledger held when it was counted: the quantity at the count's start less the
    /// sales and other changes made since, so a sale during the count is no variance.
    pub expected: Quantity,
    /// When.
    pub at: DateTime<Utc>,
}

impl CountEntry {
    /// Counted minus expected.
    pub fn variance(&self) -> Decimal {
        self.counted.amount - self.expected.amount
    }
}

/// A package in a count.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CountLine {
    /// The package.
    pub package_id: PackageId,
    /// The ledger's quantity when the count began.
    pub at_start: Quantity,
    /// Counts and recounts, in order; the last one stands.
    pub entries: Vec<CountEntry>,
    /// Set once an adjustment citing this count corrected the package.
    pub corrected: bool,
}

/// Where a line stands.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LineState {
    /// Nobody has counted it yet.
    Uncounted,
    /// Counted and equal to the ledger.
    Matches,
    /// A variance within the threshold.
    Variance,
    /// A variance over the threshold that a different counter must recount.
    NeedsRecount,
    /// Over the threshold, confirmed by a second counter.
    Recounted,
}

impl CountLine {
    /// The count that stands (the latest).
    pub fn latest(&self) -> Option<&CountEntry> {
        self.entries.last()
    }

    /// Whether `variance` on `expected` is over `threshold_percent`.
    pub fn over_threshold(
        variance: Decimal,
        expected: Decimal,
        threshold_percent: Decimal,
    ) -> bool {
        if variance.is_zero() {
            return false;
        }
        if expected.is_zero() {
            return true;
        }
        variance.abs() * Decimal::ONE_HUNDRED > expected.abs() * threshold_percent
    }

    /// Where the line stands under a threshold.
    pub fn state(&self, threshold_percent: Decimal) -> LineState {
        let Some(last) = self.latest() else {
            return LineState::Uncounted;
        };
        let v = last.variance();
        if v.is_zero() {
            return LineState::Matches;
        }
        if !Self::over_threshold(v, last.expected.amount, threshold_percent) {
            return LineState::Variance;
        }
        let first = self.entries[0].counter;
        if self.entries.iter().any(|e| e.counter != first) {
            LineState::Recounted
        } else {
            LineState::NeedsRecount
        }
    }
}

/// A count in progress or accepted.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CountSession {
    /// What was planned.
    pub scope: CountScope,
    /// Who planned it.
    pub planned_by: UserId,
    /// When it began.
    pub started_at: DateTime<Utc>,
    /// Its packages.
    pub lines: Vec<CountLine>,
    /// When it was accepted (closed).
    pub accepted_at: Option<DateTime<Utc>>,
}

impl CountSession {
    /// The line of a package.
    pub fn line(&self, package: &PackageId) -> Option<&CountLine> {
        self.lines.iter().find(|l| l.package_id == *package)
    }

    /// Mutable line of a package.
    pub fn line_mut(&mut self, package: &PackageId) -> Option<&mut CountLine> {
        self.lines.iter_mut().find(|l| l.package_id == *package)
    }

    /// Whether it is still open for counting.
    pub fn is_open(&self) -> bool {
        self.accepted_at.is_none()
    }
}
