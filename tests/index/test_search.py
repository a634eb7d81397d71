"""Search over a real archive: scripts, aliases, phrases, filters, ranking, snippets, sync."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from newsmirror.errors import QueryError, SearchError
from newsmirror.chinese import Aliases, fold
from newsmirror.index import SearchIndex
from newsmirror.index.fts import DEFAULT_TZ
from newsmirror.models import SearchHit


def ids(results) -> set[int]:
    return {h.id for h in results.hits}


@pytest.fixture
def corpus(store, save, index):
    """A small mixed-script archive, indexed through sync."""
    a = {
        "xi_hant": save("習近平訪問歐洲", "國家主席習近平今天抵達巴黎，與馬克宏會談。"),
        "xi_hans": save("习近平会见外宾", "国家主席习近平在北京会见了来访的客人。", source="新华社"),
        "putin_udn": save("普亭發表談話", "俄羅斯總統普亭今天說，戰事仍在持續。", source="聯合報"),
        "putin_cna": save("蒲亭與川普通話", "俄國總統蒲亭與美國總統川普通電話。"),
        "putin_en": save("Putin speaks on Ukraine", "Russian president Vladimir Putin said talks would go on."),
        "trump": save("特朗普宣布加征关税", "美国总统特朗普宣布新的关税措施。", source="新华社"),
        "taipei": save("臺北市長出席活動", "台北市今天舉行活動，市長致詞。"),
        "korea": save("北韓試射飛彈", "北韓今天試射飛彈，韓國軍方表示關切。", source="聯合報"),
        "stage": save("舞台劇上演", "這齣舞台劇講述一個家庭的故事。"),
        "xss": save("網頁安全", "有人在留言貼上<script>alert('x')</script>試圖攻擊。"),
    }
    assert index.sync(store) == len(a)
    return a


def test_both_scripts_find_each_other(corpus, index):
    assert ids(index.search("习近平")) == {corpus["xi_hant"], corpus["xi_hans"]}
    assert ids(index.search("習近平")) == {corpus["xi_hant"], corpus["xi_hans"]}


def test_aliases_find_every_spelling(corpus, index):
    putin = {corpus["putin_udn"], corpus["putin_cna"], corpus["putin_en"]}
    assert ids(index.search("普京")) == putin
    assert ids(index.search("Putin")) == putin
    assert ids(index.search("川普")) == {corpus["trump"], corpus["putin_cna"]}
    assert ids(index.search("马克龙")) == {corpus["xi_hant"]}


def test_without_aliases_only_the_spelling(corpus, tmp_path, store):
    plain = SearchIndex(tmp_path / "plain.sqlite", aliases=Aliases())
    plain.sync(store)
    assert ids(plain.search("普京")) == set()
    assert ids(plain.search("普亭")) == {corpus["putin_udn"]}
    plain.close()


def holding_all(results) -> set[int]:
    """The hits that hold every term (the first tier)."""
    return {h.id for h in results.hits if h.extra["held"] == h.extra["units"]}


def test_phrase_versus_terms(corpus, index):
    both = index.search("總統 今天")
    assert holding_all(both) == {corpus["putin_udn"]}
    assert both.hits[0].id == corpus["putin_udn"]  # holding both first, then those holding one
    assert ids(index.search('"總統普亭今天"')) == {corpus["putin_udn"]}
    assert ids(index.search('"今天總統"')) == set()
    assert ids(index.search('"Putin said"')) == {corpus["putin_en"]}
    assert ids(index.search('"said Putin"')) == set()


def test_exclusions_and_or(corpus, index):
    assert ids(index.search("普京 -普亭")) == {corpus["putin_cna"], corpus["putin_en"]}
    assert ids(index.search('總統 -"美國總統"')) == {corpus["putin_udn"]}
    assert ids(index.search("巴黎 OR 北京")) == {corpus["xi_hant"], corpus["xi_hans"]}
    three = index.search("巴黎 OR 北京 會見")
    assert holding_all(three) == {corpus["xi_hans"]} and three.hits[0].id == corpus["xi_hans"]


def test_unspaced_long_query_is_split_into_words(corpus, index):
    assert ids(index.search("习近平在北京会见")) == {corpus["xi_hans"]}
    assert ids(index.search("俄羅斯總統普亭")) == {corpus["putin_udn"]}


@pytest.mark.parametrize("q", ["台", "台北", "韓", "北韓", "市長", "劇"])
def test_short_queries_find_what_substring_search_finds(corpus, store, tmp_path, q):
    plain = SearchIndex(tmp_path / "plain.sqlite", aliases=Aliases())
    plain.sync(store)
    expected = {
        a.id for a in store.iter_articles() if fold(q) in fold(a.title) or fold(q) in fold(a.text)
    }
    assert expected, q
    assert ids(plain.search(q, limit=100)) == expected
    plain.close()


def test_source_filter_exact_folded_and_partial(corpus, index):
    assert ids(index.search("總統 source:聯合報")) == {corpus["putin_udn"]}
    assert ids(index.search("总统 source:联合报")) == {corpus["putin_udn"]}
    assert ids(index.search("习近平 source:新华")) == {corpus["xi_hans"]}


def test_unknown_source_names_the_known_ones(corpus, index):
    with pytest.raises(QueryError, match="unknown source '人民日報'.*中央社.*聯合報"):
        index.search("普京 source:人民日報")


def test_since_until_filters(store, save, index, now):
    old = save("颱風過境", "颱風昨天過境。", days_ago=400)
    new = save("颱風來襲", "颱風今天來襲。", days_ago=2)
    index.sync(store)
    day = (now - timedelta(days=10)).date()
    assert ids(index.search(f"颱風 since:{day}")) == {new}
    assert ids(index.search(f"颱風 until:{day}")) == {old}
    new_day = (now - timedelta(days=2)).astimezone(ZoneInfo(DEFAULT_TZ)).date()  # a day as the index reads it
    assert ids(index.search(f"颱風 since:{new_day} until:{new_day}")) == {new}


def test_since_until_at_the_ends_of_the_calendar(store, save, index):
    old = save("颱風過境", "颱風昨天過境。", days_ago=400)
    index.sync(store)
    assert ids(index.search("颱風 until:9999-12-31")) == {old}
    assert ids(index.search("颱 until:9999-12-31")) == {old}
    assert ids(index.search("颱風 since:0001-01-01")) == {old}
    assert ids(index.search("颱風 since:9999-12-31")) == set()
    assert ids(index.search("颱風 until:0001-01-01")) == set()


def test_title_matches_rank_first(store, save, index):
    body_only = save("今日要聞", "地震。其他消息。")
    in_title = save("地震", "今日要聞。其他消息。")
    index.sync(store)
    assert [h.id for h in index.search("地震").hits] == [in_title, body_only]


def test_fresher_article_wins_a_tie(store, save, index):
    older = save("颱風消息", "颱風接近本島。", days_ago=90)
    newer = save("颱風消息", "颱風接近本島。", days_ago=1)
    index.sync(store)
    hits = index.search("颱風").hits
    assert [h.id for h in hits] == [newer, older]
    assert hits[0].score > hits[1].score > 0


def test_snippet_highlights_in_the_articles_script(corpus, index, store):
    hit = next(h for h in index.search("习近平", store=store).hits if h.id == corpus["xi_hant"])
    assert "<mark>習近平</mark>" in hit.snippet
    assert hit.title == "習近平訪問歐洲"
    assert hit.extra["title_html"] == "<mark>習近平</mark>訪問歐洲"
    hit = next(h for h in index.search("普京", store=store).hits if h.id == corpus["putin_udn"])
    assert "<mark>普亭</mark>" in hit.snippet


def test_snippet_escapes_html(corpus, index, store):
    hit = index.search("留言", store=store).hits[0]
    assert hit.id == corpus["xss"]
    assert "<script>" not in hit.snippet
    assert "&lt;script&gt;" in hit.snippet and "<mark>留言</mark>" in hit.snippet


def test_snippet_is_a_window_around_the_first_match(index, store, save):
    text = "甲" * 300 + "關鍵詞" + "乙" * 300
    save("長文", text)
    index.sync(store)
    snippet = index.search("關鍵詞", store=store).hits[0].snippet
    assert snippet.startswith("…") and snippet.endswith("…")
    assert "<mark>關鍵詞</mark>" in snippet
    assert 100 <= len(snippet.replace("<mark>", "").replace("</mark>", "")) <= 130


def test_snippets_can_be_cut_for_the_shown_hits_only(index, store, save):
    """Grouping by story reads 200 hits and shows 20: snippets=False reads no text, cut_snippets the shown ones."""
    first = save("颱風消息", "甲" * 200 + "颱風接近本島。", days_ago=1)
    second = save("颱風警報", "乙" * 200 + "颱風警報發布。", days_ago=2)
    index.sync(store)
    full = index.search("台风", store=store).hits
    bare = index.search("台风", store=store, snippets=False).hits
    assert [h.id for h in bare] == [first, second] == [h.id for h in full]
    assert [h.snippet for h in bare] == ["<mark>颱風</mark>消息", "<mark>颱風</mark>警報"]  # the titles: no text read
    other = SearchHit(id=99, title="別的報導", source="中央社", published=bare[0].published, url="u", snippet="")
    cut = index.cut_snippets([bare[1], other], "台风", store)
    assert cut[0].snippet == full[1].snippet and "乙" in cut[0].snippet and "<mark>颱風</mark>警報" in cut[0].snippet
    assert cut[1] is other  # not a hit of the index (a story's other article): kept as it is


def test_snippets_come_from_the_store_given_at_open_or_else_the_title(corpus, store, tmp_path):
    with SearchIndex(tmp_path / "index.sqlite", store=store) as ix:
        hit = ix.search("巴黎").hits[0]
        assert hit.id == corpus["xi_hant"] and "與馬克宏會談" in hit.snippet
        assert "<mark>巴黎</mark>" in hit.snippet
    with SearchIndex(tmp_path / "index.sqlite", readonly=True) as ix:
        hit = ix.search("習近平 巴黎").hits[0]
        assert hit.snippet == "<mark>習近平</mark>訪問歐洲" == hit.extra["title_html"]


def test_the_index_keeps_no_article_text(corpus, tmp_path):
    import sqlite3

    raw = (tmp_path / "index.sqlite").read_bytes()
    assert "與馬克宏會談".encode() not in raw
    with sqlite3.connect(tmp_path / "index.sqlite") as db:
        columns = {r[1] for r in db.execute("PRAGMA table_info(docs)")}
    assert "body" not in columns


def test_paging_and_total(index, make_article):
    index.add_many(make_article(i, f"颱風 第{i}報", "颱風消息。", days_ago=i) for i in range(1, 26))
    page1 = index.search("颱風", limit=10)
    page3 = index.search("颱風", limit=10, offset=20)
    assert page1.total == page3.total == 25
    assert len(page1.hits) == 10 and len(page3.hits) == 5
    assert not ids(page1) & ids(page3)


def test_add_is_an_upsert(index, make_article):
    index.add(make_article(7, "舊標題", "舊內容"))
    index.add(make_article(7, "新標題", "新內容"))
    assert index.count() == 1
    assert ids(index.search("舊內容")) == set()
    assert ids(index.search("新內容")) == {7}


def test_sync_catches_up_after_a_crash(store, save, index):
    first = save("地震快訊", "花蓮發生地震。")
    assert index.sync(store) == 1
    # articles stored while the indexer was down are picked up by the next sync
    second = save("地震後續", "餘震不斷。")
    third = save("颱風快訊", "颱風接近。")
    assert ids(index.search("地震")) == {first}
    assert index.sync(store) == 2
    assert ids(index.search("地震")) == {first, second}
    assert ids(index.search("颱風")) == {third}
    assert index.sync(store) == 0
    assert index.last_seq >= 3


def test_sync_indexes_a_new_version(store, save, index, now):
    from newsmirror.models import FeedItem

    aid = save("原標題", "原來的內容。")
    index.sync(store)
    item = FeedItem(source="中央社", feed_url="https://news.example/1/rss", title="更正標題",
                    link="https://news.example/a/1", guid="g1", published=now - timedelta(days=1),
                    summary_html="<p>更正後的內容。</p>")
    store.save_item(item, html="<p>更正後的內容。</p>", text="更正後的內容。", seen_at=now)
    assert index.sync(store) == 1
    assert ids(index.search("更正")) == {aid}
    assert ids(index.search("原來")) == set()
    assert index.search("內容").total == 1  # the replaced version's entries are stale, not counted
    assert index.search("內").total == 1
    assert index.count() == 1


def test_rebuild_from_scratch_with_progress(corpus, store, index):
    calls = []
    n = index.rebuild(store, progress=lambda done, total: calls.append((done, total)))
    assert n == len(corpus) == index.count()
    assert calls[-1] == (len(corpus), len(corpus))
    assert ids(index.search("习近平")) == {corpus["xi_hant"], corpus["xi_hans"]}


def test_readonly_index_searches_but_refuses_writes(corpus, tmp_path, make_article):
    ro = SearchIndex(tmp_path / "index.sqlite", readonly=True)
    assert ids(ro.search("北韓")) == {corpus["korea"]}
    with pytest.raises(SearchError, match="read-only"):
        ro.add(make_article(99, "x", "y"))
    ro.close()
    with pytest.raises(SearchError, match="not found"):
        SearchIndex(tmp_path / "missing.sqlite", readonly=True)


@pytest.mark.parametrize("q, reason", [("", "empty"), ("-普京", "only exclusions"), ("!!!", "no letters")])
def test_bad_queries_raise_query_error(index, q, reason):
    with pytest.raises(QueryError, match=reason):
        index.search(q)


def test_a_burst_in_one_minute_keeps_every_article(index, make_article):
    index.add_many(make_article(i, f"快訊{i}", "同一分鐘發布的快訊。", days_ago=3) for i in range(1, 151))
    assert index.count() == 150
    assert index.search("快訊", limit=200).total == 150
    assert len({h.published for h in index.search("快訊", limit=200).hits}) == 1


def test_a_burst_does_not_jump_past_newer_articles(index, make_article, now):
    index.add(make_article(1, "新聞", "最新的新聞。", days_ago=1))
    index.add_many(make_article(i, "舊聞", "舊的新聞。", days_ago=300) for i in range(2, 80))
    day = (now - timedelta(days=300)).date()
    assert index.search(f"舊聞 until:{day + timedelta(days=1)}", limit=100).total == 78
    assert ids(index.search(f"新聞 since:{day + timedelta(days=2)}")) == {1}


def test_broad_queries_rank_the_newest_window_and_cap_the_total(index, make_article, monkeypatch):
    from newsmirror.index import fts

    monkeypatch.setattr(fts, "RANK_WINDOW", 10)
    monkeypatch.setattr(fts, "COUNT_CAP", 20)
    index.add_many(make_article(i, "颱風" * (1 + i % 3), "颱風消息。", days_ago=i) for i in range(1, 31))
    res = index.search("颱風", limit=5)
    assert (res.total, res.exact) == (20, False)
    assert {h.id for h in res.hits} <= set(range(1, 11))  # among the 10 newest matches
    deep = index.search("颱風", limit=5, offset=15)  # the window grows to cover the page
    assert len(deep.hits) == 5 and index.search("颱風", limit=20).exact is False


def test_an_article_given_twice_in_one_batch_is_indexed_once_as_its_latest_text(index, make_article):
    """add_many writes a batch's rows together, in rowid order: the second version of an article in the same
    batch still replaces the first, and articles given out of time order are all found."""
    index.add_many([make_article(1, "颱風", "颱風來了。", days_ago=2), make_article(2, "地震", "地震消息。", days_ago=5),
                    make_article(1, "颱風", "颱風走了。", days_ago=2), make_article(3, "地震", "又有地震。", days_ago=1)])
    assert index.count() == 3
    assert ids(index.search("走了")) == {1} and index.search("來了").total == 0
    assert [h.id for h in index.search("地震").hits] == [3, 2]


def test_the_common_mask_read_from_the_distinct_characters_is_the_texts():
    from newsmirror.chinese import fold, index_text
    from newsmirror.index.fts import _common_mask
    from newsmirror.index.ranking import common_mask

    from newsmirror.index.ranking import common_chars

    every = "".join(sorted(common_chars()))
    for text in ["", "abc 123", "我们是中国人，这是一年来的大事。", "台風來了，是今年第一個。", "的" * 3 + "x", every,
                 every[::2] + "鬱龘", "龘" + every[-1], every[0]]:
        folded = fold(text)
        assert _common_mask(index_text("", folded)[2], folded) == common_mask(folded), text


def test_a_burst_across_flushes_and_batches_keeps_every_article_apart(index, make_article, monkeypatch):
    """Rowids of one 16-second slot are handed out past both the written rows and the rows still waiting in
    the batch (flushes every 7 rows here), in two add_many calls."""
    from newsmirror.index import fts

    monkeypatch.setattr(fts, "FLUSH_ROWS", 7)
    index.add_many(make_article(i, f"快訊{i}", "同一時刻的快訊。", days_ago=3) for i in range(1, 41))
    index.add_many(make_article(i, f"快訊{i}", "同一時刻的快訊。", days_ago=3) for i in range(41, 61))
    index.add_many([make_article(i, f"快訊{i}", "改寫後的快訊。", days_ago=3) for i in range(1, 61, 10)])
    assert index.count() == 60
    assert index.search("快訊", limit=100).total == 60 and index.search("改寫", limit=100).total == 6
    rids = [r for (r,) in index._db.execute("SELECT rid FROM docs")]
    assert len(set(rids)) == 60 and max(rids) - min(rids) < 80


def test_a_burst_takes_the_first_free_rowids_past_stale_ones_and_another_writers(index, make_article, monkeypatch):
    """The rowids of one 16-second slot are handed out in order, each the first one free: past live rows, past
    stale ones (replaced articles), past those another writer of the same file took since this one last looked
    (a remembered slot is only a place to start), read a few rowids at a time (RID_SCAN 5 here)."""
    from newsmirror.index import fts

    monkeypatch.setattr(fts, "RID_SCAN", 5)
    index.add_many(make_article(i, f"快訊{i}", "同一時刻的快訊。", days_ago=3) for i in range(1, 13))

    def rids() -> dict[int, int]:
        return {a: r for r, a in index._db.execute("SELECT rid, id FROM docs")}

    slot = rids()[1]
    assert sorted(rids().values()) == list(range(slot, slot + 12))
    index.add_many([make_article(3, "快訊3", "改寫後的快訊。", days_ago=3), make_article(7, "快訊7", "又改寫。", days_ago=3)])
    assert (rids()[3], rids()[7]) == (slot + 12, slot + 13)  # 3's and 7's old rowids are stale: never given again
    other = SearchIndex(index.path)
    try:
        other.add_many(make_article(i, f"快訊{i}", "另一個寫入者。", days_ago=3) for i in range(13, 16))
    finally:
        other.close()
    index.add(make_article(16, "快訊16", "最後一則。", days_ago=3))
    assert [rids()[i] for i in (13, 14, 15, 16)] == [slot + 14, slot + 15, slot + 16, slot + 17]
    assert index.count() == 16 and index.search("快訊", limit=100).total == 16
