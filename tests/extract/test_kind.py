"""Kind: a page is not_article only on strong evidence, said in `notes` (fictional pages)."""

from __future__ import annotations

import pytest

from newsmirror.extract import extract_article

CARDS = "".join(f"<li><a href='/n/{i}'>港口擴建第{i}期工程的相關報導標題，一則新聞的標題</a></li>" for i in range(4))


def _page(title: str, text: str, head: str = "") -> str:
    return (f"<html><head><title>{title} | 範例新聞網</title>{head}</head><body><h1>{title}</h1>"
            f"<div class='intro'><p>{text}</p></div><ul class='list'>{CARDS}</ul></body></html>")


INTRO = ("港口擴建是本地近年最受關注的工程之一，本頁收錄相關的新聞報導、評論與圖片，按時間排列，方便讀者查閱。"
         "工程分為三期進行，第一期預計明年完工，屆時碼頭的吞吐量將增加一倍，附近的道路也會拓寬。"
         "居民對工程的意見不一，有人期待帶來就業機會，也有人擔心噪音與交通問題，市府表示會持續溝通。")


def test_a_tag_page_by_its_address_is_not_an_article():
    art = extract_article(_page("港口", INTRO), "https://news.example.com/tag/11882")
    assert art.kind == "not_article"
    assert "lists articles" in art.notes


def test_a_tag_page_whose_title_its_cards_link_is_not_an_article():
    tags = "".join(f"<p>第{i}則 <a href='/tag/1'>港口</a></p>" for i in range(3))
    art = extract_article(_page("港口", INTRO).replace("</ul>", f"</ul>{tags}"))
    assert art.kind == "not_article"
    assert "港口" in art.notes and "links 3 times" in art.notes


@pytest.mark.parametrize("head", ['<meta property="og:type" content="article">',
                                  '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "港口"}</script>'])
def test_a_short_titled_page_typed_as_an_article_stays_one(head):
    art = extract_article(_page("港口", INTRO, head), "https://news.example.com/tag/11882")
    assert art.kind == "article"


def test_a_short_story_under_a_real_headline_stays_an_article_with_a_note():
    art = extract_article(_page("港口擴建工程今天動土", INTRO))
    assert art.kind == "article"
    assert art.notes.startswith("kept as an article on thin evidence")


def test_a_front_page_of_a_dozen_cards_is_not_an_article_even_typed_as_one():
    cards = "".join(f"<div class='card'><h3><a href='/n/{i}'>港口擴建第{i}期工程的新聞標題</a></h3><p>{INTRO}</p></div>"
                    for i in range(12))
    html = (f"<html><head><title>範例新聞網</title><meta property='og:type' content='article'>"
            f"<meta property='article:published_time' content='2026-05-01T10:00:00+08:00'></head>"
            f"<body><h1>範例新聞網</h1><div class='list'>{cards}</div></body></html>")
    art = extract_article(html)
    assert art.kind == "not_article" and "12 linked headlines" in art.notes


def _cards_page(cards: list[tuple[str, str]], before: str = "") -> str:
    items = "".join(f"<li class='post'><h2><a href='/n/{i}'>{h}</a></h2><div>2023年7月{i + 1}日 11:00</div>"
                    f"<p class='excerpt'>{summary}</p><a href='/n/{i}'>閱讀</a></li>" for i, (h, summary) in enumerate(cards))
    return (f"<html><head><title>港口 | 範例新聞網</title></head><body><nav><a href='/'>首頁</a>/港口</nav>"
            f"<h1>港口</h1><ul class='posts'>{before}{items}</ul></body></html>")


TEASERS = [("港口擴建第一期工程動土", "港口擴建工程第一期今天動土，居民與官員一同出席，現場氣氛熱烈。"),
           ("碼頭工人談擴建後的工作", "擴建之後碼頭的吞吐量將增加一倍，工人們說，輪班的方式也要跟著改變，大家都在等新的安排。")]


def test_two_teasers_under_linked_headlines_are_a_list_whatever_the_address():
    art = extract_article(_cards_page(TEASERS), "https://news.example.com/港口/")
    assert art.kind == "not_article"
    assert "2 linked headlines, each over a summary" in art.notes


def test_a_short_story_with_two_linked_headlines_after_its_text_stays_an_article():
    story = "<p>港口擴建工程第一期今天在海邊舉行動土儀式，居民與官員一同出席，現場氣氛熱烈而且秩序良好。</p>"
    art = extract_article(_cards_page(TEASERS, before=story), "https://news.example.com/n/9")
    assert art.kind == "article"
