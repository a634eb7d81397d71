"""Feeds out: Atom (feedgen) and JSON Feed 1.1 of the newest articles, for all outlets and for each.

    feeds/all.atom, feeds/all.json                      the newest FEED_SIZE articles of the archive
    feeds/source/<outlet>.atom, feeds/source/<outlet>.json   the newest FEED_SIZE of one outlet

An entry's link is the outlet's article (its identity, so a mirror of this mirror de-duplicates
with the original); the mirror's own page is a `related` link in Atom and `_newsmirror.mirror_url`
in JSON Feed. `published` is the article's publication time, `updated` the time its newest
revision was first seen; authors are the article's bylines (else the outlet); categories are the
article's. Content is the archived body, sanitized again. Output is deterministic (no build time
in it), so an unchanged feed is not rewritten.

JSON Feed follows https://www.jsonfeed.org/version/1.1/ (feedgen writes no JSON Feed).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from newsmirror import __version__
from newsmirror.publish.files import OutputFolder
from newsmirror.publish.pages import article_path, feed_path, href, local_day, outlet_slug, revisions
from newsmirror.publish.targets import BuildOptions, BuildSummary
from newsmirror.furniture import gist
from newsmirror.sanitize import sanitize_html
from newsmirror.web.render import safe_url

if TYPE_CHECKING:
    from newsmirror.store import Store

__all__ = ["FEED_SIZE", "FeedEntry", "feed_path", "render_atom", "render_json_feed", "write_feeds", "build"]

FEED_SIZE = 50
SITE_TITLE = "新聞鏡像"
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"


class FeedEntry:
    """One article as both feeds write it."""

    def __init__(self, article: Any, versions: list[Any], mirror_url: str) -> None:
        self.id = article.url or article.link
        self.title = article.title or "(無題)"
        self.link = safe_url(article.link) or safe_url(article.url)
        self.mirror_url = mirror_url
        self.published = _utc(article.published)
        self.updated = max([_utc(v.seen_at) for v in versions] + [self.published])
        self.authors = list(article.authors) or [article.source]
        self.categories = list(article.categories)
        self.source = article.source
        self.html = sanitize_html(article.html or "", link_rel="noopener noreferrer nofollow")
        self.summary = gist(article.text or "", 200)


def _utc(when: datetime) -> datetime:
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def _absolute(base_url: str, path: str, *, relative_to: str) -> str:
    """A site path as a URL: absolute under base_url, else relative to the file `relative_to`."""
    if base_url:
        return base_url.rstrip("/") + "/" + href(path)
    return "../" * relative_to.count("/") + href(path)


def render_atom(entries: list[FeedEntry], *, title: str, feed_url: str, home_url: str) -> bytes:
    """An Atom 1.0 document of `entries` (newest first)."""
    from feedgen.feed import FeedGenerator

    fg = FeedGenerator()
    fg.id(feed_url)
    fg.title(title)
    fg.link(href=feed_url, rel="self", type="application/atom+xml")
    fg.link(href=home_url, rel="alternate", type="text/html")
    fg.language("zh")
    fg.generator("newsmirror", __version__)
    fg.updated(max((e.updated for e in entries), default=datetime(1970, 1, 1, tzinfo=UTC)))
    for e in reversed(entries):  # feedgen puts the last added first
        fe = fg.add_entry()
        fe.id(e.id)
        fe.title(e.title)
        if e.link:
            fe.link(href=e.link, rel="alternate", type="text/html")
        fe.link(href=e.mirror_url, rel="related", type="text/html")
        fe.published(e.published)
        fe.updated(e.updated)
        for name in e.authors:
            fe.author(name=name)
        for term in e.categories:
            fe.category(term=term)
        fe.content(e.html, type="html")
        if e.summary:
            fe.summary(e.summary)
    return _entry_link_attributes(fg.atom_str(pretty=True), entries)


_ATOM = "{http://www.w3.org/2005/Atom}"


def _entry_link_attributes(xml: bytes, entries: list[FeedEntry]) -> bytes:
    """Put back the rel and type of entries' links, which feedgen 1.0 drops (its writer reads them from the
    element it has just made); without rel every link would read as the entry's alternate."""
    from lxml import etree

    root = etree.fromstring(xml)
    for element, e in zip(root.iter(f"{_ATOM}entry"), entries):
        for link in element.findall(f"{_ATOM}link"):
            related = link.get("href") == e.mirror_url and link.get("href") != e.link
            link.set("rel", "related" if related else "alternate")
            link.set("type", "text/html")
    return etree.tostring(root, pretty_print=True, xml_declaration=True, encoding="UTF-8")


def render_json_feed(entries: list[FeedEntry], *, title: str, feed_url: str, home_url: str) -> str:
    """A JSON Feed 1.1 document of `entries` (newest first)."""
    items = []
    for e in entries:
        item: dict[str, Any] = {"id": e.id, "title": e.title, "content_html": e.html}
        if e.link:
            item["url"] = e.link
        if e.summary:
            item["summary"] = e.summary
        item["date_published"] = e.published.isoformat().replace("+00:00", "Z")
        item["date_modified"] = e.updated.isoformat().replace("+00:00", "Z")
        item["authors"] = [{"name": name} for name in e.authors]
        if e.categories:
            item["tags"] = e.categories
        item["_newsmirror"] = {"source": e.source, "mirror_url": e.mirror_url}
        items.append(item)
    feed = {"version": JSON_FEED_VERSION, "title": title, "home_page_url": home_url, "feed_url": feed_url,
            "language": "zh", "items": items}
    return json.dumps(feed, ensure_ascii=False, indent=1) + "\n"


def _entries(store: Store, outlet: str | None, base_url: str, tz: ZoneInfo, relative_to: str) -> list[FeedEntry]:
    out = []
    for article in store.iter_articles(source=outlet, newest_first=True, limit=FEED_SIZE):
        page = article_path(article.id, local_day(article.published, tz))
        out.append(FeedEntry(article, revisions(store, article),
                             _absolute(base_url, page, relative_to=relative_to)))
    return out


def write_feeds(folder: OutputFolder, store: Store, *, base_url: str, tz: ZoneInfo,
                outlets: Iterable[str]) -> int:
    """Write the feeds of everything and of `outlets`; the number of feed files."""
    written = 0
    for outlet in [None, *outlets]:
        home = "index.html" if outlet is None else f"source/{outlet_slug(outlet)}/index.html"
        title = SITE_TITLE if outlet is None else f"{outlet} · {SITE_TITLE}"
        entries = _entries(store, outlet, base_url, tz, feed_path(outlet, "atom"))  # both files sit side by side
        for kind in ("atom", "json"):
            path = feed_path(outlet, kind)
            feed_url = _absolute(base_url, path, relative_to=path)
            home_url = _absolute(base_url, home, relative_to=path)
            if kind == "atom":
                folder.put(path, render_atom(entries, title=title, feed_url=feed_url, home_url=home_url))
            else:
                folder.put(path, render_json_feed(entries, title=title, feed_url=feed_url, home_url=home_url))
            written += 1
    return written


def build(store: Store, out: Path, options: BuildOptions) -> BuildSummary:
    """The `feeds` build target: only the feeds and sources.opml (the `site` target writes them too)."""
    import time

    from newsmirror.publish.opml import render_opml

    started = time.monotonic()
    with OutputFolder(out, "feeds") as folder:
        outlets = [name for name, _, _ in store.sources()]
        n = write_feeds(folder, store, base_url=options.base_url, tz=ZoneInfo(options.tz), outlets=outlets)
        folder.write_text("sources.opml", render_opml(options.sources, outlets, base_url=options.base_url,
                                                      store=store))
        folder.finish()
    return BuildSummary("feeds", Path(out), written=folder.written, unchanged=folder.unchanged,
                        removed=folder.removed, seconds=time.monotonic() - started, counts=(("feeds", n),))
