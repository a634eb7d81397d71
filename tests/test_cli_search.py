"""search and index from the command line, over an archive filled by a real fetch."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from feedtext import rss
from httpserver import Reply
from newsmirror.cli import cli
from newsmirror.config import Settings, save_sources
from newsmirror.models import Source

RSS = "application/rss+xml; charset=utf-8"


@pytest.fixture
def home(http_server, tmp_path):
    base = http_server.url("")
    tw = [
        {"title": "蒲亭與金正恩會面", "link": f"{base}/tw/1", "guid": "tw1", "date": "Mon, 11 Sep 2023 10:00:00 +0800",
         "content": "<p>俄羅斯總統蒲亭今天在海參崴會見北韓領導人金正恩。</p>"},
        {"title": "颱風海葵登陸臺灣", "link": f"{base}/tw/2", "guid": "tw2", "date": "Tue, 12 Sep 2023 10:00:00 +0800",
         "content": "<p>中央氣象局表示，颱風今天清晨登陸臺東。</p>"},
    ]
    cn = [
        {"title": "普京会见金正恩", "link": f"{base}/cn/1", "guid": "cn1", "date": "Mon, 11 Sep 2023 12:00:00 +0800",
         "content": "<p>俄罗斯总统普京在东方经济论坛期间会见朝鲜领导人。</p>"},
        {"title": "习近平出席峰会", "link": f"{base}/cn/2", "guid": "cn2", "date": "Wed, 13 Sep 2023 12:00:00 +0800",
         "content": "<p>国家主席习近平出席峰会并发表讲话。</p>"},
    ]
    http_server.add("/tw.xml", Reply(rss(tw), content_type=RSS))
    http_server.add("/cn.xml", Reply(rss(cn), content_type=RSS))
    h = tmp_path / "home"
    save_sources(Settings.from_home(h).sources_file, [
        Source(name="(臺)示範社", feeds=(http_server.url("/tw.xml"),), full_text="never"),
        Source(name="示范网", feeds=(http_server.url("/cn.xml"),), timezone="Asia/Shanghai", full_text="never"),
    ])
    result = CliRunner().invoke(cli, ["--home", str(h), "-q", "fetch"])
    assert result.exit_code == 0, result.stderr
    return h


def search(home, *args):
    return CliRunner().invoke(cli, ["--home", str(home), "search", *args])


def test_search_sees_through_script_and_spelling(home):
    result = search(home, "普亭", "--json")
    assert result.exit_code == 0, result.stderr
    hits = [json.loads(line) for line in result.stdout.splitlines()]
    assert {h["title"] for h in hits} == {"蒲亭與金正恩會面", "普京会见金正恩"}
    for h in hits:
        assert set(h) >= {"id", "title", "source", "published", "url", "snippet"}
    assert {h["source"] for h in hits} == {"(臺)示範社", "示范网"}


def test_traditional_query_finds_simplified_article(home):
    hits = [json.loads(line) for line in search(home, "習近平", "--json").stdout.splitlines()]
    assert [h["title"] for h in hits] == ["习近平出席峰会"]
    assert "<mark>" in hits[0]["snippet"]


def test_filters_and_limit(home):
    hits = [json.loads(line) for line in search(home, "金正恩", "source:示范网", "--json").stdout.splitlines()]
    assert [h["title"] for h in hits] == ["普京会见金正恩"]
    assert len(search(home, "金正恩", "--json", "--limit", "1").stdout.splitlines()) == 1


def test_plain_output_counts_results(home):
    result = search(home, "颱風")
    assert result.exit_code == 0
    assert "颱風海葵登陸臺灣" in result.output and "1 results" in result.stderr


@pytest.mark.parametrize("query, reason", [('"unbalanced', "quote"), ("since:2023-13-45", "date")])
def test_bad_query_is_a_usage_error_with_reason(home, query, reason):
    result = search(home, query)
    assert result.exit_code == 2
    assert result.stderr.startswith("error: bad query:") and reason in result.stderr.lower()


def test_index_rebuild(home):
    (home / "index.sqlite").unlink()
    result = CliRunner().invoke(cli, ["--home", str(home), "-q", "index", "--rebuild"])
    assert result.exit_code == 0, result.stderr
    assert "index done: 4 articles indexed" in result.stderr
    assert len(search(home, "普京", "--json").stdout.splitlines()) == 2


def test_day_filters_use_the_given_timezone(home):
    # 习近平出席峰会 is published 2023-09-13 12:00 +08:00, i.e. 04:00 UTC; in New York it is still 9-13 00:00
    assert [json.loads(x)["title"] for x in search(home, "峰会", "since:2023-09-13", "--json").stdout.splitlines()]
    late = search(home, "峰会", "since:2023-09-14", "--json", "--tz", "Pacific/Kiritimati")  # UTC+14: 9-13 18:00
    assert late.stdout.strip() == ""
    early = search(home, "峰会", "until:2023-09-12", "--json", "--tz", "Pacific/Pago_Pago")  # UTC-11: 9-12 17:00
    assert [json.loads(x)["title"] for x in early.stdout.splitlines()] == ["习近平出席峰会"]
    bad = search(home, "峰会", "--tz", "Mars/Base")
    assert bad.exit_code == 2 and "unknown timezone" in bad.stderr


@pytest.fixture
def zoned_home(http_server, tmp_path):
    """A Taipei outlet's article at 05:00 on 11 Sep (20:00 UTC on the 10th) and a London one late on the 10th."""
    base = http_server.url("")
    tw = [{"title": "普京訪問北韓", "link": f"{base}/tw/9", "guid": "tw9", "date": "Thu, 11 Sep 2025 05:00:00 +0800",
           "content": "<p>俄羅斯總統普京今天清晨抵達平壤。</p>"}]
    uk = [{"title": "普京抵達平壤", "link": f"{base}/uk/9", "guid": "uk9", "date": "Wed, 10 Sep 2025 22:30:00 +0100",
           "content": "<p>俄羅斯總統普京深夜抵達平壤。</p>"}]
    http_server.add("/tw.xml", Reply(rss(tw), content_type=RSS))
    http_server.add("/uk.xml", Reply(rss(uk), content_type=RSS))
    h = tmp_path / "home"
    save_sources(Settings.from_home(h).sources_file, [
        Source(name="(臺)示範社", feeds=(http_server.url("/tw.xml"),), full_text="never"),
        Source(name="BBC 中文", feeds=(http_server.url("/uk.xml"),), timezone="Europe/London", full_text="never"),
    ])
    assert CliRunner().invoke(cli, ["--home", str(h), "-q", "fetch"]).exit_code == 0
    return h


def published(home, *args):
    result = search(home, *args, "--json")
    assert result.exit_code == 0, result.stderr
    return {json.loads(line)["source"]: json.loads(line)["published"] for line in result.stdout.splitlines()}


def test_search_shows_each_hit_in_its_sources_zone_with_the_offset(zoned_home):
    assert published(zoned_home, "普京") == {"(臺)示範社": "2025-09-11T05:00:00+08:00",
                                            "BBC 中文": "2025-09-10T22:30:00+01:00"}
    assert published(zoned_home, "普京", "--tz", "UTC") == {"(臺)示範社": "2025-09-10T21:00:00+00:00",
                                                          "BBC 中文": "2025-09-10T21:30:00+00:00"}
    text = search(zoned_home, "普京").stdout
    assert "2025-09-11 05:00 (臺)示範社" in text and "2025-09-10 22:30 BBC 中文" in text


def test_since_never_lists_an_article_shown_the_day_before(zoned_home):
    # 21:30 UTC on the 10th is the 11th in Taipei, but the London article is shown as the 10th: not listed
    assert set(published(zoned_home, "普京 since:2025-09-11")) == {"(臺)示範社"}
    assert set(published(zoned_home, "普京 until:2025-09-10")) == {"BBC 中文"}
    assert published(zoned_home, "普京 since:2025-09-11", "--tz", "UTC") == {}
    result = search(zoned_home, "普京 since:2025-09-11")
    assert "2025-09-10" not in result.stdout and "1 results" in result.stderr


def test_sources_list_shows_times_in_the_sources_zone(zoned_home):
    def rows(*args):
        result = CliRunner().invoke(cli, ["--home", str(zoned_home), "sources", "list", "--json", *args])
        assert result.exit_code == 0, result.stderr
        return {json.loads(line)["source"]: json.loads(line)["last_fetch"] for line in result.stdout.splitlines()}

    local = rows()
    assert local["(臺)示範社"].endswith("+08:00") and local["BBC 中文"][-6:] in ("+00:00", "+01:00")
    assert all(v.endswith("+00:00") for v in rows("--tz", "UTC").values())
    bad = CliRunner().invoke(cli, ["--home", str(zoned_home), "sources", "list", "--tz", "Mars/Olympus"])
    assert bad.exit_code == 2 and "--tz: unknown timezone 'Mars/Olympus'" in bad.stderr
