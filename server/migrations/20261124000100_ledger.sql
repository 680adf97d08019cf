-- The append-only ledger. `seq` is the global order; `body` is the domain Event as JSON.
CREATE TABLE events (
    seq         INTEGER PRIMARY KEY,
    mutation_id TEXT NOT NULL,
    kind        TEXT NOT NULL,
    at          TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    actor       TEXT NOT NULL,
    device      TEXT NOT NULL,
    body        TEXT NOT NULL
);
CREATE INDEX events_by_time ON events (at);
CREATE INDEX events_by_mutation ON events (mutation_id);

-- Each mutation's outcome, so a resent mutation returns it again and changes nothing.
CREATE TABLE mutations (
    mutation_id TEXT PRIMARY KEY,
    client_id   TEXT,
    client_seq  INTEGER,
    action      TEXT NOT NULL,
    outcome     TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);

-- Each tablet's last processed mutation number, written with the mutation's effects.
CREATE TABLE clients (
    client_id     TEXT PRIMARY KEY,
    last_mutation INTEGER NOT NULL
);

-- Projections, updated in the same transaction as the events that change them.
CREATE TABLE products (
    id          TEXT PRIMARY KEY,
    sku         TEXT NOT NULL,
    category    TEXT NOT NULL,
    available   TEXT NOT NULL,
    body        TEXT NOT NULL,
    changed_seq INTEGER NOT NULL
);
CREATE TABLE packages (
    id          TEXT PRIMARY KEY,
    tag         TEXT NOT NULL UNIQUE,
    product_id  TEXT NOT NULL,
    status      TEXT NOT NULL,
    zone        TEXT NOT NULL,
    quantity    TEXT NOT NULL,
    held        TEXT NOT NULL,
    body        TEXT NOT NULL,
    changed_seq INTEGER NOT NULL
);
CREATE INDEX packages_by_product ON packages (product_id);
CREATE INDEX packages_by_change ON packages (changed_seq);
CREATE TABLE holds (
    hold_id     TEXT PRIMARY KEY,
    customer    TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    body        TEXT NOT NULL
);
CREATE TABLE daily_purchases (
    customer TEXT NOT NULL,
    day      TEXT NOT NULL,
    lines    TEXT NOT NULL,
    PRIMARY KEY (customer, day)
);

-- Regulator outbox: one row per event the regulator must learn of, drained in order per package.
CREATE TABLE outbox (
    id          INTEGER PRIMARY KEY,
    seq         INTEGER NOT NULL,
    package_key TEXT NOT NULL,
    kind        TEXT NOT NULL,
    state       TEXT NOT NULL DEFAULT 'pending',
    attempts    INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT,
    created_at  TEXT NOT NULL
);
CREATE INDEX outbox_pending ON outbox (state, package_key, id);

CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('owner', 'manager', 'staff')),
    password_hash TEXT NOT NULL,
    created_at    TEXT NOT NULL
);
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users (id),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
