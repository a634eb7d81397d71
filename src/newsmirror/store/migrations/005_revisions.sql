-- Revisions instead of versions: a new revision only when the outlet changed the article
-- (compared like with like on normalized text, see store/revisions.py). A revision holds the
-- feed's text that opened it and, once the page was read, the page's text as its body.
-- 005_revisions.py folds the old versions into revisions; the rows it folds are kept, unchanged,
-- in `folded_versions`.

CREATE TABLE revisions (
    article_id   INTEGER NOT NULL REFERENCES articles (id),
    revision     INTEGER NOT NULL,              -- 1, 2 ...
    first_seen   TEXT NOT NULL,                 -- when this revision was first seen (feed or page)
    title        TEXT NOT NULL DEFAULT '',
    feed_html    TEXT NOT NULL DEFAULT '',      -- the feed's own HTML that opened the revision, as received
    feed_text    TEXT NOT NULL DEFAULT '',      -- its plain text
    feed_key     TEXT NOT NULL,                 -- text_key(title, feed_text): compared with the next feed text
    feed_raw_ref TEXT,                          -- the feed response in the raw (WARC) archive
    html         TEXT NOT NULL DEFAULT '',      -- sanitized body: the page's extracted body once read, else the feed's
    text         TEXT NOT NULL DEFAULT '',      -- plain text of html
    page_key     TEXT,                          -- text_key of the page's (title, text); NULL until the page is read
    page_seen    TEXT,                          -- when the page text was read
    raw_ref      TEXT,                          -- the page response the body was extracted from (kept by reextract)
    extracted    TEXT,                          -- models.Article as JSON, or NULL
    PRIMARY KEY (article_id, revision)
);  -- a rowid table: rows are large, which WITHOUT ROWID handles badly

-- Versions of schema 2 that were not edits (page text replacing a feed summary, whitespace,
-- re-extraction), exactly as they were stored, with the revision they were folded into.
CREATE TABLE folded_versions (
    article_id   INTEGER NOT NULL REFERENCES articles (id),
    version      INTEGER NOT NULL,
    revision     INTEGER NOT NULL,
    seen_at      TEXT NOT NULL,
    title        TEXT NOT NULL DEFAULT '',
    feed_html    TEXT NOT NULL DEFAULT '',
    html         TEXT NOT NULL DEFAULT '',
    text         TEXT NOT NULL DEFAULT '',
    summary      TEXT,
    content_hash TEXT NOT NULL,
    raw_ref      TEXT,
    extracted    TEXT,
    PRIMARY KEY (article_id, version)
);

-- What each migration with something to say did (its log line), for later reading.
CREATE TABLE schema_log (
    version    INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    applied_at TEXT NOT NULL,
    note       TEXT NOT NULL
);

ALTER TABLE articles RENAME COLUMN current_version TO revision;  -- the number of the current revision
