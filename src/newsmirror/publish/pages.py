"""The static site's pages: where each one lives, how pages link to each other, and rendering them.

Every page is rendered by the web archive's own templates (`web.render.render_html`) with a
`SiteLinks` object giving relative links, so the site works from any folder of any static host
and from `file://`. Where pages live (≤ ~1,000 entries per folder, dates in the site's zone):

    index.html                     the newest PAGE_SIZE articles, the months
    pages/<k // 1000>/<k>.html     all articles in pages of PAGE_SIZE, numbered from the oldest
    sources.html                   the outlets, with their feeds
    source/<outlet>/index.html     one outlet's newest articles; its pages under source/<outlet>/pages/
    YYYY/MM/index.html             a month: its days and how many articles each has
    YYYY/MM/DD/index.html          a day's articles
    YYYY/MM/DD/<id//1000>/<id>.html  an article, with its revisions (a day of 5,000 articles: 5 folders)
    stories/<m>/<k>/<id>.html      a story of more than one article (m = id // 10⁶, k = id // 1000 % 1000)
    search.html, search/           the search page and its index (publish.search)
    feeds/, sources.opml           Atom and JSON feeds (publish.feeds), the outlets (publish.opml)
    static/                        stylesheet, icon, scripts, script-conversion tables

Pages numbered from the oldest never change when a new article arrives (only the newest page
and index.html do), which keeps incremental builds small.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from datetime import UTC, date, datetime
from itertools import islice
from pathlib import Path
from collections.abc import Callable, Iterable, Iterator
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from newsmirror.frontmatter import without_surrogates
from newsmirror.furniture import gist
from newsmirror.chinese import detect_script
from markupsafe import escape

from newsmirror.web.render import Frame, Gist, Shells, article_context

__all__ = [
    "PAGE_SIZE",
    "GIST",
    "Entry",
    "SiteLinks",
    "Site",
    "outlet_slug",
    "local_day",
    "article_path",
    "day_path",
    "month_path",
    "page_path",
    "story_path",
    "story_note",
    "with_story_notes",
    "Claims",
    "start_helper",
    "render_articles",
]

PAGE_SIZE = 50  # articles per list page
GIST = 140  # characters of text shown under a title in lists
_SHELLS = Shells()  # every page of a build shares a handful of layouts (one per folder depth and menu item)
render_html = _SHELLS.render
SCRIPT_LINKS = (("hant", "繁體", None), ("hans", "简体", None), ("orig", "原文", None))  # switched by site.js


@dataclass(frozen=True)
class Entry:
    """What a list shows of an article (list.html reads these names), small enough to keep 50 per outlet."""

    id: int
    title: str
    source: str
    published: datetime
    version: int
    text: str  # the gist: the opening of the article's own words (furniture.gist), at most GIST characters
    summary: str = ""

    @classmethod
    def of(cls, article: Any) -> Entry:
        """The list entry of a StoredArticle."""
        return cls(article.id, article.title, article.source, article.published, article.version,
                   Gist.of(article.text, GIST))


# --- where pages live -----------------------------------------------------------------------------

_UNSAFE_NAME = re.compile(r'[/\\:*?"<>|#%\x00-\x1f\x7f]')  # not in a file name, or misread in a URL path


@lru_cache(maxsize=4096)
def outlet_slug(name: str) -> str:
    """An outlet's folder name: the name itself when safe everywhere, else a cleaned name plus a short hash.

    `(臺)中央社CNA` stays as it is; `BBC/中文` becomes `BBC_中文-3f2a1c` (the hash keeps cleaned
    names distinct)."""
    text = unicodedata.normalize("NFC", without_surrogates(name))
    clean = _UNSAFE_NAME.sub("_", text).strip(". ")
    clean = clean.encode("utf-8")[:180].decode("utf-8", "ignore") or "_"
    if clean == name and not clean.startswith((".", "_")):
        return clean
    return f"{clean}-{hashlib.sha1(name.encode('utf-8', 'surrogatepass')).hexdigest()[:6]}"


def local_day(when: datetime, tz: ZoneInfo) -> date:
    """The calendar day of an instant in the site's zone."""
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(tz).date()


def day_path(day: date) -> str:
    return f"{day.year:04d}/{day.month:02d}/{day.day:02d}/index.html"


def month_path(year: int, month: int) -> str:
    return f"{year:04d}/{month:02d}/index.html"


def article_path(article_id: int, day: date) -> str:
    """An article's page in its day's folder, under its id's thousand, so no folder holds more than 1,000 pages
    however many articles a day has (static/search.js builds the same path)."""
    return f"{day.year:04d}/{day.month:02d}/{day.day:02d}/{article_id // 1000}/{article_id}.html"


def story_path(story_id: int) -> str:
    """A story's page, by its id (that of the article that started it, which never changes): at most 1,000
    pages per folder and 1,000 folders per million ids, however large the archive grows."""
    return f"stories/{story_id // 1_000_000}/{story_id // 1000 % 1000:03d}/{story_id}.html"


def page_path(k: int, outlet: str | None = None) -> str:
    """List page k (0 = oldest) of the whole archive, or of one outlet."""
    prefix = f"source/{outlet_slug(outlet)}/" if outlet is not None else ""
    return f"{prefix}pages/{k // 1000}/{k}.html"


def feed_path(outlet: str | None, kind: str) -> str:
    """The feed of everything (outlet None) or of one outlet; kind "atom" or "json"."""
    return f"feeds/all.{kind}" if outlet is None else f"feeds/source/{outlet_slug(outlet)}.{kind}"


def outlet_path(outlet: str) -> str:
    return f"source/{outlet_slug(outlet)}/index.html"


_URL_SAFE = "/()!$&'*+,;=@~-._"
_PLAIN_PATH = re.compile(r"[A-Za-z0-9/()!$&'*+,;=@~._-]*")  # a path no URL can misread: "2025/01/03/17.html"


def href(path: str) -> str:
    """A site path as a relative URL: every character a URL path could misread percent-encoded."""
    return path if _PLAIN_PATH.fullmatch(path) else _quoted(path)


@lru_cache(maxsize=4096)
def _quoted(path: str) -> str:
    return quote(path, safe=_URL_SAFE)


class SiteLinks:
    """Links from one page of the static site to the others, relative to that page's folder."""

    def __init__(self, path: str, tz: ZoneInfo) -> None:
        self.up = "../" * path.count("/")
        self.tz = tz

    def to(self, path: str) -> str:
        """The relative URL of a site path from this page."""
        return self.up + href(path)

    def home(self) -> str:
        return self.to("index.html")

    def sources(self) -> str:
        return self.to("sources.html")

    def source(self, name: str) -> str:
        return self.to(outlet_path(name))

    def day(self, day: date | str) -> str:
        return self.to(day_path(date.fromisoformat(day) if isinstance(day, str) else day))

    def month(self, year: int, month: int) -> str | None:
        return self.to(month_path(year, month))

    def article(self, article: Any) -> str:
        return self.to(article_path(article.id, local_day(article.published, self.tz)))

    def story(self, story_id: int | str) -> str | None:
        return self.to(story_path(int(story_id)))

    def stories(self) -> str | None:
        return None

    def search(self) -> str:
        return self.to("search.html")

    def static(self, name: str) -> str:
        return self.to(f"static/{name}")

    def api(self) -> str | None:
        return None

    def feed(self, name: str, kind: str) -> str:
        """An Atom (`atom`) or JSON (`json`) feed: `all` or an outlet's."""
        return self.to(feed_path(None if name == "all" else name, kind))


# --- rendering ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Site:
    """What every page of one build shares: the zone, the public address, the newest day, the title."""

    tz: ZoneInfo
    base_url: str = ""  # e.g. https://mirror.example/news/ ; "" gives relative canonical links
    fast_lists: bool = True  # list entries from format strings made from list.html (ListEntries); False: Jinja

    def frame(self, path: str, *, current: str | None = None, lang: str = "zh-Hant", description: str = "",
              kind: str = "website", scripts: tuple[str, ...] = ("site.js",)) -> Frame:
        """The layout of the page at site path `path`."""
        canonical = (self.base_url.rstrip("/") + "/" + href(path)) if self.base_url else href(path.rsplit("/", 1)[-1])
        meta = {"canonical": canonical, "type": kind}
        if description:
            meta["description"] = description
        return Frame(links=SiteLinks(path, self.tz), tz=self.tz, lang=lang, script="orig",
                     script_links=SCRIPT_LINKS, current=current, meta=meta,
                     scripts=scripts, static_site=True)

    def article_page(self, article: Any, versions: list[Any], note: dict[str, Any] | None = None,
                     description: str | None = None) -> tuple[str, str]:
        """(site path, HTML) of an article's page; `note` says what its story is (`stories.views.story_note`);
        `description` its gist when already cut (`Entry.text`)."""
        path = article_path(article.id, local_day(article.published, self.tz))
        context, lang = article_context(article, versions, detect=detect_script)
        context["story_note"] = note
        if description is None:
            description = gist(article.text or "", GIST)
        return path, render_html("article.html", context, self.frame(path, lang=lang, description=description,
                                                                     kind="article"))

    def story_page(self, story: Any) -> tuple[str, str]:
        """(site path, HTML) of a story's page: its timeline across outlets (the server's template)."""
        from newsmirror.stories.views import outlet_firsts, span, timeline

        path = story_path(story.id)
        first = story.articles[0]
        return path, render_html("story.html", {
            "title": story.title or "(無題)", "story": story, "first": first, "entries": timeline(story),
            "outlets": outlet_firsts(story), "span": span(story.last_published - first.published),
            "after": lambda article: span(article.published - first.published) or "不到 1 分鐘",
        }, self.frame(path, description=f"{len(story.articles)} 則報導，{len(story.outlets)} 家媒體", kind="article"))

    def list_page(self, path: str, *, title: str, heading: str, entries: list[Entry], current: str | None,
                  show_source: bool = True, newer: str | None = None, older: str | None = None,
                  where: str = "", total: int | None = None, day_nav: dict[str, Any] | None = None,
                  extra: dict[str, Any] | None = None) -> str:
        """A list of articles (newest first) with links to the newer and older pages (site paths or None)."""
        frame = self.frame(path, current=current, description=heading)
        links = frame.links
        assert isinstance(links, SiteLinks)
        paging = {"newer_url": links.to(newer) if newer else "", "older_url": links.to(older) if older else "",
                  "where": where, "total": total, "page": 1, "pages": None, "has_prev": False, "has_next": False}
        context = {"title": title, "heading": heading, "articles": entries, "paging": paging,
                   "show_source": show_source, "day_nav": day_nav, **(extra or {})}
        if len(entries) < 2 or not self.fast_lists:
            return render_html("list.html", context, frame)

        def one(entry: Entry) -> tuple[str, int, int]:  # this page with one entry, and where its entries are
            page = render_html("list.html", {**context, "articles": [entry]}, frame)
            start = page.find(_OL)
            return page, start + len(_OL), page.find(_OL_END, start) if start >= 0 else -1

        # The page with its first entry only, through the template, and the others from their shape's format
        # string (ListEntries), each shape checked against the template: the same bytes in a third of the time.
        def written(entry: Entry) -> str | None:  # the entry as the template writes it
            page, start, end = one(entry)
            return page[start:end] if end >= 0 else None

        page, start, end = one(entries[0])
        forms = _entry_forms(self.tz)
        fast = [forms.render(e, links, show_source, written) for e in entries]
        if end < 0 or None in fast or page[start:end] != fast[0]:
            return render_html("list.html", context, frame)  # a shape the format strings do not know
        return page[:start] + "".join(fast) + page[end:]  # type: ignore[arg-type]  # (no None: checked above)

    def day_page(self, day: date, entries: list[Entry], prev: str | None, next_: str | None) -> tuple[str, str]:
        """(site path, HTML) of a day's page: its articles (oldest first in `entries`), links to the days beside."""
        heading = f"{day.year} 年 {day.month:02d} 月 {day.day:02d} 日"
        path = day_path(day)
        return path, self.list_page(path, title=day.isoformat(), heading=heading, entries=list(reversed(entries)),
                                    current="day", total=len(entries),
                                    day_nav={"prev": prev, "next": next_, "tz": self.tz.key,
                                             "month": (day.year, day.month)})

    def month_page(self, year: int, month: int, days: dict[str, int], *, prev: tuple[int, int] | None,
                   next_: tuple[int, int] | None) -> str:
        """A month: a calendar of its days with the number of articles of each."""
        import calendar

        path = month_path(year, month)
        weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(year, month)
        cells = [[(d, days.get(d.isoformat(), 0)) if d.month == month else None for d in week] for week in weeks]
        mine = [n for key, n in days.items() if key.startswith(f"{year:04d}-{month:02d}-")]
        return render_html("month.html", {
            "title": f"{year}-{month:02d}", "heading": f"{year} 年 {month} 月", "weeks": cells,
            "total": sum(mine), "days_with": sum(1 for n in mine if n), "prev": prev, "next": next_,
        }, self.frame(path, current="day", description=f"{year} 年 {month} 月的報導"))

    def sources_page(self, sources: list[tuple[str, int, datetime | None]]) -> str:
        """The outlets, their article counts, newest article and feeds."""
        return render_html("sources.html", {"title": "來源", "sources": sources, "feeds": True},
                           self.frame("sources.html", current="sources", description="封存中的媒體"))

    def search_page(self) -> str:
        """The search page; the browser searches the files under search/ (static/search.js)."""
        return render_html("site_search.html", {"title": "搜尋"},
                           self.frame("search.html", current="search", description="搜尋封存的報導",
                                      scripts=("site.js", "search.js")))


_OL, _OL_END = '<ol class="articles">\n', "</ol>"  # where list.html's entries are, one after the other


class ListEntries:
    """list.html's entries as plain format strings, one per shape of entry (outlet shown or not, revised or not,
    with or without title and gist), made once by rendering the template itself with marker values; a list
    page then fills one string per entry instead of running Jinja's loop (28 µs an entry, 30,000 entries a
    10,000-article site). Each shape is checked against the template on its first entry; a shape whose
    markers do not come back exactly once, or whose output differs, is never used (`render` gives None)."""

    _HREF, _TITLE, _SRC_HREF, _SRC, _TIME, _REVS, _GIST = (f"\ue010{k}\ue010" for k in "ATSNDVG")
    _ID, _REVISED = 987_654_321, 1_000_002  # marker id and version: their page link and count are unique text

    def __init__(self, tz: ZoneInfo) -> None:
        from newsmirror.web.render import _show_time

        self.tz = tz
        self.show_time = _show_time(tz)
        self._forms: dict[tuple[bool, bool, bool, bool], str | None] = {}
        self._checked: set[tuple[bool, bool, bool, bool]] = set()  # shapes whose form gave the template's bytes

    def _form(self, shape: tuple[bool, bool, bool, bool]) -> str | None:
        show_source, revised, titled, gisted = shape
        when = datetime(2001, 2, 3, 4, 5, tzinfo=UTC)
        marker = Entry(self._ID, self._TITLE if titled else "", self._SRC, when, self._REVISED if revised else 1,
                       Gist.of(self._GIST if gisted else "", GIST))
        if gisted and marker.text != self._GIST:
            return None
        path = "index.html"
        links = SiteLinks(path, self.tz)
        frame = Frame(links=links, tz=self.tz, static_site=True)
        paging = {"newer_url": "", "older_url": "", "where": "", "total": None, "page": 1, "pages": None,
                  "has_prev": False, "has_next": False}
        page = render_html("list.html", {"title": "", "heading": "", "articles": [marker], "show_source": show_source,
                                         "paging": paging, "day_nav": None}, frame)
        start, end = page.find(_OL), page.find(_OL_END)
        if start < 0 or end < 0:
            return None
        text = page[start + len(_OL):end].replace("{", "{{").replace("}", "}}")
        swaps = [(str(escape(links.article(marker))), self._HREF), (str(self.show_time(when)), self._TIME),
                 (str(self._REVISED - 1), self._REVS)]
        if show_source:
            swaps.insert(0, (str(escape(links.source(self._SRC))), self._SRC_HREF))
        for value, mark in swaps:
            if (mark != self._REVS or revised) and text.count(value) != 1:
                return None
            text = text.replace(value, mark)
        wanted = {self._HREF: 1, self._TITLE: int(titled), self._SRC_HREF: int(show_source),
                  self._SRC: int(show_source), self._TIME: 1, self._REVS: int(revised), self._GIST: int(gisted)}
        if any(text.count(mark) != n for mark, n in wanted.items()):
            return None
        for mark, name in ((self._HREF, "href"), (self._TITLE, "title"), (self._SRC_HREF, "src_href"),
                           (self._SRC, "src"), (self._TIME, "time"), (self._REVS, "revs"), (self._GIST, "gist")):
            text = text.replace(mark, "{" + name + "}")
        return text

    def render(self, e: Entry, links: SiteLinks, show_source: bool,
               template: Callable[[Entry], str | None]) -> str | None:
        """One entry as list.html writes it, or None when its shape has no form; `template(e)` is the entry as
        the template writes it, asked once per shape to check the shape's form."""
        if not isinstance(e.text, Gist) or e.text.chars != GIST:  # the template would cut it again
            return None
        shape = (show_source, e.version > 1, bool(e.title), bool(e.text))
        if shape not in self._forms:
            self._forms[shape] = self._form(shape)
        form = self._forms[shape]
        if form is None:
            return None
        html = self._fill(form, e, links)
        if shape not in self._checked:
            if template(e) != html:
                self._forms[shape] = None
                return None
            self._checked.add(shape)
        return html

    def _fill(self, form: str, e: Entry, links: SiteLinks) -> str:
        return form.format(href=escape(links.article(e)), title=escape(e.title), src_href=escape(links.source(e.source)),
                           src=escape(e.source), time=self.show_time(e.published), revs=e.version - 1,
                           gist=escape(e.text))


@cache
def _entry_forms(tz: ZoneInfo) -> ListEntries:
    """The list entries' format strings of one zone, made once per process."""
    return ListEntries(tz)


def story_note(store: Any, article_id: int, story_id: int | None = None) -> dict[str, Any] | None:
    """`stories.views.story_note`, imported only for an article placed in a story: the stories package loads
    numpy with it, which a one-article rebuild of an archive without stories need not pay. `story_id`: the
    article's story when already read."""
    if story_id is None:
        story_id = store.story_ids([article_id]).get(article_id)
        if story_id is None:
            return None
    from newsmirror.stories.views import story_note as note

    return note(store, article_id, story_id)


def with_story_notes(store: Any, articles: Iterable[Any], wanted: Callable[[Any], bool] | None = None,
                     batch: int = 256) -> Iterator[tuple[Any, dict[str, Any] | None]]:
    """Each article with its story note (None when not `wanted`, or not in a story of several): the placements
    of a batch of articles are read in one query, not one query an article (a quarter of a helper's time)."""
    it = iter(articles)
    while chunk := list(islice(it, batch)):
        placed = store.story_ids([a.id for a in chunk if wanted is None or wanted(a)])
        for article in chunk:
            story = placed.get(article.id)
            yield article, story_note(store, article.id, story) if story is not None else None


def revisions(store: Any, article: Any) -> list[Any]:
    """An article's revisions, oldest first; an article never revised is its own single revision (no query)."""
    if article.version > 1:
        return store.article_versions(article.id)
    from newsmirror.models import ArticleVersion

    return [ArticleVersion(article_id=article.id, version=1, seen_at=article.first_seen, title=article.title,
                           feed_html=article.feed_html, html=article.html, text=article.text)]


class Claims:
    """Which process renders which article's page in a full build, decided as it goes: the first process to
    reach an article of a chunk of ids takes the whole chunk (one byte of shared memory a chunk; chunks share
    2**16 slots, so memory stays flat), and a process that falls behind (a busier core, a slower disk) takes
    fewer. Every process asks the same slots, so each page is rendered exactly once."""

    MAIN = 1  # the build's own process; helper i is i + 2
    CHUNK = 64  # ids a chunk
    SLOTS = 1 << 16

    def __init__(self, slots: Any, lock: Any, me: int) -> None:
        self.slots, self.lock, self.me = slots, lock, me

    @classmethod
    def shared(cls, context: Any) -> tuple[Any, Any]:
        """The shared slots and their lock, to hand to the helpers when they start (`initargs`)."""
        return context.RawArray("B", cls.SLOTS), context.Lock()

    def mine(self, article_id: int) -> bool:
        """Whether this process renders the article's page (taking its chunk when no process has yet)."""
        k = article_id // self.CHUNK % self.SLOTS
        owner = self.slots[k]
        if not owner:  # a taken slot never changes: only an empty one needs the lock
            with self.lock:
                owner = self.slots[k] or self.me
                self.slots[k] = owner
        return owner == self.me


_helper_slots: tuple[Any, Any] | None = None


def start_helper(slots: Any, lock: Any) -> None:
    """A helper process's initializer: the claims it shares with the build (see Claims)."""
    global _helper_slots
    _helper_slots = (slots, lock)


def render_articles(location: str, out: str, tz: str, base_url: str, me: int, fresh: bool = False,
                    days: bool = False) -> tuple[int, int, int, int, float]:
    """A helper process's share of a full build: the pages of the articles it claims (see Claims, `me` its
    number there) and with `days` every day's page (the build records their paths and the days' counts).

    Runs in its own process (spawned by publish.site), reading the archive at `location` itself; `fresh`:
    the output folder was empty (files written straight, see publish.files). Returns (pages written, pages
    unchanged, articles, peak RSS in kB, CPU seconds)."""
    import os
    import resource
    from concurrent.futures import ThreadPoolExecutor

    from newsmirror.publish.files import write_fresh, write_if_changed
    from newsmirror.store import open_store

    assert _helper_slots is not None, "start_helper first"
    claims = Claims(*_helper_slots, me)
    zone = ZoneInfo(tz)
    site = Site(tz=zone, base_url=base_url)
    made: set[str] = set()
    written = unchanged = articles = 0
    pending: list[Any] = []

    def write(path: str, html: str) -> None:
        nonlocal written, unchanged, pending
        folder = path.rpartition("/")[0]
        if folder not in made:
            os.makedirs(os.path.join(out, folder), exist_ok=True)
            made.add(folder)
        if fresh:  # straight into a new file: quicker here than handing it to a thread
            written += write_fresh(os.path.join(out, path), html.encode("utf-8"))
            unchanged += 1  # (counted as settled: unchanged - written is what was not written)
            return
        pending.append(pool.submit(write_if_changed, Path(out, path), html.encode("utf-8")))
        if len(pending) >= 64:
            for future in pending:
                written += future.result()
            unchanged += len(pending)
            pending = []

    day: date | None = None
    day_entries: list[Entry] = []
    prev_day: str | None = None
    store = open_store(location)
    try:
        with ThreadPoolExecutor(4) as pool:
            for article, note in with_story_notes(store, store.iter_articles(),
                                                  wanted=lambda article: claims.mine(article.id)):
                if days:  # a day is written once the next is known (its "next" link), as publish.site does
                    this_day = local_day(article.published, zone)
                    if this_day != day:
                        if day is not None:
                            write(*site.day_page(day, day_entries, prev_day, this_day.isoformat()))
                            prev_day = day.isoformat()
                        day, day_entries = this_day, []
                    day_entries.append(Entry.of(article))
                if claims.mine(article.id):
                    write(*site.article_page(article, revisions(store, article), note,
                                             day_entries[-1].text if days else None))
                    articles += 1
            if day is not None:
                write(*site.day_page(day, day_entries, prev_day, None))
            for future in pending:
                written += future.result()
            unchanged += len(pending)
    finally:
        store.close()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return written, unchanged - written, articles, usage.ru_maxrss, usage.ru_utime + usage.ru_stime
