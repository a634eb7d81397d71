"""robots.txt for page fetches: read once per host a day, parsed by Protego (Scrapy's parser).

Feeds are not checked: a feed URL is what the outlet publishes for readers. Article pages are.
What a robots.txt answer means (RFC 9309):
- 2xx: the rules, read from the first MAX_ROBOTS_BYTES (500 KiB, the RFC's minimum);
- 4xx: no rules, everything allowed;
- 5xx or 429: everything disallowed for now: pages are not requested and are tried again later
  (a retryable failure, not a verdict), and the answer is read again after an hour;
- a body that is binary or an HTML page (a site answering every path with its home page) is not
  a robots.txt: everything allowed, and the reason is kept in `note` for the log.
A host that cannot be reached gets no answer at all: the FetchError goes to the caller, which
counts it against the host (fetch.hosts).
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit, urlunsplit

from protego import Protego

from newsmirror.models import FetchResult, RobotsTxt

__all__ = ["ROBOTS_TTL", "MAX_ROBOTS_BYTES", "MAX_CRAWL_DELAY", "AGENT", "RobotsCache", "RobotsVerdict",
           "read_robots", "robots_url", "origin_of"]

ROBOTS_TTL = timedelta(days=1)  # a host's robots.txt is read again after this
UNAVAILABLE_TTL = timedelta(hours=1)  # ... or after this when it answered 5xx or 429
MAX_ROBOTS_BYTES = 500 * 1024
MAX_CRAWL_DELAY = 30.0  # seconds; a larger Crawl-delay is capped (and said so) so one host cannot stall a run
AGENT = "newsmirror"  # the product token robots.txt groups are matched against

# The start of an HTML document, after optional whitespace: "<!DOCTYPE html>", "<html lang=...>",
# "<head>", "<body>", or an HTML comment first ("<!-- page -->").
_HTML_START = re.compile(rb"^\s*(?:<!--|<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>])", re.I)


def robots_url(url: str) -> str:
    """The robots.txt URL for a page URL's scheme, host and port."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc.rsplit("@", 1)[-1], "/robots.txt", "", ""))


def origin_of(url: str) -> str:
    """scheme://host[:port] of a URL, lower-case: what one robots.txt covers."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.rsplit('@', 1)[-1]}".lower()


def expires(robots: RobotsTxt) -> datetime:
    """When a robots.txt answer must be read again."""
    return robots.fetched_at + (UNAVAILABLE_TTL if robots.unavailable else ROBOTS_TTL)


def read_robots(origin: str, status: int, content: bytes, content_type: str | None,
                fetched_at: datetime) -> RobotsTxt:
    """A robots.txt answer as rules; bad bodies (huge, binary, HTML) give safe defaults with a note."""
    where = f"{origin}/robots.txt"
    robots = RobotsTxt(origin, fetched_at, status)
    if robots.unavailable:
        return RobotsTxt(origin, fetched_at, status, note=f"{where} answered HTTP {status}; its pages wait for it")
    if status >= 400:
        return robots
    note = None
    if len(content) > MAX_ROBOTS_BYTES:
        cut = content.rfind(b"\n", 0, MAX_ROBOTS_BYTES)
        content = content[: cut if cut > 0 else MAX_ROBOTS_BYTES]
        note = f"{where} is larger than {MAX_ROBOTS_BYTES // 1024} KiB; only its first {MAX_ROBOTS_BYTES // 1024} KiB read"
    if b"\x00" in content:
        return RobotsTxt(origin, fetched_at, status, note=f"{where} is binary, not text; everything allowed")
    if _HTML_START.match(content.lstrip(b"\xef\xbb\xbf")) or "html" in (content_type or "").lower():
        return RobotsTxt(origin, fetched_at, status, note=f"{where} is an HTML page, not robots.txt; everything allowed")
    text = content.decode("utf-8", errors="replace").lstrip("\ufeff")
    return RobotsTxt(origin, fetched_at, status, text=text, note=note)


@dataclass(frozen=True)
class RobotsVerdict:
    """What robots.txt says about one page: allowed or not (and why), and the host's Crawl-delay."""

    allowed: bool
    reason: str | None = None  # why not, for the page's record
    wait: bool = False  # not a verdict: robots.txt could not be read (5xx, 429); try the page later
    crawl_delay: float | None = None


class RobotsCache:
    """robots.txt per host for a run: from memory, else the store (a day old at most), else fetched.

    `fetch` GETs a URL and returns the FetchResult of any HTTP answer, 4xx and 5xx included; it raises
    FetchError when the host cannot be reached. `store` keeps the answers across runs (the Store
    protocol's get_robots/save_robots), or None to keep them for the run only. One robots.txt fetch
    per host at a time: the pages of a host wait for it."""

    def __init__(self, fetch: Callable[[str], Awaitable[FetchResult]], store=None, *,
                 clock: Callable[[], datetime], agent: str = AGENT) -> None:
        self._fetch = fetch
        self._store = store
        self._clock = clock
        self._agent = agent
        self._known: dict[str, tuple[RobotsTxt, Protego | None]] = {}
        self._locks: dict[str, asyncio.Lock] = {}
        self.notes: list[str] = []  # one line per host whose robots.txt was odd (huge, binary, HTML, capped delay)

    async def check(self, url: str) -> RobotsVerdict:
        """What the host's robots.txt says about `url` (FetchError when the host cannot be reached)."""
        robots, rules = await self._rules(url)
        if robots.unavailable:
            return RobotsVerdict(False, f"{robots.origin}/robots.txt answered HTTP {robots.status}; "
                                        f"the page waits until it can be read", wait=True)
        if rules is None:
            return RobotsVerdict(True)
        delay = rules.crawl_delay(self._agent)
        if delay is not None and (delay != delay or delay < 0):  # NaN or negative: ignored
            delay = None
        if delay is not None:
            delay = min(float(delay), MAX_CRAWL_DELAY)
        if not rules.can_fetch(url, self._agent):
            return RobotsVerdict(False, f"{robots.origin}/robots.txt disallows {urlsplit(url).path or '/'} "
                                        f"for {self._agent}", crawl_delay=delay)
        return RobotsVerdict(True, crawl_delay=delay)

    async def _rules(self, url: str) -> tuple[RobotsTxt, Protego | None]:
        origin = origin_of(url)
        lock = self._locks.setdefault(origin, asyncio.Lock())
        async with lock:
            now = self._clock()
            known = self._known.get(origin)
            if known is not None and expires(known[0]) > now:
                return known
            robots = self._store.get_robots(origin) if self._store is not None and known is None else None
            fresh = robots is None or expires(robots) <= now
            if fresh:
                result = await self._fetch(robots_url(url))
                robots = read_robots(origin, result.status, result.content, result.headers.get("content-type"), now)
            assert robots is not None
            rules = Protego.parse(robots.text) if robots.text else None
            if fresh:
                self._log(robots, rules)
                if self._store is not None:
                    self._store.save_robots(robots)
            self._known[origin] = (robots, rules)
            return robots, rules

    def _log(self, robots: RobotsTxt, rules: Protego | None) -> None:
        if robots.note:
            self.notes.append(robots.note)
        delay = rules.crawl_delay(self._agent) if rules is not None else None
        if delay is not None and delay > MAX_CRAWL_DELAY:
            self.notes.append(f"{robots.origin}/robots.txt asks a Crawl-delay of {delay:g} s; "
                              f"{MAX_CRAWL_DELAY:g} s used")
