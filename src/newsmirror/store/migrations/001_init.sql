-- The archive: articles (key, metadata, current version number), their versions (the content,
-- never deleted or rewritten) and feed health. Content lives only in `versions`, so an article's
-- text is stored once per version rather than twice.
-- Times are UTC ISO-8601 text of fixed width ("2024-05-01T08:30:00.000000+00:00"), so they
-- sort as text and stay readable in the sqlite3 shell. Lists and the extracted Article are JSON.

CREATE TABLE articles (
    id              INTEGER PRIMARY KEY,
    source          TEXT NOT NULL,
    url             TEXT NOT NULL UNIQUE,        -- canonical URL: the archive's key
    link            TEXT NOT NULL,               -- the URL as first seen
    guid            TEXT,
    feed_url        TEXT NOT NULL DEFAULT '',
    title           TEXT NOT NULL DEFAULT '',
    published       TEXT NOT NULL,               -- clamped to first_seen when in the future
    first_seen      TEXT NOT NULL,
    last_seen       TEXT NOT NULL,
    authors         TEXT NOT NULL DEFAULT '[]',
    categories      TEXT NOT NULL DEFAULT '[]',
    current_version INTEGER NOT NULL DEFAULT 1,  -- its content is that row of `versions`
    feed_hash       TEXT NOT NULL                -- content hash of (title, HTML) last seen in the feed
);
CREATE INDEX articles_source_guid ON articles (source, guid);
CREATE INDEX articles_published ON articles (published, id);
CREATE INDEX articles_source_published ON articles (source, published, id);

CREATE TABLE versions (
    article_id   INTEGER NOT NULL REFERENCES articles (id),
    version      INTEGER NOT NULL,
    seen_at      TEXT NOT NULL,
    title        TEXT NOT NULL DEFAULT '',
    feed_html    TEXT NOT NULL DEFAULT '',       -- the feed's own HTML, as received
    html         TEXT NOT NULL DEFAULT '',       -- sanitized HTML (extracted body when there is one)
    text         TEXT NOT NULL DEFAULT '',
    summary      TEXT,                           -- the feed's own text when the body came from the page
    content_hash TEXT NOT NULL,                  -- hash of (title, html)
    raw_ref      TEXT,
    extracted    TEXT,                           -- models.Article as JSON, or NULL
    UNIQUE (article_id, version)
);  -- a rowid table: rows are large, which WITHOUT ROWID handles badly

CREATE TABLE feeds (
    url                  TEXT PRIMARY KEY,
    source               TEXT NOT NULL,
    last_fetch           TEXT,
    last_status          INTEGER,
    etag                 TEXT,
    last_modified        TEXT,
    items_seen           INTEGER NOT NULL DEFAULT 0,
    consecutive_failures INTEGER NOT NULL DEFAULT 0,
    last_error           TEXT,
    last_ok              TEXT
);
