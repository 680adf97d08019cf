//! Last-modified windows: Metrc serves at most 24 hours per `lastModifiedStart`..
//! `lastModifiedEnd` query, so a longer catch-up is read as consecutive windows.

use chrono::{DateTime, SecondsFormat, TimeDelta, Utc};
use serde::de::DeserializeOwned;

use super::MetrcClient;
use crate::{
    error::MetrcError,
    wire::{perm, Package, Receipt},
};

/// The longest window Metrc serves in one query.
pub const MAX_WINDOW: TimeDelta = TimeDelta::hours(24);

/// `from`..`to` cut into consecutive windows of at most [`MAX_WINDOW`], in order, each starting
/// where the last ended (Metrc includes both ends, so a record changed exactly on a boundary is
/// read twice and never missed). Empty when `to` is not after `from`.
pub fn windows(from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
    let mut out = Vec::new();
    let mut start = from;
    while start < to {
        let end = (start + MAX_WINDOW).min(to);
        out.push((start, end));
        start = end;
    }
    out
}

/// A timestamp as a query value: UTC, with its offset's `+` never present (Z), so nothing needs
/// the `%2B` encoding Metrc asks for.
fn stamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

impl MetrcClient {
    /// Every page of a windowed list over `from`..`to`, window by window, without repeats.
    async fn over_windows<T: DeserializeOwned>(
        &self,
        path: &str,
        permission: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        key: impl Fn(&T) -> i64,
    ) -> Result<Vec<T>, MetrcError> {
        let mut all: Vec<T> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for (start, end) in windows(from, to) {
            let page: Vec<T> = self
                .all_pages(
                    &format!(
                        "{path}?lastModifiedStart={}&lastModifiedEnd={}",
                        stamp(start),
                        stamp(end)
                    ),
                    Some(permission),
                )
                .await?;
            all.extend(page.into_iter().filter(|r| seen.insert(key(r))));
        }
        Ok(all)
    }

    /// `GET /packages/v2/active` for packages changed in `from`..`to`, however long.
    pub async fn active_packages_changed(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<Package>, MetrcError> {
        self.over_windows(
            "/packages/v2/active",
            perm::VIEW_PACKAGES,
            from,
            to,
            |p: &Package| p.id,
        )
        .await
    }

    /// `GET /sales/v2/receipts/active` and `/inactive` for receipts changed in `from`..`to`,
    /// however long (archived ones included: a void is a change).
    pub async fn receipts_changed(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<Receipt>, MetrcError> {
        let mut all = self
            .over_windows(
                "/sales/v2/receipts/active",
                perm::VIEW_SALES,
                from,
                to,
                |r: &Receipt| r.id,
            )
            .await?;
        all.extend(
            self.over_windows(
                "/sales/v2/receipts/inactive",
                perm::VIEW_SALES,
                from,
                to,
                |r: &Receipt| r.id,
            )
            .await?,
        );
        all.sort_by_key(|r| r.id);
        Ok(all)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(h: i64) -> DateTime<Utc> {
        DateTime::<Utc>::UNIX_EPOCH + TimeDelta::hours(h)
    }

    #[test]
    fn a_span_is_cut_into_windows_of_at_most_a_day_that_meet() {
        assert!(windows(at(5), at(5)).is_empty());
        assert!(windows(at(6), at(5)).is_empty());
        assert_eq!(windows(at(0), at(24)), [(at(0), at(24))]);
        assert_eq!(
            windows(at(0), at(50)),
            [(at(0), at(24)), (at(24), at(48)), (at(48), at(50))]
        );
    }

    proptest::proptest! {
        #[test]
        fn windows_cover_the_span_exactly(from in 0i64..10_000, len in 0i64..2_000) {
            let (from, to) = (at(from), at(from + len));
            let w = windows(from, to);
            if len > 0 {
                proptest::prop_assert_eq!(w.first().unwrap().0, from);
                proptest::prop_assert_eq!(w.last().unwrap().1, to);
            }
            for pair in w.windows(2) {
                proptest::prop_assert_eq!(pair[0].1, pair[1].0);
            }
            for (s, e) in &w {
                proptest::prop_assert!(s < e && *e - *s <= MAX_WINDOW);
            }
        }
    }
}
