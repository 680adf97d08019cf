-- A change may be held back until a time (a posting window); later changes to its package wait behind it.
ALTER TABLE outbox ADD COLUMN not_before TEXT;
