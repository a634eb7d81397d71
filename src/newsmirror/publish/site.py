"""The static site (`newsmirror build site OUT`): the archive as plain files any static host can serve.

Three ways to build, chosen by what OUT already holds (its state file, `.newsmirror-site-state.json`):

1. full: stream every article once, oldest first, writing its page and feeding the list pages,
   days, months, feeds and the search index as it goes (memory holds a page of entries per
   outlet, never the archive). Used for a new OUT, with `--full`, or when the templates, the
   zone or the address changed since the last build.
2. incremental (the default afterwards): read the store's changes since the last build
   (`Store.changes_since`) and rewrite only the pages that show a changed article: its page,
   its day and month, the list pages from the one it falls in, its outlet's, the index, the
   outlets, the feeds, and the search index's recent tail (publish.search).
3. `--since DAY`: rebuild every page of the months from DAY on (after a template change, say,
   without rewriting ten years of pages); older pages stay as they are.

Pages and paths are described in `publish.pages`; the search index in `publish.search`.
"""

from __future__ import annotations

import bisect
import hashlib
import json
import os
import re
import time
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time as dtime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from newsmirror import __version__
from newsmirror.chinese import chartable
from newsmirror.chinese.chartable import char_pairs
from newsmirror.errors import PublishError
from newsmirror.publish.files import OutputFolder, check_output_folder, write_if_changed
from newsmirror.publish.pages import (
    PAGE_SIZE,
    Claims,
    Entry,
    Site,
    article_path,
    day_path,
    local_day,
    month_path,
    outlet_path,
    page_path,
    render_articles,
    revisions,
    start_helper,
    story_note,
    with_story_notes,
)
from newsmirror.publish.search import (
    RECENT_MAX,
    SearchUpdater,
    alias_groups,
    doc_entry,
    fold_recent,
    search_meta,
    shard_bits,
)
from newsmirror.publish.targets import BuildOptions, BuildSummary
from newsmirror.web.render import STATIC, TEMPLATES

if TYPE_CHECKING:
    from newsmirror.store import Store

__all__ = ["STATE", "build", "build_site"]

STATE = ".newsmirror-site-state.json"
_STATE_VERSION = 1
_STATIC_FILES = ("site.css", "favicon.svg", "site.js", "search.js")
_MAX_INCREMENTAL = 2000  # more changed articles than this: a full build is as quick and simpler


def build(store: Store, out: Path, options: BuildOptions) -> BuildSummary:
    """The `site` build target (see publish.targets)."""
    return build_site(store, out, options)


# --- state ----------------------------------------------------------------------------------------


@dataclass
class _State:
    """What the last build left for the next: the change it reached, list page starts, day counts."""

    fingerprint: str = ""
    last_change: int = 0
    max_id: int = 0
    bits: int = 0
    docs: int = 0
    recent: int = 0  # articles in the search index's recent tail (publish.search)
    pages: list[list[Any]] = field(default_factory=list)  # first (published, id) of each list page
    outlets: dict[str, list[list[Any]]] = field(default_factory=dict)  # the same per outlet
    days: dict[str, int] = field(default_factory=dict)  # YYYY-MM-DD -> articles that day

    @classmethod
    def read(cls, out: Path) -> _State | None:
        try:
            data = json.loads((out / STATE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(data, dict) or data.get("version") != _STATE_VERSION:
            return None
        data.pop("version")
        try:
            return cls(**data)
        except TypeError:
            return None

    def write(self, out: Path) -> None:
        data = {"version": _STATE_VERSION, **self.__dict__}
        write_if_changed(out / STATE, json.dumps(data, ensure_ascii=False, sort_keys=True).encode("utf-8"))


def _fingerprint(options: BuildOptions) -> str:
    """What makes every page different: newsmirror's version, templates, static files, character tables, zone,
    address."""
    h = hashlib.sha256(f"{__version__}|{options.tz}|{options.base_url}|{PAGE_SIZE}".encode())
    h.update(chartable.TABLES.read_bytes())  # OpenCC's characters: the script switch's tables, the search's fold
    for folder in (TEMPLATES, STATIC):
        for path in sorted(folder.iterdir()):
            if path.is_file():
                h.update(path.name.encode() + b"\0" + path.read_bytes())
    for module in ("pages.py", "search.py"):  # where pages and the search index are laid out
        h.update(Path(__file__).with_name(module).read_bytes())
    if options.aliases is not None and Path(options.aliases).is_file():
        h.update(Path(options.aliases).read_bytes())
    return h.hexdigest()[:24]


def _stamp(when: datetime) -> str:
    """A UTC time as fixed-width text, so keys compare as times do."""
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")


def _key(article: Any) -> list[Any]:
    """Where an article sits in the lists' order: (published, id)."""
    return [_stamp(article.published), article.id]


# --- the build ------------------------------------------------------------------------------------


def build_site(store: Store, out: Path, options: BuildOptions) -> BuildSummary:
    """Build or bring up to date the static site in `out` (see the module docstring for the three ways)."""
    started = time.monotonic()
    out = Path(out)
    check_output_folder(out)
    tz = ZoneInfo(options.tz)
    fingerprint = _fingerprint(options)
    state = None if options.full else _State.read(out)
    if state is not None and state.fingerprint != fingerprint:
        if options.since is not None:
            raise PublishError(f"{out} was built by another newsmirror version, zone or --base-url; "
                               f"rebuild it whole (without --since) first")
        state = None
    if options.since is not None and state is None:
        raise PublishError(f"--since needs an earlier full build in {out}; run 'newsmirror build site {out}' first")
    last_change = store.last_change()
    changes: list[tuple[int, Any]] = []
    if state is not None and options.since is None:
        changes = list(_limited(store.changes_since(state.last_change), _MAX_INCREMENTAL + 1))
        if len(changes) > _MAX_INCREMENTAL:
            state = None
    mode = "full" if state is None else "since" if options.since is not None else "incremental"
    with OutputFolder(out, "site", incremental=mode != "full") as folder:
        builder = _Builder(store, folder, options, tz, state or _State(fingerprint=fingerprint))
        if mode == "full":
            builder.full()
        elif mode == "since":
            assert options.since is not None
            builder.since(options.since)
        else:
            builder.incremental([article for _, article in changes])
        builder.state.last_change = last_change
        builder.state.fingerprint = fingerprint
        folder.finish()
        builder.state.write(out)
    return BuildSummary("site", out, written=folder.written, unchanged=folder.unchanged, removed=folder.removed,
                        seconds=time.monotonic() - started,
                        counts=(("articles", builder.articles), ("pages", builder.pages),
                                ("helper processes", builder.helpers), ("helper peak kB", builder.helper_rss),
                                ("helper CPU ms", round(builder.helper_cpu * 1000)),
                                ("article pages by helpers", builder.helper_articles)),
                        note=mode)


def _unstamp(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%f").replace(tzinfo=UTC)


def _limited(it: Iterator[Any], n: int) -> Iterator[Any]:
    for i, item in enumerate(it):
        if i >= n:
            return
        yield item


class _Pager:
    """List pages of PAGE_SIZE entries numbered from the oldest (of everything or of one outlet), written as
    they fill; remembers where each page starts."""

    def __init__(self, b: _Builder, outlet: str | None, k: int = 0, starts: list[list[Any]] | None = None) -> None:
        self.b = b
        self.outlet = outlet
        self.k = k
        self.starts = list(starts or [])[:k]
        self.entries: list[Entry] = []
        self.newest: deque[Entry] = deque(maxlen=PAGE_SIZE)
        self.count = k * PAGE_SIZE

    def add(self, article: Any, entry: Entry) -> None:
        if len(self.entries) == PAGE_SIZE:
            self._write(newer=True)
            self.k += 1
            self.entries = []
        if not self.entries:
            del self.starts[self.k:]
            self.starts.append(_key(article))
        self.entries.append(entry)
        self.newest.append(entry)
        self.count += 1

    def finish(self) -> None:
        if self.entries:
            self._write(newer=False)

    def _write(self, *, newer: bool) -> None:
        k, outlet = self.k, self.outlet
        home = outlet_path(outlet) if outlet is not None else "index.html"
        first, last = self.entries[0], self.entries[-1]
        span = f"{local_day(first.published, self.b.tz)} – {local_day(last.published, self.b.tz)}"
        path = page_path(k, outlet)
        title = f"{outlet or '全部報導'} · {span}"
        html = self.b.site.list_page(path, title=title, heading=title, entries=list(reversed(self.entries)),
                                     current="sources" if outlet else "home", show_source=outlet is None,
                                     newer=page_path(k + 1, outlet) if newer else home,
                                     older=page_path(k - 1, outlet) if k > 0 else None, where=span)
        self.b.write(path, html)


class _Builder:
    """One build's work: pages written through one OutputFolder, the state it updates."""

    def __init__(self, store: Store, folder: OutputFolder, options: BuildOptions, tz: ZoneInfo, state: _State):
        self.store = store
        self.folder = folder
        self.options = options
        self.tz = tz
        self.state = state
        self.site = Site(tz=tz, base_url=options.base_url)
        self.articles = 0
        self.pages = 0
        self.helpers = 0
        self.helper_rss = 0
        self.helper_cpu = 0.0
        self.helper_articles = 0
        self.claims: Claims | None = None  # with helpers: which article pages this process renders
        self._progress_pending = 0

    # --- small helpers ----------------------------------------------------------------------------

    def write(self, path: str, html: str) -> None:
        self.folder.put(path, html)
        self.pages += 1

    def tick(self) -> None:
        self._progress_pending += 1
        if self.options.progress is not None and self._progress_pending >= 200:
            self.options.progress(self._progress_pending)
            self._progress_pending = 0

    def done_ticking(self) -> None:
        if self.options.progress is not None and self._progress_pending:
            self.options.progress(self._progress_pending)
            self._progress_pending = 0

    def _bounds(self, day: date) -> tuple[datetime, datetime]:
        start = datetime.combine(day, dtime(0), tzinfo=self.tz)
        return start, datetime.combine(day + timedelta(days=1), dtime(0), tzinfo=self.tz)

    def article_page(self, article: Any, *, by_helper: bool = False, note: Any = ...,
                     description: str | None = None) -> list[Any]:
        """Write an article's page (or only record it, when a helper process writes it); its revisions.
        `note`: its story note when already read (`pages.with_story_notes`); `description`: its gist when cut."""
        versions = revisions(self.store, article)
        if by_helper:
            self.folder.claim(article_path(article.id, local_day(article.published, self.tz)))
        else:
            if note is ...:
                note = story_note(self.store, article.id)
            path, html = self.site.article_page(article, versions, note, description)
            self.write(path, html)
            self.articles += 1
        self.tick()
        return versions

    def start_helpers(self) -> list[Any]:
        """Helper processes rendering the article pages of a large build in parallel (none for a small one)."""
        workers = self.options.workers
        if workers is None:  # a large build: one helper per core beside this process's own, at most three
            workers = max(1, min((os.cpu_count() or 1) - 1, 3)) if self.store.count_articles() >= 2000 else 0
        if workers < 1 or not self.options.store_location:
            return []
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        # The first helper renders the day pages; this process the list pages, the months, the index, the feeds
        # and the search index; article pages go to whichever process reaches them first (Claims), so the
        # one that falls behind renders fewer and both finish together (bench/site.py).
        context = multiprocessing.get_context("spawn")
        slots = Claims.shared(context)
        self.claims = Claims(*slots, Claims.MAIN)
        self._pool = ProcessPoolExecutor(workers, mp_context=context, initializer=start_helper, initargs=slots)
        return [self._pool.submit(render_articles, self.options.store_location, str(self.folder.root),
                                  self.tz.key, self.options.base_url, Claims.MAIN + 1 + i, self.folder.fresh,
                                  i == 0)
                for i in range(workers)]

    def join_helpers(self, helpers: list[Any]) -> None:
        """Wait for the helpers; their pages count as this build's."""
        if not helpers:
            return
        try:
            for future in helpers:
                written, unchanged, articles, rss, cpu = future.result()
                self.helper_cpu += cpu
                self.folder.written += written
                self.folder.unchanged += unchanged
                self.articles += articles
                self.helper_articles += articles
                self.pages += articles
                self.helper_rss = max(self.helper_rss, rss)
        except Exception as exc:  # a helper's PublishError (or a crash) ends the build with its message
            raise PublishError(f"an article-page helper failed: {exc}") from None
        finally:
            self._pool.shutdown(wait=True, cancel_futures=True)
        self.helpers = len(helpers)

    @staticmethod
    def texts(article: Any, versions: list[Any]) -> list[str]:
        """What the search index reads of an article: every revision's title and text."""
        texts = [article.title, article.text]
        for v in versions:
            if v.title != article.title:
                texts.append(v.title)
            if v.text != article.text:
                texts.append(v.text)
        return texts

    # --- days and months --------------------------------------------------------------------------

    def _neighbours(self, keys: list[str], key: str) -> tuple[str | None, str | None]:
        i = bisect.bisect_left(keys, key)
        prev = keys[i - 1] if i > 0 else None
        j = i + 1 if i < len(keys) and keys[i] == key else i
        return prev, keys[j] if j < len(keys) else None

    def day_page(self, day: date, entries: list[Entry], prev: str | None, next_: str | None, *,
                 by_helper: bool = False) -> None:
        """Write a day's page (or only record it, when a helper process writes it)."""
        if by_helper:
            self.folder.claim(day_path(day))
            self.pages += 1
            return
        self.write(*self.site.day_page(day, entries, prev, next_))

    def _months(self) -> list[tuple[int, int, int]]:
        totals: dict[tuple[int, int], int] = {}
        for key, n in self.state.days.items():
            ym = (int(key[:4]), int(key[5:7]))
            totals[ym] = totals.get(ym, 0) + n
        return [(y, m, totals[(y, m)]) for y, m in sorted(totals, reverse=True)]

    def month_page(self, year: int, month: int) -> None:
        months = sorted({(int(k[:4]), int(k[5:7])) for k in self.state.days})
        i = months.index((year, month))
        html = self.site.month_page(year, month, self.state.days, prev=months[i - 1] if i > 0 else None,
                                    next_=months[i + 1] if i + 1 < len(months) else None)
        self.write(month_path(year, month), html)

    # --- pages for everything ---------------------------------------------------------------------

    def index_page(self, newest: list[Entry], count: int) -> None:
        older = page_path((count - PAGE_SIZE - 1) // PAGE_SIZE) if count > PAGE_SIZE else None
        html = self.site.list_page("index.html", title="最新報導", heading="最新報導",
                                   entries=list(reversed(newest)), current="home", older=older,
                                   where=f"共 {count} 篇", extra={"months": self._months()})
        self.write("index.html", html)

    def outlet_index(self, outlet: str, newest: list[Entry], count: int) -> None:
        path = outlet_path(outlet)
        older = page_path((count - PAGE_SIZE - 1) // PAGE_SIZE, outlet) if count > PAGE_SIZE else None
        html = self.site.list_page(path, title=outlet, heading=outlet, entries=list(reversed(newest)),
                                   current="sources", show_source=False, older=older, where=f"共 {count} 篇",
                                   total=count)
        self.write(path, html)

    def common_pages(self, outlets: Iterable[str] | None) -> None:
        """The pages every build refreshes: outlets, search page, static files, feeds, OPML."""
        from newsmirror.publish.feeds import write_feeds
        from newsmirror.publish.opml import render_opml

        sources = self.store.sources()
        self.write("sources.html", self.site.sources_page(sources))
        if outlets is None:  # a full build: the files that change only with newsmirror itself
            self.write("search.html", self.site.search_page())
            for name in _STATIC_FILES:
                self.folder.put(f"static/{name}", (STATIC / name).read_bytes())
            for script in ("hans", "hant"):
                self.folder.put(f"static/zh-{script}.js", _table_script(script))
            self.folder.put(".nojekyll", b"")  # GitHub Pages: serve the files as they are
        write_feeds(self.folder, self.store, base_url=self.options.base_url, tz=self.tz,
                    outlets=[name for name, _, _ in sources] if outlets is None else outlets)
        self.folder.write_text("sources.opml", render_opml(self.options.sources, [name for name, _, _ in sources],
                                                           base_url=self.options.base_url, store=self.store))

    def search_meta(self, *, reuse_aliases: bool = False) -> None:
        """search/meta.js; an incremental build keeps the alias groups the last build folded (the aliases'
        files are part of the fingerprint, so they are the same)."""
        groups = _meta_aliases(self.folder.root / "search" / "meta.js") if reuse_aliases else None
        if groups is None:
            from newsmirror.chinese import load_aliases

            groups = alias_groups(load_aliases(self.options.aliases))
        self.folder.write_text("search/meta.js", search_meta(self.state.bits, self.state.docs, groups,
                                                             self.state.recent))

    def search_updater(self, adding: int) -> SearchUpdater:
        """Where an incremental build indexes `adding` changed articles: the recent tail, or the shards with
        the tail merged into them when it would grow past RECENT_MAX articles."""
        state = self.state
        if state.recent + adding <= RECENT_MAX:
            state.recent += adding
            return SearchUpdater(self.folder, bits=state.bits, recent=True)
        updater = SearchUpdater(self.folder, bits=state.bits)
        fold_recent(self.folder, updater)
        state.recent = 0
        return updater

    # --- 1. full ------------------------------------------------------------------------------------

    def full(self) -> None:
        state = self.state
        state.days = {}
        total = self.store.count_articles()
        state.bits = shard_bits(total)
        helpers = self.start_helpers()
        from newsmirror.publish.searchwriter import SearchWriter  # numpy: a full build only

        search = SearchWriter(self.folder, bits=state.bits, articles=total)
        everything = _Pager(self, None)
        outlets: dict[str, _Pager] = {}
        day: date | None = None
        day_entries: list[Entry] = []
        prev_day: str | None = None
        max_id = 0
        claims = self.claims

        def mine(article: Any) -> bool:
            return claims is None or claims.mine(article.id)

        for article, note in with_story_notes(self.store, self.store.iter_articles(), wanted=mine):
            entry = Entry.of(article)
            this_day = local_day(article.published, self.tz)
            if this_day != day:
                if day is not None:  # a day is written once the next is known (its "next" link)
                    state.days[day.isoformat()] = len(day_entries)
                    self.day_page(day, day_entries, prev_day, this_day.isoformat(), by_helper=bool(helpers))
                    prev_day = day.isoformat()
                day, day_entries = this_day, []
            day_entries.append(entry)
            versions = self.article_page(article, by_helper=not mine(article), note=note, description=entry.text)
            search.add(doc_entry(article, self.tz), self.texts(article, versions))
            everything.add(article, entry)
            pager = outlets.get(article.source)
            if pager is None:
                pager = outlets[article.source] = _Pager(self, article.source)
            pager.add(article, entry)
            max_id = max(max_id, article.id)
        if day is not None:
            state.days[day.isoformat()] = len(day_entries)
            self.day_page(day, day_entries, prev_day, None, by_helper=bool(helpers))
        everything.finish()
        for pager in outlets.values():
            pager.finish()
        state.pages = everything.starts
        state.outlets = {name: pager.starts for name, pager in outlets.items()}
        state.max_id = max_id
        state.docs = search.docs
        search.finish()
        self.search_meta()
        for y, m, _ in self._months():  # months last, once every day is counted
            self.month_page(y, m)
        self.index_page(list(everything.newest), everything.count)
        for name, pager in outlets.items():
            self.outlet_index(name, list(pager.newest), pager.count)
        self.common_pages(None)
        self.story_pages(None)
        self.join_helpers(helpers)
        self.done_ticking()

    # --- 2. incremental ---------------------------------------------------------------------------

    def incremental(self, changed: list[Any]) -> None:
        state = self.state
        if not changed:
            return
        search = self.search_updater(len(changed))
        days: set[date] = set()
        outlets: dict[str, list[Any]] = {}
        new: list[Any] = []
        for article in changed:
            versions = self.article_page(article)
            search.add(doc_entry(article, self.tz), self.texts(article, versions))
            days.add(local_day(article.published, self.tz))
            outlets.setdefault(article.source, []).append(article)
            if article.id > state.max_id:
                new.append(article)
        state.docs += len(new)
        state.max_id = max([state.max_id, *(a.id for a in new)])
        search.finish()
        self.search_meta(reuse_aliases=True)
        self._refresh_days(days)
        self._repage(None, changed, new)
        for outlet, articles in outlets.items():
            self._repage(outlet, articles, [a for a in articles if a.id in {n.id for n in new}])
        self.common_pages(sorted(outlets))
        self.story_pages(changed)
        self.done_ticking()

    def story_pages(self, changed: list[Any] | None) -> None:
        """Write the pages of the stories of several articles: all of them (None), or those with a changed
        article, and then the pages of those stories' other articles (their note names the story's size)."""
        if changed is None:
            offset = 0
            while batch := self.store.stories(min_articles=2, limit=500, offset=offset):
                for story in batch:
                    self.write(*self.site.story_page(story))
                offset += len(batch)
            return
        mine = {a.id for a in changed}
        ids = sorted(set(self.store.story_ids(mine).values()))
        for i in range(0, len(ids), 500):
            for story in self.store.stories(ids=ids[i : i + 500], min_articles=2):
                self.write(*self.site.story_page(story))
                for member in story.articles:
                    if member.id not in mine:
                        article = self.store.get_article(member.id)
                        if article is not None:
                            self.article_page(article)

    def _refresh_days(self, days: set[date]) -> None:
        """Rewrite these days' pages (and their months, and the neighbours whose links change)."""
        state = self.state
        before = sorted(state.days)
        entries: dict[date, list[Entry]] = {}
        for day in days:
            start, end = self._bounds(day)
            entries[day] = [Entry.of(a) for a in self.store.iter_articles(since=start, until=end)]
            state.days[day.isoformat()] = len(entries[day])
        keys = sorted(state.days)
        touched = set(days)
        for day in days:
            if day.isoformat() not in before:  # a new day: its neighbours' links change
                for other in self._neighbours(keys, day.isoformat()):
                    if other is not None:
                        touched.add(date.fromisoformat(other))
        for day in sorted(touched):
            if day not in entries:
                start, end = self._bounds(day)
                entries[day] = [Entry.of(a) for a in self.store.iter_articles(since=start, until=end)]
            prev, next_ = self._neighbours(keys, day.isoformat())
            self.day_page(day, entries[day], prev, next_)
        months = {(d.year, d.month) for d in touched}
        all_months = sorted({(int(k[:4]), int(k[5:7])) for k in keys})
        for ym in list(months):
            i = all_months.index(ym)
            if f"{ym[0]:04d}-{ym[1]:02d}" not in {k[:7] for k in before}:  # a new month: neighbours' links change
                months.update(all_months[max(i - 1, 0): i + 2])
        for y, m in sorted(months):
            self.month_page(y, m)

    def _repage(self, outlet: str | None, changed: list[Any], new: list[Any]) -> None:
        """Rewrite the list pages that show changed articles; from the first new one on, pages shift."""
        starts = self.state.pages if outlet is None else self.state.outlets.get(outlet, [])
        keys = [tuple(s) for s in starts]

        def page_of(article: Any) -> int:
            return max(bisect.bisect_right(keys, tuple(_key(article))) - 1, 0)

        from_k = min((page_of(a) for a in new), default=None)
        redo = {page_of(a) for a in changed if from_k is None or page_of(a) < from_k}
        for k in sorted(redo):  # changed in place: the same articles, a new title or text
            self._rewrite_page(outlet, k, starts, last=k == len(starts) - 1)
        if from_k is not None:
            pager = _Pager(self, outlet, from_k, starts)
            # from page 0 the new article may be older than everything: read from the start
            first = tuple(starts[from_k]) if 0 < from_k < len(starts) else None
            since = _unstamp(starts[from_k][0]) if first is not None else None
            for article in self.store.iter_articles(source=outlet, since=since):
                if first is not None and tuple(_key(article)) < first:
                    continue
                pager.add(article, Entry.of(article))
            pager.finish()
            if outlet is None:
                self.state.pages = pager.starts
            else:
                self.state.outlets[outlet] = pager.starts
        count = self.store.count_articles(source=outlet)
        newest = [Entry.of(a) for a in self.store.iter_articles(source=outlet, newest_first=True, limit=PAGE_SIZE)]
        newest.reverse()
        if outlet is None:
            self.index_page(newest, count)
        else:
            self.outlet_index(outlet, newest, count)

    def _rewrite_page(self, outlet: str | None, k: int, starts: list[list[Any]], *, last: bool) -> None:
        pager = _Pager(self, outlet, k, starts)
        first = tuple(starts[k])
        for article in self.store.iter_articles(source=outlet, since=_unstamp(starts[k][0])):
            if tuple(_key(article)) < first:
                continue
            if len(pager.entries) == PAGE_SIZE:
                break
            pager.add(article, Entry.of(article))
        pager._write(newer=not last)

    # --- 3. since ---------------------------------------------------------------------------------

    def since(self, since: date) -> None:
        """Rewrite every article, day and month page from the month of `since` on, and everything shared."""
        state = self.state
        start = datetime.combine(since.replace(day=1), dtime(0), tzinfo=self.tz)
        changed = [article for _, article in self.store.changes_since(state.last_change)]
        search = self.search_updater(len(changed))
        for article in changed:
            versions = revisions(self.store, article)
            search.add(doc_entry(article, self.tz), self.texts(article, versions))
        new = [a for a in changed if a.id > state.max_id]
        state.docs += len(new)
        state.max_id = max([state.max_id, *(a.id for a in new)])
        search.finish()
        self.search_meta(reuse_aliases=True)
        for key in [k for k in state.days if k >= start.date().isoformat()]:
            del state.days[key]
        day: date | None = None
        day_entries: list[Entry] = []
        days: dict[date, list[Entry]] = {}
        for article in self.store.iter_articles(since=start):
            self.article_page(article)
            this_day = local_day(article.published, self.tz)
            if this_day != day:
                if day is not None:
                    days[day] = day_entries
                    state.days[day.isoformat()] = len(day_entries)
                day, day_entries = this_day, []
            day_entries.append(Entry.of(article))
        if day is not None:
            days[day] = day_entries
            state.days[day.isoformat()] = len(day_entries)
        keys = sorted(state.days)
        for d, entries in days.items():
            prev, next_ = self._neighbours(keys, d.isoformat())
            self.day_page(d, entries, prev, next_)
        first_month = (start.year, start.month)
        months = [(y, m) for y, m, _ in self._months()]
        older = [ym for ym in months if ym < first_month]
        for y, m in sorted([ym for ym in months if ym >= first_month] + older[:1]):  # + the month before: its link
            self.month_page(y, m)
        marker = type("Since", (), {"published": start, "id": 0})()
        self._repage(None, [], [marker])
        for outlet in list(state.outlets):
            self._repage(outlet, [], [marker])
        for outlet in {a.source for a in changed} - set(state.outlets):
            self._repage(outlet, [], [marker])
        self.common_pages(None)
        self.done_ticking()


def _table_script(script: str) -> str:
    """static/zh-<script>.js: the character table as `NM.zh.<script> = "pairs"` for site.js and search.js."""
    pairs = json.dumps(char_pairs(script), ensure_ascii=False)
    return f"window.NM = window.NM || {{}}; NM.zh = NM.zh || {{}};\nNM.zh.{script} = {pairs};\n"


_META_JS = re.compile(r"NM\.m\((\{.*\})\);\s*$", re.S)


def _meta_aliases(path: Path) -> list[list[str]] | None:
    """The alias groups of an existing search/meta.js, None when there is none to read."""
    try:
        m = _META_JS.match(path.read_text(encoding="utf-8"))
        return json.loads(m.group(1))["aliases"] if m else None
    except (OSError, ValueError, KeyError):
        return None
