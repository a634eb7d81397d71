-- The last change number given out, kept apart from the articles that carry it: it never goes down.
-- Before, the next number was max(articles.change_seq) + 1, so deleting the newest articles (a
-- removed source) handed their numbers out again, and a follower (search index, stories) that had
-- already moved past them skipped the next new articles. One row; `SQLiteStore._next_change`
-- raises it, `last_change` reads it.

CREATE TABLE change_counter (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    last INTEGER NOT NULL
);
INSERT INTO change_counter (id, last) SELECT 1, coalesce(max(change_seq), 0) FROM articles;
