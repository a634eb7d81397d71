-- Stories across outlets (the stories stage's state, see stories/): where each article was placed,
-- the original each copy points at, and what was compared, so a restart or another machine continues.

CREATE TABLE story_articles (
    article_id INTEGER PRIMARY KEY REFERENCES articles (id),
    story_id   INTEGER NOT NULL,             -- the id of the article that started the story
    copy_of    INTEGER,                      -- the original whose text this copies (the earliest copy), or NULL
    published  TEXT NOT NULL,                -- the article's published time when placed (as articles.published)
    features   BLOB NOT NULL                 -- MinHash signature and weighted terms (stories/features.py)
);
CREATE INDEX story_articles_story ON story_articles (story_id, published);
CREATE INDEX story_articles_published ON story_articles (published);
CREATE INDEX story_articles_copy ON story_articles (copy_of);

-- One row per story, kept with its articles, for listing stories by time without grouping them all.
CREATE TABLE stories (
    id              INTEGER PRIMARY KEY,
    first_published TEXT NOT NULL,
    last_published  TEXT NOT NULL,
    articles        INTEGER NOT NULL
);
CREATE INDEX stories_last_published ON stories (last_published);

-- The stage's progress: the change number placed up to, a regrouping's position.
CREATE TABLE story_state (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
