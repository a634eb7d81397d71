"""Snippets and highlighting: the query's spellings marked in the article's own script.

Matching runs on folded text (`chinese.fold_aligned`) and the marks are mapped back to the original
characters, so a search for 习近平 marks 習近平 in a Traditional article. Output is HTML-escaped
text whose only tags are <mark>.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable

from newsmirror.chinese import fold_aligned

__all__ = ["SNIPPET_WIDTH", "highlight", "make_snippet"]

SNIPPET_WIDTH = 120


def _spans(text: str, regex: re.Pattern | None) -> tuple[list[tuple[int, int]], Callable[[int], int], Callable[[int], int]]:
    """Match spans of `regex` on the folded text, and maps from folded to original positions."""
    folded, origin = fold_aligned(text)
    if origin is None:
        start_of = end_of = lambda i: i
    else:
        start_of = lambda i: origin[i] if i < len(origin) else len(text)
        end_of = lambda j: origin[j - 1] + 1 if j > 0 else 0
    spans = [(m.start(), m.end()) for m in regex.finditer(folded) if m.end() > m.start()] if regex else []
    return [(start_of(a), end_of(b)) for a, b in spans], start_of, end_of


def _marked(text: str, spans: list[tuple[int, int]], start: int, end: int) -> str:
    out: list[str] = []
    pos = start
    for a, b in spans:
        if b <= pos or a >= end:
            continue
        a, b = max(a, pos), min(b, end)
        out.append(html.escape(text[pos:a]))
        out.append("<mark>" + html.escape(text[a:b]) + "</mark>")
        pos = b
    out.append(html.escape(text[pos:end]))
    return "".join(out)


def highlight(text: str, regex: re.Pattern | None) -> str:
    """`text` HTML-escaped, with <mark> around every match of the query's spellings."""
    spans, _, _ = _spans(text, regex)
    return _marked(text, spans, 0, len(text))


def make_snippet(text: str, regex: re.Pattern | None, width: int = SNIPPET_WIDTH) -> str:
    """About `width` characters of `text` around its first match, escaped, matches in <mark>."""
    text = " ".join(text.split())
    spans, _, _ = _spans(text, regex)
    if not spans:
        return html.escape(text[:width]) + ("…" if len(text) > width else "")
    first = spans[0][0]
    start = max(0, first - width // 3)
    end = min(len(text), start + width)
    start = max(0, end - width)
    return ("…" if start > 0 else "") + _marked(text, spans, start, end) + ("…" if end < len(text) else "")
