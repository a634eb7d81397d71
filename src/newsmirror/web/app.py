"""The web archive application (`newsmirror serve`): routes, error pages, static files, uvicorn."""

from __future__ import annotations

import contextlib
import logging

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import Receive, Scope, Send

from newsmirror.config import Settings
from newsmirror.errors import ConfigError, NewsMirrorError, QueryError, SearchError, StoreError
from newsmirror.web import api, views
from newsmirror.web.archive import Archive
from newsmirror.web.guard import GuardMiddleware, RateLimit
from newsmirror.web.params import NotFound, Reader, read_reader, script_from_languages
from newsmirror.web.render import STATIC, in_reader_words, render_page
from newsmirror.web.wording import ERROR_MESSAGES, ERROR_TITLES, Words

__all__ = ["create_app", "serve", "error_response", "RateLimit"]

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


async def _favicon(request: Request) -> Response:
    """/favicon.ico, which browsers ask for whatever the page links: the static icon, cached."""
    response = FileResponse(STATIC / "favicon.ico", media_type="image/x-icon")
    response.headers["cache-control"] = f"public, max-age={STATIC_MAX_AGE}"
    return response


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path == "/api"


def _safe_reader(request: Request, *, api: bool = False) -> Reader:
    try:
        return read_reader(request, api=api)
    except QueryError:  # the error being shown may be about these very parameters
        from zoneinfo import ZoneInfo

        from newsmirror.config import DEFAULT_TIMEZONE

        return Reader(tz=ZoneInfo(DEFAULT_TIMEZONE),
                      script=script_from_languages(request.headers.get("accept-language")))


def error_response(request: Request, status: int, message: str, *, zh: str | None = None,
                   back: tuple[tuple[str, str], ...] = (), headers: dict[str, str] | None = None) -> Response:
    """The answer for an error: JSON for the API (`error` in English, `message` for readers), else an
    HTML page in the reader's script with a way back."""
    if _is_api(request):
        reader = _safe_reader(request, api=True)
        script = reader.script or script_from_languages(request.headers.get("accept-language"))
        return api.json_error(status, message, headers,
                              message=in_reader_words(zh or ERROR_MESSAGES.get(status, ""), script))
    reader = _safe_reader(request)
    response = render_page(request, reader, "error.html", {
        "title": Words(ERROR_TITLES.get(status, "錯誤")), "status": status,
        "message": Words(zh or ERROR_MESSAGES.get(status, ERROR_MESSAGES[400])),
        "detail": None if zh else message, "back": tuple((Words(label), href) for label, href in back),
    }, status=status, menu_day=False)
    if headers:
        response.headers.update(headers)
    return response


async def _on_http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if isinstance(exc, NotFound):
        return error_response(request, 404, str(exc.detail), zh=exc.zh, back=exc.back)
    if exc.status_code == 404:
        path = request.url.path[:200]
        return error_response(request, 404, f"no page at {path}", zh=f"這個網址沒有頁面：{path}")
    if exc.status_code == 405:
        return error_response(request, 405, "method not allowed; this archive is read-only (GET, HEAD)",
                              zh=ERROR_MESSAGES[405], headers={"allow": "GET, HEAD"})
    return error_response(request, exc.status_code, str(exc.detail))


async def _on_query_error(request: Request, exc: Exception) -> Response:
    return error_response(request, 400, str(exc), zh=getattr(exc, "zh", None))


async def _on_unavailable(request: Request, exc: Exception) -> Response:
    log.warning("%s: %s", request.url.path, exc)
    return error_response(request, 503, str(exc), zh=ERROR_MESSAGES[503])


async def _guard_error(scope: Scope, status: int, message: str, headers: dict[str, str]) -> Response:
    """The guard's refusals (405, 413, 414, 429, 500) as the app's own error answers."""
    request = Request(scope)
    zh = ERROR_MESSAGES.get(status)
    if status == 429 and "retry-after" in headers:
        zh = f"請求太頻繁，請在 {headers['retry-after']} 秒後再試。"
    return error_response(request, status, message, zh=zh, headers=headers)


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
        Route("/month/{month}", views.month_page),
        Route("/article/{id}", views.article_page),
        Route("/story/{id}", views.story_page),
        Route("/stories", views.stories_page),
        Route("/search", views.search_page),
        Route("/api/articles", api.api_articles),
        Route("/api/articles/{id}", api.api_article),
        Route("/api/stories", api.api_stories),
        Route("/api/stories/{id}", api.api_story),
        Route("/api/search", api.api_search),
        Route("/api/sources", api.api_sources),
        Route("/api/openapi.json", api.api_openapi),
        Route("/favicon.ico", _favicon),
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
    app.add_middleware(GuardMiddleware, rate_limit=rate_limit, error_page=_guard_error)
    return app


def serve(settings: Settings, host: str = "127.0.0.1", port: int = 8080, *,
          rate_limit: RateLimit | None = RateLimit()) -> None:
    """Run the web archive with uvicorn until interrupted; binds to 127.0.0.1 unless told otherwise."""
    import uvicorn

    if not settings.archive_exists():
        raise StoreError(f"archive {settings.store_location} not found; run 'newsmirror fetch' to create it")
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
