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
from functools import lru_cache
from pathlib import Path

from newsmirror.errors import ConfigError
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
