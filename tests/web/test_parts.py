"""The web package's parts on their own: script conversion, version diffs, token buckets, parameters."""

from __future__ import annotations

from newsmirror.models import ArticleVersion
from newsmirror.web.guard import RateLimit, TokenBuckets
from newsmirror.web.script import convert_html, convert_text, detect_script
from newsmirror.web.versions import diff_texts, diff_versions
from datetime import UTC


def test_convert_html_changes_text_but_not_tags_attributes_or_urls():
    html = ('<a href="/source/%E6%96%B0%E5%8D%8E%E7%A4%BE" title="发展>经济" data-x=\'头发\'>发展经济</a>'
            "<!-- 头发 --><p>头发</p>")
    out = convert_html(html, "hant")
    assert out == ('<a href="/source/%E6%96%B0%E5%8D%8E%E7%A4%BE" title="发展>经济" data-x=\'头发\'>發展經濟</a>'
                   "<!-- 头发 --><p>頭髮</p>")
    assert convert_html("<p>發展經濟</p>", "hans") == "<p>发展经济</p>"


def test_convert_html_leaves_script_and_style_contents_alone():
    html = "<style>.x::after{content:'发展'}</style><script src=\"/a.js\"></script><p>发展</p>"
    out = convert_html(html, "hant")
    assert "content:'发展'" in out and "<p>發展</p>" in out


def test_convert_text_keeps_non_chinese_text():
    assert convert_text("ASCII only &amp; <b>", "hant") == "ASCII only &amp; <b>"


def test_detect_script():
    assert detect_script("国务院发布经济数据，专家认为发展势头会继续") == "hans"
    assert detect_script("國務院發布經濟數據，專家認為發展勢頭會繼續") == "hant"
    assert detect_script("hello world") is None


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


def test_keep_markers_protect_the_script_switch_labels():
    out = convert_html("<p>发展</p><!--keep--><a>简体</a><a>繁體</a><!--/keep--><p>发展</p>", "hant")
    assert out == "<p>發展</p><!--keep--><a>简体</a><a>繁體</a><!--/keep--><p>發展</p>"
