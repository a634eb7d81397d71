"""The stories stage: placing the archive's articles, caught up from the store's change numbers.

`sync_stories` places every article the store created or changed since the change number it reached
(`Store.changes_since`), a batch at a time; each batch's placements and the change number they reach
are saved in one transaction, so a crash never loses a placement (the next run places the batch again)
and a restart, or another machine, continues from the store alone. Within a batch articles are placed
in published order. With `workers` > 1 a catch-up or regrouping computes features in helper processes,
the next batch's while this one is placed; placing stays one article at a time, in order, in this process.

`rebuild_stories` forgets every placement and places the whole archive again in published order (the
same placements as incremental arrival in published order). Its position is saved with each batch: a
regrouping that was killed continues where it stopped, from `stories --rebuild` or a plain sync.
Articles that change while it runs are placed again by the sync that follows it.

A process that syncs again and again (`run`, `fetch` in a loop) keeps its `Grouper`, the window of
placed articles, from one sync to the next (`_KEPT`), so an arriving article is placed without reading two
weeks of placements from the store first. The kept window is used only while the store's story state is
what this process left (no other process placed, regrouped or deleted articles meanwhile).
"""

from __future__ import annotations

import hashlib
import math
import multiprocessing
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from newsmirror.chinese import Aliases
from newsmirror.models import StoredArticle
from newsmirror.stories import cluster, features
from newsmirror.stories.cluster import Grouper
from newsmirror.stories.features import compute_features

__all__ = ["BATCH", "StoryRun", "params_digest", "rebuild_stories", "sync_stories"]

BATCH = 1000  # articles placed per transaction
_KEPT: dict[str, tuple[dict[str, str], Grouper]] = {}  # one store -> (its story state, the window placed into it)


@dataclass
class StoryRun:
    """What a sync or regrouping did."""

    placed: int = 0
    copies: int = 0
    joined: int = 0  # articles that joined a story (copies included)
    new_stories: int = 0
    rebuilt: bool = False
    note: str = ""

    def line(self, seconds: float) -> str:
        what = "regrouped" if self.rebuilt else "placed"
        return (f"stories done: {self.placed} articles {what}: {self.copies} copies, "
                f"{self.joined - self.copies} joined a story, {self.new_stories} started one; {seconds:.1f} s"
                + (f"; {self.note}" if self.note else ""))


def params_digest(aliases: Aliases) -> str:
    """What placements depend on besides the text: alias groups and the stage's settings."""
    h = hashlib.blake2b(digest_size=8)
    for group in sorted(sorted(g) for g in set(aliases.groups.values())):
        h.update("\x1f".join(group).encode() + b"\x1e")
    h.update(repr((features.NUM_PERM, features.SHINGLE, features.TOP_TERMS, features.IDF_MASS, cluster.WINDOW_DAYS,
                   cluster.DECAY_DAYS, cluster.EVENT_DAYS, cluster.EVENT_COSINE, cluster.JOIN_SCORE,
                   cluster.COPY_SIMILARITY, cluster.CENTROID_SCORE, features.FORMAT)).encode())
    return h.hexdigest()


def _text(article: StoredArticle) -> str:
    return article.text or article.summary or ""


def _pack_rows(rows: list[tuple[str, str]], aliases: Aliases | None = None) -> list[bytes]:
    """The packed features of (title, text) rows: placing reads them as stored, so placing now and after a
    restart compare alike."""
    aliases = aliases or _HELPER_ALIASES
    assert aliases is not None, "a helper process starts with _start_helper"
    return [compute_features(title, text, aliases).pack() for title, text in rows]


_HELPER_ALIASES: Aliases | None = None  # the alias list of a helper process (set by _start_helper)


def _start_helper(aliases: Aliases, parent: int) -> None:
    global _HELPER_ALIASES
    _HELPER_ALIASES = aliases
    threading.Thread(target=_end_with, args=(parent,), daemon=True).start()
    compute_features("暖身", "暖身的文字", aliases)  # its tables read once, before the first batch


def _end_with(parent: int) -> None:
    """A helper's watch: it ends when the process that started it is gone (killed, it never says so)."""
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(1)


class _Features:
    """Computes batches' features: in this process, or with `workers` helper processes started at the
    first full batch (a catch-up or a regrouping), the next batch's features while this one is placed."""

    def __init__(self, aliases: Aliases, workers: int) -> None:
        self.aliases = aliases
        self.workers = workers
        self.pool: ProcessPoolExecutor | None = None

    def submit(self, articles: list[StoredArticle]) -> Callable[[], list[bytes]]:
        """Start computing the features of `articles`; the returned call gives them, in order."""
        rows = [(a.title, _text(a)) for a in articles]
        if self.pool is None and self.workers > 1 and len(rows) >= BATCH:
            # forked helpers share this process's loaded tables (read once, counted once in PSS); with other
            # threads running a fork could copy a held lock, so then they start afresh
            method = "fork" if threading.active_count() == 1 and os.name == "posix" else "spawn"
            self.pool = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context(method),
                                            initializer=_start_helper, initargs=(self.aliases, os.getpid()))
        if self.pool is None:
            return lambda: _pack_rows(rows, self.aliases)
        step = max(1, math.ceil(len(rows) / (self.workers * 4)))
        parts = [self.pool.submit(_pack_rows, rows[i : i + step]) for i in range(0, len(rows), step)]
        return lambda: [packed for part in parts for packed in part.result()]

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)
            self.pool = None


def _place(grouper: Grouper, articles: list[StoredArticle], computed: list[bytes], run: StoryRun) -> None:
    """Place `articles` (in published order) by their packed features."""
    for article, packed in zip(articles, computed):
        decision = grouper.place(article.id, article.published, packed)
        run.placed += 1
        if decision.copy_of is not None:
            run.copies += 1
        if decision.story != article.id:
            run.joined += 1
        else:
            run.new_stories += 1
        grouper.window.forget_before(int(article.published.timestamp()))


def _ahead(batches: Iterable[list], features: _Features,
           article: Callable[[Any], StoredArticle]) -> Iterator[tuple[list, list[StoredArticle], list[bytes]]]:
    """Each batch with its articles in published order and their features; the next batch's features
    are started before this batch is handed out (with helpers: computed while this one is placed)."""
    waiting = None
    try:
        for batch in batches:
            articles = sorted((article(item) for item in batch), key=lambda a: (a.published, a.id))
            job = features.submit(articles)
            if waiting is not None:
                yield waiting[0], waiting[1], waiting[2]()
            waiting = (batch, articles, job)
        if waiting is not None:
            yield waiting[0], waiting[1], waiting[2]()
    finally:
        features.close()


def _batches(items: Iterable, size: int) -> Iterator[list]:
    batch: list = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _store_key(store) -> str:
    return f"{type(store).__name__}:{store.path}"


def _kept_grouper(store, state: dict[str, str]) -> Grouper:
    """The window this process kept after its last sync into `store`, if the store is as it left it."""
    kept = _KEPT.pop(_store_key(store), None)
    if kept is not None and kept[0] == state:
        kept[1].window.load = store.story_entries  # days it has not read yet come from this store object
        return kept[1]
    return Grouper(store.story_entries)


def sync_stories(store, aliases: Aliases, *, progress: Callable[[int], None] | None = None,
                 workers: int = 1) -> StoryRun:
    """Place what the store created or changed since the last sync (finishing a killed regrouping first).

    `workers` > 1 computes features in that many helper processes once a full batch waits (a catch-up)."""
    state = store.story_state()
    if "rebuild" in state:
        return rebuild_stories(store, aliases, progress=progress, workers=workers)
    run = StoryRun()
    digest = params_digest(aliases)
    if state.get("params") not in (None, digest):
        run.note = "the alias list or settings changed since the stories were grouped: run 'newsmirror stories --rebuild'"
    seq = int(state.get("seq", "0"))
    grouper = _kept_grouper(store, state)
    changes = store.changes_since(seq)
    for batch, articles, computed in _ahead(_batches(changes, BATCH), _Features(aliases, workers), lambda c: c[1]):
        _place(grouper, articles, computed, run)
        placements, repoints = grouper.take_pending()
        new_seq = str(batch[-1][0])
        store.save_placements(placements, repoints=repoints, state={"seq": new_seq, "params": state.get("params", digest)},
                              expect={"seq": state.get("seq")})
        state["seq"] = new_seq
        state.setdefault("params", digest)
        if progress:
            progress(run.placed)
    _KEPT.clear()  # one store kept: a process syncing many archives (tests) holds no stale windows
    _KEPT[_store_key(store)] = (state, grouper)
    return run


def rebuild_stories(store, aliases: Aliases, *, progress: Callable[[int], None] | None = None,
                    workers: int = 1) -> StoryRun:
    """Regroup the whole archive in published order (or continue a regrouping that was killed), then
    catch up with what changed meanwhile (features in `workers` helper processes when > 1)."""
    _KEPT.pop(_store_key(store), None)
    state = store.story_state()
    if "rebuild" not in state:
        state = {"rebuild": "", "rebuild_seq": str(store.last_change()), "params": params_digest(aliases)}
        store.save_placements([], state=state, clear=True)
    run = StoryRun(rebuilt=True)
    cursor = state["rebuild"]
    after: tuple[datetime, int] | None = None
    if cursor:
        at, _, last_id = cursor.rpartition("|")
        after = (datetime.fromisoformat(at), int(last_id))
    grouper = Grouper(store.story_entries)
    articles = store.iter_articles(since=after[0] if after else None)
    if after is not None:
        articles = (a for a in articles if (a.published, a.id) > after)
    for batch, _, computed in _ahead(_batches(articles, BATCH), _Features(aliases, workers), lambda a: a):
        _place(grouper, batch, computed, run)
        placements, repoints = grouper.take_pending()
        last = batch[-1]
        new_cursor = f"{last.published.isoformat()}|{last.id}"
        store.save_placements(placements, repoints=repoints, state={"rebuild": new_cursor},
                              expect={"rebuild": cursor})
        cursor = new_cursor
        if progress:
            progress(run.placed)
    store.save_placements([], state={"rebuild": None, "rebuild_seq": None, "seq": state["rebuild_seq"]},
                          expect={"rebuild": cursor})
    after_run = sync_stories(store, aliases, progress=progress, workers=workers)
    run.placed += after_run.placed
    run.copies += after_run.copies
    run.joined += after_run.joined
    run.new_stories += after_run.new_stories
    return run
