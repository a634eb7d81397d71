"""Titles: site names cut from <title> and og:title, headings weighed against them (fictional pages)."""

from __future__ import annotations

import pytest

from newsmirror.extract import extract_article
from newsmirror.extract.meta import read_meta
from newsmirror.extract.page import parse_html
from newsmirror.extract.titles import TitleRefs, choose_title, headline_of, site_hosts

BODY = "".join(f"<p>第{i}段，港口擴建工程今天在海邊舉行動土儀式，居民與官員一同出席，現場氣氛熱烈而且秩序良好。</p>"
               for i in range(1, 7))


@pytest.mark.parametrize(
    "raw, refs, want",
    [
        ("範例博客 » 港口擴建工程動土", TitleRefs(), "港口擴建工程動土"),
        ("港口擴建工程動土 丨 範例日報", TitleRefs(), "港口擴建工程動土"),
        # a doubled em dash joins headline and subtitle; the underscore joins the site
        ("凝聚力量——熱烈祝賀大會開幕_某市人民政府網", TitleRefs(), "凝聚力量——熱烈祝賀大會開幕"),
        # the site's name is longer than the headline: found by og:site_name, not by length
        ("港口動土 | 國際 | 範例新聞網絡電視 EXAMPLETV.COM", TitleRefs(site_names=("範例新聞網絡電視",)), "港口動土"),
        # the host names the site in Latin letters
        ("港口動土 - Example Daily Vancouver Chinese Edition", TitleRefs(hosts=("exampledaily",)), "港口動土"),
        ("\ufeff港口擴建工程動土 _範例網", TitleRefs(), "港口擴建工程動土"),
        ("【範例網】港口擴建工程動土", TitleRefs(), "港口擴建工程動土"),
        ("謝謝您訪問〖範例中心〗", TitleRefs(), ""),
        # the site's name glued after a hyphen with no spaces around it
        ("港口擴建工程今天動土-中國範例網", TitleRefs(), "港口擴建工程今天動土"),
        ("範例網_(新聞)", TitleRefs(), ""),
        ("範例網", TitleRefs(site_names=("範例網",)), ""),
    ],
)
def test_headline_of_a_reference_title(raw, refs, want):
    assert headline_of(raw, refs) == want


def test_site_hosts_drop_generic_labels():
    assert site_hosts("https://news.example-daily.com.tw/a/1", None, "http://[::1/") == ("example-daily",)


def test_heading_matching_the_cleaned_og_title_beats_a_heading_with_the_suffix():
    root = parse_html("<html><head><meta property='og:title' content='港口擴建動土 | 國際 | 範例網'>"
                      "<meta property='og:site_name' content='範例網'></head><body>"
                      "<h1>港口擴建動土</h1><div class='share-title'>港口擴建動土 | 國際 | 範例網</div></body></html>")
    meta = read_meta(root)
    assert choose_title(meta, ("港口擴建動土 | 國際 | 範例網",)) == "港口擴建動土"


def test_a_bold_line_names_the_page_when_the_title_tag_holds_only_the_site():
    page = ("<html><head><title>範例報海外版 - Example Daily Vancouver Chinese Edition</title></head><body>"
            "<table><tr><td><a href='/'>首頁</a></td></tr><tr><td><b><font color='#006666'>&nbsp;港口擴建工程今天動土"
            f"</font></b></td></tr><tr><td>{BODY}</td></tr></table></body></html>")
    art = extract_article(page, "https://www.exampledaily.com/news/1.htm")
    assert art.title == "港口擴建工程今天動土"


def test_a_byline_in_font_tags_is_not_taken_for_the_title():
    page = ("<html><head><title>謝謝您訪問〖範例中心〗</title></head><body><table>"
            "<tr><td><b><font color='blue'>港口擴建工程今天動土</font></b></td></tr>"
            "<tr><td><div><font color='green'>作者：王小明 來源：範例中心 發布日期：7/5/2005</font></div></td></tr>"
            f"<tr><td>{BODY}</td></tr></table></body></html>")
    assert extract_article(page).title == "港口擴建工程今天動土"


def test_a_div_classed_as_heading_names_a_page_without_title_tag():
    page = (f"<html><body><div class='Heading'>港口擴建工程今天動土</div><div class='Source'>範例網</div>"
            f"<div>{BODY}</div></body></html>")
    assert extract_article(page).title == "港口擴建工程今天動土"


def test_a_bold_first_sentence_is_not_the_title():
    page = ("<html><head><title>範例網_(新聞)</title></head><body><h2>港口擴建工程今天動土</h2>"
            f"<div><p><b>海風吹過新碼頭。</b></p>{BODY}</div></body></html>")
    assert extract_article(page).title == "港口擴建工程今天動土"


def _page(head: str, top: str, body: str = BODY) -> str:
    return f"<html><head>{head}</head><body>{top}<div class='content'>{body}</div></body></html>"


def test_a_headline_over_two_headings_is_one_title():
    html = _page("<title>港口擴建工程的聲明 輕率動工 影響誰人承擔</title>",
                 "<h1>評論</h1><h2>港口擴建工程的聲明</h2><h2>輕率動工 影響誰人承擔</h2>")
    assert extract_article(html).title == "港口擴建工程的聲明 輕率動工 影響誰人承擔"


def test_a_kicker_verb_after_the_headline_is_not_part_of_it():
    html = _page("<title>市長主持召開港口擴建座談會-範例科普網</title>",
                 "<p><b>市長主持召開港口擴建座談會強調</b></p><p><b>推動港口擴建取得新的突破</b></p>")
    assert extract_article(html).title == "市長主持召開港口擴建座談會"


def test_a_writers_name_before_the_headline_and_alone_under_its_repeat():
    lines = ["港口擴建的回憶", "林小雨", "【範例網2026年07月03日報導】那一年四月，我在海邊的小鎮參加一個全省的教學研究"]
    body = "".join(f"<p>{t}</p>" for t in lines) + BODY
    art = extract_article(_page("<title>謝謝您訪問〖範例中心〗</title>", "<p><b>林小雨：港口擴建的回憶</b></p>", body))
    assert art.title == "港口擴建的回憶"
    assert art.authors == ("林小雨",)
    assert art.text.startswith("【範例網2026年07月03日報導】那一年四月")


def test_a_quote_headline_names_no_writer():
    html = _page("<title>市長：港口擴建要如期完工</title>", "<h1>市長：港口擴建要如期完工</h1>")
    art = extract_article(html)
    assert art.title == "市長：港口擴建要如期完工" and art.authors == ()
