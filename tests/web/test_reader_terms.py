"""The web archive in the reader's terms: days that have articles, a month calendar, Chinese messages
in the reader's script (Simplified on a zh-CN first visit), zone names in Chinese, the API's one paging scheme."""

from __future__ import annotations

import re

import pytest

from webarchive import XINHUA

HANS = {"accept-language": "zh-CN,zh;q=0.9,en;q=0.8"}


def main(html: str) -> str:
    return re.search(r"<main.*</main>", html, re.S).group(0)


def test_the_menus_day_is_the_newest_day_with_articles(client):
    html = client.get("/").text
    # the newest article (the law, 08:00 on 4 May in Taipei) is not today: the menu says so
    assert '<a href="/day/2024-05-04">最近一日</a>' in html
    assert '<a href="/day/2024-05-03">' in client.get("/?tz=Pacific/Pago_Pago").text  # 3 May there


@pytest.mark.parametrize("day, prev, next_", [
    ("2024-05-04", "2024-05-03", None),  # the newest day: no way into the future
    ("2024-05-20", "2024-05-04", None),  # an empty day after the last: back to the last day with articles
    ("2024-04-10", None, "2024-05-01"),  # an empty day before the first: on to the first
    ("2024-05-01", None, "2024-05-02"),
])
def test_the_day_pager_skips_empty_days_and_never_walks_into_the_future(client, day, prev, next_):
    html = main(client.get(f"/day/{day}").text)
    links = dict(re.findall(r'<a rel="(prev|next)" href="/day/([\d-]+)">', html))
    assert links.get("prev") == prev and links.get("next") == next_
    assert '<a href="/month/' + day[:7] + '">' in html


def test_a_month_calendar_of_days_with_articles(client):
    r = client.get("/month/2024-05")
    assert r.status_code == 200
    html = main(r.text)
    assert "<h1>2024 年 5 月</h1>" in html
    day_link = r'<a href="/day/(2024-05-\d\d)"><span class="d">\d+</span> <span class="n">(\d+) 篇'
    counted = dict(re.findall(day_link, html))
    assert set(counted) == {"2024-05-01", "2024-05-02", "2024-05-03", "2024-05-04"}
    assert counted["2024-05-04"] == "1"  # the law
    total = client.get("/api/articles?limit=1").json()["total"]
    assert sum(map(int, counted.values())) == total and f"共 {total} 篇，4 天有報導" in html
    assert '<td class="none"><span class="d">31</span></td>' in html  # a day without articles is no link
    assert 'rel="prev"' not in html and 'rel="next"' not in html  # no other month has articles
    # in UTC the earliest article (04:00 on 1 May in Taipei) falls on 30 April: April has a page, linked back
    april = main(client.get("/month/2024-04?tz=UTC").text)
    assert '<a href="/day/2024-04-30">' in april and '<a rel="next" href="/month/2024-05">' in april
    bad = client.get("/month/2024-13")
    assert bad.status_code == 400 and "「2024-13」不是月份" in bad.text


def test_footer_names_timezones_in_chinese(client):
    html = client.get("/").text
    footer = html[html.index('<footer class="site">'):]
    for name in ("台北", "香港", "北京", "新加坡", "倫敦"):
        assert f">{name}</a>" in footer, name
    assert '顯示時區：<strong title="Asia/Taipei">台北</strong>' in footer
    assert '<strong title="Europe/London">伦敦</strong>' in client.get("/?tz=Europe/London&script=hans").text


def test_favicon_ico_is_served(client):
    r = client.get("/favicon.ico")
    assert r.status_code == 200 and r.headers["content-type"] == "image/x-icon"
    assert r.content[:4] == b"\x00\x00\x01\x00" and "max-age" in r.headers["cache-control"]


def test_a_zh_cn_first_visit_gets_the_simplified_interface_with_mainland_wording(client, ids):
    r = client.get("/", headers=HANS)
    assert '<html lang="zh-Hans">' in r.text
    assert "最新报道" in r.text and "报导" not in r.text and "搜索" in r.text and "搜寻" not in r.text
    assert "script" not in r.headers.get("set-cookie", "")  # a guess, not a choice: nothing remembered
    assert "Accept-Language" in r.headers["vary"]
    for lang in ("zh-SG", "zh-Hans"):
        assert '<html lang="zh-Hans">' in client.get("/", headers={"accept-language": lang}).text
    assert "最新報導" in client.get("/", headers={"accept-language": "zh-TW,zh;q=0.9"}).text
    # a choice made before wins over the browser's languages
    chosen = client.get("/", headers={**HANS, "cookie": "script=orig"}).text
    assert "最新報導" in chosen


def test_messages_are_in_the_readers_script(client):
    missing = client.get("/article/999999", headers=HANS)
    assert missing.status_code == 404 and "没有编号 999999 的报道" in missing.text
    bad_day = client.get("/day/2024-02-30", headers=HANS)
    assert bad_day.status_code == 400 and "没有 2024-02-30 这一天" in bad_day.text
    no_path = client.get("/nowhere")
    assert no_path.status_code == 404 and "這個網址沒有頁面：/nowhere" in no_path.text
    search = client.get("/search?q=%22unbalanced", headers=HANS)
    assert search.status_code == 400 and "搜索字词的引号没有成对" in search.text
    post = client.request("POST", "/", headers=HANS)
    assert post.status_code == 405 and post.headers["content-type"].startswith("text/html")
    assert "只接受 GET 与 HEAD 请求" in post.text
    api = client.get("/api/articles/999999", headers=HANS).json()
    assert api["error"] == "no article 999999" and api["message"] == "没有编号 999999 的报道"


def test_api_unknown_parameters_are_a_400_that_names_them(client):
    r = client.get("/api/articles?limt=5&sorce=x")
    assert r.status_code == 400
    assert r.json()["error"].startswith("unknown parameter(s) limt, sorce; this endpoint takes source, since")
    assert client.get("/api/search?q=颱風&page=2").json()["error"].startswith("unknown parameter(s) page")
    assert client.get("/api/sources?x=1").status_code == 400
    assert client.get("/api/openapi.json?x=1").status_code == 400


def test_api_numbers_out_of_range_and_bad_utf8_are_said_as_such(client):
    big = client.get("/api/articles?limit=99999999999999999999").json()
    assert big["error"] == "limit 99999999999999999999 is out of range; use 1 to 200"
    assert client.get("/api/articles?limit=x1").json()["error"] == "limit 'x1' is not a whole number"
    utf8 = client.get("/api/search?q=%ff%fe")
    assert utf8.status_code == 400 and "not valid UTF-8" in utf8.json()["error"]
    assert "不是有效的 UTF-8" in client.get("/search?q=%ff").text


def test_api_json_is_utf8_not_escapes(client):
    for path in ("/api/articles?limit=3", "/api/sources", "/api/search?q=颱風", "/api/articles/999999",
                 "/api/openapi.json"):
        r = client.get(path)
        assert b"\\u" not in r.content, path
        assert r.headers["content-type"] == "application/json" or "charset=utf-8" in r.headers["content-type"]


def test_api_pages_one_way_everywhere(client):
    for path in ("/api/articles?limit=2", "/api/sources?limit=2", "/api/search?q=颱風&limit=2"):
        data = client.get(path).json()
        assert {"results", "total", "limit", "offset", "next_offset"} <= set(data), path
        assert data["next_offset"] == 2 and len(data["results"]) == 2, path
        last = client.get(f"{path}&offset={data['total'] - 1}").json()
        assert last["next_offset"] is None and len(last["results"]) == 1, path
    doc = client.get("/api/openapi.json").json()
    for route in ("/api/articles", "/api/search", "/api/sources"):
        names = {p["name"] for p in doc["paths"][route]["get"]["parameters"]}
        assert {"limit", "offset", "tz", "script"} <= names, route


def test_api_script_converts_text_on_every_endpoint(client, ids):
    law = client.get(f"/api/articles/{ids['law']}?script=hans").json()["article"]
    assert law["title"] == "立法院三读通过修正案" and "三读" in law["text"] and "三读" in law["versions"][0]["text"]
    listed = client.get("/api/articles?limit=1&script=hans").json()["results"][0]
    assert listed["title"] == "立法院三读通过修正案"
    hans = client.get(f"/api/articles?source={XINHUA}&limit=1&script=hant").json()["results"][0]
    assert hans["title"] == "簡體字測試報道"  # stored as 简体字测试报道
    hit = client.get("/api/search?q=颱風&limit=1&script=hans").json()["results"][0]
    assert "台风" in hit["title"] and "台风" in hit["snippet"].replace("<mark>", "").replace("</mark>", "")
    assert client.get("/api/articles?script=klingon").status_code == 400


def test_a_search_page_past_the_end_is_a_404_with_a_way_back(client, indexed):
    r = client.get("/search?q=颱風&page=50")
    assert r.status_code == 404 and "沒有第 50 頁，共 2 頁。" in r.text
    assert '最後一頁（第 2 頁）</a>' in r.text and "page=2" in r.text


def test_mainland_wording_is_the_interfaces_never_an_outlets_words(tmp_path):
    """A Simplified reader gets the interface in mainland words (只读存档, 修改记录, 主菜单) and an outlet's
    text in Simplified characters only: its 預設立場 stays 预设立场 (默认立场 would change what it said)."""
    from webarchive import T0, UDN, _html, _item, make_client

    from newsmirror.config import Settings
    from newsmirror.store import open_store

    settings = Settings.from_home(tmp_path / "home")
    settings.home.mkdir()
    title, text = "記者會不應有預設立場", "本報報導：伺服器連線逾時，雪梨的網路連結中斷。"
    with open_store(settings.db_path) as store:
        article_id = store.save_item(_item(UDN, 1, title, T0), html=_html(text), text=text, seen_at=T0).article_id
    client = make_client(settings)
    try:
        page = client.get(f"/article/{article_id}", headers=HANS).text
        assert "记者会不应有预设立场" in page and "本报报导：伺服器连线逾时，雪梨的网路连结中断。" in page
        assert "默认立场" not in page and "服务器" not in page and "悉尼" not in page
        assert "只读存档" in page and "<h2 id=\"versions-h\">修改记录</h2>" in page and 'aria-label="主菜单"' in page
        assert "唯读" not in page and "封存" not in page and "纪录" not in page
        listed = client.get("/", headers=HANS).text
        assert "记者会不应有预设立场" in listed and "本报报导" in listed and "最新报道" in listed
        api = client.get(f"/api/articles/{article_id}?script=hans").json()["article"]
        assert api["title"] == "记者会不应有预设立场" and api["text"] == "本报报导：伺服器连线逾时，雪梨的网路连结中断。"
        bad = client.get("/api/articles?limt=1", headers=HANS).json()
        assert bad["message"].startswith("无法识别的参数：limt")  # the interface's message: mainland words
        hant = client.get(f"/article/{article_id}?script=hant").text
        assert "唯讀封存" in hant and "修改紀錄" in hant and title in hant
    finally:
        client.close()


def test_a_day_or_month_still_to_come_is_a_404_that_leads_to_the_newest_day(client):
    from datetime import date, timedelta

    tomorrow = (date.today() + timedelta(days=2)).isoformat()  # a day ahead in every zone
    for path, said in ((f"/day/{tomorrow}", "還沒到"), ("/month/9998-12", "9998 年 12 月還沒到")):
        r = client.get(path)
        assert r.status_code == 404 and said in main(r.text), path
        assert '<a href="/day/latest">最近一日</a>' in main(r.text), path
    latest = client.get("/day/latest?tz=UTC&script=hans")
    assert latest.status_code == 302 and latest.headers["location"] == "/day/2024-05-04?tz=UTC&script=hans"
    assert client.get("/day/latest?tz=Pacific/Pago_Pago").headers["location"].startswith("/day/2024-05-03")
    # an error page reads no archive: its menu leads to /day/latest, never to an empty today
    assert '<a href="/day/latest">最近一日</a>' in client.get("/nowhere").text
    past = client.get("/day/2024-05-20")  # a past empty day: 200, a way back, and no "not yet"
    assert past.status_code == 200 and 'href="/day/2024-05-04"' in past.text
    assert "這一天沒有收錄報導。" in past.text and "還沒有" not in main(past.text)
    assert "这一天没有收录报道。" in client.get("/day/2024-05-20", headers=HANS).text


def test_api_parameters_given_twice_or_to_an_endpoint_taking_none_are_said_as_such(client):
    twice = client.get("/api/articles?limit=1&limit=2")
    assert twice.status_code == 400
    assert twice.json()["error"] == "parameter(s) limit given more than once; give each once"
    assert twice.json()["message"] == "參數 limit 重複出現；每個參數只能給一次"
    none = client.get("/api/openapi.json?x=1", headers=HANS).json()
    assert none["error"] == "unknown parameter(s) x; this endpoint takes no parameters"
    assert none["message"] == "无法识别的参数：x；这里不接受任何参数"
