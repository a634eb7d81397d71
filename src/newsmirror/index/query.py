"""The search box's little language, parsed into a `Query` the index can run.

    習近平 訪問              both terms first, then articles holding one (index.ranking)
    "习近平 访问"            a phrase: the words adjacent, in this order (also “…” and 「…」)
    川普 OR 拜登 關稅        (川普 OR 拜登), 關稅: OR joins the terms on either side into one
    -台北  -"新北市"          leave out articles with the term or phrase
    source:中央社  source:"(臺)中央社CNA"    only this outlet (several: any of them)
    since:2024-01-01 until:2024-12-31        published on or after / on or before (UTC days)

Unbalanced quotes, a lone OR, bad dates, more than 500 characters, and a query with nothing to
look for (empty, only exclusions or only filters) raise QueryError with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from newsmirror.errors import QueryError

__all__ = ["MAX_QUERY_LENGTH", "Query", "Term", "parse_query"]

MAX_QUERY_LENGTH = 500
_QUOTES = {'"': '"', "\u201c": "\u201d", "\u300c": "\u300d", "\u300e": "\u300f"}
_FILTERS = ("source:", "since:", "until:")


@dataclass(frozen=True)
class Term:
    """One thing to look for, as typed: a word or a quoted phrase."""

    text: str
    phrase: bool = False


@dataclass(frozen=True)
class Query:
    """A parsed query: an AND of OR-groups of terms, exclusions and filters."""

    text: str
    groups: tuple[tuple[Term, ...], ...] = ()
    exclude: tuple[Term, ...] = ()
    sources: tuple[str, ...] = ()
    since: date | None = None
    until: date | None = None

    @property
    def terms(self) -> tuple[Term, ...]:
        """Every positive term, in the order typed."""
        return tuple(t for g in self.groups for t in g)


def _read_quoted(q: str, i: int) -> tuple[str, int]:
    """The text inside the quote opening at q[i], and the index after its closing quote."""
    close = _QUOTES[q[i]]
    end = q.find(close, i + 1)
    if end < 0:
        raise QueryError(f"unbalanced quote in query {q!r}: add the closing {close}",
                         zh=f"搜尋字詞的引號沒有成對：請補上 {close}")
    return q[i + 1 : end], end + 1


def _read_word(q: str, i: int) -> tuple[str, int]:
    j = i
    while j < len(q) and not q[j].isspace() and q[j] not in _QUOTES:
        j += 1
    return q[i:j], j


def _parse_date(value: str, name: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise QueryError(f"{name}:{value} is not a date; write {name}:YYYY-MM-DD, e.g. {name}:2024-05-20",
                         zh=f"{name}:{value} 不是日期；請寫成 {name}:YYYY-MM-DD，例如 {name}:2024-05-20") from None


def parse_query(q: str) -> Query:
    """Parse the search box text; raise QueryError naming what to fix."""
    if q is None or not q.strip():
        raise QueryError("empty query: type a word to search for", zh="搜尋字詞是空的；請輸入要找的字詞")
    if len(q) > MAX_QUERY_LENGTH:
        raise QueryError(f"query is {len(q)} characters long; the limit is {MAX_QUERY_LENGTH}",
                         zh=f"搜尋字詞有 {len(q)} 個字，最多 {MAX_QUERY_LENGTH} 個")
    groups: list[list[Term]] = []
    exclude: list[Term] = []
    sources: list[str] = []
    since = until = None
    pending_or = False
    i, n = 0, len(q)
    while i < n:
        ch = q[i]
        if ch.isspace():
            i += 1
            continue
        negate = ch in "-\uff0d" and i + 1 < n and not q[i + 1].isspace()
        if negate:
            i += 1
        lowered = q[i : i + 7].lower()
        kind = next((f for f in _FILTERS if lowered.startswith(f)), None)
        if kind and not negate:
            i += len(kind)
            if i < n and q[i] in _QUOTES:
                value, i = _read_quoted(q, i)
            else:
                value, i = _read_word(q, i)
            value = value.strip()
            if not value:
                raise QueryError(f"{kind} needs a value, e.g. {kind}2024-05-20" if kind != "source:" else
                                 "source: needs an outlet name, e.g. source:中央社",
                                 zh=f"{kind} 後面要寫日期，例如 {kind}2024-05-20" if kind != "source:" else
                                 "source: 後面要寫來源名稱，例如 source:中央社")
            if kind == "source:":
                sources.append(value)
            elif kind == "since:":
                since = _parse_date(value, "since")
            else:
                until = _parse_date(value, "until")
            continue
        if q[i] in _QUOTES:
            text, i = _read_quoted(q, i)
            term = Term(" ".join(text.split()), phrase=True)
        else:
            text, i = _read_word(q, i)
            if text == "OR" and not negate:
                if not groups or pending_or:
                    raise QueryError(f"OR in query {q!r} needs a term on both sides", zh="OR 的前後都要有字詞")
                pending_or = True
                continue
            term = Term(text)
        if not term.text:  # `""`: nothing to look for; an OR before it still waits for its term
            continue
        if negate:
            if pending_or:
                raise QueryError(f"OR in query {q!r} cannot join an exclusion (-{term.text})",
                                 zh=f"OR 不能連接排除的字詞（-{term.text}）")
            exclude.append(term)
        elif pending_or:
            groups[-1].append(term)
        else:
            groups.append([term])
        pending_or = False
    if pending_or:
        raise QueryError(f"OR in query {q!r} needs a term on both sides", zh="OR 的前後都要有字詞")
    if since and until and since > until:
        raise QueryError(f"since:{since} is after until:{until}; swap the dates",
                         zh=f"since:{since} 晚於 until:{until}；請對調兩個日期")
    if not groups:
        if exclude:
            raise QueryError("query has only exclusions; add a word to search for",
                             zh="搜尋字詞只有要排除的字；請加上要找的字詞")
        raise QueryError("query has only filters; add a word to search for", zh="搜尋字詞只有篩選條件；請加上要找的字詞")
    return Query(
        text=q.strip(),
        groups=tuple(tuple(g) for g in groups),
        exclude=tuple(exclude),
        sources=tuple(dict.fromkeys(sources)),
        since=since,
        until=until,
    )
