"""Feeds out: Atom and JSON Feed 1.1, checked by fetching them back with newsmirror itself from a local server."""

from __future__ import annotations

import functools
import json
import sys
import threading
from datetime import timedelta
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from xml.etree import ElementTree

import feedparser
import pytest

sys.path.insert(0, str(Path(__file__).parent))

import sitearchive  # noqa: E402

from newsmirror.config import Settings  # noqa: E402
from newsmirror.models import Source  # noqa: E402
from newsmirror.pipeline import fetch_sources  # noqa: E402
from newsmirror.publish.feeds import FEED_SIZE, feed_path  # noqa: E402
from newsmirror.publish.targets import BuildOptions, run_build  # noqa: E402
from newsmirror.store import open_store  # noqa: E402


class _Quiet(SimpleHTTPRequestHandler):
    extensions_map = {**SimpleHTTPRequestHandler.extensions_map, ".atom": "application/atom+xml",
                      ".json": "application/feed+json"}

    def log_message(self, format, *args):  # noqa: A002
        pass


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """(output folder, base URL, archive path): feeds built with the server's address and served by it."""
    root = tmp_path_factory.mktemp("feeds")
    out = root / "out"
    out.mkdir()
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(out)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    sitearchive.fill(root / "a.sqlite")
    store = open_store(root / "a.sqlite")
    try:
        run_build("feeds", store, out, BuildOptions(base_url=base, sources=(
            Source(name=sitearchive.CNA, feeds=("https://cna.example/rss",), homepage="https://cna.example/"),)))
    finally:
        store.close()
    yield out, base, root / "a.sqlite"
    server.shutdown()
    server.server_close()


def _newest(db: Path, source: str | None = None, n: int = FEED_SIZE) -> list:
    store = open_store(db)
    try:
        return list(store.iter_articles(source=source, newest_first=True, limit=n))
    finally:
        store.close()


@pytest.mark.parametrize("outlet", [None, sitearchive.UDN])
@pytest.mark.parametrize("kind", ["atom", "json"])
def test_feeds_fetched_back_by_newsmirror_give_the_same_titles_links_and_dates(served, tmp_path, kind, outlet):
    out, base, db = served
    settings = Settings(tmp_path / "home")
    summary = fetch_sources(settings, [Source(name="回看", feeds=(base + feed_path(outlet, kind),), full_text="never")])
    assert summary.failures == [] and summary.feeds_ok == 1 and summary.new == FEED_SIZE
    back = open_store(settings.db_path)
    try:
        original = {a.link: a for a in _newest(db, outlet)}
        fetched = {a.link: a for a in back.iter_articles()}
    finally:
        back.close()
    assert len(original) == FEED_SIZE and set(fetched) == set(original)
    for link, a in original.items():
        b = fetched[link]
        assert b.title == a.title
        assert abs(b.published - a.published) < timedelta(seconds=1)
        assert b.authors == (a.authors or (a.source,))


def test_atom_is_valid_with_authors_categories_and_updated(served):
    out, base, db = served
    parsed = feedparser.parse((out / "feeds" / "all.atom").read_bytes())
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert len(parsed.entries) == FEED_SIZE
    law = next(e for e in parsed.entries if e.title == "立法院三讀通過修正案")
    assert law.updated_parsed > law.published_parsed  # revised later than published
    assert law.author == sitearchive.UDN  # no byline: the outlet
    assert any(link.rel == "related" and link.href.startswith(base) for link in law.links)  # the mirror's page
    assert "傳金正恩將與蒲亭會面" not in [e.title for e in parsed.entries]  # older than the newest 50
    own = feedparser.parse((out / feed_path(sitearchive.CNA, "atom")).read_bytes())
    entry = own.entries[0]
    assert entry.author == "廖記者" and [t.term for t in entry.tags] == ["國際"]
    root = ElementTree.fromstring((out / "feeds" / "all.atom").read_bytes())
    assert root.tag == "{http://www.w3.org/2005/Atom}feed"


def test_json_feed_follows_version_1_1(served):
    out, base, db = served
    feed = json.loads((out / "feeds" / "all.json").read_text(encoding="utf-8"))
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert feed["feed_url"] == base + "feeds/all.json" and feed["home_page_url"] == base + "index.html"
    assert len(feed["items"]) == FEED_SIZE
    for item in feed["items"]:
        assert isinstance(item["id"], str) and item["id"]
        assert "content_html" in item and item["date_published"].endswith("Z")
        assert all(set(a) == {"name"} for a in item["authors"])
        assert "author" not in item  # 1.1 uses authors
    xss = json.loads((out / feed_path(sitearchive.XSS_SOURCE, "json")).read_text(encoding="utf-8"))["items"][0]
    assert "<script" not in xss["content_html"] and "onerror" not in xss["content_html"]
    assert xss["title"] == sitearchive.XSS_TITLE  # a title is text; readers escape it


def test_opml_lists_the_sources_and_the_mirror_feeds(served):
    out, base, _ = served
    root = ElementTree.fromstring((out / "sources.opml").read_bytes())
    groups = {g.get("text"): g for g in root.find("body")}
    assert [o.get("xmlUrl") for o in groups["來源"]] == ["https://cna.example/rss"]
    mirror = [o.get("xmlUrl") for o in groups["鏡像"]]
    assert base + "feeds/all.atom" in mirror and len(mirror) == 1 + 5  # all + each outlet
