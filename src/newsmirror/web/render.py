"""Turn a template and its data into HTML, with or without a web request.

The templates are shared by `newsmirror serve` and the static site (`publish/site.py`), so they
never build a URL themselves: every link comes from a `Links` object (absolute routes for the
server, relative file paths for the static site) and everything the layout needs besides the
page's own data comes in a `Frame`. `render_html` needs no request; `render_page` is the server's
wrapper that reads the request, converts the page into the reader's script and sets cookies.

A Simplified page's interface gets mainland wording (`wording.MAINLAND_WORDS`): its templates are read
in Simplified with that wording, and so are the `Words` a view passes in; the page is then converted
into Simplified script, which changes an outlet's characters but never its words.
"""

from __future__ import annotations

import re
from functools import lru_cache
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import quote, urlencode, urlsplit
from zoneinfo import ZoneInfo

import nh3
from jinja2 import (BaseLoader, Environment, FileSystemBytecodeCache, FileSystemLoader, StrictUndefined,
                    select_autoescape)
from markupsafe import Markup, escape

from newsmirror.furniture import gist
from newsmirror.chinese import convert_html, lang_for, to_script
from newsmirror.web.wording import Words, mainland, zone_name

if TYPE_CHECKING:
    from starlette.requests import Request
    from starlette.responses import HTMLResponse

    from newsmirror.web.params import Reader

__all__ = [
    "TEMPLATES",
    "STATIC",
    "LATEST_DAY",
    "Links",
    "ServeLinks",
    "Frame",
    "environment",
    "render_html",
    "Shells",
    "render_page",
    "in_script",
    "in_reader_words",
    "set_reader_cookies",
    "safe_url",
    "page_url",
    "clean_body",
    "article_context",
    "Gist",
]

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"
COOKIE_AGE = 365 * 24 * 3600
WEEKDAYS = "一二三四五六日"
SITE_NAME = "新聞鏡像"
LATEST_DAY = "latest"  # /day/latest leads to the newest day with articles: the menu's link where no store was read


def safe_url(url: str | None) -> str:
    """The URL if it is http(s), else "" (so a stored javascript: link can never become an href)."""
    if not url:
        return ""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return ""
    return url.strip() if parts.scheme in ("http", "https") and parts.netloc else ""


class Links(Protocol):
    """Where the pages are: one object per way of publishing (server routes, static files)."""

    def home(self) -> str:
        """The latest articles."""

    def sources(self) -> str:
        """The list of outlets."""

    def source(self, name: str) -> str:
        """One outlet's articles."""

    def day(self, day: date | str) -> str:
        """One day's articles (a date or YYYY-MM-DD)."""

    def month(self, year: int, month: int) -> str | None:
        """One month's days, or None when there is no month page."""

    def article(self, article: Any) -> str:
        """One article's page (anything with .id and .published)."""

    def story(self, story_id: int | str) -> str | None:
        """One story's page, or None while there are no story pages."""

    def stories(self) -> str | None:
        """The list of stories, newest first, or None when there is no such list."""

    def search(self) -> str:
        """The search page."""

    def static(self, name: str) -> str:
        """A file of web/static (stylesheet, icon, scripts)."""

    def api(self) -> str | None:
        """The JSON API's description, or None when there is no API."""


@dataclass(frozen=True)
class ServeLinks:
    """The server's routes: absolute paths from the site root."""

    def home(self) -> str:
        return "/"

    def sources(self) -> str:
        return "/sources"

    def source(self, name: str) -> str:
        return "/source/" + quote(name, safe="")  # slashes in an outlet's name are encoded too

    def day(self, day: date | str) -> str:
        return f"/day/{day.isoformat() if isinstance(day, date) else day}"

    def month(self, year: int, month: int) -> str | None:
        return f"/month/{year:04d}-{month:02d}"

    def article(self, article: Any) -> str:
        return f"/article/{article.id}"

    def story(self, story_id: int | str) -> str | None:
        return f"/story/{story_id}"

    def stories(self) -> str | None:
        return "/stories"

    def search(self) -> str:
        return "/search"

    def static(self, name: str) -> str:
        return "/static/" + name

    def api(self) -> str | None:
        return "/api/openapi.json"


def _no_paging(**changes: Any) -> str:
    raise ValueError(f"this page has no paging links (asked for {changes})")


@dataclass(frozen=True)
class Frame:
    """Everything the layout needs besides the page's own data.

    `script_links` are (key, label, href); an href of None makes a button that the page's own
    script handles (the static site converts on the client). `timezones` are (zone, href) choices
    shown in the footer (none on the static site, whose zone is fixed). `page_url(page=n, ...)`
    gives the link to another page of the same listing. `meta` holds canonical/Open Graph values.
    """

    links: Links
    tz: ZoneInfo
    lang: str = "zh-Hant"
    script: str = "orig"
    script_links: tuple[tuple[str, str, str | None], ...] = ()
    timezones: tuple[tuple[str, str], ...] = ()
    current: str | None = None  # the main menu item this page belongs to: home, sources, day, search
    today: str = ""  # the day the menu's 今日 opens (YYYY-MM-DD)
    today_label: str = ""  # its label when not the default (最近一日 when the newest day is not today)
    page_url: Callable[..., str] = _no_paging
    meta: dict[str, str] = field(default_factory=dict)  # canonical, description, type, image
    scripts: tuple[str, ...] = ()  # static file names loaded at the end of the body
    static_site: bool = False


_H1 = re.compile(r"<(/?)h1\b")
_BODY_TAGS = nh3.ALLOWED_TAGS - {"img", "map", "area"}  # outlets' images would load from outside


def clean_body(html: str) -> Markup:
    """Stored article HTML, sanitized once more so a store bug cannot become a script; no images."""
    cleaned = nh3.clean(html or "", tags=_BODY_TAGS, link_rel="noopener noreferrer nofollow")
    return Markup(_H1.sub(r"<\1h2", cleaned))  # the page has one h1: the article's title


class _MainlandLoader(FileSystemLoader):
    """The templates read in Simplified script with mainland wording: their text is the interface."""

    def get_source(self, environment: Environment, template: str):  # type: ignore[no-untyped-def]
        source, filename, uptodate = super().get_source(environment, template)
        return mainland(to_script(source, "hans")), filename, uptodate


def _mainland_words(value: Any) -> Any:
    """What a template prints, with the interface's `Words` given mainland wording (an outlet's text as it is)."""
    return mainland(to_script(value, "hans")) if isinstance(value, Words) else value


class Gist(str):
    """Text already cut by `furniture.gist` to `chars` characters (a static site's list entry): the templates'
    gist filter gives it back as it is instead of reading it again (13% of a site build's main process)."""

    chars: int

    @classmethod
    def of(cls, text: str | None, chars: int) -> Gist:
        cut = cls(gist(text or "", chars))
        cut.chars = chars
        return cut


_cached_gist = lru_cache(maxsize=2048)(gist)  # a list page asks again for what the last one did


def _gist_filter(text: str | None, chars: int = 140) -> str:
    """The templates' `gist` filter (furniture.gist)."""
    if isinstance(text, Gist) and text.chars == chars:
        return text
    return _cached_gist(text, chars)


_BYTECODE = FileSystemBytecodeCache()  # compiled templates, in a per-user temp folder: a build's first page is quick


def environment(*, mainland_words: bool = False) -> Environment:
    """The Jinja2 environment: autoescape everywhere, undefined names are errors.

    With `mainland_words`, the interface (the templates' text and the `Words` passed in) is Simplified
    with mainland wording, for a Simplified reader."""
    loader: BaseLoader = _MainlandLoader(str(TEMPLATES)) if mainland_words else FileSystemLoader(str(TEMPLATES))
    env = Environment(
        loader=loader,
        bytecode_cache=_BYTECODE,
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,  # the templates ship with the package; a build renders thousands of pages
        finalize=_mainland_words if mainland_words else None,
    )
    env.filters["safe_url"] = safe_url
    env.filters["clean_body"] = clean_body
    env.globals["zone_name"] = zone_name
    env.filters["gist"] = _gist_filter
    return env


_ENV = environment()
_ENV_MAINLAND = environment(mainland_words=True)


def _local(tz: ZoneInfo) -> Callable[[datetime | None], datetime | None]:
    def local(when: datetime | None) -> datetime | None:
        if when is None:
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        return when.astimezone(tz)

    return local


def _show_time(tz: ZoneInfo) -> Callable[..., Markup]:
    local = _local(tz)

    def show(when: datetime | None, with_day: bool = True) -> Markup:
        t = local(when)
        if t is None:
            return Markup("")
        hm = f"{t.hour:02d}:{t.minute:02d}"
        label = f"{t.year:04d}-{t.month:02d}-{t.day:02d} (週{WEEKDAYS[t.weekday()]}) {hm}" if with_day else hm
        return Markup(f'<time datetime="{t.isoformat()}">{label}</time>')  # digits and 週X only: nothing to escape

    return show


def _variables(context: dict[str, Any], frame: Frame) -> dict[str, Any]:
    return dict(
        frame=frame,
        links=frame.links,
        lang=frame.lang,
        script=frame.script,
        script_links=frame.script_links,
        tz_name=frame.tz.key,
        local=_local(frame.tz),
        show_time=_show_time(frame.tz),
        page_url=frame.page_url,
        current=frame.current,
        today=frame.today,
        site_name=SITE_NAME,
        **context,
    )


def render_html(name: str, context: dict[str, Any], frame: Frame, *, mainland_words: bool = False) -> str:
    """Render template `name` with the page's `context` inside the layout described by `frame`.

    `mainland_words`: the interface in Simplified with mainland wording (a Simplified reader's page)."""
    return (_ENV_MAINLAND if mainland_words else _ENV).get_template(name).render(_variables(context, frame))


class Shells:
    """Renders many pages fast, byte for byte as `render_html` does: the layout around a template's `main`
    block is rendered once per kind of frame (same links, language, menu item ...), with markers where the
    page's title, canonical link and description go; each page then renders only its `main` block.

    For builds of thousands of pages (the static site): the layout is about half of a page's cost."""

    # markers in the private use area; only the layout's own render holds them (page text is never searched)
    _MAIN, _TITLE = "\ue000main\ue000", "\ue000title\ue000"
    _CANONICAL, _DESCRIPTION = "\ue000url\ue000", "\ue000text\ue000"
    _MARKERS = re.compile("\ue000(?:title|url|text)\ue000")

    def __init__(self) -> None:
        self._shells: dict[tuple[Any, ...], tuple[str, str]] = {}

    def render(self, name: str, context: dict[str, Any], frame: Frame) -> str:
        """What render_html(name, context, frame) returns."""
        template = _ENV.get_template(name)
        meta = frame.meta
        key = (name, frame.links.home(), frame.links.static(""), frame.lang, frame.script, frame.script_links,
               frame.timezones, frame.current, frame.today, frame.scripts, frame.static_site, frame.tz.key,
               meta.get("type"), "canonical" in meta, "description" in meta, tuple(sorted(set(meta) - {
                   "type", "canonical", "description"})))
        shell = self._shells.get(key)
        if shell is None:
            shell = self._shells[key] = self._shell(template, context, frame)
        variables = _variables(context, frame)
        main = "".join(template.blocks["main"](template.new_context(variables)))
        head, tail = shell
        values = {self._TITLE: escape(context["title"]), self._CANONICAL: escape(meta.get("canonical", "")),
                  self._DESCRIPTION: escape(meta.get("description", ""))}
        head = self._MARKERS.sub(lambda m: values[m.group(0)], head)  # one pass: a value is never read again
        return head + main + tail

    def _shell(self, template: Any, context: dict[str, Any], frame: Frame) -> tuple[str, str]:
        meta = {**frame.meta}
        if "canonical" in meta:
            meta["canonical"] = self._CANONICAL
        if "description" in meta:
            meta["description"] = self._DESCRIPTION
        marked = Frame(**{**frame.__dict__, "meta": meta})
        variables = _variables({**context, "title": self._TITLE}, marked)
        ctx = template.new_context(variables)
        ctx.blocks["main"] = [lambda _ctx: iter([self._MAIN])]
        page = "".join(template.root_render_func(ctx))
        head, _, tail = page.partition(self._MAIN)
        return head, tail


def article_context(article: Any, versions: list[Any], script: str | None = None, *,
                    detect: Callable[[str], str | None] | None = None) -> tuple[dict[str, Any], str]:
    """The article page's data (shared by `serve` and the static site) and the page's language.

    `versions` are the article's revisions, oldest first; `script` the reader's choice (None: as stored);
    `detect` tells the article's own script (default `chinese.detect_script`)."""
    from newsmirror.chinese import detect_script
    from newsmirror.web.versions import diff_versions

    original = (detect or detect_script)(article.title + "\n" + article.text[:2000])
    return {
        "title": article.title or "(無題)", "article": article, "versions": list(reversed(versions)),
        "diffs": {d.new: d for d in diff_versions(versions)},
        "body_lang": lang_for(script or original),
    }, lang_for(original)


# --- the server's side: a request, a reader, a response ------------------------------------------

SERVE_LINKS = ServeLinks()
TIMEZONES = ("Asia/Taipei", "Asia/Hong_Kong", "Asia/Shanghai", "Asia/Singapore", "Europe/London",
             "America/New_York", "UTC")


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


def _current(path: str) -> str | None:
    if path == "/":
        return "home"
    if path == "/sources" or path.startswith("/source/"):
        return "sources"
    if path.startswith("/day/"):
        return "day"
    if path == "/search":
        return "search"
    if path == "/stories" or path.startswith("/story/"):
        return "stories"
    return None


# An attribute a person reads (a label, a tooltip, a placeholder, an image's text) with its quoted value:
# aria-label="主選單", title="技術細節"
_READ_ATTRIBUTE = re.compile(r'(\s(?:aria-label|title|placeholder|alt)=")([^"]*)(")')


def in_script(text: str, script: str | None) -> str:
    """Text (or HTML) in the reader's script: as written for None, else OpenCC. The script only, never the
    words: an outlet's 預設立場 is 预设立场 in Simplified (the interface's wording is `in_reader_words`).

    In HTML the text between tags is converted, and the attributes a person reads (aria-label,
    title, placeholder, alt); tags, URLs and other attributes stay as they are."""
    if not script:
        return text
    if "<" in text:
        text = convert_html(text, script)
        return _READ_ATTRIBUTE.sub(lambda m: m.group(1) + to_script(m.group(2), script) + m.group(3), text)
    return to_script(text, script)


def in_reader_words(text: str, script: str | None) -> str:
    """The interface's text (a message, a label) in the reader's script, with mainland wording for hans."""
    text = in_script(text, script)
    return mainland(text) if script == "hans" else text


def render_page(request: Request, reader: Reader, name: str, context: dict[str, Any], status: int = 200,
                *, page_lang: str | None = None, menu_day: bool = True) -> HTMLResponse:
    """Render template `name` for a request, convert its text into the reader's script, set their cookies."""
    from starlette.responses import HTMLResponse

    day = _newest_day(request, reader.tz) if menu_day else None  # None: the menu leads to /day/latest
    frame = Frame(
        links=SERVE_LINKS,
        tz=reader.tz,
        lang=lang_for(reader.script) if reader.script else (page_lang or "zh-Hant"),
        script=reader.script or "orig",
        script_links=(
            ("hant", "繁體", page_url(request, script="hant")),
            ("hans", "简体", page_url(request, script="hans")),
            ("orig", "原文", page_url(request, script="orig")),
        ),
        timezones=tuple((tz, page_url(request, tz=tz)) for tz in TIMEZONES),
        current=_current(request.url.path),
        today=day.isoformat() if day else LATEST_DAY,
        today_label=Words("今日" if day == datetime.now(reader.tz).date() else "最近一日"),
        page_url=lambda **kw: page_url(request, **kw),
    )
    body = in_script(render_html(name, context, frame, mainland_words=reader.script == "hans"), reader.script)
    response = HTMLResponse(body, status_code=status)
    response.headers["cache-control"] = "private, no-cache"
    response.headers["vary"] = "Cookie, Accept-Language"
    set_reader_cookies(response, reader)
    return response


def _newest_day(request: Request, tz: ZoneInfo) -> date:
    """The day the menu's 今日 opens: the newest day with articles (today when the archive cannot say)."""
    from newsmirror.errors import NewsMirrorError

    archive = getattr(request.app.state, "archive", None)
    try:
        store = archive.store() if archive is not None else None
        newest = next(iter(store.iter_articles(newest_first=True, limit=1)), None) if store is not None else None
    except NewsMirrorError:
        newest = None
    return newest.published.astimezone(tz).date() if newest is not None else datetime.now(tz).date()


def set_reader_cookies(response, reader: Reader) -> None:
    """Remember ?tz= and ?script= choices for a year."""
    for key, value in reader.set_cookies:
        response.set_cookie(key, value, max_age=COOKIE_AGE, path="/", samesite="lax", httponly=True)
