"""Feed health (failing first, stale after 5x the usual interval) and the extraction regression alarm,
on a real archive; and `sources list` showing them."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, UTC

from click.testing import CliRunner

from newsmirror.cli import cli
from newsmirror.config import Settings, save_sources
from newsmirror.health import extraction_alarms, feed_health
from newsmirror.models import FailureKind, FeedItem, PageFetch, PageStatus, Source
from newsmirror.store import open_store

NOW = datetime.now(UTC).replace(microsecond=0)


def _items(store, source, feed, times):
    ids = []
    for i, when in enumerate(times):
        item = FeedItem(source=source, feed_url=feed, title=f"{source}{i}", link=f"{feed}/a/{i}", guid=f"{feed}{i}",
                        published=when, summary_html="<p>x</p>")
        ids.append(store.save_item(item, html="<p>x</p>", text="x", seen_at=NOW).article_id)
    return ids


def test_stale_after_five_usual_intervals_and_failing_feeds_first(tmp_path):
    settings = Settings.from_home(tmp_path / "home")
    sources = [Source(name=n, feeds=(f"https://{n}.example/rss",)) for n in ("fresh", "quiet", "broken")]
    save_sources(settings.sources_file, sources)
    settings.ensure_home()
    with open_store(settings.db_path) as store:
        _items(store, "fresh", "https://fresh.example/rss", [NOW - timedelta(hours=3 + i) for i in range(10)])
        _items(store, "quiet", "https://quiet.example/rss", [NOW - timedelta(hours=6 + i) for i in range(10)])
        for s in sources[:2]:
            store.record_feed_fetch(s.name, s.feeds[0], fetched_at=NOW, status=200, items_seen=10)
        store.record_feed_fetch("broken", "https://broken.example/rss", fetched_at=NOW, status=500,
                                error="https://broken.example/rss answered HTTP 500")
        rows = feed_health(store, sources, NOW)
    assert [(h.source, h.failing, h.stale) for h in rows] == [
        ("broken", True, False), ("quiet", False, True), ("fresh", False, False)]
    assert rows[1].usual == timedelta(hours=1)
    listed = CliRunner().invoke(cli, ["--home", str(settings.home), "sources", "list"])
    lines = listed.stdout.splitlines()
    assert lines[0].startswith("FAIL  broken") and any(x.startswith("STALE quiet") for x in lines)
    assert "last error: https://broken.example/rss answered HTTP 500" in listed.stdout
    assert "(stale: usually every 60 min)" in listed.stdout


def test_extraction_alarm_when_an_outlets_complete_share_drops(tmp_path):
    settings = Settings.from_home(tmp_path / "home")
    sources = [Source(name=n, feeds=(f"https://{n}.example/rss",)) for n in ("redesigned", "steady")]
    save_sources(settings.sources_file, sources)
    settings.ensure_home()
    with open_store(settings.db_path) as store:
        for name in ("redesigned", "steady"):
            feed = f"https://{name}.example/rss"
            old = _items(store, name, feed, [NOW - timedelta(days=3, minutes=i) for i in range(20)])
            new = _items(store, name, feed, [NOW - timedelta(hours=2, minutes=i) for i in range(10)][::-1])
            for ids, when, complete in ((old, NOW - timedelta(days=3), True), (new, NOW - timedelta(hours=1),
                                                                                name == "steady")):
                for aid in ids:
                    if complete or aid % 5 == 0:
                        record = PageFetch(aid, f"{feed}/a/{aid}", PageStatus.OK, attempts=1, first_try=when,
                                           last_try=when, complete=complete)
                    else:
                        record = PageFetch(aid, f"{feed}/a/{aid}", PageStatus.RETRYING, attempts=1,
                                           kind=FailureKind.NOT_ARTICLE, reason="no article text",
                                           first_try=when, last_try=when, next_try=when)
                    store.save_page_fetch(record)
        (alarm,) = extraction_alarms(store, NOW)
    assert alarm.source == "redesigned" and alarm.recent_share == 0 and alarm.baseline_share == 1.0
    listed = CliRunner().invoke(cli, ["--home", str(settings.home), "sources", "list", "--json"])
    rows = {r["source"]: r for r in map(json.loads, listed.stdout.splitlines())}
    assert "0% of the last day's 10 pages" in rows["redesigned"]["extraction_alarm"]
    assert rows["steady"]["extraction_alarm"] is None
