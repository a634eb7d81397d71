"""Fixtures for the search tests: a real archive (SQLiteStore) and a real index file in tmp_path."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest

from newsmirror.index import SearchIndex
from newsmirror.models import FeedItem, StoredArticle
from newsmirror.store import open_store

NOW = datetime.now(UTC).replace(microsecond=0)


@pytest.fixture
def store(tmp_path):
    """A fresh archive file; closed after the test."""
    s = open_store(tmp_path / "a.sqlite")
    yield s
    s.close()


@pytest.fixture
def index(tmp_path):
    """A fresh search index file with the shipped aliases."""
    ix = SearchIndex(tmp_path / "index.sqlite")
    yield ix
    ix.close()


@pytest.fixture
def save(store):
    """save(title, text, source=..., days_ago=...) stores one article and returns its id."""
    counter = itertools.count(1)

    def _save(title: str, text: str = "", *, source: str = "中央社", days_ago: float = 1.0) -> int:
        n = next(counter)
        published = NOW - timedelta(days=days_ago)
        item = FeedItem(
            source=source,
            feed_url=f"https://news.example/{n % 3}/rss",
            title=title,
            link=f"https://news.example/a/{n}",
            guid=f"g{n}",
            published=published,
            summary_html=f"<p>{text}</p>",
        )
        outcome = store.save_item(item, html=f"<p>{text}</p>", text=text, seen_at=published)
        return outcome.article_id

    return _save


@pytest.fixture
def now() -> datetime:
    """The reference time the articles' ages count from."""
    return NOW


@pytest.fixture
def make_article():
    """make_article(id, title, text, source=..., days_ago=...): a StoredArticle value."""
    return _article


def _article(i: int, title: str, text: str, *, source: str = "中央社", days_ago: float = 1.0) -> StoredArticle:
    """A StoredArticle value for tests that bypass the store."""
    t = NOW - timedelta(days=days_ago)
    return StoredArticle(
        id=i, source=source, url=f"https://news.example/a/{i}", link=f"https://news.example/a/{i}", guid=None,
        title=title, published=t, first_seen=t, last_seen=t, authors=(), categories=(), feed_html="",
        html="", text=text, version=1,
    )
