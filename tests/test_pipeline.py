"""End to end through the real stages: a local HTTP server, fetch, a real SQLite archive, Jekyll build."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from feedtext import item, rss
from httpserver import Reply
from newsmirror.cli import cli
from newsmirror.config import Settings, save_sources
from newsmirror.errors import SearchError
from newsmirror.models import Source
from newsmirror.pipeline import fetch_sources
from newsmirror.store import open_store

RSS = "application/rss+xml; charset=utf-8"


def run(home: Path, *args: str):
    return CliRunner().invoke(cli, ["--home", str(home), "-q", *args])


def write_sources(home: Path, sources: list[Source]) -> Settings:
    settings = Settings.from_home(home)
    save_sources(settings.sources_file, sources)
    return settings


def articles(home: Path):
    store = open_store(home / "archive.sqlite")
    try:
        return list(store.iter_articles())
    finally:
        store.close()


def test_fetch_store_build_and_refetch_costs_nothing(http_server, tmp_path):
    base = http_server.url("")
    http_server.add("/a.xml", Reply(rss([item(i, base) for i in range(5)]), content_type=RSS, etag='"v1"'))
    big5 = rss([{"title": "臺灣新聞：颱風來襲", "link": f"{base}/b/1", "guid": "b1",
                 "date": "Mon, 11 Sep 2023 10:00:00 +0800", "description": "<p>颱風今天登陸臺灣東部。</p>"}],
               encoding="big5")
    http_server.add("/b.xml", Reply(big5, content_type="application/rss+xml; charset=big5"))
    http_server.add("/broken.xml", Reply(b"<?xml version='1.0'?><rss><channel><item><title>x</tit", content_type=RSS))
    home = tmp_path / "home"
    write_sources(home, [
        Source(name="(臺)示範社", feeds=(http_server.url("/a.xml"),), full_text="never"),
        Source(name="示範報", feeds=(http_server.url("/b.xml"),), full_text="never"),
        Source(name="壞掉的", feeds=(http_server.url("/broken.xml"),)),
    ])
    first = run(home, "fetch")
    assert first.exit_code == 1  # one source failed
    summary = first.stderr.strip().splitlines()[-1]
    assert summary.startswith("fetch done: 2 sources ok, 1 failed; 6 new, 0 revised, 0 duplicates")
    assert "壞掉的" in first.stderr and "broken.xml" in first.stderr
    stored = articles(home)
    assert len(stored) == 6
    assert any(a.title == "臺灣新聞：颱風來襲" and a.source == "示範報" for a in stored)

    second = run(home, "fetch", "--source", "(臺)示範社")
    assert second.exit_code == 0
    assert "0 new" in second.stderr and "1 feeds not modified" in second.stderr
    assert http_server.requests[-1].headers.get("if-none-match") == '"v1"'

    listed = run(home, "sources", "list", "--json")
    rows = {r["source"]: r for r in map(__import__("json").loads, listed.output.splitlines())}
    assert rows["壞掉的"]["consecutive_failures"] == 1 and rows["壞掉的"]["last_error"]
    assert rows["(臺)示範社"]["status"] == 304 and rows["(臺)示範社"]["consecutive_failures"] == 0

    out = tmp_path / "site"
    built = run(home, "build", "jekyll", str(out))
    assert built.exit_code == 0, built.output
    posts = sorted((out / "_posts").glob("*.md"))
    assert len(posts) == 6
    for post in posts:
        front = post.read_text(encoding="utf-8").split("---\n")[1]
        assert yaml.safe_load(front)["layout"] == "post"
    assert (out / "lists").is_dir()


def test_same_article_in_two_feeds_and_duplicate_guids_are_stored_once(http_server, tmp_path):
    base = http_server.url("")
    shared = item(1, base)
    http_server.add("/one.xml", Reply(rss([shared, item(2, base)]), content_type=RSS))
    dup_guid = dict(item(3, base), link=f"{base}/news/3.html?utm_source=rss#top")
    http_server.add("/two.xml", Reply(rss([shared, item(3, base), dup_guid]), content_type=RSS))
    home = tmp_path / "home"
    settings = write_sources(home, [Source(name="示範", feeds=(http_server.url("/one.xml"), http_server.url("/two.xml")),
                                           full_text="never")])
    summary = fetch_sources(settings, [Source(name="示範", feeds=(http_server.url("/one.xml"), http_server.url("/two.xml")),
                                              full_text="never")])
    assert summary.new == 3
    assert len(articles(home)) == 3
    assert sorted(a.url for a in articles(home)) == sorted({f"{base}/news/{i}.html" for i in (1, 2, 3)})


def test_edited_item_keeps_every_version(http_server, tmp_path):
    base = http_server.url("")
    v1 = item(7, base, body="<p>初版內文：市府宣布明天停班停課。</p>")
    v2 = item(7, base, body="<p>更新內文：市府宣布明天照常上班上課。</p>")
    http_server.add("/f.xml", [Reply(rss([v1]), content_type=RSS), Reply(rss([v2]), content_type=RSS)])
    home = tmp_path / "home"
    sources = [Source(name="示範", feeds=(http_server.url("/f.xml"),), full_text="never")]
    settings = write_sources(home, sources)
    assert fetch_sources(settings, sources).new == 1
    assert fetch_sources(settings, sources).revised == 1
    store = open_store(settings.db_path)
    try:
        (art,) = list(store.iter_articles())
        versions = store.article_versions(art.id)
    finally:
        store.close()
    assert [v.version for v in versions] == [1, 2]
    assert "停班停課" in versions[0].text and "照常上班" in versions[1].text
    assert art.version == 2 and "照常上班" in art.text


def test_xss_from_feeds_never_reaches_a_post(http_server, tmp_path):
    base = http_server.url("")
    evil = item(1, base, title='他說："快跑" <script>alert(1)</script>',
                body='<p onclick="alert(1)">正文</p><script>alert(2)</script><img src=x onerror=alert(3)>'
                     '<a href="javascript:alert(4)">連結</a><iframe src="https://evil.example"></iframe>')
    http_server.add("/x.xml", Reply(rss([evil]), content_type=RSS))
    home = tmp_path / "home"
    sources = [Source(name="示範", feeds=(http_server.url("/x.xml"),), full_text="never")]
    settings = write_sources(home, sources)
    fetch_sources(settings, sources)
    out = tmp_path / "site"
    assert run(home, "build", "jekyll", str(out)).exit_code == 0
    (post,) = (out / "_posts").glob("*.md")
    text = post.read_text(encoding="utf-8")
    body = text.split("------\n", 1)[1]
    for bad in ("<script", "onclick", "onerror", "javascript:", "<iframe"):
        assert bad not in body.lower()
    assert "正文" in body and "連結" in body
    front = yaml.safe_load(text.split("---\n")[1])
    assert front["title"] == '他說："快跑" <script>alert(1)</script>' or "alert" in front["title"]


@pytest.mark.parametrize("reply, reason", [
    (Reply(b"<html><head><title>x</title></head><body><p>hello</p></body></html>"), "HTML page"),
    (Reply(b"", content_type=RSS), "empty"),
])
def test_html_or_empty_feed_is_a_one_line_failure_and_loses_nothing(http_server, tmp_path, reply, reason):
    base = http_server.url("")
    http_server.add("/good.xml", Reply(rss([item(1, base)]), content_type=RSS))
    home = tmp_path / "home"
    sources = [Source(name="好", feeds=(http_server.url("/good.xml"),), full_text="never")]
    write_sources(home, sources)
    assert run(home, "fetch").exit_code == 0
    before = [(a.id, a.title, a.version) for a in articles(home)]
    http_server.add("/good.xml", reply)
    result = run(home, "fetch")
    assert result.exit_code == 1
    failure_lines = [line for line in result.stderr.splitlines() if reason in line]
    assert failure_lines, result.stderr
    assert [(a.id, a.title, a.version) for a in articles(home)] == before


def test_unreachable_host_fails_cleanly(tmp_path):
    home = tmp_path / "home"
    write_sources(home, [Source(name="不在", feeds=("http://127.0.0.1:9/rss.xml",))])
    result = run(home, "fetch", "--retries", "0", "--timeout", "2")
    assert result.exit_code == 1
    assert "不在" in result.stderr and "127.0.0.1" in result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith("fetch done: 0 sources ok, 1 failed")


def test_kill_during_fetch_then_next_fetch_completes(http_server, tmp_path):
    """kill -9 in the middle of a fetch; the next fetch finishes with nothing lost or doubled."""
    base = http_server.url("")
    n_feeds, per_feed = 30, 40
    for f in range(n_feeds):
        items = [item(f * 1000 + i, base) for i in range(per_feed)]
        # slow feeds so the kill lands mid-run; the second run gets the same feeds fast
        http_server.add(f"/slow/{f}.xml", [Reply(rss(items), content_type=RSS, delay=0.15),
                                           Reply(rss(items), content_type=RSS)])
    home = tmp_path / "home"
    write_sources(home, [Source(name=f"源{f}", feeds=(http_server.url(f"/slow/{f}.xml"),), full_text="never")
                         for f in range(n_feeds)])
    env = dict(os.environ, NEWSMIRROR_HOME=str(home))
    proc = subprocess.Popen([sys.executable, "-m", "newsmirror", "-q", "fetch", "--per-host", "1"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    db = home / "archive.sqlite"
    deadline = time.monotonic() + 60
    stored = 0
    while time.monotonic() < deadline and proc.poll() is None:
        if db.exists():
            try:
                con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1)
                stored = con.execute("select count(*) from articles").fetchone()[0]
                con.close()
            except sqlite3.Error:
                stored = 0
            if stored >= per_feed * 3:
                break
        time.sleep(0.02)
    assert proc.poll() is None, "fetch finished before it could be killed; make the feeds slower"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert 0 < stored < n_feeds * per_feed

    result = run(home, "fetch")
    assert result.exit_code == 0, result.stderr
    con = sqlite3.connect(db)
    try:
        assert con.execute("pragma integrity_check").fetchone()[0] == "ok"
        assert con.execute("select count(*) from articles").fetchone()[0] == n_feeds * per_feed
        assert con.execute("select count(distinct url) from articles").fetchone()[0] == n_feeds * per_feed
        assert con.execute("select max(c) from (select count(*) c from revisions group by article_id)").fetchone()[0] == 1
    finally:
        con.close()


PAGE = """<!DOCTYPE html><html lang="zh-Hant"><head><meta charset="utf-8"><title>{title} - 示範新聞網</title></head>
<body><nav><a href="/">首頁</a> <a href="/politics">政治</a> <a href="/world">國際</a></nav>
<div class="ticker"><a href="/x/1">其他新聞標題一則</a> <a href="/x/2">其他新聞標題二則</a></div>
<article><h1>{title}</h1><div class="byline">記者王大明／台北報導</div><time datetime="2023-09-11T10:19:00+08:00">2023/09/11 10:19</time>
<p>{first}</p>
<p>交通部表示，今年連假期間的國道車流預估將比去年增加一成，呼籲民眾提早規劃行程，避開尖峰時段出門。</p>
<p>高公局也提醒，連假期間將實施高乘載管制與匝道儀控，相關措施可上網查詢，以免受罰或延誤行程。</p>
</article>
<div class="related"><h2>延伸閱讀</h2><ul><li><a href="/x/3">連假疏運措施一次看</a></li><li><a href="/x/4">國道收費時段調整</a></li></ul></div>
<footer>版權所有 示範新聞網 © 2023</footer></body></html>"""


def test_summary_only_items_get_their_page_body_and_keep_the_feed_text(http_server, tmp_path):
    base = http_server.url("")
    title = "連假國道車流預估增一成"
    first = "中秋連假即將到來，交通部今天召開記者會說明疏運計畫，預估國道車流將明顯增加。"
    summary = "交通部說明中秋連假疏運計畫。"
    http_server.add("/s.xml", Reply(rss([{"title": title, "link": f"{base}/p/1.html", "guid": "p1",
                                          "date": "Mon, 11 Sep 2023 10:19:00 +0800", "description": summary}]),
                                    content_type=RSS))
    # the page fails the first time (run 1), then answers (run 2 retries it although the feed is unchanged)
    http_server.add("/p/1.html", [Reply(b"busy", status=503), Reply(b"busy", status=503), Reply(b"busy", status=503),
                                  Reply(PAGE.format(title=title, first=first))])
    home = tmp_path / "home"
    sources = [Source(name="示範網", feeds=(http_server.url("/s.xml"),), full_text="auto")]
    settings = write_sources(home, sources)
    first_run = fetch_sources(settings, sources)
    assert first_run.new == 1 and first_run.pages_failed == 1 and first_run.pages == 0
    (art,) = articles(home)
    assert art.extracted is None and art.text.strip() == summary

    second_run = fetch_sources(settings, sources)
    assert second_run.new == 0 and second_run.pages == 1
    (art,) = articles(home)
    assert art.extracted is not None
    assert art.text.startswith(first)
    assert "延伸閱讀" not in art.text and "版權所有" not in art.text and "其他新聞標題" not in art.text
    assert summary in art.summary or summary in art.feed_html


@pytest.mark.parametrize("mode, html, expected", [
    ("always", "<p>" + "長" * 500 + "</p>", True),
    ("never", "<p>短</p>", False),
    ("auto", "<p>交通部說明中秋連假疏運計畫。</p>", True),
    ("auto", "<p>" + "長文內容，" * 60 + "</p>", False),
    ("auto", "<p>" + "長文內容，" * 60 + "…</p>", True),
])
def test_needs_page_follows_the_source_mode(mode, html, expected):
    from newsmirror.pipeline import needs_page

    assert needs_page(Source(name="s", feeds=("http://127.0.0.1/f",), full_text=mode), html) is expected


def test_http_error_status_is_recorded_for_sources_list(http_server, tmp_path):
    http_server.add("/gone.xml", Reply(b"gone", status=404, content_type="text/plain"))
    home = tmp_path / "home"
    write_sources(home, [Source(name="失效", feeds=(http_server.url("/gone.xml"),))])
    result = run(home, "fetch")
    assert result.exit_code == 1 and "404" in result.stderr
    listed = run(home, "sources", "list", "--json")
    (row,) = [__import__("json").loads(line) for line in listed.stdout.splitlines()]
    assert row["status"] == 404 and row["consecutive_failures"] == 1 and "404" in row["last_error"]


def test_page_with_broken_compression_is_one_failure_not_a_crash(http_server, tmp_path):
    base = http_server.url("")
    http_server.add("/s.xml", Reply(rss([{"title": "摘要新聞", "link": f"{base}/p/gz.html", "guid": "g1",
                                          "date": "Mon, 11 Sep 2023 10:19:00 +0800", "description": "短摘要。"}]),
                                    content_type=RSS))
    http_server.add("/p/gz.html", Reply(b"not gzip", headers={"Content-Encoding": "gzip"}))
    home = tmp_path / "home"
    write_sources(home, [Source(name="示範網", feeds=(http_server.url("/s.xml"),), full_text="auto")])
    result = run(home, "fetch")
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit)  # exit 1, not an uncaught httpx.DecodingError
    assert "1 new" in result.stderr and "1 failed;" in result.stderr.split("pages fetched")[-1]
    assert "/p/gz.html" in result.stderr
    assert len(articles(home)) == 1


def test_a_big_fetch_indexes_beside_itself_in_a_second_process(http_server, tmp_path):
    """Past follow_index_after stored changes the index follower (another process) indexes while the
    fetch goes on; the run's own last sync completes it, so every article is found."""
    import asyncio

    from newsmirror.pipeline import open_index, run_fetch

    base = http_server.url("")
    for f in range(4):
        http_server.add(f"/f{f}.xml", Reply(rss([item(f * 100 + i, base, prefix=f"第{f}台") for i in range(25)]),
                                            content_type=RSS))
    sources = [Source(name=f"台{f}", feeds=(http_server.url(f"/f{f}.xml"),), full_text="never") for f in range(4)]
    settings = write_sources(tmp_path / "home", sources)
    summary = asyncio.run(run_fetch(settings, sources, follow_index_after=1))
    assert summary.new == 100 and summary.indexed <= 100 and not summary.failures
    index = open_index(settings, readonly=True)
    store = open_store(settings.db_path)
    try:
        assert index.count() == 100 and index.last_seq == store.last_change()
        assert index.search("第3台標題").total == 25
    finally:
        index.close()
        store.close()


def test_index_follower_catches_up_and_ends_when_asked(http_server, tmp_path):
    from newsmirror.pipeline import IndexFollower, open_index

    base = http_server.url("")
    http_server.add("/a.xml", Reply(rss([item(i, base) for i in range(12)]), content_type=RSS))
    source = Source(name="示範社", feeds=(http_server.url("/a.xml"),), full_text="never")
    settings = write_sources(tmp_path / "home", [source])
    fetch_sources(settings, [source])
    (settings.home / "index.sqlite").unlink()  # stored, not indexed
    follower = IndexFollower(settings)
    follower.start()
    process = follower._process
    follower.stop()
    assert process.returncode == 0
    index = open_index(settings, readonly=True)
    try:
        assert index.count() == 12
    finally:
        index.close()


def test_index_follower_syncs_once_a_batch_of_changes_has_gathered(http_server, tmp_path):
    """The follower syncs while it runs only when `batch` changes wait (one FTS transaction each, not one
    every 0.2 s for a few articles), and once more when asked to end."""
    from newsmirror.pipeline import IndexFollower, open_index

    base = http_server.url("")
    http_server.add("/a.xml", Reply(rss([item(i, base) for i in range(12)]), content_type=RSS))
    source = Source(name="示範社", feeds=(http_server.url("/a.xml"),), full_text="never")
    settings = write_sources(tmp_path / "home", [source])
    fetch_sources(settings, [source])

    def indexed() -> int:
        try:
            index = open_index(settings, readonly=True)
        except SearchError:  # the follower is still making the file
            return 0
        try:
            return index.count()
        finally:
            index.close()

    for batch, synced_while_running in ((12, True), (13, False)):
        (settings.home / "index.sqlite").unlink()  # stored, not indexed
        follower = IndexFollower(settings, batch=batch)
        follower.start()
        deadline = time.monotonic() + (60 if synced_while_running else 1.5)
        while time.monotonic() < deadline and not ((settings.home / "index.sqlite").exists() and indexed()):
            time.sleep(0.1)
        assert (settings.home / "index.sqlite").exists() and bool(indexed()) is synced_while_running, batch
        follower.stop()
        assert indexed() == 12


def test_as_they_come_hands_each_result_over_in_arrival_order_and_keeps_none():
    """A run's feeds (and pages) come back as they arrive; one handed over is freed once the next is asked
    for, while the others still run (asyncio.as_completed over a list kept every response until the last)."""
    import asyncio
    import gc
    import weakref

    from newsmirror.pipeline import as_they_come

    class Body:  # stands for a response body
        pass

    async def main() -> list[int]:
        gates = {n: asyncio.Event() for n in (1, 2, 3)}

        async def arrive(n: int) -> tuple[int, Body]:
            await gates[n].wait()
            return n, Body()

        order, refs = [], []
        gates[2].set()
        async for n, body in as_they_come(arrive(n) for n in (1, 2, 3)):
            order.append(n)
            refs.append(weakref.ref(body))
            del body
            gc.collect()
            assert all(ref() is None for ref in refs[:-1]), "an earlier result was kept"
            if len(order) < 3:
                next(gates[m] for m in (3, 1) if not gates[m].is_set()).set()
        return order

    assert asyncio.run(main()) == [2, 3, 1]


def test_as_they_come_raises_a_failure_where_it_arrives_and_cancels_the_rest():
    import asyncio

    from newsmirror.pipeline import as_they_come

    async def main() -> tuple[list[str], list[str]]:
        got, cancelled = [], []

        async def fine() -> str:
            return "fine"

        async def broken() -> str:
            await asyncio.sleep(0)
            raise ValueError("store gone")

        async def stuck() -> str:
            try:
                await asyncio.Event().wait()
            except asyncio.CancelledError:
                cancelled.append("stuck")
                raise
            return "never"

        with pytest.raises(ValueError, match="store gone"):
            async for value in as_they_come([fine(), broken(), stuck()]):
                got.append(value)
        await asyncio.sleep(0)  # let the cancellation reach the stuck one
        return got, cancelled

    assert asyncio.run(main()) == (["fine"], ["stuck"])
