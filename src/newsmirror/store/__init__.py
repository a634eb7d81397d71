"""The archive behind a small interface, so SQLite can later be joined by PostgreSQL.

Every stage that reads or writes the archive goes through `Store`; `open_store` picks the
implementation from the location (a path means SQLite).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager
from datetime import date, datetime
from pathlib import Path
from typing import Protocol, runtime_checkable

from newsmirror.models import (
    Article,
    ArticleVersion,
    FeedItem,
    FeedSchedule,
    FeedState,
    PageFetch,
    PageStatus,
    RobotsTxt,
    SaveOutcome,
    StoredArticle,
    Story,
)

__all__ = ["Store", "open_store", "canonical_url", "BACKENDS"]


@runtime_checkable
class Store(Protocol):
    """What the pipeline, publishers and the web server need from an archive."""

    # --- feeds: HTTP validators and health -------------------------------------------------
    def get_feed_state(self, url: str) -> FeedState | None:
        """The feed's last state, or None if never fetched."""

    def record_feed_fetch(
        self,
        source: str,
        url: str,
        *,
        fetched_at: datetime,
        status: int | None,
        error: str | None = None,
        etag: str | None = None,
        last_modified: str | None = None,
        items_seen: int = 0,
    ) -> FeedState:
        """Record one fetch of a feed: ok (error None) resets the failure count, else increments it.

        A 304 keeps the stored validators; validators given replace them."""

    def feed_states(self) -> list[FeedState]:
        """Every feed's state, ordered by source then URL."""

    def page_quality(self, *, since: datetime, until: datetime) -> list[tuple[str, int, int]]:
        """(source, pages read, pages extracted as articles with a byline and a date) per source, over
        the page fetches last tried in [since, until) (the extraction regression alarm)."""

    # --- feed schedule: when each feed is due, and which of its URLs is in use ---------------
    def get_feed_schedule(self, url: str) -> FeedSchedule | None:
        """A feed's schedule (keyed by the URL sources.toml lists), or None when it has none yet."""

    def save_feed_schedule(self, schedule: FeedSchedule) -> None:
        """Write a feed's schedule, replacing the last one."""

    def feed_schedules(self) -> list[FeedSchedule]:
        """Every feed's schedule, soonest due first."""

    def recent_published(self, feed_url: str, *, since: datetime, limit: int = 1000) -> list[datetime]:
        """Publishing times of the articles stored from a feed since `since`, newest first."""

    # --- page fetches: one record per article whose page was attempted ------------------------
    def get_page_fetch(self, article_id: int) -> PageFetch | None:
        """The record of an article's page fetch (status, attempts, last reason, next try), or None.

        None means the page was never attempted: the article needs no page, or a run is about to try."""

    def save_page_fetch(self, record: PageFetch) -> None:
        """Write an article's page-fetch record, replacing the previous one (one transaction)."""

    def page_fetches(self, *, status: PageStatus | None = None, due_by: datetime | None = None,
                     source: str | None = None, limit: int | None = None) -> list[PageFetch]:
        """Page-fetch records (with their article's source), newest attempt first.

        `due_by`: only retries due by then (status retrying, next_try <= due_by), oldest due first."""

    # --- robots.txt answers, kept a day --------------------------------------------------------
    def get_robots(self, origin: str) -> RobotsTxt | None:
        """The last robots.txt answer kept for `origin` (scheme://host[:port]), or None."""

    def save_robots(self, robots: RobotsTxt) -> None:
        """Keep a robots.txt answer, replacing the last one for its origin."""

    # --- articles ---------------------------------------------------------------------------
    def save_item(
        self,
        item: FeedItem,
        *,
        html: str,
        text: str,
        seen_at: datetime,
        raw_ref: str | None = None,
    ) -> SaveOutcome:
        """Store one feed item, de-duplicated by canonical URL and by (source, GUID).

        New article -> NEW (revision 1); the feed's normalized title and text differ from the
        current revision's feed text -> REVISED (a new revision, old ones kept); otherwise
        UNCHANGED (last_seen updated); DUPLICATE when the same URL is already stored for another
        source or feed. `html` is the sanitized HTML, `text` its plain text. Atomic: one transaction."""

    def save_items(self, items: list[tuple[FeedItem, str, str]], *, seen_at: datetime,
                   raw_ref: str | None = None) -> list[SaveOutcome]:
        """save_item for (item, html, text) triples in one transaction (one feed's worth)."""

    def save_page(self, article_id: int, extracted: Article, *, html: str, text: str,
                  seen_at: datetime, raw_ref: str | None = None) -> SaveOutcome:
        """Keep the text read from the article's page, compared with the page text kept before.

        FILLED when the current revision had only the feed's text (same revision, better body);
        UNCHANGED for the same normalized text; REVISED when the page's text changed."""

    def reextract_page(self, article_id: int, raw_ref: str, extracted: Article, *, html: str, text: str,
                       seen_at: datetime) -> SaveOutcome:
        """Re-read the raw page response `raw_ref`: update the revision built on it in place (REEXTRACTED).

        Never creates a revision."""

    def delete_source_articles(self, source: str) -> list[int]:
        """Delete every article of `source` and everything kept about it; return their ids (one transaction)."""

    def transaction(self, what: str) -> AbstractContextManager[None]:
        """Run the writes inside the `with` block as one transaction: all or none, one commit (on PostgreSQL a
        round trip and a flush saved per write). `what` names the work in an error message."""

    def get_article(self, article_id: int) -> StoredArticle | None:
        """One article with its current revision, or None."""

    def get_article_by_url(self, url: str) -> StoredArticle | None:
        """Look up by any URL form; it is canonicalised first."""

    def article_versions(self, article_id: int) -> list[ArticleVersion]:
        """Every revision of an article, oldest first."""

    def iter_articles(
        self,
        *,
        source: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        newest_first: bool = False,
        limit: int | None = None,
        offset: int = 0,
    ) -> Iterator[StoredArticle]:
        """Stream articles ordered by (published, id); never loads the whole archive."""

    def changes_since(self, seq: int, *, limit: int | None = None) -> Iterator[tuple[int, StoredArticle]]:
        """Articles created or changed after change number `seq`, in change order, with their number.

        Every save that creates an article or changes its current body stamps it with a new, higher
        change number; the search index (a separate file) uses this to catch up after a crash.

        The rule that makes this safe with many writers: change numbers become visible in
        increasing order, so every number a reader can see is safe to move past (no lower number
        can appear later), and no number is handed out twice, not even after the article that
        carried it was deleted. SQLite has one writer at a time and a counter row that never goes
        down. PostgreSQL draws numbers from a sequence at the end of each writing transaction,
        under a transaction-scoped advisory lock held through its commit (store.postgres), so
        transactions commit their numbers in order; numbers of rolled-back transactions are gaps,
        never filled."""

    def last_change(self) -> int:
        """The newest change number given out (0 for an empty archive); never goes down, and a deletion
        raises it too (a number no article carries), so a purge counts as a change for publishing."""

    def day_counts(self, since: datetime, until: datetime, tz: str) -> dict[date, int]:
        """How many articles were published on each local day of zone `tz`, for since <= published < until."""

    def count_articles(self, *, source: str | None = None, since: datetime | None = None,
                       until: datetime | None = None) -> int:
        """How many articles there are (for one source; published in [since, until))."""

    def sources(self) -> list[tuple[str, int, datetime | None]]:
        """(source name, article count, newest published) for every source with articles."""

    # --- stories: read by the web, publish and the CLI (the stories stage writes them: story_tables.py)

    def stories(self, *, ids: Iterable[int] | None = None, since: datetime | None = None,
                until: datetime | None = None, source: str | None = None, min_articles: int = 1,
                newest_first: bool = False, limit: int | None = None, offset: int = 0) -> list[Story]:
        """Stories with their articles in time order: those `ids`, or those with an article published in
        [since, until) (of `source`, when given), oldest first unless `newest_first`, paged."""

    def count_stories(self, *, since: datetime | None = None, until: datetime | None = None,
                      source: str | None = None, min_articles: int = 1) -> int:
        """How many stories `stories` would list with the same filters."""

    def story_ids(self, article_ids: Iterable[int]) -> dict[int, int]:
        """The story of each placed article among `article_ids`."""

    def close(self) -> None:
        """Commit and close."""


# Backends by URL scheme: the one place a store backend is registered.
BACKENDS = {
    "sqlite": "newsmirror.store.sqlite:SQLiteStore",
    "postgresql": "newsmirror.store.postgres:PostgresStore",
    "postgres": "newsmirror.store.postgres:PostgresStore",
}


def open_store(location: str | Path, *, readonly: bool = False, migrate: bool | None = None) -> Store:
    """Open the archive at `location`: a path or sqlite:///path (an SQLite file, created and migrated
    on first use), or postgresql://user@host:port/db (psycopg 3; migrated only with `migrate=True`,
    i.e. `newsmirror migrate`). A malformed location or an unknown scheme is a one-line StoreError."""
    from newsmirror.errors import StoreError

    text = str(location)
    scheme, sep, rest = text.partition("://")
    if not sep:  # a path
        cls = _backend("sqlite")
        return cls(Path(text), readonly=readonly)
    scheme = scheme.lower()
    if scheme not in BACKENDS:
        known = ", ".join(f"{k}://" for k in BACKENDS)
        raise StoreError(f"store {_redact(text)}: unknown scheme {scheme!r}; use a path, or one of {known}")
    cls = _backend(scheme)
    if scheme == "sqlite":
        if not rest.startswith("/") or rest == "/":
            raise StoreError(f"store {text}: a sqlite URL names an absolute file, as in sqlite:///srv/archive.sqlite")
        return cls(Path(rest), readonly=readonly)
    return cls(text, readonly=readonly, migrate=bool(migrate))


def _backend(scheme: str):
    import importlib

    module, _, name = BACKENDS[scheme].partition(":")
    try:
        return getattr(importlib.import_module(module), name)
    except ImportError as exc:
        from newsmirror.errors import StoreError

        raise StoreError(f"the {scheme} store needs {exc.name}; install it with: pip install 'newsmirror[postgres]'"
                         ) from None


def _redact(url: str) -> str:
    """A store URL fit for a message: any password replaced by ***."""
    import re

    return re.sub(r"(://[^:/@]*:)[^@/]*@", r"\1***@", url)


def canonical_url(url: str) -> str:
    """The archive's key for a URL (see store.keys)."""
    from newsmirror.store.keys import canonical_url as _canonical

    return _canonical(url)
