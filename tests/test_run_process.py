"""`newsmirror run` as a real process: it fetches the due sources at once, and SIGTERM in the middle of
a round (or SIGINT, Ctrl-C) stops it within seconds with exit 0, leaving an archive the next run completes; SIGKILL in the
middle of a round leaves an archive that the next `run --once` completes, publishes and indexes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from feedtext import rss
from httpserver import Reply
from newsmirror.config import Settings, save_sources
from newsmirror.models import Source
from newsmirror.store import open_store

RSS = "application/rss+xml; charset=utf-8"
PAGE = ("<html><body><article><h1>標題{n}</h1><p>" + "交通部今天說明連假疏運計畫，國道車流預估增加一成。" * 8
        + "</p></article></body></html>")


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_run_fetches_due_sources_and_stops_cleanly_on_sigterm_or_sigint(http_server, tmp_path, signum):
    base = http_server.url("")
    items = [{"title": f"標題{i}", "link": f"{base}/p/{i}.html", "guid": f"g{i}", "description": "摘要。"}
             for i in range(3)]
    http_server.add("/f.xml", Reply(rss(items), content_type=RSS))
    for i in range(3):
        http_server.add(f"/p/{i}.html", Reply(PAGE.format(n=i), delay=30))  # the round is still in flight
    settings = Settings.from_home(tmp_path / "home")
    save_sources(settings.sources_file, [Source(name="示範網", feeds=(http_server.url("/f.xml"),))])
    settings.config_file.write_text("[fetch]\nhost_delay = 0\n", encoding="utf-8")
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "newsmirror", "--home", str(settings.home), "run"],
                            stderr=subprocess.PIPE, text=True, env=env)
    try:
        deadline = time.monotonic() + 20
        while not any(r.path.startswith("/p/") for r in http_server.requests) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert http_server.hits("/f.xml") == 1, "run did not fetch the due source at start"
        proc.send_signal(signum)
        sent = time.monotonic()
        proc.wait(timeout=10)
        assert time.monotonic() - sent < 5
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    stderr = proc.stderr.read()
    proc.stderr.close()
    assert proc.returncode == 0, stderr
    assert "stopped" in stderr
    with open_store(settings.db_path) as store:
        assert store.count_articles() == 3  # the feed's items were stored before the pages were asked for
        assert store.integrity_check() == "ok"
    # the next run completes what the stopped one left: the pages, asked for again
    for i in range(3):
        http_server.add(f"/p/{i}.html", Reply(PAGE.format(n=i)))
    done = subprocess.run([sys.executable, "-m", "newsmirror", "--home", str(settings.home), "run", "--once"],
                          capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    with open_store(settings.db_path) as store:
        assert all(store.get_page_fetch(a.id).status.value == "ok" for a in store.iter_articles())


def test_run_killed_with_sigkill_mid_round_is_completed_by_the_next_run_once(http_server, tmp_path):
    from warcio.archiveiterator import ArchiveIterator

    from newsmirror.fetch.warc import RawArchive

    base = http_server.url("")
    items = [{"title": f"標題{i}", "link": f"{base}/p/{i}.html", "guid": f"g{i}", "description": "摘要。"}
             for i in range(6)]
    http_server.add("/f.xml", Reply(rss(items), content_type=RSS))
    answered: list[str] = []

    def first_three_then_hang(req):  # whichever pages are asked first: three answer, the rest hang
        answered.append(req.path)
        n = int(req.path.split("/")[-1].split(".")[0])
        return Reply(PAGE.format(n=n), delay=0 if len(answered) <= 3 else 60)

    for i in range(6):
        http_server.add(f"/p/{i}.html", first_three_then_hang)
    settings = Settings.from_home(tmp_path / "home")
    save_sources(settings.sources_file, [Source(name="示範網", feeds=(http_server.url("/f.xml"),))])
    settings.config_file.write_text('[fetch]\nhost_delay = 0\n\n[[publish.build]]\ntarget = "jekyll"\nout = "site"\n',
                                    encoding="utf-8")
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "newsmirror", "--home", str(settings.home), "run"],
                            stderr=subprocess.DEVNULL, env=env)

    def pages_ok() -> int:
        if not settings.db_path.exists():
            return 0
        with open_store(settings.db_path) as store:
            return sum(1 for a in store.iter_articles()
                       if (f := store.get_page_fetch(a.id)) is not None and f.status.value == "ok")

    try:
        deadline = time.monotonic() + 30
        while (pages_ok() < 3 or len(answered) < 5) and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.05)
        assert pages_ok() == 3 and len(answered) == 5, "the round did not reach the hanging pages"
        os.kill(proc.pid, signal.SIGKILL)  # mid-round: pages in flight, nothing rescheduled, published or indexed
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == -signal.SIGKILL
    with open_store(settings.db_path) as store:
        assert store.integrity_check() == "ok" and store.count_articles() == 6
    assert not (settings.home / "site" / "_posts").exists()

    for i in range(6):
        http_server.add(f"/p/{i}.html", Reply(PAGE.format(n=i)))
    done = subprocess.run([sys.executable, "-m", "newsmirror", "--home", str(settings.home), "run", "--once"],
                          capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "0 new" in done.stderr and "3 pages" in done.stderr and "build jekyll" in done.stderr
    with open_store(settings.db_path) as store:
        assert store.integrity_check() == "ok"
        articles = list(store.iter_articles())
        assert sorted(a.url for a in articles) == sorted(it["link"] for it in items)  # each once: no duplicate
        assert all(len(store.article_versions(a.id)) == 1 for a in articles)
        assert all(store.get_page_fetch(a.id).status.value == "ok" for a in articles)
        refs = [v.raw_ref for a in articles for v in store.article_versions(a.id)]
    # every WARC record reads back whole, and every page was archived once: three by each run
    responses = []
    for path in sorted(settings.raw_dir.glob("*.warc.gz")):
        with open(path, "rb") as handle:
            for rec in ArchiveIterator(handle):  # raises on a record cut short
                body = rec.content_stream().read()
                if rec.rec_type == "response":
                    responses.append((rec.rec_headers.get_header("WARC-Target-URI"), body))
    assert len(list(settings.raw_dir.glob("*.warc.gz"))) == 2
    pages = sorted(uri for uri, _ in responses if "/p/" in uri)
    assert pages == sorted(it["link"] for it in items)
    assert all("標題" in body.decode("utf-8") for uri, body in responses if "/p/" in uri)
    archive = RawArchive(settings.raw_dir)
    assert sorted(archive.read(ref).url for ref in refs) == pages  # each body's page response, readable
    assert len(list((settings.home / "site" / "_posts").glob("*.md"))) == 6  # published by the next run
    found = subprocess.run([sys.executable, "-m", "newsmirror", "--home", str(settings.home), "search", "交通部",
                            "--json"], capture_output=True, text=True, env=env, timeout=60)
    assert found.returncode == 0 and len(found.stdout.splitlines()) == 6  # and indexed
