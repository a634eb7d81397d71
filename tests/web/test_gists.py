"""Captions, credits and widget lines never open a summary or a snippet, end to end on the demo:
the web archive's lists, search snippets and the static site's outgoing feeds."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from webarchive import make_client

from newsmirror.cli import cli
from newsmirror.config import Settings
from newsmirror.furniture import is_furniture
from newsmirror.pipeline import run_demo


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    home = tmp_path_factory.mktemp("demo-gists")
    run_demo(Settings.from_home(home), port=0)
    return home


def test_web_lists_open_with_the_articles_own_words(demo):
    client = make_client(Settings.from_home(demo))
    try:
        gists = re.findall(r'<p class="gist">([^<]*)</p>', client.get("/?page=1").text)
        gists += re.findall(r'<p class="gist">([^<]*)</p>', client.get("/?page=2").text)
    finally:
        client.close()
    assert len(gists) == 41
    assert not [g for g in gists if is_furniture(re.split(r"(?<=[。）])", g)[0])]
    # article 26: its page's text, not the feed's summary that opened with the photo caption
    assert any(g.startswith("【本報訊】記者吳家樂報道：旅遊發展局今日公布") for g in gists)


def test_search_snippets_and_outgoing_feeds_open_with_the_articles_own_words(demo, tmp_path):
    result = CliRunner().invoke(cli, ["--home", str(demo), "search", "旅遊發展局", "--json"])
    assert result.exit_code == 0, result.stderr
    hit = [json.loads(line) for line in result.stdout.splitlines()][0]  # the best (others hold part of the words)
    assert hit["snippet"].startswith("【本報訊】") and "攝" not in hit["snippet"]
    built = CliRunner().invoke(cli, ["--home", str(demo), "-q", "build", "site", str(tmp_path / "site")])
    assert built.exit_code == 0, built.stderr
    items = json.loads((tmp_path / "site" / "feeds" / "all.json").read_text(encoding="utf-8"))["items"]
    assert len(items) == 41
    assert not [i["summary"] for i in items if is_furniture(i["summary"].split("。")[0] + "。")]
