"""The static site's search index, written whole by a full build: numpy over every article's code units.

The files and their format are `publish.search`'s; this module only makes them fast for a whole
archive. Each article's bigrams are computed with numpy (a lookup table over UTF-16 code units),
postings are spilled in chunks to run files on disk, sorted by group of shards, and each group is
gathered from the runs, sorted and written at the end, so memory stays flat as the archive grows.
Kept apart from `publish.search` so an incremental build (which updates a few small files in pure
Python) never imports numpy.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

from newsmirror.chinese import chartable
from newsmirror.publish.files import OutputFolder, sorted_lines
from newsmirror.publish.search import (
    _FNV_OFFSET,
    _FNV_PRIME,
    _M32,
    _WORD,
    BLOCK,
    DocEntry,
    _block_js,
    _shard_js,
    block_path,
    shard_path,
    token_shard,
)

__all__ = ["SearchWriter"]

_SPILL = 200_000  # postings held in memory before they are spilled to a run file
_GROUP = 200_000  # postings (about) per group of shards sorted at the end
_POSTINGS_PER_ARTICLE = 1_200  # distinct bigrams and words of a news article, about

# UTF-16 code units that form bigrams: kana, CJK Extension A, CJK Unified, Hangul, Compatibility.
_CJK_UNITS = np.zeros(65536, dtype=bool)
for _lo, _hi in ((0x3040, 0x30FF), (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xAC00, 0xD7AF), (0xF900, 0xFAFF)):
    _CJK_UNITS[_lo : _hi + 1] = True

_WORD_BASE = 0xFB000000  # a word's code: its rank among this build's words + this (above every bigram's code)

_FOLD: np.ndarray | None = None


def _fold_units(text: str) -> np.ndarray:
    """The folded UTF-16 code units of `text` (see chinese.chartable.fold_units)."""
    global _FOLD
    if _FOLD is None:
        _FOLD = np.array(chartable.fold_units(), dtype=np.uint16)
    return _FOLD[np.frombuffer(text.encode("utf-16-le"), dtype="<u2")]



def _bigram_shards(codes: np.ndarray, bits: int) -> np.ndarray:
    """token_shard of bigram codes (c1 << 16 | c2), vectorized."""
    c = codes.astype(np.uint64)
    h: np.ndarray = np.full(len(c), _FNV_OFFSET, dtype=np.uint64)
    h = ((h ^ (c >> np.uint64(16))) * _FNV_PRIME) & _M32
    h = ((h ^ (c & np.uint64(0xFFFF))) * _FNV_PRIME) & _M32
    h ^= h >> 16
    h = (h * 0x85EBCA6B) & _M32
    h ^= h >> 13
    h = (h * 0xC2B2AE35) & _M32
    h ^= h >> 16
    return (h & ((1 << bits) - 1)).astype(np.int64)


def _bigram_codes(units: np.ndarray) -> np.ndarray:
    """Bigram codes (c1 << 16 | c2, so numeric order is string order) of the CJK runs of folded code units."""
    if len(units) < 2:
        return np.empty(0, dtype=np.uint32)
    cjk = _CJK_UNITS[units]
    both = cjk[:-1] & cjk[1:]
    return (units[:-1][both].astype(np.uint32) << 16) | units[1:][both]


def _varint_sizes(values: np.ndarray) -> np.ndarray:
    """How many LEB128 bytes each non-negative integer takes."""
    v = values.astype(np.uint64)
    n = np.ones(len(v), dtype=np.int64)
    for k in (7, 14, 21, 28, 35):
        n += v >= np.uint64(1 << k)
    return n


def _varints(values: np.ndarray) -> np.ndarray:
    """LEB128 bytes of non-negative integers, vectorized."""
    v = values.astype(np.uint64)
    n = _varint_sizes(values)
    starts = np.cumsum(n) - n
    out = np.zeros(int(n.sum()), dtype=np.uint8)
    for j in range(int(n.max()) if len(n) else 0):
        has = n > j
        byte = (v[has] >> np.uint64(7 * j)) & np.uint64(0x7F)
        more = (n[has] > j + 1).astype(np.uint64) << np.uint64(7)
        out[starts[has] + j] = (byte | more).astype(np.uint8)
    return out



class SearchWriter:
    """Builds the whole index while a full build streams the archive; `finish()` writes the files."""

    def __init__(self, folder: OutputFolder, *, bits: int, articles: int) -> None:
        self.folder = folder
        self.bits = bits
        self.docs = 0
        self.group_bits = 0  # shards are gathered in 2**group_bits groups, each small enough to sort in memory
        while self.group_bits < bits and (articles * _POSTINGS_PER_ARTICLE) >> self.group_bits > _GROUP:
            self.group_bits += 1
        self._runs: list[tuple[Path, np.ndarray]] = []  # spilled postings, sorted by group, and each group's bounds
        for stale in folder.root.glob(".newsmirror-search-*"):  # left by a build that was killed
            shutil.rmtree(stale, ignore_errors=True)
        self._tmp = Path(tempfile.mkdtemp(prefix=".newsmirror-search-", dir=folder.root))
        self._codes: list[np.ndarray] = []
        self._ids: list[np.ndarray] = []
        self._held = 0
        self._words: dict[str, int] = {}
        self._word_shards = np.empty(0, dtype=np.int64)
        self._docs_file = open(self._tmp / "docs", "w", encoding="utf-8", newline="\n")

    def add(self, doc: DocEntry, texts: Iterable[str]) -> None:
        """Index one article (its revisions' titles and texts)."""
        units = _fold_units("\n".join(texts))
        codes = _bigram_codes(units)  # duplicates go when the group is sorted
        words = set(_WORD.findall(units.tobytes().decode("utf-16-le", "surrogatepass")))
        if words:
            table = self._words
            extra = np.fromiter((table.setdefault(w, len(table)) for w in words), dtype=np.uint32, count=len(words))
            codes = np.concatenate([codes, extra + np.uint32(_WORD_BASE)])
        self._codes.append(codes)
        self._ids.append(np.full(len(codes), doc.id, dtype=np.uint32))
        self._held += len(codes)
        self._docs_file.write(f"{doc.id:012d}\t{json.dumps(doc.row(), ensure_ascii=False)}\n")
        self.docs += 1
        if self._held >= _SPILL:
            self._spill()

    def _spill(self) -> None:
        """Write the postings held so far to a run file, grouped, and remember where each group starts."""
        if not self._codes:
            return
        codes = np.concatenate(self._codes)
        ids = np.concatenate(self._ids)
        self._codes, self._ids, self._held = [], [], 0
        groups = self._shards(codes) >> (self.bits - self.group_bits)
        order = np.argsort(groups, kind="stable")
        keys = (codes.astype(np.uint64) << np.uint64(32)) | ids.astype(np.uint64)
        del codes, ids
        keys = keys[order]
        bounds = np.searchsorted(groups[order], np.arange((1 << self.group_bits) + 1))
        path = self._tmp / f"run{len(self._runs)}"
        keys.tofile(path)
        self._runs.append((path, bounds))

    def _shards(self, codes: np.ndarray) -> np.ndarray:
        """The shard of each code (bigrams hashed here, words looked up by their number)."""
        shards = _bigram_shards(codes, self.bits)
        is_word = codes >= _WORD_BASE
        if is_word.any():
            if len(self._word_shards) < len(self._words):
                names = self._word_names()
                self._word_shards = np.array([token_shard(w, self.bits) for w in names], dtype=np.int64)
            shards[is_word] = self._word_shards[codes[is_word] - _WORD_BASE]
        return shards

    def _word_names(self) -> list[str]:
        names = [""] * len(self._words)
        for word, number in self._words.items():
            names[number] = word
        return names

    def finish(self) -> None:
        """Write every shard, document block and meta.js, then drop the temporary files."""
        try:
            self._spill()
            self._docs_file.close()
            names = self._word_names()
            rank = np.empty(len(names), dtype=np.uint32)  # words in a shard go in text order: number -> rank
            rank[np.argsort(np.array(names, dtype=object), kind="stable")] = np.arange(len(names), dtype=np.uint32)
            by_rank = sorted(names)
            written: set[int] = set()
            for g in range(1 << self.group_bits):
                parts = [np.fromfile(path, dtype=np.uint64, count=int(b[g + 1] - b[g]), offset=int(b[g]) * 8)
                         for path, b in self._runs if b[g + 1] > b[g]]
                if parts:
                    written |= self._write_group(np.concatenate(parts), rank, by_rank)
            for shard in range(1 << self.bits):  # every shard exists, so a browser never asks for a missing file
                if shard not in written:
                    self.folder.put(shard_path(shard), _shard_js(shard, "", [], b"", b"", b""))
            self._write_blocks()
        finally:
            shutil.rmtree(self._tmp, ignore_errors=True)

    def _write_group(self, keys: np.ndarray, rank: np.ndarray, by_rank: list[str]) -> set[int]:
        """Write the shards of one group of (code << 32 | id) postings; the shards written."""
        codes = (keys >> np.uint64(32)).astype(np.uint32)
        ids = (keys & np.uint64(_M32)).astype(np.uint32)
        shards = self._shards(codes)  # before renumbering words: _shards looks words up by number
        is_word_code = codes >= _WORD_BASE
        codes[is_word_code] = rank[codes[is_word_code] - _WORD_BASE] + np.uint32(_WORD_BASE)
        # by shard, then token, then id: one sort of (code << 32 | id), then a stable sort by shard (a radix sort of
        # 16-bit numbers): four times faster than np.lexsort of the three
        by_token = np.argsort((codes.astype(np.uint64) << np.uint64(32)) | ids.astype(np.uint64))
        order = by_token[np.argsort(shards[by_token].astype(np.uint16), kind="stable")]
        codes, ids, shards = codes[order], ids[order], shards[order]
        keep = np.ones(len(codes), dtype=bool)  # an article's bigram counted once
        keep[1:] = (codes[1:] != codes[:-1]) | (ids[1:] != ids[:-1])
        codes, ids, shards = codes[keep], ids[keep], shards[keep]
        starts = np.ones(len(codes), dtype=bool)
        starts[1:] = codes[1:] != codes[:-1]
        gaps = ids.astype(np.int64)
        gaps[1:] = np.where(starts[1:], gaps[1:], gaps[1:] - gaps[:-1])
        raw = _varints(gaps).tobytes()
        byte_end = np.cumsum(_varint_sizes(gaps))
        first = np.flatnonzero(starts)  # each token's first posting
        last = np.append(first[1:], len(codes)) - 1
        token_codes = codes[first]
        token_shard = shards[first]
        token_end = byte_end[last]
        token_len = np.diff(np.concatenate([[0], token_end]))
        lens_raw, lens_end = _varints(token_len).tobytes(), np.cumsum(_varint_sizes(token_len))
        lasts_raw, lasts_end = _varints(ids[last]).tobytes(), np.cumsum(_varint_sizes(ids[last].astype(np.int64)))
        is_word = token_codes >= _WORD_BASE
        pairs = np.empty(2 * len(first), dtype=">u2")
        pairs[0::2] = token_codes >> 16
        pairs[1::2] = token_codes & 0xFFFF
        text = pairs.tobytes().decode("utf-16-be", "surrogatepass")  # words' codes make junk pairs: never sliced
        cut = np.flatnonzero(np.diff(token_shard)) + 1
        lo_list = [0, *cut.tolist()]
        hi_list = [*cut.tolist(), len(first)]
        shard_ids = token_shard[lo_list].tolist() if len(first) else []
        word_at = np.cumsum(is_word)  # how many words up to and including each token
        done: set[int] = set()
        for shard, lo, hi in zip(shard_ids, lo_list, hi_list):
            n_words = int(word_at[hi - 1] - (word_at[lo - 1] if lo else 0))
            n_bigrams = hi - lo - n_words  # bigrams come first in a shard, then words (codes sort so)
            words = [by_rank[c - _WORD_BASE] for c in token_codes[hi - n_words : hi].tolist()] if n_words else []

            def span(ends: np.ndarray, i: int, j: int) -> tuple[int, int]:
                return (int(ends[i - 1]) if i else 0), int(ends[j - 1])

            b0, b1 = span(token_end, lo, hi)
            l0, l1 = span(lens_end, lo, hi)
            t0, t1 = span(lasts_end, lo, hi)
            self.folder.put(shard_path(shard), _shard_js(shard, text[2 * lo : 2 * (lo + n_bigrams)], words,
                                                         lens_raw[l0:l1], lasts_raw[t0:t1], raw[b0:b1]))
            done.add(shard)
        return done

    def _write_blocks(self) -> None:
        block = -1
        rows: list[Any] = []
        for line in sorted_lines(_lines(self._tmp / "docs"), workdir=self._tmp):
            doc_id, row = line.split("\t", 1)
            b = int(doc_id) // BLOCK
            if b != block and rows:
                self.folder.put(block_path(block), _block_js(block, rows))
                rows = []
            block = b
            rows.append(json.loads(row))
        if rows:
            self.folder.put(block_path(block), _block_js(block, rows))


def _lines(path: Path) -> Iterator[str]:
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            yield line.rstrip("\n")
