"""Opening, migrating, read-only mode, WAL concurrency and crash safety of the archive file."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
from datetime import datetime, UTC
from pathlib import Path

import pytest

from newsmirror.errors import StoreError
from newsmirror.models import SaveStatus
from newsmirror.store import open_store
from newsmirror.store.sqlite import SCHEMA_VERSION, SQLiteStore, load_migrations

T0 = datetime(2024, 5, 1, 8, 0, tzinfo=UTC)
SRC = str(Path(__file__).resolve().parents[2] / "src")


def run_child(code: str, *args: str, **kw) -> subprocess.Popen:
    """Run Python code in a separate process against the same archive file."""
    env = dict(os.environ, PYTHONPATH=SRC + os.pathsep + os.environ.get("PYTHONPATH", ""))
    return subprocess.Popen([sys.executable, "-c", code, *args], env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw)


CHILD_PRELUDE = """
import sys, time
from datetime import datetime, timezone
from newsmirror.models import FeedItem, SaveStatus
from newsmirror.store.sqlite import SQLiteStore
T0 = datetime(2024, 5, 1, 8, 0, tzinfo=timezone.utc)
def item(source, n, feed="https://child.example/rss"):
    return FeedItem(source=source, feed_url=feed, title=f"t{n}", link=f"https://child.example/{source}/{n}")
"""


# --- migrations ---------------------------------------------------------------------------

def tables(path: Path) -> set[str]:
    with sqlite3.connect(path) as conn:
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    conn.close()
    return names


def user_version(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("PRAGMA user_version").fetchone()[0]
    finally:
        conn.close()


def test_migrations_are_numbered_files():
    migrations = load_migrations()
    assert [m.number for m in migrations] == list(range(1, SCHEMA_VERSION + 1))
    assert migrations[0].name == "001_init" and SCHEMA_VERSION >= 5
    assert migrations[4].module == "newsmirror.store.migrations.005_revisions" and migrations[4].sql


def test_new_file_is_migrated_to_the_latest_version(tmp_path):
    path = tmp_path / "sub" / "archive.sqlite"
    with SQLiteStore(path) as s:
        assert s.schema_version == SCHEMA_VERSION
        assert s.integrity_check() == "ok"
    assert user_version(path) == SCHEMA_VERSION
    assert {"articles", "revisions", "feeds", "article_urls", "folded_versions"} <= tables(path)
    assert "versions" not in tables(path)
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()


def test_reopening_keeps_data_and_version(tmp_path, make_item):
    path = tmp_path / "a.sqlite"
    with open_store(path) as s:
        s.save_item(make_item(1), html="<p>1</p>", text="1", seen_at=T0)
        s.record_feed_fetch("聯合報", "https://news.example/rss", fetched_at=T0, status=200, etag='"e"')
    with open_store(str(path)) as s:
        assert s.schema_version == SCHEMA_VERSION
        assert s.count_articles() == 1
        assert s.get_feed_state("https://news.example/rss").etag == '"e"'
        assert s.save_item(make_item(1), html="<p>1</p>", text="1", seen_at=T0).status is SaveStatus.UNCHANGED


def test_version_1_file_is_upgraded_in_place(tmp_path, make_item):
    """A file made by the first schema gets change numbers and URL aliases when opened."""
    path = tmp_path / "old.sqlite"
    conn = sqlite3.connect(path)
    conn.executescript(load_migrations()[0].sql)
    for n in (1, 2):
        conn.execute(
            "INSERT INTO articles (source, url, link, title, published, first_seen, last_seen, feed_hash)"
            " VALUES ('A', ?, ?, ?, ?, ?, ?, 'h')",
            (f"https://o.example/{n}", f"https://o.example/{n}", f"old {n}", T0.isoformat(), T0.isoformat(),
             T0.isoformat()),
        )
        conn.execute("INSERT INTO versions (article_id, version, seen_at, title, html, text, content_hash)"
                     " VALUES (?, 1, ?, ?, '<p>o</p>', 'o', 'h')", (n, T0.isoformat(), f"old {n}"))
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()
    with SQLiteStore(path) as s:
        assert s.schema_version == SCHEMA_VERSION
        assert [(seq, a.title) for seq, a in s.changes_since(0)] == [(1, "old 1"), (2, "old 2")]
        out = s.save_item(make_item(3), html="<p>3</p>", text="3", seen_at=T0)
        assert [seq for seq, _ in s.changes_since(2)] == [3] and out.status is SaveStatus.NEW
        assert s.integrity_check() == "ok"


def test_newer_file_is_refused(tmp_path):
    path = tmp_path / "future.sqlite"
    SQLiteStore(path).close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 7}")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match=rf"{path.name} has schema version {SCHEMA_VERSION + 7}, newer .*upgrade"):
        SQLiteStore(path)
    with pytest.raises(StoreError, match="newer"):
        SQLiteStore(path, readonly=True)
    assert user_version(path) == SCHEMA_VERSION + 7  # untouched


def test_not_a_database(tmp_path):
    path = tmp_path / "notes.sqlite"
    path.write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(StoreError, match=r"cannot open archive .*notes\.sqlite: file is not a database"):
        SQLiteStore(path)


def test_folder_instead_of_file(tmp_path):
    with pytest.raises(StoreError, match="is a folder"):
        SQLiteStore(tmp_path)


# --- read-only mode -----------------------------------------------------------------------

def test_readonly_reads_and_refuses_writes(tmp_path, make_item):
    path = tmp_path / "a.sqlite"
    with SQLiteStore(path) as s:
        s.save_item(make_item(1), html="<p>1</p>", text="1", seen_at=T0)
    with SQLiteStore(path, readonly=True) as ro:
        assert ro.readonly and ro.count_articles() == 1
        assert [a.title for a in ro.iter_articles()] == ["標題 1"]
        assert ro.integrity_check() == "ok"
        with pytest.raises(StoreError, match="open read-only; cannot save item"):
            ro.save_item(make_item(2), html="x", text="x", seen_at=T0)
        with pytest.raises(StoreError, match="read-only"):
            ro.record_feed_fetch("A", "https://a/", fetched_at=T0, status=200)
    with SQLiteStore(path) as s:
        assert s.count_articles() == 1


def test_readonly_missing_file(tmp_path):
    with pytest.raises(StoreError, match=r"archive .*missing\.sqlite does not exist"):
        SQLiteStore(tmp_path / "missing.sqlite", readonly=True)
    assert not (tmp_path / "missing.sqlite").exists()


def test_readonly_of_an_unmigrated_file(tmp_path):
    path = tmp_path / "v1.sqlite"
    conn = sqlite3.connect(path)
    conn.executescript(load_migrations()[0].sql)
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match="older than this newsmirror .*read-write"):
        SQLiteStore(path, readonly=True)


# --- concurrency and crashes --------------------------------------------------------------

def test_another_process_writes_while_this_one_reads(tmp_path, make_item):
    """WAL: a reader holding a snapshot does not block a writer in another process."""
    path = tmp_path / "a.sqlite"
    with SQLiteStore(path) as s:
        s.save_item(make_item(1), html="<p>1</p>", text="1", seen_at=T0)

    reader = sqlite3.connect(path, isolation_level=None)
    reader.execute("BEGIN")
    assert reader.execute("SELECT count(*) FROM articles").fetchone()[0] == 1  # snapshot taken
    ro = SQLiteStore(path, readonly=True)
    try:
        child = run_child(CHILD_PRELUDE + """
s = SQLiteStore(sys.argv[1])
out = s.save_items([(item("W", n), "<p>w</p>", "w") for n in range(50)], seen_at=T0)
print(sum(o.status is SaveStatus.NEW for o in out))
s.close()
""", str(path))
        stdout, stderr = child.communicate(timeout=60)
        assert child.returncode == 0, stderr
        assert stdout.strip() == "50"
        # the old snapshot still sees one article; new reads see all
        assert reader.execute("SELECT count(*) FROM articles").fetchone()[0] == 1
        assert ro.count_articles() == 51 and ro.count_articles(source="W") == 50
        reader.execute("COMMIT")
        assert reader.execute("SELECT count(*) FROM articles").fetchone()[0] == 51
    finally:
        reader.close()
        ro.close()


def test_two_writer_processes_wait_for_each_other(tmp_path):
    path = tmp_path / "a.sqlite"
    SQLiteStore(path).close()
    code = CHILD_PRELUDE + """
s = SQLiteStore(sys.argv[1])
for b in range(20):
    s.save_items([(item(sys.argv[2], b * 10 + n), "<p>x</p>", "x") for n in range(10)], seen_at=T0)
s.close()
"""
    children = [run_child(code, str(path), name) for name in ("P", "Q")]
    for child in children:
        _, stderr = child.communicate(timeout=120)
        assert child.returncode == 0, stderr
    with SQLiteStore(path, readonly=True) as s:
        assert s.count_articles(source="P") == 200 and s.count_articles(source="Q") == 200
        assert s.integrity_check() == "ok"
        seqs = [seq for seq, _ in s.changes_since(0)]
        assert seqs == list(range(1, 401))


def test_process_killed_mid_transaction_leaves_no_half_feed(tmp_path, make_item):
    path = tmp_path / "a.sqlite"
    with SQLiteStore(path) as s:
        s.save_items([(make_item(n), "<p>keep</p>", "keep") for n in range(3)], seen_at=T0)

    # The child saves a large feed and stops inside the transaction after 300 of 600 items
    # (a trace callback on its connection blocks there), so the kill lands mid-write.
    child = run_child(CHILD_PRELUDE + """
s = SQLiteStore(sys.argv[1])
big = "<p>" + "半寫入的內容" * 1500 + "</p>"
items = [(item("killed", n), big, big) for n in range(600)]
count = 0
def trace(sql):
    global count
    if sql.startswith("INSERT INTO revisions"):
        count += 1
        if count == 300:
            print("mid-transaction", flush=True)
            time.sleep(120)
s._conn.set_trace_callback(trace)
s.save_items(items, seen_at=T0)
print("finished", flush=True)
""", str(path))
    try:
        line = child.stdout.readline()
        assert line.strip() == "mid-transaction", child.stderr.read()
        wal = Path(str(path) + "-wal")
        assert wal.stat().st_size > 1_000_000  # uncommitted pages really reached the file
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=30)
        assert child.returncode == -signal.SIGKILL
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        child.stdout.close()
        child.stderr.close()

    with SQLiteStore(path) as s:
        assert s.integrity_check() == "ok"
        assert s.count_articles() == 3
        assert s.count_articles(source="killed") == 0
        assert s.last_change() == 3
        assert s.save_item(make_item(9), html="<p>after</p>", text="after", seen_at=T0).status is SaveStatus.NEW
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("SELECT count(*) FROM revisions").fetchone()[0] == 4
    conn.close()


def test_extracted_json_is_plain_json(tmp_path, make_item):
    """The stored records stay readable by other tools (sqlite3 shell, datasette)."""
    from newsmirror.models import Article

    path = tmp_path / "a.sqlite"
    with SQLiteStore(path) as s:
        out = s.save_item(make_item(1), html="<p>1</p>", text="1", seen_at=T0)
        s.save_page(out.article_id, Article(title="標題", authors=("王",), published=T0),
                    html="<p>全</p>", text="全", seen_at=T0)
    conn = sqlite3.connect(path)
    raw = conn.execute("SELECT extracted FROM revisions WHERE revision = 1").fetchone()[0]
    published = conn.execute("SELECT published FROM articles").fetchone()[0]
    conn.close()
    assert json.loads(raw)["authors"] == ["王"] and "標題" in raw
    assert published == "2024-05-01T08:00:00.000000+00:00"


def test_write_blocked_by_another_writer_fails_with_a_clear_message(tmp_path, make_item):
    path = tmp_path / "a.sqlite"
    SQLiteStore(path).close()
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another process in the middle of a write
    try:
        with SQLiteStore(path, busy_timeout=0.05) as s:
            with pytest.raises(StoreError, match=r"archive .*a\.sqlite: cannot save 1 items of feed .*database is locked"):
                s.save_items([(make_item(1), "<p>1</p>", "1")], seen_at=T0)
            other.execute("ROLLBACK")
            assert s.save_items([(make_item(1), "<p>1</p>", "1")], seen_at=T0)[0].status is SaveStatus.NEW
    finally:
        other.close()
