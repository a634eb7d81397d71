"""Article rendering for people and programs: JSON fields, Markdown, Jekyll-like posts."""

from __future__ import annotations

from datetime import datetime

from newsmirror import models
from newsmirror.models import Article
from newsmirror.frontmatter import yaml_quote, yaml_scalar  # one YAML writer for every front matter

__all__ = ["FIELDS", "article_to_dict", "article_to_markdown", "format_date"]

FIELDS = ("file", "url", "kind", "title", "authors", "source", "published", "updated", "text", "html",
          "captions", "tags", "related", "images", "lang", "script", "credits", "notes")


def format_date(value: datetime | None) -> str | None:
    """ISO 8601 to the second with the UTC offset, e.g. 2025-09-04T15:10:00+08:00."""
    if value is None:
        return None
    return value.isoformat(timespec="seconds")


def article_to_dict(a: Article) -> dict:
    """The article as a JSON-ready dict with exactly FIELDS (the model's one serializer, `models.article_to_dict`)."""
    data = models.article_to_dict(a)
    return {name: data[name] for name in FIELDS}


def article_to_markdown(a: Article) -> str:
    """A Jekyll-like Markdown post: front matter (title, date, authors, source, url, tags), then the text."""
    lines = ["---", f"title: {yaml_quote(a.title)}"]
    if a.published:
        lines.append(f"date: {format_date(a.published)}")
    if a.updated:
        lines.append(f"updated: {format_date(a.updated)}")
    if a.authors:
        lines.append("authors: [" + ", ".join(yaml_quote(x) for x in a.authors) + "]")
    if a.source:
        lines.append(f"source: {yaml_quote(a.source)}")
    if a.url:
        lines.append(f"from: {yaml_scalar(a.url)}")
    if a.tags:
        lines.append("tags: [" + ", ".join(yaml_quote(t) for t in a.tags) + "]")
    if a.lang:
        lines.append(f"lang: {a.lang}")
    lines += ["---", "", f"# {a.title}" if a.title else ""]
    body = [p.strip() for p in a.text.split("\n\n") if p.strip()]
    lines += ["", *[x for p in body for x in (_escape_md(p), "")]]
    if a.captions:
        lines += [f"**{_caption_heading(a)}**", ""] + [f"- {_escape_md(c)}" for c in a.captions] + [""]
    groups: dict[str, list] = {}
    for r in a.related:
        groups.setdefault(r.group, []).append(r)
    for group, links in groups.items():
        lines += [f"## {group}", ""]
        lines += [f"- [{_escape_md(r.title)}]({r.url})" if r.url else f"- {_escape_md(r.title)}" for r in links]
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


# The captions heading in the article's own script: one language per post, never a mix.
CAPTION_HEADINGS = {"Hant": "圖說", "Hans": "图说", "zh": "圖說", "other": "Captions"}


def _caption_heading(a: Article) -> str:
    """圖說 for Traditional, 图说 for Simplified, Captions for an article not in Chinese."""
    if a.script in ("Hant", "Hans"):
        return CAPTION_HEADINGS[a.script]
    lang = (a.lang or "").lower()
    if lang.startswith("zh"):
        return CAPTION_HEADINGS["Hans" if "hans" in lang or lang in ("zh-cn", "zh-sg") else "Hant"]
    return CAPTION_HEADINGS["other"] if lang else CAPTION_HEADINGS["zh"]


def _escape_md(s: str) -> str:
    """Escape characters Markdown would read as markup at the start of a line or in links."""
    s = s.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")
    if s[:1] in "#>-+*" or s[:2].rstrip(".").isdigit() and s[1:2] == ".":
        s = "\\" + s
    return s
