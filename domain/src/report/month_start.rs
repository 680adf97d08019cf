//! The store as a month began: the ledger replayed to the month's first instant, so a month's
//! figures are computed from its own events only.

use std::borrow::Cow;

use chrono::{Datelike, NaiveDate};

use crate::{event::Event, State};

use super::{day_start, inventory, next_month, Inventory};

/// The ledger replayed to a month's first moment in the store's time zone: every report of the
/// month starts from it, so a server that keeps it replays only the month itself.
#[derive(Clone, Debug)]
pub struct MonthStart {
    /// The first of the month.
    pub month: NaiveDate,
    /// The store as it stood when the month began.
    pub state: State,
    /// Position in the ledger of the month's first event (the number of events before it).
    pub first: usize,
}

impl MonthStart {
    /// Replays `events` up to the start of `month` (in the store's time zone, as configured then).
    pub fn replay(events: &[Event], month: NaiveDate) -> Self {
        let month =
            NaiveDate::from_ymd_opt(month.year(), month.month(), 1).expect("first of month");
        let mut state = State::default();
        let mut first = 0;
        for e in events {
            if e.at >= day_start(&state, month) {
                break;
            }
            state.apply(e);
            first += 1;
        }
        MonthStart {
            month,
            state,
            first,
        }
    }

    /// Whether events appended after `len` can no longer move it: the ledger already holds
    /// an event of the month or later, so whatever follows is replayed inside the month.
    pub fn settled(&self, len: usize) -> bool {
        self.first < len
    }
}

/// From the month's start, calls `each` for every event inside the month with the state just
/// before; returns the inventory at the month's start and the state at its end. A start that is
/// kept is copied; one replayed for this report alone is used up.
pub(super) fn walk(
    from: Cow<'_, MonthStart>,
    events: &[Event],
    mut each: impl FnMut(usize, &State, &Event),
) -> (Inventory, State) {
    let MonthStart {
        month,
        mut state,
        first,
    } = from.into_owned();
    let start = inventory(&state);
    let end = day_start(&state, next_month(month));
    for (i, e) in events.iter().enumerate().skip(first) {
        if e.at >= end {
            break;
        }
        each(i, &state, e);
        state.apply(e);
    }
    (start, state)
}
