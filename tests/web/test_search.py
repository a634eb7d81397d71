"""Search through the real index built from the test archive: page and API, filters, paging, errors."""

from __future__ import annotations

import re

import pytest
from webarchive import TYPHOONS, UDN, XINHUA

pytestmark = pytest.mark.usefixtures("indexed")


def test_search_page_lists_hits_with_marks_and_pages(client):
    r = client.get("/search?q=颱風")
    assert r.status_code == 200
    total = int(re.search(r'<h2 class="count">(\d+) 筆結果', r.text).group(1))
    assert total >= TYPHOONS + 1  # Traditional items and the Simplified 台风 one
    assert "<mark>" in r.text
    assert 'rel="next" href="/search?q=%E9%A2%B1%E9%A2%A8&amp;page=2"' in r.text
    page2 = client.get("/search?q=颱風&page=2")
    assert page2.status_code == 200 and "第 2 頁" in page2.text


def test_search_filters_by_source_across_scripts(client, ids):
    r = client.get(f"/search?q=颱風&source={XINHUA}")
    assert r.status_code == 200
    assert f'href="/article/{ids["xinhua1"]}"' in r.text
    assert "颱風消息" not in r.text
    assert f'<option value="{XINHUA}" selected>' in r.text


def test_search_filters_by_days(client, ids):
    r = client.get(f"/search?q=颱風&source={UDN}&since=2024-05-02&until=2024-05-02")
    assert r.status_code == 200
    assert f'href="/article/{ids["typhoon_last"]}"' in r.text  # 2 May 10:00 UTC
    assert f'href="/article/{ids["typhoon0"]}"' not in r.text  # 1 May


def test_search_page_errors_are_400_with_the_form(client):
    for path in ["/search?q=", "/search?q=%22unbalanced", "/search?q=x&source=nope", "/search?q=x&since=tomorrow",
                 "/search?q=x&page=0", "/search?q=x&since=2024-05-03&until=2024-05-01"]:
        r = client.get(path)
        assert r.status_code == 400, path
        assert 'role="alert"' in r.text and '<form class="search"' in r.text, path


def test_api_search_shape(client):
    r = client.get("/api/search?q=颱風&limit=5")
    assert r.status_code == 200
    data = r.json()
    assert data["ok"] is True and data["total"] >= TYPHOONS + 1
    assert len(data["results"]) == 5
    for hit in data["results"]:
        assert set(hit) == {"id", "title", "source", "published", "url", "snippet", "score", "story", "matched"}
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00", hit["published"])
    more = client.get("/api/search?q=颱風&limit=5&offset=5").json()
    assert {h["id"] for h in more["results"]}.isdisjoint({h["id"] for h in data["results"]})


def test_api_search_filters_and_malformed_queries(client, ids):
    data = client.get(f"/api/search?q=台风&source={XINHUA}").json()
    assert [h["id"] for h in data["results"]] == [ids["xinhua1"]]
    for path in ["/api/search?q=%22open", "/api/search?q=source:", "/api/search?q=a&since=2024-99-01"]:
        r = client.get(path)
        assert r.status_code == 400, path
        assert r.json()["ok"] is False


def test_api_search_xss_query_is_not_reflected_as_html(client):
    r = client.get('/api/search?q=%3Cscript%3Ealert(1)%3C/script%3E')
    assert r.status_code in (200, 400)
    assert r.headers["content-type"].startswith("application/json")
    for hit in r.json().get("results", []):
        assert "<script>" not in hit["snippet"]


def test_search_days_follow_the_readers_timezone(client):
    """since:/until: are the reader's days: an article early on a Taipei morning is on the UTC day before."""
    import json as _json

    def hits(q, tz):
        r = client.get("/api/search", params={"q": q, "tz": tz, "limit": 200})
        assert r.status_code == 200
        return _json.loads(r.text)["results"]

    in_taipei = {h["id"]: h["published"][:10] for h in hits("颱風 OR 习近平 OR 台北", "Asia/Taipei")}
    in_utc = {h["id"]: h["published"][:10] for h in hits("颱風 OR 习近平 OR 台北", "UTC")}
    shifted = [i for i in in_taipei if in_taipei[i] != in_utc[i]]
    assert shifted, "the test archive needs an article whose Taipei and UTC days differ"
    for article_id in shifted:
        day = in_taipei[article_id]
        q = f"颱風 OR 习近平 OR 台北 since:{day} until:{day}"
        assert article_id in {h["id"] for h in hits(q, "Asia/Taipei")}
        assert article_id not in {h["id"] for h in hits(q, "UTC")}
