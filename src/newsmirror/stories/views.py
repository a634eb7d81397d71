"""Stories as readers and programs see them: the one JSON form, and search hits grouped by story."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta, tzinfo
from enum import StrEnum
import math
from typing import Any

from newsmirror.chinese import Script, detect_script
from newsmirror.models import SearchHit, Story, StoryArticle

__all__ = ["EXPAND", "Role", "StoryHit", "TimelineEntry", "group_hits", "member_filter", "outlet_firsts", "span",
           "story_note", "story_to_dict", "timeline"]

EXPAND = 30  # at most this many of a story's other articles follow its best hit (its page lists them all)
COVERAGE_POWER = 0.5  # how much a story's share of articles holding the query's terms counts
SIZE_BONUS = 0.2  # how much the number of its articles holding them counts (logarithmically)


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


def story_note(store, article_id: int, story_id: int | None = None) -> dict[str, Any] | None:
    """What an article's page says about its story: the story (its size, outlets, first report) and the
    original this article copies; None when the article is its story's only one (or not placed yet).
    `story_id`: the article's story when the caller already read it (`Store.story_ids`)."""
    if story_id is None:
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


@dataclass(frozen=True)
class StoryHit:
    """One line of search results grouped by story: a hit, or another article of a hit's story."""

    hit: SearchHit
    story: int | None  # None: not placed yet
    matched: bool  # False: pulled in by its story, not found by the query itself
    size: int  # how many articles the story has
    outlets: tuple[str, ...]  # the story's outlets, in the order they reported


def group_hits(hits: list[SearchHit], store, *, expand: int = EXPAND,
               keep: Callable[[list[StoryArticle]], list[StoryArticle]] | None = None) -> list[list[StoryHit]]:
    """Hits grouped by story: the story's matching articles in rank order, then (at most `expand` of) its
    other articles in time order, marked not matched. `keep` chooses which other articles may be shown
    (those within the query's sources, dates and exclusions).

    Stories come in the order of the most query terms one of their articles holds (the tier), then of
    their best article's score, times the square root of the share of the story's articles that hold
    that many terms, times 1 + 0.2 ln(how many do): a story that many outlets reported in the query's
    words comes before one article that shares them in passing (the same leaders at another event), and
    a story that mentions them in one of eight articles after a story that is about them."""
    story_of = store.story_ids([h.id for h in hits])
    stories = {s.id: s for s in store.stories(ids=sorted(set(story_of.values())))} if story_of else {}
    groups: dict[object, list[StoryHit]] = {}
    for hit in hits:
        sid = story_of.get(hit.id)
        story = stories.get(sid) if sid is not None else None
        key = sid if story is not None else ("article", hit.id)
        size, outlets = (len(story.articles), story.outlets) if story is not None else (1, (hit.source,))
        groups.setdefault(key, []).append(StoryHit(hit, sid, True, size, outlets))
    def rank(item: tuple[int, tuple[object, list[StoryHit]]]) -> tuple[float, ...]:
        first, (_, lines) = item
        best = max(line.hit.extra.get("held", 0) for line in lines)
        scores = [line.hit.score for line in lines if line.hit.extra.get("held", 0) == best]
        coverage = len(scores) / lines[0].size
        return (-best, -max(scores) * coverage ** COVERAGE_POWER * (1 + SIZE_BONUS * math.log(len(scores))), first)

    out = []
    for _, (key, lines) in sorted(enumerate(groups.items()), key=rank):
        story = stories.get(key) if isinstance(key, int) else None
        if story is not None:
            found = {line.hit.id for line in lines}
            others = [a for a in story.articles if a.id not in found]
            others = (keep(others) if keep is not None and others else others)[:expand]
            lines = lines + [StoryHit(SearchHit(id=a.id, title=a.title, source=a.source, published=a.published,
                                                url=a.url, snippet="", score=0.0), story.id, False,
                                      len(story.articles), story.outlets) for a in others]
        out.append(lines)
    return out


def member_filter(*, sources: set[str] | None, since: date | None, until: date | None,
                  zone: Callable[[str], tzinfo],
                  excluded: Callable[[list[int]], set[int]]) -> Callable[[list[StoryArticle]], list[StoryArticle]]:
    """Which of a story's other articles a search may show: of the query's sources, published on its days
    (as shown, in `zone(source)`), holding none of its excluded terms (`excluded(ids)` names those that do)."""
    def keep(articles: list[StoryArticle]) -> list[StoryArticle]:
        def day(a: StoryArticle) -> date:
            return a.published.astimezone(zone(a.source)).date()

        chosen = [a for a in articles if (sources is None or a.source in sources)
                  and (since is None or day(a) >= since) and (until is None or day(a) <= until)]
        dropped = excluded([a.id for a in chosen]) if chosen else set()
        return [a for a in chosen if a.id not in dropped]

    return keep
