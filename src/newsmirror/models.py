"""The data that flows between stages, as small frozen dataclasses.

sources -> fetch (FetchResult) -> feeds (FeedItem) -> extract (Article) -> store
(StoredArticle, ArticleVersion) -> index (SearchHit) -> publish / serve.
Stages exchange these values only, so each stage can be replaced (a PostgreSQL store,
remote fetch workers) without touching the others.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime, tzinfo
from enum import StrEnum
from typing import Any

__all__ = [
    "FULL_TEXT_MODES",
    "Source",
    "FetchResult",
    "FeedItem",
    "ParsedFeed",
    "RelatedLink",
    "AUTHOR_ROLES",
    "CreditRole",
    "Credit",
    "Article",
    "StoredArticle",
    "ArticleVersion",
    "FeedState",
    "SaveStatus",
    "SaveOutcome",
    "SearchHit",
    "FailureKind",
    "PageStatus",
    "PageFetch",
    "RobotsTxt",
    "article_to_dict",
    "article_from_dict",
    "ARTICLE_FIELDS",
    "stored_article_to_dict",
    "search_hit_to_dict",
    "FeedSchedule",
    "StoryPlacement",
    "StoryArticle",
    "Story",
]

FULL_TEXT_MODES = ("auto", "always", "never")


@dataclass(frozen=True)
class Source:
    """One outlet: a display name (any Unicode), its feeds, timezone and tags."""

    name: str
    feeds: tuple[str, ...]
    timezone: str = "Asia/Taipei"
    tags: tuple[str, ...] = ()
    full_text: str = "auto"  # fetch the article page: "always", "never" or "auto" (summary-only items)
    homepage: str | None = None
    interval: float = 60  # minutes between fetches to start from (`newsmirror run`); adapted within the bounds
    min_interval: float = 15  # minutes: never fetched more often, however fast it publishes
    max_interval: float = 1440  # minutes: never fetched less often, however quiet it is
    alternates: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (feed URL, its alternate URLs in order)
    failover_after: int = 3  # consecutive failures of a feed's URL before the next alternate is used

    def alternates_for(self, feed_url: str) -> tuple[str, ...]:
        """The alternate URLs of one of this source's feeds (a mirror, an RSSHub route ...), in order."""
        return dict(self.alternates).get(feed_url, ())


@dataclass(frozen=True)
class FetchResult:
    """One HTTP exchange as the fetcher saw it (after redirects)."""

    url: str  # what was asked for
    final_url: str  # where the body came from, after redirects
    status: int  # 200, 304 ...
    headers: dict[str, str]  # response headers, lower-case names
    content: bytes  # body, b"" for 304
    fetched_at: datetime  # aware, UTC
    elapsed: float = 0.0  # seconds, including retries
    attempts: int = 1
    raw_ref: str | None = None  # where the raw response sits in the WARC archive ("file.warc.gz:offset")

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    @property
    def etag(self) -> str | None:
        return self.headers.get("etag")

    @property
    def last_modified(self) -> str | None:
        return self.headers.get("last-modified")


@dataclass(frozen=True)
class FeedItem:
    """One entry of a feed, normalised across RSS, Atom and JSON Feed."""

    source: str  # Source.name
    feed_url: str
    title: str
    link: str  # absolute URL as the feed gives it
    guid: str | None = None
    published: datetime | None = None  # aware; naive feed dates are read in the source's timezone
    updated: datetime | None = None
    authors: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    summary_html: str = ""  # description / summary
    content_html: str = ""  # content:encoded / atom content / content_html: the fullest HTML the feed has

    @property
    def html(self) -> str:
        """The fullest HTML the feed carries for this item."""
        return self.content_html or self.summary_html


@dataclass(frozen=True)
class ParsedFeed:
    """A parsed feed: its title and items, plus non-fatal problems (feedparser's bozo idea)."""

    url: str
    title: str
    items: tuple[FeedItem, ...]
    warnings: tuple[str, ...] = ()
    ttl: int | None = None  # RSS <ttl>: minutes the feed may be cached, when it says


@dataclass(frozen=True)
class RelatedLink:
    """A link the page lists beside the article (延伸閱讀, 相關新聞 ...)."""

    group: str
    title: str
    url: str | None = None


class CreditRole(StrEnum):
    """What a credited person did for an article. Only AUTHOR_ROLES make someone an author."""

    WRITER = "writer"  # 文／X, 作者：X, By X
    REPORTER = "reporter"  # 記者X, 本报记者 X, 特派員
    COMMENTATOR = "commentator"  # 评论员 X, 特約評論員
    SPEAKER = "speaker"  # a credited speaker of a statement (口述)
    PHOTOGRAPHER = "photographer"  # 攝影／X, 记者 X 摄
    EDITOR = "editor"  # 責任編輯／X, 编辑 X
    TRANSLATOR = "translator"  # 編譯／X, 翻译 X


AUTHOR_ROLES = frozenset((CreditRole.WRITER, CreditRole.REPORTER, CreditRole.COMMENTATOR, CreditRole.SPEAKER))


@dataclass(frozen=True)
class Credit:
    """One person credited on an article, with the role the page gives them."""

    name: str
    role: CreditRole


@dataclass(frozen=True)
class Article:
    """What extraction reads out of one page, feed item HTML or text capture."""

    kind: str = "article"  # "article" or "not_article"
    url: str | None = None
    title: str = ""
    authors: tuple[str, ...] = ()  # person names only
    source: str | None = None  # outlet or agency credited for the text
    editors: tuple[str, ...] = ()
    published: datetime | None = None
    updated: datetime | None = None
    text: str = ""  # paragraphs separated by blank lines
    html: str = ""  # sanitized body HTML
    captions: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    related: tuple[RelatedLink, ...] = ()
    images: tuple[str, ...] = ()
    lang: str | None = None  # "zh-Hant", "zh-Hans", "en" ...
    script: str | None = None  # "Hant" or "Hans" for Chinese
    file: str | None = None  # base name of the input, for batch output
    credits: tuple[Credit, ...] = ()  # every credited person with a role (authors are the AUTHOR_ROLES ones)
    notes: str = ""  # why extraction decided as it did when the evidence was thin (kept article, no body ...)


@dataclass(frozen=True)
class StoredArticle:
    """An article as the archive holds it now: its current revision."""

    id: int
    source: str
    url: str  # canonical URL: the archive's key
    link: str  # the URL as first seen
    guid: str | None
    title: str
    published: datetime  # aware, UTC; clamped to first_seen when in the future
    first_seen: datetime
    last_seen: datetime
    authors: tuple[str, ...]
    categories: tuple[str, ...]
    feed_html: str  # the feed's own HTML, unsanitized, as received
    html: str  # sanitized HTML used for publishing (extracted body when there is one)
    text: str  # plain text of `html`
    version: int  # how many revisions the article has had: 1 until the outlet changes it
    feed_url: str = ""
    summary: str = ""  # the feed's own text when the body came from the page
    extracted: Article | None = None


@dataclass(frozen=True)
class ArticleVersion:
    """One revision of an article: what the outlet published until it changed the article.

    A revision holds two representations compared like with like: the feed's text (the first
    one seen for this revision) and the page's text (the body, once the page was read); page
    text replacing a feed summary is the same revision with a better body. Never deleted."""

    article_id: int
    version: int  # the revision's number, from 1
    seen_at: datetime  # when this revision was first seen (feed or page)
    title: str
    feed_html: str  # the feed's own HTML, as received
    html: str  # sanitized body: the page's extracted body when read, else the feed's
    text: str  # plain text of `html`
    feed_text: str = ""  # plain text of the feed's HTML
    page_seen: datetime | None = None  # when the page's text was read, None while the body is the feed's
    raw_ref: str | None = None  # the page response the body was extracted from (WARC), else the feed's
    extracted: Article | None = None


@dataclass(frozen=True)
class FeedState:
    """A feed's health and HTTP cache validators, as `sources list` shows them."""

    source: str
    url: str
    last_fetch: datetime | None = None
    last_status: int | None = None
    etag: str | None = None
    last_modified: str | None = None
    items_seen: int = 0
    consecutive_failures: int = 0
    last_error: str | None = None
    last_ok: datetime | None = None


class SaveStatus(StrEnum):
    """What saving one feed item or page did to the archive."""

    NEW = "new"  # a new article, at revision 1
    REVISED = "revised"  # the outlet changed the article: a new revision (old ones kept)
    FILLED = "filled"  # the page's text became the current revision's body (same revision, better body)
    REEXTRACTED = "reextracted"  # a revision's derived fields re-read from the same raw response, in place
    UNCHANGED = "unchanged"  # the same content again (last_seen updated)
    DUPLICATE = "duplicate"  # the same URL (or GUID) is stored for another source or feed; not a near-duplicate


@dataclass(frozen=True)
class SaveOutcome:
    """What saving one feed item or page did, and the article's revision number after it."""

    status: SaveStatus
    article_id: int
    version: int


@dataclass(frozen=True)
class SearchHit:
    """One search result."""

    id: int
    title: str
    source: str
    published: datetime
    url: str
    snippet: str  # HTML-escaped text with <mark> around matches
    score: float = 0.0
    extra: dict = field(default_factory=dict)


class FailureKind(StrEnum):
    """Why a fetch failed, as a type: what decides retries, host give-up and what a reader is told."""

    DNS = "dns"  # the host name does not resolve: permanent for the run
    REFUSED = "refused"  # the host refuses connections (or has no route)
    TIMEOUT = "timeout"  # no connection, or no answer, within the time limit
    HTTP = "http"  # an HTTP error status (404, 500 ...)
    RATE_LIMITED = "rate_limited"  # 429, or a Retry-After longer than we wait
    DISALLOWED = "disallowed"  # robots.txt forbids the page: never requested
    NOT_ARTICLE = "not_article"  # fetched, but no article text in it
    OTHER = "other"  # anything else: too large, undecodable, TLS, a redirect loop

    @property
    def unreachable(self) -> bool:
        """The host itself could not be reached (as opposed to answering with an error)."""
        return self in (FailureKind.DNS, FailureKind.REFUSED, FailureKind.TIMEOUT)


class PageStatus(StrEnum):
    """Where an article's page fetch stands."""

    OK = "ok"  # fetched and extracted: the body comes from the page
    RETRYING = "retrying"  # the last attempt failed; tried again at `next_try`
    GIVEN_UP = "given_up"  # failed through its retry window: the archive keeps the feed's text only
    DISALLOWED = "disallowed"  # robots.txt forbids it: never requested, the feed's text kept


@dataclass(frozen=True)
class PageFetch:
    """The archive's record of the attempts to fetch one article's page (one per article)."""

    article_id: int
    url: str  # the page asked for
    status: PageStatus
    attempts: int = 0  # requests made or refused for it (a host given up for the run counts)
    kind: FailureKind | None = None  # the last failure's kind, None when OK
    reason: str | None = None  # the last failure's one-line message, None when OK
    first_try: datetime | None = None  # aware UTC
    last_try: datetime | None = None
    next_try: datetime | None = None  # when it is tried again; None: not again
    complete: bool = False  # OK and extracted as an article with a byline and a date
    source: str = ""  # the article's source (filled in when read from the store)

    @property
    def body_missing(self) -> bool:
        """The archive holds only the feed's text for this article (for now or for good)."""
        return self.status is not PageStatus.OK


@dataclass(frozen=True)
class RobotsTxt:
    """One host's robots.txt as read at `fetched_at` (kept a day): its text, or why it has none."""

    origin: str  # scheme://host[:port], lower-case
    fetched_at: datetime
    status: int | None  # HTTP status of the answer
    text: str = ""  # the rules read ("" allows everything)
    note: str | None = None  # why the answer was not read as rules (huge, binary, HTML, 5xx), for the log

    @property
    def unavailable(self) -> bool:
        """A 5xx or 429 answer: no page of the host may be fetched until robots.txt can be read."""
        return self.status is not None and (self.status >= 500 or self.status == 429)


def article_to_dict(a: Article) -> dict[str, Any]:
    """The one JSON form of an extracted Article: every field, dates ISO 8601 with their offset."""
    data: dict[str, Any] = {}
    for f in fields(Article):
        value = getattr(a, f.name)
        if isinstance(value, datetime):
            value = value.isoformat()
        elif f.name == "related":
            value = [{"group": r.group, "title": r.title, "url": r.url} for r in value]
        elif f.name == "credits":
            value = [{"name": c.name, "role": str(c.role)} for c in value]
        elif isinstance(value, tuple):
            value = list(value)
        data[f.name] = value
    return data


def article_from_dict(data: dict[str, Any]) -> Article:
    """An Article from `article_to_dict`'s form; fields this version does not know are ignored."""
    known = {f.name for f in fields(Article)}
    kwargs: dict[str, Any] = {}
    for name, value in data.items():
        if name not in known:
            continue  # written by a newer newsmirror
        if name in ("published", "updated") and value is not None:
            value = datetime.fromisoformat(value)
        elif name == "related":
            value = tuple(RelatedLink(r.get("group", ""), r.get("title", ""), r.get("url")) for r in value)
        elif name == "credits":
            value = tuple(Credit(c.get("name", ""), CreditRole(c["role"])) for c in value
                          if c.get("role") in CreditRole._value2member_map_)
        elif isinstance(value, list):
            value = tuple(value)
        kwargs[name] = value
    return Article(**kwargs)


# The JSON form of an archived article (StoredArticle): its fields by the model's own names, so the
# same article reads the same in the API, `export` and anywhere else; each output picks the fields it gives.
ARTICLE_FIELDS = ("id", "source", "title", "published", "first_seen", "last_seen", "version", "url", "link", "guid",
                  "feed_url", "authors", "categories", "summary", "text", "html", "feed_html", "extracted")
_READER_TEXT = frozenset({"title", "authors", "categories", "summary", "text", "html", "snippet"})


def _json_value(name: str, value: Any, zone: tzinfo, text: Callable[[str], str] | None) -> Any:
    """One field's JSON value: times ISO 8601 with their offset in `zone`, tuples as lists, a reader's text
    through `text` (a script conversion), an extracted Article as `article_to_dict`."""
    if isinstance(value, datetime):
        return value.astimezone(zone).isoformat()
    if isinstance(value, Article):
        return article_to_dict(value)
    if text is not None and name in _READER_TEXT:
        return [text(v) for v in value] if isinstance(value, tuple) else text(value)
    return list(value) if isinstance(value, tuple) else value


def stored_article_to_dict(a: StoredArticle, *, zone: tzinfo = UTC, text: Callable[[str], str] | None = None,
                           only: Iterable[str] = ARTICLE_FIELDS) -> dict[str, Any]:
    """The one JSON form of an archived article: the fields `only` names (in that order), times in `zone`.

    `text` converts what a reader reads (title, authors, categories, summary, text, html) into their
    script; the source's name, URLs and the feed's raw HTML stay as stored."""
    return {name: _json_value(name, getattr(a, name), zone, text) for name in only}


def search_hit_to_dict(hit: SearchHit, *, zone: tzinfo = UTC, text: Callable[[str], str] | None = None) -> dict[str, Any]:
    """The one JSON form of a search hit: id, title, source, published (in `zone`), url, snippet, score.

    The snippet is HTML-escaped text with <mark> around the matches; the score is rounded to 4 places."""
    data = {name: _json_value(name, getattr(hit, name), zone, text)
            for name in ("id", "title", "source", "published", "url", "snippet")}
    data["score"] = round(hit.score, 4)
    return data


@dataclass(frozen=True)
class FeedSchedule:
    """When a feed is fetched next, why, and which of its URLs is used (the primary or an alternate)."""

    url: str  # the feed as sources.toml lists it: its identity
    source: str
    next_due: datetime  # aware UTC
    interval: float  # seconds: the interval last chosen (adaptive, or a server's hint)
    reason: str = ""  # why that interval, for `sources list` and the log
    active_url: str | None = None  # an alternate URL in use while the primary fails; None: the primary
    switched_at: datetime | None = None  # when the active URL last changed
    primary_retry: datetime | None = None  # while on an alternate: when the primary is tried again


@dataclass(frozen=True)
class StoryPlacement:
    """Where the stories stage placed one article: its story, the original it copies, and what it compared.

    `story_id` is the id of the article that started the story; `copy_of` the earliest article whose
    text this one copies (a wire reprint, a script version, a light update), None for an original.
    `features` is the stage's packed comparison data (signature and weighted terms, `stories.features`)."""

    article_id: int
    story_id: int
    copy_of: int | None
    published: datetime  # aware UTC, as when placed
    features: bytes


@dataclass(frozen=True)
class StoryArticle:
    """One article of a story, as a story lists it."""

    id: int
    url: str
    source: str
    title: str
    published: datetime  # aware UTC
    copy_of: int | None = None  # the article id of the original this text copies
    copy_of_url: str | None = None  # that original's URL


@dataclass(frozen=True)
class Story:
    """Articles of several outlets (or one) that report the same event, in time order."""

    id: int
    articles: tuple[StoryArticle, ...]

    @property
    def original(self) -> StoryArticle:
        """The earliest article that is not a copy (the earliest article when all are copies)."""
        return next((a for a in self.articles if a.copy_of is None), self.articles[0])

    @property
    def title(self) -> str:
        """The title of the story's earliest original."""
        return self.original.title

    @property
    def first_published(self) -> datetime:
        return self.articles[0].published

    @property
    def last_published(self) -> datetime:
        return self.articles[-1].published

    @property
    def outlets(self) -> tuple[str, ...]:
        """The outlets that reported it, in the order they first did."""
        return tuple(dict.fromkeys(a.source for a in self.articles))

    def article(self, article_id: int) -> StoryArticle | None:
        """The story's article with this id, or None."""
        return next((a for a in self.articles if a.id == article_id), None)
