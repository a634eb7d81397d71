"""Stories as readers and programs see them: the one JSON form, and search hits grouped by story."""

from __future__ import annotations

from collections.abc import Callable
from datetime import tzinfo
from typing import Any

from newsmirror.models import Story

__all__ = ["story_to_dict"]


def story_to_dict(story: Story, *, zone: Callable[[str], tzinfo], text: Callable[[str], str] = str) -> dict[str, Any]:
    """The one JSON form of a story (`stories --json`, the API): id, title, first and last published,
    outlets, and its articles in time order, each with the URL of the original it copies (or null).

    `zone(source)` is the timezone an outlet's times are shown in; `text` converts titles (the
    reader's script)."""
    def when(article) -> str:
        return article.published.astimezone(zone(article.source)).isoformat()

    return {
        "id": story.id,
        "title": text(story.title),
        "first_published": when(story.articles[0]),
        "last_published": when(story.articles[-1]),
        "outlets": list(story.outlets),
        "articles": [
            {"id": a.id, "url": a.url, "source": a.source, "title": text(a.title), "published": when(a),
             "copy_of": a.copy_of_url if a.copy_of is not None else None}
            for a in story.articles
        ],
    }
