"""Revisions only for real edits, end to end: the demo, a local outlet that edits a page once, reextract."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from feedtext import rss
from httpserver import Reply
from newsmirror.cli import cli
from newsmirror.config import Settings, save_sources
from newsmirror.models import PageStatus, Source
from newsmirror.pipeline import fetch_sources, run_demo
from newsmirror.store import open_store

RSS = "application/rss+xml; charset=utf-8"
PAGE = """<!doctype html><html lang="zh-Hant"><head><meta charset="utf-8"><title>{title} | 地方報</title></head>
<body><nav><a href="/">首頁</a> <a href="/l">地方</a></nav><div class="ad">廣告：{ad}</div>
<article><h1>{title}</h1><p class="byline">記者林小文／花蓮報導</p>{body}
<p>公路局指出，蘇花路廊是花蓮對外的主要道路，連假期間車流量大，坍方路段將實施單線雙向管制，並在前後路口派員指揮交通。</p>
<p>氣象署預報，東部地區明後兩天仍有局部大雨，山區須防落石與坍方，民眾應避免前往山區與河川。</p>
<p>縣府也提醒，遊客行前可利用公路局的即時路況網站與廣播掌握最新消息，必要時改搭鐵路前往花蓮。</p></article>
<div class="related"><h2>延伸閱讀</h2><ul><li><a href="/p/9.html">其他新聞</a></li></ul></div>
<footer>版權所有 地方報 © 2025</footer></body></html>"""
EDITED_V1 = ("<p>花蓮縣政府今天表示，台九線蘇花路廊因豪雨坍方，預計明天上午搶通，用路人出發前請先查詢路況。</p>"
             "<p>縣府說，搶修人員已經進場，坍方量約三百立方公尺。</p>")
EDITED_V2 = ("<p>花蓮縣政府今天表示，台九線蘇花路廊因豪雨坍方，已於今天傍晚提前搶通，恢復雙向通行。</p>"
             "<p>縣府說，搶修人員連夜作業，坍方量約三百立方公尺。</p>")
STILL = ("<p>花蓮縣文化局今天宣布，今年的石雕藝術季將在十月登場，共有十二國藝術家參加。</p>"
         "<p>主辦單位說，展期間每週末都有導覽活動。</p>")


def versions_by_title(home: Path) -> dict[str, int]:
    store = open_store(home / "archive.sqlite")
    try:
        return {a.title: a.version for a in store.iter_articles()}
    finally:
        store.close()


def test_the_demo_after_one_run_has_every_article_at_version_1(tmp_path):
    settings = Settings.from_home(tmp_path / "home")
    run_demo(settings, port=0)
    store = open_store(settings.db_path)
    try:
        articles = list(store.iter_articles())
        with_pages = [a for a in articles if a.extracted is not None]
        assert len(articles) == 41 and len(with_pages) == 25  # pages were read, and filled revision 1
        assert {a.version for a in articles} == {1}
        assert all(len(store.article_versions(a.id)) == 1 for a in articles)
        # the one page robots.txt disallows: its article holds the feed's summary, and the archive says why
        fetches = [store.get_page_fetch(a.id) for a in articles]
        (held,) = [f for f in fetches if f is not None and f.body_missing]
        assert held.status is PageStatus.DISALLOWED and held.url.endswith("/dna/news/20250903/baseball-comeback.html")
    finally:
        store.close()
    listed = CliRunner().invoke(cli, ["--home", str(settings.home), "pages", "--disallowed"])
    assert listed.exit_code == 0 and listed.stderr == "1 page disallowed\n"
    assert "\n    not requested, robots.txt read 20" in listed.stdout and "(Asia/Taipei): " in listed.stdout


def serve_local_outlet(http_server) -> list[Source]:
    """A summary feed whose first article is edited once (feed summary and page) between fetches 1 and 2."""
    base = http_server.url("")
    items = [
        {"title": "蘇花路廊坍方 明天上午搶通", "link": f"{base}/p/1.html", "guid": "local-1",
         "date": "Wed, 10 Sep 2025 09:00:00 +0800", "description": "台九線蘇花路廊因豪雨坍方，預計明天上午搶通。"},
        {"title": "石雕藝術季十月登場", "link": f"{base}/p/2.html", "guid": "local-2",
         "date": "Wed, 10 Sep 2025 10:00:00 +0800",
         "description": "<p>今年的石雕藝術季將在十月登場。</p><p>【廣告】限時特價</p>"},
    ]
    edited = [dict(items[0], title="蘇花路廊坍方 今天傍晚提前搶通",
                   description="台九線蘇花路廊因豪雨坍方，已於今天傍晚提前搶通。"),
              # the other item comes back with a tracking parameter, new whitespace and another ad only
              dict(items[1], link=f"{base}/p/2.html?utm_source=rss",
                   description='<p class="x"> 今年的石雕藝術季將在十月登場。\n</p><p>【廣告】買一送一</p>')]
    http_server.add("/local.xml", [Reply(rss(items), content_type=RSS), Reply(rss(edited), content_type=RSS)])
    counter = iter(range(1000))
    http_server.add("/p/1.html", [Reply(PAGE.format(title=items[0]["title"], body=EDITED_V1, ad="買一送一")),
                                  Reply(PAGE.format(title=edited[0]["title"], body=EDITED_V2, ad="限時特價"))])
    http_server.add("/p/2.html", lambda req: Reply(PAGE.format(title=items[1]["title"], body=STILL,
                                                               ad=f"第{next(counter)}檔廣告")))
    return [Source(name="(測)地方報", feeds=(http_server.url("/local.xml"),), full_text="auto")]


def test_a_local_outlet_edited_once_gives_version_2_on_that_article_only(http_server, tmp_path):
    sources = serve_local_outlet(http_server)
    home = tmp_path / "home"
    settings = Settings.from_home(home)
    save_sources(settings.sources_file, sources)

    first = fetch_sources(settings, sources)
    assert (first.new, first.pages, first.revised) == (2, 2, 0)
    assert versions_by_title(home) == {"蘇花路廊坍方 明天上午搶通": 1, "石雕藝術季十月登場": 1}

    second = fetch_sources(settings, sources)
    assert second.revised == 1 and second.failures == []
    assert versions_by_title(home) == {"蘇花路廊坍方 今天傍晚提前搶通": 2, "石雕藝術季十月登場": 1}

    third = fetch_sources(settings, sources)  # nothing changed
    assert (third.new, third.revised) == (0, 0)
    assert versions_by_title(home) == {"蘇花路廊坍方 今天傍晚提前搶通": 2, "石雕藝術季十月登場": 1}

    store = open_store(settings.db_path)
    try:
        art = store.get_article_by_url(http_server.url("/p/1.html"))
        old, new = store.article_versions(art.id)
        # each revision got its page text: the body, compared like with like
        assert "預計明天上午搶通" in old.text and "提前搶通" in new.text and "搶修人員" in new.text
        assert old.feed_text == "台九線蘇花路廊因豪雨坍方，預計明天上午搶通。"
        assert new.page_seen is not None and new.seen_at <= new.page_seen
        assert art.text == new.text and art.summary == "台九線蘇花路廊因豪雨坍方，已於今天傍晚提前搶通。"
    finally:
        store.close()


def test_reextract_adds_no_version(http_server, tmp_path):
    sources = serve_local_outlet(http_server)
    home = tmp_path / "home"
    settings = Settings.from_home(home)
    save_sources(settings.sources_file, sources)
    fetch_sources(settings, sources)
    fetch_sources(settings, sources)
    store = open_store(settings.db_path)
    before = {a.id: [(v.version, v.seen_at, v.raw_ref) for v in store.article_versions(a.id)]
              for a in store.iter_articles()}
    store.close()

    result = CliRunner().invoke(cli, ["--home", str(home), "-q", "reextract"])
    assert result.exit_code == 0, result.output
    assert "reextract done: 3 pages read" in result.stderr  # every page response was read again

    store = open_store(settings.db_path)
    try:
        after = {a.id: [(v.version, v.seen_at, v.raw_ref) for v in store.article_versions(a.id)]
                 for a in store.iter_articles()}
        assert after == before
        assert sorted(len(v) for v in after.values()) == [1, 2]
    finally:
        store.close()
