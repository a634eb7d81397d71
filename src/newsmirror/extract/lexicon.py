"""Extraction's word lists (`lexicon.toml`), loaded once and folded so both scripts are one entry.

Each list is written once, in one script; at load every entry is also given in Traditional (OpenCC,
through `newsmirror.chinese`) and with 台 for 臺 (Taiwan writes both). Latin entries stay as written.
"""

from __future__ import annotations

import re
import tomllib
from functools import cache
from importlib import resources

from newsmirror.chinese import HAN, to_script
from newsmirror.models import CreditRole

__all__ = ["Lexicon", "lexicon", "variants"]


def variants(word: str) -> tuple[str, ...]:
    """The word as written, in Simplified and in Traditional (with 台 for 臺 too), each once."""
    if not HAN.search(word):
        return (word,)
    forms = [word, to_script(word, "hans"), to_script(word, "hant")]
    forms += [f.replace("臺", "台") for f in forms if "臺" in f]
    return tuple(dict.fromkeys(forms))


def _expand(words: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v for w in words for v in variants(w)))


class Lexicon:
    """The folded lists: outlets (longest first), places, surnames, compound surnames, non-names, roles."""

    def __init__(self, data: dict) -> None:
        self.outlets: tuple[str, ...] = tuple(sorted(_expand(data["outlets"]), key=len, reverse=True))
        self.places: tuple[str, ...] = tuple(sorted(_expand(data["places"]), key=len, reverse=True))
        self.surnames: frozenset[str] = frozenset(_expand(data["surnames"]))
        self.compound_surnames: tuple[str, ...] = _expand(data["compound_surnames"])
        self.not_people: frozenset[str] = frozenset(_expand(data["not_people"]))
        # role word -> role, every script's form; longer words first so 摄影记者 wins over 记者
        roles = {v: CreditRole(role) for role, words in data["roles"].items() for w in words for v in variants(w)}
        self.roles: dict[str, CreditRole] = dict(sorted(roles.items(), key=lambda kv: -len(kv[0])))
        # share targets, platforms and widget actions: never an outlet's name
        self.widgets: frozenset[str] = frozenset(v for words in data["widgets"].values() for v in _expand(words))

    def role_pattern(self, *roles: CreditRole) -> str:
        """A regex alternation of the role words of these roles (all when none are named), longest first."""
        words = [w for w, r in self.roles.items() if not roles or r in roles]
        return "|".join(re.escape(w) for w in words)


@cache
def lexicon() -> Lexicon:
    """The process's one Lexicon, read from the package's lexicon.toml on first use."""
    text = resources.files("newsmirror.extract").joinpath("lexicon.toml").read_text(encoding="utf-8")
    return Lexicon(tomllib.loads(text))
