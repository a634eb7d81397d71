"""A page that keeps failing is retried across runs with backoff (an injected clock, no sleeps), then given up."""

from __future__ import annotations

from datetime import datetime, timedelta, UTC

from feedtext import rss
from httpserver import Reply
from newsmirror.config import Settings, save_sources
from newsmirror.fetch.http import FetchPolicy
from newsmirror.models import FailureKind, PageStatus, Source
from newsmirror.pipeline import fetch_sources
from newsmirror.store import open_store

RSS = "application/rss+xml; charset=utf-8"
T0 = datetime(2030, 5, 1, 8, 0, tzinfo=UTC)


def test_failed_page_backs_off_across_runs_and_is_given_up_with_its_reason(http_server, tmp_path):
    base = http_server.url("")
    http_server.add("/f.xml", Reply(rss([{"title": "標題", "link": f"{base}/p/1.html", "guid": "p1",
                                          "description": "摘要一句。"}]), content_type=RSS))
    http_server.add("/p/1.html", Reply(b"busy", status=503))
    sources = [Source(name="示範網", feeds=(http_server.url("/f.xml"),), full_text="auto")]
    settings = Settings.from_home(tmp_path / "home")
    save_sources(settings.sources_file, sources)
    policy = FetchPolicy(retries=0)

    def run_at(when: datetime) -> int:
        before = http_server.hits("/p/1.html")
        fetch_sources(settings, sources, policy=policy, now=when)
        return http_server.hits("/p/1.html") - before

    def record():
        with open_store(settings.db_path) as store:
            (article,) = list(store.iter_articles())
            return store.get_page_fetch(article.id)

    assert run_at(T0) == 1
    assert record().next_try == T0  # tried again at the next run
    assert run_at(T0 + timedelta(minutes=5)) == 1
    assert record().next_try == T0 + timedelta(minutes=5, hours=1)
    assert run_at(T0 + timedelta(minutes=30)) == 0  # not due yet: not requested
    assert run_at(T0 + timedelta(hours=1, minutes=6)) == 1
    assert record().attempts == 3 and record().next_try == T0 + timedelta(hours=5, minutes=6)
    assert run_at(T0 + timedelta(hours=6)) == 1  # attempt 4: next in 16 h
    assert run_at(T0 + timedelta(hours=23)) == 1  # attempt 5: 64 h more would pass the 3-day window
    final = record()
    assert final.status is PageStatus.GIVEN_UP and final.attempts == 5 and final.next_try is None
    assert final.kind is FailureKind.HTTP and "503" in final.reason
    assert run_at(T0 + timedelta(days=5)) == 0  # given up: never requested again


def test_pages_failed_lists_given_up_pages_with_their_reason(http_server, tmp_path):
    import json

    from click.testing import CliRunner

    from newsmirror.cli import cli

    base = http_server.url("")
    http_server.add("/f.xml", Reply(rss([{"title": "標題", "link": f"{base}/p/1.html", "guid": "p1",
                                          "description": "摘要一句。"}]), content_type=RSS))
    http_server.add("/p/1.html", Reply(b"gone", status=404))
    sources = [Source(name="示範網", feeds=(http_server.url("/f.xml"),), full_text="auto", timezone="Asia/Tokyo")]
    settings = Settings.from_home(tmp_path / "home")
    save_sources(settings.sources_file, sources)
    for hours in (0, 1, 3, 8, 30):
        fetch_sources(settings, sources, policy=FetchPolicy(retries=0, host_delay=0), now=T0 + timedelta(hours=hours))
    runner = CliRunner()
    listed = runner.invoke(cli, ["--home", str(settings.home), "pages", "--failed", "--json"])
    assert listed.exit_code == 0, listed.output
    (row,) = [json.loads(line) for line in listed.stdout.splitlines()]
    assert row["url"] == f"{base}/p/1.html" and row["status"] == "given_up" and row["kind"] == "http"
    assert "404" in row["reason"] and row["next_try"] is None and row["attempts"] == 5
    # times in the source's zone, with the offset
    assert row["first_try"] == "2030-05-01T17:00:00+09:00" and row["last_try"] == "2030-05-02T23:00:00+09:00"
    text = runner.invoke(cli, ["--home", str(settings.home), "pages", "--failed"])
    assert "5 attempts, last try 2030-05-02 23:00 (Asia/Tokyo): " in text.stdout and "Z" not in text.stdout
    in_utc = runner.invoke(cli, ["--home", str(settings.home), "pages", "--failed", "--tz", "UTC", "--json"])
    assert json.loads(in_utc.stdout)["last_try"] == "2030-05-02T14:00:00+00:00"
    bad = runner.invoke(cli, ["--home", str(settings.home), "pages", "--failed", "--tz", "Mars/Base"])
    assert bad.exit_code == 2 and "Mars/Base" in bad.stderr
    counts = runner.invoke(cli, ["--home", str(settings.home), "pages"])
    assert counts.stdout.strip() == "示範網: 1 given up"
    assert runner.invoke(cli, ["--home", str(settings.home), "pages", "--retrying"]).stdout == ""


def test_a_user_agent_without_a_contact_url_is_refused(tmp_path):
    from click.testing import CliRunner

    from newsmirror.cli import cli

    settings = Settings.from_home(tmp_path / "home")
    save_sources(settings.sources_file, [Source(name="示範網", feeds=("http://127.0.0.1:9/f.xml",))])
    settings.config_file.write_text('[fetch]\nuser_agent = "mybot"\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["--home", str(settings.home), "fetch"])
    assert result.exit_code == 2
    assert "user_agent 'mybot' names no contact URL" in result.stderr


def test_a_page_left_by_an_earlier_run_is_fetched_however_many_articles_this_run_stores(http_server, tmp_path,
                                                                                       monkeypatch):
    """Pages to catch up are looked for among the changes before this run: a run storing more new articles
    than the look-back window (PAGE_RETRY_CHANGES, made small here) does not push an earlier one out."""
    from newsmirror import pipeline

    base = http_server.url("")
    summary = {"title": "舊聞", "link": f"{base}/p/old.html", "guid": "old", "description": "摘要一句。",
               "date": T0.strftime("%a, %d %b %Y %H:%M:%S +0000")}
    page = ("<html><head><title>舊聞</title></head><body><article><h1>舊聞</h1>"
            + "<p>這是舊聞全文的一段，記者在台北報導相關消息，說明事件的來龍去脈與各方反應。</p>" * 8
            + "</article></body></html>")
    http_server.add("/p/old.html", Reply(page.encode(), content_type="text/html; charset=utf-8"))
    http_server.add("/f.xml", Reply(rss([summary]), content_type=RSS))
    feed = http_server.url("/f.xml")
    settings = Settings.from_home(tmp_path / "home")
    # the earlier run stored the summary and never reached its page (its source wanted no pages then)
    fetch_sources(settings, [Source(name="示範網", feeds=(feed,), full_text="never")])
    assert http_server.hits("/p/old.html") == 0
    full = "<p>" + "全文的一句話，說得夠長，不必再讀網頁。" * 20 + "</p>"
    news = [{"title": f"新聞{n}", "link": f"{base}/p/{n}.html", "guid": f"n{n}", "description": full,
             "date": T0.strftime("%a, %d %b %Y %H:%M:%S +0000")} for n in range(5)]
    http_server.add("/f.xml", Reply(rss([summary, *news]), content_type=RSS))
    monkeypatch.setattr(pipeline, "PAGE_RETRY_CHANGES", 3)  # fewer than the 5 articles this run stores
    done = fetch_sources(settings, [Source(name="示範網", feeds=(feed,), full_text="auto")],
                         policy=FetchPolicy(host_delay=0))
    assert done.new == 5
    assert http_server.hits("/p/old.html") == 1
