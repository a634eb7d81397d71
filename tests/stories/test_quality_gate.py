"""Quality gate on the shared story set: copy groups and stories scored by ../shared/tools/score_stories.py.

Targets (issue 12): copy groups pairwise F1 >= 0.98, story B-cubed F1 >= 0.97. A second set about other events
is kept apart for acceptance; nothing here is tuned to one article."""

from __future__ import annotations

import subprocess
import sys

import pytest
from click.testing import CliRunner

from newsmirror.cli import cli
from newsmirror.store import open_store
from storyset import read_set, save_set


def score(shared_dir, set_path, out) -> dict[str, float]:
    """The scorer's line (`articles=78 placed=78 dup_p=1.000 ...`), read as numbers."""
    path = shared_dir / "tools" / "score_stories.py"
    if not path.is_file():
        pytest.skip(f"scorer not found at {path}")
    line = subprocess.run([sys.executable, str(path), str(set_path), str(out)], capture_output=True, text=True,
                          check=True).stdout.strip().splitlines()[-1]
    print(line)
    return {k: float(v) for k, v in (part.split("=") for part in line.split())}


def test_set_a_copies_and_stories(tmp_path, story_set, shared_dir):
    set_path, _ = story_set
    store = open_store(tmp_path / "archive.sqlite")
    try:
        save_set(store, read_set(set_path))
    finally:
        store.close()
    result = CliRunner().invoke(cli, ["--home", str(tmp_path), "-q", "stories", "--json"])
    assert result.exit_code == 0, result.stderr
    out = tmp_path / "stories.jsonl"
    out.write_text(result.stdout, encoding="utf-8")
    got = score(shared_dir, set_path, out)
    assert got["placed"] == got["articles"]
    assert got["dup_f1"] >= 0.98
    assert got["story_f1"] >= 0.97
