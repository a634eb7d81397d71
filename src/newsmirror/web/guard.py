"""The server's outer wall: read-only methods, no bodies, a per-client rate limit,
security headers on every answer, and a last-resort handler so a bug never leaks a traceback.

Refusals are answered by the app's error page when one is given (HTML in the reader's script for
a browser, JSON for the API), else as JSON.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from dataclasses import dataclass

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["RateLimit", "TokenBuckets", "GuardMiddleware", "SECURITY_HEADERS"]

log = logging.getLogger(__name__)

# (scope, status, English message, extra headers) -> the response to send for a refusal
ErrorPage = Callable[[Scope, int, str, dict[str, str]], Awaitable[Any]]

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
SECURITY_HEADERS: tuple[tuple[str, str], ...] = (
    ("content-security-policy", CSP),
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "no-referrer"),
    ("x-frame-options", "DENY"),
    ("cross-origin-opener-policy", "same-origin"),
    ("permissions-policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()"),
)
ALLOWED_METHODS = ("GET", "HEAD")
MAX_URL = 4096  # bytes of path + query string


@dataclass(frozen=True)
class RateLimit:
    """A token bucket per client: `rate` requests a second on average, bursts of up to `burst`."""

    rate: float = 20.0
    burst: int = 120


class TokenBuckets:
    """Token buckets keyed by client address; old idle buckets are dropped to bound memory."""

    def __init__(self, limit: RateLimit, clock=time.monotonic) -> None:
        self.limit = limit
        self.clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}  # client -> (tokens, last time)
        self._lock = threading.Lock()

    def take(self, client: str) -> float:
        """Spend one token for `client`: 0.0 when allowed, else seconds until a token is back."""
        now = self.clock()
        with self._lock:
            tokens, last = self._buckets.get(client, (float(self.limit.burst), now))
            tokens = min(float(self.limit.burst), tokens + (now - last) * self.limit.rate)
            if tokens >= 1.0:
                self._buckets[client] = (tokens - 1.0, now)
                wait = 0.0
            else:
                self._buckets[client] = (tokens, now)
                wait = (1.0 - tokens) / self.limit.rate if self.limit.rate > 0 else 3600.0
            if len(self._buckets) > 10_000:
                self._forget(now)
        return wait

    def _forget(self, now: float) -> None:
        full = self.limit.burst / self.limit.rate if self.limit.rate > 0 else 3600.0
        for key, (_, last) in list(self._buckets.items()):
            if now - last > full:
                del self._buckets[key]


def _json_body(status: int, error: str) -> bytes:
    return json.dumps({"ok": False, "error": error}, ensure_ascii=False).encode("utf-8")


class GuardMiddleware:
    """ASGI middleware in front of the whole app (see the module docstring)."""

    def __init__(self, app: ASGIApp, *, rate_limit: RateLimit | None = None,
                 error_page: ErrorPage | None = None) -> None:
        self.app = app
        self.buckets = TokenBuckets(rate_limit) if rate_limit else None
        self.error_page = error_page

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        refusal = self._refuse(scope)
        if refusal is not None:
            status, error, extra = refusal
            await self._send_error(scope, receive, send, status, error, extra)
            return
        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() not in _OURS]
                headers.extend((k.encode(), v.encode()) for k, v in SECURITY_HEADERS)
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, _no_body(receive), send_with_headers)
        except Exception:
            log.exception("internal error answering %s %s", scope.get("method"), scope.get("path"))
            if not started:
                await self._send_error(scope, receive, send, 500, "internal error")

    def _refuse(self, scope: Scope) -> tuple[int, str, list[tuple[bytes, bytes]]] | None:
        method = scope.get("method", "GET")
        if method not in ALLOWED_METHODS:
            return 405, f"method {method} not allowed; this archive is read-only (GET, HEAD)", [
                (b"allow", b"GET, HEAD")
            ]
        headers = dict(scope.get("headers") or [])
        length = headers.get(b"content-length", b"0").strip()
        if (length and length != b"0") or b"transfer-encoding" in headers:
            return 413, "request bodies are not accepted", []
        if len(scope.get("raw_path") or scope.get("path", "").encode()) + len(scope.get("query_string", b"")) > MAX_URL:
            return 414, f"URL too long; at most {MAX_URL} bytes", []
        if self.buckets is not None:
            client = (scope.get("client") or ("unknown", 0))[0]
            wait = self.buckets.take(client)
            if wait > 0:
                retry = str(max(1, int(wait + 0.999))).encode()
                return 429, "too many requests; slow down and retry shortly", [(b"retry-after", retry)]
        return None

    async def _send_error(self, scope: Scope, receive: Receive, send: Send, status: int, error: str,
                          extra=()) -> None:
        """The refusal as the app's error answer (an HTML page in the reader's script, or JSON for the API);
        plain JSON when there is no error page or it fails."""
        if self.error_page is not None:
            try:
                response = await self.error_page(scope, status, error, {k.decode(): v.decode() for k, v in extra})
            except Exception:
                log.exception("error page for %s failed; answering JSON", status)
            else:
                response.headers["cache-control"] = "no-store"

                async def send_secured(message: Message) -> None:
                    if message["type"] == "http.response.start":
                        headers = [(k, v) for k, v in message.get("headers", []) if k.lower() not in _OURS]
                        headers.extend((k.encode(), v.encode()) for k, v in SECURITY_HEADERS)
                        message = {**message, "headers": headers}
                    await send(message)

                await response(scope, receive, send_secured)
                return
        body = _json_body(status, error)
        headers = [
            (b"content-type", b"application/json; charset=utf-8"),
            (b"content-length", str(len(body)).encode()),
            (b"cache-control", b"no-store"),
            *extra,
            *((k.encode(), v.encode()) for k, v in SECURITY_HEADERS),
        ]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})


_OURS = {k.encode() for k, _ in SECURITY_HEADERS}


def _no_body(receive: Receive) -> Receive:
    """A receive that never hands a request body to the app (GET/HEAD only reach it)."""

    async def wrapped() -> Message:
        message = await receive()
        if message["type"] == "http.request":
            return {"type": "http.request", "body": b"", "more_body": False}
        return message

    return wrapped
