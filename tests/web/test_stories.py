"""Story pages and the stories API over a real archive of our own story texts (tests/data/stories)."""

from __future__ import annotations

import re

import pytest

from webarchive import make_client


@pytest.fixture
def story_client(story_home):
    c = make_client(story_home[0])
    yield c
    c.close()


def test_story_page_shows_the_timeline_first_report_and_copies(story_client, story_home):
    _, ids = story_home
    r = story_client.get(f"/story/{ids['u1']}")
    assert r.status_code == 200
    page = r.text
    assert "<h1>台中倉庫大火 消防局出動40車搶救</h1>" in page
    assert "3 則報導 · 2 家媒體" in page
    assert page.index("中央社") < page.index("自由時報")  # the first report's outlet first
    assert "首發" in page and "更新版" in page  # the agency's update of its own text
    assert f'href="/article/{ids["u2"]}"' in page and f'href="/article/{ids["u3"]}"' in page
    assert "晚 2 小時 10 分" in page  # 自由時報 reported 2 h 10 min after 中央社


def test_script_versions_and_reprints_are_marked(story_client, story_home):
    _, ids = story_home
    salt = story_client.get(f"/story/{ids['s1']}").text
    assert "繁體版" in salt
    bridge = story_client.get(f"/story/{ids['r1']}").text
    assert "轉載" in bridge and "原文：" in bridge


def test_story_page_switches_script(story_client, story_home):
    _, ids = story_home
    hans = story_client.get(f"/story/{ids['u1']}?script=hans").text
    assert "<h1>台中仓库大火 消防局出动40车抢救</h1>" in hans
    assert "时间线" in hans


def test_article_page_links_to_its_story(story_client, story_home):
    _, ids = story_home
    page = story_client.get(f"/article/{ids['u2']}").text
    assert f'href="/story/{ids["u1"]}"' in page
    assert "3 則報導，2 家媒體" in page
    assert f'href="/article/{ids["u1"]}"' in page  # the original it copies
    single = story_client.get(f"/article/{ids['d1']}").text
    assert "同一事件" in single  # flood: two outlets
    assert story_client.get("/story/999999").status_code == 404
    assert story_client.get("/story/abc").status_code == 404


def test_api_stories_list_and_one(story_client, story_home):
    _, ids = story_home
    r = story_client.get("/api/stories?limit=2")
    assert r.status_code == 200
    body = r.json()
    assert body["total"] == 6 and body["next_offset"] == 2
    assert [s["id"] for s in body["results"]] == [ids["d3"], ids["d1"]]  # newest first
    one = story_client.get(f"/api/stories/{ids['s1']}?script=hans").json()["story"]
    assert one["title"] == "南极科考队发现巨型盐湖：冰层下藏着什么"
    assert [a["copy_of"] for a in one["articles"]] == [None, "https://bbc.test/zhongwen/simp/world-3001"]
    assert not set("極隊發現鹽層") & set(one["articles"][1]["title"])  # the Traditional version, converted
    by_source = story_client.get("/api/stories?source=联合早报").json()
    assert [s["id"] for s in by_source["results"]] == [ids["d3"]]
    article = story_client.get(f"/api/articles/{ids['d4']}").json()["article"]
    assert article["story"] == ids["d3"]
    assert story_client.get("/api/stories?min_articles=0").status_code == 400
    assert story_client.get("/api/stories/0").status_code == 404


def test_stories_list_is_newest_first_paged_and_in_the_menu(story_client, story_home, monkeypatch):
    _, ids = story_home
    page = story_client.get("/stories").text
    assert '<a href="/stories" aria-current="page">報導串</a>' in page
    assert "共 6 則" in page
    links = [int(x) for x in re.findall(r'<h2><a href="/story/(\d+)">', page)]
    assert links[:2] == [ids["d3"], ids["d1"]] and links[-1] == ids["x1"] and len(links) == 6
    assert "3 則報導 · 2 家媒體" in page  # the fire story
    assert 'href="/stories"' in story_client.get(f"/article/{ids['u1']}").text  # every page's menu
    monkeypatch.setattr("newsmirror.web.views.PER_PAGE", 4)
    second = story_client.get("/stories?page=2").text
    shown = re.findall(r'<h2><a href="/story/(\d+)">', second)
    assert len(shown) == 2 and shown[-1] == str(ids["x1"])
    assert "第 2 頁，共 2 頁" in second and 'href="/stories?page=1"' in second
    assert story_client.get("/stories?page=3").status_code == 404
    assert story_client.get("/stories?page=x").status_code == 400
    hans = story_client.get("/stories?script=hans").text
    assert "报道串" in hans and "台中仓库大火" in hans


def test_api_stories_checks_its_parameters_and_answers_json_errors(story_client, story_home):
    _, ids = story_home
    bad = story_client.get("/api/stories?colour=red")
    assert bad.status_code == 400 and bad.headers["content-type"].startswith("application/json")
    assert "colour" in bad.json()["error"]
    missing = story_client.get("/api/stories/987654")
    assert missing.status_code == 404 and missing.json()["ok"] is False and "987654" in missing.json()["error"]
    assert story_client.get(f"/api/stories/{ids['u1']}?limit=3").status_code == 400  # one story takes no paging
    since = story_client.get("/api/stories?since=2025-01-01").json()
    assert ids["x1"] not in [s["id"] for s in since["results"]] and since["total"] == 5
    hant = story_client.get(f"/api/stories/{ids['s1']}?script=hant").json()["story"]
    assert hant["title"].startswith("南極科考隊發現巨型鹽湖：冰層下")
    one = story_client.get(f"/api/stories/{ids['u1']}").json()["story"]
    assert set(one) == {"id", "title", "first_published", "last_published", "outlets", "articles"}
    assert {"url", "source", "title", "published", "copy_of"} <= set(one["articles"][0])
    schema = story_client.get("/api/openapi.json").json()
    assert {"/api/stories", "/api/stories/{id}"} <= set(schema["paths"])
    assert "404" in schema["paths"]["/api/stories/{id}"]["get"]["responses"]


def test_script_in_a_story_title_or_outlet_is_shown_as_text(story_client, story_home):
    _, ids = story_home
    for path in (f"/story/{ids['x1']}", "/stories", f"/article/{ids['x2']}"):
        page = story_client.get(path).text
        assert "<script>window.__xss" not in page and "<img src=x" not in page, path
        assert '<b onmouseover' not in page, path
    story = story_client.get(f"/story/{ids['x1']}").text
    assert "&lt;script&gt;window.__xss=2&lt;/script&gt;" in story  # shown, escaped
    assert "轉載" in story
    api = story_client.get(f"/api/stories/{ids['x1']}").json()["story"]
    assert api["title"].startswith("<img src=x")  # JSON carries the text as it is; HTML escapes it
