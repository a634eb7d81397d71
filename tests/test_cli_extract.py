"""`newsmirror extract` and `newsmirror reextract` from the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from feedtext import rss
from httpserver import Reply
from newsmirror.cli import cli
from newsmirror.config import Settings, save_sources
from newsmirror.models import Source

DATA = Path(__file__).parent / "data" / "pages"
FIELDS = {"file", "url", "kind", "title", "authors", "source", "published", "updated", "text", "html",
          "captions", "tags", "related", "images", "lang", "script", "credits", "notes"}


def extract(*args: str):
    return CliRunner().invoke(cli, ["extract", *args])


def test_seed_004_capture_as_json(seeds_dir):
    result = extract(str(seeds_dir / "004_87285a9e95f1eb52.txt"))
    assert result.exit_code == 0, result.stderr
    (obj,) = [json.loads(line) for line in result.stdout.splitlines()]
    assert set(obj) == FIELDS
    assert obj["file"] == "004_87285a9e95f1eb52.txt"
    assert obj["kind"] == "article"
    assert obj["title"] == "時隔6年！習近平與金正恩將舉行會談 陸外交部：具重要意義"
    assert obj["authors"] == ["陳宥菘"] and obj["source"] == "聯合報"
    assert obj["text"].startswith("大陸外交部發言人郭嘉昆4日下午表示")
    assert obj["text"].endswith("斯洛伐克總理菲佐等。")
    assert obj["tags"] == ["北京", "北韓", "金正恩", "習近平", "中共閱兵"]
    groups = {r["group"] for r in obj["related"]}
    assert {"延伸閱讀", "相關新聞"} <= groups
    for noise in ("聽新聞", "0:00 / 0:00", "商品推薦", "udn討論區", "張貼文章", "爆院方帶錢拜訪慰問"):
        assert noise not in obj["text"]
    assert obj["script"] == "Hant"


def test_seed_000_post_body_and_related(seeds_dir):
    result = extract(str(seeds_dir / "000_2e124f6b3491d5a3.txt"))
    assert result.exit_code == 0
    obj = json.loads(result.stdout)
    assert obj["text"].rstrip().endswith("（編輯：高照芬）1120911")
    related = {}
    for r in obj["related"]:
        related.setdefault(r["group"], []).append(r["title"])
    assert set(related) == {"金正恩", "蒲亭"}
    assert "金正恩愛女出席閱兵式 接班勢頭更顯" in related["金正恩"]


def test_markdown_and_jekyll_formats():
    page = str(DATA / "tw-udn-like.html")
    md = extract(page, "--format", "markdown")
    assert md.exit_code == 0 and "市府宣布河濱公園改建 明年春天完工" in md.stdout
    post = extract(page, "--format", "jekyll", "--url", "https://news.example.tw/a/1")
    assert post.exit_code == 0
    front = yaml.safe_load(post.output.split("---\n")[1])
    assert front["layout"] == "post" and front["from"] == "https://news.example.tw/a/1"


def test_batch_with_bad_inputs_goes_on_and_exit_code_says_so(tmp_path):
    empty = tmp_path / "empty.html"
    empty.write_bytes(b"")
    binary = tmp_path / "blob.bin"
    binary.write_bytes(bytes(range(256)) * 40)
    good = DATA / "tw-udn-like.html"
    result = extract(str(empty), str(binary), str(tmp_path / "missing.html"), str(good), str(DATA / "list-page.html"))
    assert result.exit_code == 1  # the missing file could not be read
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    kinds = {r["file"]: r["kind"] for r in rows}
    assert kinds == {"empty.html": "not_article", "blob.bin": "not_article",
                     "tw-udn-like.html": "article", "list-page.html": "not_article"}
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert errors == [f"error: {tmp_path / 'missing.html'}: no such file"]


def test_every_input_read_exits_0():
    assert extract(str(DATA / "tw-udn-like.html"), str(DATA / "not-found.html")).exit_code == 0


def test_extract_from_url(http_server):
    url = http_server.add("/a.html", Reply((DATA / "tw-udn-like.html").read_bytes()))
    result = extract(url)
    assert result.exit_code == 0
    obj = json.loads(result.stdout)
    assert obj["url"] == url and obj["kind"] == "article"
    missing = extract(http_server.url("/nope.html"))
    assert missing.exit_code == 1 and "404" in missing.stderr


def test_url_option_takes_one_input():
    result = extract(str(DATA / "tw-udn-like.html"), str(DATA / "list-page.html"), "--url", "https://x.example/")
    assert result.exit_code == 2


def test_reextract_reads_the_raw_archive_without_fetching(http_server, tmp_path):
    base = http_server.url("")
    page = (DATA / "tw-udn-like.html").read_bytes()
    http_server.add("/f.xml", Reply(rss([{"title": "示範頁", "link": f"{base}/p.html", "guid": "p",
                                          "date": "Mon, 11 Sep 2023 10:00:00 +0800", "description": "摘要。"}]),
                                    content_type="application/rss+xml"))
    http_server.add("/p.html", Reply(page))
    home = tmp_path / "home"
    save_sources(Settings.from_home(home).sources_file,
                 [Source(name="示範", feeds=(http_server.url("/f.xml"),), full_text="always")])
    assert CliRunner().invoke(cli, ["--home", str(home), "-q", "fetch"]).exit_code == 0
    requests_before = len(http_server.requests)
    result = CliRunner().invoke(cli, ["--home", str(home), "-q", "reextract"])
    assert result.exit_code == 0, result.stderr
    assert result.stderr.startswith("reextract done: 1 pages read")
    assert len(http_server.requests) == requests_before  # nothing fetched


@pytest.mark.parametrize("fmt", ["json", "markdown", "jekyll"])
def test_text_capture_formats(seeds_dir, fmt):
    result = extract(str(seeds_dir / "004_87285a9e95f1eb52.txt"), "--format", fmt)
    assert result.exit_code == 0
    assert "郭嘉昆" in result.output


def test_unknown_timezone_is_a_usage_error():
    result = extract(str(DATA / "tw-udn-like.html"), "--tz", "Mars/Base")
    assert result.exit_code == 2
    assert "unknown timezone 'Mars/Base'" in result.stderr


def test_markdown_headings_follow_the_articles_script():
    from newsmirror.extract.output import article_to_markdown
    from newsmirror.models import Article

    def md(**kw):
        return article_to_markdown(Article(title="標題", text="內文。", captions=("照片說明",), **kw))

    assert "**圖說**" in md(script="Hant", lang="zh-Hant") and "Captions" not in md(script="Hant")
    assert "**图说**" in md(script="Hans", lang="zh-Hans") and "圖說" not in md(script="Hans")
    assert "**图说**" in md(lang="zh-CN") and "**Captions**" in md(lang="en")


def test_extract_markdown_of_a_simplified_page_has_simplified_headings(tmp_path):
    from click.testing import CliRunner

    from newsmirror.cli import cli

    page = tmp_path / "page.html"
    page.write_text(
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>国务院发布经济数据</title></head><body>'
        "<article><h1>国务院发布经济数据</h1>"
        "<p>国家统计局今天发布数据，前三季度经济运行总体平稳，主要指标稳中有进，就业形势保持稳定。</p>"
        '<figure><img src="/a.jpg"><figcaption>图为统计局新闻发布会现场。</figcaption></figure>'
        "<p>专家认为，随着一系列政策措施落地见效，经济发展的势头将会继续保持，消费和投资都有望进一步回升。</p>"
        "<p>统计局发言人表示，下一阶段将继续加强经济监测，为宏观调控提供更加准确及时的数据支持。</p>"
        "</article></body></html>", encoding="utf-8")
    result = CliRunner().invoke(cli, ["extract", str(page), "--format", "markdown"])
    assert result.exit_code == 0, result.stderr
    assert "**图说**" in result.stdout and "圖說" not in result.stdout and "Captions" not in result.stdout


def test_fetch_and_reextract_name_the_sources_outlet_for_a_page_that_names_none(http_server, tmp_path):
    from newsmirror.store import open_store

    base = http_server.url("")
    story = "".join(f"<p>河堤步道第{i}段今天完工開放，居民一早就來散步，市府表示夜間照明也已經全部換新。</p>" for i in range(4))
    page = f"<html><head><title>河堤步道完工</title></head><body><h1>河堤步道完工</h1><div>{story}</div></body></html>"
    http_server.add("/outlet-f.xml", Reply(rss([{"title": "河堤步道完工", "link": f"{base}/outlet-p.html", "guid": "o",
                                                 "date": "Mon, 11 Sep 2023 10:00:00 +0800", "description": "摘要。"}]),
                                           content_type="application/rss+xml"))
    http_server.add("/outlet-p.html", Reply(page.encode()))
    home = tmp_path / "home"
    settings = Settings.from_home(home)
    save_sources(settings.sources_file,
                 [Source(name="河岸日報", feeds=(http_server.url("/outlet-f.xml"),), full_text="always")])

    def stored_source() -> str | None:
        store = open_store(settings.store_location)
        try:
            extracted = store.get_article_by_url(f"{base}/outlet-p.html").extracted
        finally:
            store.close()
        assert extracted is not None and extracted.text.startswith("河堤步道第0段")
        return extracted.source

    assert CliRunner().invoke(cli, ["--home", str(home), "-q", "fetch"]).exit_code == 0
    assert stored_source() == "河岸日報"  # the page names no outlet: its host is the source's
    assert CliRunner().invoke(cli, ["--home", str(home), "-q", "reextract"]).exit_code == 0
    assert stored_source() == "河岸日報"  # re-read from the WARC record with the same outlets
