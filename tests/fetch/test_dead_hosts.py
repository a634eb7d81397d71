"""Dead hosts cost seconds: a host that refuses, does not resolve or never answers is given up for the
run after two failures (DNS at once), with one summary line per host; the next run tries it once."""

from __future__ import annotations

import socket
from datetime import datetime, timedelta, UTC

import pytest

from feedtext import rss
from httpserver import Reply, SilentServer
from newsmirror.config import Settings, save_sources
from newsmirror.fetch.http import FetchPolicy
from newsmirror.models import FailureKind, PageStatus, Source
from newsmirror.pipeline import fetch_sources
from newsmirror.store import open_store

RSS = "application/rss+xml; charset=utf-8"
T0 = datetime(2030, 5, 1, 8, 0, tzinfo=UTC)


def closed_port() -> int:
    with socket.socket() as sock:  # free a moment ago, no listener now
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run(http_server, tmp_path, page_base: str, n: int = 6, *, now=T0, **policy):
    items = [{"title": f"標題{i}", "link": f"{page_base}/news/{i}.html", "guid": f"g{i}", "description": "摘要。"}
             for i in range(n)]
    http_server.add("/f.xml", Reply(rss(items), content_type=RSS))
    source = Source(name="示範網", feeds=(http_server.url("/f.xml"),), full_text="auto")
    settings = Settings.from_home(tmp_path / "home")
    save_sources(settings.sources_file, [source])
    policy.setdefault("backoff", 0.01)
    summary = fetch_sources(settings, [source], policy=FetchPolicy(host_delay=0, **policy), now=now)
    with open_store(settings.db_path) as store:
        pages = [store.get_page_fetch(a.id) for a in store.iter_articles()]
    return summary, pages


@pytest.mark.parametrize("page_base, kind, reason", [
    (f"http://127.0.0.1:{closed_port()}", FailureKind.REFUSED, "connection refused (2 times)"),
    ("http://news.example.invalid", FailureKind.DNS, "host name not found"),
])
def test_unreachable_host_is_one_line_and_every_page_is_kept_for_a_retry(http_server, tmp_path, page_base, kind,
                                                                          reason):
    summary, pages = run(http_server, tmp_path, page_base)
    host = page_base.split("//")[1]
    assert summary.new == 6 and summary.pages_failed == 6
    (line,) = summary.failures  # one line for the host, not six
    assert str(line) == f"host {host}: given up for this run: {reason}; 5 more pages not requested"
    assert all(p.status is PageStatus.RETRYING and p.kind is kind and p.next_try == T0 for p in pages)


def test_a_dns_failure_is_not_retried():
    import asyncio

    from newsmirror.errors import FetchError
    from newsmirror.fetch.http import Fetcher

    async def get():
        async with Fetcher(FetchPolicy(retries=2, backoff=30)) as fetcher:  # a retry would wait 30 s
            await fetcher.get("http://feeds.example.invalid/rss.xml")

    with pytest.raises(FetchError) as info:
        asyncio.run(get())
    assert info.value.kind is FailureKind.DNS
    assert str(info.value) == "cannot connect to feeds.example.invalid: host name not found"


def test_a_server_that_never_answers_costs_two_timeouts_then_one_next_run(http_server, tmp_path):
    silent = SilentServer()
    try:
        summary, pages = run(http_server, tmp_path, silent.url(""), timeout=0.5)
        assert silent.connections == 2  # robots.txt, once and once again; no page was asked for
        (line,) = summary.failures
        assert "given up for this run" in str(line) and "5 more pages not requested" in str(line)
        assert all(p.kind is FailureKind.TIMEOUT for p in pages)
        summary, pages = run(http_server, tmp_path, silent.url(""), timeout=0.5, now=T0 + timedelta(minutes=5))
        assert silent.connections == 3  # dead last run: one try this run
        assert summary.pages_failed == 6 and len(summary.failures) == 1
        assert all(p.attempts == 2 and p.next_try == T0 + timedelta(minutes=65) for p in pages)
    finally:
        silent.close()


def test_a_host_that_comes_back_is_fetched(http_server, tmp_path):
    base = http_server.url("")
    dead = f"http://127.0.0.1:{closed_port()}"
    summary, _ = run(http_server, tmp_path, dead, n=1)
    assert summary.pages_failed == 1
    # the page moved: same article, now reachable (the link is what the retry asks for)
    with open_store(Settings.from_home(tmp_path / "home").db_path) as store:
        (record,) = store.page_fetches(due_by=T0)
        from dataclasses import replace
        store.save_page_fetch(replace(record, url=f"{base}/news/0.html"))
    http_server.add("/news/0.html", Reply("<html><body><article><h1>標題</h1><p>" + "完整內文。" * 40
                                          + "</p></article></body></html>"))
    summary, pages = run(http_server, tmp_path, dead, n=1, now=T0 + timedelta(minutes=5))
    assert summary.pages == 1 and pages[0].status is PageStatus.OK and pages[0].attempts == 2
