"""`build jekyll`'s output through Debian's real `jekyll build`: no warning, charset, working links, edits kept.

Skipped when `jekyll` is not installed, except under CI (environment variable CI set), where that fails.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from newsmirror.models import FeedItem
from newsmirror.publish.jekyll import build_jekyll
from newsmirror.sanitize import html_to_text, sanitize_html
from newsmirror.store import open_store

pytestmark = pytest.mark.slow
T0 = datetime(2023, 9, 11, 22, 19, tzinfo=UTC)  # 06:19 the next day in Taipei: dates differ by zone
ARTICLES = [
    ("(臺)中央社CNA", "傳金正恩已搭專車赴海參崴 將與蒲亭會面", "<p>金正恩與蒲亭會面。</p>"),
    ("(臺)中央社CNA", "<script>alert(1)</script>標題 {{ site.time }}", '<p>正文</p><script>alert(2)</script>'
     '<img src=x onerror="alert(3)"><a href="javascript:alert(4)">連結</a><p>{% raw %}液體{% endraw %}</p>'),
    ("乙報 News", "普京會見金正恩", "<p>第一段</p>\n\n<p>第二段</p>"),
    ("乙報 News", "普京會見金正恩", "<p>同名第二則</p>"),
    ("新华社", "习近平会见外宾：发展经济", "<p>新华社北京电。</p>"),
]


def _jekyll() -> str:
    path = shutil.which("jekyll")
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("jekyll is missing; CI must install it (apt-get install jekyll)")
        pytest.skip("jekyll not installed; these tests need Debian's jekyll package")
    return path


def _fill(store) -> None:
    for n, (source, title, html) in enumerate(ARTICLES):
        link = f"https://news.example/{n}.html"
        when = T0 + timedelta(hours=n)
        clean = sanitize_html(html, base_url=link)
        item = FeedItem(source=source, feed_url="https://news.example/feed", title=title, link=link, guid=link,
                        published=when)
        store.save_item(item, html=clean, text=html_to_text(clean), seen_at=when + timedelta(minutes=5))


def jekyll_build(source: Path, dest: Path) -> str:
    """Run `jekyll build` and return everything it printed; fail the test if it fails."""
    env = {**os.environ, "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8", "JEKYLL_ENV": "production"}
    proc = subprocess.run([_jekyll(), "build", "--source", str(source), "--destination", str(dest)],
                          capture_output=True, text=True, env=env, timeout=300)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output
    return output


def _links(html: str) -> list[str]:
    return re.findall(r'<a [^>]*href="([^"]+)"', html)


def _resolve(site: Path, page: Path, href: str) -> Path | None:
    """The file a local link of `page` opens in the built site, or None for outside links."""
    parts = urlsplit(href)
    if parts.scheme or parts.netloc or not parts.path:
        return None
    path = unquote(parts.path)
    target = site / path.lstrip("/") if path.startswith("/") else page.parent / path
    return target / "index.html" if path.endswith("/") else target


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    jekyll = _jekyll()
    assert jekyll
    root = tmp_path_factory.mktemp("jekyll")
    store = open_store(root / "a.sqlite")
    try:
        _fill(store)
        build_jekyll(store, root / "src")
    finally:
        store.close()
    output = jekyll_build(root / "src", root / "_site")
    return root, output


def test_jekyll_builds_without_a_warning(built):
    _, output = built
    assert not re.search(r"warn|error|deprecat|does not exist", output, re.I), output


def test_every_page_has_charset_canonical_and_open_graph(built):
    root, _ = built
    pages = list((root / "_site").rglob("*.html"))
    assert len(pages) >= len(ARTICLES) + 2 + 2  # posts, lists, category pages, index
    for page in pages:
        html = page.read_text(encoding="utf-8")
        assert html.startswith("<!doctype html>"), page
        assert '<meta charset="utf-8">' in html, page
        assert '<link rel="canonical"' in html and 'property="og:title"' in html, page


def test_index_lists_and_category_pages_link_to_real_pages(built):
    root, _ = built
    site = root / "_site"
    index = site / "index.html"
    checked = 0
    for page in [index, *sorted((site / "lists").glob("*.html"))]:
        for href in _links(page.read_text(encoding="utf-8")):
            target = _resolve(site, page, href)
            if target is None:
                continue
            assert target.is_file(), f"{page.relative_to(site)} links to {href}, which the site does not have"
            checked += 1
            if target.parent != site and target.name == "index.html":  # a category page: follow its links too
                for inner in _links(target.read_text(encoding="utf-8")):
                    inner_target = _resolve(site, target, inner)
                    assert inner_target is None or inner_target.is_file(), inner
    assert checked >= len(ARTICLES) * 2


def test_post_pages_show_the_body_and_never_run_script(built):
    root, _ = built
    site = root / "_site"
    posts = [p for p in site.rglob("*.html") if re.search(r"/\d{4}/\d{2}/\d{2}/", str(p))]
    assert len(posts) == len(ARTICLES)
    texts = "".join(p.read_text(encoding="utf-8") for p in posts)
    assert "金正恩與蒲亭會面。" in texts and "同名第二則" in texts
    assert "<script" not in texts.replace('<script src=', '')
    assert "onerror" not in texts and "javascript:" not in texts
    assert "&lt;script&gt;alert(1)&lt;/script&gt;標題" in texts  # the title is text
    assert "{{ site.time }}" in texts or "&#123;&#123; site.time }}" in texts  # Liquid in a title is not run


def test_edited_config_and_layouts_are_kept_and_their_timezone_used(tmp_path):
    store = open_store(tmp_path / "a.sqlite")
    out = tmp_path / "src"
    try:
        _fill(store)
        build_jekyll(store, out)
        config = (out / "_config.yml").read_text(encoding="utf-8")
        edited = config.replace("title: 新聞鏡像", "title: 我的鏡像").replace("timezone: UTC", "timezone: Asia/Taipei")
        (out / "_config.yml").write_text(edited, encoding="utf-8")
        layout = out / "_layouts" / "post.html"
        layout.write_text(layout.read_text(encoding="utf-8").replace("原文：", "原文連結："), encoding="utf-8")
        summary = build_jekyll(store, out)
    finally:
        store.close()
    assert summary.count("edited files kept") == 2
    assert (out / "_config.yml").read_text(encoding="utf-8") == edited
    assert "原文連結：" in layout.read_text(encoding="utf-8")
    output = jekyll_build(out, tmp_path / "_site")
    assert not re.search(r"warn|error", output, re.I), output
    site = tmp_path / "_site"
    lists = sorted((site / "lists").glob("*.html"))
    hrefs = [(page, href) for page in lists for href in _links(page.read_text(encoding="utf-8"))]
    assert hrefs and all(_resolve(site, p, h) is None or _resolve(site, p, h).is_file() for p, h in hrefs)
    assert (site / "(臺)中央社cna" / "2023" / "09" / "12").is_dir()  # 22:19 UTC is the next day in Taipei
