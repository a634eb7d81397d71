"""Fetcher against a real HTTP server on 127.0.0.1: validators, retries, redirects, limits, archive."""

from __future__ import annotations

import asyncio
import gzip
import socket
import threading
import time

import pytest

from httpserver import Reply
from newsmirror.errors import FetchError
from newsmirror.fetch.http import FetchPolicy, Fetcher, fetch_all
from newsmirror.fetch.warc import RawArchive

FAST = FetchPolicy(timeout=2.0, retries=2, backoff=0.01)
FEED = "<rss version='2.0'><channel><title>測試</title></channel></rss>"


def get(url: str, policy: FetchPolicy = FAST, archive: RawArchive | None = None, **kw):
    async def run():
        async with Fetcher(policy, archive) as fetcher:
            return await fetcher.get(url, **kw)

    return asyncio.run(run())


def test_plain_get_sends_user_agent_and_returns_body(http_server):
    url = http_server.add("/feed", Reply(FEED, content_type="application/rss+xml"))
    result = get(url)
    assert result.status == 200
    assert result.content == FEED.encode()
    assert result.final_url == url
    assert result.attempts == 1
    assert result.headers["content-type"] == "application/rss+xml"
    assert result.fetched_at.tzinfo is not None
    assert http_server.requests[0].headers["user-agent"].startswith("newsmirror/")


def test_etag_gives_304_on_second_get(http_server):
    url = http_server.add("/etag", Reply(FEED, etag='"v1"'))
    first = get(url)
    assert first.status == 200 and first.etag == '"v1"'
    second = get(url, etag=first.etag)
    assert http_server.requests[-1].headers["if-none-match"] == '"v1"'
    assert second.status == 304 and second.not_modified
    assert second.content == b""


def test_last_modified_gives_304_on_second_get(http_server):
    stamp = "Mon, 11 Sep 2023 08:00:00 GMT"
    url = http_server.add("/lm", Reply(FEED, last_modified=stamp))
    first = get(url)
    assert first.last_modified == stamp
    second = get(url, last_modified=first.last_modified)
    assert http_server.requests[-1].headers["if-modified-since"] == stamp
    assert second.status == 304 and second.content == b""


def test_timeout_raises_after_retries(http_server):
    url = http_server.add("/slow", Reply(FEED, delay=1.0))
    policy = FetchPolicy(timeout=0.2, retries=2, backoff=0.01)
    with pytest.raises(FetchError) as info:
        get(url, policy)
    assert str(info.value) == f"{url} timed out after 3 attempts (0.2 s each)"
    assert info.value.url == url
    assert http_server.hits("/slow") == 3


def test_slow_body_counts_against_the_timeout(http_server):
    url = http_server.add("/drip", Reply("x" * 8192, chunk_delay=0.1))
    with pytest.raises(FetchError) as info:
        get(url, FetchPolicy(timeout=0.3, retries=0))
    assert str(info.value) == f"{url} timed out after 0.3 s"


def test_500_then_200_succeeds_on_second_attempt(http_server):
    url = http_server.add("/flaky", [Reply("oops", status=500), Reply(FEED)])
    result = get(url)
    assert result.status == 200
    assert result.attempts == 2
    assert result.content == FEED.encode()


def test_persistent_503_names_status_and_attempts(http_server):
    url = http_server.add("/down", Reply("down", status=503))
    with pytest.raises(FetchError) as info:
        get(url)
    assert str(info.value) == f"{url} answered HTTP 503 Service Unavailable after 3 attempts"
    assert info.value.status == 503
    assert http_server.hits("/down") == 3


def test_404_is_not_retried(http_server):
    url = http_server.url("/missing")
    with pytest.raises(FetchError) as info:
        get(url)
    assert str(info.value) == f"{url} answered HTTP 404 Not Found"
    assert info.value.status == 404
    assert http_server.hits("/missing") == 1


def test_429_honours_short_retry_after(http_server):
    url = http_server.add("/busy", [Reply("slow down", status=429, headers={"Retry-After": "0"}), Reply(FEED)])
    result = get(url)
    assert result.attempts == 2 and result.status == 200


def test_429_with_long_retry_after_gives_up(http_server):
    url = http_server.add("/busy", Reply("slow down", status=429, headers={"Retry-After": "3600"}))
    with pytest.raises(FetchError, match=r"HTTP 429 Too Many Requests; it asks to wait 3600 s"):
        get(url)
    assert http_server.hits("/busy") == 1


def test_redirect_chain_sets_final_url(http_server):
    final = http_server.add("/c", Reply(FEED))
    http_server.add("/b", Reply(status=302, headers={"Location": "/c"}))
    start = http_server.add("/a", Reply(status=301, headers={"Location": http_server.url("/b")}))
    result = get(start)
    assert result.url == start
    assert result.final_url == final
    assert result.content == FEED.encode()


def test_redirect_loop_raises(http_server):
    http_server.add("/loop1", Reply(status=302, headers={"Location": "/loop2"}))
    url = http_server.add("/loop2", Reply(status=302, headers={"Location": "/loop1"}))
    with pytest.raises(FetchError, match=r"redirected more than 5 times"):
        get(url)


def test_too_many_redirects_respects_policy(http_server):
    for i in range(4):
        http_server.add(f"/r{i}", Reply(status=302, headers={"Location": f"/r{i + 1}"}))
    http_server.add("/r4", Reply(FEED))
    assert get(http_server.url("/r0")).final_url == http_server.url("/r4")
    with pytest.raises(FetchError, match=r"redirected more than 3 times"):
        get(http_server.url("/r0"), FetchPolicy(max_redirects=3, retries=0))


def test_oversize_with_content_length_raises(http_server):
    url = http_server.add("/big", Reply("x" * 5000))
    with pytest.raises(FetchError) as info:
        get(url, FetchPolicy(max_bytes=1024, retries=0))
    assert str(info.value) == f"{url} is larger than 1 KiB; raise max_bytes or check the URL"


def test_oversize_without_content_length_raises_while_streaming(http_server):
    url = http_server.add("/stream", Reply("x" * 50_000, content_length=False))
    with pytest.raises(FetchError, match="is larger than 10 KiB"):
        get(url, FetchPolicy(max_bytes=10 * 1024, retries=0))
    assert get(url, FetchPolicy(max_bytes=100_000)).content == b"x" * 50_000


def test_gzip_content_encoding_is_decoded(http_server):
    body = ("<rss>" + "新聞" * 200 + "</rss>").encode()
    url = http_server.add("/gz", Reply(gzip.compress(body), headers={"Content-Encoding": "gzip"}))
    assert get(url).content == body


def test_connection_refused(http_server):
    with socket.socket() as sock:  # a port that was free a moment ago and has no listener now
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}/feed"
    with pytest.raises(FetchError) as info:
        get(url, FetchPolicy(retries=1, backoff=0.01))
    assert str(info.value).startswith(f"cannot connect to 127.0.0.1:{port}: connection refused")
    assert info.value.url == url


def test_not_http_url_is_refused():
    with pytest.raises(FetchError, match="is not an http"):
        get("ftp://example.org/feed")


def test_per_host_concurrency_is_bounded(http_server):
    lock = threading.Lock()
    state = {"now": 0, "max": 0}

    def route(request):
        with lock:
            state["now"] += 1
            state["max"] = max(state["max"], state["now"])
        time.sleep(0.05)
        with lock:
            state["now"] -= 1
        return Reply(FEED)

    for i in range(8):
        http_server.add(f"/c{i}", route)

    async def run():
        async with Fetcher(FetchPolicy(per_host=2)) as fetcher:
            return await asyncio.gather(*(fetcher.get(http_server.url(f"/c{i}")) for i in range(8)))

    results = asyncio.run(run())
    assert all(r.status == 200 for r in results)
    assert 1 <= state["max"] <= 2


def test_archive_records_response_and_ref_reads_back(http_server, tmp_path):
    url = http_server.add("/arch", Reply(FEED, content_type="application/rss+xml; charset=utf-8"))
    archive = RawArchive(tmp_path / "raw")
    result = get(url, archive=archive)
    archive.close()
    assert result.raw_ref is not None
    record = archive.read(result.raw_ref)
    assert record.url == url
    assert record.status == 200
    assert record.body == FEED.encode()
    assert record.headers["content-type"] == "application/rss+xml; charset=utf-8"


def test_archive_keeps_error_bodies_too(http_server, tmp_path):
    url = http_server.add("/gone", Reply("已刪除", status=410))
    archive = RawArchive(tmp_path / "raw")
    with pytest.raises(FetchError, match="HTTP 410 Gone"):
        get(url, archive=archive)
    archive.close()
    records = [rec for _, rec in archive.iter_records()]
    assert [(r.status, r.body.decode()) for r in records] == [(410, "已刪除")]


def test_fetch_all_yields_results_and_errors(http_server):
    ok = http_server.add("/ok", Reply(FEED))
    missing = http_server.url("/nope")

    async def run():
        return {url: out async for url, out in fetch_all([(ok, None, None), (missing, None, None)], FAST)}

    outcome = asyncio.run(run())
    assert outcome[ok].status == 200
    assert isinstance(outcome[missing], FetchError) and outcome[missing].status == 404


def test_corrupt_gzip_body_is_a_fetch_error(http_server):
    # httpx.DecodingError is neither a TransportError nor a timeout: it must not escape as a traceback
    url = http_server.add("/bad-gzip", Reply(b"this is not gzip at all", headers={"Content-Encoding": "gzip"}))
    with pytest.raises(FetchError, match=r"/bad-gzip .*(gzip|decod)") as info:
        get(url)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize("url", ["http://[::1/feed", "http://127.0.0.1:99999/feed"])
def test_unparseable_url_is_a_fetch_error(url):
    with pytest.raises(FetchError, match="is not an http"):
        get(url)
