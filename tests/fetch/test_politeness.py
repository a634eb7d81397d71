"""Polite page fetching against a real server on 127.0.0.1, checked from the server's own request log:
robots.txt (disallow, Crawl-delay, kept a day, bad bodies), the per-host delay, the User-Agent, and 429."""

from __future__ import annotations

from datetime import datetime, timedelta, UTC

import pytest

from feedtext import rss
from httpserver import Reply
from newsmirror.config import Settings, save_sources
from newsmirror.fetch.http import FetchPolicy
from newsmirror.models import FailureKind, PageStatus, Source
from newsmirror.pipeline import fetch_sources
from newsmirror.store import open_store

RSS = "application/rss+xml; charset=utf-8"
T0 = datetime(2030, 5, 1, 8, 0, tzinfo=UTC)
UA = "newsmirror/test (+https://mirror.example/about)"
PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>{n}</title></head><body><article>
<h1>測試新聞第{n}則</h1><div class="byline">記者王大明／台北報導</div><time datetime="2030-05-01T10:00:00+08:00">2030/05/01</time>
<p>這是第{n}則測試新聞的完整內文，交通部今天召開記者會，說明連假期間的疏運計畫與相關配套措施。</p>
<p>高公局也提醒，連假期間將實施高乘載管制與匝道儀控，民眾出門前可先上網查詢路況資訊。</p>
</article></body></html>"""


def serve_feed(server, paths: list[str]) -> Source:
    base = server.url("")
    items = [{"title": f"標題{i}", "link": f"{base}{path}", "guid": f"g{i}", "description": f"摘要第{i}則。"}
             for i, path in enumerate(paths)]
    server.add("/f.xml", Reply(rss(items), content_type=RSS))
    for i, path in enumerate(paths):
        server.add(path, Reply(PAGE.format(n=i)))
    return Source(name="示範網", feeds=(server.url("/f.xml"),), full_text="auto")


def fetch(tmp_path, source, *, now=T0, **policy):
    settings = Settings.from_home(tmp_path / "home")
    save_sources(settings.sources_file, [source])
    policy.setdefault("host_delay", 0)
    return fetch_sources(settings, [source], policy=FetchPolicy(user_agent=UA, **policy), now=now), settings


def records(settings):
    with open_store(settings.db_path) as store:
        return {a.link.rsplit("/", 1)[-1]: (a, store.get_page_fetch(a.id)) for a in store.iter_articles()}


def page_requests(server):
    return [r for r in server.requests if r.path.endswith(".html")]


def test_disallowed_page_is_never_requested_and_keeps_the_feed_text_with_the_reason(http_server, tmp_path):
    http_server.add("/robots.txt", Reply("User-agent: *\nDisallow: /private/\n", content_type="text/plain"))
    source = serve_feed(http_server, ["/private/1.html", "/news/2.html"])
    summary, settings = fetch(tmp_path, source)
    assert [r.path for r in page_requests(http_server)] == ["/news/2.html"]
    assert http_server.hits("/robots.txt") == 1
    assert all(r.headers["user-agent"] == UA for r in http_server.requests)
    assert summary.pages == 1 and summary.pages_disallowed == 1 and summary.pages_failed == 0
    assert "1 disallowed by robots.txt" in summary.line()
    article, record = records(settings)["1.html"]
    assert record.status is PageStatus.DISALLOWED and record.kind is FailureKind.DISALLOWED
    assert "robots.txt disallows /private/1.html" in record.reason and record.next_try is None
    assert article.extracted is None and "摘要第0則" in article.text

    # kept a day: a run an hour later with a new page does not ask again; one a day later does
    source = serve_feed(http_server, ["/private/1.html", "/news/2.html", "/news/3.html"])
    fetch(tmp_path, source, now=T0 + timedelta(hours=1))
    assert http_server.hits("/robots.txt") == 1 and http_server.hits("/news/3.html") == 1
    source = serve_feed(http_server, ["/private/1.html", "/news/2.html", "/news/3.html", "/news/4.html"])
    fetch(tmp_path, source, now=T0 + timedelta(days=1, minutes=1))
    assert http_server.hits("/robots.txt") == 2 and http_server.hits("/news/4.html") == 1
    assert "/private/1.html" not in [r.path for r in http_server.requests]


def test_rules_for_our_agent_win_over_the_star_group(http_server, tmp_path):
    http_server.add("/robots.txt", Reply("User-agent: *\nDisallow: /\n\nUser-agent: newsmirror\nDisallow: /nm/\n",
                                         content_type="text/plain"))
    source = serve_feed(http_server, ["/nm/1.html", "/news/2.html"])
    fetch(tmp_path, source)
    assert [r.path for r in page_requests(http_server)] == ["/news/2.html"]


def test_crawl_delay_spaces_page_requests_to_one_host(http_server, tmp_path):
    http_server.add("/robots.txt", Reply("User-agent: *\nCrawl-delay: 1.5\n", content_type="text/plain"))
    source = serve_feed(http_server, [f"/news/{i}.html" for i in range(3)])
    summary, _ = fetch(tmp_path, source, host_delay=0.2)
    assert summary.pages == 3
    times = [r.at for r in http_server.requests if r.path == "/robots.txt" or r.path.endswith(".html")]
    gaps = [b - a for a, b in zip(times, times[1:])]
    assert len(gaps) == 3 and min(gaps[1:]) >= 1.45, gaps  # after robots.txt is read, its delay holds


def test_default_host_delay_spaces_requests(http_server, tmp_path):
    source = serve_feed(http_server, [f"/news/{i}.html" for i in range(3)])  # robots.txt: 404, all allowed
    fetch(tmp_path, source, host_delay=0.6)
    times = [r.at for r in http_server.requests if r.path == "/robots.txt" or r.path.endswith(".html")]
    assert len(times) == 4
    assert min(b - a for a, b in zip(times, times[1:])) >= 0.55


@pytest.mark.parametrize("body, content_type, note", [
    (b"# padding\n" * 60_000 + b"User-agent: *\nDisallow: /news/\n", "text/plain", "larger than 500 KiB"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4, "text/plain", "binary"),
    (b"<!DOCTYPE html><html><body><h1>Welcome</h1>Disallow: /</body></html>", "text/html", "HTML page"),
])
def test_a_robots_txt_that_is_huge_binary_or_html_allows_pages_and_says_why(http_server, tmp_path, body,
                                                                            content_type, note):
    http_server.add("/robots.txt", Reply(body, content_type=content_type))
    source = serve_feed(http_server, ["/news/1.html"])
    summary, _ = fetch(tmp_path, source)
    assert [r.path for r in page_requests(http_server)] == ["/news/1.html"]
    assert summary.pages == 1
    (line,) = summary.notes
    assert "/robots.txt" in line and note in line


def test_robots_txt_answering_503_holds_the_pages_for_a_later_run(http_server, tmp_path):
    http_server.add("/robots.txt", Reply("down", status=503, content_type="text/plain"))
    source = serve_feed(http_server, ["/news/1.html"])
    summary, settings = fetch(tmp_path, source, retries=0)
    assert page_requests(http_server) == []
    _, record = records(settings)["1.html"]
    assert record.status is PageStatus.RETRYING and "robots.txt answered HTTP 503" in record.reason


def test_429_with_a_short_retry_after_waits_and_a_long_one_gives_the_host_up(http_server, tmp_path):
    source = serve_feed(http_server, ["/news/1.html"])
    http_server.add("/news/1.html", [Reply("slow down", status=429, headers={"Retry-After": "1"}),
                                     Reply(PAGE.format(n=1))])
    summary, _ = fetch(tmp_path, source)
    assert summary.pages == 1
    first, second = [r.at for r in page_requests(http_server)]
    assert second - first >= 0.95

    http_server.reset()
    source = serve_feed(http_server, [f"/news/{i}.html" for i in range(4)])
    for i in range(4):
        http_server.add(f"/news/{i}.html", Reply("slow down", status=429, headers={"Retry-After": "7200"}))
    summary, settings = fetch(tmp_path / "2", source, host_delay=0.3)
    assert len(page_requests(http_server)) == 1  # the rest of the host's pages are not asked for
    host_lines = [f for f in summary.failures if f.source.startswith("host ")]
    assert len(summary.failures) == 1 and len(host_lines) == 1
    assert "asks to wait 7200 s" in host_lines[0].reason and "3 more pages not requested" in host_lines[0].reason
    for _, record in records(settings).values():
        assert record.status is PageStatus.RETRYING and record.next_try >= T0 + timedelta(hours=2)
