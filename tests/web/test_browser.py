"""The web archive in real headless Chromium (Debian's /usr/bin/chromium, never a downloaded browser).

Skipped when /usr/bin/chromium is absent, except under CI (environment variable CI set), where that fails.
Screenshots go to tests/web/screenshots/ (git-ignored) for a person to look at.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

SHOTS = Path(__file__).parent / "screenshots"

pytestmark = pytest.mark.browser


@pytest.fixture
def page(browser, live_server):
    """A fresh browser context on the live server; fails the test on any console error or page error."""
    SHOTS.mkdir(exist_ok=True)
    context = browser.new_context(base_url=live_server, viewport={"width": 1100, "height": 900}, locale="zh-TW")
    pg = context.new_page()
    problems: list[str] = []
    pg.on("console", lambda msg: problems.append(f"console {msg.type}: {msg.text}") if msg.type == "error" else None)
    pg.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    yield pg
    context.close()
    assert problems == []


def _shot(pg, name: str) -> None:
    pg.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_home_open_article_and_versions(page, ids):
    page.goto("/")
    assert page.title().startswith("最新報導")
    _shot(page, "home")
    page.get_by_role("link", name="立法院三讀通過修正案").click()
    page.wait_for_url(f"**/article/{ids['law']}")
    assert page.locator("h1").inner_text() == "立法院三讀通過修正案"
    assert page.locator(".diff ins").first.inner_text() == "修正案"
    page.get_by_text("第 1 版全文").click()
    assert page.get_by_text("立法院今日三讀通過法案。").is_visible()
    _shot(page, "article")


def test_switch_script_changes_the_text(page, ids):
    page.goto(f"/article/{ids['xinhua0']}")
    assert page.locator("h1").inner_text() == "国务院发布经济数据"
    page.get_by_role("navigation", name="字體").get_by_role("link", name="繁體").click()
    page.wait_for_url("**script=hant")
    assert page.locator("h1").inner_text() == "國務院發佈經濟數據"
    assert page.locator("html").get_attribute("lang") == "zh-Hant"
    _shot(page, "article-hant")
    # the choice is remembered on the next page
    page.goto(f"/article/{ids['law']}")
    page.get_by_role("navigation", name="字體").get_by_role("link", name="简体").click()
    page.wait_for_url("**script=hans")
    assert page.locator("h1").inner_text() == "立法院三读通过修正案"
    page.goto("/")
    assert "立法院三读通过修正案" in page.locator("main").inner_text()
    assert page.locator("html").get_attribute("lang") == "zh-Hans"
    _shot(page, "home-hans")


def test_page_through_the_latest(page, ids):
    page.goto("/")
    page.get_by_role("link", name="下一頁 →").click()
    page.wait_for_url("**/?page=2")
    assert "第 2 頁" in page.locator(".pager").inner_text()
    assert page.locator(f'a[href="/article/{ids["typhoon0"]}"]').count() == 1
    page.get_by_role("link", name="← 上一頁").click()
    page.wait_for_url("**/?page=1")
    assert page.locator("ol.articles > li").count() == 30


def test_search_filter_page_and_open(page, indexed, ids):
    page.goto("/search")
    page.get_by_label("關鍵字").fill("颱風")
    page.get_by_label("來源").select_option("聯合報")
    page.get_by_role("button", name="搜尋").click()
    page.wait_for_url(re.compile(r".*/search\?q=.*"))
    count = page.locator("h2.count").inner_text()
    assert int(count.split()[0]) >= 31
    assert page.locator("ol.results mark").count() > 0
    _shot(page, "search")
    page.get_by_role("link", name="下一頁 →").click()
    page.wait_for_url("**page=2")
    assert page.locator("ol.results > li").count() >= 1
    page.locator("ol.results h3 a").first.click()
    page.wait_for_url(re.compile(r".*/article/\d+$"))
    assert "颱風" in page.locator("h1").inner_text()


def test_phone_layout_has_no_sideways_scroll(browser, live_server, ids):
    SHOTS.mkdir(exist_ok=True)
    context = browser.new_context(base_url=live_server, viewport={"width": 360, "height": 740},
                                  device_scale_factor=2, is_mobile=True, has_touch=True)
    try:
        pg = context.new_page()
        for path, name in [("/", "phone-home"), (f"/article/{ids['law']}", "phone-article"), ("/search", "phone-search")]:
            pg.goto(path)
            width = pg.evaluate("document.documentElement.scrollWidth")
            assert width <= 360, (path, width)
            pg.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    finally:
        context.close()


_CONTRAST_JS = """
(selectors) => selectors.map(sel => {
  const el = document.querySelector(sel);
  if (!el) return [sel, null, null];
  let bg = null, node = el;
  while (node && node.nodeType === 1) {
    const c = getComputedStyle(node).backgroundColor;
    if (c && c !== 'rgba(0, 0, 0, 0)' && c !== 'transparent') { bg = c; break; }
    node = node.parentElement;
  }
  return [sel, getComputedStyle(el).color, bg || 'rgb(255, 255, 255)'];
})
"""


def _luminance(rgb: str) -> float:
    r, g, b = (int(x) / 255 for x in re.findall(r"\d+", rgb)[:3])
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in (r, g, b)]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_text_contrast_meets_wcag_aa(browser, live_server, ids, scheme):
    context = browser.new_context(base_url=live_server, color_scheme=scheme)
    try:
        pg = context.new_page()
        pg.goto(f"/article/{ids['law']}")
        checks = pg.evaluate(_CONTRAST_JS, ["body", "h1", ".kicker a", "dl.facts", ".meta", "del", "ins",
                                            "footer.site", "header.site nav a", "nav.script a[aria-current]",
                                            "details summary"])
        assert sum(fg is not None for _, fg, _ in checks) >= 9
        for sel, fg, bg in checks:
            if fg is None:
                continue
            hi, lo = sorted([_luminance(fg), _luminance(bg)], reverse=True)
            ratio = (hi + 0.05) / (lo + 0.05)
            assert ratio >= 4.5, (scheme, sel, fg, bg, round(ratio, 2))
    finally:
        context.close()


def test_skip_link_is_first_and_visible_on_focus(page):
    page.goto("/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.className")
    assert focused == "skip"
    box = page.locator("a.skip").bounding_box()
    assert box is not None and box["x"] >= 0 and box["y"] >= 0
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"


def test_a_zh_cn_first_visit_reads_simplified_with_mainland_words(browser, live_server, ids):
    context = browser.new_context(base_url=live_server, locale="zh-CN")
    problems: list[str] = []
    try:
        pg = context.new_page()
        pg.on("pageerror", lambda exc: problems.append(str(exc)))
        pg.goto("/")
        assert pg.locator("html").get_attribute("lang") == "zh-Hans"
        assert pg.title().startswith("最新报道")
        nav = pg.get_by_role("navigation", name="主菜单").inner_text()  # mainland wording: 菜单, not 选单
        assert "搜索" in nav and "来源" in nav
        _shot(pg, "home-zh-cn")
        pg.get_by_role("link", name="立法院三读通过修正案").click()
        pg.wait_for_url(f"**/article/{ids['law']}")
        versions = pg.locator("section.versions h2").inner_text()
        assert versions == "修改记录（已修改 1 次）"  # the interface's mainland wording (紀錄: 记录, not 纪录)
        pg.goto("/article/999999")
        assert pg.locator("p.error").inner_text() == "没有编号 999999 的报道"
        # nothing was remembered: a choice is the reader's to make
        assert [c for c in context.cookies() if c["name"] == "script"] == []
    finally:
        context.close()
    assert problems == []


def test_the_calendar_leads_to_a_day_and_its_neighbours(page, ids):
    page.goto("/")
    page.get_by_role("navigation", name="主選單").get_by_role("link", name="最近一日").click()
    page.wait_for_url("**/day/2024-05-04")
    assert page.locator("a[rel=next]").count() == 0  # never into the future
    page.get_by_role("link", name="2024 年 5 月").click()
    page.wait_for_url("**/month/2024-05")
    _shot(page, "month")
    page.locator('table.calendar a[href="/day/2024-05-03"]').click()
    page.wait_for_url("**/day/2024-05-03")
    page.get_by_role("link", name="← 2024-05-02").click()
    page.wait_for_url("**/day/2024-05-02")
    assert page.locator("ol.articles > li").count() >= 1


def test_an_article_without_its_page_says_so(page, ids):
    page.goto(f"/article/{ids['typhoon0']}")
    note = page.locator("aside.summary-only")
    assert note.is_visible() and "僅有摘要" in note.inner_text() and "下次嘗試" in note.inner_text()
    _shot(page, "summary-only")
