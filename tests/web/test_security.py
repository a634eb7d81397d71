"""Security: escaping of hostile data, no path traversal, read-only methods, no bodies, rate limit, headers."""

from __future__ import annotations

from urllib.parse import quote

from webarchive import XSS_SOURCE, make_client

def _assert_inert(html: str) -> None:
    """No element the payloads could have created: scripts, event handlers, javascript: URLs, their <img>."""
    import lxml.html

    doc = lxml.html.document_fromstring(html)
    for el in doc.iter():
        if not isinstance(el.tag, str):
            continue
        assert el.tag != "script" or (el.get("src", "").startswith("/static/") and not (el.text or "").strip())
        assert el.tag != "img" or el.get("src") != "x"
        for name, value in el.attrib.items():
            assert not name.lower().startswith("on"), (el.tag, name)
            assert not value.strip().lower().startswith("javascript:"), (el.tag, name, value)
    assert "<script>alert" not in html


def test_xss_payloads_in_title_body_source_author_and_link_are_escaped(client, ids):
    r = client.get(f"/article/{ids['xss']}")
    assert r.status_code == 200
    html = r.text
    _assert_inert(html)
    assert "&lt;img src=x onerror=alert(1)&gt;惡意標題" in html
    assert "&lt;b&gt;作者&lt;/b&gt;" in html
    assert "<p>正文段落</p>" in html and "<p>第二段</p>" in html  # harmless markup is kept
    for path in ["/", "/sources", "/day/2024-05-03", "/source/" + quote(XSS_SOURCE, safe="")]:
        page = client.get(path)
        assert page.status_code == 200, path
        _assert_inert(page.text)
    assert "&lt;script&gt;alert(&#34;src&#34;)&lt;/script&gt;社" in client.get("/sources").text


def test_xss_in_queries_and_parameters_is_escaped(client):
    payload = '"><script>alert(7)</script>'
    for path in ["/search?q=" + quote(payload), "/search?q=x&source=" + quote(payload),
                 "/search?q=x&since=" + quote(payload), "/day/" + quote(payload), "/nope" + quote(payload),
                 "/?page=" + quote(payload), "/?tz=" + quote(payload)]:
        r = client.get(path)
        assert r.status_code in (200, 400, 404, 503), path  # 503: no index yet
        assert "<script>alert(7)" not in r.text, path


def test_api_returns_stored_text_as_json_data(client, ids):
    r = client.get(f"/api/articles/{ids['xss']}")
    assert r.headers["content-type"].startswith("application/json")
    assert r.json()["article"]["title"].startswith("<img src=x")  # data, never rendered as HTML


def test_javascript_links_never_become_hrefs(client, ids):
    html = client.get(f"/article/{ids['xss']}").text
    assert 'href="javascript' not in html.lower()


def test_security_headers_on_pages_api_static_and_errors(client):
    for path in ["/", "/api/sources", "/static/site.css", "/nothing", "/api/articles?limit=0"]:
        h = client.get(path).headers
        csp = h["content-security-policy"]
        assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
        assert h["x-content-type-options"] == "nosniff"
        assert h["referrer-policy"] == "no-referrer"


def test_no_path_traversal(client, settings):
    secret = settings.home / "archive.sqlite"
    assert secret.is_file()
    for path in ["/static/../app.py", "/static/%2e%2e/app.py", "/static/..%2fapp.py", "/static/%2e%2e%2f%2e%2e%2fconfig.py",
                 "/static//etc/passwd", "/static/....//app.py", "/source/..%2f..%2fetc%2fpasswd",
                 "/day/..%2f..%2fetc%2fpasswd", "/article/..%2farchive.sqlite", "/static/%00", "/static/"]:
        r = client.get(path)
        assert r.status_code in (400, 404), (path, r.status_code)
        assert "def create_app" not in r.text and "root:" not in r.text and "SQLite format" not in r.text


def test_only_get_and_head_and_no_bodies(client):
    for method in ["POST", "PUT", "DELETE", "PATCH", "OPTIONS"]:
        r = client.request(method, "/api/sources")
        assert r.status_code == 405, method
        assert r.json()["ok"] is False
        assert r.headers["allow"] == "GET, HEAD"
    r = client.request("GET", "/api/sources", content=b"x" * 100)
    assert r.status_code == 413 and r.json()["ok"] is False


def test_overlong_urls_are_refused(client):
    r = client.get("/search?q=" + "a" * 5000)
    assert r.status_code == 414


def test_rate_limit_answers_429_with_json(settings):
    from newsmirror.web import RateLimit

    c = make_client(settings, rate_limit=RateLimit(rate=0.01, burst=3))
    try:
        codes = [c.get("/api/sources").status_code for _ in range(5)]
        assert codes[:3] == [200, 200, 200]
        assert codes[3:] == [429, 429]
        r = c.get("/api/sources")
        assert r.json() == {"ok": False, "error": r.json()["error"], "message": r.json()["message"]}
        assert int(r.headers["retry-after"]) >= 1
        # a browser gets the same refusal as a page in its script
        page = c.get("/", headers={"accept-language": "zh-CN,zh;q=0.9"})
        assert page.status_code == 429 and page.headers["content-type"].startswith("text/html")
        assert "请求过于频繁" in page.text and f"{page.headers['retry-after']} 秒后再试" in page.text
        assert "content-security-policy" in page.headers
    finally:
        c.close()


def test_archive_is_opened_read_only(client, settings):
    before = settings.db_path.stat().st_mtime_ns
    client.get("/")
    client.get("/api/articles")
    store = client.app.state.archive.store()
    assert store.readonly
    assert settings.db_path.stat().st_mtime_ns == before


def test_missing_archive_is_a_503_not_a_500(tmp_path):
    from newsmirror.config import Settings

    c = make_client(Settings(tmp_path / "empty"))
    try:
        r = c.get("/api/articles")
        assert r.status_code == 503 and "not found" in r.json()["error"]
        page = c.get("/")
        assert page.status_code == 503 and "暫時無法讀取封存" in page.text
    finally:
        c.close()


def test_odd_inputs_never_give_500(client):
    for path in ["/?page=%ff", "/search?q=%ff%fe", "/search?q=%ED%A0%80", "/source/%ff", "/day/%ff", "/article/%ff",
                 "/api/articles?since=%ff", "/api/search?q=%E2%80%8B", "/api/articles/%20", "/source/", "/day/",
                 "/api/search?q=" + "%22" * 3, "/api/search?q=-", "/api/search?q=OR", "/?tz=../../etc/passwd",
                 "/api/articles?limit=99999999999999999999", "/api/articles?offset=1e9", "/%2e%2e/%2e%2e/etc/passwd"]:
        r = client.get(path)
        assert r.status_code in (200, 400, 404), (path, r.status_code, r.text[:200])


def test_extreme_days_are_400_not_500(client):
    for path in ["/day/9999-12-31", "/day/0001-01-01", "/day/9999-12-31?tz=Pacific/Kiritimati",
                 "/api/articles?since=9999-12-31", "/api/articles?until=0001-01-01",
                 "/api/search?q=a&until=9999-12-31", "/search?q=a&until=9999-12-31"]:
        r = client.get(path)
        assert r.status_code == 400, (path, r.status_code, r.text[:200])
        assert ("out of range" in r.json()["error"]) if "/api/" in path else ("超出範圍" in r.text), path
