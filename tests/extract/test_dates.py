"""Dates as news pages print them: data-driven cases in tests/data/dates/*.yaml."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml

from newsmirror.extract import extract_article
from newsmirror.extract.dates import (
    DateMatch,
    find_dates,
    find_url_dates,
    parse_date,
    place_yearless,
)

DATA = Path(__file__).resolve().parent.parent / "data" / "dates"
REFERENCE = datetime(2025, 9, 5, 12, 0, tzinfo=ZoneInfo("Asia/Taipei"))
CASES = yaml.safe_load((DATA / "cases.yaml").read_text(encoding="utf-8"))
FINDS = yaml.safe_load((DATA / "finds.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", CASES, ids=[c["text"] or "<empty>" for c in CASES])
def test_parse_date(case):
    got = parse_date(case["text"], tz=case.get("tz", "Asia/Taipei"), reference=REFERENCE)
    if case["expect"] is None:
        assert got is None
    else:
        assert got is not None, case["text"]
        assert got.tzinfo is not None
        assert got.isoformat() == case["expect"]


@pytest.mark.parametrize("case", FINDS, ids=[c["text"][:20] for c in FINDS])
def test_find_dates(case):
    text = case["text"]
    found = find_dates(text, reference=REFERENCE)
    got = [[d.value.isoformat(), text[d.start : d.end], d.has_time] for d in found]
    assert got == case["expect"]
    assert all(isinstance(d, DateMatch) for d in found)


def test_explicit_zone_is_kept_not_converted():
    got = parse_date("2025-09-04T10:19:00Z", reference=REFERENCE)
    assert got is not None and got.utcoffset() == UTC.utcoffset(None)


def test_month_day_is_never_in_the_future():
    january = datetime(2026, 1, 2, 9, 0, tzinfo=ZoneInfo("Asia/Taipei"))
    assert parse_date("12月31日 23:59", reference=january) == datetime(
        2025, 12, 31, 23, 59, tzinfo=ZoneInfo("Asia/Taipei")
    )
    assert parse_date("1月2日", reference=january).year == 2026


def test_naive_reference_is_read_in_tz():
    got = parse_date("3小時前", tz="Asia/Shanghai", reference=datetime(2025, 9, 5, 12, 0))
    assert got == datetime(2025, 9, 5, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def test_years_beyond_next_year_are_implausible():
    assert parse_date("2027年1月1日", reference=REFERENCE) is None
    assert parse_date("2026年1月1日", reference=REFERENCE) is not None


def test_bare_day_words_in_prose_are_not_dates():
    assert find_dates("南韓國防部今天稍早也提出這項可能性，前天已有消息", reference=REFERENCE) == []
    assert parse_date("今天", reference=REFERENCE) == datetime(2025, 9, 5, tzinfo=ZoneInfo("Asia/Taipei"))


def test_unknown_timezone_falls_back_to_utc_plus_8():
    got = parse_date("2025-09-04 10:00", tz="Not/AZone", reference=REFERENCE)
    assert got is not None and got.utcoffset().total_seconds() == 8 * 3600


def test_has_year_tells_printed_years_from_inferred_ones():
    text = "2024/05/21 18:36 发布，10-08 12:00 更新，昨天 09:00 转载"
    found = find_dates(text, reference=REFERENCE)
    assert [(text[d.start : d.end], d.has_year) for d in found] == [
        ("2024/05/21 18:36", True), ("10-08 12:00", False), ("昨天 09:00", False)]


@pytest.mark.parametrize(
    ("url", "want"),
    [
        ("https://news.example.cn/2019/10/08/a.html", [date(2019, 10, 8)]),
        ("https://news.example.cn/omn/20191008/20191008A0B1.html", [date(2019, 10, 8)]),
        ("https://news.example.cn/201910/08/c_1.htm", [date(2019, 10, 8)]),
        ("https://news.example.com.tw/politics/201403/201403191393958.html", [date(2014, 3, 19)]),
        ("https://finance.example.cn/c/2019-09-09/doc-abc.shtml", [date(2019, 9, 9)]),
        ("https://example.cn/s?id=1646796218135408573", []),
        ("https://example.cn/2019/13/40/a.html", []),
        ("https://20191008.example.cn/a", []),  # the host is not the path
        (None, []),
    ],
)
def test_find_url_dates(url, want):
    assert find_url_dates(url) == want


def test_place_yearless_prefers_the_same_day_then_the_nearest_year():
    tz = ZoneInfo("Asia/Shanghai")
    shown = datetime(2025, 10, 8, 12, 0, tzinfo=tz)  # `10-08 12:00` read against some later reference
    assert place_yearless(shown, [datetime(2019, 10, 8, 12, 0, 57, tzinfo=tz)]).year == 2019
    assert place_yearless(shown, [date(2020, 1, 3)]) == datetime(2019, 10, 8, 12, 0, tzinfo=tz)  # across new year
    assert place_yearless(shown, [date(2019, 10, 20)]) == datetime(2019, 10, 8, 12, 0, tzinfo=tz)
    assert place_yearless(datetime(2025, 2, 28, tzinfo=tz), [date(2020, 2, 29)]).year == 2020
    assert place_yearless(shown, []) is None


PAGES = yaml.safe_load((DATA / "pages.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", PAGES, ids=[c["file"] for c in PAGES])
def test_page_published(case):
    art = extract_article((DATA / "pages" / case["file"]).read_bytes())
    assert art.kind == "article"
    got = art.published.isoformat() if art.published else None
    assert got == case["published"]


def test_yearless_date_without_evidence_needs_a_reference():
    html = (DATA / "pages" / "yearless-url.html").read_text(encoding="utf-8")
    html = html.replace('<link rel="canonical" href="https://news.example.cn/2019/10/08/tree.html">', "")
    assert extract_article(html).published is None  # no year anywhere: no guess from the clock of the run
    fetched = datetime(2024, 1, 5, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    got = extract_article(html, reference=fetched).published
    assert got == datetime(2023, 10, 8, 12, 0, tzinfo=ZoneInfo("Asia/Shanghai"))  # the last 10-08 before the fetch


def test_relative_visible_date_is_not_moved_by_page_anchors():
    html = (DATA / "pages" / "script-epoch.html").read_text(encoding="utf-8")
    html = html.replace('var ct = "1581418070";', "").replace('n="1581418070"', 'n="x"')
    html = html.replace("前天", "前天 18:47").replace("</title>", '</title><meta name="lastmod" content="2019-05-01">')
    assert extract_article(html).published is None  # 前天 means nothing without a reference
    fetched = datetime(2020, 2, 13, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert extract_article(html, reference=fetched).published == datetime(2020, 2, 11, 18, 47,
                                                                          tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.mark.parametrize(
    "text, want",
    [
        ("發布日期： 7/5/2005 9:23:57 PM", ["2005-07-05T21:23"]),  # the US locale's stamp: month first
        ("7/5/2005 9:23", ["2005-05-07T09:23"]),  # day first when nothing says otherwise
        ("7/5/2005，5/17/2005", ["2005-07-05T00:00", "2005-05-17T00:00"]),  # one date reads only month first
        ("7/5/2005，17/5/2005", ["2005-05-07T00:00", "2005-05-17T00:00"]),
    ],
)
def test_slashed_dates_take_their_order_from_the_text(text, want):
    got = [m.value.strftime("%Y-%m-%dT%H:%M") for m in find_dates(text, tz="Asia/Shanghai",
                                                                   reference=datetime(2026, 1, 1, tzinfo=UTC))]
    assert got == want


def _dated_page(head: str, line: str) -> str:
    body = "".join(f"<p>第{i}段，港口擴建工程今天在海邊舉行動土儀式，居民與官員一同出席，現場氣氛熱烈。</p>" for i in range(5))
    return (f"<html><head><title>港口擴建動土</title>{head}</head><body><h1>港口擴建動土</h1>{line}"
            f"<div class='content'>{body}</div></body></html>")


def test_a_time_elements_offset_is_the_clock_its_text_is_printed_on():
    from newsmirror.extract import extract_article

    html = _dated_page('<meta property="article:published_time" content="2026-05-10T11:24:51-04:00">',
                       '<time datetime="2026-05-10T23:24:51+08:00">2026年5月10日 23:24</time>')
    published = extract_article(html).published
    assert (published.day, published.hour, published.minute) == (10, 23, 24)
    assert published.utcoffset().total_seconds() == 8 * 3600


def test_a_day_printed_alone_keeps_the_stamps_own_day():
    from newsmirror.extract import extract_article

    html = _dated_page('<meta property="article:published_time" content="2026-03-01T17:00:00+00:00">',
                       '<p class="date">2026年3月1日</p>')
    published = extract_article(html, "https://zh.example.org/news/harbour/").published
    assert (published.year, published.month, published.day) == (2026, 3, 1)


def test_a_print_editions_page_is_dated_by_its_links_to_the_edition():
    from newsmirror.extract import extract_article

    nav = "".join(f"<a href='../../htm/News/20260407/V{c}index.htm'>版{c}</a> " for c in "ABCD")
    html = _dated_page("", f"<div class='nav'>{nav}<a href='../../htm/News/20260301/old.htm'>舊聞</a></div>")
    published = extract_article(html).published
    assert published is not None and (published.year, published.month, published.day) == (2026, 4, 7)


def test_links_to_many_days_date_nothing():
    from newsmirror.extract import extract_article

    nav = "".join(f"<a href='/htm/News/2026040{d}/index.htm'>{d}日</a> " for d in range(1, 7))
    assert extract_article(_dated_page("", f"<div class='nav'>{nav}</div>")).published is None
