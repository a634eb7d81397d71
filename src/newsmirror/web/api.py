"""The JSON API: articles, one article with its revisions, search, sources, and its OpenAPI schema.

Every answer is `{"ok": true, ...}` or `{"ok": false, "error": "...", "message": "..."}` (400 bad
or unknown parameter, 404 unknown id or path; `error` in English, `message` for a Chinese reader).
Lists are paged one way everywhere: `limit` and `offset`, answered with `total` and `next_offset`
(null on the last page). Times are ISO 8601 with the reader's offset (?tz=, default Asia/Taipei);
text is given as stored, or in ?script=hant|hans. JSON is UTF-8 text, never ASCII escapes.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from newsmirror.errors import QueryError
from newsmirror.models import ArticleVersion, PageFetch, StoredArticle, search_hit_to_dict, stored_article_to_dict
from newsmirror.web.archive import Archive
from newsmirror.web.openapi import openapi_schema
from newsmirror.web.params import (
    NotFound,
    Reader,
    check_params,
    parse_day,
    parse_int,
    parse_query,
    parse_when,
    read_reader,
)
from newsmirror.web.render import in_script
from newsmirror.stories.views import group_hits
from newsmirror.web.views import GROUP_WINDOW, build_query, parse_article_id, search_filter
from newsmirror.web.wording import page_note

__all__ = [
    "MAX_LIMIT",
    "PARAMS",
    "LIST_FIELDS",
    "DETAIL_FIELDS",
    "json_ok",
    "json_error",
    "api_articles",
    "api_article",
    "api_search",
    "api_sources",
    "api_stories",
    "api_story",
    "api_openapi",
]

MAX_LIMIT = 200
MAX_OFFSET = 1_000_000
MAX_SEARCH_OFFSET = 10_000  # the index ranks a window of matches; deeper pages are not offered

# The parameters each endpoint takes; any other is a 400 naming it.
READER = ("tz", "script")
PAGING = ("limit", "offset")
PARAMS: dict[str, tuple[str, ...]] = {
    "articles": ("source", "since", "until", *PAGING, *READER),
    "article": READER,
    "search": ("q", "source", "since", "until", *PAGING, *READER),
    "sources": (*PAGING, *READER),
    "stories": ("source", "since", "until", "min_articles", *PAGING, *READER),
    "story": READER,
    "openapi": (),
}


class _JSON(JSONResponse):
    def render(self, content: Any) -> bytes:
        import json

        return json.dumps(content, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def json_ok(payload: dict[str, Any], status: int = 200) -> Response:
    """A successful JSON answer: `{"ok": true, **payload}`."""
    response = _JSON({"ok": True, **payload}, status_code=status)
    response.headers["cache-control"] = "no-cache"
    return response


def json_error(status: int, error: str, headers: dict[str, str] | None = None, *, message: str = "") -> Response:
    """A failed JSON answer: `{"ok": false, "error": error, "message": message}`.

    `error` is the English message for programs and logs; `message` says it for a Chinese reader."""
    body = {"ok": False, "error": error, **({"message": message} if message else {})}
    response = _JSON(body, status_code=status, headers=headers)
    response.headers["cache-control"] = "no-store"
    return response


def _archive(request: Request) -> Archive:
    return request.app.state.archive


def _reader(request: Request, endpoint: str) -> Reader:
    """The API's reader (?tz=, ?script= only, no cookies), after refusing unknown parameters."""
    reader = read_reader(request, api=True)
    check_params(request, PARAMS[endpoint])
    return reader


def _iso(when: datetime | None, reader: Reader) -> str | None:
    return when.astimezone(reader.tz).isoformat() if when is not None else None


def _text(value: str, reader: Reader) -> str:
    return in_script(value, reader.script)


def _page(request: Request, default_limit: int, max_offset: int) -> tuple[int, int]:
    return parse_int(request, "limit", default_limit, 1, MAX_LIMIT), parse_int(request, "offset", 0, 0, max_offset)


def _paged(results: list, total: int, limit: int, offset: int) -> dict[str, Any]:
    """The one paging answer: results, total, limit, offset, next_offset (None on the last page)."""
    return {"results": results, "total": total, "limit": limit, "offset": offset,
            "next_offset": offset + limit if offset + limit < total else None}


# The fields of an article in a list, and on its own (where the body and the times of the archive are added).
# Not given: the feed's raw HTML, unsanitized as received (`html` is the safe body), and the extractor's
# reading (`extracted`); `newsmirror export` has both.
LIST_FIELDS = ("id", "title", "source", "published", "url", "link", "authors", "categories", "version")
DETAIL_FIELDS = (*LIST_FIELDS, "guid", "feed_url", "first_seen", "last_seen", "summary", "html", "text")


def _article(a: StoredArticle, reader: Reader, only: tuple[str, ...] = LIST_FIELDS) -> dict[str, Any]:
    """An article in the model's one JSON form, in the reader's zone and script."""
    return stored_article_to_dict(a, zone=reader.tz, text=lambda value: _text(value, reader), only=only)


def _version(v: ArticleVersion, reader: Reader) -> dict[str, Any]:
    return {
        "version": v.version,
        "seen_at": _iso(v.seen_at, reader),
        "page_seen": _iso(v.page_seen, reader),
        "title": _text(v.title, reader),
        "html": _text(v.html, reader),
        "text": _text(v.text, reader),
        "feed_text": _text(v.feed_text, reader),
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
        "why": _text(str(note["why"]), reader),
        "attempts": record.attempts,
        "last_try": _iso(record.last_try, reader),
        "next_try": _iso(note["next_try"], reader),  # type: ignore[arg-type]
    }}


def _check_source(request: Request, name: str | None) -> None:
    if name is not None and not any(s[0] == name for s in _archive(request).store().sources()):
        raise QueryError(f"no source named {name[:80]!r} in this archive; see /api/sources",
                         zh=f"這個封存裡沒有名為「{name[:80]}」的來源；請見 /api/sources")


def _time_range(request: Request, reader: Reader) -> tuple[datetime | None, datetime | None]:
    """The `since`/`until` parameters in the reader's zone (`until` a whole day), since before until."""
    since = parse_when(request, "since", reader.tz)
    until = parse_when(request, "until", reader.tz, end_of_day=True)
    if since and until and since >= until:
        raise QueryError("since must be before until", zh="since 必須早於 until")
    return since, until


def api_articles(request: Request) -> Response:
    """GET /api/articles: articles newest first, filtered by source and a published time range."""
    reader = _reader(request, "articles")
    source = request.query_params.get("source") or None
    since, until = _time_range(request, reader)
    limit, offset = _page(request, 50, MAX_OFFSET)
    _check_source(request, source)
    store = _archive(request).store()
    rows = list(store.iter_articles(source=source, since=since, until=until, newest_first=True,
                                    limit=limit, offset=offset))
    total = store.count_articles(source=source, since=since, until=until)
    return json_ok(_paged([_article(a, reader) for a in rows], total, limit, offset))


def api_article(request: Request) -> Response:
    """GET /api/articles/{id}: one article with its body and every revision."""
    article_id = parse_article_id(request.path_params["id"])
    reader = _reader(request, "article")
    store = _archive(request).store()
    article = store.get_article(article_id)
    if article is None:
        raise NotFound(f"no article {article_id}", f"沒有編號 {article_id} 的報導")
    data = _article(article, reader, DETAIL_FIELDS)
    data.update({
        "versions": [_version(v, reader) for v in store.article_versions(article_id)],
        **_holding(store.get_page_fetch(article_id), reader),
        "story": store.story_ids([article_id]).get(article_id),
    })
    return json_ok({"article": data})


def _story(story, reader: Reader) -> dict[str, Any]:
    from newsmirror.stories.views import story_to_dict

    return story_to_dict(story, zone=lambda _source: reader.tz, text=lambda value: _text(value, reader))


def api_stories(request: Request) -> Response:
    """GET /api/stories: stories newest first, with their articles across outlets."""
    reader = _reader(request, "stories")
    source = request.query_params.get("source") or None
    since, until = _time_range(request, reader)
    least = parse_int(request, "min_articles", 2, 1, 1_000_000)
    limit, offset = _page(request, 20, MAX_OFFSET)
    _check_source(request, source)
    store = _archive(request).store()
    stories = store.stories(since=since, until=until, source=source, min_articles=least, newest_first=True,
                            limit=limit, offset=offset)
    total = store.count_stories(since=since, until=until, source=source, min_articles=least)
    return json_ok(_paged([_story(s, reader) for s in stories], total, limit, offset))


def api_story(request: Request) -> Response:
    """GET /api/stories/{id}: one story with its articles in time order, copies pointing at their original."""
    text = request.path_params["id"]
    reader = _reader(request, "story")
    if not text.isascii() or not text.isdigit() or len(text) > 18 or int(text) < 1:
        raise NotFound(f"no story {text[:30]!r}", f"沒有編號「{text[:30]}」的報導串")
    stories = _archive(request).store().stories(ids=[int(text)])
    if not stories:
        raise NotFound(f"no story {int(text)}", f"沒有編號 {int(text)} 的報導串")
    return json_ok({"story": _story(stories[0], reader)})


def api_search(request: Request) -> Response:
    """GET /api/search: full-text search, with the index's source:/since:/until: filters."""
    reader = _reader(request, "search")
    q = parse_query(request)
    limit, offset = _page(request, 20, MAX_SEARCH_OFFSET)
    source = request.query_params.get("source") or None
    _check_source(request, source)
    days = {}
    for name in ("since", "until"):
        raw = (request.query_params.get(name) or "").strip()
        days[name] = parse_day(raw) if raw else None
    query = build_query(q, source=source, since=days["since"], until=days["until"])
    archive = _archive(request)
    want = min(1000, max(offset + limit, GROUP_WINDOW))
    results = archive.index().search(query, limit=want, tz=reader.tz_name, snippets=False)
    keep = search_filter(archive.index(), query, reader)
    lines = [line for group in group_hits(results.hits, archive.store(), keep=keep) for line in group]
    lines = lines[offset:offset + limit]
    cut = {h.id: h for h in archive.index().cut_snippets([line.hit for line in lines], query, archive.store())}
    lines = [replace(line, hit=cut[line.hit.id]) for line in lines]  # snippets for the shown lines only
    hits = [{**search_hit_to_dict(line.hit, zone=reader.tz, text=lambda value: _text(value, reader)),
             "story": line.story, "matched": line.matched} for line in lines]
    return json_ok({**_paged(hits, results.total, limit, offset), "exact": results.exact})


def api_sources(request: Request) -> Response:
    """GET /api/sources: every outlet with its article count and newest article time."""
    reader = _reader(request, "sources")
    limit, offset = _page(request, MAX_LIMIT, MAX_OFFSET)
    sources = _archive(request).store().sources()
    rows = [{"name": name, "articles": count, "newest": _iso(newest, reader)}
            for name, count, newest in sources[offset:offset + limit]]
    return json_ok(_paged(rows, len(sources), limit, offset))


def api_openapi(request: Request) -> Response:
    """GET /api/openapi.json: the OpenAPI 3.1 description of this API."""
    check_params(request, PARAMS["openapi"])
    response = _JSON(openapi_schema())
    response.headers["cache-control"] = "public, max-age=3600"
    return response
