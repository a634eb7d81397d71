"""Fixtures for the archive tests: a real SQLite file in tmp_path and a feed-item factory."""

from __future__ import annotations

from datetime import datetime, UTC

import pytest

from newsmirror.models import FeedItem
from newsmirror.store.sqlite import SQLiteStore

T0 = datetime(2024, 5, 1, 8, 0, tzinfo=UTC)


@pytest.fixture
def store(tmp_path):
    """A fresh, migrated archive; closed after the test."""
    s = SQLiteStore(tmp_path / "archive.sqlite")
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
