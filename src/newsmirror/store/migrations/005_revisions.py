"""Fold schema 2's versions into revisions; keep every folded row in `folded_versions`.

Schema 2 stored a new version whenever the page's text replaced the feed summary, whenever the
feed's HTML changed in any byte and whenever a re-extraction read a page differently. This step
groups each article's versions with `store.revisions.plan_revisions`, writes one `revisions` row
per real edit, copies every other row unchanged into `folded_versions`, points each article at
its last revision and drops `versions`. No text or raw reference is lost.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

from newsmirror.store.revisions import OldVersion, plan_revisions

BATCH = 500  # articles per round of inserts

_OLD = ("SELECT article_id, version, seen_at, title, feed_html, html, text, summary, content_hash, raw_ref,"
        " extracted FROM versions ORDER BY article_id, version")


def _articles(conn: sqlite3.Connection) -> Iterator[tuple[int, list[OldVersion], dict[int, str]]]:
    """Each article's old versions, oldest first, streamed (one article in memory at a time)."""
    cursor = conn.execute(_OLD)
    current: int | None = None
    rows: list[OldVersion] = []
    hashes: dict[int, str] = {}
    while True:
        chunk = cursor.fetchmany(256)
        for aid, version, seen, title, feed_html, html, text, summary, chash, raw_ref, extracted in chunk:
            if aid != current and current is not None:
                yield current, rows, hashes
                rows, hashes = [], {}
            current = aid
            rows.append(OldVersion(version, seen, title, feed_html, html, text, summary, raw_ref, extracted))
            hashes[version] = chash
        if not chunk:
            break
    if current is not None:
        yield current, rows, hashes


def migrate(conn: sqlite3.Connection) -> str:
    """Fold the false versions; return the log line saying what was folded and where it is kept."""
    articles = versions = revisions = folded = 0
    changed_body: list[int] = []
    revision_rows: list[tuple] = []
    folded_rows: list[tuple] = []
    current_rows: list[tuple[int, int]] = []

    def flush() -> None:
        conn.executemany(
            "INSERT INTO revisions (article_id, revision, first_seen, title, feed_html, feed_text, feed_key,"
            " feed_raw_ref, html, text, page_key, page_seen, raw_ref, extracted)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", revision_rows)
        conn.executemany(
            "INSERT INTO folded_versions (article_id, version, revision, seen_at, title, feed_html, html, text,"
            " summary, content_hash, raw_ref, extracted) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", folded_rows)
        conn.executemany("UPDATE articles SET revision = ? WHERE id = ?", current_rows)
        revision_rows.clear()
        folded_rows.clear()
        current_rows.clear()

    old_current = dict(conn.execute("SELECT id, revision FROM articles").fetchall())
    for aid, rows, hashes in _articles(conn):
        articles += 1
        versions += len(rows)
        plan = plan_revisions(rows)
        revisions += len(plan)
        for rev in plan:
            body, feed = rev.body, rev.feed
            revision_rows.append((
                aid, rev.revision, rev.first_seen, body.title, feed.feed_html, feed.feed_text, rev.feed_key,
                None if feed.is_page else feed.raw_ref, body.html, body.text, rev.page_key,
                body.seen_at if body.is_page else None, body.raw_ref if body.is_page else None, body.extracted,
            ))
            for row in rev.folded:
                folded += 1
                folded_rows.append((aid, row.version, rev.revision, row.seen_at, row.title, row.feed_html, row.html,
                                    row.text, row.summary, hashes[row.version], row.raw_ref, row.extracted))
        current_rows.append((len(plan), aid))
        if plan[-1].body.version != old_current.get(aid):
            changed_body.append(aid)
        if len(current_rows) >= BATCH:
            flush()
    flush()
    # the search index catches up from change numbers: articles whose current body changed get new ones
    for aid in changed_body:
        conn.execute("UPDATE articles SET change_seq = (SELECT max(change_seq) + 1 FROM articles) WHERE id = ?",
                     (aid,))
    conn.execute("DROP TABLE versions")
    if not versions:
        return ""  # a new archive: nothing to say
    return (f"{versions} versions of {articles} articles became {revisions} revisions; {folded} versions that were"
            f" not edits (page text replacing the feed summary, whitespace, re-extraction) were folded into their"
            f" revision and kept unchanged in table folded_versions")
