"""Test data for the static site, feeds and exports: a real archive of fictional articles (our own text).

Outlets spell Putin three ways in two scripts, one outlet has enough articles to page, one has a
slash in its name, one carries XSS in its name, title, body, link and byline, and one article has
two revisions.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from newsmirror.models import FeedItem
from newsmirror.sanitize import html_to_text, sanitize_html
from newsmirror.store import open_store

T0 = datetime(2024, 5, 1, 2, 0, tzinfo=UTC)
CNA = "(臺)中央社CNA"
UDN = "聯合報"
XINHUA = "新华社"
SLASHED = "BBC/中文"
XSS_SOURCE = '<script>alert("src")</script>社'
XSS_TITLE = '<img src=x onerror=alert(1)>惡意標題'
XSS_BODY = ('<p>正文段落</p><script>alert(2)</script><a href="javascript:alert(3)">點我</a>'
            '<img src=x onerror=alert(4)><p onclick="alert(5)">第二段</p>')
XSS_LINK = 'https://evil.example/a?x="><script>alert(6)</script>'
MANY = 64  # 聯合報 typhoon stories: more than one list page (50)


def save(store, source: str, key: str, title: str, html: str, when: datetime, *, link: str | None = None,
         authors: tuple[str, ...] = (), categories: tuple[str, ...] = (), raw: bool = False):
    """Store one feed item as the pipeline would (sanitized HTML and its text)."""
    link = link or f"https://news.example/{abs(hash(source)) % 1000}/{key}"
    clean = html if raw else sanitize_html(html, base_url=link)
    item = FeedItem(source=source, feed_url=f"https://news.example/{abs(hash(source)) % 1000}/rss", title=title,
                    link=link, guid=link, published=when, authors=authors, categories=categories)
    return store.save_item(item, html=clean, text=html_to_text(clean), seen_at=when + timedelta(minutes=7))


def fill(db: Path) -> dict[str, int]:
    """Write the test archive at `db`; the ids tests refer to by name."""
    ids: dict[str, int] = {}
    store = open_store(db)
    try:
        ids["cna"] = save(store, CNA, "putin", "傳金正恩將與蒲亭會面", "<p>北韓領導人金正恩與俄國總統蒲亭會面。</p>",
                          T0, authors=("廖記者",), categories=("國際",)).article_id
        ids["udn"] = save(store, UDN, "putin", "普亭會見金正恩", "<p>俄羅斯總統普亭在海參崴會見金正恩。</p>",
                          T0 + timedelta(hours=1)).article_id
        ids["xinhua"] = save(store, XINHUA, "putin", "普京同金正恩举行会谈", "<p>国家主席普京同朝鲜领导人举行会谈，发展经济。</p>",
                             T0 + timedelta(hours=2)).article_id
        ids["bbc"] = save(store, SLASHED, "other", "議會辯論預算", "<p>預算案今日辯論。</p>",
                          T0 + timedelta(hours=3)).article_id
        ids["xss"] = save(store, XSS_SOURCE, "x", XSS_TITLE, XSS_BODY, T0 + timedelta(hours=4), link=XSS_LINK,
                          authors=("<b>作者</b>",), raw=True).article_id
        for i in range(MANY):
            out = save(store, UDN, f"typhoon{i}", f"颱風消息第{i}則", f"<p>中央氣象署發布颱風警報，第{i}則。</p>",
                       T0 + timedelta(days=1, hours=i))
            ids.setdefault("typhoon0", out.article_id)
            ids["typhoon_last"] = out.article_id
        ids["law"] = save(store, UDN, "law", "立法院三讀通過", "<p>立法院今日三讀通過法案。</p>",
                          T0 + timedelta(days=5)).article_id
        save(store, UDN, "law", "立法院三讀通過修正案", "<p>立法院今日三讀通過修正法案。</p><p>新增一段。</p>",
             T0 + timedelta(days=5, hours=6))
    finally:
        store.close()
    return ids


__all__ = ["fill", "save", "T0", "CNA", "UDN", "XINHUA", "SLASHED", "XSS_SOURCE", "XSS_TITLE", "MANY"]
