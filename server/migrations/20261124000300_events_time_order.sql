-- Exports read a time range in time order; with seq in the index they need no sort.
DROP INDEX events_by_time;
CREATE INDEX events_by_time ON events (at, seq);
