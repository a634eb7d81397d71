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




def free_port() -> int:
    """A port on 127.0.0.1 that was free a moment ago."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def live_server(archive):
    """The app served by a real uvicorn in a thread on a free port of 127.0.0.1; yields its base URL."""
    import threading
    import time

    import uvicorn

    from newsmirror.web import create_app

    port = free_port()
    config = uvicorn.Config(create_app(archive[0], rate_limit=None), host="127.0.0.1", port=port,
                            log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start within 15 s")
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)
