"""Sources file: loading, validation errors that name the file and fault, imports, merging."""

from __future__ import annotations

import json

import pytest

from newsmirror.config import Settings, load_sources, merge_sources, read_import_file, save_sources
from newsmirror.errors import ConfigError
from newsmirror.models import Source


def test_round_trip_keeps_unicode_names_and_options(tmp_path):
    path = tmp_path / "sources.toml"
    sources = [
        Source(name="(臺)中央社CNA", feeds=("https://a.example/rss",), tags=("台灣", "通訊社")),
        Source(name='新华社 "quoted" #1', feeds=("https://b.example/a", "https://b.example/b"),
               timezone="Asia/Shanghai", full_text="always"),
    ]
    save_sources(path, sources)
    assert load_sources(path) == sources
    assert "(臺)中央社CNA" in path.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("[[source]]\nfeeds=['https://a/x']\n", "'name' is required"),
        ("[[source]]\nname='A'\n", "'feeds' must list at least one feed URL"),
        ("[[source]]\nname='A'\nfeeds=['ftp://a/x']\n", "is not an http(s) URL"),
        ("[[source]]\nname='A'\nfeeds=['http://[::1/x']\n", "is not an http(s) URL"),
        ("[[source]]\nname='A'\nfeeds=['http://a:99999/x']\n", "is not an http(s) URL"),
        ("[[source]]\nname='A'\nfeeds=['http://:80/x']\n", "is not an http(s) URL"),
        ("[[source]]\nname='A'\nfeeds=['https://a/x']\ntimezone='Mars/Base'\n", "unknown timezone 'Mars/Base'"),
        ("[[source]]\nname='A'\nfeeds=['https://a/x']\nfull_text='sometimes'\n", "'full_text' must be one of"),
        ("[[source]]\nname='A'\nfeeds=['https://a/x']\ncolour='red'\n", "unknown key(s) colour"),
        ("[[source]]\nname='A'\nfeeds=['https://a/x']\n[[source]]\nname='A'\nfeeds=['https://b/x']\n", "appears twice"),
        ("[[source]\nname='A'", "is not valid TOML"),
    ],
)
def test_invalid_sources_file_names_file_and_fault(tmp_path, text, fragment):
    path = tmp_path / "sources.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_sources(path)
    message = str(info.value)
    assert fragment in message
    assert str(path) in message
    assert "\n" not in message


def test_missing_sources_file_says_how_to_create_it(tmp_path):
    with pytest.raises(ConfigError, match="not found; create it or run 'newsmirror sources import"):
        load_sources(tmp_path / "nope.toml")


def test_import_precursor_subs_json_groups_feeds_by_site(tmp_path):
    path = tmp_path / "subs.json"
    path.write_text(json.dumps([
        {"site": "(臺)中央社CNA", "url": "https://a.example/1"},
        {"site": "(臺)中央社CNA", "url": "https://a.example/2"},
        {"site": "(港)示範報", "url": "https://c.example/rss"},
    ], ensure_ascii=False), encoding="utf-8")
    sources = read_import_file(path).sources
    assert [s.name for s in sources] == ["(臺)中央社CNA", "(港)示範報"]
    assert sources[0].feeds == ("https://a.example/1", "https://a.example/2")


def test_import_opml(tmp_path):
    path = tmp_path / "feeds.opml"
    path.write_text(
        '<?xml version="1.0"?><opml version="2.0"><body><outline text="新聞">'
        '<outline text="示範日報" type="rss" xmlUrl="https://d.example/rss"/>'
        '<outline title="Other" xmlUrl="https://e.example/atom"/></outline></body></opml>',
        encoding="utf-8",
    )
    read = read_import_file(path)
    assert {s.name: s.feeds for s in read.sources} == {"示範日報": ("https://d.example/rss",),
                                                       "Other": ("https://e.example/atom",)}
    assert {s.name: s.tags for s in read.sources} == {"示範日報": ("新聞",), "Other": ("新聞",)}  # the folder
    assert read.problems == []


@pytest.mark.parametrize("content, fragment", [
    ('{"site": "x"}', "expected a JSON list"),
    ("[{", "not valid JSON"),
    ("<opml><body></body></opml>", "OPML has no outline with an xmlUrl"),
    ("hello", "not a subs.json list, an OPML file or a sources.toml"),
])
def test_bad_import_files(tmp_path, content, fragment):
    path = tmp_path / "in.txt"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError, match=fragment.replace("(", r"\(").replace(")", r"\)").replace(".", r"\.")):
        read_import_file(path)


def test_merge_adds_new_sources_and_feeds_once():
    old = [Source(name="A", feeds=("https://a/1",))]
    new = [Source(name="A", feeds=("https://a/1", "https://a/2")), Source(name="B", feeds=("https://b/1",))]
    merged = merge_sources(old, new)
    assert [s.feeds for s in merged.sources] == [("https://a/1", "https://a/2"), ("https://b/1",)]
    assert (merged.added_sources, merged.added_feeds) == (1, 2)
    assert merged.repeated == [("A", "https://a/1", "A")]
    # a feed another source has already is not added under a second name
    again = merge_sources(merged.sources, [Source(name="C", feeds=("HTTPS://B/1/",))])
    assert (again.added_sources, again.added_feeds, again.repeated) == (0, 0, [("C", "HTTPS://B/1/", "B")])


def test_home_from_env_and_default(monkeypatch, tmp_path):
    monkeypatch.setenv("NEWSMIRROR_HOME", str(tmp_path / "h"))
    assert Settings.from_home().home == tmp_path / "h"
    monkeypatch.delenv("NEWSMIRROR_HOME")
    assert str(Settings.from_home().home) == "newsmirror-data"
    assert Settings.from_home(tmp_path).db_path == tmp_path / "archive.sqlite"
