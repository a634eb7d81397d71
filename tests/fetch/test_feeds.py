"""parse_feed over small fixture feeds we wrote: formats, links, dates, encodings and broken input."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone, UTC
from pathlib import Path
from zoneinfo import ZoneInfo

import feedparser
import pytest

from newsmirror.errors import FeedError
from newsmirror.fetch.feeds import clean_title, parse_feed, parse_feed_date
from newsmirror.models import Source

DATA = Path(__file__).resolve().parent.parent / "data" / "feeds"
TAIPEI = Source("測試日報", ("https://news.example.tw/rss",), timezone="Asia/Taipei")
SHANGHAI = Source("示例日报", ("https://cn.example.com/rss",), timezone="Asia/Shanghai")
NEW_YORK = Source("Example Times", ("https://ny.example.com/rss",), timezone="America/New_York")
UTC8 = timezone(timedelta(hours=8))


def load(name: str, source: Source = TAIPEI, url: str | None = None, **kw):
    return parse_feed((DATA / name).read_bytes(), url=url or f"https://news.example.tw/feeds/{name}", source=source, **kw)


def rss(items: str, *, encoding: str = "utf-8", declared: str | None = "utf-8") -> bytes:
    head = f'<?xml version="1.0" encoding="{declared}"?>\n' if declared else ""
    doc = (f'{head}<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">'
           f"<channel><title>頻道</title>{items}</channel></rss>")
    return doc.encode(encoding)


# ---------------------------------------------------------------- formats


def test_rss20():
    feed = load("rss20.xml")
    assert feed.title == "臺灣測試日報 & 即時新聞"
    first, second, flash = feed.items
    assert first.source == "測試日報"
    assert first.feed_url == "https://news.example.tw/feeds/rss20.xml"
    assert first.title == "颱風凱米逼近 北市宣布停班停課"
    assert first.link == "https://news.example.tw/news/2024/0724-typhoon.html"  # relative link resolved
    assert first.guid == "tw-2024-0724-001"  # GUID kept as given, not resolved
    assert first.published == datetime(2024, 7, 24, 18, 5, tzinfo=UTC8)
    assert first.authors == ("王小明",)  # dc:creator and "email (name)" deduplicated
    assert first.categories == ("生活", "氣象")
    assert first.summary_html == "<p>中央氣象署發布陸上颱風警報。</p>"
    assert first.content_html.startswith("<p>中央氣象署發布陸上颱風警報，")  # content:encoded
    assert first.html == first.content_html
    assert second.title == "立法院三讀通過「數位中介法」"  # entities unescaped
    assert second.content_html == "" and second.html == "立法院今日院會三讀通過法案。"
    assert flash.link == "https://news.example.tw/flash/88"  # permalink GUID stands in for the link
    assert flash.published == datetime(2024, 7, 24, 9, 0, tzinfo=UTC)


def test_rss20_item_without_link_and_guid_is_skipped_with_warning():
    feed = load("rss20.xml")
    assert "沒有連結也沒有識別碼的項目" not in [i.title for i in feed.items]
    assert feed.warnings == ("https://news.example.tw/feeds/rss20.xml: item 3 has neither link nor guid; skipped",)


def test_rss10_rdf():
    feed = load("rss10.xml", SHANGHAI)
    assert feed.title == "示例新闻网"
    (item,) = feed.items
    assert item.title == "全国人大常委会审议数据安全法草案"
    assert item.link == "https://cn.example.com/a/1.html"
    assert item.authors == ("李华",)
    assert item.categories == ("时政",)
    assert item.published == datetime(2024, 3, 5, 9, 30, tzinfo=UTC8)  # dc:date without zone, Shanghai time
    assert item.published.utcoffset() == timedelta(hours=8)


def test_rss091():
    feed = load("rss091.xml")
    (item,) = feed.items
    assert feed.title == "港聞測試台"
    assert item.title == "天文台發出三號強風信號"
    assert item.link == "https://hk.example.org/news/signal3"
    assert item.guid is None
    assert item.published is None
    assert item.summary_html == "天文台表示，熱帶氣旋正在靠近本港。"


def test_atom():
    feed = load("atom.xml", SHANGHAI, url="https://cn.example.com/feeds/atom.xml")
    assert feed.title == "示例日报 要闻"
    first, second = feed.items
    assert first.title == "国务院常务会议部署防汛抗旱工作"
    assert first.link == "https://cn.example.com/feeds/news/501.html"
    assert first.guid == "tag:cn.example.com,2024:news-501"
    assert first.published == datetime(2024, 5, 1, 9, 15, tzinfo=UTC8)
    assert first.updated == datetime(2024, 5, 1, 11, 0, tzinfo=UTC8)
    assert first.authors == ("张伟", "刘芳")
    assert first.categories == ("国内",)
    assert first.summary_html == "会议要求各地做好防汛准备。"
    assert first.content_html == "<p>国务院总理主持召开常务会议，部署防汛抗旱工作。</p>"
    assert second.title == "央行宣布降准0.5个百分点"  # xhtml title: tags dropped without spaces
    assert second.published == second.updated == datetime(2024, 5, 1, 8, 0, tzinfo=UTC)


def test_json_feed():
    feed = load("jsonfeed.json", url="https://json.example.tw/feed.json", content_type="application/feed+json")
    assert feed.title == "測試 JSON 新聞"
    first, second = feed.items
    assert first.title == "高鐵新站啟用 & 通車典禮"
    assert first.link == "https://json.example.tw/posts/1"
    assert first.guid == "j-1"
    assert first.published == datetime(2024, 6, 1, 8, 0, tzinfo=UTC8)
    assert first.updated == datetime(2024, 6, 1, 10, 0, tzinfo=ZoneInfo("Asia/Taipei"))
    assert first.authors == ("陳美玲",)
    assert first.categories == ("交通", "高鐵")
    assert first.content_html == "<p>高鐵新站今日正式啟用。</p>"
    assert first.summary_html == "<p>新站啟用</p>"
    assert second.guid == "2"  # numeric id kept as text
    assert second.link == "https://other.example.tw/story"
    assert second.authors == ("編輯部",)  # feed-level author
    assert second.content_html == "<p>第一段。</p><p>第二段 &lt;不是標籤&gt;。</p>"
    assert second.published == datetime(2024, 6, 2, 7, 30, tzinfo=UTC8)
    assert feed.warnings == ("https://json.example.tw/feed.json: item 3 has neither url nor id; skipped",)


def test_json_feed_detected_by_content_not_type():
    data = (DATA / "jsonfeed.json").read_bytes()
    feed = parse_feed(data, url="https://json.example.tw/feed", source=TAIPEI, content_type="text/html")
    assert len(feed.items) == 2


def test_json_that_is_not_a_feed():
    with pytest.raises(FeedError, match=r"^https://x\.example/api is JSON but not a JSON Feed"):
        parse_feed(b'{"status": "ok"}', url="https://x.example/api", source=TAIPEI)
    with pytest.raises(FeedError, match=r"is not valid JSON \(line 1: "):
        parse_feed(b'{"items": [', url="https://x.example/api", source=TAIPEI)


def test_duplicate_guids_inside_one_feed_are_all_returned():
    items = "".join(
        f"<item><title>重複第{n}則</title><link>https://news.example.tw/a/{n}</link><guid>same-guid</guid></item>"
        for n in (1, 2)
    )
    feed = parse_feed(rss(items), url="https://news.example.tw/rss", source=TAIPEI)
    assert [(i.guid, i.title) for i in feed.items] == [("same-guid", "重複第1則"), ("same-guid", "重複第2則")]


def test_relative_links_resolve_against_the_feed_url():
    items = ("<item><title>一</title><link>../a/1.html</link></item>"
             "<item><title>二</title><link>/b/2.html</link></item>"
             "<item><title>三</title><link>  https://other.example.tw/c  </link></item>")
    feed = parse_feed(rss(items), url="https://news.example.tw/feeds/main/rss.xml", source=TAIPEI)
    assert [i.link for i in feed.items] == [
        "https://news.example.tw/feeds/a/1.html", "https://news.example.tw/b/2.html", "https://other.example.tw/c"]


def test_title_cleaning():
    assert clean_title("  <b>頭條</b>：&amp;nbsp;股市&nbsp;大漲\n\t3%  ") == "頭條：&nbsp;股市 大漲 3%"
    assert clean_title("&lt;em&gt;獨家&lt;/em&gt;專訪") == "獨家專訪"
    assert clean_title("first<br/>second") == "first second"
    assert clean_title(None) == ""


def test_item_without_title_gets_one_from_its_text():
    items = "<item><link>https://x.example/1</link><description>&lt;p&gt;只有內文的快訊，沒有標題。&lt;/p&gt;</description></item>"
    (item,) = parse_feed(rss(items), url="https://x.example/rss", source=TAIPEI).items
    assert item.title == "只有內文的快訊，沒有標題。"


# ---------------------------------------------------------------- dates


def dated(date: str, source: Source) -> datetime | None:
    items = f"<item><title>t</title><link>https://x.example/1</link><pubDate>{date}</pubDate></item>"
    return parse_feed(rss(items), url="https://x.example/rss", source=source).items[0].published


def test_zoneless_date_read_in_source_timezone():
    taipei = dated("Wed, 24 Jul 2024 16:30:00", TAIPEI)
    shanghai = dated("Wed, 24 Jul 2024 16:30:00", SHANGHAI)
    new_york = dated("Wed, 24 Jul 2024 16:30:00", NEW_YORK)
    assert taipei == shanghai == datetime(2024, 7, 24, 8, 30, tzinfo=UTC)
    assert taipei.tzinfo == ZoneInfo("Asia/Taipei") and shanghai.tzinfo == ZoneInfo("Asia/Shanghai")
    assert new_york == datetime(2024, 7, 24, 20, 30, tzinfo=UTC)  # EDT, UTC-4 in July
    # feedparser alone would have read it as UTC
    assert dated("2024-07-24T16:30:00", TAIPEI) == taipei
    parsed = feedparser.parse(rss("<item><title>t</title><pubDate>2024-07-24T16:30:00</pubDate></item>"))
    assert parsed.entries[0].published_parsed.tm_hour == 16


def test_explicit_zone_is_kept():
    assert dated("Wed, 24 Jul 2024 16:30:00 +0900", TAIPEI) == datetime(2024, 7, 24, 7, 30, tzinfo=UTC)
    assert dated("Wed, 24 Jul 2024 16:30:00 GMT", SHANGHAI) == datetime(2024, 7, 24, 16, 30, tzinfo=UTC)
    assert dated("2024-07-24T16:30:00Z", TAIPEI).utcoffset() == timedelta(0)


def test_cst_is_china_time_for_utc8_sources_only():
    assert dated("Wed, 24 Jul 2024 16:30:00 CST", SHANGHAI).utcoffset() == timedelta(hours=8)
    assert dated("Wed, 24 Jul 2024 16:30:00 CST", NEW_YORK).utcoffset() == timedelta(hours=-6)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2024-07-24 16:30:00", datetime(2024, 7, 24, 16, 30, tzinfo=UTC8)),
        ("2024/7/24 16:30", datetime(2024, 7, 24, 16, 30, tzinfo=UTC8)),
        ("2024年7月24日 16時30分", datetime(2024, 7, 24, 16, 30, tzinfo=UTC8)),
        ("2024年07月24日16:30", datetime(2024, 7, 24, 16, 30, tzinfo=UTC8)),
        ("2024-07-24", datetime(2024, 7, 24, 0, 0, tzinfo=UTC8)),
        ("2024-07-24T16:30:00.5+05:30", datetime(2024, 7, 24, 11, 0, 0, 500000, tzinfo=UTC)),
        ("2024-07-24 16:30 北京时间", datetime(2024, 7, 24, 16, 30, tzinfo=UTC8)),
        ("24 Jul 2024 16:30 GMT+8", datetime(2024, 7, 24, 16, 30, tzinfo=UTC8)),
        ("Wed, 24 Jul 24 16:30:00 -0000", datetime(2024, 7, 24, 16, 30, tzinfo=UTC)),
        ("Wednesday, 24-Jul-24 16:30:00 HKT", datetime(2024, 7, 24, 16, 30, tzinfo=UTC8)),
        ("not a date", None),
        ("2024-13-45 10:00", None),
        ("", None),
    ],
)
def test_parse_feed_date(raw, expected):
    got = parse_feed_date(raw, ZoneInfo("Asia/Taipei"))
    assert got == expected
    if got is not None:
        assert got.tzinfo is not None


# ---------------------------------------------------------------- encodings


TRAD_TITLE = "颱風來襲　臺北市停班停課"
SIMP_TITLE = "国务院部署防汛抗旱工作"


@pytest.mark.parametrize("declared", ["big5", "utf-8", "gb2312", None])
def test_big5_feed_with_right_wrong_or_missing_declaration(declared):
    items = f"<item><title>{TRAD_TITLE}</title><link>https://x.example/1</link><description>記者報導，各地風雨增強。</description></item>"
    data = rss(items, encoding="big5", declared=declared)
    feed = parse_feed(data, url="https://x.example/rss", source=TAIPEI)
    assert feed.title == "頻道"
    assert feed.items[0].title == "颱風來襲 臺北市停班停課"
    assert feed.items[0].summary_html == "記者報導，各地風雨增強。"


@pytest.mark.parametrize("declared", ["gbk", "gb2312", "gb18030", "utf-8", "big5", None])
def test_gbk_feed_with_right_wrong_or_missing_declaration(declared):
    items = f"<item><title>{SIMP_TITLE}</title><link>https://x.example/1</link><description>会议要求各地做好准备。</description></item>"
    feed = parse_feed(rss(items, encoding="gbk", declared=declared), url="https://x.example/rss", source=SHANGHAI)
    assert feed.items[0].title == SIMP_TITLE
    assert feed.items[0].summary_html == "会议要求各地做好准备。"


def test_wrong_http_charset_is_overridden_by_the_bytes():
    items = f"<item><title>{TRAD_TITLE}</title><link>https://x.example/1</link></item>"
    data = rss(items, encoding="big5", declared="big5")
    feed = parse_feed(data, url="https://x.example/rss", source=TAIPEI, content_type="text/xml; charset=gb2312")
    assert feed.items[0].title == "颱風來襲 臺北市停班停課"


def test_feedparser_alone_misreads_a_mislabelled_big5_feed():
    """Why parse_feed decodes first: feedparser trusts a gb2312 label on Big5 bytes."""
    items = f"<item><title>{TRAD_TITLE}</title><link>https://x.example/1</link></item>"
    data = rss(items, encoding="big5", declared="gb2312")
    assert feedparser.parse(data).entries[0].title != TRAD_TITLE
    assert parse_feed(data, url="https://x.example/rss", source=TAIPEI).items[0].title == "颱風來襲 臺北市停班停課"


def test_utf8_bom_and_leading_whitespace():
    items = f"<item><title>{TRAD_TITLE}</title><link>https://x.example/1</link></item>"
    data = b"\xef\xbb\xbf\n\n  " + rss(items)
    feed = parse_feed(data, url="https://x.example/rss", source=TAIPEI)
    assert feed.items[0].title == "颱風來襲 臺北市停班停課"
    assert feed.warnings == ()


# ---------------------------------------------------------------- not feeds, broken feeds


def test_empty_body():
    for body in (b"", b"  \r\n\t"):
        with pytest.raises(FeedError) as info:
            parse_feed(body, url="https://x.example/feed", source=TAIPEI)
        assert str(info.value) == "https://x.example/feed is empty"
        assert info.value.url == "https://x.example/feed"


def test_html_page_instead_of_feed():
    page = "<!DOCTYPE html><html><head><title>首頁</title></head><body><p>歡迎光臨</p></body></html>"
    with pytest.raises(FeedError) as info:
        parse_feed(page.encode(), url="https://x.example/feed", source=TAIPEI, content_type="text/html")
    assert str(info.value) == "https://x.example/feed is an HTML page, not a feed; find the RSS link on that page"


def test_html_page_that_names_its_feed():
    page = ('<html lang="zh-Hant"><head><link rel="alternate" type="application/rss+xml" title="RSS" '
            'href="/rss/news.xml"></head><body>新聞</body></html>')
    with pytest.raises(FeedError, match=r"is an HTML page, not a feed; the page names a feed at https://x\.example/rss/news\.xml$"):
        parse_feed(page.encode(), url="https://x.example/news", source=TAIPEI)


def test_malformed_xml_without_items():
    body = '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>壞掉</title>\n<foo>\n</bar></channel></rss>'
    with pytest.raises(FeedError) as info:
        parse_feed(body.encode(), url="https://x.example/feed", source=TAIPEI)
    assert str(info.value) == "https://x.example/feed is not well-formed XML (line 4: mismatched tag) and has no readable items"


def test_malformed_xml_with_recoverable_items():
    body = ('<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>半壞</title>\n'
            "<item><title>第一則&nbsp;新聞</title><link>https://x.example/1</link></item>\n"
            "<item><title>第二則</title><link>https://x.example/2</link></item>\n</channel></rss>")
    feed = parse_feed(body.encode(), url="https://x.example/feed", source=TAIPEI)
    assert [i.title for i in feed.items] == ["第一則 新聞", "第二則"]
    assert len(feed.warnings) == 1
    assert feed.warnings[0].startswith("https://x.example/feed is not well-formed XML (line 3: undefined entity)")
    assert feed.warnings[0].endswith("2 items read anyway")


def test_xml_that_is_not_a_feed():
    body = b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"></urlset>'
    with pytest.raises(FeedError, match=r"^https://x\.example/sitemap\.xml is not an RSS, Atom or JSON feed \(it starts with <urlset>\)$"):
        parse_feed(body, url="https://x.example/sitemap.xml", source=TAIPEI)


def test_plain_text_is_not_a_feed():
    with pytest.raises(FeedError, match=r"^https://x\.example/feed is not a feed: it starts with '服務暫停，請稍後再試'$"):
        parse_feed("服務暫停，請稍後再試".encode(), url="https://x.example/feed", source=TAIPEI)


def test_valid_feed_with_no_items_is_not_an_error():
    feed = parse_feed(rss(""), url="https://x.example/rss", source=TAIPEI)
    assert feed.title == "頻道" and feed.items == () and feed.warnings == ()


# ---------------------------------------------------------------- over HTTP


def test_fetch_and_parse_big5_feed_over_http(http_server):
    import asyncio

    from httpserver import Reply
    from newsmirror.fetch.http import Fetcher

    items = f"<item><title>{TRAD_TITLE}</title><link>/news/1</link><pubDate>2024-07-24 16:30</pubDate></item>"
    url = http_server.add("/big5.xml", Reply(rss(items, encoding="big5", declared="big5"),
                                             content_type="text/xml; charset=utf-8"))  # a lying header

    async def run():
        async with Fetcher() as fetcher:
            return await fetcher.get(url)

    result = asyncio.run(run())
    feed = parse_feed(result.content, url=result.final_url, source=TAIPEI, content_type=result.headers["content-type"])
    (item,) = feed.items
    assert item.title == "颱風來襲 臺北市停班停課"
    assert item.link == http_server.url("/news/1")
    assert item.published == datetime(2024, 7, 24, 16, 30, tzinfo=UTC8)


def test_control_characters_are_removed_with_a_warning():
    items = "<item><title>標題\x0b含控制字元\x1f</title><link>https://x.example/1</link></item>"
    feed = parse_feed(rss(items), url="https://x.example/rss", source=TAIPEI)
    assert feed.items[0].title == "標題含控制字元"
    assert feed.warnings == ("https://x.example/rss: removed 2 control characters not allowed in XML",)


def test_xhtml_page_with_xml_declaration_is_html():
    page = ('<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" '
            '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">\n<html xmlns="http://www.w3.org/1999/xhtml">'
            "<head><title>首頁</title></head><body><p>你好</p></body></html>")
    with pytest.raises(FeedError, match=r"^https://x\.example/ is an HTML page, not a feed; find the RSS link"):
        parse_feed(page.encode(), url="https://x.example/", source=TAIPEI)


def test_unparseable_link_counts_as_missing():
    items = ("<item><title>壞連結</title><link>http://[::1/oops</link><guid>k-1</guid></item>"
             "<item><title>壞連結無識別碼</title><link>http://[::1/oops</link></item>")
    feed = parse_feed(rss(items), url="https://x.example/rss", source=TAIPEI)
    assert [(i.title, i.link, i.guid) for i in feed.items] == [("壞連結", "", "k-1")]
    assert feed.warnings == ("https://x.example/rss: item 1 has no link (guid k-1)",
                             "https://x.example/rss: item 2 has neither link nor guid; skipped")


def test_malformed_xml_whose_recovered_items_are_unusable_is_an_error():
    from newsmirror.errors import FeedError
    from newsmirror.fetch.feeds import parse_feed
    from newsmirror.models import Source

    body = b"<?xml version='1.0'?><rss><channel><item><title>x</tit"
    with pytest.raises(FeedError, match="is not well-formed XML .* and has no readable items"):
        parse_feed(body, url="http://127.0.0.1/f.xml", source=Source(name="s", feeds=("http://127.0.0.1/f.xml",)))


def test_script_and_data_links_count_as_missing():
    # a feed's <link> becomes the href of the published post's title link: only http(s) may pass
    items = ("<item><title>腳本連結</title><link>javascript:alert(1)</link><guid>k-1</guid></item>"
             "<item><title>資料連結</title><link> data:text/html,&lt;script&gt;alert(1)&lt;/script&gt;</link>"
             "<guid>https://x.example/a/2</guid></item>")
    feed = parse_feed(rss(items), url="https://x.example/rss", source=TAIPEI)
    assert [(i.title, i.link) for i in feed.items] == [("腳本連結", ""), ("資料連結", "https://x.example/a/2")]
    body = ('{"version": "https://jsonfeed.org/version/1.1", "title": "t", "items": ['
            '{"id": "j-1", "url": "javascript:alert(1)", "content_text": "x"}]}')
    feed = parse_feed(body.encode(), url="https://x.example/feed.json", source=TAIPEI)
    assert [i.link for i in feed.items] == [""]


# ---------------------------------------------------------------- the two parsers agree

def _quirky_feeds() -> dict[str, bytes]:
    """The fixture feeds and feeds with real-feed quirks: items without link, shared GUIDs, CDATA, RSS 1.0."""
    feeds = {p.name: p.read_bytes() for p in sorted(DATA.glob("*.xml"))}
    feeds["no-link"] = rss("<item><title>無連結</title><guid isPermaLink='false'>n1</guid><description>只有摘要。"
                           "</description></item><item><title>有連結</title><link>https://e.example.tw/a/2</link>"
                           "<pubDate>2025-09-10 08:30</pubDate></item>")
    feeds["shared-guid"] = rss("".join(
        f"<item><title>第{i}則</title><link>https://e.example.tw/a/{i}</link><guid>same</guid>"
        f"<author>記者{i} (someone{i}@example.tw)</author><category>政治</category><category>政治</category>"
        f"<content:encoded><![CDATA[<p>內文{i}<b>粗體</b></p>]]></content:encoded></item>" for i in range(3)))
    feeds["permalink-guid"] = rss("<item><title>只有 guid</title><guid>https://e.example.tw/g/9</guid>"
                                  "<pubDate>Wed, 10 Sep 2025 08:30:00 CST</pubDate></item>")
    return feeds


@pytest.mark.parametrize("name", list(_quirky_feeds()))
def test_feedparser_rs_and_feedparser_give_the_same_items(name):
    body = _quirky_feeds()[name]
    url = f"https://news.example.tw/feeds/{name}"
    fast = parse_feed(body, url=url, source=TAIPEI)
    slow = parse_feed(body, url=url, source=TAIPEI, fast=False)

    def kept(feed):  # what the archive keeps of an item (`updated` is not kept; html is content, else summary)
        return [(i.title, i.link, i.guid, i.published, i.authors, i.categories, i.html) for i in feed.items]

    assert fast.items and kept(fast) == kept(slow)
    assert (fast.title, fast.warnings, fast.ttl) == (slow.title, slow.warnings, slow.ttl)


def test_a_feed_linking_to_a_private_address_keeps_its_links():
    body = rss("<item><title>本機</title><link>http://127.0.0.1:8080/a/1</link></item>"
               "<item><title>內網</title><link>http://10.1.2.3/a/2</link></item>")
    feed = parse_feed(body, url="http://127.0.0.1:8080/rss", source=TAIPEI)
    assert [i.link for i in feed.items] == ["http://127.0.0.1:8080/a/1", "http://10.1.2.3/a/2"]


def test_author_written_as_name_then_email():
    feed = parse_feed(rss("<item><title>甲</title><link>https://e.example.tw/1</link>"
                          "<author>記者王小明 (wang@example.tw)</author></item>"
                          "<item><title>乙</title><link>https://e.example.tw/2</link>"
                          "<author>lee@example.tw (李大同)</author></item>"), url="https://e.example.tw/rss", source=TAIPEI)
    assert [i.authors for i in feed.items] == [("記者王小明",), ("李大同",)]
