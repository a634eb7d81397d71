"""Ranked retrieval: every term first, then most terms; unspaced words segmented; characters as filters."""

from __future__ import annotations

import pytest

from newsmirror.index import parse_query
from newsmirror.index.ranking import at_least, common_chars, common_mask


def tiers(results) -> list[tuple[int, int]]:
    """(article id, terms held) in rank order."""
    return [(h.id, h.extra["held"]) for h in results.hits]


def test_an_unspaced_query_is_read_as_its_words(index, make_article):
    index.add(make_article(1, "花蓮縣外海規模7.2強震", "花蓮縣外海今晨發生規模7.2地震，多棟大樓傾斜。"))
    index.add(make_article(2, "台东外海地震", "台东县外海今天发生地震，没有灾情。"))
    index.add(make_article(3, "花蓮縣長視察觀光市集", "縣長今天到花蓮市集視察。"))
    res = index.search("花莲地震")
    assert tiers(res)[0] == (1, 2)  # 花莲 and 地震, apart, in the other script
    assert {i for i, held in tiers(res) if held == 1} == {2, 3}  # one of the two words: after
    assert index.search('"花莲地震"').total == 0  # quoted: as written, side by side


def test_holding_every_term_ranks_first_then_most_terms(index, make_article):
    index.add(make_article(1, "颱風登陸", "強颱今晨登陸台東，全台停班停課。", days_ago=30))  # 颱風 登陸 停課
    index.add(make_article(2, "颱風遠離", "颱風今天遠離，各地恢復上課。", days_ago=1))  # 颱風 only
    index.add(make_article(3, "停課通知", "颱風登陸前，多縣市宣布停課。", days_ago=2))  # all three
    index.add(make_article(4, "地震消息", "今天發生地震，停課一天。"))  # 停課 only
    res = index.search("颱風 登陸 停課")
    assert [i for i, _ in tiers(res)][:2] == [3, 1]  # both hold all three; 3 holds them in its body and title
    assert {i for i, held in tiers(res)} == {1, 3}  # two of three at least: one alone is not enough
    pair = index.search("颱風 停課")
    assert tiers(pair)[:2] in ([(3, 2), (1, 2)], [(1, 2), (3, 2)])
    assert sorted(i for i, held in tiers(pair) if held == 1) == [2, 4]  # one of two: after
    assert pair.total == 4


def test_filters_apply_to_every_tier(index, make_article):
    index.add(make_article(1, "颱風停課", "颱風來襲，全台停課。", source="中央社"))
    index.add(make_article(2, "颱風遠離", "颱風今天遠離。", source="聯合報"))
    index.add(make_article(3, "颱風警報", "海上颱風警報發布，漁船回港。", source="中央社", days_ago=400))
    index.add(make_article(4, "山區停課", "山區道路中斷，學校停課。", source="中央社"))
    assert {h.id for h in index.search("颱風 停課 source:中央社").hits} == {1, 3, 4}
    assert {h.id for h in index.search("颱風 停課 -漁船").hits} == {1, 2, 4}
    recent = index.search("颱風 停課 since:2000-01-01", tz="UTC")
    assert {h.id for h in recent.hits} == {1, 2, 3, 4}
    phrase = tiers(index.search('颱風 "學校停課"'))  # the phrase is one unit, held by 4 alone
    assert sorted(phrase) == [(1, 1), (2, 1), (3, 1), (4, 1)]


def test_a_character_is_a_filter_never_a_term_of_its_own(index, make_article):
    index.add(make_article(1, "經濟成長", "今年的經濟成長放緩。"))
    index.add(make_article(2, "經濟數據", "經濟數據公布。"))  # no 的
    index.add(make_article(3, "的確如此", "他說的確如此。"))  # 的 but no 經濟
    res = index.search("的 经济")
    assert tiers(res) == [(1, 1)]  # the word is the one unit; the character only filters
    assert index.search("鹰 经济").total == 0  # a rarer character filters the same way (its prefix query)


def test_the_common_character_mask():
    bits = common_chars()
    assert len(bits) == 4 * 63 and {"的", "是", "了", "都", "政", "计"} <= bits.keys()
    mask = common_mask("今年的经济都是")
    assert len(mask) == 4
    word = lambda ch: mask[bits[ch] // 63] & (1 << bits[ch] % 63)  # noqa: E731
    assert word("的") and word("是") and word("都") and not word("了") and not word("政")
    assert bits["都"] >= 63  # beyond the first integer: the other words of the mask are used too


def test_a_common_character_beside_a_word_keeps_the_words_articles_first(index, make_article):
    index.add(make_article(1, "經濟政策", "政府今天都說經濟會好轉。"))  # 經濟, 都 and 政
    index.add(make_article(2, "今日要聞", "專家說經濟都在放緩。", days_ago=3))  # 經濟 and 都, not in the title
    index.add(make_article(3, "經濟數據", "經濟數據公布。"))  # 經濟, no 都
    index.add(make_article(4, "都市更新", "都市更新案通過。"))  # 都, no 經濟
    index.add(make_article(5, "經濟的都市", "經濟與都市的發展。", days_ago=3))  # both
    res = index.search("都 经济")
    assert [i for i, _ in tiers(res)] == [1, 5, 2]  # only articles holding both; title matches first
    assert res.total == 3 and all(held == 1 for _, held in tiers(res))  # the character is never a unit
    assert [h.id for h in index.search("都 政 经济").hits] == [1]  # two characters, in two of the mask's integers
    assert [h.id for h in index.search("的 都 经济").hits] == [5]
    assert index.search("都 经济").hits[0].score == index.search("经济 都").hits[0].score  # order does not matter


def test_a_tier_below_the_top_one_is_scored_by_its_own_units(index, make_article):
    index.add(make_article(1, "颱風登陸停課", "颱風登陸，全台停課，航班取消。", days_ago=2))  # all four
    index.add(make_article(2, "颱風停課", "颱風來襲，各縣市宣布停課，航班取消。", days_ago=3))  # 颱風 停課 航班
    index.add(make_article(3, "今日消息", "颱風遠離，宣布停課一天，航班正常。", days_ago=3))  # the same three, in the body
    index.add(make_article(4, "颱風遠離", "颱風遠離，明天恢復上課，航班正常。", days_ago=1))  # 颱風 航班
    index.add(make_article(5, "航班消息", "今天航班正常。"))  # 航班 alone: one of four is below half
    res = index.search("颱風 登陸 停課 航班")
    assert tiers(res) == [(1, 4), (2, 3), (3, 3), (4, 2)]  # 2 holds its three in the title too
    assert res.total == 4
    three = index.search("颱風 停課 航班")  # the same three units alone: the same bm25 for articles 2 and 3
    by_id = {h.id: h.score for h in three.hits}
    for hit in res.hits[1:3]:
        assert hit.score == pytest.approx(by_id[hit.id], rel=1e-6)
    paged = [h.id for offset in range(5) for h in index.search("颱風 登陸 停課 航班", limit=1, offset=offset).hits]
    assert paged == [1, 2, 3, 4]  # paging through the tiers gives the same order


def test_five_units_need_three(index, make_article):
    index.add(make_article(1, "颱風登陸停課", "颱風登陸，全台停課，航班取消，學校關閉。", days_ago=2))  # all five
    index.add(make_article(2, "颱風停課", "颱風來襲，宣布停課，航班取消，學校關閉。", days_ago=2))  # four of five
    index.add(make_article(3, "颱風停課", "颱風來襲，宣布停課，航班取消。", days_ago=2))  # three
    index.add(make_article(4, "颱風航班", "颱風來襲，航班取消。", days_ago=2))  # two: below three
    res = index.search("颱風 登陸 停課 航班 學校")
    assert tiers(res) == [(1, 5), (2, 4), (3, 3)]
    four = {h.id: h.score for h in index.search("颱風 停課 航班 學校").hits}
    assert res.hits[1].score == pytest.approx(four[2], rel=1e-6)  # counted once per unit, as in its own query


def test_at_least_matches_the_articles_holding_that_many_units(index, make_article):
    words = ["颱風", "停課", "航班", "學校"]
    subsets = [[w for j, w in enumerate(words) if mask >> j & 1] for mask in range(1, 16)]
    for n, held in enumerate(subsets, start=1):
        index.add(make_article(n, f"消息{n}", "今天" + "，".join(held) + "。"))
    plan = index.plan(parse_query(" ".join(words)))
    rids = dict(index._db.execute("SELECT rid, id FROM docs"))
    for m in range(1, 5):
        want = {n for n, held in enumerate(subsets, start=1) if len(held) >= m}
        for shares in (False, True):
            expr = at_least(plan, m, shares=shares)
            got = {rids[r] for (r,) in index._db.execute("SELECT rowid FROM fts WHERE fts MATCH ?", (expr,))}
            assert got == want, (m, shares, expr)
    # rows holding exactly `least` units: bm25 counts each once in both forms (the cheaper one ranks that tier)
    three = index.plan(parse_query("颱風 停課 航班"))
    scores = [dict(index._db.execute("SELECT rowid, bm25(fts, 1.0, 3.0, 0.0) FROM fts WHERE fts MATCH ?",
                                     (at_least(three, 2, shares=shares),))) for shares in (False, True)]
    exactly_two = {rid for rid, n in rids.items() if sum(w in subsets[n - 1] for w in words[:3]) == 2}
    assert exactly_two and all(scores[0][r] == pytest.approx(scores[1][r], rel=1e-9) for r in exactly_two)
    assert "OR" in at_least(plan, 2) and at_least(plan, 2).count('"') < at_least(plan, 2, shares=True).count('"')


def test_a_word_spelled_like_a_source_token_is_not_matched_in_the_source_column(index, make_article):
    index.add(make_article(1, "晶片消息", "新晶片今天發表。", source="中央社"))  # the index's source s1
    index.add(make_article(2, "S1 晶片", "S1 晶片今天發表。", source="聯合報"))
    assert [h.id for h in index.search("s1").hits] == [2]
    assert [h.id for h in index.search("晶片 -s1").hits] == [1]
    assert [h.id for h in index.search("s1 晶片 source:中央社").hits] == [1]  # one of two units, in its source
