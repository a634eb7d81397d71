"""Spelling aliases: 普京 = 普亭 = 蒲亭 = Putin, so a search for one spelling finds them all.

The shipped `aliases.tsv` lists names of leaders, countries, cities and organisations in their
mainland, Taiwan and Hong Kong spellings plus English; a user file `<home>/aliases.tsv` in the
same format extends it. Spellings are stored folded (see `script.fold`), so script and case never
matter; a spelling that appears in several groups joins them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path

from newsmirror.errors import ConfigError
from newsmirror.chinese.chars import WORD_CLASS, is_cjk
from newsmirror.chinese.script import fold
from newsmirror.chinese.tokens import split_runs

__all__ = ["SHIPPED_ALIASES", "Aliases", "alias_key", "load_aliases"]

SHIPPED_ALIASES = Path(__file__).with_name("aliases.tsv")
_SEPARATORS = re.compile(r"\t+|\s*=\s*")


def alias_key(spelling: str) -> str:
    """The folded lookup form: CJK runs joined, Latin words separated by one space.

    So 本·拉登 and 本拉登 meet, as do "Kim Jong-un" and "kim jong un"."""
    out: list[str] = []
    prev_cjk = True
    for cjk, run in split_runs(fold(spelling)):
        if out and not (cjk and prev_cjk):
            out.append(" ")
        out.append(run)
        prev_cjk = cjk
    return "".join(out)


@dataclass(frozen=True)
class Aliases:
    """Alias groups keyed by folded spelling; `expand` gives every spelling of a term."""

    groups: dict[str, frozenset[str]] = field(default_factory=dict)

    def expand(self, term: str) -> set[str]:
        """The folded spellings of `term`: its alias group, or just the term itself."""
        key = alias_key(term)
        if not key:
            return set()
        return set(self.groups.get(key, (key,))) | {key}

    def __len__(self) -> int:
        return len({g for g in self.groups.values()})

    def __contains__(self, term: object) -> bool:
        return isinstance(term, str) and alias_key(term) in self.groups

    def names(self) -> Iterable[str]:
        """Every folded spelling that has aliases."""
        return self.groups.keys()

    def canonical(self, term: str) -> str:
        """The one spelling that stands for `term`'s group (its shortest CJK spelling), or the folded term."""
        key = alias_key(term)
        return self._canonical.get(key, key)

    def fold_names(self, folded: str) -> str:
        """Folded text with every listed spelling replaced by its group's canonical one (蒲亭, 普亭 -> 普京).

        So texts that spell a name differently compare equal (near-duplicates, stories). Longest
        spellings win (韩国瑜 stays whole, not 韩国 + 瑜); a Latin spelling counts only as a whole word."""
        if not self.groups or not folded:
            return folded
        text = folded

        def swap(m: re.Match[str]) -> str:
            found = m.group(0)
            if not is_cjk(found) and (_word_at(text, m.start() - 1) or _word_at(text, m.end())):
                return found  # "uk" inside "ukraine"
            return self._canonical.get(found, found)

        return self._pattern.sub(swap, text)

    @cached_property
    def _canonical(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for group in set(self.groups.values()):
            cjk = [s for s in group if is_cjk(s)]
            canon = min(cjk or group, key=lambda s: (len(s), s))
            for spelling in group:
                out[spelling] = canon
        return out

    @cached_property
    def _pattern(self) -> re.Pattern[str]:
        """Every spelling, as a trie-shaped regex: one pass over a text finds the longest at each place."""
        return re.compile(_trie_pattern(self.groups.keys()))


_WORD_CHAR = re.compile(f"[{WORD_CLASS}]")


def _word_at(text: str, i: int) -> bool:
    return 0 <= i < len(text) and _WORD_CHAR.match(text[i]) is not None


def _trie_pattern(words: Iterable[str]) -> str:
    """A regex matching any of `words`, longest first, shaped as a trie (a plain alternation of a thousand
    spellings is four times slower): 普京|普亭 -> 普(?:京|亭)."""
    trie: dict = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict) -> str:
        branches = [re.escape(ch) + build(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if "" in node:  # a word ends here: the longer ones are optional, tried first
            return f"(?:{body})?" if len(branches) > 1 or len(body) > 1 else f"{body}?"
        return body

    return build(trie) or "(?!)"


def parse_aliases(text: str, *, origin: str = "aliases") -> list[frozenset[str]]:
    """Groups of folded spellings from alias-file text; raise ConfigError on a one-name line."""
    groups: list[frozenset[str]] = []
    for n, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        names = {alias_key(part) for part in _SEPARATORS.split(line)} - {""}
        if len(names) < 2 and "=" not in line and "\t" not in line:
            raise ConfigError(
                f"{origin} line {n}: {line[:40]!r} has one spelling; separate spellings with '=' or tabs"
            )
        if names:
            groups.append(frozenset(names))
    return groups


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise ConfigError(f"alias file {path} is not UTF-8 text") from None
    except OSError as exc:
        raise ConfigError(f"cannot read alias file {path}: {exc.strerror}") from exc


def load_aliases(path: Path | None = None, *, shipped: bool = True) -> Aliases:
    """The shipped aliases extended by the file at `path` (a missing user file is fine).

    `path` may be the user's `<home>/aliases.tsv` or the home folder itself."""
    groups: list[frozenset[str]] = list(_shipped_groups()) if shipped else []
    if path is not None:
        path = Path(path)
        if path.is_dir():
            path = path / "aliases.tsv"
        if path.exists() and path.resolve() != SHIPPED_ALIASES.resolve():
            groups.extend(parse_aliases(_read(path), origin=str(path)))
    return build_aliases(groups)


@lru_cache(maxsize=1)
def _shipped_groups() -> tuple[frozenset[str], ...]:
    """The shipped groups, parsed once per process (every index opened in a web worker uses them)."""
    return tuple(parse_aliases(_read(SHIPPED_ALIASES), origin=str(SHIPPED_ALIASES)))


def build_aliases(groups: Iterable[Iterable[str]]) -> Aliases:
    """Merge groups that share a spelling (union-find) into one lookup table."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for group in groups:
        names = [alias_key(n) for n in group]
        names = [n for n in names if n]
        for n in names:
            parent.setdefault(n, n)
        for n in names[1:]:
            a, b = find(names[0]), find(n)
            if a != b:
                parent[b] = a
    members: dict[str, set[str]] = {}
    for n in parent:
        members.setdefault(find(n), set()).add(n)
    table: dict[str, frozenset[str]] = {}
    for group_names in members.values():
        if len(group_names) < 2:
            continue
        frozen = frozenset(group_names)
        for n in group_names:
            table[n] = frozen
    return Aliases(table)
