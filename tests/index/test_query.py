"""The query language: terms, phrases, OR, exclusions, filters and the errors users must fix."""

from __future__ import annotations

from datetime import date

import pytest

from newsmirror.errors import QueryError
from newsmirror.index.query import Term, parse_query


def test_terms_phrases_or_and_exclusions():
    q = parse_query('川普 OR 拜登 關稅 "貿易 戰" -台北 -"新北市"')
    assert q.groups == ((Term("川普"), Term("拜登")), (Term("關稅"),), (Term("貿易 戰", phrase=True),))
    assert q.exclude == (Term("台北"), Term("新北市", phrase=True))


def test_filters_with_quoted_source():
    q = parse_query('普京 source:"(臺)中央社CNA" source:聯合報 since:2024-01-01 until:2024-12-31')
    assert q.sources == ("(臺)中央社CNA", "聯合報")
    assert q.since == date(2024, 1, 1) and q.until == date(2024, 12, 31)
    assert q.terms == (Term("普京"),)


def test_chinese_quotes_are_phrases():
    assert parse_query("「習近平 訪問」").groups == ((Term("習近平 訪問", phrase=True),),)


@pytest.mark.parametrize(
    "text, reason",
    [
        ("", "empty query"),
        ("   ", "empty query"),
        ("x" * 501, "limit is 500"),
        ("since:2024-13-01 普京", "not a date"),
        ("until:yesterday 普京", "not a date"),
        ('"普京 訪華', "unbalanced quote"),
        ("-普京 -川普", "only exclusions"),
        ("source:中央社", "only filters"),
        ("OR 普京", "OR"),
        ("普京 OR", "OR"),
        ("普京 since:2024-05-01 until:2024-01-01", "swap"),
        ("source: 普京", "outlet name"),
    ],
)
def test_bad_queries_raise_with_reason(text, reason):
    with pytest.raises(QueryError, match=reason):
        parse_query(text)


def test_an_empty_phrase_does_not_turn_or_into_and():
    q = parse_query('川普 OR "" 拜登')
    assert q.groups == ((Term("川普"), Term("拜登")),)
    with pytest.raises(QueryError, match="OR"):
        parse_query('川普 OR ""')
