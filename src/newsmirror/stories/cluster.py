"""Placing one article: a copy of an earlier text, a new article of a story, or the start of a story.

An article is compared with the articles published within WINDOW_DAYS of it (before or after), held in
memory by `Window`, which reads them from the store a day at a time and drops those left behind:

1. Copies. The article's terms are matched against the window's (an inverted index, which step 2 uses
   too): articles whose term cosine with it is COPY_COSINE or more are candidates, and their MinHash
   signatures are compared with its own; the candidate agreeing in the most slots, at least
   COPY_SIMILARITY of them, is the text this one copies. (A copy shares most of its strongest terms, so
   the term index finds what LSH buckets over the signatures found, without their 64 keys an article.)
   The article then points at that text's original (`copy_of`: the earliest of the copies, so a copy
   group is flat) and joins its story. An article published before the original it matches becomes the
   group's original.
2. Stories. Otherwise its link to a story is its best link to one of the story's articles: their cosine
   times exp(-days apart / DECAY_DAYS), or, when what the two share besides named entities (the event's
   own words: a strike's wages and cranes, a landslide's road) makes a cosine of EVENT_COSINE or more,
   that part times exp(-(days apart / EVENT_DAYS)^2) if more: little faded over the first days, when
   follow-ups come, then quickly, so the same place in another week or month stays apart; sharing names
   alone (the same leader at another event) keeps the faster fade. A story linked by JOIN_SCORE or
   more is a candidate (a follow-up links
   to the article it follows), but takes the article only if the article is also like the story as a
   whole: its cosine with the story's core (the sum of the term vectors of the story's articles in the
   window, each term times the number of articles holding it) is CENTROID_SCORE or more. So one article
   that bridges two events (A ~ B ~ C, B a roundup of both) does not chain them into one story: C is like
   B's part that A does not share. Of the candidates that pass, the best linked takes it; else the
   article starts a story of its own, whose id is its article id.

Every choice is deterministic: sums run in term-id order, story cores are kept in integers (the stored
16-bit weights), ties go to the earliest article or the lowest story id, and nothing depends on the order
entries were loaded into memory. So regrouping the archive in published order gives what incremental
placement in published order gave.
"""

from __future__ import annotations

import math
import struct
from array import array
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np

from newsmirror.models import StoryPlacement
from newsmirror.stories.features import _WEIGHT_SCALE, NUM_PERM, unpack_arrays

__all__ = [
    "CENTROID_SCORE",
    "COPY_COSINE",
    "COPY_SIMILARITY",
    "DECAY_DAYS",
    "EVENT_COSINE",
    "EVENT_DAYS",
    "JOIN_SCORE",
    "WINDOW_DAYS",
    "Grouper",
    "Window",
]

WINDOW_DAYS = 14  # articles further apart are never copies nor one story's neighbours
DECAY_DAYS = 5.0  # a story's pull halves in about 3.5 days
# the fade of what two articles share besides names, when that makes a cosine of EVENT_COSINE or more: 0.92
# of it after 2 days, 0.65 after 4.6 (our landslide's follow-up, 0.29 alike, joins), 0.25 after 8.3 (an
# earthquake off the same coast in the next month, 0.47 alike, stays apart), 0.02 at 14 days. Below 0.25,
# chance links between generated events a few days apart would join (story B-cubed 0.988 -> 0.977 on 20,000
# generated articles without the floor, 0.987 with it); names-only near misses (set-a) share < 0.04
EVENT_DAYS = 7.0
EVENT_COSINE = 0.25
# decayed cosine needed to join a story: midway in the gap between the weakest link a follow-up joins by and
# the strongest near miss (the same leader or place at another event), on set-a (0.189 / 0.152) and on our own
# texts (tests/data/stories: 0.187, the landslide's follow-up by the event fade / 0.115), so neither side sits
# at the edge
JOIN_SCORE = 0.17
# cosine with a story's centroid needed to join it (undecayed): set-a's follow-ups have >= 0.20 with their
# story's centroid, our own texts' >= 0.33; on generated archives (bench/stories.py) it turns away bridges
# between two events that single link let through (story B-cubed F1 0.981 -> 0.988 on 20,000 articles)
CENTROID_SCORE = 0.16
COPY_SIMILARITY = 0.3  # share of equal signature slots (estimated Jaccard) that makes a copy (set-a: copies
# >= 0.45, other pairs <= 0.13)
COPY_COSINE = 0.3  # term cosine above which an article is compared signature to signature: a copy shares most
# of its strongest terms (copies: set-a >= 0.54, generated archives >= 0.50)
DAY = 86400
WINDOW = WINDOW_DAYS * DAY
_COUNT_BITS = 32  # a story core's term: summed weight << _COUNT_BITS | articles holding it
_COUNT_MASK = (1 << _COUNT_BITS) - 1
MERGE_POSTINGS = 65_536  # recent postings (about 2,000 articles') merged into the window's sorted term arrays


class Entry:
    """A placed article in memory: its placement and its stored features (the packed bytes only: the terms,
    weights and signature are read from them when needed, so a window entry costs about 1 KiB)."""

    __slots__ = ("id", "ts", "story", "copy_of", "features", "alive", "slot")

    def __init__(self, article_id: int, ts: int, story: int, copy_of: int | None, packed: bytes) -> None:
        self.id = article_id
        self.ts = ts
        self.story = story
        self.copy_of = copy_of
        self.features = packed
        self.alive = True
        self.slot = -1

    @property
    def order(self) -> tuple[int, int]:
        return (self.ts, self.id)

    @property
    def terms(self) -> tuple[int, ...]:
        return tuple(_unpack(self.features)[1].tolist())

    @property
    def weights(self) -> tuple[float, ...]:
        return tuple((_unpack(self.features)[2] / _WEIGHT_SCALE).tolist())

    @property
    def signature(self) -> np.ndarray | None:
        return _unpack(self.features)[0]

    def placement(self) -> StoryPlacement:
        return StoryPlacement(self.id, self.story, self.copy_of, datetime.fromtimestamp(self.ts, UTC), self.features)


_NOTHING: tuple[None, np.ndarray, np.ndarray] = (None, np.empty(0, dtype=np.uint32), np.empty(0, dtype=np.uint16))


def _unpack(packed: bytes) -> tuple[np.ndarray | None, np.ndarray, np.ndarray]:
    """Stored features as arrays (signature or None, term ids, 16-bit weights); those of an older format
    (placed before an upgrade) compare with nothing until `stories --rebuild` (which `sync_stories` asks
    for) computes them again."""
    try:
        return unpack_arrays(packed)
    except (ValueError, struct.error):
        return _NOTHING


class TermIndex:
    """The window's term postings (term -> slot and 16-bit weight of each entry holding it): most in three
    arrays sorted by term (10 bytes a posting), the latest in a small dict merged into them every
    MERGE_POSTINGS postings, when the postings of entries no longer alive are dropped. (A pair of growing
    arrays per term cost about 500 bytes a term, and most terms are held by one or two articles.)"""

    __slots__ = ("keys", "slots", "quant", "recent", "n_recent")

    def __init__(self) -> None:
        self.keys = np.empty(0, dtype=np.uint32)
        self.slots = np.empty(0, dtype=np.int64)
        self.quant = np.empty(0, dtype=np.uint16)
        self.recent: dict[int, array] = {}  # term -> slot, weight, slot, weight ... (int64) since the last merge
        self.n_recent = 0

    def __len__(self) -> int:
        return len(self.keys) + self.n_recent

    def add(self, slot: int, terms: list[int], quant: list[int], alive: np.ndarray, merge: bool = True) -> None:
        """Index the entry in `slot` under its terms; `alive` says which slots are kept at a merge."""
        recent = self.recent
        for term, q in zip(terms, quant):
            held = recent.get(term)
            if held is None:
                recent[term] = array("q", (slot, q))
            else:
                held.append(slot)
                held.append(q)
        self.n_recent += len(terms)
        if merge and self.n_recent >= MERGE_POSTINGS:
            self.merge(alive)

    def merge(self, alive: np.ndarray) -> None:
        """Move the recent postings into the sorted arrays, dropping those of slots not alive."""
        n = self.n_recent
        keys = np.empty(n, dtype=np.uint32)
        pairs = np.empty(2 * n, dtype=np.int64)
        at = 0
        for term, held in self.recent.items():
            k = len(held) // 2
            keys[at : at + k] = term
            pairs[2 * at : 2 * (at + k)] = np.frombuffer(held, dtype=np.int64)
            at += k
        order = np.argsort(keys, kind="stable")  # the recent ones sorted, then put in place: no sort of all
        keys, slots, quant = keys[order], pairs[0::2][order], pairs[1::2][order].astype(np.uint16)
        live = alive[self.slots]
        main_keys = self.keys[live]
        where = np.searchsorted(main_keys, keys, "right")
        self.keys = np.insert(main_keys, where, keys)
        self.slots = np.insert(self.slots[live], where, slots)
        self.quant = np.insert(self.quant[live], where, quant)
        self.recent, self.n_recent = {}, 0

    def gather(self, terms: list[int], weights: list[float]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Every posting of the terms: its slot, its weight times the term's, and whether the term is a named
        entity (odd id). An entry's postings are all in the arrays or all recent, each in term order."""
        wanted = np.asarray(terms, dtype=np.uint32)
        lo = np.searchsorted(self.keys, wanted, "left")
        counts = np.searchsorted(self.keys, wanted, "right") - lo
        total = int(counts.sum())
        # the positions lo[i] .. lo[i] + counts[i] - 1 of every term, in one array
        at = np.arange(total, dtype=np.int64) - np.repeat(np.cumsum(counts) - counts - lo, counts)
        term_weight = np.asarray(weights, dtype=np.float64)
        entity = (wanted & 1).astype(bool)  # an entity's term id is odd
        slots, quant = [self.slots[at]], [self.quant[at]]
        scale, names = [np.repeat(term_weight, counts)], [np.repeat(entity, counts)]
        if self.recent:
            for term, weight, name in zip(terms, weights, entity.tolist()):
                held = self.recent.get(term)
                if held is not None:
                    pairs = np.frombuffer(held, dtype=np.int64)
                    slots.append(pairs[0::2])
                    quant.append(pairs[1::2])
                    scale.append(np.full(len(pairs) // 2, weight))
                    names.append(np.full(len(pairs) // 2, name))
        if len(slots) == 1:
            return slots[0], quant[0] / _WEIGHT_SCALE * scale[0], names[0]
        # the stored weight as `Features.unpack` reads it, times the term's
        return (np.concatenate(slots), np.concatenate(quant) / _WEIGHT_SCALE * np.concatenate(scale),
                np.concatenate(names))


@dataclass
class Window:
    """The placed articles of some days, with the indexes that find copies (LSH) and story neighbours (terms).

    `load(since, until)` is the store's reader (StoryPlacement rows published in [since, until));
    `pending` holds placements not yet in the store, which a day read again must show. Each entry has a
    slot in arrays of publication times, stories and liveness, which the term postings point into."""

    load: Callable[[datetime, datetime], list[StoryPlacement]]
    days: set[int] = field(default_factory=set)
    by_id: dict[int, Entry] = field(default_factory=dict)
    by_day: dict[int, list[Entry]] = field(default_factory=dict)
    index: TermIndex = field(default_factory=TermIndex)
    pending: dict[int, StoryPlacement] = field(default_factory=dict)
    entries: list[Entry] = field(default_factory=list)  # by slot
    ts: np.ndarray = field(default_factory=lambda: np.zeros(1024, dtype=np.int64))
    story: np.ndarray = field(default_factory=lambda: np.zeros(1024, dtype=np.int64))
    alive: np.ndarray = field(default_factory=lambda: np.zeros(1024, dtype=bool))
    sigs: np.ndarray = field(default_factory=lambda: np.zeros((1024, NUM_PERM), dtype=np.uint32))
    has_sig: np.ndarray = field(default_factory=lambda: np.zeros(1024, dtype=bool))
    dead: int = 0
    # story -> term -> its summed weight << _COUNT_BITS | the number of articles holding it (one int: small)
    sums: dict[int, dict[int, int]] = field(default_factory=dict)
    norms: dict[int, int] = field(default_factory=dict)  # story -> squared length of its core
    compacting: bool = False

    def ensure(self, ts: int) -> None:
        """Have in memory every placed article published within WINDOW_DAYS of `ts`."""
        lo, hi = (ts - WINDOW) // DAY, (ts + WINDOW) // DAY
        day = lo
        while day <= hi:
            if day in self.days:
                day += 1
                continue
            end = day
            while end + 1 <= hi and end + 1 not in self.days:
                end += 1
            loaded = self.load(datetime.fromtimestamp(day * DAY, UTC), datetime.fromtimestamp((end + 1) * DAY, UTC))
            rows = {p.article_id: p for p in loaded}
            rows.update({i: p for i, p in self.pending.items() if day <= int(p.published.timestamp()) // DAY <= end})
            for p in sorted(rows.values(), key=lambda p: (p.published, p.article_id)):
                self.add(Entry(p.article_id, int(p.published.timestamp()), p.story_id, p.copy_of, p.features))
            self.days.update(range(day, end + 1))
            day = end + 1

    def add(self, entry: Entry) -> None:
        """Hold `entry` (replacing an entry of the same article)."""
        old = self.by_id.get(entry.id)
        if old is not None:
            self.remove(old)
        self.by_id[entry.id] = entry
        self.by_day.setdefault(entry.ts // DAY, []).append(entry)
        slot = entry.slot = len(self.entries)
        self.entries.append(entry)
        if slot >= len(self.ts):
            size = 2 * len(self.ts)
            self.ts, self.story, self.alive = (np.resize(self.ts, size), np.resize(self.story, size),
                                               np.resize(self.alive, size))
            self.has_sig = np.resize(self.has_sig, size)
            sigs = np.zeros((size, NUM_PERM), dtype=np.uint32)
            sigs[: len(self.sigs)] = self.sigs
            self.sigs = sigs
        self.ts[slot], self.story[slot], self.alive[slot] = entry.ts, entry.story, True
        sig, terms, quant = _unpack(entry.features)
        self.has_sig[slot] = sig is not None
        if sig is not None:
            self.sigs[slot] = sig
        term_list, quant_list = terms.tolist(), quant.tolist()
        self._add_to_centroid(entry.story, term_list, quant_list, 1)
        self.index.add(slot, term_list, quant_list, self.alive, merge=not self.compacting)

    def _add_to_centroid(self, story: int, terms: list[int], quant: list[int], sign: int) -> None:
        """Add (sign 1) or take away (-1) an entry's terms from its story's term sums and counts, and keep
        the squared length of the story's core up to date (exact integers: the same in any order)."""
        sums = self.sums.get(story)
        if sums is None:
            sums = self.sums[story] = {}
        norm = self.norms.get(story, 0)
        for term, q in zip(terms, quant):
            held = sums.get(term, 0)
            now = held + sign * ((q << _COUNT_BITS) | 1)
            norm += (((now >> _COUNT_BITS) * (now & _COUNT_MASK)) ** 2
                     - ((held >> _COUNT_BITS) * (held & _COUNT_MASK)) ** 2)
            if now & _COUNT_MASK:
                sums[term] = now
            else:
                del sums[term]
        if sums:
            self.norms[story] = norm
        else:
            del self.sums[story]
            self.norms.pop(story, None)

    def centroid_cosine(self, entry: Entry, story: int) -> float:
        """The cosine of the entry's terms with its story's core: each term's summed weight over the story's
        held articles times the number of them holding it (so what one article says alone weighs little)."""
        _, terms, quant = _unpack(entry.features)
        return self._centroid_cosine(terms.tolist(), quant.tolist(), story)

    def _centroid_cosine(self, terms: list[int], quant: list[int], story: int) -> float:
        sums = self.sums.get(story)
        norm = self.norms.get(story, 0)
        if not sums or norm <= 0:
            return 0.0
        dot = 0
        for term, q in zip(terms, quant):
            held = sums.get(term)
            if held is not None:
                dot += q * (held >> _COUNT_BITS) * (held & _COUNT_MASK)
        return dot / (_WEIGHT_SCALE * math.sqrt(norm))

    def _kill(self, entry: Entry) -> None:
        if entry.alive:
            _, terms, quant = _unpack(entry.features)
            self._add_to_centroid(entry.story, terms.tolist(), quant.tolist(), -1)
        entry.alive = False
        self.alive[entry.slot] = False
        self.dead += 1
        if self.by_id.get(entry.id) is entry:
            del self.by_id[entry.id]

    def remove(self, entry: Entry) -> None:
        """Forget `entry` (its index entries are dropped lazily)."""
        self._kill(entry)
        day = self.by_day.get(entry.ts // DAY)
        if day is not None and entry in day:
            day.remove(entry)

    def forget_before(self, ts: int) -> None:
        """Drop the days that end before `ts` - WINDOW_DAYS (never needed again while moving forward)."""
        first = (ts - WINDOW) // DAY - 1
        for day in [d for d in self.days if d < first]:
            self.days.discard(day)
            for entry in self.by_day.pop(day, []):
                self._kill(entry)
        if self.dead > max(20_000, len(self.by_id)):
            self._compact()

    def _compact(self) -> None:
        """Rebuild the slots and indexes from the live entries (dead ones are skipped until then)."""
        live = [e for e in self.entries if e.alive]
        self.entries, self.index = [], TermIndex()
        self.sums, self.norms = {}, {}
        self.alive[:] = False
        self.has_sig[:] = False
        self.dead = 0
        self.by_id, by_day = {}, self.by_day
        self.by_day = {}
        self.compacting = True
        try:
            for entry in live:
                self.add(entry)
        finally:
            self.compacting = False
        self.index.merge(self.alive)
        del by_day

    def __len__(self) -> int:
        return len(self.by_id)


@dataclass(frozen=True)
class Decision:
    """Why an article was placed where it was (for tests and `stories -v`)."""

    story: int
    copy_of: int | None
    score: float  # the copy's slot agreement, or the story's decayed cosine (0 for a new story)


class Grouper:
    """Places articles one by one into the stories held by a `Window` over the store."""

    def __init__(self, load) -> None:
        self.window = Window(load)
        self.repoints: list[tuple[int, int]] = []  # (old original, new original) not yet in the store

    def place(self, article_id: int, published: datetime, packed: bytes) -> Decision:
        """Place one article (again, if it was placed before) by its packed features (`Features.pack`); the
        placements it changed go to `pending`."""
        ts = int(published.timestamp())
        window = self.window
        window.ensure(ts)
        old = window.by_id.get(article_id)
        if old is not None:
            window.remove(old)
        entry = Entry(article_id, ts, article_id, None, packed)
        sig, terms, quant = _unpack(packed)
        near, dots, entity = self._neighbours(ts, terms.tolist(), (quant / _WEIGHT_SCALE).tolist())
        decision = (self._as_copy(entry, sig, near, dots)
                    or self._in_story(entry, terms.tolist(), quant.tolist(), near, dots, entity))
        entry.story, entry.copy_of = decision.story, decision.copy_of
        window.add(entry)
        window.pending[article_id] = entry.placement()
        return decision

    def take_pending(self) -> tuple[list[StoryPlacement], list[tuple[int, int]]]:
        """The placements and original changes made since the last call (to save in one transaction)."""
        out = sorted(self.window.pending.values(), key=lambda p: p.article_id)
        repoints = self.repoints
        self.window.pending, self.repoints = {}, []
        return out, repoints

    def _neighbours(self, ts: int, terms: list[int],
                    weights: list[float]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The slots of the live entries within WINDOW_DAYS of `ts` sharing a term, their cosines, and the
        part of each cosine that named entities make."""
        window = self.window
        slots, values, names = window.index.gather(terms, weights)
        if not len(slots):
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float64), np.empty(0, dtype=np.float64)
        # one dot product per entry sharing a term: summed in the article's term order, always
        size = len(window.entries)
        dots = np.bincount(slots, weights=values, minlength=size)
        near = np.flatnonzero(dots)
        near = near[window.alive[near]]
        near = near[np.abs(window.ts[near] - ts) <= WINDOW]
        if names.any():
            entity = np.bincount(slots[names], weights=values[names], minlength=size)
            return near, dots[near], entity[near]
        return near, dots[near], np.zeros(len(near), dtype=np.float64)

    # --- copies ------------------------------------------------------------------------------
    def _as_copy(self, entry: Entry, sig: np.ndarray | None, near: np.ndarray, dots: np.ndarray) -> Decision | None:
        if sig is None or not len(near):
            return None
        window = self.window
        cands = near[dots >= COPY_COSINE]
        cands = cands[window.has_sig[cands]]
        if not len(cands):
            return None
        agree = np.count_nonzero(window.sigs[cands] == sig, axis=1)
        top = int(agree.max())
        similarity = top / NUM_PERM
        if similarity < COPY_SIMILARITY:
            return None
        cand = min((window.entries[s] for s in cands[agree == top].tolist()), key=lambda e: e.order)  # the earliest
        original = self.window.by_id.get(cand.copy_of) if cand.copy_of is not None else cand
        if original is not None and entry.order < original.order:
            self._make_original(entry, original)
            return Decision(cand.story, None, similarity)
        return Decision(cand.story, cand.copy_of if cand.copy_of is not None else cand.id, similarity)

    def _make_original(self, entry: Entry, original: Entry) -> None:
        """`entry` was published before the original it copies: it becomes the group's original."""
        for other in list(self.window.by_id.values()):
            if other.id == original.id or other.copy_of == original.id:
                other.copy_of = entry.id
                self.window.pending[other.id] = other.placement()
        self.repoints.append((original.id, entry.id))

    # --- stories -----------------------------------------------------------------------------
    def _in_story(self, entry: Entry, terms: list[int], quant: list[int], near: np.ndarray,
                  dots: np.ndarray, entity: np.ndarray) -> Decision:
        window = self.window
        if len(near):
            days = np.abs(window.ts[near] - entry.ts) / DAY
            event = dots - entity  # what they share besides names
            scores = np.maximum(dots * np.exp(-days / DECAY_DAYS),
                                np.where(event >= EVENT_COSINE, event * np.exp(-np.square(days / EVENT_DAYS)), 0.0))
            strong = scores >= JOIN_SCORE
            if strong.any():
                stories, scores = window.story[near[strong]], scores[strong]
                while len(scores):  # the best linked story first (ties: the lowest id), until one takes it
                    best = scores.max()
                    story = int(stories[scores == best].min())
                    if window._centroid_cosine(terms, quant, story) >= CENTROID_SCORE:
                        return Decision(story, None, float(best))
                    others = stories != story
                    stories, scores = stories[others], scores[others]
        return Decision(entry.id, None, 0.0)
