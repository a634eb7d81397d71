"""What a run knows about the hosts it fetches pages from, and when a failed page is tried again.

Three reusable parts, kept apart from the run that uses them so a fetch worker can use them too:
- `page_failed` / `page_fetched`: the record of an article's page after an attempt. A failed page is
  tried again at the next run, then after 1 h, 4 h, 16 h ... (each wait four times the last), and is
  given up when the next try would fall past its retry window (3 days from the first failure), with
  the reason kept. robots.txt disallowing a page is final at once: it is never requested.
- `HostBook`: within one run, a host that fails to resolve is given up at once, and one that refuses
  connections or times out twice is given up for the rest of the run. Every later page on it fails
  at once with the host's reason, and the run reports one line per host instead of one per page.
  A host given up in the previous run is given one try only (`suspect`), so a dead host costs one
  connection timeout per run, not two.
- `HostPacer`: the per-host delay between the starts of two requests to one host (1 s by default, or
  the host's robots.txt Crawl-delay when larger, or what a 429 asked for).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from newsmirror.errors import FetchError
from newsmirror.models import FailureKind, PageFetch, PageStatus

__all__ = [
    "PAGE_RETRY_WINDOW",
    "retry_delay",
    "page_failed",
    "page_fetched",
    "host_of",
    "HostBook",
    "HostVerdict",
    "HostPacer",
    "DEFAULT_HOST_DELAY",
]

PAGE_RETRY_WINDOW = timedelta(days=3)  # a page still failing this long after its first failure is given up
FIRST_RETRY = timedelta(hours=1)  # the wait before the third attempt; the second is at the next run
RETRY_FACTOR = 4  # each later wait is this many times the one before: 1 h, 4 h, 16 h, 64 h
DEFAULT_HOST_DELAY = 1.0  # seconds between the starts of two requests to one host
MAX_RETRY_AFTER = timedelta(days=1)  # a longer Retry-After is read as this (an absurd one is not obeyed)
HOST_STRIKES = 2  # refusals or timeouts before a host is given up for the run


def retry_delay(attempts: int) -> timedelta:
    """How long after its `attempts`-th failure a page is tried again: 0 (next run), 1 h, 4 h, 16 h ..."""
    if attempts <= 1:
        return timedelta(0)
    return FIRST_RETRY * RETRY_FACTOR ** (attempts - 2)


def page_failed(previous: PageFetch | None, *, article_id: int, url: str, kind: FailureKind, reason: str,
                now: datetime, retry_after: float | None = None, window: timedelta = PAGE_RETRY_WINDOW) -> PageFetch:
    """The page's record after a failed attempt: retried later, given up past its window, or disallowed.

    `retry_after` (seconds, a server's Retry-After) puts the next try no sooner than that, up to a day."""
    going = previous is not None and previous.status is PageStatus.RETRYING
    attempts = (previous.attempts if going and previous else 0) + (0 if kind is FailureKind.DISALLOWED else 1)
    first = previous.first_try if going and previous and previous.first_try else now
    record = PageFetch(article_id=article_id, url=url, status=PageStatus.RETRYING, attempts=attempts, kind=kind,
                       reason=reason, first_try=first, last_try=now)
    if kind is FailureKind.DISALLOWED:
        return replace(record, status=PageStatus.DISALLOWED)
    next_try = now + retry_delay(attempts)
    if retry_after is not None and retry_after > 0:
        next_try = max(next_try, now + min(timedelta(seconds=retry_after), MAX_RETRY_AFTER))
    if next_try - first > window:
        return replace(record, status=PageStatus.GIVEN_UP)
    return replace(record, next_try=next_try)


def page_fetched(previous: PageFetch | None, *, article_id: int, url: str, now: datetime,
                 complete: bool) -> PageFetch:
    """The page's record after it was fetched and extracted."""
    attempts = (previous.attempts if previous and previous.status is PageStatus.RETRYING else 0) + 1
    first = previous.first_try if previous and previous.status is PageStatus.RETRYING else now
    return PageFetch(article_id=article_id, url=url, status=PageStatus.OK, attempts=attempts,
                     first_try=first or now, last_try=now, complete=complete)


def host_of(url: str) -> str:
    """The host a URL's requests go to, lower-case, with a non-default port ("example.com:8080")."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    try:
        port = parts.port
    except ValueError:
        port = None
    return f"{host}:{port}" if port else host


@dataclass
class HostVerdict:
    """One host's standing in this run: failures so far and, once given up, why."""

    host: str
    strikes: int = 0
    kind: FailureKind | None = None
    reason: str | None = None
    given_up: bool = False
    skipped: int = 0  # requests not made because the host was given up
    suspect: bool = False  # given up in the last run: one failure gives it up again
    retry_after: float | None = None  # seconds the host asked us to wait (429), for its pages' next try

    def summary(self) -> str:
        """Why the host was given up and what it cost: "given up for this run: connection refused; ..."."""
        skipped = f"; {self.skipped} more pages not requested" if self.skipped else ""
        return f"given up for this run: {self.reason}{skipped}"

    def line(self) -> str:
        """The one summary line for a host given up in this run."""
        return f"host {self.host} {self.summary()}"


@dataclass
class HostBook:
    """Within one run: which hosts are given up, and why. Shared by every task of the run."""

    strikes: int = HOST_STRIKES
    hosts: dict[str, HostVerdict] = field(default_factory=dict)

    def verdict(self, host: str) -> HostVerdict:
        found = self.hosts.get(host)
        if found is None:
            found = self.hosts[host] = HostVerdict(host)
        return found

    def mark_suspect(self, hosts: Iterable[str]) -> None:
        """Hosts given up in the last run: one more failure gives them up for this run too."""
        for host in hosts:
            self.verdict(host).suspect = True

    def check(self, url: str) -> None:
        """Raise the host's FetchError at once when it was given up in this run."""
        verdict = self.hosts.get(host_of(url))
        if verdict is not None and verdict.given_up:
            verdict.skipped += 1
            raise FetchError(f"{url} not requested: {verdict.reason}", url=url, kind=verdict.kind,
                             retry_after=verdict.retry_after)

    def failed(self, url: str, error: FetchError) -> bool:
        """Count a failure against the URL's host; True when this gave the host up."""
        if not error.kind.unreachable:
            return False
        verdict = self.verdict(host_of(url))
        if verdict.given_up:
            return False
        verdict.strikes += 1
        if error.kind is FailureKind.DNS or verdict.suspect or verdict.strikes >= self.strikes:
            verdict.given_up, verdict.kind = True, error.kind
            times = "" if error.kind is FailureKind.DNS or verdict.strikes == 1 else f" ({verdict.strikes} times)"
            verdict.reason = f"{_what(error.kind)}{times}"
            return True
        return False

    def give_up(self, host: str, kind: FailureKind, reason: str, retry_after: float | None = None) -> None:
        """Give a host up for the rest of the run for another cause (a 429 asking for a long wait)."""
        verdict = self.verdict(host)
        if not verdict.given_up:
            verdict.given_up, verdict.kind, verdict.reason = True, kind, reason
            verdict.retry_after = retry_after

    def succeeded(self, url: str) -> None:
        """A host that answered is reachable: its strikes are forgiven."""
        verdict = self.hosts.get(host_of(url))
        if verdict is not None and not verdict.given_up:
            verdict.strikes = 0
            verdict.suspect = False

    def given_up(self) -> list[HostVerdict]:
        """The hosts given up in this run, by name."""
        return sorted((v for v in self.hosts.values() if v.given_up), key=lambda v: v.host)


def _what(kind: FailureKind) -> str:
    return {
        FailureKind.DNS: "host name not found",
        FailureKind.REFUSED: "connection refused",
        FailureKind.TIMEOUT: "timed out",
    }.get(kind, kind.value)


class HostPacer:
    """Spaces requests to one host by at least its delay (asyncio; one per run): each starts the delay
    after the previous one started and after it ended, so the host sees the delay between two requests
    however long the way to it takes on a loaded machine."""

    def __init__(self, delay: float = DEFAULT_HOST_DELAY, clock=time.monotonic) -> None:
        self.delay = delay
        self._clock = clock
        self._next: dict[str, float] = {}
        self._delays: dict[str, float] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    def set_delay(self, host: str, seconds: float) -> None:
        """This host's delay from now on: the default or longer (a robots.txt Crawl-delay)."""
        self._delays[host] = max(self.delay, seconds)

    def delay_for(self, host: str) -> float:
        return self._delays.get(host, self.delay)

    def hold(self, host: str, seconds: float) -> None:
        """Start nothing on this host for `seconds` from now (a 429's Retry-After)."""
        self._next[host] = max(self._next.get(host, 0.0), self._clock() + seconds)

    def ended(self, host: str) -> None:
        """A request to this host has ended: the next starts no sooner than its delay from now."""
        self.hold(host, self.delay_for(host))

    async def wait(self, host: str) -> None:
        """Wait for this host's turn, then book the next one `delay` later."""
        lock = self._locks.get(host)
        if lock is None:
            lock = self._locks[host] = asyncio.Lock()
        async with lock:
            now = self._clock()
            ready = self._next.get(host, 0.0)
            if ready > now:
                await asyncio.sleep(ready - now)
            self._next[host] = max(self._clock(), ready) + self.delay_for(host)
