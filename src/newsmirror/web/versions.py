"""What changed between two revisions of an article, for the article page.

Revisions are kept only for real edits, so every diff here is one. Texts are compared like with
like: the page bodies when both revisions have one, else the feed texts (a page body beside a
feed summary would show the page's extra paragraphs as "added" when the outlet added nothing).
Paragraphs are matched first (difflib), then a changed paragraph is compared character by
character, which suits Chinese text where a one-character edit should not mark a whole line.
The result is plain segments; the template escapes them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from difflib import SequenceMatcher

__all__ = ["Segment", "VersionDiff", "diff_texts", "diff_versions"]

_CHAR_DIFF_LIMIT = 4000  # longer paragraphs are shown as removed + added, to bound the cost


@dataclass(frozen=True)
class Segment:
    """A run of text that is "same", "del" (only in the older version) or "ins" (only in the newer)."""

    kind: str
    text: str


@dataclass(frozen=True)
class VersionDiff:
    """The change from revision `old` to revision `new` (first seen at `seen_at`): title and paragraphs."""

    old: int
    new: int
    title: tuple[Segment, ...]
    paragraphs: tuple[tuple[Segment, ...], ...]  # only the paragraphs that changed
    seen_at: datetime | None = None  # when the newer revision was first seen
    compared: str = "page"  # "page": the page bodies were compared; "feed": the feed texts

    @property
    def changed(self) -> bool:
        return any(s.kind != "same" for s in self.title) or bool(self.paragraphs)


def _chars(old: str, new: str) -> tuple[Segment, ...]:
    if old == new:
        return (Segment("same", old),) if old else ()
    if len(old) > _CHAR_DIFF_LIMIT or len(new) > _CHAR_DIFF_LIMIT:
        return tuple(s for s in (Segment("del", old), Segment("ins", new)) if s.text)
    out: list[Segment] = []
    for op, i1, i2, j1, j2 in SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(Segment("same", old[i1:i2]))
        else:
            if i2 > i1:
                out.append(Segment("del", old[i1:i2]))
            if j2 > j1:
                out.append(Segment("ins", new[j1:j2]))
    return tuple(out)


def _paragraphs(text: str) -> list[str]:
    return [p.strip() for p in text.replace("\r\n", "\n").split("\n") if p.strip()]


def diff_texts(old: str, new: str) -> tuple[tuple[Segment, ...], ...]:
    """The changed paragraphs between two texts, each as segments (unchanged paragraphs left out)."""
    a, b = _paragraphs(old), _paragraphs(new)
    changed: list[tuple[Segment, ...]] = []
    for op, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            continue
        olds, news = a[i1:i2], b[j1:j2]
        for k in range(max(len(olds), len(news))):
            o = olds[k] if k < len(olds) else ""
            n = news[k] if k < len(news) else ""
            changed.append(_chars(o, n))
    return tuple(changed)


def diff_versions(versions: list) -> list[VersionDiff]:
    """Diffs between consecutive revisions (ArticleVersion objects, oldest first), newest change first."""
    out = []
    for older, newer in zip(versions, versions[1:]):
        pages = older.page_seen is not None and newer.page_seen is not None
        paragraphs = diff_texts(older.text, newer.text) if pages else ()
        if not paragraphs:  # no page bodies to compare, or the edit was in the feed's text only
            pages, paragraphs = False, diff_texts(older.feed_text, newer.feed_text)
        out.append(
            VersionDiff(
                old=older.version,
                new=newer.version,
                title=_chars(older.title, newer.title),
                paragraphs=paragraphs,
                seen_at=newer.seen_at,
                compared="page" if pages else "feed",
            )
        )
    out.reverse()
    return out
