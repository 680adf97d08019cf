//! Discrepancy notices: a count difference large enough that the law makes the store report it
//! (California's "significant discrepancy", 4 CCR §15034 and §15036), with the figures behind it.

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use rust_decimal::Decimal;

use crate::{count::CountSession, CountId, DiscrepancyRule, Money, State};

/// How long after discovery the alert stays up; the law's deadline is far shorter.
pub const SHOWN_FOR_DAYS: i64 = 7;

/// Complete months averaged for "average monthly sales".
pub const AVERAGE_OVER_MONTHS: usize = 3;

/// A count difference the jurisdiction makes the store report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice {
    /// The count that found it.
    pub count_id: CountId,
    /// When it was found: the count's acceptance, or its latest entry while it is open.
    pub discovered_at: DateTime<Utc>,
    /// When the report is due.
    pub due_at: DateTime<Utc>,
    /// The differences, overages and shortages alike, valued at shelf prices.
    pub difference: Money,
    /// Average monthly sales it is measured against.
    pub average_monthly_sales: Money,
    /// The months that average covers (the month of discovery to date when there are none before).
    pub months: usize,
    /// The difference as a percentage of average monthly sales, when there were sales.
    pub percent: Option<Decimal>,
    /// The rule.
    pub rule: DiscrepancyRule,
}

impl Notice {
    /// What a manager reads: the figures, the deadline and who must be told.
    pub fn message(&self, state: &State) -> String {
        let due = state
            .config
            .local_time(self.due_at)
            .format("%Y-%m-%d %H:%M");
        let share = self.percent.map_or_else(
            || "with no sales recorded to measure it against".to_owned(),
            |p| {
                format!(
                    "{}% of average monthly sales of {} over {}",
                    p.round_dp(1).normalize(),
                    self.average_monthly_sales,
                    if self.months == 1 {
                        "1 month".to_owned()
                    } else {
                        format!("{} months", self.months)
                    }
                )
            },
        );
        format!(
            "{}: a count differs from the records by {} at shelf prices, {share}; {}% or more must be reported to {} within {} hours of discovery, by {due} store time ({})",
            self.rule.name,
            self.difference,
            self.rule.percent_of_average_monthly_sales.normalize(),
            self.rule.notify,
            self.rule.notify_within_hours,
            self.rule.source,
        )
    }
}

/// Counts found within the last week whose differences reach the jurisdiction's threshold.
pub fn notices(state: &State, now: DateTime<Utc>) -> Vec<Notice> {
    let Some(rule) = &state.config.jurisdiction.significant_discrepancy else {
        return Vec::new();
    };
    let mut out: Vec<Notice> = state
        .counts
        .iter()
        .filter_map(|(id, c)| notice(state, rule, *id, c))
        .filter(|n| now - n.discovered_at <= Duration::days(SHOWN_FOR_DAYS))
        .collect();
    out.sort_by_key(|n| n.discovered_at);
    out
}

fn notice(state: &State, rule: &DiscrepancyRule, id: CountId, c: &CountSession) -> Option<Notice> {
    let currency = state.config.jurisdiction.currency;
    let mut difference = Decimal::ZERO;
    let mut latest: Option<DateTime<Utc>> = None;
    for line in &c.lines {
        let Some(entry) = line.latest() else { continue };
        latest = latest.max(Some(entry.at));
        let price = state
            .packages
            .get(&line.package_id)
            .and_then(|p| state.products.get(&p.product_id))
            .map_or(Decimal::ZERO, |p| p.price.amount);
        difference += entry.variance().abs() * price;
    }
    let discovered_at = c.accepted_at.or(latest)?;
    if difference.is_zero() {
        return None;
    }
    let (average, months) = average_monthly_sales(state, state.config.day_of(discovered_at));
    let percent = (!average.is_zero()).then(|| difference * Decimal::from(100) / average);
    if percent.is_some_and(|p| p < rule.percent_of_average_monthly_sales) {
        return None;
    }
    Some(Notice {
        count_id: id,
        discovered_at,
        due_at: discovered_at + Duration::hours(i64::from(rule.notify_within_hours)),
        difference: Money::new(difference.round_dp(2), currency),
        average_monthly_sales: Money::new(average.round_dp(2), currency),
        months,
        percent,
        rule: rule.clone(),
    })
}

/// The average sales of the months with sales before `day`'s month, the latest
/// [`AVERAGE_OVER_MONTHS`] of them; a store without one measures against this month so far.
pub fn average_monthly_sales(state: &State, day: NaiveDate) -> (Decimal, usize) {
    let month = day.with_day(1).expect("the first of a month exists");
    let before: Vec<Decimal> = state
        .sales_by_month
        .range(..month)
        .rev()
        .take(AVERAGE_OVER_MONTHS)
        .map(|(_, v)| *v)
        .collect();
    if before.is_empty() {
        let so_far = state
            .sales_by_month
            .get(&month)
            .copied()
            .unwrap_or_default();
        return (so_far, 1);
    }
    let n = before.len();
    (before.into_iter().sum::<Decimal>() / Decimal::from(n), n)
}
