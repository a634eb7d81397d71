"""Fixtures for the web tests: the shared test archive (see webarchive.py) and an in-process client."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from webarchive import build_index, fill_archive, make_client  # noqa: E402

from newsmirror.config import Settings  # noqa: E402


@pytest.fixture(scope="session")
def archive(tmp_path_factory) -> tuple[Settings, dict[str, int], bool]:
    """(settings, ids by name, whether the search index was built) for the shared test archive."""
    home = tmp_path_factory.mktemp("web-home")
    ids = fill_archive(home)
    indexed = build_index(home)
    return Settings(home), ids, indexed


@pytest.fixture
def settings(archive) -> Settings:
    return archive[0]


@pytest.fixture
def ids(archive) -> dict[str, int]:
    return archive[1]


@pytest.fixture
def indexed(archive) -> None:
    if not archive[2]:
        pytest.skip("newsmirror.index.SearchIndex is not available yet")


@pytest.fixture
def client(settings):
    """The app in-process over the test archive, without a rate limit."""
    c = make_client(settings)
    yield c
    c.close()


