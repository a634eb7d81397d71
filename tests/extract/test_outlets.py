"""The outlet named from the page's address when the page names none: the sources file, then hosts.toml.

Every page here is fictional text written for the test; the hosts are the outlets' real addresses only where
hosts.toml is being checked.
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from newsmirror.cli import cli
from newsmirror.config import save_sources
from newsmirror.extract import extract_article
from newsmirror.extract.outlets import outlet_from_url, outlets_by_host, registrable_name
from newsmirror.models import Source

PARAS = "".join(f"<p>第{i}段：市政府今天公布新的公園維護計畫，預計明年完工，居民對此表示歡迎並期待更多綠地。</p>"
                for i in range(1, 6))


def page(meta: str = "", head: str = "") -> str:
    """An article whose only outlet evidence is what `meta` and `head` add; share buttons below it."""
    return (f"<html><head><title>公園維護計畫公布</title>{meta}</head><body><h1>公園維護計畫公布</h1>"
            f"<div class='info'>{head}</div><article>{PARAS}</article>"
            "<ul class='share'><li>开心网</li><li>微信</li><li>QQ空间</li></ul></body></html>")


@pytest.mark.parametrize(("host", "name"), [
    ("news.cna.com.tw", "cna.com.tw"), ("www.bbc.co.uk", "bbc.co.uk"), ("feeds.bbci.co.uk", "bbci.co.uk"),
    ("www.bbc.com", "bbc.com"), ("udn.com", "udn.com"), ("WWW.Mingpao.COM.", "mingpao.com"),
    ("hk.on.cc", "on.cc"), ("www.zaobao.com.sg", "zaobao.com.sg"), ("127.0.0.1", "127.0.0.1"), ("localhost", "localhost"),
])
def test_registrable_name(host, name):
    assert registrable_name(host) == name


@pytest.mark.parametrize(("url", "outlet"), [
    ("https://www.cna.com.tw/news/aipl/202611230001.aspx", "中央社"),
    ("https://www.bbc.com/zhongwen/trad/world-1", "BBC News 中文"),
    ("https://www.bbc.com/zhongwen", "BBC News 中文"),
    ("https://www.bbc.com/news/world-1", None),  # BBC's English service is not its Chinese one
    ("https://www.bbc.com/zhongwenx/a", None),  # a path segment, not a prefix of one
    ("https://www.dw.com/zh-hant/a-1", "德國之聲中文網"),
    ("https://cn.nytimes.com/world/20261123/x/", "紐約時報中文網"),
    ("https://www.nytimes.com/2026/11/23/world/x.html", None),
    ("https://mp.weixin.qq.com/s/AbCdEf", None),  # a platform names nobody
    ("https://news.example.tw/a/1", None),  # an unknown host: no guess
    ("http://[bad/a", None), ("not a url", None), (None, None),
])
def test_outlet_from_the_host_table(url, outlet):
    assert outlet_from_url(url) == outlet


def test_the_sources_file_names_its_hosts_first_and_a_shared_host_names_nobody():
    sources = [
        Source("我的中央社", feeds=("https://feeds.cna.com.tw/rss/aall.xml",)),
        Source("示範日報", feeds=("https://rss.example.tw/daily.xml",), homepage="https://www.daily-example.com.tw/"),
        Source("甲報", feeds=("https://feeds.feedservice.example/a",)),
        Source("乙報", feeds=("https://feeds.feedservice.example/b",)),  # one feed service for two outlets
    ]
    known = outlets_by_host(sources)
    assert known == {"cna.com.tw": "我的中央社", "example.tw": "示範日報", "daily-example.com.tw": "示範日報"}
    assert outlet_from_url("https://www.cna.com.tw/news/1.aspx", known) == "我的中央社"  # the user's name wins
    assert outlet_from_url("https://news.daily-example.com.tw/story/9", known) == "示範日報"
    assert outlet_from_url("https://www.feedservice.example/a/1", known) is None
    assert outlet_from_url("https://udn.com/news/story/1/2", known) == "聯合新聞網"  # the table still answers


def test_extract_names_the_outlet_from_the_host_only_when_the_page_does_not():
    url = "https://www.bbc.com/zhongwen/trad/world-1"
    bare = extract_article(page(), url)
    assert bare.kind == "article" and bare.source == "BBC News 中文"  # not the share list's 开心网
    assert extract_article(page(), "https://news.example.tw/a/1").source is None
    # the page's own evidence comes first: og:site_name, JSON-LD publisher, the byline's outlet
    assert extract_article(page(meta='<meta property="og:site_name" content="示範新聞網">'), url).source == "示範新聞網"
    ld = {"@type": "NewsArticle", "headline": "公園維護計畫公布", "publisher": {"@type": "Organization", "name": "示範電視"}}
    assert extract_article(page(meta=f'<script type="application/ld+json">{json.dumps(ld)}</script>'), url).source \
        == "示範電視"
    assert extract_article(page(head="中央社記者王小明台北23日電"), url).source == "中央社"
    # a platform's name in og:site_name is passed over, and the host speaks instead
    wechat = page(meta='<meta property="og:site_name" content="微信公众平台">')
    assert extract_article(wechat, url).source == "BBC News 中文"
    assert extract_article(wechat, "https://mp.weixin.qq.com/s/AbCdEf").source is None
    # the sources' names, given by the caller
    assert extract_article(page(), "https://www.cna.com.tw/news/1.aspx", outlets={"cna.com.tw": "我的中央社"}).source \
        == "我的中央社"


def test_a_text_capture_is_named_from_its_host_too():
    text = "公園維護計畫公布\n\n" + "\n\n".join(
        f"第{i}段：市政府今天公布新的公園維護計畫，預計明年完工，居民對此表示歡迎並期待更多綠地。" for i in range(1, 6))
    assert extract_article(text, "https://udn.com/news/story/7266/1").source == "聯合新聞網"


def test_cli_extract_names_the_outlet_from_the_sources_file(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    save_sources(home / "sources.toml", [Source("(臺)示範日報", feeds=("https://rss.daily-example.com.tw/all.xml",))])
    saved = tmp_path / "page.html"
    saved.write_text(page(), encoding="utf-8")
    result = CliRunner().invoke(cli, ["--home", str(home), "extract", str(saved),
                                      "--url", "https://www.daily-example.com.tw/news/1"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["source"] == "(臺)示範日報"
    # a broken sources file is said once, and extraction goes on with the host table
    (home / "sources.toml").write_text("[[source]\nname = ", encoding="utf-8")
    result = CliRunner().invoke(cli, ["--home", str(home), "extract", str(saved), "--url", "https://udn.com/news/1"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["source"] == "聯合新聞網"
    assert result.stderr.startswith("warning: outlets are not named from the sources file: ")
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_box_of_links_headed_by_a_generic_word_is_never_the_outlet():
    for heading in ("生活熱門新聞", "熱門新聞", "即時新聞", "最新新聞", "推薦新聞", "相关新闻"):
        html = page().replace("</article>", f"</article><div class='hot'><h3>{heading}</h3>"
                              "<ul><li><a href='/n/1'>颱風外圍環流影響 北部午後雷陣雨</a></li></ul></div>")
        assert extract_article(html, "https://udn.com/news/story/1/2").source == "聯合新聞網", heading
