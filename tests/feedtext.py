"""Small RSS/Atom builders for tests: every feed a test uses is written here, by us."""

from __future__ import annotations

from xml.sax.saxutils import escape


def rss(items: list[dict], *, title: str = "示範新聞", encoding: str = "utf-8", declare: bool = True) -> bytes:
    """An RSS 2.0 feed; items are dicts with title, link, guid, date (RFC 822), description, content."""
    parts = [f'<?xml version="1.0" encoding="{encoding}"?>\n' if declare else "",
             '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>',
             f"<title>{escape(title)}</title><link>http://127.0.0.1/</link><description>test</description>"]
    for it in items:
        parts.append("<item>")
        parts.append(f"<title>{escape(it['title'])}</title>")
        if it.get("link"):
            parts.append(f"<link>{escape(it['link'])}</link>")
        if it.get("guid"):
            parts.append(f'<guid isPermaLink="false">{escape(it["guid"])}</guid>')
        if it.get("date"):
            parts.append(f"<pubDate>{it['date']}</pubDate>")
        if it.get("author"):
            parts.append(f"<author>{escape(it['author'])}</author>")
        if it.get("description") is not None:
            parts.append(f"<description>{escape(it['description'])}</description>")
        if it.get("content"):
            parts.append(f"<content:encoded><![CDATA[{it['content']}]]></content:encoded>")
        parts.append("</item>")
    parts.append("</channel></rss>")
    return "".join(parts).encode(encoding)


def item(n: int, base: str, *, prefix: str = "新聞", body: str | None = None, **extra) -> dict:
    """A plausible item number n with a unique link under base."""
    text = body or f"<p>這是第{n}則測試新聞的內文，記者在台北報導相關消息。</p><p>第二段說明事件的後續發展。</p>"
    d = {
        "title": f"{prefix}標題第{n}則",
        "link": f"{base}/news/{n}.html",
        "guid": f"{base}/news/{n}",
        "date": f"Mon, 11 Sep 2023 {n % 24:02d}:{n % 60:02d}:00 +0800",
        "description": text,
        "content": text,
    }
    d.update(extra)
    return d
