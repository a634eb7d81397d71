"""newsmirror export: JSON Lines and CSV with every field, filters, bad input."""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path

from click.testing import CliRunner

sys.path.insert(0, str(Path(__file__).parent))

import sitearchive  # noqa: E402

from newsmirror.cli import cli  # noqa: E402
from newsmirror.publish.export import FIELDS  # noqa: E402


def _home(tmp_path) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    sitearchive.fill(home / "archive.sqlite")
    return home


def test_jsonl_has_every_field_and_the_version_count(tmp_path):
    home = _home(tmp_path)
    result = CliRunner().invoke(cli, ["--home", str(home), "export", "--format", "jsonl"])
    assert result.exit_code == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(rows) == 5 + sitearchive.MANY + 1 and "export done: 70 articles as jsonl" in result.stderr
    assert all(list(r) == list(FIELDS) for r in rows)
    law = next(r for r in rows if r["title"] == "立法院三讀通過修正案")
    assert law["version"] == 2 and "新增一段" in law["text"] and law["published"].endswith("+00:00")
    cna = next(r for r in rows if r["source"] == sitearchive.CNA)
    assert cna["authors"] == ["廖記者"] and cna["categories"] == ["國際"]
    assert [r["published"] for r in rows] == sorted(r["published"] for r in rows)


def test_csv_round_trips_through_a_csv_reader_with_filters(tmp_path):
    home = _home(tmp_path)
    result = CliRunner().invoke(cli, ["--home", str(home), "-q", "export", "--format", "csv", "--source",
                                      sitearchive.UDN, "--since", "2024-05-06"])
    assert result.exit_code == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["title"] for r in rows] == ["立法院三讀通過修正案"]
    assert rows[0]["version"] == "2" and json.loads(rows[0]["authors"]) == []
    assert tuple(rows[0]) == FIELDS and result.stderr == ""
    xss = CliRunner().invoke(cli, ["--home", str(home), "-q", "export", "--format", "csv", "--source",
                                   sitearchive.XSS_SOURCE])
    row = next(csv.DictReader(io.StringIO(xss.stdout)))
    assert row["title"] == sitearchive.XSS_TITLE  # data, exactly as stored


def test_unknown_source_and_missing_archive_are_one_line_errors(tmp_path):
    home = _home(tmp_path)
    bad = CliRunner().invoke(cli, ["--home", str(home), "export", "--source", "沒有這家"])
    assert bad.exit_code == 2 and bad.stderr.strip() == \
        "error: no source named '沒有這家' in the archive; see 'newsmirror sources list'"
    empty = CliRunner().invoke(cli, ["--home", str(tmp_path / "none"), "export"])
    assert empty.exit_code == 1 and "no archive at" in empty.stderr
    assert "Example:" in CliRunner().invoke(cli, ["export", "--help"]).output
