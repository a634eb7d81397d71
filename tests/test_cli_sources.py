"""sources import / remove / edit: every valid entry imported, every bad one named, nothing twice,
OPML folders as tags; removing keeps the archive unless --purge."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from feedtext import rss
from httpserver import Reply
from newsmirror.cli import cli
from newsmirror.config import Settings, load_sources, save_sources
from newsmirror.models import Source
from newsmirror.store import open_store

RSS = "application/rss+xml; charset=utf-8"


def run(home, *args, input=None):
    return CliRunner().invoke(cli, ["--home", str(home), *args], input=input)


def test_import_takes_every_valid_entry_and_names_every_bad_one(tmp_path):
    subs = tmp_path / "subs.json"
    subs.write_text(json.dumps([
        {"site": "(臺)中央社CNA", "url": "https://a.example/rss"},
        {"site": "(港)壞網址", "url": "notaurl"},
        {"site": "(臺)中央社CNA", "url": "https://a.example/rss2"},
        "just a string",
        {"site": "", "url": "https://b.example/rss"},
        {"site": "(陸)重複", "url": "https://a.example/rss"},  # a feed imported above under another name
        {"site": "(港)示範報", "url": "https://c.example/rss"},
    ], ensure_ascii=False), encoding="utf-8")
    home = tmp_path / "home"
    result = run(home, "sources", "import", str(subs))
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert "skipped subs.json entry #2 ((港)壞網址): url: 'notaurl' is not an http(s) URL" in lines
    assert "skipped subs.json entry #4 (no name): expected an object with 'site' and 'url'" in lines
    assert "skipped subs.json entry #5 (no name): 'site' is empty" in lines
    assert lines[-1].startswith("imported 2 new sources and 3 new feeds")
    assert lines[-1].endswith("1 feed was there already, 3 entries were bad")
    sources = {s.name: s.feeds for s in load_sources(Settings.from_home(home).sources_file)}
    assert sources == {"(臺)中央社CNA": ("https://a.example/rss", "https://a.example/rss2"),
                       "(港)示範報": ("https://c.example/rss",)}
    again = run(home, "sources", "import", str(subs))
    assert "imported 0 new sources and 0 new feeds" in again.stderr  # nothing twice
    assert {s.name: s.feeds for s in load_sources(Settings.from_home(home).sources_file)} == sources


def test_opml_folders_become_tags(tmp_path):
    opml = tmp_path / "feeds.opml"
    opml.write_text(
        '<?xml version="1.0"?><opml version="2.0"><body>'
        '<outline text="台灣"><outline text="通訊社">'
        '<outline text="(臺)中央社" type="rss" xmlUrl="https://cna.example/rss"/></outline>'
        '<outline text="(臺)聯合報" type="rss" xmlUrl="https://udn.example/rss"/></outline>'
        '<outline text="國際"><outline text="BBC 中文" type="rss" xmlUrl="https://bbc.example/rss"/>'
        '<outline text="壞的" type="rss" xmlUrl="ftp://bad.example/rss"/></outline>'
        '<outline text="無分類" type="rss" xmlUrl="https://plain.example/rss"/>'
        '<outline text="沒網址" type="rss"/><outline text="空資料夾"/>'
        '</body></opml>', encoding="utf-8")
    home = tmp_path / "home"
    result = run(home, "sources", "import", str(opml))
    assert result.exit_code == 1
    assert "skipped feeds.opml entry #4 (壞的): xmlUrl: 'ftp://bad.example/rss' is not an http(s) URL" in result.stderr
    # a feed outline without its URL is a bad entry too (an empty folder is no entry)
    assert ("skipped feeds.opml entry #6 (沒網址): a feed outline (type='rss') without an xmlUrl; "
            "add the feed's URL") in result.stderr
    assert result.stderr.strip().endswith("0 feeds were there already, 2 entries were bad")
    tags = {s.name: s.tags for s in load_sources(Settings.from_home(home).sources_file)}
    assert tags == {"(臺)中央社": ("台灣", "通訊社"), "(臺)聯合報": ("台灣",), "BBC 中文": ("國際",), "無分類": ()}


@pytest.fixture
def fetched_home(http_server, tmp_path):
    base = http_server.url("")
    for name in ("a", "b"):
        http_server.add(f"/{name}.xml", Reply(rss([{
            "title": f"颱風消息{name}", "link": f"{base}/{name}/1", "guid": f"{name}1",
            "date": "Mon, 11 Sep 2023 10:00:00 +0800", "content": f"<p>颱風今天登陸，來源{name}。</p>"}]),
            content_type=RSS))
    home = tmp_path / "home"
    save_sources(Settings.from_home(home).sources_file, [
        Source(name="甲報", feeds=(http_server.url("/a.xml"),), full_text="never"),
        Source(name="乙報", feeds=(http_server.url("/b.xml"),), full_text="never"),
    ])
    assert run(home, "-q", "fetch").exit_code == 0
    return home


def counts(home):
    store = open_store(home / "archive.sqlite")
    try:
        return {name: n for name, n, _ in store.sources()}
    finally:
        store.close()


def test_remove_keeps_the_archive_unless_purge(fetched_home):
    home = fetched_home
    result = run(home, "sources", "remove", "甲報")
    assert result.exit_code == 0 and "its archived articles are kept" in result.stderr
    assert [s.name for s in load_sources(Settings.from_home(home).sources_file)] == ["乙報"]
    assert counts(home) == {"甲報": 1, "乙報": 1}
    missing = run(home, "sources", "remove", "丙報")
    assert missing.exit_code == 2 and "no source named '丙報' in sources.toml; sources: '乙報'" in missing.stderr

    refused = run(home, "sources", "remove", "乙報", "--purge", input="n\n")
    assert refused.exit_code == 1 and "delete the 1 archived articles of '乙報' for good?" in refused.stderr
    assert counts(home) == {"甲報": 1, "乙報": 1}
    assert [s.name for s in load_sources(Settings.from_home(home).sources_file)] == ["乙報"]

    purged = run(home, "sources", "remove", "乙報", "--purge", "--yes")
    assert purged.exit_code == 0 and "deleted its 1 archived articles" in purged.stderr
    assert counts(home) == {"甲報": 1}
    hits = run(home, "search", "颱風", "--json").stdout.splitlines()
    assert [json.loads(h)["source"] for h in hits] == ["甲報"]  # gone from the search index too


def test_edit_changes_one_sources_settings(fetched_home):
    home = fetched_home
    result = run(home, "sources", "edit", "甲報", "--full-text", "always", "--tag", "台灣", "--tag", "日報",
                 "--timezone", "Asia/Hong_Kong")
    assert result.exit_code == 0, result.stderr
    src = {s.name: s for s in load_sources(Settings.from_home(home).sources_file)}["甲報"]
    assert (src.full_text, src.tags, src.timezone) == ("always", ("台灣", "日報"), "Asia/Hong_Kong")
    assert run(home, "sources", "edit", "甲報", "--no-tags").exit_code == 0
    assert {s.name: s.tags for s in load_sources(Settings.from_home(home).sources_file)}["甲報"] == ()
    assert run(home, "sources", "edit", "甲報", "--interval", "30").exit_code == 0
    assert {s.name: s.interval for s in load_sources(Settings.from_home(home).sources_file)}["甲報"] == 30
    out_of_bounds = run(home, "sources", "edit", "甲報", "--interval", "5")
    assert out_of_bounds.exit_code == 2 and out_of_bounds.stderr == (
        "error: source '甲報': --interval 5 is outside its bounds min_interval 15 .. max_interval 1440 minutes; "
        "give a value within them\n")
    assert run(home, "sources", "edit", "甲報", "--interval", "1441").exit_code == 2
    assert run(home, "sources", "edit", "甲報", "--interval", "0").exit_code == 2
    assert {s.name: s.interval for s in load_sources(Settings.from_home(home).sources_file)}["甲報"] == 30
    bad = run(home, "sources", "edit", "甲報", "--timezone", "Mars/Base")
    assert bad.exit_code == 2 and "--timezone: unknown timezone 'Mars/Base'" in bad.stderr
    assert run(home, "sources", "edit", "甲報").exit_code == 2  # nothing to change
    assert run(home, "sources", "edit", "丙報", "--full-text", "never").exit_code == 2


def test_an_interval_outside_its_bounds_in_sources_toml_is_a_usage_error_naming_the_source(tmp_path):
    home = tmp_path / "home"
    path = Settings.from_home(home).sources_file
    path.parent.mkdir(parents=True)
    path.write_text('[[source]]\nname = "甲報"\nfeeds = ["https://a.example/f"]\n\n'
                    '[[source]]\nname = "乙報"\nfeeds = ["https://b.example/f"]\ninterval = 5\nmin_interval = 10\n',
                    encoding="utf-8")
    before = path.read_bytes()
    for args in (("sources", "list"), ("sources", "edit", "甲報", "--interval", "30"), ("fetch",), ("run", "--once")):
        result = run(home, *args)
        assert result.exit_code == 2, (args, result.output)
        assert result.stderr == (f"error: {path}: source #2 (乙報): interval 5 is outside min_interval 10 .. "
                                 f"max_interval 1440 minutes; set it within the bounds\n"), args
    assert path.read_bytes() == before
    assert not Settings.from_home(home).db_path.exists()  # nothing fetched
