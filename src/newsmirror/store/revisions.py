"""When two captures of an article hold the same content, and how old versions fold into revisions.

The archive tells three things apart:

- representations: the feed's text and the page's extracted text, each taken at some moment;
- re-extraction: the same raw bytes read again by a better extractor;
- revisions: the outlet changed the article.

Only a revision is an edit. Captures are compared like with like (feed text with feed text,
page text with page text) by `text_key`, a hash of the normalized title and text:

1. Unicode NFKC, so full-width letters, digits and punctuation equal their usual forms;
2. URLs written in the text are canonicalised (tracking parameters such as ``utm_source`` dropped);
3. short lines that are widget furniture are dropped: an ad label, a bare date or time, a
   "3 分鐘前" or "更新時間：2025-09-10 14:32", a view counter (`furniture.WIDGET_LINES`);
4. every whitespace character is dropped (a moved line break or an added space is not an edit);
5. case is folded.

Attributes (their order, tracking parameters in links) never reach the text, so they never count.

`plan_revisions` decides, for the versions a schema-2 archive stored, which were real edits; the
migration to schema 3 uses it.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from newsmirror.chinese import half_width
from newsmirror.furniture import WIDGET_LINE, WIDGET_MAX
from newsmirror.store.keys import canonical_url

__all__ = ["normalize_text", "text_key", "OldVersion", "PlannedRevision", "plan_revisions"]

# An http(s) URL written in the text: https://example.org/a?id=5&utm_source=rss
_URL = re.compile(r"https?://[^\s<>\"'，。、）)]+")
_SPACE = re.compile(r"\s+")


def normalize_text(text: str) -> str:
    """The text as `text_key` compares it (see the module docstring)."""
    # NFKC. Chinese text is rarely NFKC-stable only because of its full-width punctuation, which
    # half_width maps as NFKC would: after it, most texts pass the quick check and skip the slow path.
    text = half_width(text or "")
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    if "http" in text:
        text = _URL.sub(lambda m: canonical_url(m.group(0)), text)
    lines = []
    for line in text.splitlines():
        line = line.strip()
        if not line or (len(line) <= WIDGET_MAX and WIDGET_LINE.fullmatch(line)):
            continue
        lines.append(line)
    return _SPACE.sub("", "".join(lines)).casefold()


def text_key(title: str, text: str) -> str:
    """A hash of the normalized title and text: equal keys mean the same content."""
    basis = normalize_text(title) + "\x00" + normalize_text(text)
    return hashlib.sha256(basis.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True)
class OldVersion:
    """One row of a schema-2 `versions` table (feed text, or page text with the feed's beside it)."""

    version: int
    seen_at: str
    title: str
    feed_html: str
    html: str
    text: str
    summary: str | None
    raw_ref: str | None
    extracted: str | None  # models.Article as JSON: set only on versions made from a page

    @property
    def is_page(self) -> bool:
        return self.extracted is not None

    @property
    def feed_text(self) -> str:
        """The feed's plain text of this row: the body of a feed row, the kept summary of a page row."""
        return self.text if not self.is_page else (self.summary if self.summary is not None else self.text)

    def page_title(self) -> str:
        try:
            return str(json.loads(self.extracted or "{}").get("title") or "")
        except (ValueError, AttributeError):
            return ""


@dataclass(frozen=True)
class PlannedRevision:
    """One revision made of old versions: which row gives its body, which its feed text, which were folded."""

    revision: int
    first_seen: str
    body: OldVersion  # the newest page row of the revision, else its first feed row
    feed: OldVersion  # the row whose feed text opened the revision
    feed_key: str
    page_key: str | None
    folded: tuple[OldVersion, ...]  # every other row of the revision, kept as it was


def plan_revisions(rows: Sequence[OldVersion]) -> list[PlannedRevision]:
    """Group an article's old versions (oldest first) into revisions, comparing like with like.

    A feed row opens a revision when its normalized text differs from the revision's feed text;
    a page row fills a revision that has no page text yet, folds when its normalized text is the
    same or it re-reads a raw response the revision already used (re-extraction), and opens a
    revision otherwise."""
    groups: list[dict] = []
    for row in rows:
        cur = groups[-1] if groups else None
        if not row.is_page:
            fkey = text_key(row.title, row.feed_text)
            if cur is not None and fkey == cur["feed_key"]:
                cur["rows"].append(row)
                continue
            groups.append({"rows": [row], "feed": row, "feed_key": fkey, "page": None, "page_key": None,
                           "refs": set()})
            continue
        pkey = text_key(row.page_title(), row.text)
        if cur is None:  # a page row first (not written by schema 2, but be safe)
            groups.append({"rows": [row], "feed": row, "feed_key": text_key(row.title, row.feed_text),
                           "page": row, "page_key": pkey, "refs": {row.raw_ref}})
            continue
        reread = row.raw_ref is not None and row.raw_ref in cur["refs"]
        if cur["page"] is None or pkey == cur["page_key"] or reread:
            cur["rows"].append(row)
            cur["page"], cur["page_key"] = row, pkey
            cur["refs"].add(row.raw_ref)
            continue
        groups.append({"rows": [row], "feed": cur["feed"], "feed_key": cur["feed_key"], "page": row,
                       "page_key": pkey, "refs": {row.raw_ref}})
    plan = []
    for number, g in enumerate(groups, 1):
        body = g["page"] or g["rows"][0]
        plan.append(PlannedRevision(
            revision=number, first_seen=g["rows"][0].seen_at, body=body, feed=g["feed"], feed_key=g["feed_key"],
            page_key=g["page_key"], folded=tuple(r for r in g["rows"] if r is not body),
        ))
    return plan
