"""The stories stage: placing the archive's articles, caught up from the store's change numbers.

`sync_stories` places every article the store created or changed since the change number it reached
(`Store.changes_since`), a batch at a time; each batch's placements and the change number they reach
are saved in one transaction, so a crash never loses a placement (the next run places the batch again)
and a restart, or another machine, continues from the store alone. Within a batch articles are placed
in published order.

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
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime

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
                   cluster.DECAY_DAYS, cluster.JOIN_SCORE, cluster.COPY_SIMILARITY, cluster.CENTROID_SCORE,
                   features.FORMAT)).encode())
    return h.hexdigest()


def _text(article: StoredArticle) -> str:
    return article.text or article.summary or ""


def _compute(article: StoredArticle, aliases: Aliases) -> bytes:
    """The article's packed features: placing reads them as stored, so placing now and after a restart
    compare alike."""
    return compute_features(article.title, _text(article), aliases).pack()


def _place(grouper: Grouper, articles: list[StoredArticle], aliases: Aliases, run: StoryRun,
           compute: Callable | None) -> None:
    articles = sorted(articles, key=lambda a: (a.published, a.id))
    computed = compute(articles) if compute else [_compute(a, aliases) for a in articles]
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
                 compute: Callable | None = None) -> StoryRun:
    """Place what the store created or changed since the last sync (finishing a killed regrouping first)."""
    state = store.story_state()
    if "rebuild" in state:
        return rebuild_stories(store, aliases, progress=progress, compute=compute)
    run = StoryRun()
    digest = params_digest(aliases)
    if state.get("params") not in (None, digest):
        run.note = "the alias list or settings changed since the stories were grouped: run 'newsmirror stories --rebuild'"
    seq = int(state.get("seq", "0"))
    grouper = _kept_grouper(store, state)
    changes = store.changes_since(seq)
    for batch in _batches(changes, BATCH):
        _place(grouper, [a for _, a in batch], aliases, run, compute)
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
                    compute: Callable | None = None) -> StoryRun:
    """Regroup the whole archive in published order (or continue a regrouping that was killed), then
    catch up with what changed meanwhile."""
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
    for batch in _batches(articles, BATCH):
        _place(grouper, batch, aliases, run, compute)
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
    after_run = sync_stories(store, aliases, progress=progress, compute=compute)
    run.placed += after_run.placed
    run.copies += after_run.copies
    run.joined += after_run.joined
    run.new_stories += after_run.new_stories
    return run
