"""`newsmirror run`: server hints (max-age, ttl, 429 Retry-After), due feeds, `run --once`, failover to an
alternate feed and back, stale feeds, config reloading, -v, the extraction alarm in the round's log line.
The adaptive intervals: tests/test_cadence.py."""

from __future__ import annotations

import io
import random
from datetime import datetime, timedelta, UTC

import pytest
from click.testing import CliRunner

from feedtext import rss
from httpserver import Reply
from newsmirror.cli import cli
from newsmirror.config import Settings, load_sources, save_sources
from newsmirror.errors import ConfigError
from newsmirror.fetch.http import FetchPolicy
from newsmirror.models import Source
from newsmirror.pipeline import fetch_sources
from newsmirror.schedule import run_round, run_scheduler
from newsmirror.store import open_store

RSS = "application/rss+xml; charset=utf-8"
NOW = datetime(2030, 5, 1, 8, 0, tzinfo=UTC)
BOUNDS = {"interval": 60, "min_interval": 5, "max_interval": 1440}


def every(gap: timedelta, n: int, *, end: datetime = NOW) -> list[datetime]:
    return [end - gap * i for i in range(n)]


def _home(tmp_path, sources):
    settings = Settings.from_home(tmp_path / "home")
    save_sources(settings.sources_file, sources)
    return settings


def _schedule(settings, url):
    with open_store(settings.db_path) as store:
        return store.get_feed_schedule(url)


def _round(settings, sources, now):
    import asyncio

    from newsmirror.config import HomeConfig

    return asyncio.run(run_round(settings, sources, HomeConfig(), now=now, rng=random.Random(1),
                                 policy=FetchPolicy(retries=0, host_delay=0)))


def test_due_feeds_only_and_hints_from_max_age_ttl_and_429_retry_after(http_server, tmp_path):
    base = http_server.url("")
    now = datetime.now(UTC)  # items are stored at the real time; their dates must be before it
    items = [{"title": f"t{i}", "link": f"{base}/n/{i}", "guid": f"g{i}", "description": "x" * 300,
              "date": (now - timedelta(hours=i + 1)).strftime("%a, %d %b %Y %H:%M:%S +0000")} for i in range(48)]
    body = rss(items).replace(b"<channel>", b"<channel><ttl>180</ttl>")
    http_server.add("/ttl.xml", Reply(body, content_type=RSS))
    others = [dict(it, link=it["link"] + "c", guid=it["guid"] + "c") for it in items]
    http_server.add("/cache.xml", Reply(rss(others), content_type=RSS, headers={"Cache-Control": "max-age=14400"}))
    http_server.add("/busy.xml", Reply("slow down", status=429, headers={"Retry-After": "7200"}))
    sources = [Source(name=n, feeds=(http_server.url(f"/{n}.xml"),), full_text="never") for n in ("ttl", "cache", "busy")]
    settings = _home(tmp_path, sources)
    report = _round(settings, sources, now)
    assert report.sources_due == 3 and report.ok == 2 and report.failed == 1
    due = {s.source: s for s in open_store(settings.db_path).feed_schedules()}
    assert due["ttl"].reason == "RSS ttl 180 min" and due["ttl"].interval == 180 * 60
    assert due["cache"].reason == "Cache-Control max-age 14400 s"
    assert due["busy"].reason == "Retry-After 7200 s"
    assert due["busy"].next_due >= now + timedelta(seconds=7200 * 0.9)
    hits = len(http_server.requests)
    assert _round(settings, sources, now + timedelta(minutes=30)).sources_due == 0
    assert len(http_server.requests) == hits  # nothing due, nothing asked


def test_a_retry_after_in_the_past_or_absurdly_far_is_logged_and_a_safe_wait_used(http_server, tmp_path):
    base = http_server.url("")
    now = datetime.now(UTC)
    http_server.add("/past.xml", Reply("slow down", status=429, headers={"Retry-After": "Wed, 01 Jan 2020 00:00:00 GMT"}))
    http_server.add("/far.xml", Reply("slow down", status=429, headers={"Retry-After": "Fri, 01 Jan 2100 00:00:00 GMT"}))
    http_server.add("/ok.xml", Reply(rss([{"title": "t", "link": f"{base}/n/1", "guid": "g1", "description": "x"}]),
                                     content_type=RSS))
    sources = [Source(name=n, feeds=(http_server.url(f"/{n}.xml"),), full_text="never") for n in ("past", "far", "ok")]
    settings = _home(tmp_path, sources)
    report = _round(settings, sources, now)
    assert (report.sources_due, report.ok, report.failed, report.new) == (3, 1, 2, 1)  # the others go on
    past, far = (f"{n}: feed {http_server.url(f'/{n}.xml')}: " for n in ("past", "far"))
    assert past + "Retry-After is in the past; ignored; the interval doubled as for a 429 without one" in report.lines
    assert any(x.startswith(far + "Retry-After") and x.endswith("s is more than a day; waiting a day")
               for x in report.lines)
    due = {s.source: s for s in open_store(settings.db_path).feed_schedules()}
    assert due["past"].reason == "HTTP 429: interval doubled" and due["past"].interval == 2 * 60 * 60
    assert due["far"].interval == 86400 and due["far"].next_due <= now + timedelta(days=1, minutes=1)


def test_run_once_fetches_due_sources_publishes_and_is_quiet_when_nothing_is_due(http_server, tmp_path):
    base = http_server.url("")
    http_server.add("/a.xml", Reply(rss([{"title": "標題", "link": f"{base}/n/1", "guid": "g1",
                                          "description": "內文" * 120}]), content_type=RSS))
    settings = _home(tmp_path, [Source(name="示範", feeds=(http_server.url("/a.xml"),), full_text="never")])
    settings.config_file.write_text('[[publish.build]]\ntarget = "jekyll"\nout = "site"\n', encoding="utf-8")
    runner = CliRunner()
    first = runner.invoke(cli, ["--home", str(settings.home), "run", "--once"])
    assert first.exit_code == 0, first.output
    (line,) = first.stderr.splitlines()
    assert line.startswith("round: 1 sources due, 1 ok, 0 failed, 1 new") and "build jekyll" in line
    assert list((settings.home / "site" / "_posts").glob("*.md"))
    second = runner.invoke(cli, ["--home", str(settings.home), "run", "--once", "--json"])
    assert second.exit_code == 0 and second.stderr == "" and http_server.hits("/a.xml") == 1


def test_run_once_json_writes_one_json_object_a_line_for_journald_and_exits_1_when_a_feed_failed(http_server,
                                                                                                    tmp_path):
    import json

    base = http_server.url("")
    http_server.add("/a.xml", Reply(rss([{"title": "標題", "link": f"{base}/n/1", "guid": "g1",
                                          "description": "內文" * 120}]), content_type=RSS))
    http_server.add("/b.xml", Reply("down", status=500))
    sources = [Source(name=n, feeds=(http_server.url(f"/{n}.xml"),), full_text="never") for n in ("a", "b")]
    settings = _home(tmp_path, sources)
    settings.config_file.write_text("[fetch]\nhost_delay = 0\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["--home", str(settings.home), "run", "--once", "--json"])
    assert result.exit_code == 1 and result.stdout == ""
    (line,) = [json.loads(x) for x in result.stderr.splitlines()]
    assert line["event"] == "round"
    assert (line["sources_due"], line["ok"], line["failed"], line["new"]) == (2, 1, 1, 1)
    assert line["alarms"] == [] and isinstance(line["seconds"], float)


def test_bad_intervals_and_alternates_are_logged_and_the_other_sources_still_load(tmp_path):
    path = tmp_path / "sources.toml"
    path.write_text('[[source]]\nname = "甲"\nfeeds = [{url = "https://a.example/f", alternates = ["ftp://a.example/f",'
                    ' "https://mirror.example/f"]}]\ninterval = "hourly"\n\n'
                    '[[source]]\nname = "乙"\nfeeds = ["https://b.example/f"]\ninterval = 5\nmin_interval = 10\n',
                    encoding="utf-8")
    warnings: list[str] = []
    first, second = load_sources(path, warnings, lenient_intervals=True)  # `run` rereading the file
    assert first.interval == 60 and first.alternates_for("https://a.example/f") == ("https://mirror.example/f",)
    assert (second.interval, second.min_interval) == (60, 15)
    assert any("'interval' must be a number of minutes" in w and "'hourly'" in w for w in warnings)
    assert any("'ftp://a.example/f' is not an http(s) URL" in w for w in warnings)
    assert any("interval 5 is outside min_interval 10" in w for w in warnings)
    with pytest.raises(ConfigError, match=r"source #1 \(甲\): 'interval' must be a number of minutes"):
        load_sources(path, [])  # the command line: strict about intervals
    with pytest.raises(ConfigError, match="interval"):
        load_sources(path)  # strict about everything (sources add)


def test_failover_to_an_alternate_and_back(http_server, tmp_path):
    base = http_server.url("")
    feed = rss([{"title": "標題", "link": f"{base}/n/1", "guid": "g1", "description": "內文" * 120}])
    http_server.add("/primary.xml", [Reply("down", status=500)] * 4 + [Reply(feed, content_type=RSS)])
    http_server.add("/mirror.xml", Reply(feed, content_type=RSS))
    primary, mirror = http_server.url("/primary.xml"), http_server.url("/mirror.xml")
    source = Source(name="示範", feeds=(primary,), full_text="never", alternates=((primary, (mirror,)),))
    settings = _home(tmp_path, [source])
    policy = FetchPolicy(retries=0, host_delay=0)
    runs = [fetch_sources(settings, [source], policy=policy, now=NOW + timedelta(minutes=10 * i)) for i in range(3)]
    assert [r.feeds_failed for r in runs] == [1, 1, 1] and http_server.hits("/mirror.xml") == 0
    assert runs[2].notes == [f"示範: feed {primary} failed 3 times in a row; switching to {mirror}"]
    on_mirror = fetch_sources(settings, [source], policy=policy, now=NOW + timedelta(minutes=30))
    assert on_mirror.new == 1 and http_server.hits("/mirror.xml") == 1 and http_server.hits("/primary.xml") == 3
    with open_store(settings.db_path) as store:
        (article,) = list(store.iter_articles())
        assert article.feed_url == primary  # the feed's own article, whichever URL it came from
    # the primary is tried again later: still failing, then back
    fetch_sources(settings, [source], policy=policy, now=NOW + timedelta(hours=3))
    assert http_server.hits("/primary.xml") == 4 and http_server.hits("/mirror.xml") == 2
    back = fetch_sources(settings, [source], policy=policy, now=NOW + timedelta(hours=6))
    assert back.notes == [f"示範: feed {primary} answers again; back from {mirror} to the primary"]
    assert back.duplicates == 0 and back.unchanged == 1
    fetch_sources(settings, [source], policy=policy, now=NOW + timedelta(hours=7))
    assert http_server.hits("/primary.xml") == 6 and http_server.hits("/mirror.xml") == 2
    listed = CliRunner().invoke(cli, ["--home", str(settings.home), "sources", "list", "--json"])
    import json

    (row,) = [json.loads(x) for x in listed.stdout.splitlines()]
    assert row["current_url"] == primary and row["consecutive_failures"] == 0


def test_verbose_run_logs_each_feed_failure_and_is_quiet_without(http_server, tmp_path):
    import io

    from newsmirror.schedule import run_scheduler

    base = http_server.url("")
    http_server.add("/ok.xml", Reply(rss([{"title": "標題", "link": f"{base}/n/1", "guid": "g1",
                                           "description": "內文" * 120}]), content_type=RSS))
    http_server.add("/gone.xml", Reply("gone", status=404))
    http_server.add("/junk.xml", Reply("<html><body>not a feed</body></html>"))
    sources = [Source(name=n, feeds=(http_server.url(f"/{n}.xml"),), full_text="never") for n in ("ok", "gone", "junk")]
    settings = _home(tmp_path, sources)
    verbose = CliRunner().invoke(cli, ["--home", str(settings.home), "-v", "run", "--once"])
    assert verbose.exit_code == 1
    *failures, line = verbose.stderr.splitlines()
    assert line.startswith("round: 3 sources due, 1 ok, 2 failed, 1 new")
    assert sorted(f.split(":")[1].strip() for f in failures) == ["gone", "junk"]
    (gone,) = [f for f in failures if f.startswith("failed: gone: ")]
    assert "404" in gone and http_server.url("/gone.xml") in gone
    (junk,) = [f for f in failures if f.startswith("failed: junk: ")]
    assert http_server.url("/junk.xml") in junk
    quiet = io.StringIO()
    later = datetime.now(UTC) + timedelta(days=2)  # every feed due again
    assert run_scheduler(settings, once=True, stream=quiet, clock=lambda: later) == 1
    (line,) = quiet.getvalue().splitlines()
    assert line.startswith("round: 3 sources due, 1 ok, 2 failed")
    as_json = io.StringIO()
    assert run_scheduler(settings, once=True, as_json=True, verbose=True, stream=as_json,
                         clock=lambda: later + timedelta(days=2)) == 1
    import json

    events = [json.loads(x) for x in as_json.getvalue().splitlines()]
    assert [e["event"] for e in events] == ["failure", "failure", "round"]


def test_while_running_a_bad_edit_is_logged_once_and_a_broken_file_keeps_the_last_good_one(tmp_path):
    from newsmirror.schedule import Reloader

    settings = _home(tmp_path, [Source(name="甲", feeds=("https://a.example/f",)),
                                Source(name="乙", feeds=("https://b.example/f",))])
    files = Reloader(settings)
    sources, _, said = files.load()
    assert [s.name for s in sources] == ["甲", "乙"] and said == []
    text = settings.sources_file.read_text(encoding="utf-8")
    settings.sources_file.write_text(text + "interval = 5000\n", encoding="utf-8")  # 乙's interval, out of bounds
    sources, _, said = files.load()
    assert [s.interval for s in sources] == [60, 60]
    assert len(said) == 1 and "source #2 (乙): interval 5000 is outside min_interval 15 .. max_interval 1440" in said[0]
    assert files.load()[2] == []  # said once, not every round
    settings.sources_file.write_text(text + "[[source\n", encoding="utf-8")  # an edit half saved
    sources, _, said = files.load()
    assert [s.name for s in sources] == ["甲", "乙"]
    assert len(said) == 1 and "is not valid TOML" in said[0]
    assert said[0].endswith("still running with the files as they were")
    assert files.load()[2] == []
    settings.sources_file.write_text(text.replace('name = "乙"', 'name = "丙"'), encoding="utf-8")
    assert [s.name for s in files.load()[0]] == ["甲", "丙"]
    settings.sources_file.write_text("[[source\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML"):
        Reloader(settings).load()  # a file broken before the start stops `run` at once (exit 2 from the CLI)


def _page(title: str, byline: bool) -> str:
    """An article page of our own; the redesigned outlet's pages lost their byline and date."""
    head = '<div class="byline">記者王大明／台北報導</div><time datetime="2030-01-01T10:00:00+08:00">2030/01/01</time>'
    return (f"<html><body><article><h1>{title}</h1>{head if byline else ''}<p>"
            + "交通部今天說明連假疏運計畫，國道車流預估增加一成，呼籲民眾提早規劃行程。" * 6
            + "</p></article></body></html>")


def test_an_extraction_regression_shows_in_the_rounds_log_line_and_in_sources_list(http_server, tmp_path):
    # two outlets, a week of complete pages (byline and date); then one redesigns: its new pages lose both
    base = http_server.url("")
    now = datetime.now(UTC)
    names = {"redesigned": "改版網", "steady": "穩定網"}
    sources = [Source(name=name, feeds=(http_server.url(f"/{key}.xml"),)) for key, name in names.items()]
    settings = _home(tmp_path, sources)
    settings.config_file.write_text("[fetch]\nhost_delay = 0\n", encoding="utf-8")

    def serve(key: str, first: int, n: int, byline: bool) -> None:
        items = [{"title": f"{key}{i}", "link": f"{base}/{key}/{i}.html", "guid": f"{key}{i}", "description": "摘要。"}
                 for i in range(first, first + n)]
        http_server.add(f"/{key}.xml", Reply(rss(items), content_type=RSS))
        for i in range(first, first + n):
            http_server.add(f"/{key}/{i}.html", Reply(_page(f"{key}{i}", byline)))

    for key in names:
        serve(key, 0, 12, byline=True)
    out = io.StringIO()
    assert run_scheduler(settings, once=True, stream=out, clock=lambda: now - timedelta(days=3)) == 0
    assert "ALARM" not in out.getvalue() and "24 pages" in out.getvalue()
    serve("redesigned", 12, 6, byline=False)
    serve("steady", 12, 6, byline=True)
    out = io.StringIO()
    assert run_scheduler(settings, once=True, stream=out, clock=lambda: now) == 0
    (line,) = out.getvalue().splitlines()
    assert line.startswith("round: 2 sources due, 2 ok, 0 failed, 12 new")
    assert line.endswith("; ALARM extraction: 改版網: 0% of the last day's 6 pages extracted with byline and date, "
                         "against 100% of 12 the 7 days before; check its pages with 'newsmirror extract URL'")
    assert "穩定網" not in line
    listed = CliRunner().invoke(cli, ["--home", str(settings.home), "sources", "list"])
    assert listed.exit_code == 0
    alarms = [x for x in listed.stdout.splitlines() if x.startswith("ALARM")]
    assert alarms == ["ALARM 改版網: 0% of the last day's 6 pages extracted with byline and date, against 100% of 12 "
                      "the 7 days before; check its pages with 'newsmirror extract URL'"]


def test_a_failed_index_or_stories_step_is_named_in_the_rounds_log_even_without_verbose(http_server, tmp_path):
    """The articles are stored and the round goes on; its exit status is 1 and the log says which step failed
    and how to repair it (not only with -v), instead of an exit status with no reason."""
    base = http_server.url("")
    http_server.add("/a.xml", Reply(rss([{"title": "標題", "link": f"{base}/n/1", "guid": "g1",
                                          "description": "內文" * 120}]), content_type=RSS))
    settings = _home(tmp_path, [Source(name="示範", feeds=(http_server.url("/a.xml"),), full_text="never")])
    (settings.home / "index.sqlite").write_bytes(b"this is not a search index" * 100)
    result = CliRunner().invoke(cli, ["--home", str(settings.home), "run", "--once"])
    assert result.exit_code == 1, result.output
    failed, line = result.stderr.splitlines()
    assert failed.startswith("failed: search index: ") and "index.sqlite" in failed
    assert failed.endswith("(run 'newsmirror index --rebuild')")
    assert line.startswith("round: 1 sources due, 1 ok, 0 failed, 1 new")
    with open_store(settings.db_path) as store:
        assert store.count_articles() == 1
