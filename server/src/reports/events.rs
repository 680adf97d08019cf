//! The ledger's events parsed for reports: read once, extended with only what was appended
//! since, and let go when no report has asked for a while, so a manager opening a month's
//! previews and downloads pays for reading the ledger once, not once per figure.

use std::sync::Arc;
use std::time::{Duration, Instant};

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use domain::{report::MonthStart, Event};
use tokio::sync::Mutex;

use crate::store::{EventStore, StoreError};

/// Events in ledger order with their sequence numbers, shared by every report that reads them.
#[derive(Clone, Default)]
pub struct ReportEvents {
    cached: Arc<Mutex<Option<Parsed>>>,
}

/// What has been read so far.
struct Parsed {
    seqs: Arc<Vec<i64>>,
    events: Arc<Vec<Event>>,
    /// The ledger replayed to the start of each month asked for, once the ledger has reached it.
    starts: HashMap<NaiveDate, Arc<MonthStart>>,
    used: Instant,
}

/// Month starts kept at most; each holds the store's state as the month began.
const KEPT_STARTS: usize = 13;

impl ReportEvents {
    /// Every event committed so far, in ledger order.
    pub async fn read(
        &self,
        store: &impl EventStore,
    ) -> Result<(Arc<Vec<i64>>, Arc<Vec<Event>>), StoreError> {
        let mut cached = self.cached.lock().await;
        let parsed = cached.get_or_insert_with(|| Parsed {
            seqs: Arc::default(),
            events: Arc::default(),
            starts: HashMap::new(),
            used: Instant::now(),
        });
        // The ledger has one writer and commits in sequence order, so nothing can appear later
        // below the last sequence number already read.
        let after = parsed.seqs.last().copied().unwrap_or(0);
        let read = store.events_after(after, i64::MAX).await?;
        if !read.is_empty() {
            let mut seqs = Vec::with_capacity(read.len());
            let mut events = Vec::with_capacity(read.len());
            for e in read {
                seqs.push(e.seq);
                events.push(e.event);
            }
            // Copies only when a report still holds the previous read.
            Arc::make_mut(&mut parsed.seqs).extend(seqs);
            Arc::make_mut(&mut parsed.events).extend(events);
        }
        parsed.used = Instant::now();
        Ok((parsed.seqs.clone(), parsed.events.clone()))
    }

    /// The ledger replayed to the start of `month`, for reports over `events` (as `read` gave
    /// them): replayed once and kept, so each report of the month replays only the month.
    pub async fn start(&self, events: &[Event], month: NaiveDate) -> Arc<MonthStart> {
        let replayed = |events: &[Event]| Arc::new(MonthStart::replay(events, month));
        let mut cached = self.cached.lock().await;
        let Some(parsed) = cached.as_mut() else {
            return replayed(events);
        };
        let month = month.with_day(1).expect("every month has a first day");
        if let Some(s) = parsed.starts.get(&month) {
            // A start kept from a longer read than this one could reach past its end.
            if s.first < events.len() {
                return s.clone();
            }
            return replayed(events);
        }
        let start = replayed(events);
        if start.settled(events.len()) {
            if parsed.starts.len() >= KEPT_STARTS {
                parsed.starts.clear();
            }
            parsed.starts.insert(month, start.clone());
        }
        start
    }

    /// Lets the parsed events go when no report has read them for `idle`.
    pub async fn forget_if_idle(&self, idle: Duration) {
        let mut cached = self.cached.lock().await;
        if cached.as_ref().is_some_and(|p| p.used.elapsed() >= idle) {
            *cached = None;
        }
    }
}
