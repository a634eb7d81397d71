"""The OpenAPI 3.1 description of the JSON API, written by hand so it says what the code promises."""

from __future__ import annotations

from typing import Any

from newsmirror import __version__

__all__ = ["openapi_schema"]


def _param(name: str, description: str, schema: dict[str, Any], *, where: str = "query",
           required: bool = False) -> dict[str, Any]:
    return {"name": name, "in": where, "required": required, "description": description, "schema": schema}


_TZ = _param("tz", "IANA timezone for the offsets of returned times and for dates without one.",
             {"type": "string", "default": "Asia/Taipei", "examples": ["Asia/Shanghai"]})
_SCRIPT = _param("script", "Give text (titles, bodies, snippets, authors) in Traditional (hant) or Simplified "
                           "(hans) script; as stored (orig) by default. Source names are kept as stored.",
                 {"enum": ["hant", "hans", "orig"], "default": "orig"})


def _paging(default: int, max_offset: int, what: str) -> list[dict[str, Any]]:
    """The one paging scheme: `limit` and `offset`; answers carry `total` and `next_offset`."""
    return [
        _param("limit", f"Page size: how many {what} to return.",
               {"type": "integer", "minimum": 1, "maximum": 200, "default": default}),
        _param("offset", f"How many {what} to skip; the answer's `next_offset` gives the next page.",
               {"type": "integer", "minimum": 0, "maximum": max_offset, "default": 0}),
    ]


_PAGED = {"total": {"type": "integer", "description": "how many match in all"},
          "limit": {"type": "integer"}, "offset": {"type": "integer"},
          "next_offset": {"type": ["integer", "null"], "description": "the offset of the next page; null on the last"}}
_WHEN = {"type": "string", "description": "YYYY-MM-DD (a day in `tz`) or an ISO 8601 time",
         "examples": ["2024-05-01", "2024-05-01T08:00:00+08:00"]}
_ERRORS = {
    "400": {"$ref": "#/components/responses/BadRequest"},
    "429": {"$ref": "#/components/responses/TooManyRequests"},
}


def _ok(ref: str, description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": {"$ref": ref}}}}


def openapi_schema() -> dict[str, Any]:
    """The schema served at /api/openapi.json."""
    time_fmt = {"type": "string", "format": "date-time"}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "newsmirror archive API",
            "version": __version__,
            "description": "Read-only access to a newsmirror archive of Chinese-language news. "
                           "Every answer has `ok`; failures carry a one-line `error` (English) and "
                           "`message` (Chinese). Lists are paged one way: `limit` and `offset`, answered "
                           "with `total` and `next_offset`. A parameter an endpoint does not take, or one "
                           "given twice, is a 400 that names it. JSON is UTF-8 text, never ASCII escapes of "
                           "Chinese characters.",
        },
        "paths": {
            "/api/articles": {"get": {
                "summary": "Articles, newest first",
                "operationId": "listArticles",
                "parameters": [
                    _param("source", "Only this outlet (a name from /api/sources).", {"type": "string"}),
                    _param("since", "Published at or after this time.", _WHEN),
                    _param("until", "Published before this time (a day includes the whole day).", _WHEN),
                    *_paging(50, 1_000_000, "articles"),
                    _TZ,
                    _SCRIPT,
                ],
                "responses": {"200": _ok("#/components/schemas/ArticleList", "A page of articles"), **_ERRORS},
            }},
            "/api/articles/{id}": {"get": {
                "summary": "One article with every revision (a revision only for a real edit by the outlet)",
                "operationId": "getArticle",
                "parameters": [
                    _param("id", "Article id.", {"type": "integer", "minimum": 1}, where="path", required=True),
                    _TZ,
                    _SCRIPT,
                ],
                "responses": {
                    "200": _ok("#/components/schemas/ArticleAnswer", "The article"),
                    "404": {"$ref": "#/components/responses/NotFound"},
                    **_ERRORS,
                },
            }},
            "/api/search": {"get": {
                "summary": "Full-text search, grouped by story",
                "description": "Words are matched across spellings (Traditional and Simplified, name variants). "
                               "Articles holding every term come first, then those holding most of them (BM25, "
                               "title weighted); hits are grouped by story, a story's other articles following "
                               "its best hit with `matched: false`. `total` counts matching articles. "
                               "The query may carry filters: `source:\"name\"`, `since:YYYY-MM-DD`, "
                               "`until:YYYY-MM-DD`, and \"quoted phrases\".",
                "operationId": "search",
                "parameters": [
                    _param("q", "The query, 1 to 200 characters.", {"type": "string", "minLength": 1,
                                                                      "maxLength": 200}, required=True),
                    _param("source", "Only this outlet.", {"type": "string"}),
                    _param("since", "Published on or after this day in the reader's timezone (?tz=, default Asia/Taipei).", {"type": "string", "format": "date"}),
                    _param("until", "Published on or before this day in the reader's timezone.", {"type": "string", "format": "date"}),
                    *_paging(20, 10_000, "hits"),
                    _TZ,
                    _SCRIPT,
                ],
                "responses": {"200": _ok("#/components/schemas/SearchResults", "Matching articles, best first"),
                              **_ERRORS},
            }},
            "/api/sources": {"get": {
                "summary": "Outlets in the archive",
                "operationId": "listSources",
                "parameters": [*_paging(200, 1_000_000, "outlets"), _TZ, _SCRIPT],
                "responses": {"200": _ok("#/components/schemas/SourceList", "Every outlet with articles"),
                              **_ERRORS},
            }},
            "/api/stories": {"get": {
                "summary": "Stories across outlets, newest first",
                "description": "A story is the articles of every outlet that report one event; a copy of an earlier "
                               "text (a wire reprint, a script version, a light update) names its original in "
                               "`copy_of`.",
                "operationId": "listStories",
                "parameters": [
                    _param("source", "Only stories with an article of this outlet (all outlets' articles given).",
                           {"type": "string"}),
                    _param("since", "Only stories with an article published at or after this time.", _WHEN),
                    _param("until", "Only stories that began before this time (a day includes the whole day).",
                           _WHEN),
                    _param("min_articles", "Only stories of at least this many articles.",
                           {"type": "integer", "minimum": 1, "default": 2}),
                    *_paging(20, 1_000_000, "stories"),
                    _TZ,
                    _SCRIPT,
                ],
                "responses": {"200": _ok("#/components/schemas/StoryList", "A page of stories"), **_ERRORS},
            }},
            "/api/stories/{id}": {"get": {
                "summary": "One story with its articles in time order",
                "operationId": "getStory",
                "parameters": [
                    _param("id", "Story id (the id of the article that started it).", {"type": "integer",
                                                                                        "minimum": 1},
                           where="path", required=True),
                    _TZ,
                    _SCRIPT,
                ],
                "responses": {
                    "200": _ok("#/components/schemas/StoryAnswer", "The story"),
                    "404": {"$ref": "#/components/responses/NotFound"},
                    **_ERRORS,
                },
            }},
            "/api/openapi.json": {"get": {
                "summary": "This description",
                "operationId": "openapi",
                "responses": {"200": {"description": "OpenAPI 3.1 document",
                                      "content": {"application/json": {"schema": {"type": "object"}}}}},
            }},
        },
        "components": {
            "schemas": {
                "Error": {
                    "type": "object", "required": ["ok", "error"],
                    "properties": {"ok": {"const": False}, "error": {"type": "string", "description": "English"},
                                   "message": {"type": "string",
                                               "description": "the same for a reader, in Chinese (?script=)"}},
                },
                "ArticleSummary": {
                    "type": "object",
                    "required": ["id", "title", "source", "published", "url"],
                    "properties": {
                        "id": {"type": "integer"}, "title": {"type": "string"}, "source": {"type": "string"},
                        "published": time_fmt, "url": {"type": "string", "format": "uri"},
                        "link": {"type": "string"}, "authors": {"type": "array", "items": {"type": "string"}},
                        "categories": {"type": "array", "items": {"type": "string"}},
                        "version": {"type": "integer", "minimum": 1,
                                    "description": "How many revisions the article has had: 1 until the outlet "
                                                   "changes it (the feed's text compared with the feed's, the "
                                                   "page's with the page's)"},
                    },
                },
                "Version": {
                    "type": "object",
                    "description": "One revision: what the outlet published until it changed the article",
                    "required": ["version", "seen_at", "title", "text"],
                    "properties": {
                        "version": {"type": "integer", "minimum": 1},
                        "seen_at": {**time_fmt, "description": "when this revision was first seen"},
                        "page_seen": {"type": ["string", "null"], "format": "date-time",
                                      "description": "when the page's text was read; null: the body is the feed's"},
                        "title": {"type": "string"}, "html": {"type": "string", "description": "sanitized HTML"},
                        "text": {"type": "string", "description": "the body: the page's text once read"},
                        "feed_text": {"type": "string", "description": "the feed's own text of this revision"},
                    },
                },
                "Article": {
                    "allOf": [
                        {"$ref": "#/components/schemas/ArticleSummary"},
                        {"type": "object", "properties": {
                            "guid": {"type": ["string", "null"], "description": "the feed's id for the item"},
                            "feed_url": {"type": "string", "description": "the feed it was first seen in"},
                            "first_seen": time_fmt, "last_seen": time_fmt,
                            "summary": {"type": "string", "description": "the feed's own text when the body "
                                                                         "came from the page"},
                            "html": {"type": "string", "description": "sanitized HTML"}, "text": {"type": "string"},
                            "versions": {"type": "array", "items": {"$ref": "#/components/schemas/Version"}},
                            "holds": {"enum": ["page", "summary", "feed"],
                                      "description": "page: the page's text was read; summary: only the feed's "
                                                     "summary (see page_fetch for why); feed: the feed's text, "
                                                     "no page needed or not tried yet"},
                            "page_fetch": {"oneOf": [{"type": "null"}, {"$ref": "#/components/schemas/PageFetch"}]},
                            "story": {"type": ["integer", "null"],
                                      "description": "the story it belongs to (/api/stories/{id}); null until placed"},
                        }},
                    ],
                },
                "PageFetch": {
                    "type": "object",
                    "description": "Why the page's text is missing, and when it is tried again",
                    "properties": {
                        "status": {"enum": ["retrying", "given_up", "disallowed"]},
                        "kind": {"type": ["string", "null"],
                                 "enum": ["dns", "refused", "timeout", "http", "rate_limited", "disallowed",
                                          "not_article", "other", None]},
                        "reason": {"type": ["string", "null"]}, "why": {"type": "string"},
                        "attempts": {"type": "integer"},
                        "last_try": {"type": ["string", "null"], "format": "date-time"},
                        "next_try": {"type": ["string", "null"], "format": "date-time"},
                    },
                },
                "ArticleList": {
                    "type": "object", "required": ["ok", "results"],
                    "properties": {
                        "ok": {"const": True},
                        "results": {"type": "array", "items": {"$ref": "#/components/schemas/ArticleSummary"}},
                        **_PAGED,
                    },
                },
                "ArticleAnswer": {
                    "type": "object", "required": ["ok", "article"],
                    "properties": {"ok": {"const": True}, "article": {"$ref": "#/components/schemas/Article"}},
                },
                "SearchHit": {
                    "type": "object",
                    "required": ["id", "title", "source", "published", "url", "snippet"],
                    "properties": {
                        "id": {"type": "integer"}, "title": {"type": "string"}, "source": {"type": "string"},
                        "published": time_fmt, "url": {"type": "string"},
                        "snippet": {"type": "string", "description": "HTML-escaped text with <mark> around matches "
                                                                        "(empty for a story's other articles)"},
                        "score": {"type": "number", "description": "relevance within its tier: higher is better"},
                        "story": {"type": ["integer", "null"], "description": "the story it belongs to; null until "
                                                                               "placed"},
                        "matched": {"type": "boolean", "description": "false: one of a matching story's other "
                                                                      "articles, following the story's best hit"},
                    },
                },
                "SearchResults": {
                    "type": "object", "required": ["ok", "results", "total"],
                    "properties": {
                        "ok": {"const": True},
                        "results": {"type": "array", "items": {"$ref": "#/components/schemas/SearchHit"}},
                        **_PAGED,
                        "exact": {"type": "boolean", "description": "false: more match than the index counts; "
                                                                      "total is a lower bound"},
                    },
                },
                "StoryArticle": {
                    "type": "object", "required": ["id", "url", "source", "title", "published", "copy_of"],
                    "properties": {
                        "id": {"type": "integer"}, "url": {"type": "string"}, "source": {"type": "string"},
                        "title": {"type": "string"}, "published": time_fmt,
                        "copy_of": {"type": ["string", "null"],
                                    "description": "the URL of the earlier text this one copies (its original: "
                                                   "who published it first); null for an outlet's own text"},
                    },
                },
                "Story": {
                    "type": "object",
                    "required": ["id", "title", "first_published", "last_published", "outlets", "articles"],
                    "properties": {
                        "id": {"type": "integer"},
                        "title": {"type": "string", "description": "the title of its earliest original"},
                        "first_published": time_fmt, "last_published": time_fmt,
                        "outlets": {"type": "array", "items": {"type": "string"},
                                    "description": "in the order they first reported it"},
                        "articles": {"type": "array", "items": {"$ref": "#/components/schemas/StoryArticle"},
                                     "description": "in time order"},
                    },
                },
                "StoryList": {
                    "type": "object", "required": ["ok", "results"],
                    "properties": {
                        "ok": {"const": True},
                        "results": {"type": "array", "items": {"$ref": "#/components/schemas/Story"}},
                        **_PAGED,
                    },
                },
                "StoryAnswer": {
                    "type": "object", "required": ["ok", "story"],
                    "properties": {"ok": {"const": True}, "story": {"$ref": "#/components/schemas/Story"}},
                },
                "SourceList": {
                    "type": "object", "required": ["ok", "results"],
                    "properties": {
                        "ok": {"const": True},
                        "results": {"type": "array", "items": {
                            "type": "object", "required": ["name", "articles"],
                            "properties": {"name": {"type": "string"}, "articles": {"type": "integer"},
                                           "newest": {"type": ["string", "null"], "format": "date-time"}},
                        }},
                        **_PAGED,
                    },
                },
            },
            "responses": {
                "BadRequest": {"description": "A parameter is unknown, empty, malformed, out of range or not UTF-8",
                               "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
                "NotFound": {"description": "No such article, story or path",
                             "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
                "TooManyRequests": {"description": "Rate limit reached; see Retry-After",
                                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
            },
        },
    }
