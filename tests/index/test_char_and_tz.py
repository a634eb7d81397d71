"""A common character beside a word (evaluated once, nothing missed) and since:/until: in a timezone."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest

from newsmirror.errors import QueryError


def ids(results) -> set[int]:
    return {h.id for h in results.hits}


def test_a_character_beside_a_word_finds_exactly_the_articles_with_both(index, make_article):
    both = {1, 2, 3, 7}
    index.add_many([
        make_article(1, "中國經濟", "中國經濟不會放緩。", days_ago=1),
        make_article(2, "不同意見", "學者談中国的未來。", days_ago=2),
        make_article(3, "中国新闻", "市場並不平靜。", days_ago=400),
        make_article(4, "中國外交", "中國代表出席會議。", days_ago=3),
        make_article(5, "不要遲到", "今天不下雨。", days_ago=4),
        make_article(6, "美國經濟", "美國經濟不會放緩。", days_ago=5),
        make_article(7, "颱風消息", "中國氣象局說颱風不來了，不", days_ago=900),  # 不 ends the text: run-final token
    ])
    for q in ("不 中国", "中國 不", "不 中国 source:中央社"):
        r = index.search(q)
        assert ids(r) == both, q
        assert (r.total, r.exact) == (4, True)
    assert ids(index.search("不 中国 -颱風")) == both - {7}
    assert ids(index.search("不 中国 since:2020-01-01", tz="UTC")) >= {1, 2}
    pages = [h.id for off in range(4) for h in index.search("不 中国", limit=1, offset=off).hits]
    assert sorted(pages) == sorted(both)  # paging neither repeats nor skips a hit
    assert index.search("不 中国", offset=4).hits == []


def test_since_and_until_are_days_in_the_readers_timezone(index, make_article):
    late = make_article(1, "颱風消息", "颱風接近。")
    # 17:00 UTC on 3 September is 01:00 on 4 September in Taipei.
    index.add(dataclasses.replace(late, published=datetime(2025, 9, 3, 17, 0, tzinfo=UTC)))
    assert ids(index.search("颱風 since:2025-09-04")) == {1}  # default Asia/Taipei
    assert ids(index.search("颱風 until:2025-09-03")) == set()
    assert ids(index.search("颱風 since:2025-09-04", tz="UTC")) == set()
    assert ids(index.search("颱風 until:2025-09-03", tz="UTC")) == {1}
    assert ids(index.search("颱風 since:2025-09-03 until:2025-09-03", tz="America/New_York")) == {1}
    assert ids(index.search("颱 since:2025-09-04 until:2025-09-04", tz="Asia/Taipei")) == {1}


def test_an_unknown_timezone_is_a_query_error(index):
    with pytest.raises(QueryError, match="unknown timezone 'Mars/Olympus'"):
        index.search("颱風 since:2025-09-04", tz="Mars/Olympus")


def test_a_character_beside_a_word_in_recent_articles_is_read_from_the_character_tables(index, make_article):
    import random

    from newsmirror.chinese import fold

    rnd = random.Random(5)
    words = ["中國", "中国", "經濟", "不", "的", "天氣", "市場", "不會", "颱風", "政府", "學校", "交通"]
    articles = [make_article(i, "".join(rnd.choices(words, k=3)), "".join(rnd.choices(words, k=12)) + "。",
                             days_ago=rnd.uniform(0.1, 9)) for i in range(1, 301)]
    index.add_many(articles)
    statements: list[str] = []
    index._db.set_trace_callback(statements.append)  # to see which queries answer, not to change them
    for q, char in (("不 中国", "不"), ("的 經濟", "的"), ("不 的 市场", "不")):
        statements.clear()
        r = index.search(q, limit=1000)
        need = [fold(w) for w in q.split()]
        want = {a.id for a in articles if all(w in fold(a.title + " " + a.text) for w in need)}
        assert ids(r) == want and (r.total, r.exact) == (len(want), True), q
        assert want and not any(f'"{char}" *' in s for s in statements), q  # no prefix merge over the archive
    pages = [h.id for off in range(0, 63, 7) for h in index.search("不 中国", limit=7, offset=off).hits]
    assert len(pages) == len(set(pages)) == 63  # paging neither repeats nor skips a hit
    assert pages == [h.id for h in index.search("不 中国", limit=63).hits]
