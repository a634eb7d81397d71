"""Story pages and the stories API over a real archive of our own story texts (tests/data/stories)."""

from __future__ import annotations

import html
import json
from datetime import datetime
from pathlib import Path

import pytest

from newsmirror.chinese import load_aliases
from newsmirror.config import Settings
from newsmirror.models import FeedItem
from newsmirror.store import open_store
from newsmirror.stories import sync_stories
from webarchive import make_client

CASES = Path(__file__).resolve().parent.parent / "data" / "stories" / "cases.jsonl"


@pytest.fixture(scope="module")
def story_home(tmp_path_factory):
    """A home whose archive holds the story cases, placed; (settings, article ids by case id)."""
    home = tmp_path_factory.mktemp("story-home")
    store = open_store(Settings(home).db_path)
    ids = {}
    try:
        for line in CASES.read_text(encoding="utf-8").splitlines():
            a = json.loads(line)
            body = "".join(f"<p>{html.escape(p)}</p>" for p in a["body"].split("\n\n"))
            item = FeedItem(source=a["outlet"], feed_url=f"https://{a['outlet']}.example/rss", title=a["title"],
                            link=a["url"], guid=a["id"], published=datetime.fromisoformat(a["published"]),
                            content_html=body)
            ids[a["id"]] = store.save_item(item, html=body, text=a["body"], seen_at=item.published).article_id
        sync_stories(store, load_aliases())
    finally:
        store.close()
    return Settings(home), ids


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
    assert body["total"] == 5 and body["next_offset"] == 2
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
