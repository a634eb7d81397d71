"""Read a labelled story set (../shared/stories/set-*.jsonl) into a real archive, as feeds would have."""

from __future__ import annotations

import html
import json
from datetime import datetime
from pathlib import Path

from newsmirror.models import FeedItem


def read_set(path: Path) -> list[dict]:
    """The set's articles, one dict a line."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def save_set(store, articles: list[dict], *, order: str = "published") -> dict[str, int]:
    """Store the articles (in published order, or in the set's order) and return their article ids by set id."""
    if order == "published":
        articles = sorted(articles, key=lambda a: (datetime.fromisoformat(a["published"]), a["id"]))
    ids = {}
    for a in articles:
        published = datetime.fromisoformat(a["published"])
        body_html = "".join(f"<p>{html.escape(p)}</p>" for p in a["body"].split("\n\n"))
        item = FeedItem(source=a["outlet"], feed_url=f"https://{a['outlet']}.example/rss", title=a["title"],
                        link=a["url"], guid=a["id"], published=published, content_html=body_html)
        ids[a["id"]] = store.save_item(item, html=body_html, text=a["body"], seen_at=published).article_id
    return ids
