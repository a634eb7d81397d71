"""Ranked retrieval: every term first, then most terms; unspaced words segmented; characters as filters."""

from __future__ import annotations

from newsmirror.index.ranking import common_chars, common_mask


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
    assert len(bits) == 63 and "的" in bits and "是" in bits and "了" in bits
    mask = common_mask("今年的经济是")
    assert mask & (1 << bits["的"]) and mask & (1 << bits["是"]) and not mask & (1 << bits["了"])
