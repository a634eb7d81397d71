"""Extraction's word lists (`lexicon.toml`), loaded once and folded so both scripts are one entry.

Each list is written once, in one script; at load every entry is also given in Traditional (OpenCC,
through `newsmirror.chinese`) and with 台 for 臺 (Taiwan writes both). Latin entries stay as written.
"""

from __future__ import annotations

import re
import tomllib
from functools import cache
from importlib import resources

from newsmirror.chinese import spellings
from newsmirror.models import CreditRole

__all__ = ["Lexicon", "lexicon", "variants"]


def variants(word: str) -> tuple[str, ...]:
    """The word as written, in Simplified and in Traditional (OpenCC's, Taiwan's and Hong Kong's
    standards, with 台 for 臺 too), each once: `newsmirror.chinese.spellings`; and with 讚 for 贊, as
    Taiwan and Hong Kong write praise (`點讚`, `按讚`), which OpenCC leaves as 贊."""
    forms = spellings(word)
    return tuple(dict.fromkeys([*forms, *(f.replace("贊", "讚") for f in forms if "贊" in f)]))


def _expand(words: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v for w in words for v in variants(w)))


def _longest_first(words: list[str]) -> tuple[str, ...]:
    return tuple(sorted(_expand(words), key=len, reverse=True))


class Lexicon:
    """The folded lists: outlets (longest first), places, surnames, compound surnames, non-names, roles,
    and every other list of the file by its name (`words`, `alternation`)."""

    def __init__(self, data: dict) -> None:
        # every list of words in the file (top level or one table down), folded, longest first
        self._lists: dict[str, tuple[str, ...]] = {}
        for key, value in data.items():
            if isinstance(value, list):
                self._lists[key] = _longest_first(value)
            elif isinstance(value, dict) and all(isinstance(v, list) for v in value.values()):
                for sub, words in value.items():
                    self._lists[f"{key}.{sub}"] = _longest_first(words)
        self.outlets: tuple[str, ...] = self._lists["outlets"]
        self.places: tuple[str, ...] = self._lists["places"]
        self.place_set: frozenset[str] = frozenset(self.places)
        self.outlet_endings: tuple[str, ...] = self._lists["outlet_endings"]
        self.surnames: frozenset[str] = frozenset(_expand(data["surnames"]))
        self.compound_surnames: tuple[str, ...] = _expand(data["compound_surnames"])
        self.not_people: frozenset[str] = frozenset(_expand(data["not_people"]))
        # role word -> role, every script's form; longer words first so 摄影记者 wins over 记者
        roles = {v: CreditRole(role) for role, words in data["roles"].items() for w in words for v in variants(w)}
        self.roles: dict[str, CreditRole] = dict(sorted(roles.items(), key=lambda kv: -len(kv[0])))
        # share targets, platforms and widget actions: never an outlet's name
        self.widgets: frozenset[str] = frozenset(v for words in data["widgets"].values() for v in _expand(words))

    def words(self, name: str) -> tuple[str, ...]:
        """The list called `name` in lexicon.toml (`table.list` for a list inside a table), folded into
        both scripts, longest first."""
        return self._lists[name]

    def table(self, name: str) -> tuple[str, ...]:
        """The names of the lists in table `name` of lexicon.toml (`body_widgets` -> `body_widgets.tip_lines`, ...)."""
        return tuple(n for n in self._lists if n.startswith(name + "."))

    def alternation(self, *names: str) -> str:
        """A regex alternation of the words of these lists, longest first (so 责任编辑 wins over 编辑)."""
        words = sorted({w for n in names for w in self._lists[n]}, key=len, reverse=True)
        return "|".join(re.escape(w) for w in words)

    def pattern(self, name: str) -> str:
        """The regex fragments of list `name` (`class_hints.negative`) joined as one alternation, unescaped."""
        return "|".join(self._lists[name])

    def role_pattern(self, *roles: CreditRole) -> str:
        """A regex alternation of the role words of these roles (all when none are named), longest first."""
        words = [w for w, r in self.roles.items() if not roles or r in roles]
        return "|".join(re.escape(w) for w in words)


@cache
def lexicon() -> Lexicon:
    """The process's one Lexicon, read from the package's lexicon.toml on first use."""
    text = resources.files("newsmirror.extract").joinpath("lexicon.toml").read_text(encoding="utf-8")
    return Lexicon(tomllib.loads(text))
