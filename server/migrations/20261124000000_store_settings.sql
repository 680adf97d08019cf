-- Store-wide settings as key/value pairs (store name, time zone, jurisdiction).
CREATE TABLE settings (
    key   TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
);
