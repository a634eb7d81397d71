"""Stories as readers and programs see them: the one JSON form, and search hits grouped by story."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta, tzinfo
from enum import StrEnum
from typing import Any

from newsmirror.chinese import Script, detect_script
from newsmirror.models import Story, StoryArticle

__all__ = ["Role", "TimelineEntry", "outlet_firsts", "span", "story_note", "story_to_dict", "timeline"]


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


class Role(StrEnum):
    """What an article is within its story's timeline."""

    FIRST = "first"  # the story's earliest report
    REPORT = "report"  # an outlet's own text
    REPRINT = "reprint"  # a copy of another outlet's text
    SCRIPT = "script"  # the same text in the other script
    UPDATE = "update"  # the same outlet's text again, lightly changed


@dataclass(frozen=True)
class TimelineEntry:
    """One article on a story's timeline: its role, the original it copies, how long after the first report."""

    article: StoryArticle
    role: Role
    original: StoryArticle | None
    after: timedelta
    script: Script | None  # the script its title is written in


def timeline(story: Story, *, detect: Callable[[str], Script | None] = detect_script) -> list[TimelineEntry]:
    """The story's articles in time order with what each is (first report, own report, reprint, script
    version, update) and the original a copy copies."""
    first = story.articles[0]
    scripts = {a.id: detect(a.title) for a in story.articles}
    out = []
    for a in story.articles:
        original = story.article(a.copy_of) if a.copy_of is not None else None
        if a.copy_of is None:
            role = Role.FIRST if a is first else Role.REPORT
        elif original is not None and scripts[a.id] and scripts[original.id] and scripts[a.id] != scripts[original.id]:
            role = Role.SCRIPT
        elif original is not None and original.source == a.source:
            role = Role.UPDATE
        else:
            role = Role.REPRINT
        out.append(TimelineEntry(a, role, original, a.published - first.published, scripts[a.id]))
    return out


def outlet_firsts(story: Story) -> list[tuple[str, StoryArticle, int]]:
    """Each outlet with its first article of the story and how many it published, in the order they reported."""
    counts: dict[str, int] = {}
    firsts: dict[str, StoryArticle] = {}
    for a in story.articles:
        counts[a.source] = counts.get(a.source, 0) + 1
        firsts.setdefault(a.source, a)
    return [(name, firsts[name], counts[name]) for name in firsts]


def story_note(store, article_id: int) -> dict[str, Any] | None:
    """What an article's page says about its story: the story (its size, outlets, first report) and the
    original this article copies; None when the article is its story's only one (or not placed yet)."""
    story_id = store.story_ids([article_id]).get(article_id)
    stories = store.stories(ids=[story_id], min_articles=2) if story_id is not None else []
    if not stories:
        return None
    story = stories[0]
    me = story.article(article_id)
    return {"story": story, "first": story.articles[0],
            "original": story.article(me.copy_of) if me is not None and me.copy_of is not None else None}


def span(delta: timedelta) -> str:
    """A time span in a reader's words: 3 天 2 小時, 1 小時 5 分, 12 分; "" under a minute."""
    minutes = int(delta.total_seconds() // 60)
    days, hours, mins = minutes // 1440, minutes % 1440 // 60, minutes % 60
    if days:
        return f"{days} 天" + (f" {hours} 小時" if hours else "")
    if hours:
        return f"{hours} 小時" + (f" {mins} 分" if mins else "")
    return f"{mins} 分" if mins else ""
