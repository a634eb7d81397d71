"""Turn a template and its data into an HTML response: escaped, in the reader's script and timezone."""

from __future__ import annotations

import re
from datetime import datetime, UTC
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

import nh3
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import HTMLResponse

from newsmirror.web.params import Reader
from newsmirror.web.script import convert_html, lang_for

__all__ = ["TEMPLATES", "environment", "render_page", "set_reader_cookies", "safe_url", "page_url"]

TEMPLATES = Path(__file__).parent / "templates"
COOKIE_AGE = 365 * 24 * 3600
WEEKDAYS = "一二三四五六日"


def safe_url(url: str | None) -> str:
    """The URL if it is http(s), else "" (so a stored javascript: link can never become an href)."""
    if not url:
        return ""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return ""
    return url.strip() if parts.scheme in ("http", "https") and parts.netloc else ""


def source_path(name: str) -> str:
    """The page of one outlet; the name is percent-encoded, slashes included."""
    return "/source/" + quote(name, safe="")


def page_url(request: Request, **changes: Any) -> str:
    """The current path with some query parameters changed (None removes one)."""
    params = dict(request.query_params)
    for key, value in changes.items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = str(value)
    query = urlencode(params)
    return quote(request.url.path, safe="/%:@") + ("?" + query if query else "")


_H1 = re.compile(r"<(/?)h1\b")
_BODY_TAGS = nh3.ALLOWED_TAGS - {"img", "map", "area"}  # outlets' images would load from outside


def clean_body(html: str) -> Markup:
    """Stored article HTML, sanitized once more so a store bug cannot become a script; no images."""
    cleaned = nh3.clean(html or "", tags=_BODY_TAGS, link_rel="noopener noreferrer nofollow")
    return Markup(_H1.sub(r"<\1h2", cleaned))  # the page has one h1: the article's title


def environment() -> Environment:
    """The Jinja2 environment: autoescape everywhere, undefined names are errors."""
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["safe_url"] = safe_url
    env.filters["clean_body"] = clean_body
    env.globals["source_path"] = source_path
    return env


_ENV = environment()


def _local(reader: Reader):
    def local(when: datetime | None) -> datetime | None:
        if when is None:
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        return when.astimezone(reader.tz)

    return local


def _show_time(reader: Reader):
    local = _local(reader)

    def show(when: datetime | None, with_day: bool = True) -> Markup:
        t = local(when)
        if t is None:
            return Markup("")
        label = f"{t:%Y-%m-%d} (週{WEEKDAYS[t.weekday()]}) {t:%H:%M}" if with_day else f"{t:%H:%M}"
        return Markup('<time datetime="{}">{}</time>').format(t.isoformat(), label)

    return show


def render_page(request: Request, reader: Reader, name: str, context: dict[str, Any], status: int = 200,
                *, page_lang: str | None = None) -> HTMLResponse:
    """Render template `name`, convert its text into the reader's script, and set their cookies."""
    script_links = [
        ("hant", "繁體", page_url(request, script="hant")),
        ("hans", "简体", page_url(request, script="hans")),
        ("orig", "原文", page_url(request, script="orig")),
    ]
    lang = lang_for(reader.script) if reader.script else (page_lang or "zh-Hant")
    body = _ENV.get_template(name).render(
        request=request,
        reader=reader,
        lang=lang,
        script=reader.script or "orig",
        script_links=script_links,
        local=_local(reader),
        show_time=_show_time(reader),
        page_url=lambda **kw: page_url(request, **kw),
        path=request.url.path,
        today=datetime.now(reader.tz).date().isoformat(),
        **context,
    )
    if reader.script:
        body = convert_html(body, reader.script)
    response = HTMLResponse(body, status_code=status)
    response.headers["cache-control"] = "private, no-cache"
    response.headers["vary"] = "Cookie"
    set_reader_cookies(response, reader)
    return response


def set_reader_cookies(response, reader: Reader) -> None:
    """Remember ?tz= and ?script= choices for a year."""
    for key, value in reader.set_cookies:
        response.set_cookie(key, value, max_age=COOKIE_AGE, path="/", samesite="lax", httponly=True)
