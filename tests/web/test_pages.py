"""The HTML pages, in-process over a real archive: content, paging, timezones, script switch, a11y basics."""

from __future__ import annotations

import re

from webarchive import TYPHOONS, UDN, XINHUA  # noqa: F401  (conftest sits beside this file)


def _h1s(html: str) -> list[str]:
    return re.findall(r"<h1[ >]", html)


def test_home_lists_latest_first_with_paging(client, ids):
    r = client.get("/")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    html = r.text
    # newest first: the two-version article (3 May) before typhoon items (1-2 May)
    assert html.index(f'/article/{ids["law"]}"') < html.index(f'/article/{ids["typhoon_last"]}"')
    assert 'rel="next" href="/?page=2"' in html
    assert f"共 {TYPHOONS + 6} 篇" in html
    page2 = client.get("/?page=2").text
    assert f'/article/{ids["typhoon0"]}"' in page2
    assert 'rel="prev"' in page2 and 'rel="next"' not in page2


def test_every_page_has_one_h1_lang_viewport_and_skip_link(client, ids):
    for path in ["/", "/sources", f"/source/{UDN}", "/day/2024-05-01", f"/article/{ids['law']}",
                 "/search", "/no/such/page"]:
        html = client.get(path).text
        assert len(_h1s(html)) == 1, path
        assert re.search(r'<html lang="zh-Han[st]">', html), path
        assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
        assert '<a class="skip" href="#main">' in html and 'id="main"' in html
        assert "http://" not in html.split("<main")[0].replace("http://testserver", ""), path  # no external assets


def test_source_page_only_that_outlet(client, ids):
    r = client.get(f"/source/{XINHUA}")
    assert r.status_code == 200
    assert "国务院发布经济数据" in r.text
    assert "颱風消息" not in r.text
    assert client.get("/source/沒有這個來源").status_code == 404


def test_day_page_uses_the_readers_timezone(client, ids):
    early = f'/article/{ids["early"]}"'
    # 2024-04-30 20:00 UTC is 1 May 04:00 in Taipei
    assert early in client.get("/day/2024-05-01").text
    assert early not in client.get("/day/2024-04-30").text
    assert early in client.get("/day/2024-04-30?tz=UTC").text
    # the choice is remembered in a cookie
    assert early in client.get("/day/2024-04-30").text
    assert 'datetime="2024-04-30T20:00:00+00:00"' in client.get(f"/article/{ids['early']}").text


def test_day_page_rejects_bad_dates_and_timezones(client):
    assert client.get("/day/2024-13-01").status_code == 400
    assert client.get("/day/yesterday").status_code == 400
    r = client.get("/day/2024-05-01?tz=Mars/Olympus")
    assert r.status_code == 400 and "Mars/Olympus" in r.text


def test_article_shows_metadata_versions_and_diff(client, ids):
    r = client.get(f"/article/{ids['law']}")
    assert r.status_code == 200
    html = r.text
    assert "<h1>立法院三讀通過修正案</h1>" in html
    assert '<time datetime="2024-05-04T08:00:00+08:00">' in html  # published, Taipei time
    assert 'href="https://news.example/udn/law"' in html
    assert "已修改 1 次" in html
    assert "第 1 版" in html and "第 2 版" in html
    # each revision with the time it was first seen (Taipei time)
    assert '第 2 版 · 首見於 <time datetime="2024-06-01T13:00:00+08:00">' in html
    assert "立法院今日三讀通過<ins>修正</ins>法案。" in html
    assert "立法院三讀通過<ins>修正案</ins>" in html
    assert "<ins>新增一段說明。</ins>" in html


def test_an_unedited_article_says_so_and_shows_no_diff(client, ids):
    html = client.get(f"/article/{ids['xinhua0']}").text
    assert "收錄以來，媒體未修改這篇報導。" in html and "已修改" not in html
    assert "<ins>" not in html and "<del>" not in html


def test_unknown_or_malformed_article_ids_are_404(client):
    for path in ["/article/999999", "/article/0", "/article/abc", "/article/99999999999999999999999",
                 "/article/-1", "/article/１２"]:
        assert client.get(path).status_code == 404, path


def test_script_switch_converts_text_not_urls(client, ids):
    hant = client.get(f"/source/{XINHUA}?script=hant")
    assert hant.status_code == 200
    assert '<html lang="zh-Hant">' in hant.text
    assert "國務院發佈經濟數據" in hant.text and "国务院" not in hant.text
    assert "script=hant" in hant.headers.get("set-cookie", "")
    # the source URL keeps its original (percent-encoded Simplified) form
    assert "/source/%E6%96%B0%E5%8D%8E%E7%A4%BE" in hant.text
    # remembered: the next page without ?script= is still Traditional
    again = client.get(f"/article/{ids['xinhua0']}")
    assert "專家認爲這個發展勢頭會繼續" in again.text
    hans = client.get(f"/article/{ids['law']}?script=hans")
    assert '<html lang="zh-Hans">' in hans.text
    assert "立法院三读通过修正案" in hans.text
    orig = client.get(f"/article/{ids['law']}?script=orig")
    assert "立法院三讀通過修正案" in orig.text
    assert client.get("/?script=klingon").status_code == 400


def test_original_script_page_declares_article_language(client, ids):
    html = client.get(f"/article/{ids['xinhua0']}?script=orig").text
    assert '<html lang="zh-Hans">' in html
    assert '<article class="story" lang="zh-Hans">' in html


def test_paging_out_of_range_is_400_and_past_the_end_is_404_with_a_way_back(client):
    assert client.get("/?page=0").status_code == 400
    bad = client.get("/?page=abc")
    assert bad.status_code == 400 and "參數 page 的值「abc」不是整數" in bad.text
    far = client.get("/?page=100000")
    assert far.status_code == 400 and "參數 page 的值 100000 超出範圍；請用 1 到 1000" in far.text
    huge = client.get("/?page=99999999999999999999")
    assert huge.status_code == 400 and "超出範圍" in huge.text and "不是整數" not in huge.text
    r = client.get("/?page=999")
    assert r.status_code == 404 and "沒有第 999 頁，共 2 頁。" in r.text
    assert '<a href="/">回到第 1 頁</a>' in r.text and '<a href="/?page=2">最後一頁（第 2 頁）</a>' in r.text
    assert client.get("/?page=2").status_code == 200


def test_sources_page_lists_outlets(client):
    html = client.get("/sources").text
    assert UDN in html and XINHUA in html
    assert "<caption>" in html and '<th scope="col">' in html


def test_static_files_have_etag_and_cache_control(client):
    r = client.get("/static/site.css")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/css")
    assert "max-age=" in r.headers["cache-control"]
    etag = r.headers["etag"]
    again = client.get("/static/site.css", headers={"if-none-match": etag})
    assert again.status_code == 304


def test_head_requests_are_answered(client):
    r = client.request("HEAD", "/")
    assert r.status_code == 200
    assert r.content == b""


def test_an_article_without_its_page_says_summary_only_why_and_when_it_is_tried_again(client, ids):
    html = client.get(f"/article/{ids['typhoon0']}").text
    assert "僅有摘要" in html
    assert "原因：網站逾時沒有回應。會再嘗試，下次嘗試：<time datetime=\"2024-06-01T12:00:00+08:00\">" in html
    given_up = client.get(f"/article/{ids['early']}").text
    assert "僅有摘要" in given_up and "找不到網站的主機" in given_up and "已停止嘗試（共嘗試 4 次）" in given_up
    # an article whose page needed no fetch says nothing of the kind
    assert "僅有摘要" not in client.get(f"/article/{ids['law']}").text
