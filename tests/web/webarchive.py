"""Test data for the web tests: a real archive (SQLiteStore in a temporary home) and a client.

The archive holds Traditional and Simplified articles, XSS payloads in a source name, a title,
a body, a link and an author, an article with two versions, and enough articles to page.
"""

from __future__ import annotations

from datetime import datetime, timedelta, UTC
from pathlib import Path

import asyncio

import httpx

from newsmirror.config import Settings
from newsmirror.models import FailureKind, FeedItem, PageFetch, PageStatus, SaveStatus
from newsmirror.web import RateLimit, create_app

T0 = datetime(2024, 5, 1, 0, 0, tzinfo=UTC)
SEEN = datetime(2024, 6, 1, tzinfo=UTC)
UDN = "聯合報"
XINHUA = "新华社"
XSS_SOURCE = '<script>alert("src")</script>社'
XSS_TITLE = '<img src=x onerror=alert(1)>惡意標題'
XSS_BODY = ('<p>正文段落</p><script>alert(2)</script><a href="javascript:alert(3)">點我</a>'
            '<img src=x onerror=alert(4)><p onclick="alert(5)">第二段</p>')
XSS_LINK = 'https://evil.example/a?x="><script>alert(6)</script>'
TYPHOONS = 35  # more than one page (30)


def _item(source: str, n: int | str, title: str, published: datetime, *, link: str | None = None,
          authors: tuple[str, ...] = (), feed: str = "") -> FeedItem:
    return FeedItem(
        source=source,
        feed_url=feed or f"https://{_slug(source)}.example/rss",
        title=title,
        link=link or f"https://news.example/{_slug(source)}/{n}",
        guid=None,
        published=published,
        authors=authors,
    )


def _slug(source: str) -> str:
    return {UDN: "udn", XINHUA: "xinhua"}.get(source, "other")


def _html(text: str) -> str:
    return "".join(f"<p>{p}</p>" for p in text.split("\n\n"))


def fill_archive(home: Path) -> dict[str, int]:
    """Write the test archive into `home`; return the ids tests refer to by name."""
    from newsmirror.store.sqlite import SQLiteStore

    ids: dict[str, int] = {}
    store = SQLiteStore(Settings(home).db_path)
    try:
        for i in range(TYPHOONS):
            text = f"中央氣象署發布颱風警報，第{i}則。\n\n臺灣各地請注意風雨。"
            out = store.save_item(_item(UDN, i, f"颱風消息第{i}則", T0 + timedelta(hours=i)),
                                  html=_html(text), text=text, seen_at=SEEN)
            ids.setdefault("typhoon0", out.article_id)
            ids["typhoon_last"] = out.article_id
        # 04:00 on 1 May in Taipei, still 30 April in UTC
        text = "清晨的新聞。"
        ids["early"] = store.save_item(_item(UDN, "early", "清晨消息", datetime(2024, 4, 30, 20, tzinfo=UTC)),
                                       html=_html(text), text=text, seen_at=SEEN).article_id
        for i, (title, text) in enumerate([
            ("国务院发布经济数据", "国家统计局发布数据，经济发展总体平稳。\n\n专家认为这个发展势头会继续。"),
            ("台风登陆广东", "台风带来强降雨，广东发布预警。"),
            ("简体字测试报道", "这是一篇简体中文报道，关于铁路与飞机。"),
        ]):
            out = store.save_item(_item(XINHUA, i, title, T0 + timedelta(days=1, hours=i)),
                                  html=_html(text), text=text, seen_at=SEEN)
            ids[f"xinhua{i}"] = out.article_id
        text = "正文段落\n\n點我\n\n第二段"
        ids["xss"] = store.save_item(
            _item(XSS_SOURCE, "x", XSS_TITLE, T0 + timedelta(days=2), link=XSS_LINK, authors=("<b>作者</b>",)),
            html=XSS_BODY, text=text, seen_at=SEEN).article_id
        v1 = "立法院今日三讀通過法案。\n\n共有十條。"
        v2 = "立法院今日三讀通過修正法案。\n\n共有十條。\n\n新增一段說明。"
        item = _item(UDN, "law", "立法院三讀通過", T0 + timedelta(days=3))
        ids["law"] = store.save_item(item, html=_html(v1), text=v1, seen_at=SEEN).article_id
        item2 = FeedItem(**{**item.__dict__, "title": "立法院三讀通過修正案"})
        out = store.save_item(item2, html=_html(v2), text=v2, seen_at=SEEN + timedelta(hours=5))
        assert out.status is SaveStatus.REVISED, out
        # two articles whose pages could not be read: one waiting to be tried again, one given up
        store.save_page_fetch(PageFetch(
            article_id=ids["typhoon0"], url="https://news.example/udn/0", status=PageStatus.RETRYING, attempts=1,
            kind=FailureKind.TIMEOUT, reason="https://news.example/udn/0 timed out after 20 s",
            first_try=SEEN, last_try=SEEN, next_try=SEEN + timedelta(hours=4)))
        store.save_page_fetch(PageFetch(
            article_id=ids["early"], url="https://news.example/udn/early", status=PageStatus.GIVEN_UP, attempts=4,
            kind=FailureKind.DNS, reason="news.example: host name not found",
            first_try=SEEN, last_try=SEEN + timedelta(days=3)))
    finally:
        store.close()
    return ids


def build_index(home: Path) -> bool:
    """Build the search index beside the archive when the index module is available."""
    try:
        from newsmirror.chinese import load_aliases
        from newsmirror.index import SearchIndex
    except ImportError:
        return False
    from newsmirror.store.sqlite import SQLiteStore

    store = SQLiteStore(Settings(home).db_path, readonly=True)
    index = SearchIndex(home / "index.sqlite", aliases=load_aliases(home / "aliases.tsv"))
    try:
        index.sync(store)
    finally:
        index.close()
        store.close()
    return True


class Client:
    """A synchronous face on httpx.AsyncClient + ASGITransport: the app runs in-process."""

    def __init__(self, app) -> None:
        self.app = app
        self.loop = asyncio.new_event_loop()
        self.http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=("127.0.0.1", 50000)),
                                      base_url="http://testserver")

    def request(self, method: str, url: str, **kwargs) -> httpx.Response:
        return self.loop.run_until_complete(self.http.request(method, url, **kwargs))

    def get(self, url: str, **kwargs) -> httpx.Response:
        return self.request("GET", url, **kwargs)

    def close(self) -> None:
        self.loop.run_until_complete(self.http.aclose())
        self.app.state.archive.close()
        self.loop.close()


def make_client(settings: Settings, rate_limit: RateLimit | None = None) -> Client:
    return Client(create_app(settings, rate_limit=rate_limit))


__all__ = ["Client", "make_client", "fill_archive", "build_index", "UDN", "XINHUA", "TYPHOONS", "XSS_SOURCE"]
