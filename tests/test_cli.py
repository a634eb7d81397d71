"""The command line: help with examples everywhere, version, one-line errors and exit codes."""

from __future__ import annotations

import json

import click
import pytest
from click.testing import CliRunner

from newsmirror import __version__
from newsmirror.cli import cli


def all_commands(group: click.Group, prefix=()):
    for name, cmd in group.commands.items():
        yield prefix + (name,), cmd
        if isinstance(cmd, click.Group):
            yield from all_commands(cmd, prefix + (name,))


@pytest.mark.parametrize("path", [()] + [p for p, _ in all_commands(cli)], ids=lambda p: " ".join(p) or "newsmirror")
def test_every_command_has_help_with_an_example(path):
    for flag in ("--help", "-h"):
        result = CliRunner().invoke(cli, [*path, flag])
        assert result.exit_code == 0, result.output
        assert "Example:" in result.output
        assert "newsmirror" in result.output.split("Example:")[1]


def test_version():
    result = CliRunner().invoke(cli, ["--version"])
    assert result.exit_code == 0
    assert __version__ in result.output


def test_unknown_option_is_a_usage_error():
    result = CliRunner().invoke(cli, ["fetch", "--frobnicate"])
    assert result.exit_code == 2
    assert "No such option" in result.output and "--frobnicate" in result.output


def test_fetch_without_sources_file_names_it(tmp_path):
    result = CliRunner().invoke(cli, ["--home", str(tmp_path), "fetch"])
    assert result.exit_code == 2
    err = result.stderr.strip()
    assert err.startswith("error: sources file ") and str(tmp_path / "sources.toml") in err
    assert len(err.splitlines()) == 1


def test_invalid_sources_file_is_one_line_and_exit_2(tmp_path):
    (tmp_path / "sources.toml").write_text("[[source]]\nname = 'x'\nfeeds = 'not a url'\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["--home", str(tmp_path), "fetch"])
    assert result.exit_code == 2
    assert "is not an http(s) URL" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_sources_import_then_list(tmp_path):
    subs = tmp_path / "subs.json"
    subs.write_text(json.dumps([{"site": "(臺)中央社CNA", "url": "http://127.0.0.1:9/rss"}], ensure_ascii=False),
                    encoding="utf-8")
    runner = CliRunner()
    home = tmp_path / "home"
    result = runner.invoke(cli, ["--home", str(home), "sources", "import", str(subs)])
    assert result.exit_code == 0, result.output
    assert "imported 1 new sources and 1 new feeds" in result.stderr
    again = runner.invoke(cli, ["--home", str(home), "sources", "import", str(subs)])
    assert "imported 0 new sources and 0 new feeds" in again.stderr
    listed = runner.invoke(cli, ["--home", str(home), "sources", "list"])
    assert listed.exit_code == 0
    assert "(臺)中央社CNA" in listed.output and "never fetched" in listed.output


def test_sources_add_validates(tmp_path):
    result = CliRunner().invoke(cli, ["--home", str(tmp_path), "sources", "add", "示範", "notaurl"])
    assert result.exit_code == 2
    assert "'notaurl' is not an http(s) URL" in result.stderr


def test_fetch_unknown_source_filter(tmp_path):
    (tmp_path / "sources.toml").write_text("[[source]]\nname = 'A'\nfeeds = ['http://127.0.0.1:9/x']\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["--home", str(tmp_path), "fetch", "--source", "B"])
    assert result.exit_code == 2
    assert "unknown source(s) B" in result.stderr


def test_build_without_archive(tmp_path):
    result = CliRunner().invoke(cli, ["--home", str(tmp_path), "build", "jekyll", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert "no archive at" in result.stderr and "run 'newsmirror fetch' first" in result.stderr
