"""Fixtures for the archive tests: the store on each backend, and a feed-item factory.

`store` runs every test that takes it twice: on a real SQLite file in tmp_path and on a new
database of a real PostgreSQL cluster (tests/pgserver.py; skipped with a reason when PostgreSQL is
not installed, failing under CI=true). A new store method is tested on both by taking `store`."""

from __future__ import annotations

from datetime import datetime, UTC

import pytest

from newsmirror.models import FeedItem
from newsmirror.store.sqlite import SQLiteStore

T0 = datetime(2024, 5, 1, 8, 0, tzinfo=UTC)


@pytest.fixture(params=["sqlite", "postgres"])
def store(request, tmp_path):
    """A fresh, migrated archive on each backend; closed after the test."""
    if request.param == "sqlite":
        s = SQLiteStore(tmp_path / "archive.sqlite")
    else:
        from newsmirror.store import open_store

        s = open_store(request.getfixturevalue("pg_store_url"))
    yield s
    s.close()


@pytest.fixture
def make_item():
    """Build a FeedItem with test defaults: make_item(n) links to https://news.example/a/<n>."""

    def make(n: int | str = 1, **kw) -> FeedItem:
        kw.setdefault("source", "聯合報")
        kw.setdefault("feed_url", "https://news.example/rss")
        kw.setdefault("title", f"標題 {n}")
        kw.setdefault("link", f"https://news.example/a/{n}")
        kw.setdefault("guid", f"guid-{n}")
        kw.setdefault("published", T0)
        kw.setdefault("summary_html", f"<p>內容 {n}</p>")
        return FeedItem(**kw)

    return make
