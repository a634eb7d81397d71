"""`newsmirror run` as a real process: it fetches the due sources at once, and SIGTERM in the middle of
a round stops it within seconds with exit 0, leaving an archive the next run completes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from feedtext import rss
from httpserver import Reply
from newsmirror.config import Settings, save_sources
from newsmirror.models import Source
from newsmirror.store import open_store

RSS = "application/rss+xml; charset=utf-8"
PAGE = ("<html><body><article><h1>標題{n}</h1><p>" + "交通部今天說明連假疏運計畫，國道車流預估增加一成。" * 8
        + "</p></article></body></html>")


def test_run_fetches_due_sources_and_stops_cleanly_on_sigterm(http_server, tmp_path):
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
        proc.send_signal(signal.SIGTERM)
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
