"""The templates render without a web request: any `Links` and `Frame` will do (the static site's way)."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from newsmirror.web.render import Frame, ServeLinks, render_html


class FileLinks(ServeLinks):
    """Relative file links, as a static site writes them."""

    def home(self) -> str:
        return "index.html"

    def article(self, article) -> str:
        return f"a/{article.id}.html"

    def source(self, name: str) -> str:
        return f"s/{name}.html"

    def static(self, name: str) -> str:
        return f"static/{name}"

    def api(self):
        return None


def _article(n: int, title: str):
    return SimpleNamespace(id=n, title=title, source="新华社", published=datetime(2024, 5, 1, 2, 30, tzinfo=UTC),
                           version=1, summary="", text="正文")


def test_list_renders_with_relative_links_and_no_request():
    frame = Frame(links=FileLinks(), tz=ZoneInfo("Asia/Taipei"), current="home", today="2024-05-01",
                  script_links=(("hans", "简体", None),), meta={"canonical": "https://m.example/index.html"},
                  scripts=("site.js",), static_site=True)
    html = render_html("list.html", {
        "title": "最新報導", "heading": "最新報導", "articles": [_article(7, "<script>x</script>標題")],
        "paging": {"page": 1, "pages": 1, "total": 1, "has_prev": False, "has_next": False, "shown": 1},
        "show_source": True, "day_nav": None,
    }, frame)
    assert '<a href="a/7.html">&lt;script&gt;x&lt;/script&gt;標題</a>' in html
    assert 'href="static/site.css"' in html and '<script src="static/site.js"></script>' in html
    assert '<link rel="canonical" href="https://m.example/index.html">' in html
    assert '<button type="button" data-script="hans"' in html
    assert "JSON API" not in html  # no API on this site
    assert '<time datetime="2024-05-01T10:30:00+08:00">' in html  # shown in the frame's zone
    assert 'href="index.html" aria-current="page"' in html


def test_shells_render_byte_for_byte_what_render_html_does():
    from newsmirror.web.render import Shells

    shells = Shells()
    for depth in ("index.html", "a/b/c.html"):
        for title, desc in (("最新 <報導> & 更多", "說明 \"引號\""), ("第二頁", ""), ("\ue000url\ue000", "x")):
            links = FileLinks()
            meta = {"canonical": f"https://m.example/{depth}", "type": "website"}
            if desc:
                meta["description"] = desc
            frame = Frame(links=links, tz=ZoneInfo("Asia/Taipei"), current="home", meta=meta,
                          script_links=(("hans", "简体", None),), scripts=("site.js",), static_site=True)
            context = {"title": title, "heading": title, "articles": [_article(1, title)],
                       "paging": {"page": 1, "pages": 1, "total": 1, "has_prev": False, "has_next": False,
                                  "shown": 1}, "show_source": True, "day_nav": None}
            assert shells.render("list.html", context, frame) == render_html("list.html", context, frame)
