-- Audit columns written with each event, so an export reads rows without decoding event bodies.
ALTER TABLE events ADD COLUMN packages TEXT NOT NULL DEFAULT '';
ALTER TABLE events ADD COLUMN reason TEXT NOT NULL DEFAULT '';
ALTER TABLE events ADD COLUMN quantities TEXT NOT NULL DEFAULT '';
