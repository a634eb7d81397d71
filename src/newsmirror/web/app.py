"""The web archive application (`newsmirror serve`): routes, error pages, static files, uvicorn."""

from __future__ import annotations

import contextlib
import logging
from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import Receive, Scope, Send

from newsmirror.config import Settings
from newsmirror.errors import ConfigError, NewsMirrorError, QueryError, SearchError, StoreError
from newsmirror.web import api, views
from newsmirror.web.archive import Archive
from newsmirror.web.guard import GuardMiddleware, RateLimit
from newsmirror.web.params import Reader, read_reader
from newsmirror.web.render import STATIC, render_page

__all__ = ["create_app", "serve", "RateLimit"]

log = logging.getLogger(__name__)


STATIC_MAX_AGE = 86400


class CachedStatic(StaticFiles):
    """Static files (ETag and Last-Modified from Starlette) with a Cache-Control header."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def send_cached(message):
            if message["type"] == "http.response.start" and message["status"] in (200, 304):
                headers = list(message.get("headers", []))
                headers.append((b"cache-control", f"public, max-age={STATIC_MAX_AGE}".encode()))
                message = {**message, "headers": headers}
            await send(message)

        await super().__call__(scope, receive, send_cached)


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path == "/api"


def _safe_reader(request: Request) -> Reader:
    try:
        return read_reader(request)
    except QueryError:
        from zoneinfo import ZoneInfo

        from newsmirror.config import DEFAULT_TIMEZONE

        return Reader(tz=ZoneInfo(DEFAULT_TIMEZONE), script=None)


def _error(request: Request, status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    if _is_api(request):
        return api.json_error(status, message, headers)
    titles = {400: "請求有誤", 404: "找不到頁面", 405: "不允許的方法", 503: "暫時無法服務"}
    response = render_page(request, _safe_reader(request), "error.html", {
        "title": titles.get(status, "錯誤"), "status": status, "message": message,
    }, status=status)
    if headers:
        response.headers.update(headers)
    return response


async def _on_http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 404:
        detail = exc.detail if exc.detail and exc.detail != "Not Found" else f"no page at {request.url.path[:200]}"
        return _error(request, 404, detail)
    if exc.status_code == 405:
        return _error(request, 405, "method not allowed; this archive is read-only (GET, HEAD)",
                      {"allow": "GET, HEAD"})
    return _error(request, exc.status_code, str(exc.detail))


async def _on_query_error(request: Request, exc: Exception) -> Response:
    return _error(request, 400, str(exc))


async def _on_unavailable(request: Request, exc: Exception) -> Response:
    log.warning("%s: %s", request.url.path, exc)
    return _error(request, 503, str(exc))


def create_app(settings: Settings, *, rate_limit: RateLimit | None = RateLimit()) -> Starlette:
    """The read-only web archive over `settings`' archive and search index (rate_limit None: unlimited)."""
    archive = Archive(settings)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette):
        yield
        archive.close()

    routes = [
        Route("/", views.home),
        Route("/sources", views.sources_page),
        Route("/source/{name:path}", views.source_page),
        Route("/day/{day}", views.day_page),
        Route("/article/{id}", views.article_page),
        Route("/search", views.search_page),
        Route("/api/articles", api.api_articles),
        Route("/api/articles/{id}", api.api_article),
        Route("/api/search", api.api_search),
        Route("/api/sources", api.api_sources),
        Route("/api/openapi.json", api.api_openapi),
        Mount("/static", app=CachedStatic(directory=STATIC), name="static"),
    ]
    app = Starlette(
        routes=routes,
        exception_handlers={
            HTTPException: _on_http_error,
            QueryError: _on_query_error,
            StoreError: _on_unavailable,
            SearchError: _on_unavailable,
            NewsMirrorError: _on_unavailable,
        },
        lifespan=lifespan,
    )
    app.state.archive = archive
    app.add_middleware(GuardMiddleware, rate_limit=rate_limit)
    return app


def serve(settings: Settings, host: str = "127.0.0.1", port: int = 8080, *,
          rate_limit: RateLimit | None = RateLimit()) -> None:
    """Run the web archive with uvicorn until interrupted; binds to 127.0.0.1 unless told otherwise."""
    import uvicorn

    if not settings.db_path.is_file():
        raise StoreError(f"archive {settings.db_path} not found; run 'newsmirror fetch' to create it")
    _check_can_listen(host, port)
    uvicorn.run(create_app(settings, rate_limit=rate_limit), host=host, port=port, log_level="info",
                server_header=False, proxy_headers=False)


def _check_can_listen(host: str, port: int) -> None:
    """Fail with one line, before uvicorn starts, when host:port cannot be bound (busy, no such address)."""
    import socket

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise ConfigError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            raise ConfigError(f"cannot listen on {host}:{port}: {exc.strerror}; pass another --port") from None
