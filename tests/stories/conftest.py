"""Fixtures for the stories tests: a real archive in tmp_path, our own story texts, the shared story sets."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.append(str(Path(__file__).parent))  # appended: another folder's `from conftest import` must find its own

from storyset import read_set, save_set  # noqa: E402

from newsmirror.chinese import load_aliases  # noqa: E402
from newsmirror.store import open_store  # noqa: E402

CASES = Path(__file__).resolve().parent.parent / "data" / "stories" / "cases.jsonl"
NEAR_MISSES = CASES.with_name("near_misses.jsonl")
CHAINS = CASES.with_name("chains.jsonl")
FOLLOWUPS = CASES.with_name("followups.jsonl")


@pytest.fixture
def store(tmp_path):
    """A fresh archive file; closed after the test."""
    s = open_store(tmp_path / "archive.sqlite")
    yield s
    s.close()


@pytest.fixture(scope="session")
def aliases():
    return load_aliases()


@pytest.fixture
def cases() -> list[dict]:
    """Our own texts: a reprint with a changed headline, a script version, an update with one added paragraph
    and a follow-up, two events of one leader on one day (tests/data/stories/cases.jsonl)."""
    return read_set(CASES)


@pytest.fixture
def near_misses() -> list[dict]:
    """Our own texts: two leaders' talks and, two days later, the same two at a summit; an earthquake and,
    eight days later in the next month, another one off the same coast (tests/data/stories/near_misses.jsonl)."""
    return read_set(NEAR_MISSES)


@pytest.fixture
def chains() -> list[dict]:
    """Our own texts: a port strike, a roundup naming it and a ferry running aground the same day, the ferry
    accident's own report, the strike's end two days later, a fire at the same port a month later
    (tests/data/stories/chains.jsonl)."""
    return read_set(CHAINS)


@pytest.fixture
def followups() -> list[dict]:
    """Our own texts: a landslide on a coast highway (two outlets) and, four and a half days later, the road
    reopening (tests/data/stories/followups.jsonl)."""
    return read_set(FOLLOWUPS)


@pytest.fixture
def story_set(shared_dir) -> tuple[Path, Path]:
    """../shared/stories/set-a.jsonl and queries-a.jsonl; skips when absent."""
    d = shared_dir / "stories"
    if not (d / "set-a.jsonl").is_file():
        pytest.skip(f"story set not found at {d}")
    return d / "set-a.jsonl", d / "queries-a.jsonl"


__all__ = ["read_set", "save_set"]
