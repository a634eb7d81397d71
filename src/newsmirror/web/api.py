"""The JSON API: articles, one article with its versions, search, sources, and its OpenAPI schema.

Every answer is `{"ok": true, ...}` or `{"ok": false, "error": "..."}` (400 bad parameter,
404 unknown id or path); times are ISO 8601 with the reader's offset (?tz=, default Asia/Taipei).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from newsmirror.errors import QueryError
from newsmirror.models import ArticleVersion, PageFetch, StoredArticle
from newsmirror.web.archive import Archive
from newsmirror.web.openapi import openapi_schema
from newsmirror.web.params import Reader, parse_day, parse_int, parse_query, parse_when, read_reader
from newsmirror.web.views import build_query, parse_article_id
from newsmirror.web.wording import page_note

__all__ = [
    "MAX_LIMIT",
    "json_ok",
    "json_error",
    "api_articles",
    "api_article",
    "api_search",
    "api_sources",
    "api_openapi",
]

MAX_LIMIT = 200
MAX_OFFSET = 1_000_000


class _JSON(JSONResponse):
    def render(self, content: Any) -> bytes:
        import json

        return json.dumps(content, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def json_ok(payload: dict[str, Any], status: int = 200) -> Response:
    """A successful JSON answer: `{"ok": true, **payload}`."""
    response = _JSON({"ok": True, **payload}, status_code=status)
    response.headers["cache-control"] = "no-cache"
    return response


def json_error(status: int, error: str, headers: dict[str, str] | None = None) -> Response:
    """A failed JSON answer: `{"ok": false, "error": error}`."""
    response = _JSON({"ok": False, "error": error}, status_code=status, headers=headers)
    response.headers["cache-control"] = "no-store"
    return response


def _archive(request: Request) -> Archive:
    return request.app.state.archive


def _iso(when: datetime | None, reader: Reader) -> str | None:
    return when.astimezone(reader.tz).isoformat() if when is not None else None


def _summary(a: StoredArticle, reader: Reader) -> dict[str, Any]:
    return {
        "id": a.id,
        "title": a.title,
        "source": a.source,
        "published": _iso(a.published, reader),
        "url": a.url,
        "link": a.link,
        "authors": list(a.authors),
        "categories": list(a.categories),
        "version": a.version,
    }


def _version(v: ArticleVersion, reader: Reader) -> dict[str, Any]:
    return {
        "version": v.version,
        "seen_at": _iso(v.seen_at, reader),
        "page_seen": _iso(v.page_seen, reader),
        "title": v.title,
        "html": v.html,
        "text": v.text,
        "feed_text": v.feed_text,
    }


def _holding(record: PageFetch | None, reader: Reader) -> dict[str, Any]:
    """What the archive holds of the article: "page" (the page's text) or "summary" (the feed's only), and why."""
    note = page_note(record)
    if note is None:
        return {"holds": "page" if record is not None else "feed", "page_fetch": None}
    assert record is not None
    return {"holds": "summary", "page_fetch": {
        "status": record.status.value,
        "kind": record.kind.value if record.kind else None,
        "reason": record.reason,
        "why": note["why"],
        "attempts": record.attempts,
        "last_try": _iso(record.last_try, reader),
        "next_try": _iso(note["next_try"], reader),  # type: ignore[arg-type]
    }}


def _check_source(request: Request, name: str | None) -> None:
    if name is not None and not any(s[0] == name for s in _archive(request).store().sources()):
        raise QueryError(f"no source named {name[:80]!r} in this archive; see /api/sources")


def api_articles(request: Request) -> Response:
    """GET /api/articles: articles newest first, filtered by source and a published time range."""
    reader = read_reader(request)
    source = request.query_params.get("source") or None
    since = parse_when(request, "since", reader.tz)
    until = parse_when(request, "until", reader.tz, end_of_day=True)
    if since and until and since >= until:
        raise QueryError("since must be before until")
    limit = parse_int(request, "limit", 50, 1, MAX_LIMIT)
    offset = parse_int(request, "offset", 0, 0, MAX_OFFSET)
    _check_source(request, source)
    store = _archive(request).store()
    rows = list(store.iter_articles(source=source, since=since, until=until, newest_first=True,
                                    limit=limit + 1, offset=offset))
    more = len(rows) > limit
    rows = [a for a in rows[:limit] if (since is None or a.published >= since) and (until is None or a.published < until)]
    payload: dict[str, Any] = {
        "results": [_summary(a, reader) for a in rows],
        "limit": limit,
        "offset": offset,
        "next_offset": offset + limit if more else None,
    }
    if since is None and until is None:
        payload["total"] = store.count_articles(source=source)
    return json_ok(payload)


def api_article(request: Request) -> Response:
    """GET /api/articles/{id}: one article with its body and every stored version."""
    article_id = parse_article_id(request.path_params["id"])
    reader = read_reader(request)
    store = _archive(request).store()
    article = store.get_article(article_id)
    if article is None:
        raise HTTPException(404, f"no article {article_id}")
    data = _summary(article, reader)
    data.update({
        "first_seen": _iso(article.first_seen, reader),
        "last_seen": _iso(article.last_seen, reader),
        "summary": article.summary,
        "html": article.html,
        "text": article.text,
        "versions": [_version(v, reader) for v in store.article_versions(article_id)],
        **_holding(store.get_page_fetch(article_id), reader),
    })
    return json_ok({"article": data})


def api_search(request: Request) -> Response:
    """GET /api/search: full-text search, with the index's source:/since:/until: filters."""
    reader = read_reader(request)
    q = parse_query(request)
    limit = parse_int(request, "limit", 20, 1, MAX_LIMIT)
    offset = parse_int(request, "offset", 0, 0, 10_000)
    source = request.query_params.get("source") or None
    _check_source(request, source)
    days = {}
    for name in ("since", "until"):
        raw = (request.query_params.get(name) or "").strip()
        days[name] = parse_day(raw) if raw else None
    query = build_query(q, source=source, since=days["since"], until=days["until"])
    archive = _archive(request)
    results = archive.index().search(query, limit=limit, offset=offset, store=archive.store(), tz=reader.tz_name)
    return json_ok({
        "results": [
            {
                "id": hit.id,
                "title": hit.title,
                "source": hit.source,
                "published": _iso(hit.published, reader),
                "url": hit.url,
                "snippet": hit.snippet,
            }
            for hit in results.hits
        ],
        "total": results.total,
        "limit": limit,
        "offset": offset,
    })


def api_sources(request: Request) -> Response:
    """GET /api/sources: every outlet with its article count and newest article time."""
    reader = read_reader(request)
    sources = _archive(request).store().sources()
    return json_ok({
        "results": [{"name": name, "articles": count, "newest": _iso(newest, reader)} for name, count, newest in sources],
        "total": len(sources),
    })


def api_openapi(request: Request) -> Response:
    """GET /api/openapi.json: the OpenAPI 3.1 description of this API."""
    response = _JSON(openapi_schema())
    response.headers["cache-control"] = "public, max-age=3600"
    return response
