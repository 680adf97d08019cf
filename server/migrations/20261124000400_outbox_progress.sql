-- What the regulator answered, and what an uncertain write expected to find when read back.
ALTER TABLE outbox ADD COLUMN expect TEXT;
ALTER TABLE outbox ADD COLUMN regulator_ids TEXT;
ALTER TABLE outbox ADD COLUMN done_at TEXT;
