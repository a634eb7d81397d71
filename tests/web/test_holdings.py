"""End to end: a feed whose article pages cannot be reached says 「僅有摘要」 on the page and in the API."""

from __future__ import annotations

import socket

from webarchive import make_client

from feedtext import rss
from httpserver import Reply
from newsmirror.config import Settings, save_sources
from newsmirror.models import Source
from newsmirror.pipeline import fetch_sources


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_unreachable_pages_leave_summary_only_articles_that_say_so(http_server, tmp_path):
    dead = f"http://127.0.0.1:{closed_port()}"
    http_server.add("/bbc.xml", Reply(rss([{
        "title": "聯合國氣候大會開幕", "link": f"{dead}/zhongwen/trad/world-1", "guid": "w1",
        "date": "Wed, 10 Sep 2025 09:00:00 +0800", "description": "聯合國氣候大會今天開幕。"}]),
        content_type="application/rss+xml"))
    settings = Settings.from_home(tmp_path / "home")
    sources = [Source(name="BBC 中文", feeds=(http_server.url("/bbc.xml"),), timezone="Europe/London")]
    save_sources(settings.sources_file, sources)
    summary = fetch_sources(settings, sources)
    assert summary.new == 1 and summary.pages == 0

    client = make_client(settings)
    try:
        html = client.get("/article/1").text
        assert "僅有摘要" in html and "網站拒絕連線" in html and "聯合國氣候大會今天開幕。" in html
        art = client.get("/api/articles/1").json()["article"]
        assert art["holds"] == "summary" and art["page_fetch"]["kind"] == "refused"
    finally:
        client.close()
