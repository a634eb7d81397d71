"""sources.opml: the outlets and their feeds, for a feed reader or another newsmirror to import.

Two groups: 來源 lists each outlet's own feeds (from sources.toml, else the feeds the archive has
fetched), 鏡像 lists this mirror's feeds of each outlet (when the site's address is known, since
OPML wants absolute URLs). `newsmirror sources import sources.opml` reads the first group back.
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape
from typing import TYPE_CHECKING, Any

from newsmirror.publish.feeds import SITE_TITLE, feed_path
from newsmirror.publish.pages import href

if TYPE_CHECKING:
    from newsmirror.store import Store

__all__ = ["render_opml"]


def _quoteattr(text: str) -> str:
    """An XML attribute value in double quotes (xml.sax.saxutils's quoteattr imports urllib.request, email and
    more: a tenth of an incremental build's time); line breaks and tabs kept as character references."""
    return '"' + escape(text, quote=True).replace("\n", "&#10;").replace("\r", "&#13;").replace("\t", "&#9;") + '"'


def _outline(text: str, xml_url: str, html_url: str | None = None, indent: str = "      ") -> str:
    attrs = f"type=\"rss\" text={_quoteattr(text)} title={_quoteattr(text)} xmlUrl={_quoteattr(xml_url)}"
    if html_url:
        attrs += f" htmlUrl={_quoteattr(html_url)}"
    return f"{indent}<outline {attrs}/>"


def render_opml(sources: Iterable[Any], outlets: Iterable[str], *, base_url: str = "",
                store: Store | None = None) -> str:
    """The OPML 2.0 document: `sources` (Source objects) or, when empty, the store's fetched feeds."""
    feeds: list[tuple[str, str, str | None]] = []
    for s in sources:
        feeds += [(s.name, url, s.homepage) for url in s.feeds]
    if not feeds and store is not None:
        feeds = [(st.source, st.url, None) for st in store.feed_states()]
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<opml version="2.0">', "  <head>",
             f"    <title>{SITE_TITLE}：來源</title>", "  </head>", "  <body>",
             '    <outline text="來源" title="來源">']
    lines += [_outline(name, url, home) for name, url, home in sorted(feeds)]
    lines.append("    </outline>")
    if base_url:
        root = base_url.rstrip("/") + "/"
        lines.append('    <outline text="鏡像" title="鏡像">')
        lines.append(_outline(f"{SITE_TITLE}（全部）", root + feed_path(None, "atom"), root + "index.html"))
        for name in sorted(outlets):
            lines.append(_outline(f"{name}（鏡像）", root + href(feed_path(name, "atom"))))
        lines.append("    </outline>")
    lines += ["  </body>", "</opml>"]
    return "\n".join(lines) + "\n"
