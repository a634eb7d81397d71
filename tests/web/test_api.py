"""The JSON API: shapes, filters, errors as JSON with 400/404, and the OpenAPI document."""

from __future__ import annotations

from webarchive import TYPHOONS, UDN, XINHUA  # noqa: F401


def test_articles_list_newest_first_with_total_and_offsets(client, ids):
    r = client.get("/api/articles?limit=5")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/json")
    data = r.json()
    assert data["ok"] is True
    assert data["total"] == TYPHOONS + 6
    assert [a["id"] for a in data["results"]][0] == ids["law"]
    assert data["next_offset"] == 5
    first = data["results"][0]
    assert set(first) >= {"id", "title", "source", "published", "url"}
    assert first["published"] == "2024-05-04T08:00:00+08:00"
    assert client.get("/api/articles?limit=5&tz=UTC").json()["results"][0]["published"] == "2024-05-04T00:00:00+00:00"


def test_articles_filter_by_source_and_time(client, ids):
    data = client.get(f"/api/articles?source={XINHUA}").json()
    assert {a["source"] for a in data["results"]} == {XINHUA}
    assert data["total"] == 3
    day = client.get("/api/articles?since=2024-05-01&until=2024-05-01&limit=200").json()
    got = {a["id"] for a in day["results"]}
    assert ids["early"] in got  # 04:00 Taipei
    assert ids["xinhua0"] not in got  # 2 May
    assert day["total"] == len(got) and day["next_offset"] is None
    since = client.get("/api/articles?since=2024-05-03T00:00:00%2B00:00").json()
    assert {a["id"] for a in since["results"]} == {ids["law"], ids["xss"]}


def test_article_detail_has_versions(client, ids):
    data = client.get(f"/api/articles/{ids['law']}").json()
    assert data["ok"] is True
    art = data["article"]
    assert art["title"] == "立法院三讀通過修正案"
    assert [v["version"] for v in art["versions"]] == [1, 2]
    assert art["versions"][0]["title"] == "立法院三讀通過"
    assert "新增一段說明" in art["text"]


def test_sources(client):
    data = client.get("/api/sources").json()
    names = {s["name"]: s["articles"] for s in data["results"]}
    assert names[UDN] == TYPHOONS + 2
    assert names[XINHUA] == 3


def test_bad_parameters_are_json_400(client):
    for path in [
        "/api/articles?limit=0",
        "/api/articles?limit=201",
        "/api/articles?limit=ten",
        "/api/articles?offset=-1",
        "/api/articles?since=yesterday",
        "/api/articles?since=2024-02-30",
        "/api/articles?until=2024-05-01T25:00",
        "/api/articles?since=2024-05-02&until=2024-05-01",
        "/api/articles?source=沒有這家",
        "/api/articles?tz=Nowhere/City",
        "/api/search?q=",
        "/api/search?q=%20%20",
        "/api/search",
        "/api/search?q=" + "長" * 201,
        "/api/search?q=a&limit=1000",
        "/api/search?q=a&offset=x",
        "/api/search?q=a&source=沒有這家",
        "/api/search?q=a%00b",
    ]:
        r = client.get(path)
        assert r.status_code == 400, (path, r.status_code, r.text)
        data = r.json()
        assert data["ok"] is False and data["error"], path


def test_unknown_ids_and_paths_are_json_404(client):
    for path in ["/api/articles/999999", "/api/articles/abc", "/api/articles/0", "/api/nothing", "/api/"]:
        r = client.get(path)
        assert r.status_code == 404, path
        body = r.json()
        assert body == {"ok": False, "error": body["error"], "message": body["message"]} and body["error"]
        assert "沒有" in body["message"] or "找不到" in body["message"]


def test_openapi_document_describes_every_route(client):
    r = client.get("/api/openapi.json")
    assert r.status_code == 200
    doc = r.json()
    assert doc["openapi"].startswith("3.1")
    assert set(doc["paths"]) == {"/api/articles", "/api/articles/{id}", "/api/search", "/api/sources",
                                 "/api/stories", "/api/stories/{id}", "/api/openapi.json"}
    hit = doc["components"]["schemas"]["SearchHit"]
    assert set(hit["required"]) == {"id", "title", "source", "published", "url", "snippet"}
    # every $ref points at something that exists
    import json
    import re

    for ref in set(re.findall(r'"\$ref": "#/([^"]+)"', json.dumps(doc))):
        node = doc
        for part in ref.split("/"):
            node = node[part]
        assert node, ref


def test_article_says_what_the_archive_holds(client, ids):
    art = client.get(f"/api/articles/{ids['typhoon0']}").json()["article"]
    assert art["holds"] == "summary"
    fetch = art["page_fetch"]
    assert (fetch["status"], fetch["kind"], fetch["attempts"]) == ("retrying", "timeout", 1)
    assert fetch["next_try"] == "2024-06-01T12:00:00+08:00" and fetch["why"] == "網站逾時沒有回應"
    gone = client.get(f"/api/articles/{ids['early']}").json()["article"]
    assert (gone["holds"], gone["page_fetch"]["status"], gone["page_fetch"]["next_try"]) == ("summary", "given_up", None)
    plain = client.get(f"/api/articles/{ids['law']}").json()["article"]
    assert (plain["holds"], plain["page_fetch"]) == ("feed", None)


def test_an_article_reads_the_same_in_the_api_export_and_search_json(client, settings, ids, indexed):
    """One serializer per model: the same keys, values and time format wherever an article is written as JSON."""
    import json

    from click.testing import CliRunner

    from newsmirror.cli import cli

    detail = client.get(f"/api/articles/{ids['law']}?tz=UTC").json()["article"]
    listed = next(a for a in client.get("/api/articles?tz=UTC&limit=200").json()["results"] if a["id"] == ids["law"])
    exported = CliRunner().invoke(cli, ["--home", str(settings.home), "-q", "export"])
    assert exported.exit_code == 0, exported.stderr
    record = next(r for r in map(json.loads, exported.stdout.splitlines()) if r["id"] == ids["law"])
    assert record["version"] == detail["version"] == listed["version"] == 2
    assert record["published"] == detail["published"] == listed["published"] == "2024-05-04T00:00:00+00:00"
    for key, value in detail.items():
        if key not in ("versions", "holds", "page_fetch", "story"):  # the API's own: revisions, holding, story
            assert record[key] == value, key
    assert listed == {k: detail[k] for k in listed}
    assert "feed_html" in record and "feed_html" not in detail  # the raw feed HTML is the export's only

    api_hits = client.get("/api/search?q=三讀通過&tz=UTC").json()["results"]
    cli_hits = CliRunner().invoke(cli, ["--home", str(settings.home), "search", "三讀通過", "--json", "--tz", "UTC"])
    assert cli_hits.exit_code == 0, cli_hits.stderr
    assert [json.loads(line) for line in cli_hits.stdout.splitlines()] == api_hits
    assert api_hits[0]["id"] == ids["law"] and set(api_hits[0]) == {"id", "title", "source", "published", "url",
                                                                      "snippet", "score", "story", "matched"}
