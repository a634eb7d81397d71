"""The Sources page shows every feed of sources.toml with its health, failing ones first, including a
feed that never worked (so it has no articles); feed text in errors is escaped."""

from __future__ import annotations

from datetime import datetime, UTC

from webarchive import make_client

from newsmirror.config import Settings, save_sources
from newsmirror.models import FeedItem, Source
from newsmirror.store import open_store


def test_sources_page_lists_failing_feeds_first(tmp_path):
    settings = Settings.from_home(tmp_path / "home")
    good, bad = "https://good.example/rss", "https://bad.example/rss"
    save_sources(settings.sources_file, [Source(name="好報", feeds=(good,)), Source(name="壞報", feeds=(bad,))])
    settings.ensure_home()
    now = datetime.now(UTC)
    with open_store(settings.db_path) as store:
        store.save_item(FeedItem(source="好報", feed_url=good, title="標題", link="https://good.example/a/1",
                                 published=now, summary_html="<p>x</p>"), html="<p>x</p>", text="x", seen_at=now)
        store.record_feed_fetch("好報", good, fetched_at=now, status=200, items_seen=1)
        for _ in range(2):
            store.record_feed_fetch("壞報", bad, fetched_at=now, status=None,
                                    error="cannot connect to bad.example: <b>connection refused</b>")
    client = make_client(settings)
    try:
        html = client.get("/sources").text
    finally:
        client.close()
    table = html.split('id="feeds"', 1)[1]
    assert table.index("壞報") < table.index("好報")
    assert "失敗" in table and "正常" in table
    assert "&lt;b&gt;connection refused&lt;/b&gt;" in table and "<b>connection" not in table
    assert '<td class="num">2</td>' in table
