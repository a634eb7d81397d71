"""`newsmirror stories`: JSON Lines in the scorer's format, filters, copies marked, errors."""

from __future__ import annotations

import json

from click.testing import CliRunner

from newsmirror.cli import cli
from newsmirror.store import open_store
from storyset import save_set


def run(home, *args):
    return CliRunner().invoke(cli, ["--home", str(home), "-q", "stories", *args])


def archive(tmp_path, cases) -> dict[str, int]:
    store = open_store(tmp_path / "archive.sqlite")
    try:
        return save_set(store, cases)
    finally:
        store.close()


def test_json_lines_one_story_a_line(tmp_path, cases):
    ids = archive(tmp_path, cases)
    result = run(tmp_path, "--json")
    assert result.exit_code == 0, result.stderr
    stories = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(stories) == 5
    fire = next(s for s in stories if s["id"] == ids["u1"])
    assert set(fire) == {"id", "title", "first_published", "last_published", "outlets", "articles"}
    assert fire["title"] == "台中倉庫大火 消防局出動40車搶救"
    assert fire["outlets"] == ["中央社", "自由時報"]
    assert fire["first_published"] == "2025-03-12T14:00:00+08:00"  # the outlet's zone (Asia/Taipei by default)
    assert [a["url"] for a in fire["articles"]] == ["https://cna.test/news/1101", "https://ltn.test/news/4001",
                                                    "https://cna.test/news/1102"]
    assert [a["copy_of"] for a in fire["articles"]] == [None, None, "https://cna.test/news/1101"]
    assert set(fire["articles"][0]) >= {"url", "source", "title", "published", "copy_of"}


def test_filters_and_the_plain_listing(tmp_path, cases):
    archive(tmp_path, cases)
    since = run(tmp_path, "--json", "--since", "2025-03-13")
    assert [json.loads(x)["title"] for x in since.stdout.splitlines()] == [
        "賴清德視察高雄水災 宣布中央撥款30億重建", "賴清德接見帛琉總統 雙方簽署海巡合作備忘錄"]
    source = run(tmp_path, "--json", "--source", "联合早报")
    [visit] = [json.loads(x) for x in source.stdout.splitlines()]
    assert visit["outlets"] == ["中央社", "联合早报"]
    plain = run(tmp_path, "--min-articles", "3")
    assert plain.exit_code == 0
    assert "台中倉庫大火 消防局出動40車搶救  [3 articles, 2 outlets" in plain.stdout
    assert "(copy of https://cna.test/news/1101)" in plain.stdout
    assert "賴清德" not in plain.stdout


def test_rebuild_reports_what_it_did(tmp_path, cases):
    archive(tmp_path, cases)
    result = CliRunner().invoke(cli, ["--home", str(tmp_path), "stories", "--rebuild", "--json"])
    assert result.exit_code == 0
    assert f"stories done: {len(cases)} articles regrouped: 3 copies" in result.stderr


def test_without_an_archive_it_says_what_to_do(tmp_path):
    result = run(tmp_path)
    assert result.exit_code == 1
    assert "no archive at" in result.stderr and "newsmirror fetch" in result.stderr
