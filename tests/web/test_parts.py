"""The web package's parts on their own: version diffs, token buckets, parameters."""

from __future__ import annotations

from newsmirror.models import ArticleVersion
from newsmirror.web.guard import RateLimit, TokenBuckets
from newsmirror.web.versions import diff_texts, diff_versions
from datetime import UTC


def _v(n: int, title: str, text: str) -> ArticleVersion:
    from datetime import datetime

    return ArticleVersion(article_id=1, version=n, seen_at=datetime(2024, 1, n, tzinfo=UTC),
                          title=title, feed_html="", html="", text=text, feed_text=text)


def test_diff_marks_characters_within_changed_paragraphs():
    paras = diff_texts("甲段不變。\n\n乙段原文。", "甲段不變。\n\n乙段新文。\n\n丙段。")
    flat = [[(s.kind, s.text) for s in p] for p in paras]
    assert flat == [
        [("same", "乙段"), ("del", "原"), ("ins", "新"), ("same", "文。")],
        [("ins", "丙段。")],
    ]


def test_diff_versions_is_newest_change_first_and_reports_unchanged_text():
    diffs = diff_versions([_v(1, "標題", "一"), _v(2, "標題", "一"), _v(3, "新標題", "二")])
    assert [(d.old, d.new) for d in diffs] == [(2, 3), (1, 2)]
    assert diffs[0].changed and not diffs[1].changed
    assert [(s.kind, s.text) for s in diffs[0].title] == [("ins", "新"), ("same", "標題")]


def test_diff_of_huge_paragraphs_stays_cheap():
    a, b = "甲" * 50_000, "乙" * 50_000
    (para,) = diff_texts(a, b)
    assert [s.kind for s in para] == ["del", "ins"]


def test_token_bucket_refills_over_time():
    now = [0.0]
    buckets = TokenBuckets(RateLimit(rate=2.0, burst=2), clock=lambda: now[0])
    assert buckets.take("a") == 0.0 and buckets.take("a") == 0.0
    wait = buckets.take("a")
    assert 0.4 < wait <= 0.5
    assert buckets.take("b") == 0.0  # clients are separate
    now[0] += 0.5
    assert buckets.take("a") == 0.0
