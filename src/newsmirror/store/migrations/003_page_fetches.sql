-- The page fetch of each article that needs one: attempts, the last failure's kind and reason,
-- when it is tried again, or that it was given up or is disallowed by robots.txt. One row per
-- article, written after every attempt, so `pages --failed` and the article page can say why an
-- article holds only the feed's summary.

CREATE TABLE page_fetches (
    article_id INTEGER PRIMARY KEY REFERENCES articles (id),
    url        TEXT NOT NULL,                -- the page asked for
    status     TEXT NOT NULL,                -- models.PageStatus: ok, retrying, given_up, disallowed
    attempts   INTEGER NOT NULL DEFAULT 0,
    kind       TEXT,                         -- models.FailureKind of the last failure
    reason     TEXT,                         -- its one-line message
    first_try  TEXT,
    last_try   TEXT,
    next_try   TEXT,                         -- NULL: not tried again
    complete   INTEGER NOT NULL DEFAULT 0    -- 1: extracted as an article with a byline and a date
);
CREATE INDEX page_fetches_due ON page_fetches (status, next_try);
CREATE INDEX page_fetches_last_try ON page_fetches (last_try);
