"""What keeps the index small and one-character queries fast: character epochs, stale rowids, vacuum."""

from __future__ import annotations

import sqlite3
from datetime import timedelta

import pytest

from newsmirror.index import fts


def char_tables(index) -> list[str]:
    names = index._db.execute("SELECT name FROM sqlite_schema WHERE name GLOB 'chars_[0-9]*'")
    return sorted(n for (n,) in names if n.count('_') == 1)


def traced(index, q, **kw):
    """Run a search and return (results, the SQL statements it ran)."""
    statements: list[str] = []
    index._db.set_trace_callback(statements.append)
    try:
        return index.search(q, **kw), statements
    finally:
        index._db.set_trace_callback(None)


@pytest.fixture
def spread(index, make_article):
    """40 articles with 台, one every 5 days over 200 days; one old article with a rare 鷹."""
    index.add_many(make_article(i, f"台灣新聞{i}", "今日消息。", days_ago=i * 5 - 4.5) for i in range(1, 41))
    index.add(make_article(99, "老鷹", "山上的鷹。", days_ago=150))
    return index


def test_one_character_queries_list_the_newest_first(spread):
    res = spread.search("臺", limit=50)
    assert res.total == 40 and res.exact
    assert [h.id for h in res.hits] == list(range(1, 41))
    assert res.hits[0].score > res.hits[-1].score > 1.0


def test_only_the_newest_epochs_keep_character_tables(spread, now):
    tables = char_tables(spread)
    assert len(tables) == fts.RECENT_EPOCHS
    newest = int(now.timestamp()) // fts.RID_SECONDS // (fts.EPOCH_DAYS * 86400 // fts.RID_SECONDS)
    assert tables[-1] == f"chars_{newest}"


def test_a_common_character_is_answered_from_the_newest_epochs(spread, monkeypatch):
    monkeypatch.setattr(fts, "COUNT_CAP", 5)
    res, sql = traced(spread, "台", limit=3)
    assert (res.total, res.exact) == (5, False)
    assert [h.id for h in res.hits] == [1, 2, 3]
    assert any("chars_" in s for s in sql) and not any("FROM fts WHERE" in s for s in sql)
    page = spread.search("台", limit=3, offset=3)
    assert [h.id for h in page.hits] == [4, 5, 6]


def test_a_rare_character_takes_the_prefix_query_over_the_whole_archive(spread):
    res, sql = traced(spread, "鷹")
    assert [h.id for h in res.hits] == [99] and res.exact
    assert any("FROM fts WHERE" in s for s in sql)


def test_a_date_range_inside_the_newest_epochs_counts_exactly_there(spread, now):
    since = (now - timedelta(days=20)).date()
    res, sql = traced(spread, f"台 since:{since}", tz="UTC")  # UTC days, as computed above
    expected = {i for i in range(1, 41) if (now - timedelta(days=i * 5 - 4.5)).date() >= since}
    assert {h.id for h in res.hits} == expected and res.total == len(expected) and res.exact
    assert not any("FROM fts WHERE" in s for s in sql)


def test_one_character_with_a_source_filter(index, make_article):
    index.add(make_article(1, "台北", "市政新聞。", source="中央社"))
    index.add(make_article(2, "台中", "市政新聞。", source="聯合報", days_ago=2))
    assert [h.id for h in index.search("台 source:聯合報").hits] == [2]
    assert [h.id for h in index.search("台").hits] == [1, 2]


def test_a_replaced_version_never_matches_and_its_rowid_is_not_reused(index, make_article):
    index.add(make_article(1, "初版", "地震消息。", days_ago=3))
    index.add(make_article(1, "修訂版", "颱風消息。", days_ago=3))  # same time: the old rowid is stale
    index.add(make_article(2, "另一則", "山崩消息。", days_ago=3))  # same time again: a third rowid
    assert index.search("地震").total == 0
    assert [h.id for h in index.search("颱風").hits] == [1]
    assert [h.id for h in index.search("山崩").hits] == [2]
    assert index.search("消息").total == 2 and index.search("震").total == 0
    assert index.remove(2) and index.search("山崩").total == 0 and index.search("消").total == 1


def test_rebuild_drops_stale_entries(store, save, index):
    save("初版標題", "地震消息。")
    index.sync(store)
    index.add(index_article := _with_text(store, 1, "颱風消息。"))
    assert index._db.execute("SELECT count(*) FROM stale").fetchone()[0] == 1
    index.rebuild(store)
    assert index._db.execute("SELECT count(*) FROM stale").fetchone()[0] == 0
    assert index.search("地震").total == 1 and index_article.id == 1


def _with_text(store, article_id: int, text: str):
    from dataclasses import replace

    return replace(store.get_article(article_id), text=text)


def test_optimize_gives_freed_pages_back(tmp_path, make_article):
    from newsmirror.index import SearchIndex

    path = tmp_path / "ix.sqlite"
    with SearchIndex(path) as ix:
        for start in range(0, 600, 100):  # many small segments, merged away by optimize
            ix.add_many(make_article(i, f"標題{i}", "內容" * 50 + str(i), days_ago=i / 10) for i in range(start, start + 100))
        ix.optimize()
        assert ix.search("內容").total == 600
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA auto_vacuum").fetchone()[0] == 2
        assert db.execute("PRAGMA freelist_count").fetchone()[0] == 0


def test_an_older_index_file_is_started_over_by_a_writer(tmp_path, store, save):
    from newsmirror.errors import SearchError
    from newsmirror.index import SearchIndex

    path = tmp_path / "old.sqlite"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT)")
        db.execute("INSERT INTO meta VALUES ('format', 'newsmirror-fts-3')")
        db.execute("CREATE TABLE docs(rid INTEGER PRIMARY KEY, body BLOB)")
    with pytest.raises(SearchError, match="older format; rebuild"):
        SearchIndex(path, readonly=True)
    aid = save("地震快訊", "花蓮發生地震。")
    with SearchIndex(path) as ix:
        assert ix.last_seq == 0 and ix.sync(store) == 1
        assert [h.id for h in ix.search("地震").hits] == [aid]


def test_a_file_that_is_not_an_index_is_left_alone(tmp_path):
    from newsmirror.errors import SearchError
    from newsmirror.index import SearchIndex

    path = tmp_path / "archive.sqlite"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE articles(id INTEGER PRIMARY KEY)")
    with pytest.raises(SearchError, match="is not a search index"):
        SearchIndex(path)
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT name FROM sqlite_schema").fetchall() == [("articles",)]


def test_a_reader_sees_sources_and_epochs_a_writer_added_after_it_opened(tmp_path, make_article):
    from newsmirror.index import SearchIndex

    path = tmp_path / "ix.sqlite"
    with SearchIndex(path) as writer:
        writer.add(make_article(1, "台北新聞", "市政。", source="中央社", days_ago=400))
        with SearchIndex(path, readonly=True) as reader:
            assert [h.id for h in reader.search("台").hits] == [1]
            writer.add(make_article(2, "台中新聞", "市政。", source="聯合報", days_ago=1))  # new source, new epochs
            assert [h.id for h in reader.search("台 source:聯合報").hits] == [2]
            assert [h.id for h in reader.search("台").hits] == [2, 1]
            assert [h.source for h in reader.search("台中").hits] == ["聯合報"]


def test_a_common_character_beside_a_word_reads_the_articles_masks(index, make_article, monkeypatch):
    """不 is one of the common characters: the word's matches are kept by the article's mask bit, never by
    the prefix query 不* (every bigram starting with 不, over the whole archive)."""
    monkeypatch.setattr(fts, "RANK_WINDOW", 3)
    index.add_many(make_article(i, f"中國新聞{i}", "今天不下雨。" if i % 4 else "今天下雨。", days_ago=i * 5 - 4.5)
                   for i in range(1, 41))
    res, statements = traced(index, "不 中国", limit=3)
    assert (res.total, res.exact) == (30, True)  # every article but each fourth holds 不
    assert [h.id for h in res.hits] == [1, 2, 3]  # ranked among the newest RANK_WINDOW matches
    assert not any('"不" *' in s for s in statements)
    assert any("docs.common0 &" in s for s in statements)
    res, statements = traced(index, "都 中国")  # the 71st commonest: the mask's second integer
    assert res.total == 0 and any("docs.common1 &" in s for s in statements)
    assert not any('"都" *' in s for s in statements)
    res, statements = traced(index, "鷹 中国")  # a rarer character: its prefix query is cheap
    assert res.total == 0 and any('"鹰" *' in s for s in statements)
