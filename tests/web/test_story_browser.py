"""A story page in real headless Chromium: its timeline, the 繁/简 switch, and a title carrying script."""

from __future__ import annotations

import pytest

from conftest import serve

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def story_server(story_home):
    with serve(story_home[0]) as url:
        yield url


@pytest.fixture
def story_page(browser, story_server):
    """A fresh context on the story archive; fails the test on any console or page error."""
    context = browser.new_context(base_url=story_server, viewport={"width": 1100, "height": 900}, locale="zh-TW")
    pg = context.new_page()
    problems: list[str] = []
    pg.on("console", lambda msg: problems.append(f"console {msg.type}: {msg.text}") if msg.type == "error" else None)
    pg.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    pg.on("dialog", lambda dialog: (problems.append(f"dialog: {dialog.message}"), dialog.dismiss()))
    yield pg
    context.close()
    assert problems == []


def test_open_a_story_from_the_list_and_switch_script(story_page, story_home):
    _, ids = story_home
    story_page.goto("/")
    story_page.get_by_role("navigation", name="主選單").get_by_role("link", name="報導串").click()
    story_page.wait_for_url("**/stories")
    story_page.get_by_role("link", name="台中倉庫大火 消防局出動40車搶救").click()
    story_page.wait_for_url(f"**/story/{ids['u1']}")
    assert story_page.locator("h1").inner_text() == "台中倉庫大火 消防局出動40車搶救"
    timeline = story_page.locator("ol.timeline-list > li")
    assert timeline.count() == 3
    assert "首發" in timeline.nth(0).inner_text() and "更新版" in story_page.locator("ol.timeline-list").inner_text()
    story_page.get_by_role("navigation", name="字體").get_by_role("link", name="简体").click()
    story_page.wait_for_url("**script=hans")
    assert story_page.locator("h1").inner_text() == "台中仓库大火 消防局出动40车抢救"
    assert story_page.locator("html").get_attribute("lang") == "zh-Hans"
    story_page.locator("ol.timeline-list a").first.click()  # on to the first report, in the chosen script
    story_page.wait_for_url(f"**/article/{ids['u1']}")
    assert story_page.locator("h1").inner_text() == "台中仓库大火 消防局出动40车抢救"


def test_a_story_title_carrying_script_never_runs(story_page, story_home):
    _, ids = story_home
    for path in (f"/story/{ids['x1']}", "/stories", f"/article/{ids['x2']}"):
        story_page.goto(path)
        assert story_page.evaluate("window.__xss") is None, path
        assert story_page.locator("img[src=x]").count() == 0, path
    story_page.goto(f"/story/{ids['x1']}")
    assert story_page.locator("h1").inner_text() == '<img src=x onerror="window.__xss=1">颱風<script>window.__xss=2</script>'


def test_a_story_page_fits_a_phone_in_dark_mode(browser, story_server, story_home):
    _, ids = story_home
    context = browser.new_context(base_url=story_server, viewport={"width": 360, "height": 740},
                                  color_scheme="dark", is_mobile=True)
    try:
        pg = context.new_page()
        pg.goto(f"/story/{ids['r1']}")
        assert pg.evaluate("document.documentElement.scrollWidth") <= 360
        background = pg.evaluate("getComputedStyle(document.body).backgroundColor")
        assert background != "rgb(255, 255, 255)"  # the dark scheme, as the other pages
    finally:
        context.close()
