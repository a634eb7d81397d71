"""Feed state, streaming reads (order, filters, paging) and the change log."""

from __future__ import annotations

import tracemalloc
from datetime import datetime, timedelta, timezone, UTC

from newsmirror.store.sqlite import PAGE_SIZE, SQLiteStore

T0 = datetime(2024, 5, 1, 8, 0, tzinfo=UTC)
FEED = "https://news.example/rss"


# --- feed state ---------------------------------------------------------------------------

def test_unknown_feed_has_no_state(store):
    assert store.get_feed_state(FEED) is None
    assert store.feed_states() == []


def test_ok_fetch_stores_validators_and_health(store):
    st = store.record_feed_fetch("聯合報", FEED, fetched_at=T0, status=200, etag='"v1"',
                                 last_modified="Wed, 01 May 2024 08:00:00 GMT", items_seen=30)
    assert (st.source, st.url, st.last_status, st.etag, st.items_seen) == ("聯合報", FEED, 200, '"v1"', 30)
    assert st.last_modified == "Wed, 01 May 2024 08:00:00 GMT"
    assert st.last_fetch == T0 and st.last_ok == T0
    assert st.consecutive_failures == 0 and st.last_error is None
    assert store.get_feed_state(FEED) == st


def test_errors_increment_and_ok_resets(store):
    store.record_feed_fetch("聯合報", FEED, fetched_at=T0, status=200, etag='"v1"', items_seen=5)
    for k in range(1, 4):
        st = store.record_feed_fetch("聯合報", FEED, fetched_at=T0 + timedelta(hours=k), status=503,
                                     error=f"feed {FEED} answered 503")
        assert st.consecutive_failures == k
    assert st.last_error == f"feed {FEED} answered 503" and st.last_status == 503
    assert st.last_ok == T0 and st.last_fetch == T0 + timedelta(hours=3)
    assert st.etag == '"v1"' and st.items_seen == 5  # an error keeps the validators
    ok = store.record_feed_fetch("聯合報", FEED, fetched_at=T0 + timedelta(hours=4), status=200, items_seen=7)
    assert ok.consecutive_failures == 0 and ok.last_error is None
    assert ok.last_ok == T0 + timedelta(hours=4) and ok.items_seen == 7


def test_network_error_without_status(store):
    st = store.record_feed_fetch("聯合報", FEED, fetched_at=T0, status=None, error="connection refused")
    assert st.last_status is None and st.consecutive_failures == 1 and st.last_ok is None


def test_304_keeps_validators(store):
    store.record_feed_fetch("聯合報", FEED, fetched_at=T0, status=200, etag='"v1"',
                            last_modified="Wed, 01 May 2024 08:00:00 GMT", items_seen=12)
    st = store.record_feed_fetch("聯合報", FEED, fetched_at=T0 + timedelta(hours=1), status=304)
    assert (st.etag, st.last_modified, st.items_seen) == ('"v1"', "Wed, 01 May 2024 08:00:00 GMT", 12)
    assert st.last_status == 304 and st.last_ok == T0 + timedelta(hours=1)
    st = store.record_feed_fetch("聯合報", FEED, fetched_at=T0 + timedelta(hours=2), status=304, etag='"v2"')
    assert st.etag == '"v2"' and st.last_modified == "Wed, 01 May 2024 08:00:00 GMT"


def test_200_without_validators_clears_them(store):
    store.record_feed_fetch("聯合報", FEED, fetched_at=T0, status=200, etag='"v1"')
    st = store.record_feed_fetch("聯合報", FEED, fetched_at=T0, status=200)
    assert st.etag is None and st.last_modified is None


def test_feed_states_ordered_by_source_then_url(store):
    for source, url in [("B", "https://b/2"), ("A", "https://a/9"), ("B", "https://b/1")]:
        store.record_feed_fetch(source, url, fetched_at=T0, status=200)
    assert [(s.source, s.url) for s in store.feed_states()] == [("A", "https://a/9"), ("B", "https://b/1"),
                                                                ("B", "https://b/2")]


# --- iter_articles ------------------------------------------------------------------------

def fill(store, make_item, n, *, source_of=lambda i: "A" if i % 3 else "B", html="<p>x</p>"):
    """n articles; published goes back and forth so id order differs from published order."""
    items = []
    for i in range(n):
        published = T0 - timedelta(minutes=(i * 37) % 101)  # with ties
        items.append((make_item(i, source=source_of(i), published=published), html, "x"))
    store.save_items(items, seen_at=T0)


def test_iter_articles_order_and_ties(store, make_item):
    fill(store, make_item, 300)
    arts = list(store.iter_articles())
    assert len(arts) == 300
    keys = [(a.published, a.id) for a in arts]
    assert keys == sorted(keys)
    assert len({a.published for a in arts}) < 300  # ties exist and are ordered by id
    newest = list(store.iter_articles(newest_first=True))
    assert [a.id for a in newest] == [a.id for a in reversed(arts)]


def test_iter_articles_filters(store, make_item):
    fill(store, make_item, 300)
    everything = list(store.iter_articles())
    since, until = T0 - timedelta(minutes=60), T0 - timedelta(minutes=20)
    got = list(store.iter_articles(source="B", since=since, until=until))
    want = [a for a in everything if a.source == "B" and since <= a.published < until]
    assert [a.id for a in got] == [a.id for a in want] and want
    # since/until given in another timezone mean the same instants
    tpe = timezone(timedelta(hours=8))
    got_tpe = list(store.iter_articles(source="B", since=since.astimezone(tpe), until=until.astimezone(tpe)))
    assert [a.id for a in got_tpe] == [a.id for a in want]
    assert list(store.iter_articles(source="nobody")) == []


def test_iter_articles_limit_and_offset_across_pages(store, make_item):
    n = PAGE_SIZE * 2 + 50
    fill(store, make_item, n)
    everything = [a.id for a in store.iter_articles()]
    assert len(everything) == n
    for offset, limit in [(0, 10), (PAGE_SIZE - 5, 20), (100, PAGE_SIZE + 30), (n - 3, 10), (n + 5, 3),
                          (7, None), (0, 0)]:
        got = [a.id for a in store.iter_articles(offset=offset, limit=limit)]
        want = everything[offset:] if limit is None else everything[offset:offset + limit]
        assert got == want, (offset, limit)
    newest = [a.id for a in store.iter_articles(newest_first=True, offset=PAGE_SIZE - 1, limit=5)]
    assert newest == list(reversed(everything))[PAGE_SIZE - 1:PAGE_SIZE + 4]


def test_iteration_survives_writes_in_between(store, make_item):
    fill(store, make_item, PAGE_SIZE + 10, source_of=lambda i: "A")
    seen = 0
    for _ in store.iter_articles(source="A"):
        if seen == 0:
            store.save_item(make_item("late", source="Z"), html="<p>z</p>", text="z", seen_at=T0)
        seen += 1
    assert seen == PAGE_SIZE + 10


def test_streaming_20000_articles_in_small_memory(tmp_path, make_item):
    """A publish run over the whole archive must not hold it in memory."""
    store = SQLiteStore(tmp_path / "big.sqlite")
    try:
        body = "<p>" + "這是一段新聞內容，" * 60 + "</p>"  # ~1.6 KB of UTF-8 per copy
        for start in range(0, 20_000, 5_000):
            batch = [(make_item(i, published=T0 - timedelta(seconds=i)), body, body) for i in range(start, start + 5_000)]
            store.save_items(batch, seen_at=T0)
        tracemalloc.start()
        count = chars = 0
        for art in store.iter_articles():
            count += 1
            chars += len(art.text)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    finally:
        store.close()
    assert count == 20_000
    assert chars > 20_000 * 500  # the rows carried real content (tens of MB as Python strings) ...
    assert peak < 6_000_000, f"peak {peak} bytes while streaming"  # ... yet the peak stays a few pages


# --- changes_since ------------------------------------------------------------------------

def test_changes_since_follows_creations_and_new_versions(store, make_item):
    assert store.last_change() == 0 and list(store.changes_since(0)) == []
    ids = [store.save_item(make_item(n), html=f"<p>{n}</p>", text="t", seen_at=T0).article_id for n in (1, 2, 3)]
    changes = list(store.changes_since(0))
    assert [(seq, a.id) for seq, a in changes] == [(1, ids[0]), (2, ids[1]), (3, ids[2])]
    mark = store.last_change()
    assert mark == 3

    store.save_item(make_item(1), html="<p>1</p>", text="t", seen_at=T0)  # unchanged: no change
    store.save_item(make_item(2, source="other"), html="<p>2</p>", text="t", seen_at=T0)  # duplicate
    assert list(store.changes_since(mark)) == []

    store.save_item(make_item(1, title="改"), html="<p>1b</p>", text="t", seen_at=T0)  # revised
    (seq, art), = store.changes_since(mark)
    assert seq > mark and art.id == ids[0] and art.version == 2 and art.html == "<p>1b</p>"

    from newsmirror.models import Article
    store.save_page(ids[2], Article(html="<p>全文</p>"), html="<p>全文</p>", text="全文", seen_at=T0)
    assert [a.id for _, a in store.changes_since(seq)] == [ids[2]]
    # every article appears once, at its latest change
    assert [a.id for _, a in store.changes_since(0)] == [ids[1], ids[0], ids[2]]
    seqs = [s for s, _ in store.changes_since(0)]
    assert seqs == sorted(seqs) and len(set(seqs)) == 3


def test_changes_since_pages_and_limit(store, make_item):
    fill(store, make_item, PAGE_SIZE + 20)
    all_changes = list(store.changes_since(0))
    assert [s for s, _ in all_changes] == list(range(1, PAGE_SIZE + 21))
    assert [s for s, _ in store.changes_since(5, limit=3)] == [6, 7, 8]
    assert len(list(store.changes_since(10, limit=PAGE_SIZE + 5))) == PAGE_SIZE + 5


def test_changes_are_numbered_across_processes_and_reopening(tmp_path, make_item):
    path = tmp_path / "a.sqlite"
    with SQLiteStore(path) as s:
        s.save_item(make_item(1), html="a", text="a", seen_at=T0)
    with SQLiteStore(path) as s:
        s.save_item(make_item(2), html="b", text="b", seen_at=T0)
        assert [seq for seq, _ in s.changes_since(0)] == [1, 2]


def test_long_errors_are_cut(store):
    from newsmirror.store.sqlite import MAX_ERROR_CHARS

    st = store.record_feed_fetch("聯合報", FEED, fetched_at=T0, status=500, error="x" * 10_000)
    assert len(st.last_error) == MAX_ERROR_CHARS
