"""Ranked retrieval: the articles that hold every term first, then those that hold most of them.

A query is planned into units, each one thing a hit may hold:
- a typed word with its alias spellings (普京 = 普亭 = 蒲亭 = Putin), a quoted phrase, an OR group;
- an unspaced word of three or more characters that is not a listed name is segmented with jieba into
  its words (花莲地震 -> 花莲, 地震; 東方太空發射場 -> 东方, 太空, 发射场), each a unit, so the words
  need not stand side by side and a text may say 航天 where the query says 太空;
- a lone CJK character (的, 是, 不) is a filter every hit must hold, never counted: one character
  says too little to rank by.

With k units the hits come in tiers: those holding all k, then k-1, ... down to half of them (at least
one, `least`); within a tier by BM25 with the title weighted (`fts.TITLE_WEIGHT`) times freshness.
`at_least(plan, m)` is the FTS5 expression of the articles holding m or more units. The top tier,
at_least(k), is ranked among its own newest matches. The tiers below it are read together, and only
when the top tier cannot fill the page: the newest matches of at_least(least) are ranked by one bm25(),
and each is given its tier by the range reads of at_least(least+1) ... at_least(k) (with two or three
units there is one such tier: SQL ranks it, leaving out the top tier's rows). bm25() adds up the
phrases of the branches that match a row, so at_least(least) scores a row holding m units as its own tier
expression ("these units and none of the others") would, times `bm25_share(m, least)`. The point is cost:
bm25() reads every phrase of its expression over the whole archive once per query, and one expression
per tier names each phrase in every choice of m units (40 phrases for four units, against 12 here). The
total counts at_least(least), up to COUNT_CAP. Exclusions, `source:` and since:/until: apply to every tier.

A very common character beside a word (的 经济, 是 政府, 了 台湾) is checked against the `common` bit
masks each article carries in the index (its COMMON_CHARS, `common_chars.txt`: four integers of 63 bits)
instead of the FTS5 prefix query `的*`, which merges the doclists of every bigram starting with the
character over the whole archive (a second and more at a million articles); a rarer character takes the
prefix query, which is cheap for it.
"""

from __future__ import annotations

import itertools
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

__all__ = ["COMMON_CHARS_FILE", "MASK_WORDS", "Plan", "Unit", "at_least", "bm25_share", "common_chars", "common_mask",
           "tiers_below"]

COMMON_CHARS_FILE = Path(__file__).with_name("common_chars.txt")
MAX_UNITS = 8  # more units than this: tiers below all-of-them are not formed (the combinations explode)
MASK_WORDS = 4  # integers of 63 bits in an article's common-character mask (the index's docs.common*)
_WORD_BITS = 63  # bits 0..62: SQLite integers are signed


@lru_cache(maxsize=1)
def common_chars() -> dict[str, int]:
    """The commonest characters and their bit in an article's common-character mask (0 .. 251)."""
    chars = "".join(line.strip() for line in COMMON_CHARS_FILE.read_text(encoding="utf-8").splitlines()
                    if line.strip() and not line.startswith("#"))
    return {ch: i for i, ch in enumerate(chars[: MASK_WORDS * _WORD_BITS])}


def common_mask(folded: str) -> tuple[int, ...]:
    """The bits of the common characters `folded` text holds: MASK_WORDS integers of 63 bits."""
    bits = common_chars()
    words = [0] * MASK_WORDS
    for ch in set(folded) & bits.keys():
        words[bits[ch] // _WORD_BITS] |= 1 << (bits[ch] % _WORD_BITS)
    return tuple(words)


@dataclass(frozen=True)
class Unit:
    """One thing a hit may hold, as an FTS5 expression over title and body (alias spellings OR'ed)."""

    expr: str
    text: str  # as typed, for messages and tests


@dataclass(frozen=True)
class Plan:
    """A query planned for tiers: counted units, character filters, and what applies to every tier."""

    units: tuple[Unit, ...]
    chars: tuple[str, ...]  # folded one-character filters
    mask: tuple[int, ...]  # the common-character bits every hit must have (`common_mask` of the filters)
    rare_chars: tuple[str, ...]  # characters without a bit: FTS5 prefix phrases every hit must match
    sources: str  # `src : (...)` or ""
    excluded: str  # the OR of excluded terms' expressions, or ""
    patterns: tuple[str, ...]  # regexes highlighting the terms in snippets

    @property
    def least(self) -> int:
        """The fewest units a hit must hold: half of them, at least one."""
        return max(1, math.ceil(len(self.units) / 2)) if self.units else 0


# A token the `src` column could hold (`s12`, or the prefix `s`/`s1` of one): only then does an expression need
# the column filter `{title body} :`, which costs 10-20% of a statement (FTS5 checks every position's column).
_SOURCE_TOKEN = re.compile(r'(?<=[" ])s[0-9]*(?=[" ])')


def _in_text(expr: str) -> str:
    """`expr` limited to the title and body: as it is when none of its tokens can be a `src` token."""
    return f"{{title body}} : ({expr})" if _SOURCE_TOKEN.search(f" {expr} ") else f"({expr})"


def _wrap(plan: Plan, body: str, *, filters: bool = True) -> str:
    """The full expression of one body: the character filters, sources and exclusions added (only the
    sources when not `filters`: enough to tell apart rows that passed the others already)."""
    parts = [_in_text(body)] if body else []
    parts += [f'("{ch}" *)' for ch in plan.rare_chars] if filters else []
    expr = " AND ".join(parts)
    if plan.sources:
        expr = f"({expr}) AND {plan.sources}" if expr else plan.sources
    if plan.excluded and filters:
        expr = f"({expr}) NOT {_in_text(plan.excluded)}"
    return expr


def _cost(unit: str) -> int:
    """A unit's rough cost to evaluate: its tokens (every spelling's bigrams)."""
    return sum(1 for token in unit.split() if token not in ("OR", "AND"))


def _some(units: list[str], m: int) -> str:
    """At least `m` of `units` held, each unit named as few times as the recursion allows:
    some(m, [u, rest...]) = (u AND some(m-1, rest)) OR some(m, rest), so the first unit is named once
    (the costliest goes first); 4 phrases for 2 of 3 units against 6 in the OR over every choice."""
    if m <= 1:
        return units[0] if len(units) == 1 else "(" + " OR ".join(units) + ")"
    if m >= len(units):
        return "(" + " AND ".join(units) + ")"
    return f"(({units[0]} AND {_some(units[1:], m - 1)}) OR {_some(units[1:], m)})"


def at_least(plan: Plan, m: int, *, filters: bool = True, shares: bool = False) -> str:
    """Articles holding at least `m` of the units.

    m = all units is the top tier; m = 1 the OR of the units, each phrase once. With `shares`, the OR over every
    choice of m units of their AND: then bm25() counts each unit of a row holding h units bm25_share(h, m) times.
    Without it (counting, or ranking rows that hold exactly m units: each held unit counted once either way)
    the recursive form of `_some`, cheaper to match and to score."""
    units = [f"({u.expr})" for u in plan.units]
    if not units:
        return _wrap(plan, "", filters=filters)
    m = max(1, min(m, len(units)))
    if m in (1, len(units)):  # as typed: the same expression (and bm25 sum) as before this form existed
        return _wrap(plan, _some(units, m), filters=filters)
    if not shares:
        return _wrap(plan, _some(sorted(units, key=_cost, reverse=True), m), filters=filters)
    combos = [" AND ".join(units[i] for i in chosen) for chosen in itertools.combinations(range(len(units)), m)]
    return _wrap(plan, " OR ".join(f"({c})" for c in combos), filters=filters)


def tiers_below(plan: Plan) -> range:
    """The tiers under the top one (units held, best first): none for one unit or more than MAX_UNITS."""
    k = len(plan.units)
    return range(k - 1, plan.least - 1, -1) if 1 < k <= MAX_UNITS else range(0)


def bm25_share(held: int, least: int) -> int:
    """How many times bm25() of `at_least(plan, least)` counts each unit of a row holding `held` units.

    bm25() adds up the phrases of the branches that match a row: the row matches every choice of `least`
    of its `held` units, and each unit is in comb(held - 1, least - 1) of them. Dividing by this gives the
    bm25() of the row's own tier expression ("these units and none of the others")."""
    return math.comb(held - 1, least - 1)
