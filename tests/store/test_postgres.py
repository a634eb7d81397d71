"""What only the PostgreSQL store has: many writers' change numbers, migrate on demand, bad locations."""

from __future__ import annotations

from datetime import datetime, UTC

import psycopg
import pytest

from newsmirror.errors import StoreError
from newsmirror.store import open_store
from newsmirror.store.sqlite import SCHEMA_VERSION

T0 = datetime(2024, 5, 1, 8, 0, tzinfo=UTC)


def save(store, item):
    return store.save_item(item, html=item.html, text=item.html, seen_at=T0)


def test_change_numbers_become_visible_in_order_with_two_writers(pg_store_url, make_item):
    """A transaction that drew its change placeholder first but commits last still gets the higher
    number: a reader that moved past the numbers it saw never misses one that shows up later."""
    first, second, reader = open_store(pg_store_url), open_store(pg_store_url), open_store(pg_store_url)
    try:
        with first._write("hold a transaction open") as conn:
            first._save(conn, make_item(1), "<p>1</p>", "1", T0.isoformat(), None, frozenset())
            save(second, make_item(2))  # commits while the first is still open
            seen = [seq for seq, _ in reader.changes_since(0)]
            assert len(seen) == 1
        after = [(seq, a.url) for seq, a in reader.changes_since(seen[-1])]
        assert len(after) == 1 and after[0][0] > seen[-1] and after[0][1].endswith("/a/1")
        assert reader.last_change() == after[0][0]
        assert reader.integrity_check() == "ok"
    finally:
        for s in (first, second, reader):
            s.close()


def test_a_rolled_back_write_leaves_a_gap_never_filled(pg_store_url, make_item):
    store = open_store(pg_store_url)
    try:
        save(store, make_item(1))
        with pytest.raises(RuntimeError):
            with store._write("fail on purpose") as conn:
                store._save(conn, make_item(2), "<p>2</p>", "2", T0.isoformat(), None, frozenset())
                raise RuntimeError("boom")
        save(store, make_item(3))
        seqs = [seq for seq, _ in store.changes_since(0)]
        assert len(seqs) == 2 and seqs == sorted(seqs) and store.count_articles() == 2
    finally:
        store.close()


def test_a_database_without_the_schema_offers_migrate_and_migrate_makes_it(pg_url):
    with pytest.raises(StoreError, match="holds no newsmirror archive.*newsmirror --store URL migrate"):
        open_store(pg_url)
    with open_store(pg_url, migrate=True) as store:
        assert store.schema_version == SCHEMA_VERSION
    with open_store(pg_url, migrate=True) as store:  # migrating twice changes nothing
        assert store.schema_version == SCHEMA_VERSION and store.count_articles() == 0


def test_readonly_store_cannot_write(pg_store_url, make_item):
    with open_store(pg_store_url, readonly=True) as store:
        with pytest.raises(StoreError, match="read-only"):
            save(store, make_item(1))


@pytest.mark.parametrize("url, message", [
    ("mysql://db.example/news", "unknown scheme 'mysql'"),
    ("postgresql://user:secret@127.0.0.1:notaport/db", "not a valid PostgreSQL URL|cannot reach"),
    ("sqlite://relative.sqlite", "names an absolute file"),
])
def test_a_bad_store_location_is_one_line_naming_it(url, message):
    with pytest.raises(StoreError, match=message) as info:
        open_store(url)
    assert "\n" not in str(info.value) and "secret" not in str(info.value)


def test_an_unreachable_database_is_one_line_naming_it():
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"postgresql://u:secret@127.0.0.1:{port}/news"
    with pytest.raises(StoreError, match=f"cannot reach the database postgresql://u:\\*\\*\\*@127.0.0.1:{port}/news"):
        open_store(url)


def test_a_database_that_goes_away_mid_run_is_a_store_error_and_nothing_partial(pg_store_url, make_item):
    store = open_store(pg_store_url)
    try:
        save(store, make_item(1))
        pid = store._db.pg.info.backend_pid
        with psycopg.connect(pg_store_url, autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
        items = [(make_item(n), "<p>x</p>", "x") for n in range(2, 6)]
        with pytest.raises(StoreError, match="the database postgresql://.*cannot save 4 items"):
            store.save_items(items, seen_at=T0)
    finally:
        store.close()
    with open_store(pg_store_url) as again:
        assert again.count_articles() == 1


def test_a_server_too_old_for_the_archive_is_one_line_naming_it(pg_store_url):
    from newsmirror.store.postgres import MIN_SERVER_VERSION, server_too_old

    with psycopg.connect(pg_store_url) as conn:
        assert server_too_old(conn.info.server_version, "db") is None  # the test cluster is recent enough
    assert server_too_old(120017, "postgresql://news@db/news") == (
        "the database postgresql://news@db/news runs PostgreSQL 12; newsmirror needs "
        f"{MIN_SERVER_VERSION // 10000} or later: upgrade the server")
    assert "PostgreSQL 9.6;" in (server_too_old(90624, "db") or "")
