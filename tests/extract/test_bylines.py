"""Bylines, datelines and credit lines: data-driven cases in tests/data/bylines/cases.yaml."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from newsmirror.extract import extract_article
from newsmirror.extract.bylines import Credits, find_credits, is_outlet, parse_credits

DATA = Path(__file__).resolve().parent.parent / "data" / "bylines"
CASES = yaml.safe_load((DATA / "cases.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", CASES, ids=[c["text"][:24] for c in CASES])
def test_parse_credits(case):
    got = parse_credits(case["text"])
    assert isinstance(got, Credits)
    assert list(got.authors) == case.get("authors", [])
    assert got.source == case.get("source")
    assert list(got.editors) == case.get("editors", [])
    assert got.place == case.get("place")
    assert got.is_byline_only is case.get("byline_only", False)


def test_find_credits_merges_and_keeps_editors_out_of_authors():
    got = find_credits(
        [
            "聯合報／ 記者陳小明／即時報導",
            "（中央社記者林小華台北11日電）行政院今天表示，明年度預算將增加。",
            "記者陳小明、林小華／綜合報導",
            "（編輯：高照芬）1120911",
            "責任編輯：林小華",
        ]
    )
    assert got.authors == ("陳小明",)
    assert got.editors == ("高照芬", "林小華")
    assert got.source == "聯合報"
    assert got.place == "台北"


def test_find_credits_of_nothing_is_empty():
    assert find_credits([]) == Credits()
    assert find_credits(["今天天氣晴朗，適合出遊。"]) == Credits()


def test_outlets_are_never_authors():
    for line in ("記者中央社／台北報導", "文／新華社", "作者：澎湃新闻"):
        assert parse_credits(line).authors == (), line


def test_photo_credit_names_nobody():
    got = parse_credits("郭嘉昆4日下午表示將舉行會談。圖／路透")
    assert got.authors == () and got.source is None


def test_is_outlet():
    assert is_outlet("中央社") and is_outlet("自由時報") and is_outlet("证券市场红周刊")
    assert not is_outlet("陳宥菘")


PAGES = yaml.safe_load((DATA / "pages.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", PAGES, ids=[c["file"] for c in PAGES])
def test_page_credits(case):
    art = extract_article((DATA / "pages" / case["file"]).read_bytes())
    assert art.kind == "article"
    assert list(art.authors) == case["authors"]
    if "source" in case:
        assert art.source == case["source"]


def test_byline_among_opening_paragraphs_must_be_a_bare_credit():
    html = (DATA / "pages" / "byline-after-key-points.html").read_text(encoding="utf-8")
    # the same name inside a sentence is not a byline
    html = html.replace("<p>《城市观察》作者 周小纯</p>", "<p>周小纯说，她明年还会再来参加植树。</p>")
    assert extract_article(html).authors == ()


STORY = "".join(f"<p>河堤步道第{i}段今天完工開放，居民一早就來散步，市府表示夜間照明也已經全部換新。</p>" for i in range(4))


def _page(byline: str, ld_author: str | None = None) -> str:
    ld = (f'<script type="application/ld+json">{{"@type": "NewsArticle", "headline": "河堤步道完工",'
          f' "author": {{"@type": "Person", "name": "{ld_author}"}}}}</script>') if ld_author else ""
    return (f"<html><head><title>河堤步道完工</title>{ld}</head><body><h1>河堤步道完工</h1>{byline}"
            f"<div class='content'>{STORY}</div></body></html>")


def test_a_byline_boxs_names_linked_to_a_search_for_them_are_its_authors():
    box = ('<ul class="meta"><li class="news-journalists"><a href="/?s=Kimliyan(陸萱)">Kimliyan(陸萱)</a>、'
           '<a href="/?s=Uliu(李承遠)">Uliu(李承遠)</a></li></ul>')
    assert extract_article(_page(box)).authors == ("Kimliyan(陸萱)", "Uliu(李承遠)")


def test_a_byline_boxs_name_then_its_date():
    box = '<div class="author"><a href="search.php?kw=陳品潔">陳品潔</a>   2026年03月23日 17:00:00</div>'
    art = extract_article(_page(box))
    assert art.authors == ("陳品潔",)
    assert art.published is not None and (art.published.month, art.published.day, art.published.hour) == (3, 23, 17)


@pytest.mark.parametrize("ld_author", ["台北31日電", "範例新聞-ExampleNews.hk", "https://www.facebook.com/example"])
def test_a_structured_author_that_is_a_dateline_or_a_site_names_nobody(ld_author):
    assert extract_article(_page("", ld_author)).authors == ()


def test_a_structured_pen_name_is_kept_as_written():
    assert extract_article(_page("", "棒棒不是糖")).authors == ("棒棒不是糖",)
