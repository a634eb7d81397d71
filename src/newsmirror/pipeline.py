"""The only module that wires the stages together: fetch -> feeds -> extract -> store -> index -> publish.

Each stage is a library of plain functions; this module decides their order, the transaction
boundaries that make a run crash-safe, and what a failure of one feed or page means for the
others (nothing: it is recorded and the run goes on).

Crash safety, in order: a response is written to the WARC archive (fsynced) before anything is
stored; a feed's items are stored in one transaction; only then are the feed's HTTP validators
(ETag/Last-Modified) recorded, so a run killed in between refetches that feed in full next time
and the store's de-duplication makes that harmless. The search index lives in its own file and
catches up from the store's change numbers, so it may lag but never loses an article.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import AsyncIterator, Awaitable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, UTC
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar

from newsmirror.config import Settings
from newsmirror.errors import ConfigError, FeedError, FetchError, NewsMirrorError, SearchError, StoreError, StoryError
from newsmirror.models import FetchResult, SaveStatus, SearchHit, Source
from newsmirror.progress import Progress

__all__ = [
    "FeedOutcome",
    "FeedReport",
    "FetchSummary",
    "PublishStep",
    "run_publish",
    "check_publish",
    "index_into",
    "IndexFollower",
    "follow_index",
    "FOLLOW_BATCH",
    "Failure",
    "ReextractSummary",
    "run_fetch",
    "fetch_sources",
    "FeedFetch",
    "PageTask",
    "PageFetch",
    "fetch_feed",
    "finish_feed",
    "fetch_page",
    "finish_page",
    "fetch_pages",
    "as_they_come",
    "pending_pages",
    "needs_page",
    "reextract_archive",
    "update_index",
    "open_index",
    "index_path",
    "run_demo",
    "source_outlets",
    "source_timezones",
    "purge_source",
    "search_archive",
    "LocalHits",
    "update_stories",
    "list_stories",
]

T = TypeVar("T")


@dataclass(frozen=True)
class Failure:
    """One thing that failed, with the one-line reason shown to the user."""

    source: str
    url: str
    reason: str

    def __str__(self) -> str:
        return f"{self.source}: {self.reason}"


class FeedOutcome(StrEnum):
    """How one feed's fetch ended."""

    OK = "ok"
    NOT_MODIFIED = "not_modified"
    FAILED = "failed"


@dataclass(frozen=True)
class FeedReport:
    """One feed's fetch in a run, with what the server said about when to come back."""

    source: str
    url: str  # the feed as sources.toml lists it
    fetched: str  # the URL asked: the primary or an alternate
    outcome: FeedOutcome
    status: int | None
    new: int = 0
    items: int = 0  # items in the feed (its window)
    max_age: float | None = None  # Cache-Control max-age, seconds
    ttl: int | None = None  # RSS <ttl>, minutes
    retry_after: float | None = None  # seconds asked by a 429/503 we did not wait for
    error: str | None = None


@dataclass
class FetchSummary:
    """What one fetch run did."""

    sources_ok: int = 0
    sources_failed: int = 0
    feeds_ok: int = 0
    feeds_not_modified: int = 0
    feeds_failed: int = 0
    new: int = 0
    revised: int = 0  # articles the outlet changed: a new revision each
    unchanged: int = 0
    duplicates: int = 0
    pages: int = 0
    pages_failed: int = 0
    pages_disallowed: int = 0
    indexed: int = 0
    seconds: float = 0.0
    failures: list[Failure] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # things worth one log line that are not failures
    feeds: list[FeedReport] = field(default_factory=list)  # one per feed, for the scheduler

    def count_sources(self, names: set[str]) -> None:
        """Set sources_ok/failed: a source failed when one of its feeds did."""
        failed = {f.source for f in self.feeds if f.outcome is FeedOutcome.FAILED}
        self.sources_failed = len(failed & names)
        self.sources_ok = len(names) - self.sources_failed

    def line(self) -> str:
        """The one summary line a run ends with."""
        return (
            f"fetch done: {self.sources_ok} sources ok, {self.sources_failed} failed; "
            f"{self.new} new, {self.revised} revised, {self.duplicates} duplicates, "
            f"{self.unchanged} unchanged; {self.feeds_not_modified} feeds not modified; "
            f"{self.pages} pages fetched, {self.pages_failed} failed"
            + (f", {self.pages_disallowed} disallowed by robots.txt" if self.pages_disallowed else "")
            + f"; {self.seconds:.1f} s"
        )


SUMMARY_CHARS = 200  # feed text shorter than this is a summary (Chinese feed summaries run 50-150 characters)


def needs_page(source: Source, feed_html: str, *, text: str | None = None) -> bool:
    """Whether an item's page must be fetched for the full text, per the source's full_text mode.

    "auto" fetches the page when the feed's text looks like a summary: short, or cut off with an
    ellipsis. `text`, the plain text of the sanitized feed HTML when the caller has it, saves a parse."""
    if source.full_text == "always":
        return True
    if source.full_text == "never":
        return False
    if text is None:
        from newsmirror.sanitize import html_to_text

        text = html_to_text(feed_html)
    text = text.rstrip()
    return len(text) < SUMMARY_CHARS or text.endswith(("...", "…", "[…]", "（略）"))


def fetch_sources(settings: Settings, sources: list[Source], *, policy=None, progress: Progress | None = None,
                  now: datetime | None = None) -> FetchSummary:
    """Fetch every feed of `sources` once, store new and changed items; never raises for one bad feed."""
    return asyncio.run(run_fetch(settings, sources, policy=policy, progress=progress, now=now))


async def run_fetch(settings: Settings, sources: list[Source], *, policy=None, progress: Progress | None = None,
                    now: datetime | None = None, sync_index: bool = True,
                    follow_index_after: int | None = None) -> FetchSummary:
    """The async body of `fetch_sources`: feeds fetched concurrently, stored as each arrives.

    Each feed is fetched from the URL in use (the primary, or an alternate while the primary fails:
    fetch.failover); `summary.feeds` reports each feed's outcome and the server's hints for the
    scheduler. `sync_index=False` leaves the search index to the caller; past `follow_index_after`
    stored changes (default FOLLOW_INDEX_AFTER) a second process indexes beside the fetch."""
    from newsmirror.fetch.http import Fetcher, FetchPolicy
    from newsmirror.fetch.warc import RawArchive
    from newsmirror.store import open_store

    settings.ensure_home()
    summary = FetchSummary()
    now = now or datetime.now(UTC)  # the run's clock for every schedule decision (tests pass their own)
    progress = progress or Progress("fetch", quiet=True)
    feeds = [(s, url) for s in sources for url in s.feeds]
    progress.total = len(feeds)
    store = open_store(settings.store_location)
    archive = RawArchive(settings.raw_dir)
    follower = IndexFollower(settings) if sync_index else None
    try:
        first_change = store.last_change()  # the run's own changes come after it (see pending_pages)
        suspects = _suspect_hosts(store, now)
        async with Fetcher(policy or FetchPolicy(), archive, store=store, clock=lambda: now,
                           suspect_hosts=suspects) as fetcher:
            by_name = {s.name: s for s in sources}
            pages: dict[int, PageTask] = {}
            async for fetched in as_they_come(fetch_feed(fetcher, store, s, url, now, summary) for s, url in feeds):
                for page in finish_feed(store, by_name[fetched.source], fetched, now, summary, progress):
                    pages[page.article_id] = page
                if follower is not None and summary.new + summary.revised >= (follow_index_after or FOLLOW_INDEX_AFTER):
                    follower.start()
            # pages that a killed run never reached, or that failed lately, are tried again
            for page in pending_pages(store, sources, now, before=first_change):
                pages.setdefault(page.article_id, page)
            if pages:
                progress.total = (progress.total or 0) + len(pages)
                await fetch_pages(fetcher, store, [(by_name[p.source], p) for p in pages.values()], summary,
                                  progress, now, outlets=source_outlets(settings, sources))
        if follower is not None:
            follower.stop()
        if sync_index:
            index_into(settings, store, summary)
    finally:
        if follower is not None:
            follower.stop()
        archive.close()
        store.close()
    summary.count_sources({s.name for s in sources})
    summary.seconds = progress.seconds
    progress.finish()
    return summary


FOLLOW_INDEX_AFTER = 1000  # stored changes in one run after which a second process indexes beside the fetch


class IndexFollower:
    """A second process that keeps the search index caught up while a big fetch stores articles.

    The index is its own file, synced from the store's change numbers, so it can be written
    beside the fetch on the machine's other core instead of after it. `start` is called when a
    run has stored FOLLOW_INDEX_AFTER changes (small runs never pay for the process); `stop` closes
    its stdin, which asks it to finish its current sync, and waits. The run's own last `index_into`
    indexes whatever is left, so nothing depends on the follower: if it fails or is killed, the
    work only moves back to the end of the run. It ends with its parent (stdin closes)."""

    def __init__(self, settings: Settings, *, batch: int | None = None) -> None:
        self.settings = settings
        self.batch = FOLLOW_BATCH if batch is None else batch  # changes gathered before each sync
        self._process: subprocess.Popen | None = None

    def start(self) -> None:
        if self._process is not None:
            return
        code = (f"from newsmirror.pipeline import follow_index; "
                f"follow_index({str(self.settings.home)!r}, {self.settings.store!r}, batch={self.batch!r})")
        try:
            self._process = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE,
                                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        except OSError:  # no second process: the run indexes at its end, as small runs do
            self._process = None

    def stop(self) -> None:
        if self._process is None:
            return
        process, self._process = self._process, None
        try:
            process.stdin.close()  # type: ignore[union-attr]
        except OSError:
            pass
        process.wait()


FOLLOW_BATCH = 400  # changes the follower lets gather before it syncs (one FTS transaction each)


def follow_index(home: str, store_url: str | None = None, interval: float = 0.2, batch: int = FOLLOW_BATCH) -> None:
    """The follower's body (see IndexFollower): every `interval` seconds, sync the index once `batch` changes
    have gathered in the store, until stdin closes, then once more. A sync of a few articles each 0.2 s
    was a small FTS5 transaction each (a segment to write and merge later): 1.17 against 0.93 ms an article
    in batches of 200 (/tmp script, 4,000 bench items). The index is opened once (opening builds the alias
    table: tens of ms). Errors end it quietly; the run's own index_into reports them."""
    import select

    from newsmirror.store import open_store

    settings = Settings(Path(home), store_url)
    try:
        store = open_store(settings.store_location)
        try:
            index = open_index(settings, readonly=False)
            try:
                while True:
                    stopping = bool(select.select([sys.stdin], [], [], interval)[0])
                    if stopping or store.last_change() - index.last_seq >= batch:
                        index.sync(store)
                    if stopping:
                        return
            finally:
                index.close()
        finally:
            store.close()
    except (NewsMirrorError, OSError):
        return


def index_into(settings: Settings, store, summary: FetchSummary) -> None:
    """Bring the search index and the stories up to date; a failure is the summary's, never the stored articles'."""
    try:
        summary.indexed = _sync_index(settings, store)
    except SearchError as exc:  # the articles are stored; the index is derived and rebuilt on demand
        summary.failures.append(Failure("search index", str(index_path(settings)),
                                        f"{exc} (run 'newsmirror index --rebuild')"))
    try:
        from newsmirror.stories import sync_stories

        run = sync_stories(store, _aliases(settings))
        if run.note:
            summary.notes.append(run.note)
    except (StoryError, StoreError) as exc:  # placements are derived: the next run catches up
        summary.failures.append(Failure("stories", str(settings.db_path), f"{exc} (run 'newsmirror stories')"))


def _aliases(settings: Settings):
    """The shipped aliases plus the home's aliases.tsv."""
    from newsmirror.chinese import load_aliases

    return load_aliases(settings.home / "aliases.tsv")


def update_stories(settings: Settings, *, rebuild: bool = False, progress: Progress | None = None):
    """Place what the archive created or changed since the last run, or regroup it all (`rebuild`, which
    also continues a regrouping that was killed); return the StoryRun."""
    from newsmirror.store import open_store
    from newsmirror.stories import rebuild_stories, sync_stories

    progress = progress or Progress("stories", quiet=True)
    store = open_store(settings.store_location)
    try:
        if rebuild:
            progress.total = store.count_articles()
        report = lambda n: progress.advance(n - progress.done)  # noqa: E731
        work = rebuild_stories if rebuild else sync_stories
        # features in helper processes when a catch-up has full batches (fetch's own sync stays in-process)
        return work(store, _aliases(settings), progress=report, workers=min(os.cpu_count() or 1, 4))
    finally:
        store.close()
        progress.finish()


def list_stories(settings: Settings, *, since: datetime | None = None, source: str | None = None,
                 min_articles: int = 1, page: int = 500):
    """Every story with an article published since `since` (of `source`), oldest first, streamed."""
    from newsmirror.store import open_store

    store = open_store(settings.store_location)
    try:
        offset = 0
        while True:
            batch = store.stories(since=since, source=source, min_articles=min_articles, limit=page, offset=offset)
            yield from batch
            if len(batch) < page:
                return
            offset += page
    finally:
        store.close()


def _record_feed(store, source: Source, url: str, fetched: str, now: datetime, summary: FetchSummary, *,
                 status: int | None, error: str | None = None, **validators) -> None:
    """Record one fetch of a feed's URL and move the feed to another URL when the one in use keeps failing."""
    from newsmirror.fetch.failover import after_fetch
    from newsmirror.models import FeedSchedule

    state = store.record_feed_fetch(source.name, fetched, fetched_at=now, status=status, error=error, **validators)
    alternates = source.alternates_for(url)
    if not alternates:
        return
    schedule = store.get_feed_schedule(url) or FeedSchedule(url, source.name, now, source.interval * 60)
    changed, line = after_fetch(url, alternates, schedule, fetched=fetched, ok=error is None,
                                failures=state.consecutive_failures, failover_after=source.failover_after, now=now)
    if changed != schedule:
        store.save_feed_schedule(changed)
    if line:
        summary.notes.append(f"{source.name}: {line}")


def _max_age(headers: dict[str, str]) -> float | None:
    """Seconds of Cache-Control max-age (s-maxage for shared caches is not ours), or None."""
    for part in headers.get("cache-control", "").split(","):
        name, _, value = part.strip().partition("=")
        if name.strip().lower() == "max-age" and value.strip().strip('"').isdigit():
            return float(value.strip().strip('"'))
    return None


@dataclass(frozen=True)
class FeedFetch:
    """Step 1 of a feed's fetch: what came back from the URL in use (a result or an error), plain values."""

    source: str  # the source's name
    url: str  # the feed as sources.toml lists it
    fetched: str  # the URL asked: the primary or an alternate
    result: FetchResult | None
    error: FetchError | None


@dataclass(frozen=True)
class PageTask:
    """An article page to fetch for the full text: plain values, so a queue can carry it (JSON)."""

    source: str  # the source's name
    article_id: int
    link: str


async def fetch_feed(fetcher, store, source: Source, url: str, now: datetime, summary: FetchSummary) -> FeedFetch:
    """Fetch one feed from the URL in use (and, when the primary is retried, the alternate after it),
    with its stored validators."""
    from newsmirror.fetch.failover import urls_to_try

    schedule = store.get_feed_schedule(url) if source.alternates_for(url) else None
    tries = urls_to_try(url, schedule, now)
    for i, fetched in enumerate(tries):
        state = store.get_feed_state(fetched)
        try:
            result = await fetcher.get(fetched, etag=state.etag if state else None,
                                       last_modified=state.last_modified if state else None)
        except FetchError as exc:
            error: FetchError = exc
        except Exception as exc:  # a bug in one feed's handling must not stop the others
            error = FetchError(f"{fetched}: unexpected {type(exc).__name__}: {exc}", url=fetched)
        else:
            return FeedFetch(source.name, url, fetched, result, None)
        if i + 1 < len(tries):  # the retried primary failed: record it, go on to the alternate
            _record_feed(store, source, url, fetched, now, summary, status=error.status, error=str(error))
            continue
        return FeedFetch(source.name, url, fetched, None, error)
    raise AssertionError("urls_to_try returned no URL")


def finish_feed(store, source: Source, fetch: FeedFetch, now: datetime, summary: FetchSummary,
                progress: Progress) -> list[PageTask]:
    """Steps 2 and 3 of a feed's fetch: parse it, store its items, record the fetch; return the pages it needs.

    A failure is recorded against the feed and counted in `summary`; it never raises for one feed."""
    url, fetched, result = fetch.url, fetch.fetched, fetch.result

    def failed(error: FetchError | FeedError, status: int | None) -> list[PageTask]:
        reason = str(error)
        summary.feeds_failed += 1
        summary.failures.append(Failure(source.name, fetched, reason))
        _record_feed(store, source, url, fetched, now, summary, status=status, error=reason)
        summary.feeds.append(FeedReport(source.name, url, fetched, FeedOutcome.FAILED, status, error=reason,
                                        retry_after=getattr(error, "retry_after", None)))
        progress.advance(failed=True)
        return []

    if fetch.error is not None or result is None:
        error = fetch.error or FetchError(f"{fetched}: no response", url=fetched)
        return failed(error, error.status)
    max_age = _max_age(result.headers)
    if result.not_modified:
        summary.feeds_not_modified += 1
        _record_feed(store, source, url, fetched, now, summary, status=304)
        summary.feeds.append(FeedReport(source.name, url, fetched, FeedOutcome.NOT_MODIFIED, 304, max_age=max_age))
        progress.advance(not_modified=1)
        return []
    try:
        parsed = _parse(source, url, result)
    except FeedError as exc:
        return failed(exc, result.status)
    before = summary.new
    pages = _store_feed(store, source, url, fetched, result, parsed, summary, now)
    summary.feeds_ok += 1
    summary.feeds.append(FeedReport(source.name, url, fetched, FeedOutcome.OK, result.status,
                                    new=summary.new - before, items=len(parsed.items), ttl=parsed.ttl,
                                    max_age=max_age))
    progress.advance(new=summary.new - before)
    return [PageTask(source.name, article_id, link) for article_id, link in pages]


def _parse(source: Source, url: str, result):
    """Parse a fetched feed; anything unexpected in one feed is that feed's failure, not the run's."""
    from newsmirror.fetch.feeds import parse_feed

    url = result.url
    try:
        return parse_feed(result.content, url=result.final_url or url, source=source,
                          content_type=result.headers.get("content-type"))
    except FeedError:
        raise
    except Exception as exc:  # a parser bug on odd input must not stop the other feeds
        raise FeedError(f"{url} could not be parsed ({type(exc).__name__}: {exc})", url=url) from exc


def _store_feed(store, source: Source, url: str, fetched: str, result, parsed, summary: FetchSummary,
                now: datetime) -> list[tuple[int, str]]:
    """Store a feed's items in one transaction, then record its validators; return pages to fetch.

    Items fetched from an alternate URL are stored as the feed's own (feed_url is the primary), so
    switching URLs never turns the same articles into duplicates."""
    from dataclasses import replace

    from newsmirror.sanitize import sanitize_html, sanitized_text

    triples = []
    for item in parsed.items:
        if item.feed_url != url:
            item = replace(item, feed_url=url)
        html = sanitize_html(item.html, base_url=item.link or url)
        triples.append((item, html, sanitized_text(html)))
    outcomes = store.save_items(triples, seen_at=result.fetched_at, raw_ref=result.raw_ref) if triples else []
    pages = []
    for (item, _, text), outcome in zip(triples, outcomes):
        if outcome.status is SaveStatus.NEW:
            summary.new += 1
        elif outcome.status is SaveStatus.REVISED:
            summary.revised += 1
        elif outcome.status is SaveStatus.DUPLICATE:
            summary.duplicates += 1
        else:
            summary.unchanged += 1
        if (outcome.status in (SaveStatus.NEW, SaveStatus.REVISED) and item.link
                and needs_page(source, item.html, text=text)
                and _page_wanted(store, outcome.article_id, now)):
            pages.append((outcome.article_id, item.link))
    _record_feed(store, source, url, fetched, now, summary, status=result.status, etag=result.etag,
                 last_modified=result.last_modified, items_seen=len(parsed.items))
    return pages


PAGE_RETRY_DAYS = 3  # articles first seen this recently that were never attempted get their page fetched
PAGE_RETRY_CHANGES = 5000  # ... among this many latest changes, which bounds the cost of a run


def pending_pages(store, sources: list[Source], now: datetime, *, before: int | None = None) -> Iterator[PageTask]:
    """Pages to try again: retries now due (see fetch.hosts), and recent articles a killed run never reached.

    `before`, the store's last change number when this run began: the run itself weighed every article
    it stored after that, so only the changes up to it are read again (all of them by default)."""
    from datetime import timedelta

    by_name = {s.name: s for s in sources if s.full_text != "never"}
    if not by_name:
        return
    for record in store.page_fetches(due_by=now):
        source = by_name.get(record.source)
        if source is not None:
            yield PageTask(source.name, record.article_id, record.url)
    since = now - timedelta(days=PAGE_RETRY_DAYS)
    last = store.last_change() if before is None else before
    start = max(last - PAGE_RETRY_CHANGES, 0)
    for seq, article in store.changes_since(start, limit=last - start):  # change numbers have gaps: check each
        if seq > last:
            return
        source = by_name.get(article.source)
        if (source is not None and article.extracted is None and article.link and article.first_seen >= since
                and needs_page(source, article.feed_html, text=article.text)  # the feed's: no page read yet
                and store.get_page_fetch(article.id) is None):
            yield PageTask(source.name, article.id, article.link)


def _suspect_hosts(store, now: datetime) -> set[str]:
    """Hosts whose pages failed to connect last time: one failure gives them up for this run too."""
    from newsmirror.fetch.hosts import host_of

    return {host_of(r.url) for r in store.page_fetches(due_by=now) if r.kind is not None and r.kind.unreachable}


def _page_wanted(store, article_id: int, now: datetime) -> bool:
    """Whether a new or changed item's page is fetched now: not when disallowed, given up or waiting to retry."""
    from newsmirror.models import PageStatus

    record = store.get_page_fetch(article_id)
    if record is None or record.status is PageStatus.OK:
        return True
    return record.status is PageStatus.RETRYING and (record.next_try is None or record.next_try <= now)


@dataclass(frozen=True)
class PageFetch:
    """Step 1 of a page's fetch: the response or the error, plain values."""

    task: PageTask
    result: FetchResult | None
    error: FetchError | None


async def fetch_page(fetcher, task: PageTask) -> PageFetch:
    """Fetch one article page politely (robots.txt, the host's delay); never raises for one page."""
    try:
        return PageFetch(task, await fetcher.get_page(task.link), None)
    except FetchError as exc:
        return PageFetch(task, None, exc)


def finish_page(store, source: Source, fetch: PageFetch, now: datetime, summary: FetchSummary,
                progress: Progress, *, outlets: Mapping[str, str] | None = None) -> Failure | None:
    """Steps 2 and 3 of a page's fetch: extract it, keep the body beside the feed text, record the attempt.

    `outlets` names the sources' outlets by host (`source_outlets`): the outlet of a page that names none.

    Every attempt is recorded (store.save_page_fetch): a failure is retried in a later run with backoff
    and given up after its window, with the reason kept (fetch.hosts). Returns the failure, if any, for
    the caller to report (a run folds a given-up host's failures into one line)."""
    from newsmirror.fetch.hosts import page_failed, page_fetched
    from newsmirror.models import FailureKind
    from newsmirror.sanitize import html_to_text, sanitize_html

    task, result, error = fetch.task, fetch.result, fetch.error
    article_id, link = task.article_id, task.link
    kind, reason, art, retry_after = None, None, None, None
    if error is not None or result is None:
        error = error or FetchError(f"{link}: no response", url=link)
        kind, reason, retry_after = error.kind, str(error), error.retry_after
    else:
        art, reason = _extract(result.content, result.final_url or link, source.timezone, result.fetched_at, outlets)
        kind = FailureKind.OTHER if reason else None
        if art is not None and (art.kind != "article" or not art.text.strip()):
            kind, reason = FailureKind.NOT_ARTICLE, f"page {link} has no article text"
    previous = store.get_page_fetch(article_id)
    if reason is not None:
        store.save_page_fetch(page_failed(previous, article_id=article_id, url=link,
                                          kind=kind or FailureKind.OTHER, reason=reason,
                                          now=now, retry_after=retry_after))
        if kind is FailureKind.DISALLOWED:
            summary.pages_disallowed += 1
            progress.advance(disallowed=1)
            return None
        summary.pages_failed += 1
        progress.advance(failed=True)
        return Failure(source.name, link, reason)
    assert art is not None and result is not None  # no reason to fail: the page was read and extracted
    html = sanitize_html(art.html or "", base_url=result.final_url or link)
    outcome = store.save_page(article_id, art, html=html, text=art.text or html_to_text(html),
                              seen_at=result.fetched_at, raw_ref=result.raw_ref)
    if outcome.status is SaveStatus.REVISED:  # the page changed while its feed item did not
        summary.revised += 1
    store.save_page_fetch(page_fetched(previous, article_id=article_id, url=link, now=now,
                                       complete=bool(art.authors and art.published)))
    summary.pages += 1
    progress.advance()
    return None


async def fetch_pages(fetcher, store, pages: list[tuple[Source, PageTask]], summary: FetchSummary,
                      progress: Progress, now: datetime, *, outlets: Mapping[str, str] | None = None) -> None:
    """Fetch article pages for summary-only items concurrently, finishing each as it arrives."""
    from newsmirror.fetch.hosts import host_of

    failures: list[Failure] = []
    sources = {task.source: source for source, task in pages}
    async for fetch in as_they_come(fetch_page(fetcher, task) for _, task in pages):
        failure = finish_page(store, sources[fetch.task.source], fetch, now, summary, progress, outlets=outlets)
        if failure is not None:
            failures.append(failure)
    # a host given up in this run is one line, not one per page
    dead = {v.host: v for v in fetcher.hosts.given_up()}
    summary.failures += [f for f in failures if host_of(f.url) not in dead]
    summary.failures += [Failure(f"host {v.host}", v.host, v.summary()) for v in dead.values()]
    summary.notes += fetcher.robots.notes


async def as_they_come(coros: Iterable[Awaitable[T]]) -> AsyncIterator[T]:
    """Run `coros` concurrently and yield each result as it arrives, keeping none once the next is asked for.

    asyncio.as_completed over a list of tasks keeps every task, and so every response, until the last
    one is done: a run of many feeds (or pages) held all their bodies at once. Here a result is handed
    over once and freed when the caller is done with it. An exception is raised where its result
    would have come; the others still running are then cancelled."""
    queue: asyncio.Queue[tuple[bool, Any]] = asyncio.Queue()

    async def run(coro: Awaitable[T]) -> None:
        try:
            queue.put_nowait((True, await coro))
        except Exception as exc:  # handed to the caller, in order of arrival
            queue.put_nowait((False, exc))

    tasks = [asyncio.create_task(run(c)) for c in coros]
    try:
        for _ in range(len(tasks)):
            ok, value = await queue.get()
            if not ok:
                raise value
            yield value
            del value
    finally:
        for task in tasks:
            task.cancel()


def _extract(data: bytes, url: str, tz: str | None, reference: datetime, outlets: Mapping[str, str] | None = None):
    """Extract one page; (article, None) or (None, one-line reason). One odd page never stops a run."""
    from newsmirror.extract import extract_article

    try:
        return extract_article(data, url, tz=tz, reference=reference, outlets=outlets), None
    except NewsMirrorError as exc:
        return None, f"{url}: {exc}"
    except Exception as exc:  # an extractor bug on odd markup is this page's failure, not the run's
        return None, f"{url}: extraction failed ({type(exc).__name__}: {exc})"


def _sync_index(settings: Settings, store) -> int:
    """Bring the search index up to date with the store."""
    index = open_index(settings, readonly=False)
    try:
        return index.sync(store)
    finally:
        index.close()


def open_index(settings: Settings, *, readonly: bool = False):
    """The search index of this home, with the shipped aliases plus the home's aliases.tsv."""
    from newsmirror.index import SearchIndex

    return SearchIndex(index_path(settings), aliases=_aliases(settings), readonly=readonly)


def update_index(settings: Settings, *, rebuild: bool = False, progress: Progress | None = None) -> tuple[int, float]:
    """Catch the index up with the archive, or rebuild it from scratch; return (articles, seconds)."""
    from newsmirror.store import open_store

    progress = progress or Progress("index", quiet=True)
    store = open_store(settings.store_location)
    if rebuild:  # derived data: start from an empty file, whatever format or state the old one had
        for suffix in ("", "-wal", "-shm"):
            Path(f"{index_path(settings)}{suffix}").unlink(missing_ok=True)
    index = open_index(settings)
    try:
        if rebuild:
            def report(done: int, total: int) -> None:
                progress.total = total
                progress.advance(done - progress.done)

            n = index.rebuild(store, progress=report)
        else:
            n = index.sync(store)
    finally:
        index.close()
        store.close()
        progress.finish()
    return n, progress.seconds


@dataclass
class ReextractSummary:
    """What a re-extraction run did."""

    pages: int = 0
    changed: int = 0  # revisions whose body was re-read differently (in place: never a new revision)
    failed: int = 0
    skipped: int = 0
    seconds: float = 0.0

    def line(self) -> str:
        return (f"reextract done: {self.pages} pages read, {self.changed} revisions re-read in place, "
                f"{self.failed} failed, {self.skipped} records not articles; {self.seconds:.1f} s")


def reextract_archive(settings: Settings, *, progress: Progress | None = None) -> ReextractSummary:
    """Re-run extraction on every archived article page (WARC records), updating each revision in place.

    A revision's body, text and extracted record are rewritten from the raw response they came
    from; no revision is ever added (a better extractor is not an edit by the outlet)."""
    from newsmirror.fetch.warc import RawArchive
    from newsmirror.sanitize import html_to_text, sanitize_html
    from newsmirror.store import open_store

    progress = progress or Progress("reextract", quiet=True)
    summary = ReextractSummary()
    store = open_store(settings.store_location)
    archive = RawArchive(settings.raw_dir)
    tz_of = source_timezones(settings)
    outlets = source_outlets(settings)
    try:
        for ref, record in archive.iter_records():
            if not (200 <= record.status < 300):
                continue
            article = store.get_article_by_url(record.url)
            if article is None:
                summary.skipped += 1
                continue
            art, error = _extract(record.body, record.url, tz_of.get(article.source), record.fetched_at, outlets)
            if art is None:
                summary.failed += 1
                progress.message(f"failed: {record.url}: {error}")
                progress.advance(failed=True)
                continue
            summary.pages += 1
            if art.kind != "article" or not art.text.strip():
                progress.advance()
                continue
            html = sanitize_html(art.html or "", base_url=record.url)
            outcome = store.reextract_page(article.id, ref, art, html=html, text=art.text or html_to_text(html),
                                           seen_at=record.fetched_at)
            if outcome.status in (SaveStatus.REEXTRACTED, SaveStatus.FILLED):
                summary.changed += 1
            progress.advance()
        _sync_index(settings, store)
    finally:
        archive.close()
        store.close()
        progress.finish()
    summary.seconds = progress.seconds
    return summary


def purge_source(settings: Settings, name: str) -> int:
    """Delete a source's articles from the archive and the search index; return how many there were.

    The archive is changed first (one transaction); the index, a derived file, then drops them, and
    `index --rebuild` would give the same result if that step were interrupted."""
    from newsmirror.store import open_store

    store = open_store(settings.store_location)
    try:
        ids = store.delete_source_articles(name)
    finally:
        store.close()
    if ids and index_path(settings).exists():
        index = open_index(settings)
        try:
            for article_id in ids:
                index.remove(article_id)
        finally:
            index.close()
    return len(ids)


def source_timezones(settings: Settings) -> dict[str, str]:
    """Each source's timezone from the sources file (empty when it cannot be read)."""
    from newsmirror.config import load_sources

    try:
        return {s.name: s.timezone for s in load_sources(settings.sources_file)}
    except NewsMirrorError:
        return {}


def source_outlets(settings: Settings, sources: Iterable[Source] = ()) -> dict[str, str]:
    """The sources' outlet names by host (`extract.outlets.outlets_by_host`), for pages that name no outlet:
    every source of the sources file and the `sources` given (a run's own, when the file cannot be read)."""
    from newsmirror.config import load_sources
    from newsmirror.extract.outlets import outlets_by_host

    try:
        listed = load_sources(settings.sources_file)
    except NewsMirrorError:
        listed = []
    by_name = {s.name: s for s in [*listed, *sources]}
    return outlets_by_host(by_name.values())


@dataclass(frozen=True)
class LocalHits:
    """A page of search results grouped by story, each line with the timezone it is shown in.

    `lines` are `stories.views.StoryHit`s: a story's best hit, its other matching articles, then its other
    articles (matched False); `hits` the same lines' hits; `total` counts matching articles."""

    hits: list[tuple[SearchHit, str]]
    total: int
    exact: bool = True
    lines: list = field(default_factory=list)  # [(StoryHit, zone)]


GROUP_WINDOW = 200  # hits grouped by story together, so a story's articles come together across pages


def search_archive(settings: Settings, text: str, *, limit: int = 20, offset: int = 0,
                   tz: str | None = None) -> LocalHits:
    """Search, showing each hit in `tz` or else in its source's timezone, and reading since:/until: alike.

    A day in since:/until: is the day as the hit is shown: with `tz` it is a day in `tz`; without,
    the sources are grouped by the UTC bounds those days have in their zones, each group is asked
    with its own bounds and the answers are merged by tier and score. So `since:2025-09-11` never lists an
    article shown as 2025-09-10, whatever its outlet's zone. The best GROUP_WINDOW (or offset + limit)
    hits are grouped by story (`stories.views.group_hits`) and the page is cut from the grouped lines."""
    from dataclasses import replace
    from zoneinfo import ZoneInfo

    from newsmirror.config import DEFAULT_TIMEZONE
    from newsmirror.index import parse_query
    from newsmirror.index.fts import day_bounds_rid
    from newsmirror.store import open_store
    from newsmirror.stories.views import group_hits, member_filter

    query = parse_query(text)
    zones = source_timezones(settings)
    idx = open_index(settings)
    store = open_store(settings.store_location, readonly=True)  # snippets come from the archive's text
    try:
        groups: dict[str, tuple[str, ...] | None]
        if tz is not None:
            groups = {tz: None}
        else:
            names = idx.source_names(query.sources) if query.sources else idx.sources()
            by_bounds: dict[tuple, tuple[str, list[str]]] = {}
            for name in names:
                zone = zones.get(name, DEFAULT_TIMEZONE)
                key = day_bounds_rid(query.since, query.until, zone) if (query.since or query.until) else ()
                by_bounds.setdefault(key, (zone, []))[1].append(name)
            groups = {z: tuple(n) for z, n in by_bounds.values()} if len(by_bounds) > 1 else \
                {next(iter(by_bounds.values()))[0] if by_bounds else DEFAULT_TIMEZONE: None}
        hits: list[tuple[SearchHit, str]] = []
        total, exact = 0, True
        want = min(1000, max(offset + limit, GROUP_WINDOW))
        for zone, names in groups.items():
            q = replace(query, sources=names) if names is not None else query
            results = idx.search(q, limit=want, store=store, tz=zone, snippets=False)  # cut for the page below
            total += results.total
            exact = exact and results.exact
            hits += [(h, tz or zones.get(h.source, DEFAULT_TIMEZONE)) for h in results.hits]
        if len(groups) > 1:
            hits.sort(key=lambda pair: (-pair[0].extra.get("held", 0), -pair[0].score,
                                        -pair[0].published.timestamp(), pair[0].id))
            hits = hits[:want]

        def shown_day(hit: SearchHit, zone: str):
            return hit.published.astimezone(ZoneInfo(zone)).date()

        # the index's time keys may run a little late under a burst of articles: never show a day outside the range
        kept = [(h, z) for h, z in hits if (query.since is None or shown_day(h, z) >= query.since)
                and (query.until is None or shown_day(h, z) <= query.until)]
        zone_of = {h.id: z for h, z in kept}
        shown_zone = lambda source: ZoneInfo(tz or zones.get(source, DEFAULT_TIMEZONE))  # noqa: E731
        keep = member_filter(sources=set(idx.source_names(query.sources)) if query.sources else None,
                             since=query.since, until=query.until, zone=shown_zone,
                             excluded=lambda ids: idx.excluded(query, ids))
        lines = [(line, zone_of.get(line.hit.id) or tz or zones.get(line.hit.source, DEFAULT_TIMEZONE))
                 for group in group_hits([h for h, _ in kept], store, keep=keep) for line in group]
        lines = lines[offset:offset + limit]
        cut = {h.id: h for h in idx.cut_snippets([line.hit for line, _ in lines if line.matched], query, store)}
        lines = [(replace(line, hit=cut[line.hit.id]) if line.matched else line, zone) for line, zone in lines]
    finally:
        idx.close()
        store.close()
    return LocalHits(hits=[(line.hit, zone) for line, zone in lines], total=total - (len(hits) - len(kept)),
                     exact=exact, lines=lines)


def run_demo(settings: Settings, *, port: int = 0, progress: Progress | None = None) -> str:
    """Start the demo site, mirror it into this home and build the Jekyll site; return the report."""
    from newsmirror.config import save_sources
    from newsmirror.demo.site import demo_sources, start_demo_site
    from newsmirror.publish.jekyll import build_jekyll
    from newsmirror.store import open_store

    settings.ensure_home()
    try:
        server = start_demo_site(port=port)
    except OSError as exc:
        raise ConfigError(f"cannot start the demo site on 127.0.0.1:{port}: {exc.strerror}; "
                          f"pass another --port") from None
    try:
        sources = demo_sources(server.base_url)
        save_sources(settings.sources_file, sources)
        from newsmirror.fetch.http import FetchPolicy

        # the demo site is our own server on this machine: no need to space requests to it
        fetched = fetch_sources(settings, sources, policy=FetchPolicy(host_delay=0), progress=progress)
    finally:
        server.stop()
    out = settings.home / "site"
    store = open_store(settings.store_location)
    try:
        built = build_jekyll(store, out)
        total = store.count_articles()
    finally:
        store.close()
    lines = [
        f"demo site served at {server.base_url} ({len(sources)} sources)",
        fetched.line(),
        f"archive: {settings.store_location} ({total} articles); raw responses: {settings.raw_dir}",
        f"Jekyll site: {out} ({built.count('posts')} posts, {built.count('posts written')} written; "
        f"outlet lists in lists/); build it with: cd {out} && jekyll build",
    ]
    if fetched.failures:
        lines.append("what failed and why:")
        lines += [f"  - {f}" for f in fetched.failures]
    lines.append(f"next: newsmirror --home {settings.home} search 普京   |   newsmirror --home {settings.home} serve")
    return "\n".join(lines)


def index_path(settings: Settings) -> Path:
    """Where the search index of this home lives."""
    return settings.home / "index.sqlite"


def check_publish(config) -> None:
    """Fail early (ConfigError) on a [publish] step that names an unknown build target or option."""
    from dataclasses import fields

    from newsmirror.publish.targets import BuildOptions, get_target

    known = {f.name for f in fields(BuildOptions)} - {"sources", "aliases", "progress"}
    for step in config.builds:
        get_target(step.target)
        bad = {k for k, _ in step.options} - known
        if bad:
            raise ConfigError(f"[[publish.build]] {step.target}: unknown option(s) {', '.join(sorted(bad))}; "
                              f"known: {', '.join(sorted(known))}")


@dataclass(frozen=True)
class PublishStep:
    """One [publish] step after a round: what it was, what it did or why it failed."""

    step: str  # "build jekyll", "git gh-pages of /srv/mirror.git"
    summary: str  # "12 written", "commit 1a2b3c4d5e6f, 3 files", "unchanged", or the error
    failed: bool = False

    def line(self) -> str:
        """"build jekyll (12 written)", or "git gh-pages of /srv/mirror.git failed: <reason>"."""
        return f"{self.step} failed: {self.summary}" if self.failed else f"{self.step} ({self.summary})"


def publish_state_path(settings: Settings) -> Path:
    """Where `run` keeps the store's change number each [publish] step last published."""
    return settings.home / "publish-state.json"


def _read_publish_state(path: Path) -> dict[str, int]:
    import json

    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError):  # unreadable: every step publishes again, which is harmless
        return {}
    if not isinstance(data, dict):
        return {}
    return {k: v for k, v in data.items() if isinstance(k, str) and isinstance(v, int)}


def _write_publish_state(path: Path, state: dict[str, int]) -> None:
    import json
    import os

    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(state, ensure_ascii=False, indent=1, sort_keys=True), encoding="utf-8")
    os.replace(tmp, path)


def run_publish(settings: Settings, config, store, sources: list[Source]) -> list[PublishStep]:
    """Run the home's [publish] steps that are behind the store: each build target through the publish
    registry, then each git publish.

    Each step remembers the store's change number it last published (publish-state.json in the
    home) and runs when the store has changed since, so a step that failed, or that a kill -9
    interrupted, runs again at the next round even when that round stores nothing. A step that fails
    is reported and the others still run; a git step whose folder a failed build writes is skipped,
    so a half-written build is never published."""
    from datetime import date

    from newsmirror.publish.git import publish_git
    from newsmirror.publish.targets import BuildOptions, run_build

    path = publish_state_path(settings)
    state = _read_publish_state(path)
    head = store.last_change()
    done: list[PublishStep] = []
    broken: dict[Path, str] = {}  # folder -> the build that failed writing it

    def behind(key: str) -> bool:
        return state.get(key) != head

    def published(key: str) -> None:
        state[key] = head
        _write_publish_state(path, state)

    for step in config.builds:
        name, key = f"build {step.target}", f"build {step.target} {Path(step.out).resolve()}"
        if not behind(key):
            continue
        options = dict(step.options)
        try:
            if isinstance(options.get("since"), str):
                options["since"] = date.fromisoformat(options["since"])
            built = run_build(step.target, store, step.out, BuildOptions(
                sources=tuple(sources), aliases=settings.home / "aliases.tsv",
                **{"store_location": settings.store_location, **options}))
        except (NewsMirrorError, OSError, TypeError, ValueError) as exc:
            done.append(PublishStep(name, str(exc), failed=True))
            broken[Path(step.out).resolve()] = name
            continue
        published(key)
        done.append(PublishStep(name, f"{built.written} written"))
    for step in config.gits:
        name, key = f"git {step.branch} of {step.repo}", f"git {step.branch} {step.repo} {Path(step.site).resolve()}"
        if not behind(key):
            continue
        builder = broken.get(Path(step.site).resolve())
        if builder is not None:
            done.append(PublishStep(name, f"skipped: {builder} of {step.site} failed", failed=True))
            continue
        try:
            result = publish_git(step.site, step.repo, branch=step.branch, message=step.message)
        except (NewsMirrorError, OSError) as exc:
            done.append(PublishStep(name, str(exc), failed=True))
            continue
        published(key)
        summary = "unchanged" if result.commit is None else f"commit {result.commit[:12]}, {result.changed} files"
        done.append(PublishStep(name, summary))
    return done
