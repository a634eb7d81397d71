"""Write the archive as a Jekyll site: one post per article plus a list page per outlet.

The post format is the existing mirror's, byte for byte (see `render_post`), without the
precursor's faults: titles and outlet names are YAML-escaped, bodies are re-sanitized, and
Liquid markers (`{{`, `{%`) are neutralised so an article cannot break or script the build.

Post URLs. Front matter keys are fixed by the old mirror, so no `permalink` is set; Jekyll's
default (`permalink: date`) gives `/:categories/:year/:month/:day/:title:output_ext`, where
`:categories` is the lower-cased outlet name, the date parts come from `date:` in the site's
timezone and `:title` is the slug after the date in the file name. `post_url` computes that
URL with the date parts in UTC (`timezone="UTC"`): set `timezone: UTC` in the site's
_config.yml, or pass the site's zone to `build_jekyll`.

Lists. `OUT/lists/<outlet>.md` holds the outlet's newest 100 posts, newest first, one
`M-D [title](post URL)` per line (date in UTC+8), entries separated by a blank line so every
Markdown renderer keeps one per line, then `[查看更多](/<category>/)`: the outlet's category
directory, the URL prefix all its posts share, where a category index page (jekyll-archives
or a hand-written index) lists the rest. URLs keep Chinese as written and percent-encode
only what Markdown could misread (parentheses, spaces, brackets, braces).

Incremental builds. Each post is rendered and compared with the file on disk; only changed
bytes are written (temp file + rename), so unchanged posts keep their mtime. The manifest
`OUT/.newsmirror-manifest` lists every file the build wrote, posts in date order; the next
build walks it alongside the archive (both in date order) and removes files it no longer
produces, e.g. the old name of a retitled post. Only files named in the manifest are removed.
"""

from __future__ import annotations

import hashlib
import os
import re
import time
import unicodedata
from collections import deque
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from newsmirror.errors import PublishError
from newsmirror.frontmatter import visible as _visible
from newsmirror.frontmatter import without_surrogates as _without_surrogates
from newsmirror.frontmatter import yaml_quote, yaml_scalar, yaml_url
from newsmirror.models import StoredArticle
from newsmirror.publish.files import OutputFolder
from newsmirror.publish.targets import BuildOptions, BuildSummary
from newsmirror.sanitize import sanitize_html

if TYPE_CHECKING:  # the Store protocol only; the pipeline hands us the store
    from newsmirror.store import Store

__all__ = [
    "LIST_SIZE",
    "MANIFEST",
    "build",
    "build_jekyll",
    "outlet_filename",
    "post_date",
    "post_filename",
    "post_url",
    "render_list",
    "render_post",
]

MANIFEST = ".newsmirror-jekyll-manifest"  # see publish.files
LIST_SIZE = 100
LIST_TZ = timezone(timedelta(hours=8))  # list dates are shown in Taiwan / China time
_MAX_NAME_BYTES = 255
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


# --- text helpers -----------------------------------------------------------------------------

_MD_ESCAPE = {
    "\\": "\\\\", "[": "\\[", "]": "\\]", "*": "\\*", "_": "\\_", "`": "\\`", "|": "\\|",
    "$": "\\$", "<": "&lt;", ">": "&gt;", "&": "&amp;", "{": "&#123;", "}": "&#125;",
}
_LINE_BREAKS = re.compile(r"[\r\n\x0b\x0c\x85\u2028\u2029]+")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")


def _markdown_text(text: str) -> str:
    """Link text that renders as itself: one line, Markdown, HTML and Liquid characters escaped."""
    text = _CONTROL.sub("", _LINE_BREAKS.sub(" ", _without_surrogates(text)).replace("\t", " "))
    return "".join(_MD_ESCAPE.get(ch, ch) for ch in text)


def _markdown_url(url: str) -> str:
    """A link destination nothing can misread: spaces, parentheses, brackets, braces, quotes and
    control characters percent-encoded; visible non-ASCII (Chinese paths) kept as written."""
    out = []
    for ch in _without_surrogates(url):
        if (0x21 <= ord(ch) <= 0x7E and ch not in _URL_UNSAFE) or (ord(ch) > 0x7F and _visible(ch)):
            out.append(ch)
        else:
            out.append("".join(f"%{b:02X}" for b in ch.encode("utf-8")))
    return "".join(out)


_URL_UNSAFE = frozenset('()<>\\`{}[]"|^')


_LIQUID = re.compile(r"\{(?=[{%])")
_BLANK_LINE = re.compile(r"\n(?=[ \t]*\n)")


def _publishable_html(html: str) -> str:
    """Stored HTML re-sanitized (keeping its bytes when already safe) and safe inside Jekyll.

    `{` before `{` or `%` becomes `&#123;` so Liquid sees no tags; a newline followed by a blank
    line becomes `&#10;` so Markdown keeps the whole body as one HTML block."""
    html = sanitize_html(html, link_rel=None)
    html = _LIQUID.sub("&#123;", html)
    return _BLANK_LINE.sub("&#10;", html)


# --- posts ------------------------------------------------------------------------------------


def post_date(article: StoredArticle) -> datetime:
    """The post's date: published, never later than first_seen, in UTC, to the millisecond."""
    published = _utc(article.published)
    first_seen = _utc(article.first_seen) if article.first_seen else published
    when = min(published, first_seen)
    return when.replace(microsecond=when.microsecond // 1000 * 1000)


def _day(when: datetime) -> str:
    """YYYY-MM-DD with a four-digit year whatever the platform's strftime does with years < 1000."""
    return f"{when.year:04d}-{when.month:02d}-{when.day:02d}"


def _utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def render_post(article: StoredArticle) -> str:
    """The article as a post of the existing mirror: front matter, epoch comment, title link, body."""
    when = post_date(article)
    stamp = f"{_day(when)}T{when:%H:%M:%S}.{when.microsecond // 1000:03d}Z"
    epoch_ms = (when - _EPOCH) // timedelta(milliseconds=1)
    source = yaml_scalar(_without_surrogates(article.source))
    link = _post_link(article)
    return (
        "---\n"
        "layout: post\n"
        f"title: {yaml_quote(article.title)}\n"
        f"date: {stamp}\n"
        f"author: {source}\n"
        f"from: {yaml_url(link)}\n"
        f"tags: [ {source} ]\n"
        "comments: True\n"
        f"categories: [ {source} ]\n"
        "---\n"
        f"<!--{epoch_ms}-->\n"
        f"[{_markdown_text(article.title)}]({_markdown_url(link)})\n"
        "------\n"
        "\n"
        "<div>\n"
        f"{_publishable_html(article.html)}\n"
        "</div>\n"
    )


_LINK_SCHEMES = ("http", "https", "urn")  # urn: the store's key of an item without a link


def _post_link(article: StoredArticle) -> str:
    """The post's source link: the article's link, else its URL, never a javascript:/data: URL.

    The link becomes `from:` and the title's href; kramdown does not filter schemes."""
    for candidate in (article.link, article.url):
        candidate = _without_surrogates(candidate or "").strip()
        if re.match(r"[A-Za-z][A-Za-z0-9+.-]*:", candidate) and candidate.split(":", 1)[0].lower() in _LINK_SCHEMES:
            return candidate
    return ""


# Jekyll's slugify mode "pretty": runs of anything but marks, letters, decimal digits and
# ._~!$&'()+,;=@ become one hyphen. Every character it keeps is legal on Linux, macOS and Windows.
_PRETTY_KEEP = frozenset("._~!$&'()+,;=@")
_WINDOWS_RESERVED = frozenset(
    ["CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"]
    + [f"{p}{n}" for p in ("COM", "LPT") for n in list("123456789") + ["¹", "²", "³"]]
)


def _slug(title: str) -> str:
    out: list[str] = []
    for ch in unicodedata.normalize("NFC", _without_surrogates(title)):
        cat = unicodedata.category(ch)
        keep = ch in _PRETTY_KEEP or cat[0] in "LM" or cat == "Nd"
        if keep:
            out.append(ch)
        elif not out or out[-1] != "-":
            out.append("-")
    slug = re.sub(r"\.{2,}", ".", "".join(out))
    return slug.strip("-. ")


def _truncate_utf8(text: str, max_bytes: int) -> str:
    """The longest prefix of `text` within max_bytes of UTF-8, cut on a character boundary."""
    data = text.encode("utf-8")
    if len(data) <= max_bytes:
        return text
    return data[:max_bytes].decode("utf-8", "ignore")


def post_filename(article: StoredArticle, taken: set[str]) -> str:
    """`YYYY-MM-DD-<slug>.md`, safe on every OS, unique among `taken` (which it extends).

    The slug is the title in Jekyll's "pretty" slug form (Chinese kept, NFC). `taken` holds
    case-folded names already used for the day; a clash gets `-2`, `-3` ... in the order names
    are asked for (the build asks in (published, id) order, so names are deterministic).
    """
    day = _day(post_date(article))
    slug = _slug(article.title) or "post-" + hashlib.sha1(article.url.encode("utf-8", "replace")).hexdigest()[:8]
    n = 1
    while True:
        suffix = "" if n == 1 else f"-{n}"
        room = _MAX_NAME_BYTES - len(f"{day}-{suffix}.md".encode())
        stem = _truncate_utf8(slug, room).rstrip("-. ") or "post"
        name = unicodedata.normalize("NFC", f"{day}-{stem}{suffix}.md")
        key = name.casefold()
        if key not in taken and name.split(".")[0].upper() not in _WINDOWS_RESERVED:
            taken.add(key)
            return name
        n += 1


def post_url(article: StoredArticle, filename: str, *, tz: str = "UTC") -> str:
    """The URL Jekyll gives the post under its default permalink, `/:categories/:year/:month/:day/:title.html`."""
    when = post_date(article).astimezone(ZoneInfo(tz))
    category = _without_surrogates(article.source).lower()
    title = filename[len("YYYY-MM-DD-"):].rsplit(".", 1)[0]
    return re.sub("/{2,}", "/", f"/{category}/{when.year:04d}/{when.month:02d}/{when.day:02d}/{title}.html")


def outlet_filename(source: str) -> str:
    """A file name for an outlet's list, safe on every OS: `(臺)中央社CNA` -> `(臺)中央社CNA.md`."""
    text = unicodedata.normalize("NFC", _without_surrogates(source))
    text = re.sub(r'[/\\:*?"<>|\x00-\x1f\x7f]', "_", text)
    text = re.sub(r"\.{2,}", ".", text).strip(". ")
    text = _truncate_utf8(text, _MAX_NAME_BYTES - 3).rstrip(". ") or "_"
    if text.split(".")[0].upper() in _WINDOWS_RESERVED:
        text = "_" + text
    return text + ".md"


# --- the site around the posts -------------------------------------------------------------------

SITE_FILES = Path(__file__).with_name("jekyll_site")  # _config.yml, _layouts/, index.html: the user's to edit
_SEEDS = ("_config.yml", "_layouts/default.html", "_layouts/post.html", "_layouts/page.html",
          "_layouts/list.html", "index.html")
STYLESHEET = Path(__file__).parent.parent / "web" / "static" / "site.css"  # the web archive's look
_TIMEZONE_LINE = re.compile(r"^timezone:[ \t]*['\"]?([A-Za-z0-9_+/-]+)['\"]?[ \t]*(?:#.*)?$", re.M)


def site_timezone(out_dir: Path) -> str:
    """The `timezone:` of OUT/_config.yml (post URLs depend on it), UTC when it has none."""
    try:
        text = (out_dir / "_config.yml").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return "UTC"
    m = _TIMEZONE_LINE.search(text)
    if m is None:
        return "UTC"
    try:
        ZoneInfo(m.group(1))
    except (ValueError, KeyError, OSError):
        raise PublishError(f"{out_dir / '_config.yml'} names timezone {m.group(1)!r}, which is not an IANA zone; "
                           f"fix it (the outlet lists' links use it)") from None
    return m.group(1)


def render_list(source: str, entries: list[tuple[datetime, str, str]]) -> str:
    """An outlet's list page: front matter, then `M-D [title](url)` per post (UTC+8 dates), newest first, 查看更多.

    `entries` are (post date, title, post URL), newest first. Entries are separated by blank
    lines so every Markdown renderer shows one per line; 查看更多 links to the outlet's category
    page (`/<category>/`, see `render_category`), the URL prefix of all its posts."""
    lines = []
    for when, title, url in entries:
        local = when.astimezone(LIST_TZ)
        lines.append(f"{local.month}-{local.day} [{_markdown_text(title)}]({_markdown_url(url)})")
    lines.append(f"[查看更多]({_markdown_url(category_path(source))})")
    return f"---\nlayout: list\ntitle: {yaml_quote(source)}\n---\n" + "\n\n".join(lines) + "\n"


def category_path(source: str) -> str:
    """The folder URL of an outlet's posts, `/<lower-cased outlet>/` (Jekyll's :categories)."""
    return re.sub("/{2,}", "/", f"/{_without_surrogates(source).lower()}/")


def render_category(source: str) -> str:
    """The page at `/<category>/` listing every post of the outlet (Liquid over site.categories)."""
    return (
        "---\n"
        "layout: page\n"
        f"title: {yaml_quote(source + '：全部報導')}\n"
        f"outlet: {yaml_quote(source)}\n"
        f"permalink: {yaml_quote(category_path(source))}\n"
        "---\n"
        '<ol class="articles">\n'
        "{% for post in site.categories[page.outlet] %}\n"
        '  <li><a href="{{ post.url | relative_url }}">{{ post.title | escape }}</a>\n'
        '    <span class="meta"><time datetime="{{ post.date | date_to_xmlschema }}">'
        '{{ post.date | date: "%Y-%m-%d %H:%M UTC" }}</time></span></li>\n'
        "{% endfor %}\n"
        "</ol>\n"
    )


# --- build ------------------------------------------------------------------------------------


def build_jekyll(
    store: Store,
    out_dir: Path,
    *,
    progress: Callable[[int], object] | None = None,
    tz: str | None = None,
) -> BuildSummary:
    """Write every article to OUT/_posts, each outlet's newest posts to OUT/lists, and the site around them.

    Streams `store.iter_articles()`; memory holds one day's names and 100 entries per outlet.
    `progress(n)` is called with the number of posts handled since its previous call. `tz` is
    the Jekyll site's timezone for the date parts of post URLs in the lists (default: the
    `timezone:` of OUT/_config.yml, which newsmirror writes as UTC)."""
    started = time.monotonic()
    out_dir = Path(out_dir)
    _adopt_v1_manifest(out_dir)
    posts = posts_written = lists = 0
    with OutputFolder(out_dir, "jekyll") as folder:
        for name in _SEEDS:
            folder.seed(name, (SITE_FILES / name).read_bytes())
        folder.seed("assets/site.css", STYLESHEET.read_bytes())
        tz = tz or site_timezone(out_dir)
        recent: dict[str, deque[tuple[datetime, str, str]]] = {}
        day = ""
        taken: set[str] = set()
        days: dict[str, set[str]] = {}
        pending_progress = 0
        for article in store.iter_articles():
            this_day = _day(post_date(article))
            if this_day != day:
                # A store that did not clamp published to first_seen may go back a day: keep every
                # day's names from then on so names stay unique (memory grows only in that case).
                if this_day < day and not days:
                    for entry in folder.written_so_far():
                        if entry.startswith("_posts/"):
                            days.setdefault(entry[7:17], set()).add(entry[7:].casefold())
                if days:
                    taken = days.setdefault(this_day, set())
                else:
                    taken = set()
                day = this_day
            name = post_filename(article, taken)
            if folder.write(f"_posts/{name}", render_post(article).encode("utf-8")):
                posts_written += 1
            posts += 1
            queue = recent.setdefault(article.source, deque(maxlen=LIST_SIZE))
            queue.append((post_date(article), article.title, post_url(article, name, tz=tz)))
            pending_progress += 1
            if progress is not None and pending_progress >= 100:
                progress(pending_progress)
                pending_progress = 0

        list_names: set[str] = set()
        for source in sorted(recent):
            fname = outlet_filename(source)
            n = 2
            while fname.casefold() in list_names:
                fname = outlet_filename(f"{source}-{n}")
                n += 1
            list_names.add(fname.casefold())
            folder.write(f"lists/{fname}", render_list(source, list(reversed(recent[source]))).encode("utf-8"))
            folder.write(f"categories/{fname[:-3]}.html", render_category(source).encode("utf-8"))
            lists += 1
        folder.finish()
    if progress is not None and pending_progress:
        progress(pending_progress)
    return BuildSummary("jekyll", out_dir, written=folder.written, unchanged=folder.unchanged,
                        removed=folder.removed, seconds=time.monotonic() - started,
                        counts=(("posts", posts), ("posts written", posts_written), ("lists", lists),
                                ("edited files kept", folder.kept_edited)))


def _adopt_v1_manifest(out_dir: Path) -> None:
    """A site built before manifests were per target: its `.newsmirror-manifest` becomes the jekyll one."""
    old = out_dir / ".newsmirror-manifest"
    if old.is_file() and not (out_dir / MANIFEST).exists():
        try:
            os.replace(old, out_dir / MANIFEST)
        except OSError as exc:
            raise PublishError(f"cannot rename {old}: {exc.strerror or exc}") from None


def build(store: Store, out: Path, options: BuildOptions) -> BuildSummary:
    """The `jekyll` build target (see publish.targets)."""
    return build_jekyll(store, out, progress=options.progress)
