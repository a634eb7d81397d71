"""The build targets, registered in one place: `newsmirror build NAME OUT` and `run` look them up here.

A target is a function `build(store, out, options) -> BuildSummary` that writes one kind of
published output into the folder `out`, incrementally: files whose bytes did not change are left
alone, files it no longer produces are removed (only files it wrote itself, see `publish.files`).
Targets are named by `"module:function"` and imported on first use, so the command line stays
fast; another package can add one with `register(Target(...))`.

    from newsmirror.publish.targets import BuildOptions, run_build
    summary = run_build("site", store, Path("public"), BuildOptions(base_url="https://m.example/"))
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from newsmirror.config import DEFAULT_TIMEZONE
from newsmirror.errors import ConfigError
from newsmirror.models import Source

if TYPE_CHECKING:
    from newsmirror.store import Store

__all__ = ["BuildOptions", "BuildSummary", "Target", "TARGETS", "register", "get_target", "run_build"]


@dataclass(frozen=True)
class BuildOptions:
    """What a build may be told besides the store and the output folder; every field has a default."""

    since: date | None = None  # build only the months from this day on (older pages are left as they are)
    tz: str = DEFAULT_TIMEZONE  # the zone of the site's day and month pages
    base_url: str = ""  # where the output will be served, e.g. https://mirror.example/ (canonical links, feeds)
    sources: tuple[Source, ...] = ()  # the sources file's outlets (OPML, outlet home pages)
    aliases: Path | None = None  # the home's aliases.tsv, added to the shipped spelling aliases
    full: bool = False  # ignore the previous build's state and check every page
    progress: Callable[[int], object] | None = None  # called with the number of items handled since last call
    store_location: str | None = None  # where the store is (for builds that read it from helper processes)
    workers: int | None = None  # helper processes for a full build's article pages (None: one per core when large)


@dataclass(frozen=True)
class BuildSummary:
    """What one build did: files written, left unchanged and removed, target-specific counts, time."""

    target: str
    out: Path
    written: int
    unchanged: int
    removed: int
    seconds: float
    counts: tuple[tuple[str, int], ...] = field(default=())  # e.g. (("posts", 120), ("lists", 4))
    note: str = ""  # how the build went, e.g. "incremental"

    def count(self, label: str) -> int:
        """One of the target's own counts (0 when it has none by that name)."""
        return dict(self.counts).get(label, 0)

    def line(self) -> str:
        """The one summary line a build ends with."""
        extra = "".join(f", {n} {label}" for label, n in self.counts if n or label in ("posts", "articles"))
        note = f" ({self.note})" if self.note else ""
        return (f"build {self.target} done{note}: {self.written} files written, {self.unchanged} unchanged, "
                f"{self.removed} removed{extra}; {self.seconds:.1f} s -> {self.out}")


BuildFunction = Callable[["Store", Path, BuildOptions], BuildSummary]


@dataclass(frozen=True)
class Target:
    """One kind of output: its name, a line of help, an example, and where its build function lives."""

    name: str
    help: str
    example: str
    function: str  # "package.module:function", imported on first use
    options: tuple[str, ...] = ()  # the BuildOptions fields it reads, offered as --options on the command line

    def load(self) -> BuildFunction:
        """The build function itself."""
        module, _, attr = self.function.partition(":")
        return getattr(importlib.import_module(module), attr)


TARGETS: dict[str, Target] = {}


def register(target: Target) -> Target:
    """Add (or replace) a build target; returns it."""
    TARGETS[target.name] = target
    return target


def get_target(name: str) -> Target:
    """The target called `name`; ConfigError naming the known targets otherwise."""
    try:
        return TARGETS[name]
    except KeyError:
        raise ConfigError(f"no build target {name!r}; known targets: {', '.join(sorted(TARGETS))}") from None


def run_build(name: str, store: Store, out: Path, options: BuildOptions | None = None) -> BuildSummary:
    """Build target `name` from `store` into `out` (PublishError with the path when it cannot write)."""
    return get_target(name).load()(store, Path(out), options or BuildOptions())


# --- the targets ------------------------------------------------------------------------------

register(Target(
    "jekyll",
    "Write the archive as Jekyll posts in the mirror's format (OUT/_posts) and outlet lists (OUT/lists).",
    "newsmirror build jekyll ./site        # then: cd site && jekyll build",
    "newsmirror.publish.jekyll:build",
))
register(Target(
    "site",
    "Write the archive as a static site: pages per article, day, month and outlet, search, feeds (incremental).",
    "newsmirror build site ./public --base-url https://mirror.example/",
    "newsmirror.publish.site:build",
    options=("since", "tz", "base_url", "full"),
))
register(Target(
    "feeds",
    "Write Atom and JSON feeds of the newest 50 articles (all outlets and each) and sources.opml.",
    "newsmirror build feeds ./public --base-url https://mirror.example/",
    "newsmirror.publish.feeds:build",
    options=("tz", "base_url"),
))
