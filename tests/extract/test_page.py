"""Data-driven extraction tests: each tests/data/pages/X.html has its expectation X.json beside it."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from httpserver import Reply

from newsmirror.extract import extract_article
from newsmirror.extract.output import article_to_dict

PAGES = Path(__file__).resolve().parent.parent / "data" / "pages"
# HTML pages, and text captures and mirror posts (.txt), each with NAME.json holding what a reader
# would call the article.
CASES = sorted(p.stem for p in [*PAGES.glob("*.html"), *PAGES.glob("*.txt")])


def squash(s: str) -> str:
    return re.sub(r"\s+", "", s or "")


def load(name: str):
    expect = json.loads((PAGES / f"{name}.json").read_text(encoding="utf-8"))
    source = PAGES / f"{name}.html"
    html = (source if source.exists() else PAGES / f"{name}.txt").read_text(encoding="utf-8")
    data = html.encode(expect.get("encoding", "utf-8"))
    return data, expect


@pytest.mark.parametrize("name", CASES)
def test_page_case(name):
    data, expect = load(name)
    art = extract_article(data, expect.get("url"))
    got = article_to_dict(art)
    assert got["kind"] == expect["kind"], name
    if expect["kind"] != "article":
        return
    body = squash(got["text"])
    for key in ("title", "lang", "script", "authors", "published"):
        if key in expect:
            assert got[key] == expect[key], f"{name}: {key}"
    assert body.startswith(squash(expect["body_first"])), got["text"][:80]
    assert body.endswith(squash(expect["body_last"])), got["text"][-80:]
    for s in expect.get("with", []):
        assert squash(s) in body, f"{name}: missing {s!r}"
    for s in expect.get("without", []):
        assert squash(s) not in body, f"{name}: boilerplate {s!r} in body"
    for key in ("captions", "tags", "images"):
        if key in expect:
            assert got[key] == expect[key], f"{name}: {key}"
    if "related" in expect:
        assert [[r["group"], r["title"], r["url"]] for r in got["related"]] == expect["related"]


def test_paragraphs_are_separated_by_blank_lines():
    data, _ = load("tw-udn-like")
    art = extract_article(data)
    paras = art.text.split("\n\n")
    assert len(paras) == 5  # four paragraphs and one subheading
    assert paras[2] == "居民意見分歧"


def test_html_is_sanitized_body_markup():
    data, _ = load("tw-udn-like")
    html = extract_article(data, "https://news.example.com.tw/story/123").html
    assert "<h2>居民意見分歧</h2>" in html
    assert "<script" not in html and "分享到" not in html
    assert html.count("<p>") == 4


def test_caption_printed_twice_is_kept_once_and_not_in_body():
    page = (
        "<html><body><h1>港口擴建工程動土 預計三年完成</h1><div class='content'>"
        "<p>港務公司今天舉行擴建工程動土典禮，預計三年後完工，貨櫃吞吐量可望提升三成。</p>"
        "<div class='pic'><img src='a.jpg'><p class='pic-info'>動土典禮現場。圖／港務公司提供</p></div>"
        "<p>動土典禮現場。圖／港務公司提供</p>"
        "<p>董事長表示，擴建後將新增四座深水碼頭，可停靠最新一代大型貨櫃船，強化區域競爭力。</p>"
        "<p>地方人士期待工程帶動就業，也希望施工期間做好環境保護與交通維持措施，減少衝擊。</p>"
        "</div></body></html>"
    )
    art = extract_article(page)
    assert art.captions == ("動土典禮現場。圖／港務公司提供",)
    assert "動土典禮現場" not in art.text
    assert art.text.startswith("港務公司今天舉行")


def test_timezone_follows_the_outlets_domain():
    page = (
        "<html><head><meta property='article:published_time' content='2025-01-02T02:00:00Z'></head><body>"
        "<h1>市場開紅盤 股匯雙漲</h1><div class='article'>"
        + "".join(f"<p>第{i}段，新年第一個交易日，投資人信心回溫，成交量明顯放大，市場氣氛熱絡。</p>" for i in range(4))
        + "</div></body></html>"
    )
    hk = extract_article(page, "https://news.example.hk/a/1")
    sg = extract_article(page, "https://news.example.sg/a/1")
    assert article_to_dict(hk)["published"] == "2025-01-02T10:00:00+08:00"
    assert str(hk.published.tzinfo) == "Asia/Hong_Kong"
    assert str(sg.published.tzinfo) == "Asia/Singapore"
    voa = extract_article(page, "https://www.voachinese.com/a/1.html")  # a Chinese service on its home clock
    assert article_to_dict(voa)["published"] == "2025-01-01T21:00:00-05:00"
    forced = extract_article(page, "https://news.example.hk/a/1", tz="Asia/Tokyo")
    assert article_to_dict(forced)["published"] == "2025-01-02T11:00:00+09:00"


def test_page_fetched_over_http_in_big5(http_server):
    import httpx

    data, expect = load("tw-udn-like")
    page = data.decode("utf-8").replace('<meta charset="utf-8">', '<meta charset="big5">')
    http_server.add("/story/123", Reply(page.encode("big5", "xmlcharrefreplace"), content_type="text/html; charset=big5"))
    resp = httpx.get(http_server.url("/story/123"))
    art = extract_article(resp.content, str(resp.url))
    assert art.title == expect["title"]
    assert "河濱公園將進行全面改建" in art.text


@pytest.mark.parametrize("name", ["tw-udn-like", "cn-portal-like"])
def test_find_links_is_find_related_and_find_tags_in_one_walk(name):
    from newsmirror.extract import decode_input
    from newsmirror.extract.page import parse_html
    from newsmirror.extract.related import find_links, find_related, find_tags

    data, expect = load(name)
    root = parse_html(decode_input(data))
    related, tags = find_links(root, expect.get("url"))
    assert related and related == find_related(root, expect.get("url"))
    assert tags == find_tags(root)
    assert [[r.group, r.title] for r in related] == [[g, t] for g, t, _u in expect["related"]]
    assert all(want.endswith(r.url.lstrip(".")) for r, (_g, _t, want) in zip(related, expect["related"]))
    if "tags" in expect:
        assert tags == expect["tags"]


def test_render_blocks_counts_match_the_text():
    from newsmirror.extract.page import Blocks, clean_tree, parse_html, render_blocks

    root = parse_html("<html><body><div id='a'><p>第一段，有<a href='/x'>連結文字</a>。</p>"
                      "<!-- note --><p>Second, plain.</p>\n<span>尾巴</span></div></body></html>")
    clean_tree(root)
    body = next(root.iter("body"))
    blocks = render_blocks(body)
    assert isinstance(blocks, Blocks) and blocks.root is body
    assert [b.text for b in blocks] == ["第一段，有連結文字。", "Second, plain.", "尾巴"]
    assert [(b.chars, b.link_chars) for b in blocks] == [(10, 4), (13, 0), (2, 0)]
    div = next(body.iter("div"))
    chars, links, order = blocks.stats[div]
    assert chars == sum(b.chars for b in blocks) and links == 4
    a = next(body.iter("a"))
    assert blocks.stats[a][:2] == (4, 4)
    # page order: the body first, then the div, its first paragraph and the link inside it
    assert [blocks.stats[el][2] for el in (body, div, a)] == [0, 1, 3]
    assert blocks.hints[div] == " a" and blocks.hint(a) == ""


def test_render_blocks_marks_hints_and_short_texts_for_the_link_finders():
    from newsmirror.extract.page import Blocks, parse_html, render_blocks

    root = parse_html("<html><body><div class='Related Box' id='R1'><h3>延伸閱讀</h3><a href='/x'>一則很長很長的"
                      "相關新聞標題，超過了二十四個字的長度限制喔喔喔</a>尾 巴</div><p>  </p></body></html>")
    body = next(root.iter("body"))
    blocks = render_blocks(body)
    div, h3 = next(body.iter("div")), next(body.iter("h3"))
    assert blocks.marks == [(div, Blocks.HINT, "related box r1"), (h3, Blocks.TEXT, "延伸閱讀"),
                            (next(body.iter("a")), Blocks.TAIL, "尾 巴")]


def test_join_url_agrees_with_urljoin():
    import itertools
    import random
    from urllib.parse import urljoin

    from newsmirror.extract.page import join_url

    bases = [None, "", "https://news.example.com.tw/story/7/123", "http://news.example.cn/a/b.html?x=1#top",
             "HTTPS://Example.com", "ftp://files.example.org/", "news.example.com/relative", "//cdn.example.com/x"]
    urls = ["https://img.example.com/a/b.jpg", "http://img.example.com/a.jpg", "https://x.example.com",
            "https:///no-host.jpg", "https://h.example.com/a.jpg?w=100", "https://h.example.com/a.jpg#f",
            "https://h.example.com/a;p=1.jpg", "https://h.example.com/a.jpg?", "https://h.example.com/a.jpg#",
            "https://h.example.com/a\n.jpg", "https://h.example.com/a\t.jpg", "https://[::1]/a.jpg",
            "https://h.example.com//double//slash.jpg", "https://user@h.example.com:8080/a b.jpg",
            "https://圖.example.com/a.jpg", "HTTPS://h.example.com/A.jpg", "/abs/path.jpg", "rel/path.jpg",
            "../up.jpg", "//cdn.example.com/p.jpg", "?q=1", "#frag", "https:relative.jpg", "http:/one-slash.jpg"]
    rnd = random.Random(7)
    parts = ["https://", "http://", "h.example.com", "/", "a", ".jpg", "?", "#", ";", "\n", " ", "..", "[", "%20"]
    urls += ["".join(rnd.choice(parts) for _ in range(rnd.randint(1, 7))) for _ in range(400)]
    for base, url in itertools.product(bases, urls):
        try:
            want = urljoin(base, url) if base else url
        except ValueError:
            continue  # urljoin refuses it; join_url may answer, which is no worse
        assert join_url(base, url) == want, (base, url)


def test_render_blocks_reads_only_the_tails_of_comments_pis_and_entities():
    from lxml import etree

    from newsmirror.extract.page import render_blocks

    root = etree.fromstring("<div><p>甲<!--註解-->乙<?pi 指令?>丙</p></div>")
    entity = etree.Entity("nbsp")
    entity.tail = "丁"
    root[0].append(entity)
    blocks = render_blocks(root)
    assert [b.text for b in blocks] == ["甲乙丙丁"]
    assert blocks.stats[root] == (4, 0, 0)


def test_clean_tree_drops_junk_hidden_and_comments_but_keeps_tails():
    from newsmirror.extract.page import clean_tree, parse_html

    root = parse_html(
        "<html><body><div>一<script>x()</script>二<span style='display: none'>藏</span>三"
        "<p hidden>不見</p>四<div aria-hidden='true'>選單</div>五<i aria-hidden='true'>★</i>"
        "<div style='color: red'>紅</div></div></body></html>")
    clean_tree(root)
    div = next(root.iter("div"))
    assert "".join(div.itertext()) == "一二三四五★紅"  # aria-hidden drops blocks, not inline icons
    assert not list(root.iter("script")) and not list(root.iter("p"))


def test_find_body_without_render_stats_gives_the_same_body():
    from newsmirror.extract.page import clean_tree, find_body, parse_html, render_blocks

    data, _ = load("tw-udn-like")
    from newsmirror.extract import decode_input

    root = parse_html(decode_input(data))
    clean_tree(root)
    body = next(root.iter("body"))
    blocks = render_blocks(body)
    with_stats = find_body(body, blocks)
    without = find_body(body, list(blocks))  # a plain list: find_body counts for itself
    assert with_stats is not None and without is not None
    assert [b.text for b in with_stats.blocks] == [b.text for b in without.blocks]
    assert (with_stats.start, with_stats.end, with_stats.container) == (without.start, without.end, without.container)


def test_related_links_and_tags_come_from_what_a_reader_sees():
    body = "".join(f"<p>第{i}段，市府今天說明新制的細節，民眾可以上網查詢，並在下月起適用新的規定。</p>" for i in range(6))
    page = f"""<html><head><title>新制上路 市府說明細節</title></head><body>
      <h1>新制上路 市府說明細節</h1><div class="article">{body}</div>
      <div class="related"><h3>延伸閱讀</h3><a href="/a/1">看得見的相關新聞標題</a></div>
      <div class="related" style="display:none"><h3>相關新聞</h3><a href="/a/2">藏起來的相關新聞標題</a></div>
      <div class="tags" hidden><a href="/t/1">隱藏標籤</a></div>
      <div class="tags"><a href="/t/2">市政</a><a href="/t/3">交通</a></div></body></html>"""
    art = extract_article(page.encode(), "https://news.example.com.tw/story/9")
    assert [(r.group, r.title, r.url) for r in art.related] == [
        ("延伸閱讀", "看得見的相關新聞標題", "https://news.example.com.tw/a/1")]
    assert art.tags == ("市政", "交通")


@pytest.mark.parametrize("tags_html", [
    '<div class="keywordTag"><a href="/t/1">市政</a><a href="/t/2">交通</a></div>',  # one-word class names
    '<div class="tagBlk"><a href="/t/1">市政</a><a href="/t/2">交通</a></div>',
    '<ul><li class="topic"><a href="/t/1">市政</a></li><li class="topic"><a href="/t/2">交通</a></li></ul>',  # one per box
    '<section><h2>相關話題</h2><ul><li><a href="/t/1">市政</a></li><li><a href="/t/2">交通</a></li></ul></section>',
])
def test_tag_lists_are_found_and_beat_a_section_badge(tags_html):
    body = "".join(f"<p>第{i}段，市府今天說明新制的細節，民眾可以上網查詢，並在下月起適用新的規定。</p>" for i in range(6))
    page = f"""<html><head><title>新制上路 市府說明細節</title></head><body>
      <div class="tags_wrapper"><a href="/c/1">地方</a></div><h1>新制上路 市府說明細節</h1>
      <div class="article">{body}</div>{tags_html}</body></html>"""
    assert extract_article(page.encode(), "https://news.example.com.tw/story/9").tags == ("市政", "交通")


def test_article_markup_held_in_a_textarea_is_read():
    paras = "".join(f"&lt;p&gt;第{i}段，市府今天說明新制的細節，民眾可以上網查詢，並在下月起適用新的規定。&lt;/p&gt;" for i in range(5))
    page = f"""<html><head><title>新制上路 市府說明細節</title></head><body><h1>新制上路 市府說明細節</h1>
      <div class="article-body"></div><textarea class="article-content">{paras}</textarea>
      <form><textarea name="comment"></textarea></form></body></html>"""
    art = extract_article(page.encode(), "https://news.example.cn/a/1")
    assert art.kind == "article" and art.text.startswith("第0段") and art.text.count("\n\n") == 4
    assert "<p>" not in art.text


def test_a_short_mirror_post_keeps_its_header_out_of_the_body():
    post = """---
layout: post
title: "市府宣布新制 下月上路"
date: 2025-11-25T09:41:00.000Z
author: (台)範例新聞
from: https://news.example.com.tw/story/7
tags: [ (台)範例新聞 ]
comments: True
categories: [ (台)範例新聞 ]
---
<!--1764063660000-->
[市府宣布新制 下月上路](https://news.example.com.tw/story/7)
------

<div>
市府今天宣布新制下月上路，民眾可上網查詢細節，並在下月起適用新的規定，違者將依法開罰。
</div>
"""
    art = extract_article(post.encode())
    assert art.text == "市府今天宣布新制下月上路，民眾可上網查詢細節，並在下月起適用新的規定，違者將依法開罰。"
    assert art.title == "市府宣布新制 下月上路" and art.url == "https://news.example.com.tw/story/7"


def test_a_role_in_its_own_box_beside_the_names_is_a_byline():
    body = "".join(f"<p>第{i}段，市府今天說明新制的細節，民眾可以上網查詢，並在下月起適用新的規定。</p>" for i in range(6))
    page = f"""<html><head><title>新制上路 市府說明細節</title></head><body><h1>新制上路 市府說明細節</h1>
      <div class="authors"><div class="label">文字</div><div class="names"><a href="/a/1">劉小穎</a> <a href="/a/2">蔡小翰</a></div></div>
      <div class="article">{body}</div></body></html>"""
    assert extract_article(page.encode(), "https://news.example.com.tw/story/9").authors == ("劉小穎", "蔡小翰")
