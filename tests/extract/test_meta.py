"""Metadata readers: titles, JSON-LD, script detection, timezone guesses, structured dates."""

from __future__ import annotations

from datetime import datetime, UTC

import pytest

from newsmirror.extract.meta import (
    detect_lang,
    detect_script,
    guess_timezone,
    parse_iso_date,
    read_meta,
    read_script_dates,
)
from newsmirror.extract.page import parse_html
from newsmirror.extract.titles import choose_title, strip_site_suffix


@pytest.mark.parametrize(
    "raw, site, want",
    [
        ("習近平與金正恩將舉行會談 | 聯合新聞網", "", "習近平與金正恩將舉行會談"),
        ("多地项目连环爆雷_网易新闻", "", "多地项目连环爆雷"),
        ("标题在这里 - 示例网 - 新闻频道", "", "标题在这里"),
        ("只有標題沒有網站名", "", "只有標題沒有網站名"),
        ("Headline here | Example", "Example", "Headline here"),
    ],
)
def test_strip_site_suffix(raw, site, want):
    assert strip_site_suffix(raw, site) == want


def test_h1_confirmed_by_title_tag_wins():
    root = parse_html("<html><head><title>港口擴建動土 | 範例網</title></head><body>"
                      "<h1>範例網</h1><h1>港口擴建動土</h1></body></html>")
    meta = read_meta(root)
    assert choose_title(meta) == "港口擴建動土"


def test_og_title_when_no_h1():
    root = parse_html("<html><head><title>x</title><meta property='og:title' content='新聞標題在此 | 範例網'>"
                      "</head><body><p>text</p></body></html>")
    assert choose_title(read_meta(root)) == "新聞標題在此"


def test_json_ld_persons_not_organizations_and_graph():
    root = parse_html(
        """<html><head><script type="application/ld+json">
        {"@graph": [{"@type": "WebSite", "name": "S"},
          {"@type": "NewsArticle", "headline": "H1 標題", "datePublished": "2024-03-05T09:30:00+08:00",
           "dateModified": "2024-03-05T10:00:00+08:00",
           "author": [{"@type": "Person", "name": "王晓东"}, {"@type": "Organization", "name": "示例新闻"}],
           "publisher": {"@type": "Organization", "name": "示例新闻"}}]}
        </script><script type="application/ld+json">{broken</script></head><body></body></html>"""
    )
    meta = read_meta(root)
    assert meta.ld_authors == ("王晓东",)
    assert meta.ld_publisher == "示例新闻"
    assert meta.ld_headline == "H1 標題"
    assert meta.published[0] == "2024-03-05T09:30:00+08:00"
    assert meta.updated[0] == "2024-03-05T10:00:00+08:00"


def test_meta_tags_and_time():
    root = parse_html(
        "<html lang='zh-TW'><head><meta property='article:published_time' content='2025-09-04T07:10:00Z'>"
        "<meta name='keywords' content='金正恩, 習近平，北韓'><link rel='canonical' href='https://a.example.tw/n/1'>"
        "</head><body><time datetime='2025-09-04T15:10:00+08:00'>9/4</time></body></html>"
    )
    meta = read_meta(root)
    assert meta.published == ("2025-09-04T07:10:00Z",)
    assert meta.keywords == ("金正恩", "習近平", "北韓")
    assert meta.canonical == "https://a.example.tw/n/1"
    assert meta.time_tags == ("2025-09-04T15:10:00+08:00",)
    assert meta.lang == "zh-TW"


def test_detect_script():
    assert detect_script("金正恩與習近平上一次的公開會面是在北京，雙方討論了經濟問題。") == "Hant"
    assert detect_script("金正恩与习近平上一次的公开会面是在北京，双方讨论了经济问题。") == "Hans"
    assert detect_script("no chinese here at all") is None


def test_detect_lang():
    assert detect_lang("大陸外交部發言人表示，兩國領導人將舉行會談，就雙邊關係交換意見。")[0] == "zh-Hant"
    assert detect_lang("The council approved a plan to rebuild the river park next spring.", "en-GB")[0] == "en"
    assert detect_lang("東京で記者会見が行われました。ありがとうございます。よろしくお願いします。")[0] == "ja"


@pytest.mark.parametrize(
    "url, lang, attr, want",
    [
        ("https://udn.com.tw/news/1", None, "", "Asia/Taipei"),
        ("https://news.example.hk/1", "zh-Hant", "", "Asia/Hong_Kong"),
        ("https://www.8world.sg/1", "zh-Hans", "", "Asia/Singapore"),
        (None, "zh-Hant", "", "Asia/Taipei"),
        (None, "zh-Hans", "", "Asia/Shanghai"),
        ("https://news.163.com/a", "zh-Hans", "zh-CN", "Asia/Shanghai"),
        (None, None, "zh-HK", "Asia/Hong_Kong"),
        ("https://www.bbc.com/zhongwen/articles/abc/simp", "zh-Hans", "zh-hans", "Europe/London"),
        ("http://www.bbc.co.uk/zhongwen/trad/a.shtml", "zh-Hant", "", "Europe/London"),
        ("https://news.example.co.uk/a", "zh-Hans", "", "Europe/London"),
        ("https://notbbc.com/a", "zh-Hans", "", "Asia/Shanghai"),
        ("https://www.example.net.au/chinese/a", "zh-Hans", "", "Australia/Sydney"),
    ],
)
def test_guess_timezone(url, lang, attr, want):
    assert guess_timezone(url, lang, attr) == want


def test_parse_iso_date_forms():
    v, has_time = parse_iso_date("2025-09-04T07:10:00Z", "Asia/Taipei")
    assert v.isoformat() == "2025-09-04T15:10:00+08:00" and has_time
    v, has_time = parse_iso_date("2019-09-07 13:43:45", "Asia/Shanghai")
    assert (v.hour, v.minute, str(v.tzinfo)) == (13, 43, "Asia/Shanghai")
    v, has_time = parse_iso_date("2019-05-17", "Asia/Shanghai")
    assert not has_time and v.day == 17
    v, _ = parse_iso_date("1581511020", "Asia/Shanghai")
    assert v.astimezone(UTC) == datetime(2020, 2, 12, 12, 37, tzinfo=UTC)
    assert parse_iso_date("not a date", "Asia/Taipei") is None
    assert parse_iso_date("2019-13-45", "Asia/Taipei") is None


def test_parse_iso_date_offset_needs_a_clock():
    v, has_time = parse_iso_date("2007-08-20-23:59:59", "Asia/Shanghai")  # `-23:59` is no UTC offset
    assert (v.year, v.month, v.day, has_time) == (2007, 8, 20, False)
    v, _ = parse_iso_date("2007-08-20 23:59:59-05:00", "Asia/Shanghai")
    assert v.isoformat() == "2007-08-21T12:59:59+08:00"


def test_read_script_dates_takes_publication_keys_only():
    scripts = [
        'var t="1581605093",n="1581418070",s="2020-02-11";\n var ct = "1581418070";',
        (
            '{"time": "2019-12-29 22:31:02", "dtime": "1577629862", "pubtime": "2019-09-07 19:02:26",'
            ' "updateTime": "2019-09-08 10:00:00", publishDate: "2019-09-07T05:51:23.000Z", createdAt: 1567843781000,'
            " publish_time: '2019-10-08 12:00', other.ct = 1234567890}"
        ),
    ]
    assert read_script_dates(scripts) == [
        "1581418070", "2019-09-07 19:02:26", "2019-09-07T05:51:23.000Z", "1567843781000", "2019-10-08 12:00"]
    assert read_script_dates(["var x = 1; // no dates"]) == []


def test_read_script_dates_finds_what_a_scan_of_every_position_finds():
    import random
    import re

    from newsmirror.extract.meta import _SCRIPT_DATE, _SCRIPT_DATE_KEY

    def every_position(scripts):
        out = []
        for text in scripts:
            for m in _SCRIPT_DATE.finditer(text):
                key = re.sub(r"(?<=[a-z])(?=[A-Z])", "_", m.group("key").lstrip("$"))
                if _SCRIPT_DATE_KEY.match(key) and m.group("value") not in out:
                    out.append(m.group("value"))
        return out

    rnd = random.Random(7)
    pieces = ["ct", "pubtime", "publishDate", "$createdAt", "time", "x.ct", '"ct"', "'post_time'", ":", "=", ":=", "=:",
              " ", "\n", '"', "'", "1581418070", "1581418070123", "2019-09-07", "2019/9/7 10:02", "20190907", ",", ";",
              "{", "}", "-", "var ", "a"]
    for _ in range(300):
        scripts = ["".join(rnd.choice(pieces) for _ in range(rnd.randint(1, 40))) for _ in range(rnd.randint(1, 3))]
        assert read_script_dates(scripts) == every_position(scripts), scripts


def test_read_meta_finds_script_stamps_identifier_and_unlisted_date_names():
    root = parse_html(
        '<html><head><meta name="dc.identifier" content="http://www.example.co.uk/news/2012/12/a.shtml">'
        '<meta name="firstpublishedtime" content="2007-08-20-23:59:59">'
        '<meta itemprop="dateUpdate" content="2019-10-08 12:00:57">'
        '<script src="/x.js"></script><script>var ct = "1581418070";</script>'
        '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "H", "dateCreated": "1"}</script>'
        "</head><body><p>x</p></body></html>"
    )
    meta = read_meta(root)
    assert meta.canonical == "http://www.example.co.uk/news/2012/12/a.shtml"
    assert meta.published == ("2007-08-20-23:59:59",)
    assert meta.updated == ("2019-10-08 12:00:57",)
    assert meta.script_dates == ("1581418070",)


@pytest.mark.parametrize("title", ['第一行\n- 第二行: "引號" #井號', "a: b", "- 開頭", "[括號]", "反斜線\\n", "tab\there"])
def test_markdown_front_matter_parses_whatever_the_title_holds(title):
    import yaml

    from newsmirror.extract.output import article_to_markdown
    from newsmirror.models import Article

    md = article_to_markdown(Article(title=title, url="https://x.example/a?b=1#c d: e", authors=("王\n小明",),
                                     source="來源: #1", tags=("a, b", "[c]"), text="正文。"))
    front = yaml.safe_load(md.split("---\n")[1])
    assert front["title"] == title
    assert front["from"] == "https://x.example/a?b=1#c d: e"
    assert front["authors"] == ["王\n小明"] and front["source"] == "來源: #1" and front["tags"] == ["a, b", "[c]"]
