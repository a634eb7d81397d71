"""HTTP client for feeds and pages: polite (per-host limits), patient (retries) and bounded (size, time).

One `Fetcher` is shared by all tasks of a run: it holds one httpx.AsyncClient (connection
reuse), a global connection cap and a semaphore per host so no outlet sees more than
`per_host` requests at once. Conditional GET saves bandwidth; every response is written to the
raw archive when one is given.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime, UTC
from email.utils import parsedate_to_datetime
from http import HTTPStatus
from urllib.parse import urlsplit

import httpx

from newsmirror.config import DEFAULT_USER_AGENT
from newsmirror.errors import FetchError
from newsmirror.fetch.hosts import DEFAULT_HOST_DELAY, HostBook, HostPacer, host_of
from newsmirror.fetch.robots import RobotsCache
from newsmirror.fetch.warc import RawArchive
from newsmirror.models import FailureKind, FetchResult

__all__ = ["FetchPolicy", "Fetcher", "fetch_all", "DEFAULT_USER_AGENT"]

_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, "
    "text/xml;q=0.9, application/json;q=0.8, text/html;q=0.8, */*;q=0.5"
)
_RETRY_STATUSES = frozenset({429, 500, 502, 503, 504, 520, 521, 522, 523, 524})


@dataclass(frozen=True)
class FetchPolicy:
    """How hard and how politely to fetch: time and size limits, retries, concurrency."""

    timeout: float = 20.0  # seconds per attempt, connect to last byte
    connect_timeout: float = 5.0  # seconds to open a connection: a blackholed host costs this, not `timeout`
    retries: int = 2  # extra attempts after the first, on timeouts, connection errors, 5xx and 429
    backoff: float = 0.5  # first retry delay in seconds; doubles each retry
    max_bytes: int = 10 * 1024 * 1024
    per_host: int = 2
    max_connections: int = 16
    max_redirects: int = 5
    user_agent: str = DEFAULT_USER_AGENT
    max_retry_after: float = 30.0  # a longer Retry-After is not waited for: the fetch fails instead
    host_delay: float = DEFAULT_HOST_DELAY  # seconds between page requests to one host (or its Crawl-delay)


def _size(n: int) -> str:
    if n >= 1024 * 1024 and n % (1024 * 1024) == 0:
        return f"{n // (1024 * 1024)} MiB"
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.1f} MiB"
    if n >= 1024:
        return f"{n / 1024:g} KiB"
    return f"{n} bytes"


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def _retry_after(value: str | None) -> float | None:
    """Seconds asked by a Retry-After header (delta or HTTP date), or None."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _connect_reason(exc: Exception) -> tuple[FailureKind, str]:
    """Why a connection could not be opened, as a kind and a short phrase."""
    text = str(exc) or type(exc).__name__
    low = text.lower()
    if "refused" in low or "all connection attempts failed" in low or "unreachable" in low:
        return FailureKind.REFUSED, "connection refused"
    if ("name or service not known" in low or "nodename nor servname" in low or "getaddrinfo" in low
            or "no address associated" in low or "temporary failure in name resolution" in low):
        return FailureKind.DNS, "host name not found"
    if "certificate" in low or "ssl" in low:
        return FailureKind.OTHER, f"TLS error ({text})"
    return FailureKind.REFUSED, text


def _one_line(exc: Exception) -> str:
    """An exception's message on one line (zlib and h11 messages may span several)."""
    return " ".join(str(exc).split()) or type(exc).__name__


class _ConnectTimeout(Exception):
    """Internal: the connection could not be opened in time (a blackholed or filtered host)."""


class _Retry(Exception):
    """Internal: this attempt failed in a way worth retrying; carries the final error to raise."""

    def __init__(self, error: FetchError, wait: float | None = None) -> None:
        super().__init__(str(error))
        self.error = error
        self.wait = wait


class Fetcher:
    """An async HTTP client with per-host concurrency limits, retries and an optional raw archive."""

    def __init__(self, policy: FetchPolicy = FetchPolicy(), archive: RawArchive | None = None, *,
                 store=None, clock: Callable[[], datetime] | None = None, suspect_hosts: Iterable[str] = ()) -> None:
        """`store` keeps robots.txt answers across runs (None: this run only); `clock` gives the time
        robots.txt answers are dated and expire by; `suspect_hosts` were given up in the last run."""
        self.policy = policy
        self.archive = archive
        self.hosts = HostBook()
        self.hosts.mark_suspect(suspect_hosts)
        self.pacer = HostPacer(policy.host_delay)
        self.robots = RobotsCache(self._get_robots, store, clock=clock or (lambda: datetime.now(UTC)))
        self._client: httpx.AsyncClient | None = None
        self._hosts: dict[str, asyncio.Semaphore] = {}
        self._all: asyncio.Semaphore | None = None

    async def __aenter__(self) -> Fetcher:
        p = self.policy
        self._client = httpx.AsyncClient(
            follow_redirects=True,
            max_redirects=p.max_redirects,
            timeout=httpx.Timeout(p.timeout, connect=min(p.connect_timeout, p.timeout)),
            limits=httpx.Limits(max_connections=p.max_connections, max_keepalive_connections=p.max_connections),
            headers={"User-Agent": p.user_agent, "Accept": _ACCEPT, "Accept-Encoding": "gzip, deflate"},
        )
        self._all = asyncio.Semaphore(p.max_connections)
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connection pool."""
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    def _host_slot(self, url: str) -> asyncio.Semaphore:
        host = host_of(url)  # host and port: what one server is
        slot = self._hosts.get(host)
        if slot is None:
            slot = self._hosts[host] = asyncio.Semaphore(self.policy.per_host)
        return slot

    async def get(self, url: str, *, etag: str | None = None, last_modified: str | None = None) -> FetchResult:
        """GET `url` with conditional headers, retrying transient failures; raise FetchError otherwise.

        This is how feeds are fetched: a feed URL is what the outlet publishes for readers, so no
        robots.txt and no per-host delay (article pages go through `get_page`)."""
        parts = self._check_url(url)
        headers: dict[str, str] = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        return await self._get(url, parts.netloc, headers, polite=False)

    async def get_page(self, url: str) -> FetchResult:
        """GET an article page politely: robots.txt first, the host's delay between requests, and
        no request at all to a host given up in this run. Raises FetchError with its kind:
        DISALLOWED (never requested), DNS/REFUSED/TIMEOUT (the host), HTTP, RATE_LIMITED ..."""
        parts = self._check_url(url)
        self.hosts.check(url)
        verdict = await self.robots.check(url)
        host = host_of(url)
        if verdict.crawl_delay is not None:
            self.pacer.set_delay(host, verdict.crawl_delay)
        if not verdict.allowed:
            kind = FailureKind.HTTP if verdict.wait else FailureKind.DISALLOWED
            raise FetchError(verdict.reason or f"{url} is disallowed by robots.txt", url=url, kind=kind)
        return await self._get(url, parts.netloc, {}, polite=True)

    async def _get_robots(self, url: str) -> FetchResult:
        """robots.txt as any HTTP answer (4xx and 5xx included), its first 500 KiB; FetchError for a dead host."""
        from newsmirror.fetch.robots import MAX_ROBOTS_BYTES

        try:
            return await self._get(url, urlsplit(url).netloc, {}, polite=True, limit=MAX_ROBOTS_BYTES + 1)
        except FetchError as exc:
            if exc.status is None or exc.status < 400:
                raise
            return FetchResult(url=url, final_url=url, status=exc.status, headers={}, content=b"",
                               fetched_at=datetime.now(UTC))

    def _slots(self) -> asyncio.Semaphore:
        """The connection slots of the whole fetcher (made by `async with Fetcher(...)`)."""
        if self._all is None:
            raise RuntimeError("use 'async with Fetcher(...) as fetcher' before calling get()")
        return self._all

    def _check_url(self, url: str):
        if self._client is None or self._all is None:
            raise RuntimeError("use 'async with Fetcher(...) as fetcher' before calling get()")
        try:
            parts = urlsplit(url)
            parts.port  # noqa: B018 - raises ValueError for a port out of range
        except ValueError:
            raise FetchError(f"{url!r} is not an http(s) URL", url=url) from None
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise FetchError(f"{url!r} is not an http(s) URL", url=url)
        return parts

    async def _get(self, url: str, netloc: str, headers: dict[str, str], *, polite: bool,
                   limit: int | None = None) -> FetchResult:
        """The retry loop. Polite requests wait for the host's turn, and count connection failures
        against the host: once it is given up, no more attempts (fetch.hosts)."""
        p = self.policy
        host = host_of(url)
        started = time.monotonic()
        attempts = 0
        while True:
            attempts += 1
            if polite:
                self.hosts.check(url)
                await self.pacer.wait(host)
            try:
                async with self._host_slot(url), self._slots():
                    if polite:  # the host may have been given up while this request waited for its turn
                        self.hosts.check(url)
                    async with asyncio.timeout(p.timeout):
                        result = await self._attempt(url, headers, attempts, limit)
                if polite:
                    self.hosts.succeeded(url)
                return replace(result, elapsed=time.monotonic() - started, attempts=attempts)
            except _ConnectTimeout:
                limit_s = min(p.connect_timeout, p.timeout)
                message = f"cannot connect to {netloc}: timed out after {limit_s:g} s"
                if attempts > 1:
                    message += f" ({attempts} attempts)"
                retry = _Retry(FetchError(message, url=url, kind=FailureKind.TIMEOUT))
            except TimeoutError:
                if attempts > 1:
                    message = f"{url} timed out after {attempts} attempts ({p.timeout:g} s each)"
                else:
                    message = f"{url} timed out after {p.timeout:g} s"
                retry = _Retry(FetchError(message, url=url, kind=FailureKind.TIMEOUT))
            except _Retry as exc:
                retry = exc
            except FetchError as exc:
                if polite:
                    self.hosts.failed(url, exc)
                raise
            finally:
                if polite:  # the next request leaves the delay after this one ended, not only after it began
                    self.pacer.ended(host)
            if polite and self.hosts.failed(url, retry.error):
                raise retry.error  # the host is given up: no more attempts
            if attempts > p.retries:
                raise retry.error
            if retry.wait is not None and retry.wait > p.max_retry_after:
                error = FetchError(
                    f"{retry.error}; it asks to wait {retry.wait:.0f} s, try again later",
                    url=url,
                    status=retry.error.status,
                    kind=FailureKind.RATE_LIMITED,
                    retry_after=retry.wait,
                )
                if polite:  # nothing more is asked of this host in this run
                    self.hosts.give_up(host, FailureKind.RATE_LIMITED,
                                       f"it answered HTTP {retry.error.status} and asks to wait {retry.wait:.0f} s",
                                       retry.wait)
                raise error
            delay = p.backoff * (2 ** (attempts - 1)) * (1 + random.random() * 0.25)
            if retry.wait is not None:
                delay = max(delay, retry.wait)
                if polite:  # every request to this host waits, not only this one
                    self.pacer.hold(host, retry.wait)
            await asyncio.sleep(delay)

    async def _attempt(self, url: str, headers: dict[str, str], attempts: int, limit: int | None = None) -> FetchResult:
        """One GET; raises _Retry for transient failures and FetchError for final ones.

        With `limit`, the body is cut at that many bytes instead of failing (robots.txt)."""
        assert self._client is not None
        p = self.policy
        plural = f" after {attempts} attempts" if attempts > 1 else ""
        try:
            async with self._client.stream("GET", url, headers=headers) as resp:
                declared = resp.headers.get("content-length", "")
                if limit is None and declared.isdigit() and int(declared) > p.max_bytes:
                    raise FetchError(
                        f"{url} is larger than {_size(p.max_bytes)}; raise max_bytes or check the URL",
                        url=url,
                        status=resp.status_code,
                    )
                body = bytearray()
                async for chunk in resp.aiter_bytes():
                    body += chunk
                    if limit is not None and len(body) >= limit:
                        del body[limit:]
                        break
                    if len(body) > p.max_bytes:
                        raise FetchError(
                            f"{url} is larger than {_size(p.max_bytes)}; raise max_bytes or check the URL",
                            url=url,
                            status=resp.status_code,
                        )
        except httpx.TooManyRedirects:
            raise FetchError(
                f"{url} redirected more than {p.max_redirects} times (a redirect loop?); check the URL", url=url
            ) from None
        except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
            raise FetchError(f"{url} cannot be fetched: {exc}", url=url) from None
        except httpx.ConnectTimeout:
            raise _ConnectTimeout from None
        except httpx.TimeoutException:
            raise TimeoutError from None
        except httpx.ConnectError as exc:
            host = urlsplit(url).netloc
            kind, why = _connect_reason(exc)
            error = FetchError(f"cannot connect to {host}: {why}{plural}", url=url, kind=kind)
            if kind is FailureKind.DNS:  # a name that does not resolve now will not resolve in a second
                raise error from None
            raise _Retry(error) from None
        except httpx.TransportError as exc:  # connection dropped mid-response, protocol errors
            raise _Retry(FetchError(f"{url} failed: {exc or type(exc).__name__}{plural}", url=url)) from None
        except httpx.DecodingError as exc:  # a body that is not what its Content-Encoding says
            raise FetchError(
                f"{url} sent a body that cannot be decoded ({_one_line(exc)}); the server's compression is broken",
                url=url,
            ) from None
        except httpx.HTTPError as exc:  # anything else httpx raises is this URL's failure, not a crash
            raise FetchError(f"{url} failed: {_one_line(exc)}", url=url) from None

        fetched_at = datetime.now(UTC)
        status = resp.status_code
        resp_headers = {k.lower(): v for k, v in resp.headers.items()}
        content = bytes(body) if status != 304 else b""
        raw_ref = None
        if self.archive is not None and status != 304:
            raw_ref = await asyncio.to_thread(
                self.archive.record,
                str(resp.url),
                status=status,
                headers=resp_headers,
                body=content,
                fetched_at=fetched_at,
                request_headers=dict(resp.request.headers.items()),
            )
        if status in _RETRY_STATUSES:
            wait = _retry_after(resp_headers.get("retry-after"))
            raise _Retry(
                FetchError(f"{url} answered HTTP {status} {_reason(status)}{plural}".rstrip(), url=url, status=status,
                           retry_after=wait),
                wait=wait,
            )
        if status >= 400:
            raise FetchError(f"{url} answered HTTP {status} {_reason(status)}".rstrip(), url=url, status=status)
        return FetchResult(
            url=url,
            final_url=str(resp.url),
            status=status,
            headers=resp_headers,
            content=content,
            fetched_at=fetched_at,
            raw_ref=raw_ref,
        )


async def fetch_all(
    requests: Iterable[tuple[str, str | None, str | None]],
    policy: FetchPolicy = FetchPolicy(),
    archive: RawArchive | None = None,
) -> AsyncIterator[tuple[str, FetchResult | FetchError]]:
    """Fetch (url, etag, last_modified) triples concurrently; yield (url, result or error) as each ends."""
    async with Fetcher(policy, archive) as fetcher:

        async def one(url: str, etag: str | None, last_modified: str | None) -> tuple[str, FetchResult | FetchError]:
            try:
                return url, await fetcher.get(url, etag=etag, last_modified=last_modified)
            except FetchError as exc:
                return url, exc

        tasks = [asyncio.ensure_future(one(*req)) for req in requests]
        try:
            for next_done in asyncio.as_completed(tasks):
                yield await next_done
        finally:
            for task in tasks:
                task.cancel()
