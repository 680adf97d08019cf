-- Why a report's openings differ from the closings filed the month before, as the manager wrote it
-- when marking it submitted (Health Canada refuses a difference over 5% unless it is explained).
ALTER TABLE reports ADD COLUMN explanation TEXT;
