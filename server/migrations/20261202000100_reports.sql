-- Monthly reports as generated (the bytes filed), with where each stands.
CREATE TABLE reports (
    kind          TEXT NOT NULL,
    month         TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('generated', 'downloaded', 'submitted')),
    generated_at  TEXT NOT NULL,
    downloaded_at TEXT,
    submitted_at  TEXT,
    body          TEXT NOT NULL,
    PRIMARY KEY (kind, month)
);
