"""Migration 5 (revisions) on an archive written by the schema-2 release (tests/data/legacy/v2, made by its code).

The fixture holds the demo after one run (26 articles at a false version 2), a local outlet edited
once (stored as version 4) and a full-text outlet with one real edit and one whitespace-only change.
"""

from __future__ import annotations

import gzip
import logging
import shutil
import sqlite3
from pathlib import Path

import pytest

from newsmirror.store.sqlite import SQLiteStore

LEGACY = Path(__file__).resolve().parent.parent / "data" / "legacy" / "v2"


@pytest.fixture
def legacy(tmp_path) -> Path:
    """A fresh copy of the schema-2 archive and its raw responses."""
    home = tmp_path / "home"
    home.mkdir()
    with gzip.open(LEGACY / "archive.sqlite.gz") as packed, open(home / "archive.sqlite", "wb") as out:
        shutil.copyfileobj(packed, out)
    shutil.copytree(LEGACY / "raw", home / "raw")
    shutil.copy(LEGACY / "sources.toml", home / "sources.toml")
    return home


def old_rows(path: Path) -> list[tuple]:
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 2
        return conn.execute("SELECT article_id, version, seen_at, title, feed_html, html, text, summary, raw_ref,"
                            " extracted FROM versions ORDER BY article_id, version").fetchall()
    finally:
        conn.close()


def test_migration_folds_false_versions_and_loses_no_text(legacy, caplog):
    db = legacy / "archive.sqlite"
    before = old_rows(db)
    assert len({r[0] for r in before}) == 45 and len(before) == 77
    with caplog.at_level(logging.WARNING, logger="newsmirror.store.sqlite"):
        store = SQLiteStore(db)
    try:
        revisions = {a.title: a.version for a in store.iter_articles()}
        # the real edits stay: the local outlet's article and the full-text outlet's one
        edited = {t: v for t, v in revisions.items() if v > 1}
        assert edited == {"蘇花路廊坍方 今天傍晚提前搶通": 2, "食安法修正三讀": 2}
        assert len(revisions) == 45
        # the demo's 26 pages and the whitespace-only change were folded
        (number, name, _, note), = store.schema_log()
        assert (number, name) == (5, "005_revisions")
        assert note.startswith("77 versions of 45 articles became 47 revisions; 30 versions")
        assert "folded_versions" in note and note in caplog.text

        # every stored text and raw reference is still somewhere: a revision or a folded row
        kept: set[str] = set()
        refs: set[str] = set()
        conn = sqlite3.connect(db)
        for row in conn.execute("SELECT feed_html, html, text, feed_text, raw_ref, feed_raw_ref FROM revisions"
                                " UNION ALL SELECT feed_html, html, text, summary, raw_ref, NULL"
                                " FROM folded_versions"):
            kept |= {t for t in row[:4] if t is not None}
            refs |= {row[4], row[5]}
        folded = conn.execute("SELECT count(*) FROM folded_versions").fetchone()[0]
        conn.close()
        for aid, version, _seen, _title, feed_html, html, text, summary, raw_ref, _extracted in before:
            assert {feed_html, html, text} <= kept, (aid, version)
            assert summary is None or summary in kept, (aid, version)
            assert raw_ref in refs, (aid, version)
        assert folded == 30
    finally:
        store.close()


def test_migrated_articles_keep_their_best_body_and_the_feed_text(legacy):
    db = legacy / "archive.sqlite"
    before = {(r[0], r[1]): r for r in old_rows(db)}
    with SQLiteStore(db) as store:
        # demo article 26: its page replaced a feed text holding a photo caption; one revision, the page's body
        art = store.get_article(26)
        (rev,) = store.article_versions(26)
        assert art.version == 1 and art.extracted is not None
        assert rev.text == before[(26, 2)][6] and rev.feed_text == before[(26, 1)][6]
        assert "尖沙咀海旁的旅客" in rev.feed_text and rev.seen_at.isoformat() == before[(26, 1)][2]
        assert rev.page_seen.isoformat() == before[(26, 2)][2]
        assert [(n, r) for n, r, _, _ in store.folded_versions(26)] == [(1, 1)]

        # the local outlet: feed v1, page v2, feed edit v3, page edit v4 -> two revisions with page bodies
        local = store.get_article(44)
        old, new = store.article_versions(44)
        assert (old.text, new.text) == (before[(44, 2)][6], before[(44, 4)][6])
        assert (old.feed_text, new.feed_text) == (before[(44, 1)][6], before[(44, 3)][6])
        assert new.seen_at.isoformat() == before[(44, 3)][2] and local.text == new.text

        # the full-text outlet: a whitespace-only change is no revision, the real edit is one
        assert store.get_article(43).version == 1 and store.get_article(42).version == 2


def test_migrated_archive_takes_new_fetches_and_reextract_without_new_revisions(legacy):
    from click.testing import CliRunner

    from newsmirror.cli import cli

    db = legacy / "archive.sqlite"
    with SQLiteStore(db) as store:
        before = {a.id: a.version for a in store.iter_articles()}
    result = CliRunner().invoke(cli, ["--home", str(legacy), "-q", "reextract"])
    assert result.exit_code == 0, result.output
    with SQLiteStore(db) as store:
        assert {a.id: a.version for a in store.iter_articles()} == before
        assert store.integrity_check() == "ok"
