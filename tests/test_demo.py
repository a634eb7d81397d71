"""The demo news site, served for real on 127.0.0.1 and read back with httpx and feedparser."""

from __future__ import annotations

import html
import json
import re
import subprocess
import sys
from datetime import timedelta

import feedparser
import httpx
import pytest

from newsmirror.config import load_sources, save_sources
from newsmirror.demo import (
    ARTICLES,
    BROKEN_FEED_PATH,
    BROKEN_SOURCE,
    NOT_A_FEED_PATH,
    NOT_A_FEED_SOURCE,
    OUTLETS,
    REFERENCE_DATE,
    articles_of,
    build_demo_site,
    demo_sources,
    start_demo_site,
)

MAIN_OUTLETS = ("dna", "huashi", "harbour")
XML_OUTLETS = [o for o in OUTLETS if o.feed_kind != "json"]


@pytest.fixture(scope="module")
def demo():
    server = start_demo_site()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def client(demo):
    with httpx.Client(base_url=demo.base_url, timeout=10) as c:
        yield c


def charset_of(response: httpx.Response) -> str:
    match = re.search(r"charset=([\w-]+)", response.headers["content-type"])
    assert match, response.headers["content-type"]
    return match.group(1)


def parse(response: httpx.Response) -> feedparser.FeedParserDict:
    return feedparser.parse(response.content, response_headers={"content-type": response.headers["content-type"]})


def test_content_counts_and_shape():
    assert len(ARTICLES) >= 36
    for key in MAIN_OUTLETS:
        assert len(articles_of(key)) >= 12, key
    assert len({a.path for a in ARTICLES}) == len(ARTICLES)
    for a in ARTICLES:
        assert 3 <= len(a.paragraphs) <= 8, a.slug
        assert a.title and a.caption and a.tags, a.slug
    dates = sorted(a.published for a in ARTICLES)
    assert REFERENCE_DATE - dates[0] <= timedelta(days=10)
    assert dates[-1] <= REFERENCE_DATE
    assert dates[-1] - dates[0] >= timedelta(days=8)


def test_shared_stories_spell_names_per_outlet():
    talks = {a.outlet: " ".join((a.title, *a.paragraphs)) for a in ARTICLES if a.story == "ukraine-talks"}
    assert "普京" in talks["huashi"] and "泽连斯基" in talks["huashi"]
    assert "普亭" in talks["dna"] and "澤倫斯基" in talks["dna"]
    assert "蒲亭" in talks["harbour"] and "澤連斯基" in talks["harbour"]
    everything = " ".join(" ".join(a.paragraphs) for a in ARTICLES)
    for name in ("川普", "特朗普", "习近平", "習近平", "金正恩"):
        assert name in everything, name
    assert "（示範社記者" in everything and "记者" in everything and "／台北報導" in everything


@pytest.mark.parametrize("outlet", XML_OUTLETS, ids=lambda o: o.key)
def test_feed_parses_with_every_item(client, outlet):
    response = client.get(outlet.feed_path)
    assert response.status_code == 200
    feed = parse(response)
    assert not feed.bozo, feed.get("bozo_exception")
    assert [e.title for e in feed.entries] == [a.title for a in articles_of(outlet.key)]
    assert all(e.link.startswith(client.base_url.__str__().rstrip("/")) for e in feed.entries)


def test_json_feed(client):
    (outlet,) = [o for o in OUTLETS if o.feed_kind == "json"]
    response = client.get(outlet.feed_path)
    assert response.headers["content-type"].startswith("application/feed+json")
    data = json.loads(response.content)
    assert data["version"] == "https://jsonfeed.org/version/1.1"
    assert [i["title"] for i in data["items"]] == [a.title for a in articles_of(outlet.key)]
    assert all(i["content_html"].startswith("<figure>") and i["date_published"].endswith("+08:00")
               for i in data["items"])


def test_big5_feed_bytes(client):
    response = client.get("/dna/rss.xml")
    assert response.headers["content-type"] == "application/rss+xml; charset=big5"
    assert response.content.startswith(b'<?xml version="1.0" encoding="big5"?>')
    with pytest.raises(UnicodeDecodeError):
        response.content.decode("utf-8")
    text = response.content.decode("big5")
    assert "普亭：願與澤倫斯基會面 但須先談妥停火條件" in text
    page = client.get("/dna/news/20250910/putin-meeting.html")
    assert charset_of(page) == "big5" and b'<meta charset="big5">' in page.content
    assert "普亭" in page.content.decode("big5")


def test_gb18030_feed_bytes(client):
    response = client.get("/huashi/rss.xml")
    assert response.headers["content-type"] == "application/rss+xml; charset=gb18030"
    assert response.content.startswith(b'<?xml version="1.0" encoding="gb18030"?>')
    with pytest.raises(UnicodeDecodeError):
        response.content.decode("utf-8")
    assert "普京称愿与泽连斯基会面" in response.content.decode("gb18030")
    page = client.get("/huashi/news/20250910/putin-zelensky-meeting.html")
    assert charset_of(page) == "gbk" and "普京" in page.content.decode("gbk")


def test_full_text_only_where_promised(client):
    summary_only = parse(client.get("/dna/rss.xml"))
    assert all("content" not in e for e in summary_only.entries)
    assert all(len(e.summary) < 200 for e in summary_only.entries)
    full = parse(client.get("/huashi/rss.xml"))
    by_title = {a.title: a for a in articles_of("huashi")}
    for e in full.entries:
        body = e.content[0].value
        assert by_title[e.title].paragraphs[-1] in html.unescape(body)


def test_conditional_get_answers_304(client):
    for path in ("/dna/rss.xml", "/harbour/atom.xml", "/nanyang/feed.json", articles_of("dna")[0].path):
        first = client.get(path)
        etag, modified = first.headers["etag"], first.headers["last-modified"]
        again = client.get(path, headers={"If-None-Match": etag})
        assert again.status_code == 304 and again.content == b""
        assert again.headers["etag"] == etag
        assert client.get(path, headers={"If-Modified-Since": modified}).status_code == 304
        assert client.get(path, headers={"If-None-Match": '"stale"'}).status_code == 200
        assert client.get(path, headers={"If-Modified-Since": "Mon, 01 Sep 2025 00:00:00 GMT"}).status_code == 200


def feed_items(client) -> list[tuple[str, str]]:
    """(title, link) of every item in every feed, read the way a mirror reads them."""
    items = []
    for outlet in XML_OUTLETS:
        items += [(e.title, e.link) for e in parse(client.get(outlet.feed_path)).entries]
    data = json.loads(client.get("/nanyang/feed.json").content)
    items += [(i["title"], i["url"]) for i in data["items"]]
    return items


def test_every_item_link_serves_its_page(client):
    items = feed_items(client)
    assert len(items) == len(ARTICLES)
    for title, link in items:
        page = client.get(link)
        assert page.status_code == 200, link
        text = html.unescape(page.content.decode(charset_of(page)))
        assert f">{title}</h1>" in text, link
        assert "0:00 / 0:00" in text and ("延伸閱讀" in text or "相关新闻" in text)
        assert ("商品推薦" in text or "商品推荐" in text) and "<figcaption>" in text


def test_atom_links_carry_tracking_parameters_the_page_does_not(client):
    entries = parse(client.get("/harbour/atom.xml")).entries
    assert all(e.link.endswith("?utm_source=rss&utm_medium=feed") for e in entries)
    page = client.get(entries[0].link).text
    canonical = re.search(r'<link rel="canonical" href="([^"]+)">', page).group(1)
    assert canonical == entries[0].link.split("?")[0]


def test_structured_data_on_some_outlets_only(client):
    dna = client.get(articles_of("dna")[0].path).content.decode("big5")
    blob = re.search(r'<script type="application/ld\+json">(.*?)</script>', dna, re.S)
    assert blob
    data = json.loads(blob.group(1))
    assert data["@type"] == "NewsArticle" and data["headline"] == articles_of("dna")[0].title
    assert 'property="og:title"' in dna
    huashi = client.get(articles_of("huashi")[0].path).content.decode("gbk")
    assert "ld+json" not in huashi and "og:title" not in huashi
    harbour = client.get(articles_of("harbour")[0].path).text
    assert "ld+json" not in harbour and 'property="og:title"' in harbour


def test_xss_attempt_is_in_the_raw_feed(client):
    raw = client.get("/huashi/rss.xml").content.decode("gb18030")
    item = next(chunk for chunk in raw.split("<item>") if "秋季文旅消费券" in chunk)
    description = item.split("<description>")[1].split("</description>")[0]
    assert "<script>" in description and "onerror=" in description and "javascript:" in description


def test_nasty_titles_survive_feed_parsing(client):
    titles = [t for t, _ in feed_items(client)]
    assert any('"' in t and ":" in t for t in titles)
    assert any(t.startswith("#") and "[" in t and "]" in t for t in titles)
    assert any(t.startswith("-") for t in titles)


def test_one_item_has_a_date_without_timezone(client):
    raw = client.get("/dna/rss.xml").content.decode("big5")
    assert "<pubDate>2025-09-11 20:40:00</pubDate>" in raw
    zoned = re.findall(r"<pubDate>([^<]+)</pubDate>", raw)
    assert sum(1 for d in zoned if not d.endswith("+0800")) == 1


def test_broken_feed_and_html_instead_of_feed(client):
    broken = client.get(BROKEN_FEED_PATH)
    assert broken.status_code == 200
    parsed = parse(broken)
    assert parsed.bozo and parsed.entries == []
    page = client.get(NOT_A_FEED_PATH)
    assert page.headers["content-type"].startswith("text/html")
    assert page.text.lstrip().lower().startswith("<!doctype html")
    assert parse(page).entries == []


def test_figures_and_section_pages_are_served(client):
    a = articles_of("harbour")[0]
    image = client.get(a.image_path)
    assert image.headers["content-type"] == "image/png" and image.content.startswith(b"\x89PNG\r\n\x1a\n")
    section = client.get("/dna/").content.decode("big5")
    assert all(b.path in section for b in articles_of("dna"))


def test_head_and_404(client):
    head = client.head("/dna/rss.xml")
    assert head.status_code == 200 and head.content == b"" and int(head.headers["content-length"]) > 1000
    assert client.get("/no/such/page.html").status_code == 404


def test_demo_sources_round_trip_and_resolve(demo, client, tmp_path):
    sources = demo_sources(demo.base_url)
    names = [s.name for s in sources]
    assert names[:4] == [o.name for o in OUTLETS] and BROKEN_SOURCE in names and NOT_A_FEED_SOURCE in names
    zones = {s.name: s.timezone for s in sources}
    assert zones["(臺)示範通訊社DNA"] == "Asia/Taipei" and zones["(陆)华示新闻网"] == "Asia/Shanghai"
    assert all(s.full_text == "auto" for s in sources)
    for s in sources:
        for url in s.feeds:
            assert client.get(url).status_code == 200, url
    path = tmp_path / "sources.toml"
    save_sources(path, sources)
    assert load_sources(path) == sources


def all_bytes(base_url: str) -> dict[str, bytes]:
    paths = build_demo_site(base_url).responses
    with httpx.Client(base_url=base_url) as c:
        return {p: c.get(p).content.replace(base_url.encode(), b"BASE") for p in paths}


def test_two_starts_serve_identical_bytes():
    first, second = start_demo_site(), start_demo_site()
    try:
        assert first.base_url != second.base_url
        a, b = all_bytes(first.base_url), all_bytes(second.base_url)
    finally:
        first.stop()
        second.stop()
    assert len(a) > len(ARTICLES) * 2
    assert a == b
    assert build_demo_site("http://x:1").responses == build_demo_site("http://x:1").responses


def test_module_runs_in_foreground_and_prints_url():
    proc = subprocess.Popen([sys.executable, "-m", "newsmirror.demo"], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    try:
        line = proc.stdout.readline()
        match = re.match(r"demo news site at (http://127\.0\.0\.1:\d+)/", line)
        assert match, line
        assert "newsmirror 示範新聞站" in httpx.get(match.group(1) + "/", timeout=10).text
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        proc.stdout.close()


def load_generator():
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parent.parent / "bench" / "generate.py"
    spec = importlib.util.spec_from_file_location("bench_generate", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_bench_generator_feeds_are_unique_deterministic_and_served():
    gen = load_generator()
    files = gen.make_feeds(n_items=503, n_feeds=5, seed=7)
    assert files == gen.make_feeds(n_items=503, n_feeds=5, seed=7)
    assert files != gen.make_feeds(n_items=503, n_feeds=5, seed=8)
    assert len(files) == 5
    server, base = gen.serve_files(files)
    try:
        entries = []
        with httpx.Client() as c:
            for path in files:
                response = c.get(base + path)
                parsed = parse(response)
                assert not parsed.bozo, (path, parsed.get("bozo_exception"))
                entries += parsed.entries
                assert c.get(base + path, headers={"If-None-Match": response.headers["etag"]}).status_code == 304
    finally:
        server.shutdown()
    assert len(entries) == 503
    assert len({e.link for e in entries}) == 503 and len({e.id for e in entries}) == 503
    assert all(e.link.startswith(base + "/") for e in entries)
    body = entries[0].content[0].value
    assert 150 <= len(re.sub(r"<[^>]+>", "", body)) <= 1500
    text = " ".join(e.title + e.content[0].value for e in entries)
    assert re.search(r"[颱關電]", text) and re.search(r"[台关电]", text) and re.search(r"[A-Z]{2}", text)
    sources = gen.bench_sources(base, files)
    assert [s.feeds[0] for s in sources] == [base + p for p in sorted(files)]
