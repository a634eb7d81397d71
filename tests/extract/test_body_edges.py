"""The body's edges cut by words kept as data (lexicon.toml's body_edges): players, pagers, blog lines, asks."""

from __future__ import annotations

from newsmirror.extract import extract_article
from newsmirror.extract.lexicon import lexicon

STORY = [f"港口擴建工程第{i}期今天在海邊舉行動土儀式，居民與官員一同出席，現場氣氛熱烈而且秩序良好。" for i in range(1, 6)]


def page(before: list[str], after: list[str]) -> str:
    paras = "".join(f"<p>{t}</p>" for t in [*before, *STORY, *after])
    return f"<html><head><title>港口擴建動土</title></head><body><h1>港口擴建動土</h1><div class='content'>{paras}</div></body></html>"


def test_body_edge_words_are_folded_into_both_scripts():
    words = lexicon().words("body_edges.related_headings")
    assert "延伸阅读" in words and "延伸閱讀" in words and "相關連結" in words


def test_a_players_words_and_a_pager_are_not_story_text():
    art = extract_article(page(["第1頁/共1頁 << 上一頁 | 下一頁 >>", "很抱歉，當前視頻播放失敗"], ["錯誤代碼：QVS.4100"]))
    assert art.text.split("\n\n") == STORY


def test_a_consent_box_and_a_close_button_are_not_story_text():
    art = extract_article(page(["請同意我們的隱私權規範，才能啟用聽新聞的功能。", "關閉"], []))
    assert art.text.split("\n\n") == STORY


def test_a_related_box_after_the_first_paragraph_keeps_that_paragraph():
    links = "".join(f"<p><a href='/news/{i}'>另一則新聞的標題第{i}則，與港口無關</a></p>" for i in range(4))
    html = page([], []).replace(f"<p>{STORY[1]}</p>", f"<p>相關新聞：</p>{links}<p>{STORY[1]}</p>")
    assert extract_article(html).text.split("\n\n") == STORY


def test_a_blog_posts_closing_line_ends_the_body_before_the_next_post():
    other = ["另一篇文章的第一段，說的是山上的天氣和登山步道的整修工程，與港口無關。"] * 3
    closing = "<a href='/p/1#comments'>（本文發表於首頁, 已被閱讀178次）</a>"
    art = extract_article(page([], [closing, "本文通告引用(Trackback)鏈接: /trackback?p=1", *other]))
    assert art.text.split("\n\n") == STORY


def test_an_ask_for_support_and_the_lines_under_it_go():
    art = extract_article(page([], ["（王小明 / 綜合報導）", "贊助《範例新聞》 我們需要你們的支持",
                                    "銀行戶口：000-000-0000（範例新聞有限公司）"]))
    assert art.text.split("\n\n")[:5] == STORY
    assert "贊助" not in art.text and "銀行戶口" not in art.text


def test_a_sponsor_named_in_the_last_paragraph_stays():
    last = "贊助單位包括本地三家航運公司，主辦方表示明年將繼續舉辦同類活動。"
    art = extract_article(page([], [last]))
    assert art.text.split("\n\n")[-1] == last
