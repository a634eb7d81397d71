-- robots.txt answers per origin (scheme://host[:port]), kept a day so every run need not ask again.

CREATE TABLE robots (
    origin     TEXT PRIMARY KEY,
    fetched_at TEXT NOT NULL,
    status     INTEGER,
    text       TEXT NOT NULL DEFAULT '',   -- the rules read ('' allows everything)
    note       TEXT                        -- why the answer was not read as rules (huge, binary, HTML, 5xx)
) WITHOUT ROWID;
