"""Make feed and page HTML safe to publish, and read its plain text.

Feeds and pages are untrusted: the precursor mirror copied their scripts into its posts.
`sanitize_html` keeps what an article needs (text, links, images, lists, tables, figures,
headings, quotes, code) and drops everything that runs code, loads frames or restyles the page.

Decisions worth knowing:
- Links keep http, https and mailto targets only; relative ones are made absolute against
  `base_url` (dropped when there is none, except in-page `#fragment` links). Every link gets
  rel="noopener noreferrer".
- `class` is kept (sanitized to plain tokens): it cannot run code, and outlets' related-link
  blocks such as CNA's `<div class="paragraph moreArticle flexhalf">` depend on it. `style`
  and `id` are dropped: they could restyle or clobber the host page.
- `<svg><use href="#svg-dot">`: nh3 keeps SVG elements when they are allowed, so the only SVG
  kept is `svg` (width, height, viewBox) with `use` children whose href is an in-document
  fragment; external or `data:` references (old XSS vectors) are removed. The CNA seed's
  markup therefore round-trips unchanged apart from the rel on its links.
"""

from __future__ import annotations

import html as _html
import re
import threading
from collections.abc import Callable
from typing import Any
from urllib.parse import urljoin, urlsplit

import nh3
from selectolax.lexbor import LexborHTMLParser

__all__ = ["ALLOWED_TAGS", "escape_attribute", "escape_text", "html_to_text", "safe_image_url", "sanitize_html",
           "sanitized_text"]

ALLOWED_TAGS = frozenset({
    "a", "img", "p", "br", "hr", "div", "span", "small", "strong", "em", "b", "i", "u", "s",
    "sub", "sup", "mark", "q", "cite", "abbr", "time", "del", "ins", "pre", "code", "blockquote",
    "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "dl", "dt", "dd",
    "table", "caption", "thead", "tbody", "tfoot", "tr", "th", "td", "colgroup", "col",
    "figure", "figcaption", "svg", "use",
})

# Tags removed together with their content (the rest are unwrapped, keeping their text).
_DROP_CONTENT = frozenset({
    "script", "style", "iframe", "object", "embed", "noscript", "template", "textarea",
    "select", "button", "math", "title", "frameset", "frame", "applet", "noembed", "noframes",
    "xmp", "plaintext",
})

_ATTRIBUTES = {
    "*": {"class", "lang", "dir"},
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "abbr": {"title"},
    "time": {"datetime"},
    "ol": {"start", "reversed"},
    "th": {"colspan", "rowspan", "scope"},
    "td": {"colspan", "rowspan"},
    "col": {"span"},
    "colgroup": {"span"},
    "svg": {"width", "height", "viewbox"},
    "use": {"href"},
}

_URL_SCHEMES = {"http", "https", "mailto"}
_CLASS_TOKEN = re.compile(r"[A-Za-z_][A-Za-z0-9_-]{0,63}\Z")
_FRAGMENT = re.compile(r"#[A-Za-z_][A-Za-z0-9_.:-]{0,63}\Z")
_NUMBER = re.compile(r"\d{1,5}(?:\.\d{1,3})?%?\Z")
_VIEWBOX = re.compile(r"-?\d{1,5}(?:\.\d+)?(?:[ ,]+-?\d{1,5}(?:\.\d+)?){3}\Z")
_LINK_REL = "noopener noreferrer"


def _filter_attribute(tag: str, attr: str, value: str) -> str | None:
    """Second pass over attributes nh3 allowed: tighten URLs, classes and sizes.

    nh3 calls this after its scheme check and before resolving relative URLs (`_resolve`)."""
    if attr == "class":
        tokens = [t for t in value.split() if _CLASS_TOKEN.match(t)][:16]
        return " ".join(tokens) or None
    if attr == "href":
        value = value.strip()
        if tag == "use":
            return value if _FRAGMENT.match(value) else None
        if value.startswith("#"):
            return value if _FRAGMENT.match(value) else None
        scheme = _scheme(value)
        return value if scheme in _URL_SCHEMES or not scheme else None  # relative: see _resolve
    if attr == "src":
        value = value.strip()
        scheme = _scheme(value)
        return value if scheme in {"http", "https"} or not scheme else None
    if attr in {"width", "height"}:
        return value.strip() if _NUMBER.match(value.strip()) else None
    if attr == "viewbox":
        return value.strip() if _VIEWBOX.match(value.strip()) else None
    if attr in {"colspan", "rowspan", "span", "start"}:
        return value.strip() if value.strip().isdigit() and len(value.strip()) <= 4 else None
    return value


def _scheme(url: str) -> str:
    """Lower-case scheme of an absolute URL, '' when it has none or cannot be parsed."""
    try:
        return urlsplit(url).scheme.lower()
    except ValueError:
        return ""


def _resolve(url: str, base_url: str | None) -> str | None:
    """A relative URL made absolute against base_url, or None (drop it) when it cannot be."""
    url = url.strip()
    if not url:
        return None
    if url.startswith("#"):
        return url
    if base_url is None:
        return "https:" + url if url.startswith("//") else None
    try:
        absolute = urljoin(base_url, url)
    except ValueError:
        return None
    return absolute if _scheme(absolute) in _URL_SCHEMES else None


_BASE = threading.local()  # the base URL of the sanitize_html call running in this thread


def _resolve_against_current(url: str) -> str | None:
    """nh3 callback of the shared cleaners: relative URLs resolved against the running call's base URL."""
    return _resolve(url, getattr(_BASE, "url", None))


def _cleaner(link_rel: str | None, resolve: Callable[[str], str | None] = _resolve_against_current) -> nh3.Cleaner:
    attributes = {tag: set(names) for tag, names in _ATTRIBUTES.items()}
    if link_rel is None:
        attributes["a"].add("rel")
    return nh3.Cleaner(
        tags=set(ALLOWED_TAGS),
        clean_content_tags=set(_DROP_CONTENT),
        attributes=attributes,
        attribute_filter=_filter_attribute,
        strip_comments=True,
        link_rel=link_rel,
        url_schemes=set(_URL_SCHEMES),
        url_relative=resolve,
    )


def safe_image_url(url: str, base_url: str | None = None) -> str | None:
    """An image address as sanitize_html keeps it: http(s) only, relative ones made absolute
    against base_url (protocol-relative ones get https: without one), else None (drop it)."""
    value = _filter_attribute("img", "src", url)
    if value is None:
        return None
    return value if _scheme(value) else _resolve(value, base_url)


def escape_text(text: str) -> str:
    """Text escaped for HTML exactly as sanitize_html writes it (html5ever's serializer)."""
    return text.replace("&", "&amp;").replace("\xa0", "&nbsp;").replace("<", "&lt;").replace(">", "&gt;")


def escape_attribute(value: str) -> str:
    """An attribute value escaped as sanitize_html writes it (double-quoted)."""
    return value.replace("&", "&amp;").replace("\xa0", "&nbsp;").replace('"', "&quot;")


# Built once (a Cleaner costs about a quarter of a feed item's cleaning), the base URL passed through _BASE.
_CLEANERS = {_LINK_REL: _cleaner(_LINK_REL), None: _cleaner(None)}


def sanitize_html(html: str, *, base_url: str | None = None, link_rel: str | None = _LINK_REL) -> str:
    """HTML safe to publish: allowed tags and attributes only, absolute http(s)/mailto URLs.

    `link_rel` is the rel given to every link; None keeps the links' own (already sanitized)
    rel instead, which lets the publisher re-check stored HTML without changing its bytes.
    """
    if not html:
        return ""
    html = _without_surrogates(html)
    cleaner = _CLEANERS.get(link_rel)
    if cleaner is None:
        return _cleaner(link_rel, lambda url: _resolve(url, base_url)).clean(html)
    previous, _BASE.url = getattr(_BASE, "url", None), base_url
    try:
        return cleaner.clean(html)
    finally:
        _BASE.url = previous


def _without_surrogates(text: str) -> str:
    """Text with surrogate pairs joined and lone surrogates replaced by U+FFFD (they cannot be encoded)."""
    if not _SURROGATE.search(text):
        return text
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


_SURROGATE = re.compile("[\ud800-\udfff]")

# --- plain text -------------------------------------------------------------------------------

_SKIP_TEXT = frozenset({
    "script", "style", "noscript", "template", "head", "title", "iframe", "object", "embed",
    "textarea", "select", "button", "svg", "math", "-comment", "_comment",
})
_BLOCK = frozenset({
    "p", "div", "section", "article", "main", "header", "footer", "aside", "nav", "address",
    "blockquote", "figure", "figcaption", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "dl",
    "table", "caption", "pre", "hr", "form", "fieldset", "details", "summary", "center", "body",
})
_LINE = frozenset({"li", "dt", "dd", "tr"})
_CELL = frozenset({"td", "th"})
_PARAGRAPH_BREAK = "\x00P"
_LINE_BREAK = "\x00L"
_LINE_BREAKS = re.compile(r"\s*(?:\x00L\s*)+")
_SPACES = re.compile(r"[^\S\n]+")
_BLANK_LINE = re.compile(r"\n\s*\n\s*")


def html_to_text(html: str) -> str:
    """Plain text of HTML: paragraphs separated by blank lines, entities decoded, whitespace collapsed."""
    if not html or not html.strip():
        return ""
    tree = LexborHTMLParser(_without_surrogates(html))
    root = tree.root
    if root is None:
        return ""
    out: list[str] = []
    pre_depth = 0
    # Iterative walk (deeply nested markup must not hit the recursion limit); None marks "leave".
    stack: list[Any] = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, tuple):
            tag = node[1]
            if tag == "pre":
                pre_depth -= 1
            out.append(_PARAGRAPH_BREAK if tag in _BLOCK else _LINE_BREAK if tag in _LINE else " " if tag in _CELL else "")
            continue
        tag = node.tag
        if tag == "-text":
            text = node.text_content or ""
            out.append(text if pre_depth else _collapse(text))
            continue
        if tag in _SKIP_TEXT:
            if tag == "svg":
                out.append(" ")  # an icon between two links (CNA's related-link dots) separates words
            continue
        if tag == "br":
            out.append("\n")
            continue
        if tag in _BLOCK:
            out.append(_PARAGRAPH_BREAK)
        elif tag in _LINE:
            out.append(_LINE_BREAK)
        if tag == "pre":
            pre_depth += 1
        stack.append((None, tag))
        children = []
        child = node.child
        while child is not None:
            children.append(child)
            child = child.next
        stack.extend(reversed(children))
    return _join_paragraphs(out)


def _join_paragraphs(out: list[str]) -> str:
    """The text pieces and break marks of a walk as paragraphs separated by blank lines.

    Paragraphs end at a paragraph mark or a blank line; each line's whitespace runs become one
    space (str.split() and the pattern's \\s agree on what whitespace is)."""
    text = "".join(out)
    if _LINE_BREAK in text:
        text = _LINE_BREAKS.sub("\n", text)
    paragraphs = []
    for chunk in text.split(_PARAGRAPH_BREAK):
        for block in _BLANK_LINE.split(chunk) if "\n" in chunk else (chunk,):
            if "\n" in block:
                paragraph = "\n".join(line for line in (" ".join(ln.split()) for ln in block.split("\n")) if line)
            else:
                paragraph = " ".join(block.split())
            if paragraph:
                paragraphs.append(paragraph)
    return "\n\n".join(paragraphs)


_WHITESPACE = re.compile(r"\s+")


def _collapse(text: str) -> str:
    """HTML whitespace rules outside <pre>: every run of whitespace, newlines included, is one space."""
    return _WHITESPACE.sub(" ", text)


# A start or end tag as sanitize_html writes it (html5ever's serializer: double-quoted attribute
# values, which may hold '>'; '<' and '>' in text escaped), e.g. <a href="https://x/?a>b" rel="x">.
_SANITIZED_TAG = re.compile(r"""<(/?)([a-zA-Z][a-zA-Z0-9]*)(?:[^>"']|"[^"]*"|'[^']*')*>""")
_VOID = frozenset({"br", "hr", "img", "col", "wbr", "area", "source", "track", "input", "meta", "link", "embed"})
# Markup whose text html_to_text treats apart (pre keeps whitespace, svg is a separator) or that
# the HTML parser may move about (tables foster-parent stray text), and anything sanitize_html
# would not have kept: read those with the parser.
_NEEDS_PARSER = re.compile(r"<(?:pre|svg|table|script|style|noscript|template|head|title|iframe|object|textarea|"
                           r"select|button|math|!--|!)|<[a-zA-Z][^>]*/>", re.I)


def sanitized_text(html: str) -> str:
    """Plain text of HTML that `sanitize_html` wrote: the same text as `html_to_text`, faster.

    Sanitized HTML is a serialized tree (every element closed, text escaped), so its tags can be
    read with one pattern instead of a parser: one parse per feed item (nh3's) instead of two.
    Markup it does not cover (pre, svg, tables, comments, anything unsanitized) goes to
    `html_to_text`."""
    if not html or not html.strip():
        return ""
    if _NEEDS_PARSER.search(html):
        return html_to_text(html)
    parts = _SANITIZED_TAG.split(_without_surrogates(html))
    out: list[str] = []
    for i in range(0, len(parts) - 1, 3):
        text, closing, tag = parts[i], parts[i + 1], parts[i + 2].lower()
        if text:
            out.append(_collapse(_html.unescape(text) if "&" in text else text))
        if tag == "br" and not closing:
            out.append("\n")
            continue
        mark = _PARAGRAPH_BREAK if tag in _BLOCK else _LINE_BREAK if tag in _LINE else ""
        if closing:
            out.append(" " if tag in _CELL else mark)
        else:
            out.append(mark)
            if tag in _VOID:  # no end tag follows: leave it here, as the parser's walk does
                out.append(" " if tag in _CELL else mark)
    tail = parts[-1]
    if tail:
        out.append(_collapse(_html.unescape(tail) if "&" in tail else tail))
    return _join_paragraphs(out)
