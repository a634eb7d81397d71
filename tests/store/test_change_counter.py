"""Change numbers are never handed out twice: deleting the newest articles (the archive's only one, a removed
source) frees no number, so the followers of `changes_since` (search index, stories) see what comes next.
Every test runs on both backends (the `store` fixture)."""

from __future__ import annotations

from datetime import UTC, datetime

from newsmirror.chinese import load_aliases
from newsmirror.index import SearchIndex
from newsmirror.models import Article
from newsmirror.stories import sync_stories

T0 = datetime(2024, 5, 1, 8, 0, tzinfo=UTC)
BODY = "立法院今天三讀通過新的預算案，行政院長表示將盡快執行，各部會須在月底前提出計畫。"


def save(store, make_item, n: int, source: str = "聯合報") -> int:
    item = make_item(n, source=source, feed_url=f"https://{n}.example/rss", summary_html=f"<p>{BODY}{n}</p>")
    return store.save_item(item, html=item.summary_html, text=f"{BODY}{n}", seen_at=T0).article_id


def test_deleting_the_only_article_frees_no_number(store, make_item):
    save(store, make_item, 1, source="中央社")
    follower = store.last_change()  # a follower that has read everything
    assert store.delete_source_articles("中央社") and store.count_articles() == 0
    assert store.last_change() > follower  # the deletion is a change too; the counter never goes down
    new = save(store, make_item, 2)
    assert [a.id for _, a in store.changes_since(follower)] == [new]


def test_deleting_the_newest_source_then_adding_leaves_no_article_unseen(store, make_item):
    save(store, make_item, 1)
    newest = [save(store, make_item, n, source="中央社") for n in (2, 3)]
    follower = store.last_change()
    assert sorted(store.delete_source_articles("中央社")) == sorted(newest)
    added = [save(store, make_item, n) for n in (4, 5)]
    seen = [(seq, a.id) for seq, a in store.changes_since(follower)]
    assert [i for _, i in seen] == added and all(seq > follower for seq, _ in seen)
    store.save_page(added[0], Article(html="<p>全文</p>"), html="<p>全文</p>", text="全文", seen_at=T0)
    (seq, art), = store.changes_since(seen[-1][0])
    assert art.id == added[0] and seq == store.last_change()


def test_the_search_index_picks_up_the_article_after_a_deletion(store, make_item, tmp_path):
    save(store, make_item, 1, source="中央社")
    index = SearchIndex(tmp_path / "index.sqlite")
    try:
        index.sync(store)
        for article_id in store.delete_source_articles("中央社"):  # as `newsmirror sources remove` does
            index.remove(article_id)
        new = save(store, make_item, 2)
        assert index.sync(store) == 1
        assert index.count() == 1 and [h.id for h in index.search("預算案").hits] == [new]
        assert index.last_seq == store.last_change()
    finally:
        index.close()


def test_the_stories_stage_places_the_article_after_a_deletion(store, make_item):
    aliases = load_aliases()
    save(store, make_item, 1, source="中央社")
    assert sync_stories(store, aliases).placed == 1
    store.delete_source_articles("中央社")
    new = save(store, make_item, 2)
    assert sync_stories(store, aliases).placed == 1
    assert [a.id for s in store.stories() for a in s.articles] == [new]


def test_the_migration_starts_the_counter_at_the_highest_number(store, make_item):
    """An archive of schema 7 (numbers from max + 1) gets a counter starting where its articles end."""
    from newsmirror.store.sqlite import SCHEMA_VERSION

    for n in (1, 2, 3):
        save(store, make_item, n)
    top = store.last_change()
    with store._write("go back to schema 7") as conn:
        conn.execute("DROP TABLE change_counter")
        if hasattr(conn, "pg"):
            conn.execute("UPDATE schema_version SET version = 7")
        else:
            conn.execute("PRAGMA user_version = 7")
    store._migrate()
    assert store.schema_version == SCHEMA_VERSION and store.last_change() == top
    new = save(store, make_item, 4)
    assert [(seq, a.id) for seq, a in store.changes_since(top)] == [(top + 1, new)]
