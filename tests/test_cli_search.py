"""search and index from the command line, over an archive filled by a real fetch."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from feedgen import rss
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
