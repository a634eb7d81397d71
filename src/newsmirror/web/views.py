"""The HTML pages: latest, outlets, one outlet, one day, one article with its versions, search."""

from __future__ import annotations

import logging
import math
import re
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any

import nh3
from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from newsmirror.errors import QueryError, SearchError
from newsmirror.stories.views import group_hits, member_filter, story_note
from newsmirror.web.archive import Archive
from newsmirror.web.params import NotFound, day_bounds, parse_day, parse_int, parse_query, read_reader
from newsmirror.web.render import LATEST_DAY, article_context, in_reader_words, page_url, render_page
from newsmirror.web.wording import Words, page_note, reader_message

__all__ = [
    "PER_PAGE",
    "MAX_PAGE",
    "home",
    "sources_page",
    "source_page",
    "day_page",
    "month_page",
    "newest_day",

    "article_page",
    "story_page",
    "stories_page",
    "search_page",
    "parse_article_id",
    "build_query",
    "clean_snippet",
]

log = logging.getLogger(__name__)

PER_PAGE = 30
MAX_PAGE = 1000
GROUP_WINDOW = 200  # search hits grouped by story together: a story's articles stay on one page


def _archive(request: Request) -> Archive:
    return request.app.state.archive


def _paging(page: int, total: int | None, shown: int, more: bool) -> dict[str, Any]:
    pages = max(1, math.ceil(total / PER_PAGE)) if total is not None else None
    return {
        "page": page,
        "pages": pages,
        "total": total,
        "has_prev": page > 1,
        "has_next": (page < pages) if pages is not None else more,
        "shown": shown,
    }


def _listing(request: Request, *, source: str | None = None, since=None, until=None,
             count: bool = True) -> tuple[list, dict[str, Any]]:
    page = parse_int(request, "page", 1, 1, MAX_PAGE)
    store = _archive(request).store()
    rows = list(store.iter_articles(source=source, since=since, until=until, newest_first=True,
                                    limit=PER_PAGE + 1, offset=(page - 1) * PER_PAGE))
    more = len(rows) > PER_PAGE
    rows = rows[:PER_PAGE]
    total = store.count_articles(source=source) if count else None
    paging = _paging(page, total, len(rows), more)
    if page > 1 and not rows:
        _past_the_end(request, page, paging["pages"])
    return rows, paging


def _past_the_end(request: Request, page: int, last: int | None) -> None:
    """A page number past the end of a listing: a 404 page that links back to the first and the last page."""
    back: tuple[tuple[str, str], ...] = (("回到第 1 頁", page_url(request, page=None)),)
    if last and last > 1:
        back += ((f"最後一頁（第 {last} 頁）", page_url(request, page=last)),)
    where = f"，共 {last} 頁" if last else ""
    raise NotFound(f"no page {page} of this list" + (f"; it has {last}" if last else ""),
                   f"沒有第 {page} 頁{where}。", back=back)


def newest_day(store, tz) -> date | None:
    """The newest local day (in `tz`) that has articles, or None for an empty archive."""
    newest = next(iter(store.iter_articles(newest_first=True, limit=1)), None)
    return newest.published.astimezone(tz).date() if newest is not None else None


def _neighbour_days(store, tz, start, end) -> tuple[date | None, date | None]:
    """The nearest local days with articles before `start` and from `end` on (never a day without any)."""
    before = next(iter(store.iter_articles(until=start, newest_first=True, limit=1)), None)
    after = next(iter(store.iter_articles(since=end, limit=1)), None)
    return (before.published.astimezone(tz).date() if before else None,
            after.published.astimezone(tz).date() if after else None)


def home(request: Request) -> Response:
    """Latest articles across every outlet, newest first, paged."""
    reader = read_reader(request)
    articles, paging = _listing(request)
    return render_page(request, reader, "list.html", {
        "title": Words("最新報導"), "heading": Words("最新報導"), "articles": articles, "paging": paging,
        "show_source": True, "day_nav": None,
    })


def sources_page(request: Request) -> Response:
    """Every outlet in the archive with its article count and newest article time, and the health of
    every feed in sources.toml, failing ones first (a feed that never worked has no articles to list)."""
    reader = read_reader(request)
    archive = _archive(request)
    sources = archive.store().sources()
    return render_page(request, reader, "sources.html", {"title": Words("來源"), "sources": sources,
                                                         "feed_health": _feed_health(archive)})


def _feed_health(archive: Archive) -> list:
    """Every feed's health, failing first; empty when the home has no readable sources file."""
    from datetime import datetime, UTC

    from newsmirror.config import load_sources
    from newsmirror.errors import NewsMirrorError
    from newsmirror.health import feed_health

    try:
        listed = load_sources(archive.settings.sources_file, [], lenient_intervals=True)
        return feed_health(archive.store(), listed, datetime.now(UTC))
    except NewsMirrorError:
        return []


def _known_source(request: Request, name: str) -> bool:
    return any(s[0] == name for s in _archive(request).store().sources())


def source_page(request: Request) -> Response:
    """One outlet's articles, newest first, paged."""
    name = request.path_params["name"]
    if not _known_source(request, name):
        raise NotFound(f"no source named {name[:80]!r} in this archive", f"這個封存裡沒有名為「{name[:80]}」的來源",
                       back=(("所有來源", "/sources"),))
    reader = read_reader(request)
    articles, paging = _listing(request, source=name)
    return render_page(request, reader, "list.html", {
        "title": name, "heading": name, "articles": articles, "paging": paging,
        "show_source": False, "day_nav": None,
    })


def day_page(request: Request) -> Response:
    """The articles published on one calendar day in the reader's timezone, with the nearest days that have any."""
    reader = read_reader(request)
    if request.path_params["day"] == LATEST_DAY:
        newest = newest_day(_archive(request).store(), reader.tz) or datetime.now(reader.tz).date()
        query = f"?{request.url.query}" if request.url.query else ""  # the reader's ?tz= and ?script= stay
        return RedirectResponse(f"/day/{newest.isoformat()}{query}", status_code=302,
                                headers={"cache-control": "no-cache"})
    day = parse_day(request.path_params["day"])
    _not_in_the_future(day, reader.tz, day.isoformat(), f"{day:%Y 年 %m 月 %d 日}")
    start, end = day_bounds(day, reader.tz)
    articles, paging = _listing(request, since=start, until=end, count=False)
    articles = [a for a in articles if start <= a.published < end]
    prev, next_ = _neighbour_days(_archive(request).store(), reader.tz, start, end)
    nav = {"prev": prev.isoformat() if prev else None, "next": next_.isoformat() if next_ else None,
           "tz": reader.tz_name, "month": (day.year, day.month)}
    return render_page(request, reader, "list.html", {
        "title": day.isoformat(), "heading": Words(f"{day:%Y 年 %m 月 %d 日}"), "articles": articles,
        "paging": paging, "show_source": True, "day_nav": nav,
        "empty": Words("這一天沒有收錄報導。"),  # a past day: none were published, not "none yet"
    })


def _not_in_the_future(first: date, tz, shown: str, zh: str) -> None:
    """A day or month that has not begun in the reader's zone: a 404 that leads back to the newest day."""
    if first > datetime.now(tz).date():
        raise NotFound(f"{shown} has not come yet; the archive's newest day is at /day/{LATEST_DAY}",
                       f"{zh}還沒到，還沒有報導。", back=(("最近一日", f"/day/{LATEST_DAY}"),))


def parse_month(text: str) -> tuple[int, int]:
    """A month written YYYY-MM, as (year, month); QueryError otherwise."""
    if not re.fullmatch(r"\d{4}-\d{2}", text) or not 1 <= int(text[5:]) <= 12:
        raise QueryError(f"month {text[:20]!r} is not a month; write it as YYYY-MM",
                         zh=f"「{text[:20]}」不是月份，請寫成 YYYY-MM（例如 2025-09）")
    parse_day(text + "-01")  # the year's range
    return int(text[:4]), int(text[5:])


def month_page(request: Request) -> Response:
    """A month's calendar: every day with its number of articles, linking to the days that have some."""
    reader = read_reader(request)
    year, month = parse_month(request.path_params["month"])
    first = date(year, month, 1)
    _not_in_the_future(first, reader.tz, f"{year}-{month:02d}", f"{year} 年 {month} 月")
    following = date(year + (month == 12), month % 12 + 1, 1)
    start, _ = day_bounds(first, reader.tz)
    end, _ = day_bounds(following, reader.tz)
    store = _archive(request).store()
    counts = store.day_counts(start, end, reader.tz_name)
    weeks: list[list[tuple[date, int] | None]] = []
    week: list[tuple[date, int] | None] = [None] * first.weekday()
    day = first
    while day < following:
        week.append((day, counts.get(day, 0)))
        if len(week) == 7:
            weeks.append(week)
            week = []
        day += timedelta(days=1)
    if week:
        weeks.append(week + [None] * (7 - len(week)))
    prev, next_ = _neighbour_days(store, reader.tz, start, end)
    return render_page(request, reader, "month.html", {
        "title": f"{year}-{month:02d}", "heading": Words(f"{year} 年 {month} 月"), "weeks": weeks,
        "total": sum(counts.values()), "days_with": len(counts),
        "prev": (prev.year, prev.month) if prev else None, "next": (next_.year, next_.month) if next_ else None,
    })


def parse_article_id(text: str) -> int:
    """An article id from the path; 404 unless it is a positive integer SQLite can hold."""
    if not text.isascii() or not text.isdigit() or len(text) > 18 or int(text) < 1:
        raise NotFound(f"no article {text[:30]!r}", f"沒有編號「{text[:30]}」的報導")
    return int(text)


def article_page(request: Request) -> Response:
    """One article: body, outlet, authors, times, original link, and every stored version with diffs."""
    article_id = parse_article_id(request.path_params["id"])
    store = _archive(request).store()
    article = store.get_article(article_id)
    if article is None:
        raise NotFound(f"no article {article_id}", f"沒有編號 {article_id} 的報導")
    reader = read_reader(request)
    context, page_lang = article_context(article, store.article_versions(article_id), reader.script)
    context["page_note"] = page_note(store.get_page_fetch(article_id))
    context["story_note"] = story_note(store, article_id)  # type: ignore[assignment]
    return render_page(request, reader, "article.html", context, page_lang=page_lang)


def story_page(request: Request) -> Response:
    """One story: its articles across outlets on a timeline, who reported first, reprints and script versions."""
    from newsmirror.stories.views import outlet_firsts, span, timeline

    text = request.path_params["id"]
    if not text.isascii() or not text.isdigit() or len(text) > 18 or int(text) < 1:
        raise NotFound(f"no story {text[:30]!r}", f"沒有編號「{text[:30]}」的報導串")
    story_id = int(text)
    stories = _archive(request).store().stories(ids=[story_id])
    if not stories:
        raise NotFound(f"no story {story_id}", f"沒有編號 {story_id} 的報導串")
    story = stories[0]
    reader = read_reader(request)
    first = story.articles[0]
    return render_page(request, reader, "story.html", {
        "title": story.title or "(無題)", "story": story, "first": first, "entries": timeline(story),
        "outlets": outlet_firsts(story), "span": span(story.last_published - first.published),
        "after": lambda article: span(article.published - first.published) or "不到 1 分鐘",
    })


def stories_page(request: Request) -> Response:
    """Stories of more than one article, newest first, paged: each with its title, size, outlets and span."""
    reader = read_reader(request)
    page = parse_int(request, "page", 1, 1, MAX_PAGE)
    store = _archive(request).store()
    stories = store.stories(min_articles=2, newest_first=True, limit=PER_PAGE, offset=(page - 1) * PER_PAGE)
    paging = _paging(page, store.count_stories(min_articles=2), len(stories), False)
    if page > 1 and not stories:
        _past_the_end(request, page, paging["pages"])
    return render_page(request, reader, "stories.html", {
        "title": Words("報導串"), "heading": Words("報導串"), "stories": stories, "paging": paging,
    })


def clean_snippet(snippet: str) -> Markup:
    """The index's snippet (escaped text with <mark>), sanitized again to keep only <mark>."""
    return Markup(nh3.clean(snippet or "", tags={"mark"}, attributes={}))


def build_query(q: str, *, source: str | None = None, since: date | None = None, until: date | None = None):
    """The index query for the search box text, with the form's filters replacing any typed ones."""
    from newsmirror.index import parse_query as parse_index_query

    query = parse_index_query(q)
    changes: dict[str, Any] = {}
    if source:
        changes["sources"] = (source,)
    if since:
        changes["since"] = since
    if until:
        changes["until"] = until
    if since and until and since > until:
        raise QueryError(f"since {since} is after until {until}; swap the dates",
                         zh=f"起始日 {since} 晚於結束日 {until}；請對調兩個日期")
    return replace(query, **changes) if changes else query


def search_filter(index, query, reader):
    """Which of a matching story's other articles a search shows: within the query's sources, days and exclusions."""
    return member_filter(sources=set(index.source_names(query.sources)) if query.sources else None,
                         since=query.since, until=query.until, zone=lambda _source: reader.tz,
                         excluded=lambda ids: index.excluded(query, ids))


def search_page(request: Request) -> Response:
    """The search form and, given ?q=, a page of results with filters and paging."""
    reader = read_reader(request)
    archive = _archive(request)
    sources = [s[0] for s in archive.store().sources()]
    form = {
        "q": request.query_params.get("q", "")[:400],
        "source": request.query_params.get("source", "")[:400],
        "since": request.query_params.get("since", "")[:40],
        "until": request.query_params.get("until", "")[:40],
    }
    context: dict[str, Any] = {"title": Words("搜尋"), "form": form, "sources": sources, "results": None,
                               "paging": None, "error": None}
    if "q" not in request.query_params:
        return render_page(request, reader, "search.html", context)
    try:
        q = parse_query(request)
        page = parse_int(request, "page", 1, 1, MAX_PAGE)
        if form["source"] and form["source"] not in sources:
            raise QueryError(f"no source named {form['source'][:80]!r} in this archive",
                             zh=f"這個封存裡沒有名為「{form['source'][:80]}」的來源")
        days = {name: parse_day(form[name].strip()) if form[name].strip() else None for name in ("since", "until")}
        query = build_query(q, source=form["source"] or None, since=days["since"], until=days["until"])
        want = min(1000, max(GROUP_WINDOW, page * PER_PAGE))
        results = archive.index().search(query, limit=want, tz=reader.tz_name, snippets=False)
        groups = group_hits(results.hits, archive.store(), keep=search_filter(archive.index(), query, reader))
    except QueryError as exc:
        context["error"] = reader_message(exc)
        return render_page(request, reader, "search.html", context, status=400)
    except SearchError as exc:
        context["error"] = Words("搜尋索引暫時無法使用，請稍後再試。")
        log.warning("search: %s", exc)
        return render_page(request, reader, "search.html", context, status=503)
    shown = groups[(page - 1) * PER_PAGE : page * PER_PAGE]
    cut = {h.id: h for h in archive.index().cut_snippets([line.hit for group in shown for line in group], query,
                                                         archive.store())}
    shown = [[replace(line, hit=cut[line.hit.id]) for line in group] for group in shown]  # snippets: these lines only
    whole = len(results.hits) >= results.total  # every hit is grouped: the number of pages is known
    more = len(groups) > page * PER_PAGE or (not whole and want < 1000)
    paging = _paging(page, None, len(shown), more)
    if whole:
        paging["pages"] = max(1, math.ceil(len(groups) / PER_PAGE))
    if page > 1 and not shown:
        _past_the_end(request, page, paging["pages"])
    context["title"] = f"{in_reader_words('搜尋', reader.script)}：{q}"  # the reader's query as typed
    context["groups"] = [[(line, clean_snippet(line.hit.snippet)) for line in group] for group in shown]
    context["results"] = [(line.hit, snippet) for group in context["groups"] for line, snippet in group]
    context["total"] = results.total
    context["paging"] = paging
    return render_page(request, reader, "search.html", context)
