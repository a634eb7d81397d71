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
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from newsmirror.errors import PublishError
from newsmirror.models import StoredArticle
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
    "yaml_quote",
    "yaml_scalar",
]

MANIFEST = ".newsmirror-manifest"
_MANIFEST_HEADER = "# newsmirror jekyll manifest v1: files this build wrote (posts in date order, then lists)"
LIST_SIZE = 100
LIST_TZ = timezone(timedelta(hours=8))  # list dates are shown in Taiwan / China time
_MAX_NAME_BYTES = 255
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


# --- YAML ---------------------------------------------------------------------------------------

_YAML_ESCAPES = {
    "\0": "\\0", "\a": "\\a", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\v": "\\v", "\f": "\\f",
    "\r": "\\r", "\x1b": "\\e", '"': '\\"', "\\": "\\\\", "\x85": "\\N", "\u2028": "\\L",
    "\u2029": "\\P",
}
# Characters a YAML reader (PyYAML, libyaml/Psych) accepts literally; the rest are escaped.
_YAML_LITERAL = re.compile("[\x20-\x7e\xa0-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]")
_YAML_KEYWORDS = frozenset({"y", "yes", "n", "no", "true", "false", "on", "off", "null"})
_PLAIN_ASCII = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ()._-/+'")


def yaml_quote(text: str) -> str:
    """`text` as a YAML double-quoted scalar on one line that any YAML reader loads back exactly."""
    out = ['"']
    for ch in _without_surrogates(text):
        if ch in _YAML_ESCAPES:
            out.append(_YAML_ESCAPES[ch])
        elif _YAML_LITERAL.match(ch):
            out.append(ch)
        else:
            code = ord(ch)
            out.append(f"\\x{code:02X}" if code < 0x100 else f"\\u{code:04X}" if code < 0x10000 else f"\\U{code:08X}")
    out.append('"')
    return "".join(out)


def yaml_scalar(text: str) -> str:
    """`text` plain when that is unambiguous in block and flow context (like `(臺)中央社CNA`), else quoted."""
    return text if _plain_ok(text) else yaml_quote(text)


def _plain_ok(text: str) -> bool:
    if not text or text != text.strip() or "  " in text or text.lower() in _YAML_KEYWORDS:
        return False
    first = text[0]
    if not (first.isalpha() or first == "(" or (ord(first) > 0x7F and _visible(first))):
        return False
    return all(ch in _PLAIN_ASCII if ord(ch) < 0x80 else _visible(ch) for ch in text)


def _visible(ch: str) -> bool:
    """A non-ASCII character that is neither whitespace, control, format nor unassigned."""
    return unicodedata.category(ch)[0] not in "ZC" and _YAML_LITERAL.match(ch) is not None


_PLAIN_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[!-~]*[!-9;-~]")


def _yaml_url(url: str) -> str:
    if _PLAIN_URL.fullmatch(url) and all(ord(ch) < 0x80 or _visible(ch) for ch in url):
        return url
    return yaml_quote(url)


# --- text helpers -----------------------------------------------------------------------------

_SURROGATE = re.compile("[\ud800-\udfff]")


def _without_surrogates(text: str) -> str:
    """Surrogate pairs joined, lone surrogates replaced by U+FFFD: they cannot be written as UTF-8."""
    if not _SURROGATE.search(text):
        return text
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


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
        f"from: {_yaml_url(link)}\n"
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


def render_list(source: str, entries: list[tuple[datetime, str, str]]) -> str:
    """An outlet's list page: `M-D [title](url)` per post (UTC+8 dates), newest first, then 查看更多.

    `entries` are (post date, title, post URL), newest first. Entries are separated by blank
    lines so every Markdown renderer shows one per line; 查看更多 links to the outlet's category
    directory (`/<category>/`), the URL prefix of all its posts, where a category index page
    (e.g. jekyll-archives) lists the rest."""
    lines = []
    for when, title, url in entries:
        local = when.astimezone(LIST_TZ)
        lines.append(f"{local.month}-{local.day} [{_markdown_text(title)}]({_markdown_url(url)})")
    more = re.sub("/{2,}", "/", f"/{_without_surrogates(source).lower()}/")
    lines.append(f"[查看更多]({_markdown_url(more)})")
    return "\n\n".join(lines) + "\n"


# --- build ------------------------------------------------------------------------------------


def _write_if_changed(path: Path, data: bytes) -> bool:
    """Write `data` atomically unless the file already holds exactly these bytes; True if written."""
    try:
        if path.read_bytes() == data:
            return False
    except FileNotFoundError:
        pass
    except OSError as exc:
        raise PublishError(f"cannot read {path}: {exc.strerror or exc}; check the output directory") from exc
    tmp = path.with_name(f".{path.name[:200]}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise PublishError(f"cannot write {path}: {exc.strerror or exc}; check that the directory is writable") from exc
    return True


_MANIFEST_ENTRY = re.compile(r"(_posts|lists)/[^/\\]+\.md")
_POST_DAY = re.compile(r"_posts/(\d{4}-\d{2}-\d{2})-")


def _read_manifest(path: Path) -> Iterator[str]:
    """Entries of an old manifest, skipping anything that is not a post or list file name."""
    if not path.exists():
        return
    with open(path, encoding="utf-8", errors="replace") as fh:
        for line in fh:
            entry = line.rstrip("\n")
            if _MANIFEST_ENTRY.fullmatch(entry) and ".." not in entry:
                yield entry


def _manifest_sorted(path: Path) -> bool:
    """True when the old manifest's posts are in date order (the streaming removal needs that)."""
    last = ""
    for entry in _read_manifest(path):
        m = _POST_DAY.match(entry)
        if m:
            if m.group(1) < last:
                return False
            last = m.group(1)
    return True


class _Remover:
    """Walks the old manifest beside the build, removing files of days the build has finished."""

    def __init__(self, out_dir: Path, manifest: Path) -> None:
        self.out_dir = out_dir
        self.streaming = _manifest_sorted(manifest)
        self.entries = _read_manifest(manifest) if self.streaming else iter(())
        self.pending: str | None = None
        self.removed = 0

    def finish_day(self, day: str, kept: set[str]) -> None:
        """Remove old posts dated up to `day` that the build did not produce (`kept`: case-folded names)."""
        while self.streaming:
            entry = self.pending if self.pending is not None else next(self.entries, None)
            self.pending = None
            if entry is None:
                return
            m = _POST_DAY.match(entry)
            if m is None or m.group(1) > day:
                self.pending = entry
                return
            if m.group(1) < day or entry[len("_posts/"):].casefold() not in kept:
                self._remove(entry)

    def finish(self, lists: set[str]) -> None:
        """Remove the rest: posts dated after the build's last day, lists no longer built (`lists`: case-folded)."""
        while self.streaming:
            entry = self.pending if self.pending is not None else next(self.entries, None)
            self.pending = None
            if entry is None:
                return
            if entry.startswith("_posts/") or entry.casefold() not in lists:
                self._remove(entry)

    def _remove(self, entry: str) -> None:
        path = self.out_dir / entry
        try:
            path.unlink()
            self.removed += 1
        except FileNotFoundError:
            pass
        except OSError as exc:
            raise PublishError(f"cannot remove stale {path}: {exc.strerror or exc}") from exc


def _remove_by_set(out_dir: Path, old_manifest: Iterator[str], new_manifest: Path) -> int:
    """Fallback when dates were out of order: remove old entries missing from the new manifest."""
    keep = {entry.casefold() for entry in _read_manifest(new_manifest)}
    removed = 0
    for entry in old_manifest:
        if entry.casefold() not in keep:
            try:
                (out_dir / entry).unlink()
                removed += 1
            except FileNotFoundError:
                pass
            except OSError as exc:
                raise PublishError(f"cannot remove stale {out_dir / entry}: {exc.strerror or exc}") from exc
    return removed


def build_jekyll(
    store: Store,
    out_dir: Path,
    *,
    progress: Callable[[int], object] | None = None,
    tz: str = "UTC",
) -> BuildSummary:
    """Write every article to OUT/_posts and each outlet's newest posts to OUT/lists, incrementally.

    Streams `store.iter_articles()`; memory holds one day's names and 100 entries per outlet.
    `progress(n)` is called with the number of posts handled since its previous call. `tz` is
    the Jekyll site's timezone, used for the date parts of post URLs in the lists."""
    started = time.monotonic()
    out_dir = Path(out_dir)
    posts_dir = out_dir / "_posts"
    lists_dir = out_dir / "lists"
    manifest = out_dir / MANIFEST
    try:
        posts_dir.mkdir(parents=True, exist_ok=True)
        lists_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise PublishError(f"cannot create {posts_dir}: {exc.strerror or exc}; choose a writable output directory") from exc

    remover = _Remover(out_dir, manifest)
    new_manifest = out_dir / f".{MANIFEST}.{os.getpid()}.tmp"
    written = unchanged = 0
    recent: dict[str, deque[tuple[datetime, str, str]]] = {}
    day = ""
    taken: set[str] = set()
    days: dict[str, set[str]] = {}
    in_order = True
    pending_progress = 0
    try:
        with open(new_manifest, "w", encoding="utf-8", newline="\n") as mf:
            mf.write(_MANIFEST_HEADER + "\n")
            for article in store.iter_articles():
                this_day = _day(post_date(article))
                if this_day != day:
                    if in_order and this_day < day:
                        # A date earlier than one already built (a store that did not clamp
                        # published to first_seen): stop the streaming removal (finish by set at
                        # the end) and remember every day's names from now on, starting with
                        # what this build already wrote. Memory then grows; a clamping store
                        # never gets here.
                        in_order = False
                        mf.flush()
                        days[day] = taken
                        for entry in _read_manifest(new_manifest):
                            days.setdefault(entry[len("_posts/"):len("_posts/YYYY-MM-DD")], set()).add(
                                entry[len("_posts/"):].casefold())
                    if in_order:
                        if day:
                            remover.finish_day(day, taken)
                        taken = set()
                    else:
                        taken = days.setdefault(this_day, set())
                    day = this_day
                name = post_filename(article, taken)
                data = render_post(article).encode("utf-8")
                if _write_if_changed(posts_dir / name, data):
                    written += 1
                else:
                    unchanged += 1
                mf.write(f"_posts/{name}\n")
                queue = recent.setdefault(article.source, deque(maxlen=LIST_SIZE))
                queue.append((post_date(article), article.title, post_url(article, name, tz=tz)))
                pending_progress += 1
                if progress is not None and pending_progress >= 100:
                    progress(pending_progress)
                    pending_progress = 0
            if day and in_order:
                remover.finish_day(day, taken)

            list_names: set[str] = set()
            for source in sorted(recent):
                fname = outlet_filename(source)
                n = 2
                while f"lists/{fname}".casefold() in list_names:
                    fname = outlet_filename(f"{source}-{n}")
                    n += 1
                list_names.add(f"lists/{fname}".casefold())
                entries = list(reversed(recent[source]))
                _write_if_changed(lists_dir / fname, render_list(source, entries).encode("utf-8"))
                mf.write(f"lists/{fname}\n")
        if in_order and remover.streaming:
            remover.finish(list_names)
            removed = remover.removed
        else:
            removed = remover.removed + _remove_by_set(out_dir, _read_manifest(manifest), new_manifest)
        os.replace(new_manifest, manifest)
    except OSError as exc:
        raise PublishError(f"cannot write the manifest {manifest}: {exc.strerror or exc}; check the output directory") from exc
    finally:
        new_manifest.unlink(missing_ok=True)
    if progress is not None and pending_progress:
        progress(pending_progress)
    return BuildSummary("jekyll", out_dir, written=written, unchanged=unchanged, removed=removed,
                        seconds=time.monotonic() - started, counts=(("posts", written + unchanged), ("lists", len(recent))))


def build(store: Store, out: Path, options: BuildOptions) -> BuildSummary:
    """The `jekyll` build target (see publish.targets): the whole site, URLs in the UTC timezone."""
    return build_jekyll(store, out, progress=options.progress, tz="UTC")
