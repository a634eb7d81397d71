"""Ranked retrieval: the articles that hold every term first, then those that hold most of them.

A query is planned into units, each one thing a hit may hold:
- a typed word with its alias spellings (普京 = 普亭 = 蒲亭 = Putin), a quoted phrase, an OR group;
- an unspaced word of three or more characters that is not a listed name is segmented with jieba into
  its words (花莲地震 -> 花莲, 地震; 東方太空發射場 -> 东方, 太空, 发射场), each a unit, so the words
  need not stand side by side and a text may say 航天 where the query says 太空;
- a lone CJK character (的, 是, 不) is a filter every hit must hold, never counted: one character
  says too little to rank by.

With k units the hits come in tiers: those holding all k, then k-1, ... down to half of them (at least
one); within a tier by BM25 with the title weighted (`fts.TITLE_WEIGHT`) times freshness. Tier m is one
FTS5 expression, the OR over every choice of m units of "these, and none of the others", so tiers never
overlap; a tier is read only when the ones above it cannot fill the page, and counted until the total
passes COUNT_CAP. Exclusions, `source:` and since:/until: apply to every tier.

A very common character beside a word (的 经济, 是 政府, 了 台湾) is checked against the `common` bit
mask each article carries in the index (its COMMON_CHARS, `common_chars.txt`) instead of the FTS5 prefix
query `的*`, which merges the doclists of every bigram starting with the character over the whole
archive (a second and more at a million articles); a rarer character takes the prefix query, which is
cheap for it.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

__all__ = ["COMMON_CHARS_FILE", "Plan", "Unit", "common_chars", "common_mask", "tier_expressions"]

COMMON_CHARS_FILE = Path(__file__).with_name("common_chars.txt")
MAX_UNITS = 8  # more units than this: tiers below all-of-them are not formed (the combinations explode)


@lru_cache(maxsize=1)
def common_chars() -> dict[str, int]:
    """The commonest characters and their bit in an article's `common` mask (bits 0..62)."""
    chars = "".join(line.strip() for line in COMMON_CHARS_FILE.read_text(encoding="utf-8").splitlines()
                    if line.strip() and not line.startswith("#"))
    return {ch: i for i, ch in enumerate(chars[:63])}


def common_mask(folded: str) -> int:
    """The bits of the common characters `folded` text holds."""
    bits = common_chars()
    return sum(1 << bits[ch] for ch in set(folded) & bits.keys())


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
    mask: int  # the common-character bits every hit must have
    rare_chars: tuple[str, ...]  # characters without a bit: FTS5 prefix phrases every hit must match
    sources: str  # `src : (...)` or ""
    excluded: str  # the OR of excluded terms' expressions, or ""
    patterns: tuple[str, ...]  # regexes highlighting the terms in snippets

    @property
    def least(self) -> int:
        """The fewest units a hit must hold: half of them, at least one."""
        return max(1, math.ceil(len(self.units) / 2)) if self.units else 0


def _wrap(plan: Plan, body: str) -> str:
    """The full expression of one tier's body: the character filters, sources and exclusions added."""
    parts = [f"{{title body}} : ({body})"] if body else []
    parts += [f'{{title body}} : ("{ch}" *)' for ch in plan.rare_chars]
    expr = " AND ".join(parts)
    if plan.sources:
        expr = f"({expr}) AND {plan.sources}" if expr else plan.sources
    if plan.excluded:
        expr = f"({expr}) NOT {{title body}} : ({plan.excluded})"
    return expr


def tier_expressions(plan: Plan) -> list[tuple[int, str]]:
    """(units held, FTS5 expression) of every tier, best first (see the module docstring)."""
    units = [u.expr for u in plan.units]
    k = len(units)
    if k == 0:
        return [(0, _wrap(plan, ""))]
    tiers = [(k, _wrap(plan, " AND ".join(f"({u})" for u in units)))]
    if k > MAX_UNITS:
        return tiers
    for m in range(k - 1, plan.least - 1, -1):
        combos = []
        for chosen in itertools.combinations(range(k), m):
            held = " AND ".join(f"({units[i]})" for i in chosen)
            others = " OR ".join(f"({units[i]})" for i in range(k) if i not in chosen)
            combos.append(f"({held} NOT ({others}))")
        tiers.append((m, _wrap(plan, " OR ".join(combos))))
    return tiers
