"""text_key and plan_revisions: what counts as the same content, and how old versions fold."""

from __future__ import annotations

import pytest

from newsmirror.store.revisions import OldVersion, normalize_text, plan_revisions, text_key


@pytest.mark.parametrize("a, b", [
    ("第一段。\n\n第二段。", "第一段。 第二段。"),  # line breaks and spaces
    ("ＡＢＣ１２３，", "ABC123,"),  # full-width forms
    ("詳見 https://x.example/a?id=5&utm_source=rss", "詳見 https://x.example/a?id=5"),  # tracking parameters
    ("正文。\n廣告\n結尾。", "正文。\n結尾。"),  # an ad label line
    ("正文。\n【廣告】限時特價\n結尾。", "正文。\n【廣告】買一送一\n結尾。"),  # a rotating ad
    ("正文。\n更新時間：2025-09-10 14:32", "正文。\n更新時間：2025-09-11 09:01"),  # a widget time
    ("正文。\n3 分鐘前", "正文。\n2小時前"),
    ("正文。\n閱讀 1,234", "正文。\n閱讀數：1.2萬"),
])
def test_noise_is_not_a_change(a, b):
    assert text_key("標題", a) == text_key("標題", b)


@pytest.mark.parametrize("a, b", [
    ("市府宣布明天停班停課。", "市府宣布明天照常上班上課。"),
    ("死亡人數為3人。", "死亡人數為4人。"),
    ("正文。", "正文。\n更新時間：早上記者會後，市長再度說明。" + "補充" * 20),  # a long line is text
])
def test_edits_are_changes(a, b):
    assert text_key("標題", a) != text_key("標題", b)


def test_title_counts():
    assert text_key("初稿", "同") != text_key("更正", "同")
    assert normalize_text(" 標 題 ") == "標題"


def row(version, *, page=False, text="t", summary=None, raw_ref=None, title="T"):
    return OldVersion(version, f"2025-01-01T00:0{version}:00+00:00", title, "<p>f</p>", f"<p>{text}</p>", text,
                      summary, raw_ref, '{"title": "T"}' if page else None)


def test_plan_folds_page_fill_noise_and_reextraction_and_keeps_edits():
    rows = [
        row(1, text="摘要"),  # feed
        row(2, page=True, text="全文", summary="摘要", raw_ref="p:1"),  # page replaces the summary: same revision
        row(3, page=True, text="全文（新解析）", summary="摘要", raw_ref="p:1"),  # re-extraction of p:1: folded
        row(4, text="摘要 "),  # feed whitespace: folded
        row(5, text="新摘要"),  # feed edit: revision 2
        row(6, page=True, text="全文二", summary="新摘要", raw_ref="p:2"),  # fills revision 2
        row(7, page=True, text="全文三", summary="新摘要", raw_ref="p:3"),  # page edit: revision 3
    ]
    plan = plan_revisions(rows)
    assert [(p.revision, p.body.version, [f.version for f in p.folded]) for p in plan] == [
        (1, 3, [1, 2, 4]), (2, 6, [5]), (3, 7, [])]
    assert [p.feed.version for p in plan] == [1, 5, 5]
    assert plan[0].first_seen == rows[0].seen_at and plan[2].first_seen == rows[6].seen_at
