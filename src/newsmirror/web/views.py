"""The HTML pages: latest, outlets, one outlet, one day, one article with its versions, search."""

from __future__ import annotations

import math
from datetime import date, timedelta
from typing import Any

import nh3
from markupsafe import Markup
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from newsmirror.errors import QueryError, SearchError
from newsmirror.web.archive import Archive
from newsmirror.web.params import day_bounds, parse_day, parse_int, parse_query, read_reader
from newsmirror.web.render import render_page
from newsmirror.web.script import detect_script, lang_for
from newsmirror.web.versions import diff_versions
from newsmirror.web.wording import page_note

__all__ = [
    "PER_PAGE",
    "MAX_PAGE",
    "home",
    "sources_page",
    "source_page",
    "day_page",
    "article_page",
    "search_page",
    "parse_article_id",
    "build_query",
    "clean_snippet",
]

PER_PAGE = 30
MAX_PAGE = 1000


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
    return rows, _paging(page, total, len(rows), more)


def home(request: Request) -> Response:
    """Latest articles across every outlet, newest first, paged."""
    reader = read_reader(request)
    articles, paging = _listing(request)
    return render_page(request, reader, "list.html", {
        "title": "最新報導", "heading": "最新報導", "articles": articles, "paging": paging,
        "show_source": True, "day_nav": None,
    })


def sources_page(request: Request) -> Response:
    """Every outlet in the archive with its article count and newest article time."""
    reader = read_reader(request)
    sources = _archive(request).store().sources()
    return render_page(request, reader, "sources.html", {"title": "來源", "sources": sources})


def _known_source(request: Request, name: str) -> bool:
    return any(s[0] == name for s in _archive(request).store().sources())


def source_page(request: Request) -> Response:
    """One outlet's articles, newest first, paged."""
    name = request.path_params["name"]
    if not _known_source(request, name):
        raise HTTPException(404, f"no source named {name[:80]!r} in this archive")
    reader = read_reader(request)
    articles, paging = _listing(request, source=name)
    return render_page(request, reader, "list.html", {
        "title": name, "heading": name, "articles": articles, "paging": paging,
        "show_source": False, "day_nav": None,
    })


def day_page(request: Request) -> Response:
    """The articles published on one calendar day in the reader's timezone."""
    reader = read_reader(request)
    day = parse_day(request.path_params["day"])
    start, end = day_bounds(day, reader.tz)
    articles, paging = _listing(request, since=start, until=end, count=False)
    articles = [a for a in articles if start <= a.published < end]
    nav = {"prev": (day - timedelta(days=1)).isoformat(), "next": (day + timedelta(days=1)).isoformat(),
           "tz": reader.tz_name}
    return render_page(request, reader, "list.html", {
        "title": day.isoformat(), "heading": f"{day:%Y 年 %m 月 %d 日}", "articles": articles,
        "paging": paging, "show_source": True, "day_nav": nav,
    })


def parse_article_id(text: str) -> int:
    """An article id from the path; 404 unless it is a positive integer SQLite can hold."""
    if not text.isascii() or not text.isdigit() or len(text) > 18 or int(text) < 1:
        raise HTTPException(404, f"no article {text[:30]!r}")
    return int(text)


def article_page(request: Request) -> Response:
    """One article: body, outlet, authors, times, original link, and every stored version with diffs."""
    article_id = parse_article_id(request.path_params["id"])
    store = _archive(request).store()
    article = store.get_article(article_id)
    if article is None:
        raise HTTPException(404, f"no article {article_id}")
    reader = read_reader(request)
    versions = store.article_versions(article_id)
    original = detect_script(article.title + "\n" + article.text)
    return render_page(request, reader, "article.html", {
        "title": article.title or "(無題)", "article": article, "versions": list(reversed(versions)),
        "diffs": {d.new: d for d in diff_versions(versions)},
        "body_lang": lang_for(reader.script or original),
        "page_note": page_note(store.get_page_fetch(article_id)),
    }, page_lang=lang_for(original))


def clean_snippet(snippet: str) -> Markup:
    """The index's snippet (escaped text with <mark>), sanitized again to keep only <mark>."""
    return Markup(nh3.clean(snippet or "", tags={"mark"}, attributes={}))


def build_query(q: str, *, source: str | None = None, since: date | None = None, until: date | None = None):
    """The index query for the search box text, with the form's filters replacing any typed ones."""
    from dataclasses import replace

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
        raise QueryError(f"since {since} is after until {until}; swap the dates")
    return replace(query, **changes) if changes else query


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
    context: dict[str, Any] = {"title": "搜尋", "form": form, "sources": sources, "results": None,
                               "paging": None, "error": None}
    if "q" not in request.query_params:
        return render_page(request, reader, "search.html", context)
    try:
        q = parse_query(request)
        page = parse_int(request, "page", 1, 1, MAX_PAGE)
        if form["source"] and form["source"] not in sources:
            raise QueryError(f"no source named {form['source'][:80]!r} in this archive")
        days = {name: parse_day(form[name].strip()) if form[name].strip() else None for name in ("since", "until")}
        query = build_query(q, source=form["source"] or None, since=days["since"], until=days["until"])
        results = archive.index().search(query, limit=PER_PAGE, offset=(page - 1) * PER_PAGE,
                                         store=archive.store(), tz=reader.tz_name)
    except QueryError as exc:
        context["error"] = str(exc)
        return render_page(request, reader, "search.html", context, status=400)
    except SearchError as exc:
        context["error"] = str(exc)
        return render_page(request, reader, "search.html", context, status=503)
    context["title"] = f"搜尋：{q}"
    context["results"] = [(hit, clean_snippet(hit.snippet)) for hit in results.hits]
    context["paging"] = _paging(page, results.total, len(results.hits), False)
    return render_page(request, reader, "search.html", context)
