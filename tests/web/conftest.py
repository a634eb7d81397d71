"""Fixtures for the web tests: the shared test archive (see webarchive.py) and an in-process client."""

from __future__ import annotations

import html
import json
import sys
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from webarchive import build_index, fill_archive, make_client  # noqa: E402

from newsmirror.config import Settings  # noqa: E402
from newsmirror.models import FeedItem  # noqa: E402


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


@contextmanager
def serve(settings: Settings):
    """The app over `settings` served by a real uvicorn in a thread on a free port of 127.0.0.1; its base URL."""
    import threading
    import time

    import uvicorn

    from newsmirror.web import create_app

    port = free_port()
    config = uvicorn.Config(create_app(settings, rate_limit=None), host="127.0.0.1", port=port,
                            log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start within 15 s")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


@pytest.fixture(scope="module")
def live_server(archive):
    """The shared test archive served by a real uvicorn (see `serve`)."""
    with serve(archive[0]) as url:
        yield url


STORY_CASES = Path(__file__).resolve().parent.parent / "data" / "stories" / "cases.jsonl"
# A story whose first report's title and outlet carry script: it must show as text, never run.
XSS_STORY_TITLE = '<img src=x onerror="window.__xss=1">颱風<script>window.__xss=2</script>'
XSS_STORY_BODY = ("澎湖外海今晨發生規模五點八地震，全縣有感，氣象署表示震源深度十二公里，暫無災情傳出。\n\n"
                  "縣府已派員巡查各鄉漁港與跨海大橋，渡輪班次照常，學校依規定進行疏散演練後復課。")


def _story_item(outlet: str, url: str, title: str, published: str, body: str) -> FeedItem:
    html_body = "".join(f"<p>{html.escape(p)}</p>" for p in body.split("\n\n"))
    feed = "https://feeds.test/" + outlet.encode().hex() + "/rss"
    return FeedItem(source=outlet, feed_url=feed, title=title, link=url,
                    guid=url, published=datetime.fromisoformat(published), content_html=html_body)


@pytest.fixture(scope="session")
def story_home(tmp_path_factory) -> tuple[Settings, dict[str, int]]:
    """A home whose archive holds our story cases (tests/data/stories) and a story with script in its title,
    placed by the stories stage; (settings, article ids by case id, `x1` and `x2` the script story's)."""
    from newsmirror.chinese import load_aliases
    from newsmirror.store import open_store
    from newsmirror.stories import sync_stories

    home = tmp_path_factory.mktemp("story-home")
    store = open_store(Settings(home).db_path)
    ids = {}
    try:
        for line in STORY_CASES.read_text(encoding="utf-8").splitlines():
            a = json.loads(line)
            item = _story_item(a["outlet"], a["url"], a["title"], a["published"], a["body"])
            ids[a["id"]] = store.save_item(item, html=item.content_html, text=a["body"],
                                           seen_at=item.published).article_id
        for key, outlet, when in (("x1", '<b onmouseover="alert(1)">壞</b>社', "2020-05-01T08:00:00+08:00"),
                                  ("x2", "自由時報", "2020-05-01T09:30:00+08:00")):
            item = _story_item(outlet, f"https://xss.test/{key}", XSS_STORY_TITLE, when, XSS_STORY_BODY)
            ids[key] = store.save_item(item, html=item.content_html, text=XSS_STORY_BODY,
                                       seen_at=item.published).article_id
        sync_stories(store, load_aliases())
    finally:
        store.close()
    return Settings(home), ids
