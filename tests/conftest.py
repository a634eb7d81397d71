"""Shared fixtures: a real HTTP server on 127.0.0.1, a real PostgreSQL cluster, paths to ../shared data."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from httpserver import Reply, TestServer  # noqa: E402
from pgserver import PgServer, find_pg_bin  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
# The dev corpus (real pages of sites no rule was written for) lives outside the repository; point at it with
# NEWSMIRROR_DEVCORPUS. bench/devcorpus.py reads the same variable.
DEVCORPUS_ENV = "NEWSMIRROR_DEVCORPUS"
DEVCORPUS_DEFAULT = SHARED / "devcorpus"

CHROMIUM = Path("/usr/bin/chromium")
# file access: the static site is also opened from file:// (tests/publish/test_site_browser.py)
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--allow-file-access-from-files"]


@pytest.fixture(scope="module")
def browser():
    """Debian's headless Chromium driven by Playwright; skipped when absent, except under CI."""
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing; CI must install it (apt-get install chromium)")
        pytest.skip(f"{CHROMIUM} not installed; browser tests need Debian's chromium package")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="session")
def _server():
    server = TestServer()
    yield server
    server.close()


@pytest.fixture
def http_server(_server):
    """A live HTTP server on 127.0.0.1 with no routes; register them with .add(path, Reply(...))."""
    _server.reset()
    yield _server
    _server.reset()


@pytest.fixture(scope="session")
def _postgres():
    """One throwaway PostgreSQL cluster for the session (Debian's postgresql), started on first use."""
    bindir = find_pg_bin()
    if bindir is None:
        message = "PostgreSQL is not installed (apt-get install postgresql)"
        if os.environ.get("CI"):
            pytest.fail(message + "; CI must install it")
        pytest.skip(message)
    try:
        import psycopg  # noqa: F401
    except ImportError:
        pytest.fail("psycopg is not installed; pip install -e '.[test]'")
    server = PgServer(bindir).start()
    yield server
    server.stop()


@pytest.fixture
def pg_url(_postgres) -> str:
    """The URL of a new, empty PostgreSQL database on the session's cluster."""
    return _postgres.fresh_url()


@pytest.fixture
def pg_store_url(pg_url) -> str:
    """A new PostgreSQL database with the archive's tables (as `newsmirror migrate` makes them)."""
    from newsmirror.store import open_store

    open_store(pg_url, migrate=True).close()
    return pg_url


@pytest.fixture
def shared_dir() -> Path:
    """../shared beside the repository; tests that need it skip when it is absent."""
    if not SHARED.is_dir():
        pytest.skip(f"shared data not found at {SHARED}")
    return SHARED


@pytest.fixture
def seeds_dir(shared_dir) -> Path:
    d = shared_dir / "seeds"
    if not d.is_dir():
        pytest.skip(f"seed documents not found at {d}")
    return d


@pytest.fixture
def corpus_dir(shared_dir) -> Path:
    d = shared_dir / "corpus"
    if not (d / "pages").is_dir():
        pytest.skip(f"labelled corpus not found at {d}")
    return d


@pytest.fixture
def devcorpus_dir() -> Path:
    """The dev corpus folder (pages/, labels/, split.json) named by $NEWSMIRROR_DEVCORPUS, else ../shared/devcorpus."""
    d = Path(os.environ.get(DEVCORPUS_ENV) or DEVCORPUS_DEFAULT).expanduser()
    if not (d / "split.json").is_file():
        pytest.skip(f"dev corpus not found at {d} (no split.json): set ${DEVCORPUS_ENV} to a folder with "
                    f"pages/, labels/ and split.json (default {DEVCORPUS_DEFAULT})")
    return d


__all__ = ["Reply", "TestServer"]
