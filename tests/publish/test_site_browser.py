"""The static site in real headless Chromium (Debian's /usr/bin/chromium), served from a local folder.

Skipped when /usr/bin/chromium is absent, except under CI (environment variable CI set), where that fails.
Screenshots go to tests/web/screenshots/ (git-ignored) for a person to look at.
"""

from __future__ import annotations

import functools
from datetime import date
import sys
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

import sitearchive  # noqa: E402
from sitearchive import T0  # noqa: E402

from newsmirror.publish.pages import article_path  # noqa: E402

from newsmirror.publish.targets import BuildOptions, run_build  # noqa: E402
from newsmirror.store import open_store  # noqa: E402

SHOTS = Path(__file__).parent.parent / "web" / "screenshots"

pytestmark = pytest.mark.browser


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002
        pass


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """(output folder, base URL of a real HTTP server serving it, ids) for the test archive's static site."""
    root = tmp_path_factory.mktemp("static-site")
    ids = sitearchive.fill(root / "a.sqlite")
    store = open_store(root / "a.sqlite")
    try:
        run_build("site", store, root / "out", BuildOptions(tz="Asia/Taipei"))
    finally:
        store.close()
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(root / "out")))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield root / "out", f"http://127.0.0.1:{server.server_address[1]}", ids
    server.shutdown()
    server.server_close()


def _watch(pg, problems: list[str]) -> None:
    pg.on("console", lambda msg: problems.append(f"console {msg.type}: {msg.text}") if msg.type == "error" else None)
    pg.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    pg.on("dialog", lambda d: (problems.append(f"a script ran: {d.type} {d.message}"), d.dismiss()))


@pytest.fixture
def page(browser, site):
    """A fresh context on the served site; fails the test on any console error, page error or dialog."""
    SHOTS.mkdir(exist_ok=True)
    context = browser.new_context(base_url=site[1], viewport={"width": 1100, "height": 900}, locale="zh-TW")
    pg = context.new_page()
    problems: list[str] = []
    _watch(pg, problems)
    yield pg
    context.close()
    assert problems == []


def _shot(pg, name: str) -> None:
    pg.screenshot(path=str(SHOTS / f"site-{name}.png"), full_page=True)


def test_index_outlet_article_and_older_pages(page, site):
    page.goto("/index.html")
    assert page.title().startswith("最新報導")
    assert page.locator("ol.articles > li").count() == 50
    assert page.locator("link[rel=canonical]").count() == 1
    assert page.locator('meta[property="og:title"]').get_attribute("content") == "最新報導"
    _shot(page, "index")
    page.get_by_role("link", name="立法院三讀通過修正案").click()
    assert page.locator("h1").inner_text() == "立法院三讀通過修正案"
    assert page.locator(".diff ins").count() >= 1  # the revision's changes
    _shot(page, "article")
    page.locator("a.source").first.click()
    assert page.locator("h1").inner_text() == sitearchive.UDN
    page.get_by_role("link", name="較舊 →").click()
    assert "颱風消息" in page.locator("ol.articles").inner_text()
    page.get_by_role("link", name="來源").first.click()
    page.get_by_role("link", name=sitearchive.SLASHED).click()
    assert page.locator("h1").inner_text() == sitearchive.SLASHED


def test_day_and_month_pages(page):
    page.goto("/2024/05/index.html")
    assert page.locator("h1").inner_text() == "2024 年 5 月"
    page.locator("table.calendar a").first.click()
    assert page.locator("h1").inner_text() == "2024 年 05 月 01 日"
    assert "普京同金正恩举行会谈" in page.locator("ol.articles").inner_text()
    page.get_by_role("link", name="2024-05-02 →").click()
    assert page.locator("h1").inner_text() == "2024 年 05 月 02 日"


def test_switch_script_converts_and_is_remembered(page, site):
    _, _, ids = site
    page.goto("/" + article_path(ids["xinhua"], T0.date()))
    assert page.locator("h1").inner_text() == "普京同金正恩举行会谈"
    page.get_by_role("navigation", name="字體").get_by_role("button", name="繁體").click()
    page.wait_for_function("document.querySelector('h1').textContent === '普京同金正恩舉行會談'")
    assert page.locator("html").get_attribute("lang") == "zh-Hant"
    assert "國家主席普京" in page.locator(".body").inner_text()
    _shot(page, "article-hant")
    page.goto("/" + article_path(ids["cna"], T0.date()))  # remembered on the next page
    assert page.locator("h1").inner_text() == "傳金正恩將與蒲亭會面"  # already Traditional
    page.get_by_role("navigation", name="字體").get_by_role("button", name="简体").click()
    page.wait_for_function("document.querySelector('h1').textContent === '传金正恩将与蒲亭会面'")
    page.get_by_role("navigation", name="字體").get_by_role("button", name="原文").click()
    page.wait_for_function("document.querySelector('h1').textContent === '傳金正恩將與蒲亭會面'")
    assert page.locator("nav.script [aria-pressed=true]").inner_text() == "原文"


def test_search_sees_through_spellings_and_scripts(page):
    page.goto("/search.html?q=普京")
    page.wait_for_selector("ol.results li")
    titles = page.locator("ol.results h3").all_inner_texts()
    assert sorted(titles) == sorted(["傳金正恩將與蒲亭會面", "普亭會見金正恩", "普京同金正恩举行会谈"])
    _shot(page, "search")
    page.fill("#q", "國家主席")  # Traditional query, Simplified article
    page.get_by_role("button", name="搜尋").click()
    page.wait_for_selector("ol.results li")
    assert page.locator("ol.results h3").all_inner_texts() == ["普京同金正恩举行会谈"]
    page.locator("ol.results a").first.click()
    assert page.locator("h1").inner_text() == "普京同金正恩举行会谈"
    page.goto("/search.html?q=颱風消息")
    page.wait_for_selector("ol.results li")
    assert page.locator("ol.results li").count() == 20 and page.get_by_role("button", name="更多結果").is_visible()
    page.get_by_role("button", name="更多結果").click()
    page.wait_for_function("document.querySelectorAll('ol.results li').length === 40")
    page.goto("/search.html?q=不存在的詞語")
    page.wait_for_selector(".empty")
    page.goto("/search.html?q=普")
    assert "至少兩個字" in page.locator("[role=alert]").inner_text()


def test_the_site_works_from_file_urls(browser, site):
    """Opened from the folder itself (file://): index, outlet, month, day, article, script switch, search, XSS."""
    out, _, ids = site
    context = browser.new_context(locale="zh-TW")
    pg = context.new_page()
    problems: list[str] = []
    _watch(pg, problems)
    pg.goto((out / "index.html").as_uri())
    assert pg.locator("ol.articles > li").count() == 50
    pg.locator("a.source").first.click()  # the newest article's outlet
    assert pg.locator("h1").inner_text() == sitearchive.UDN
    assert pg.url.startswith("file://")
    pg.goto((out / "index.html").as_uri())
    pg.get_by_role("link", name="2024-05").click()
    pg.locator("table.calendar a").first.click()
    pg.get_by_role("link", name="普京同金正恩举行会谈").click()
    assert pg.locator("h1").inner_text() == "普京同金正恩举行会谈"
    pg.get_by_role("navigation", name="字體").get_by_role("button", name="繁體").click()
    pg.wait_for_function("document.querySelector('h1').textContent === '普京同金正恩舉行會談'")
    pg.get_by_role("navigation", name="字體").get_by_role("button", name="原文").click()
    pg.wait_for_function("document.querySelector('h1').textContent === '普京同金正恩举行会谈'")
    for query, titles in (("普京", ["傳金正恩將與蒲亭會面", "普亭會見金正恩", "普京同金正恩举行会谈"]),
                          ("蒲亭", ["傳金正恩將與蒲亭會面", "普亭會見金正恩", "普京同金正恩举行会谈"]),
                          ("國家主席", ["普京同金正恩举行会谈"]),  # a Traditional query finds a Simplified text
                          ("气象署发布", [f"颱風消息第{i}則" for i in range(63, 43, -1)])):  # and the other way round
        pg.goto((out / "search.html").as_uri() + "?q=" + query)
        pg.wait_for_selector("ol.results li")
        assert sorted(pg.locator("ol.results h3").all_inner_texts()) == sorted(titles), query
    pg.goto((out / article_path(ids["xss"], T0.date())).as_uri())
    assert pg.locator("h1").inner_text() == sitearchive.XSS_TITLE
    assert pg.locator("main script, main img, main [onclick]").count() == 0
    context.close()
    assert problems == []  # no console error, no page error, no dialog (no script from a feed ran)


def test_phone_width_and_dark_mode(browser, site):
    _, base, ids = site
    context = browser.new_context(base_url=base, viewport={"width": 360, "height": 740}, color_scheme="dark",
                                  is_mobile=True, has_touch=True)
    pg = context.new_page()
    problems: list[str] = []
    _watch(pg, problems)
    for path in ("/index.html", "/" + article_path(ids["law"], date(2024, 5, 6)), "/2024/05/index.html", "/sources.html",
                 "/search.html?q=普京"):
        pg.goto(path)
        if "search" in path:
            pg.wait_for_selector("ol.results li")
        width = pg.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, f"{path} is {width}px wide at phone width"
        background = pg.evaluate("getComputedStyle(document.body).backgroundColor")
        assert background == "rgb(22, 23, 26)", f"{path} is not dark: {background}"
    _shot(pg, "phone-dark")
    context.close()
    assert problems == []


def test_xss_from_feeds_never_runs(page, site):
    out, _, ids = site
    page.goto("/2024/05/01/index.html")
    assert page.get_by_text(sitearchive.XSS_TITLE).count() == 1  # shown as text
    page.get_by_text(sitearchive.XSS_TITLE).click()
    assert page.locator("h1").inner_text() == sitearchive.XSS_TITLE
    assert page.locator("main script, main img, main [onclick]").count() == 0
    assert page.locator('a[href^="javascript:"]').count() == 0
    page.goto("/sources.html")
    page.get_by_role("link", name=sitearchive.XSS_SOURCE).click()
    assert page.locator("h1").inner_text() == sitearchive.XSS_SOURCE
    page.goto("/search.html?q=惡意標題")
    page.wait_for_selector("ol.results li")
    assert page.locator("ol.results h3").inner_text() == sitearchive.XSS_TITLE
    assert page.locator("ol.results img").count() == 0
    for html in out.rglob("*.html"):
        text = html.read_text(encoding="utf-8")
        assert "<script>alert" not in text and "onerror=alert" not in text.replace("onerror=alert(1)&gt;", "")


def test_search_finds_an_article_added_by_an_incremental_build(browser, tmp_path):
    """One new article goes to the search index's recent tail (publish.search): 普京 finds it beside the
    articles of the full build, from file:// too, and a Simplified query finds its Traditional title."""
    from datetime import timedelta

    ids = sitearchive.fill(tmp_path / "a.sqlite")
    store = open_store(tmp_path / "a.sqlite")
    out = tmp_path / "out"
    try:
        run_build("site", store, out, BuildOptions(tz="Asia/Taipei"))
        new = sitearchive.save(store, sitearchive.CNA, "late-putin", "蒲亭出訪平壤行程曝光", "<p>克宮證實蒲亭本週出訪。</p>",
                               sitearchive.T0 + timedelta(days=6)).article_id
        summary = run_build("site", store, out, BuildOptions(tz="Asia/Taipei"))
    finally:
        store.close()
    assert summary.note == "incremental" and (out / "search/r/0.js").is_file()
    context = browser.new_context(locale="zh-TW")
    pg = context.new_page()
    problems: list[str] = []
    _watch(pg, problems)
    for query, titles in (("普京", ["蒲亭出訪平壤行程曝光", "傳金正恩將與蒲亭會面", "普亭會見金正恩", "普京同金正恩举行会谈"]),
                          ("出访平壤", ["蒲亭出訪平壤行程曝光"])):
        pg.goto((out / "search.html").as_uri() + "?q=" + query)
        pg.wait_for_selector("ol.results li")
        assert sorted(pg.locator("ol.results h3").all_inner_texts()) == sorted(titles), query
    assert pg.locator("ol.results a").first.get_attribute("href").endswith(f"/{new}.html")
    pg.locator("ol.results a").first.click()
    assert pg.locator("h1").inner_text() == "蒲亭出訪平壤行程曝光"
    context.close()
    assert problems == [] and ids
