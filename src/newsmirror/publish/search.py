"""The static site's search index: files a browser reads to search offline, through scripts and spellings.

Why our own index rather than Pagefind: the query must be folded and alias-expanded exactly as
the text was (普京 = 普亭 = 蒲亭, 繁 = 简), an incremental build must update the index for one new
article in well under a second (Pagefind re-indexes the whole site), and the first query should
fetch a few kilobytes, not a chunk of a general-purpose index.

What is indexed: every revision's title and text, folded by `fold` (`chinese.chartable.fold_units`: Simplified per
character, half-width, lower case), as the set of its CJK character bigrams plus its Latin words
and numbers. A query term matches an article holding all the term's bigrams (words); a term with
aliases matches any of its spellings; all terms must match. Results come newest archived first
(highest article id).

Files (all JavaScript that calls a global, so `<script>` loading works from `file://` too):

    search/meta.js                     NM.m({v, bits, docs, block, aliases}): read first
    search/t/<s // 256>/<s % 256>.js   NM.s(s, "bigrams", [words], "lengths", "largest ids", "ids"): shard s
    search/d/<b // 1000>/<b>.js        NM.d(b, [[id, title, source, "YYYY-MM-DD HH:MM"], ...]): 32 articles
    search/r/<s % 64>.js               NM.r(...): the recent tail, laid out as a shard (read when meta.recent)

A token's shard is `fmix32(fnv1a(UTF-16 code units)) % 2**bits` (static/search.js computes the same).
A shard holds its tokens, CJK bigrams (one string, two characters each) then words, each in text
order (`token_order`); then three base64 blobs of LEB128 varints: each token's byte length in the
data, each token's largest id, and the data itself: each token's ascending ids as gaps. The largest
ids let an incremental build append a new article's gap without decoding a list.

The recent tail: an incremental build adds new and revised articles to 64 small files
(`search/r/`, a token's file is its shard number % 64) instead of the ~600 shards one article's
bigrams fall in, so adding one article writes 64 small files; the browser reads a token's ids from
its shard and its tail file. When the tail holds more than `RECENT_MAX` articles, the build merges
it into the shards (touching most of them, once per 128 articles); a full build has no tail.

Building streams: each article's bigrams are computed with numpy (a lookup table over UTF-16 code
units), postings are spilled in chunks to run files on disk, sorted by group of shards, and each
group is gathered from the runs, sorted and written at the end, so memory stays flat as the archive
grows.
"""

from __future__ import annotations

import base64
import bisect
import json
import re
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np

from newsmirror.chinese import chartable
from newsmirror.publish.files import OutputFolder, sorted_lines

__all__ = [
    "BLOCK",
    "DocEntry",
    "SearchWriter",
    "SearchUpdater",
    "RECENT_MAX",
    "alias_groups",
    "fold_recent",
    "read_index",
    "recent_path",
    "recent_postings",
    "doc_entry",
    "doc_tokens",
    "fold",
    "search_meta",
    "shard_bits",
    "token_shard",
]

BLOCK = 32  # articles per document block file
RECENT_BITS = 6  # the recent tail is 2**6 files: a token's is the low 6 bits of its shard number
RECENT_PARTS = 1 << RECENT_BITS
RECENT_MAX = 128  # articles in the tail before an incremental build merges it into the shards
_SPILL = 200_000  # postings held in memory before they are spilled to a run file
_GROUP = 200_000  # postings (about) per group of shards sorted at the end
_POSTINGS_PER_ARTICLE = 1_200  # distinct bigrams and words of a news article, about
_FNV_OFFSET, _FNV_PRIME = 2166136261, 16777619
_M32 = 0xFFFFFFFF

# UTF-16 code units that form bigrams: kana, CJK Extension A, CJK Unified, Hangul, Compatibility.
_CJK_UNITS = np.zeros(65536, dtype=bool)
for _lo, _hi in ((0x3040, 0x30FF), (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xAC00, 0xD7AF), (0xF900, 0xFAFF)):
    _CJK_UNITS[_lo : _hi + 1] = True
# Latin (with accents), Greek and Cyrillic words and numbers, after folding: "putin", "g20", "2024".
_WORD = re.compile(r"[0-9a-z\u00c0-\u024f\u0370-\u03ff\u0400-\u04ff]{2,}")
_WORD_BASE = 0xFB000000  # a word's code: its rank among this build's words + this (above every bigram's code)


_FOLD: np.ndarray | None = None


def _fold_units(text: str) -> np.ndarray:
    """The folded UTF-16 code units of `text` (see chinese.chartable.fold_units)."""
    global _FOLD
    if _FOLD is None:
        _FOLD = np.array(chartable.fold_units(), dtype=np.uint16)
    return _FOLD[np.frombuffer(text.encode("utf-16-le"), dtype="<u2")]


def fold(text: str) -> str:
    """The static search's fold of `text`: Simplified per character, half-width ASCII, lower case."""
    return _fold_units(text).astype("<u2").tobytes().decode("utf-16-le", "surrogatepass")


def shard_bits(articles: int) -> int:
    """How many bits of token hash name a shard, for an archive of `articles`: shards of a few kB."""
    bits = 6
    while bits < 16 and (1 << bits) * 3 < articles:
        bits += 1
    return bits


def _fmix(h: int) -> int:
    h ^= h >> 16
    h = (h * 0x85EBCA6B) & _M32
    h ^= h >> 13
    h = (h * 0xC2B2AE35) & _M32
    return h ^ (h >> 16)


def token_shard(token: str, bits: int) -> int:
    """The shard of a token (the same function as search.js)."""
    h = _FNV_OFFSET
    data = token.encode("utf-16-le")
    for i in range(0, len(data), 2):
        h = ((h ^ (data[i] | data[i + 1] << 8)) * _FNV_PRIME) & _M32
    return _fmix(h) & ((1 << bits) - 1)


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


def _bigram_text(codes: np.ndarray) -> list[str]:
    """The bigrams of codes, as strings."""
    pairs = np.empty(2 * len(codes), dtype=">u2")
    pairs[0::2] = codes >> 16
    pairs[1::2] = codes & 0xFFFF
    text = pairs.tobytes().decode("utf-16-be")
    return [text[i : i + 2] for i in range(0, len(text), 2)]


def token_order(token: str) -> tuple[bool, str]:
    """How tokens are ordered in a shard: CJK bigrams first, then words, each by text."""
    return (not (len(token) == 2 and _CJK_UNITS[ord(token[0])] and _CJK_UNITS[ord(token[1])]), token)


def doc_tokens(texts: Iterable[str]) -> set[str]:
    """The tokens of an article's texts as strings (bigrams and words), for incremental updates."""
    tokens: set[str] = set()
    for text in texts:
        units = _fold_units(text)
        tokens.update(_bigram_text(np.unique(_bigram_codes(units))))
        tokens.update(_WORD.findall(units.tobytes().decode("utf-16-le", "surrogatepass")))
    return tokens


def shard_path(shard: int) -> str:
    return f"search/t/{shard >> 8}/{shard & 255}.js"


def recent_path(part: int) -> str:
    """A file of the recent tail: the postings of articles added since the index was last merged."""
    return f"search/r/{part}.js"


def block_path(block: int) -> str:
    return f"search/d/{block // 1000}/{block}.js"


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


def _encode_ids(ids: list[int]) -> bytes:
    """Varint gaps of ascending ids (a single token's list)."""
    out = bytearray()
    prev = 0
    for i in ids:
        gap = i - prev
        prev = i
        while True:
            byte = gap & 0x7F
            gap >>= 7
            if gap:
                out.append(byte | 0x80)
            else:
                out.append(byte)
                break
    return bytes(out)


def _decode_ids(data: bytes) -> list[int]:
    ids, cur, shift, prev = [], 0, 0, 0
    for byte in data:
        cur |= (byte & 0x7F) << shift
        if byte & 0x80:
            shift += 7
            continue
        prev += cur
        ids.append(prev)
        cur = shift = 0
    return ids


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _shard_js(shard: int, bigrams: str, words: list[str], lens: bytes, lasts: bytes, data: bytes, *,
              call: str = "s") -> str:
    """A shard file: its bigrams as one string (two characters each), its words, then base64 varints of
    each token's byte length in `data`, of each token's largest id, and the id lists themselves.
    `call` "r": a file of the recent tail (the same layout, another callback)."""
    return (f"NM.{call}({shard},{json.dumps(bigrams, ensure_ascii=False)},"
            f"{json.dumps(words, ensure_ascii=False, separators=(',', ':'))},"
            f"\"{_b64(lens)}\",\"{_b64(lasts)}\",\"{_b64(data)}\");\n")


_SHARD_JS = re.compile(r'NM\.[sr]\((\d+),("(?:[^"\\]|\\.)*"),(\[.*?\]),"([A-Za-z0-9+/=]*)","([A-Za-z0-9+/=]*)",'
                       r'"([A-Za-z0-9+/=]*)"\);\s*$', re.S)


def _read_shard(path: Path) -> tuple[list[str], np.ndarray, np.ndarray, bytes]:
    """(tokens, byte ends, largest ids, data) of a shard file; empty when it does not exist."""
    try:
        m = _SHARD_JS.match(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return [], np.zeros(0, np.int64), np.zeros(0, np.int64), b""
    if m is None:
        raise ValueError(f"{path} is not a search shard")
    bigrams = json.loads(m.group(2))
    tokens = [bigrams[i : i + 2] for i in range(0, len(bigrams), 2)] + json.loads(m.group(3))
    ends = np.cumsum(_decode_plain(base64.b64decode(m.group(4))))
    return tokens, ends, _decode_plain(base64.b64decode(m.group(5))), base64.b64decode(m.group(6))


def _decode_plain(data: bytes) -> np.ndarray:
    """LEB128 varints (not gaps), vectorized: each value is the sum of its bytes' low 7 bits, shifted."""
    b = np.frombuffer(data, dtype=np.uint8)
    if not len(b):
        return np.zeros(0, np.int64)
    ends = np.flatnonzero((b & 0x80) == 0)
    starts = np.concatenate([[0], ends[:-1] + 1])
    place = np.arange(len(b)) - np.repeat(starts, ends - starts + 1)  # each byte's place in its varint
    return np.add.reduceat((b & 0x7F).astype(np.int64) << (7 * place), starts)


def _encode_plain(values: list[int]) -> bytes:
    return _varints(np.asarray(values, dtype=np.int64)).tobytes()


def _count_bigrams(tokens: list[str]) -> int:
    """How many tokens of a shard's list (in `token_order`) are bigrams: they come first, the few words last."""
    n = len(tokens)
    while n and token_order(tokens[n - 1])[0]:
        n -= 1
    return n


def _write_shard(folder: OutputFolder, shard: int, tokens: list[str], chunks: list[bytes], lasts: list[int], *,
                 recent: bool = False) -> None:
    """Write a shard (or a file of the recent tail) from Python lists (incremental updates); tokens in
    `token_order`."""
    n_bigrams = _count_bigrams(tokens)
    bigrams, words = "".join(tokens[:n_bigrams]), tokens[n_bigrams:]
    folder.put(recent_path(shard) if recent else shard_path(shard),
               _shard_js(shard, bigrams, words, _encode_plain([len(c) for c in chunks]), _encode_plain(lasts),
                         b"".join(chunks), call="r" if recent else "s"))


@dataclass(frozen=True)
class DocEntry:
    """What a search result shows: id, title, outlet and local time (the page's path follows from them)."""

    id: int
    title: str
    source: str
    when: str  # "YYYY-MM-DD HH:MM" in the site's zone

    def row(self) -> list[Any]:
        return [self.id, self.title, self.source, self.when]


def _block_js(block: int, rows: list[list[Any]]) -> str:
    return f"NM.d({block},{json.dumps(rows, ensure_ascii=False, separators=(',', ':'))});\n"


_BLOCK_JS = re.compile(r"NM\.d\((\d+),(\[.*\])\);\s*$", re.S)


def search_meta(bits: int, docs: int, aliases: list[list[str]], recent: int = 0) -> str:
    """search/meta.js; `recent`: how many articles the recent tail holds (0: the browser loads none of it)."""
    meta = {"v": 1, "bits": bits, "docs": docs, "block": BLOCK, "aliases": aliases, "recent": recent,
            "recent_bits": RECENT_BITS}
    return f"NM.m({json.dumps(meta, ensure_ascii=False, separators=(',', ':'))});\n"


def alias_groups(aliases: Any) -> list[list[str]]:
    """The alias groups, each spelling folded the static search's way, sorted (for meta.js)."""
    groups = {frozenset(g) for g in aliases.groups.values()} if aliases is not None else set()
    out = []
    for group in groups:
        folded = sorted({fold(s) for s in group})
        if len(folded) > 1:
            out.append(folded)
    return sorted(out)


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
        order = np.lexsort((ids, codes, shards))  # by shard, then token, then id
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


class SearchUpdater:
    """Adds changed articles to an existing index in place: their shards and blocks only.

    `recent=True`: to the recent tail instead (`RECENT_PARTS` files, `recent_path`), so one new article
    rewrites 64 small files, not the ~600 shards its bigrams fall in; `fold_recent` merges the tail
    into the shards when it grows past `RECENT_MAX` articles, and a full build starts without one."""

    def __init__(self, folder: OutputFolder, *, bits: int, recent: bool = False) -> None:
        self.folder = folder
        self.recent = recent
        self.bits = RECENT_BITS if recent else bits
        self._adds: dict[int, dict[str, list[int]]] = {}
        self._docs: dict[int, DocEntry] = {}

    def add(self, doc: DocEntry, texts: Iterable[str]) -> None:
        """Queue one article's tokens and result row (written by finish)."""
        for token in doc_tokens(texts):
            self._adds.setdefault(token_shard(token, self.bits), {}).setdefault(token, []).append(doc.id)
        self._docs[doc.id] = doc

    def add_ids(self, token: str, ids: list[int]) -> None:
        """Queue postings already in an index (the recent tail's, when it is merged into the shards)."""
        self._adds.setdefault(token_shard(token, self.bits), {}).setdefault(token, []).extend(ids)

    def finish(self) -> int:
        """Rewrite the touched shards and blocks; the number of articles added or updated."""
        root = self.folder.root
        path = recent_path if self.recent else shard_path
        for shard, adds in sorted(self._adds.items()):
            tokens, ends, last_ids, data = _read_shard(root / path(shard))
            starts = np.concatenate([[0], ends[:-1]]).tolist()
            chunks = [data[a:b] for a, b in zip(starts, ends.tolist())]
            lasts = last_ids.tolist()
            at = {t: i for i, t in enumerate(tokens)}
            new: dict[str, tuple[bytes, int]] = {}
            for token, ids in adds.items():
                ids = sorted(set(ids))
                i = at.get(token)
                old, last = (chunks[i], lasts[i]) if i is not None else (b"", 0)
                if ids[0] > last:  # new articles (the usual case): append their gaps, nothing decoded
                    chunk, last = old + _reencode_from(last, ids), ids[-1]
                else:
                    merged = sorted(set(_decode_ids(old)) | set(ids))
                    chunk, last = _encode_ids(merged), merged[-1]
                if i is None:
                    new[token] = (chunk, last)
                else:
                    chunks[i], lasts[i] = chunk, last
            n_bigrams = _count_bigrams(tokens)
            for token in sorted(new, key=token_order):  # tokens the shard did not hold, each into its place
                is_word = token_order(token)[0]
                lo, hi = (n_bigrams, len(tokens)) if is_word else (0, n_bigrams)
                i = bisect.bisect_left(tokens, token, lo, hi)
                tokens.insert(i, token)
                chunks.insert(i, new[token][0])
                lasts.insert(i, new[token][1])
                n_bigrams += not is_word
            _write_shard(self.folder, shard, tokens, chunks, lasts, recent=self.recent)
        if self.recent and self._adds:  # every file of a tail exists, so a browser never asks for a missing one
            for part in set(range(RECENT_PARTS)) - set(self._adds):
                if not (root / recent_path(part)).exists():
                    _write_shard(self.folder, part, [], [], [], recent=True)
        by_block: dict[int, list[DocEntry]] = {}
        for doc in self._docs.values():
            by_block.setdefault(doc.id // BLOCK, []).append(doc)
        for block, docs in sorted(by_block.items()):
            rows = _read_block(root / block_path(block))
            for doc in docs:
                rows[doc.id] = doc.row()
            self.folder.put(block_path(block), _block_js(block, [rows[i] for i in sorted(rows)]))
        return len(self._docs)


def recent_postings(root: Path) -> Iterator[tuple[str, list[int]]]:
    """Every (token, ids) of the recent tail in `root` (nothing when there is none)."""
    for part in range(RECENT_PARTS):
        tokens, ends, _, data = _read_shard(root / recent_path(part))
        start = 0
        for token, end in zip(tokens, ends.tolist()):
            yield token, _decode_ids(data[start:end])
            start = end


def fold_recent(folder: OutputFolder, updater: SearchUpdater) -> None:
    """Queue the recent tail's postings into `updater` (of the shards) and remove the tail's files."""
    for token, ids in recent_postings(folder.root):
        updater.add_ids(token, ids)
    for part in range(RECENT_PARTS):
        if (folder.root / recent_path(part)).exists():
            folder.remove(recent_path(part))


def read_index(root: Path) -> dict[str, list[int]]:
    """Every token of the index in `root` with its article ids, as a browser reads them (the shards and,
    when meta.js says there is one, the recent tail). For tests and checks: it reads every file."""
    meta = json.loads(_META_JS_TEXT.match((root / "search/meta.js").read_text(encoding="utf-8")).group(1))
    files = [root / shard_path(n) for n in range(1 << meta["bits"])]
    if meta.get("recent"):
        files += [root / recent_path(n) for n in range(RECENT_PARTS)]
    index: dict[str, set[int]] = {}
    for path in files:
        tokens, ends, _, data = _read_shard(path)
        start = 0
        for token, end in zip(tokens, ends.tolist()):
            index.setdefault(token, set()).update(_decode_ids(data[start:end]))
            start = end
    return {token: sorted(ids) for token, ids in index.items()}


_META_JS_TEXT = re.compile(r"NM\.m\((\{.*\})\);\s*$", re.S)


def _reencode_from(last: int, ids: list[int]) -> bytes:
    """Varint gaps of ascending `ids` after a list whose largest id is `last`."""
    out = bytearray()
    prev = last
    for i in ids:
        out += _encode_ids([i - prev])
        prev = i
    return bytes(out)


def _read_block(path: Path) -> dict[int, list[Any]]:
    try:
        m = _BLOCK_JS.match(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    if m is None:
        return {}
    return {row[0]: row for row in json.loads(m.group(2))}


def doc_entry(article: Any, tz: Any) -> DocEntry:
    """The search result row of a StoredArticle in the site's zone."""
    when: datetime = article.published.astimezone(tz)
    return DocEntry(article.id, article.title, article.source, f"{when:%Y-%m-%d %H:%M}")
