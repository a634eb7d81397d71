-- When each feed is fetched next and why (`newsmirror run`), and which of its URLs is in use:
-- the primary, or an alternate while the primary fails. Keyed by the feed as sources.toml lists it.

CREATE TABLE feed_schedule (
    url           TEXT PRIMARY KEY,
    source        TEXT NOT NULL,
    next_due      TEXT NOT NULL,
    interval      REAL NOT NULL,              -- seconds: the interval last chosen
    reason        TEXT NOT NULL DEFAULT '',   -- why (adaptive rate, RSS ttl, max-age, Retry-After, failures)
    active_url    TEXT,                       -- an alternate in use while the primary fails; NULL: the primary
    switched_at   TEXT,
    primary_retry TEXT                        -- while on an alternate: when the primary is tried again
) WITHOUT ROWID;

-- A feed's recent publishing times, for its adaptive interval and the stale flag.
CREATE INDEX articles_feed_published ON articles (feed_url, published);
