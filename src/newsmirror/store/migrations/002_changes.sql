-- Change numbers for the search index to catch up from, and the other URLs an article had.

-- A global, increasing change number: set to max+1 whenever an article is created or gets a
-- new version, in the same transaction. Existing articles are numbered in id order.
ALTER TABLE articles ADD COLUMN change_seq INTEGER NOT NULL DEFAULT 0;
UPDATE articles SET change_seq = id;
CREATE UNIQUE INDEX articles_change_seq ON articles (change_seq);

-- Canonical URLs an article was also seen under (a GUID match with a changed URL), so a
-- lookup by the old or the new URL finds the same article.
CREATE TABLE article_urls (
    url        TEXT PRIMARY KEY,
    article_id INTEGER NOT NULL REFERENCES articles (id)
) WITHOUT ROWID;
CREATE INDEX article_urls_article ON article_urls (article_id);
