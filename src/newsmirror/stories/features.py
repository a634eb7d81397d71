"""What the stories stage compares, computed once per article and kept in the store with its placement.

1. The story text: title and body without furniture lines or agency credits (`furniture`), folded to one
   script and case (`chinese.fold`), every listed name spelling replaced by its group's canonical one
   (`Aliases.fold_names`: 蒲亭, 普亭, 普丁 and Putin all read 普京).
2. A MinHash signature (rensa, NUM_PERM permutations) of the body's SHINGLE-token shingles, a token being
   one CJK character or one Latin word: two bodies with Jaccard similarity J agree in about J of the
   signature's slots, whatever their headlines. Near-duplicates are found with it (`dedup`).
3. The body's and title's TOP_TERMS strongest terms (Han bigrams, Latin words), weighted (1 + ln tf) x idf
   and scaled to unit length: the cosine of two articles' terms says how alike their subjects are
   (`cluster`). The idf is a prior, the same on every machine and for every archive size: how common the
   bigram is in jieba's dictionary (`chinese.bigram_counts`), so a term like 表示 weighs little and 普京 much.

Weights are stored as 16-bit fractions and used as stored, so an article placed now and one whose features
were read back from the store compare exactly alike (`stories --rebuild` equals incremental placement).
"""

from __future__ import annotations

import heapq
import math
import re
import struct
import zlib
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from newsmirror.chinese import Aliases, fold
from newsmirror.chinese.chars import CJK_CLASS, WORD_CLASS
from newsmirror.chinese.tokens import bigram_counts, bigram_keys
from newsmirror.furniture import without_credits, without_furniture

__all__ = [
    "NUM_PERM",
    "SHINGLE",
    "TOP_TERMS",
    "Features",
    "compute_features",
    "story_text",
]

NUM_PERM = 128  # MinHash permutations: a Jaccard estimate within about +-0.04 around 0.5
SEED = 20240403
SHINGLE = 5  # tokens per shingle: with names canonical, unrelated texts share < 0.15 of them, copies > 0.5
MIN_SHINGLES = 8  # a body with fewer distinct shingles is too short to call anything a copy of it
TOP_TERMS = 32  # terms kept per article
IDF_MASS = 1e7  # idf = ln(1 + IDF_MASS / (count + IDF_SMOOTH)): 普京 (186) 12.2 ... 表示 (19,380) 6.2
IDF_SMOOTH = 50
KANA_COUNT = 20_000  # a kana or Hangul bigram counts as common (jieba knows none: particles would weigh most)
_FORMAT = b"F1"
_HEADER = struct.Struct("<2sBB")  # format, has signature, number of terms
_WEIGHT_SCALE = 65535

_WORDS = re.compile(f"[{WORD_CLASS}]{{2,}}")  # a Latin word or number of two or more characters
_NOT_TOKEN = re.compile(f"[^{CJK_CLASS}{WORD_CLASS}\ue000-\uf8ff]+")  # what is neither a CJK character nor a word
_LATIN = re.compile(f"[{WORD_CLASS}]+")  # what _RUNS reads as a word (CJK runs are read apart)
_HAN_ONLY = re.compile("[\u3400-\u9fff\uf900-\ufaff\U00020000-\U0003134f]+")
_TF = [0.0] + [1.0 + math.log(n) for n in range(1, 64)]  # a term's weight for its count: 1 + ln tf
STOPWORDS_FILE = Path(__file__).with_name("stopwords.txt")


@lru_cache(maxsize=1)
def _stopwords() -> frozenset[str]:
    """Latin function words (the, of, und, le ...): jieba's prior knows no Latin, so they are listed."""
    words: set[str] = set()
    for line in STOPWORDS_FILE.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0]
        words.update(w.lower() for w in line.split())
    return frozenset(words)


@dataclass(frozen=True, eq=False)
class Features:
    """One article's comparison data: its signature (None for a body too short) and its unit term vector."""

    signature: np.ndarray | None  # uint32[NUM_PERM]
    terms: tuple[int, ...]  # term ids (crc32 of the term), ascending
    weights: tuple[float, ...]  # as stored (16-bit fractions), unit length

    def pack(self) -> bytes:
        """The bytes the store keeps."""
        sig = self.signature.astype("<u4").tobytes() if self.signature is not None else b""
        quant = [round(w * _WEIGHT_SCALE) for w in self.weights]
        return (_HEADER.pack(_FORMAT, self.signature is not None, len(self.terms)) + sig
                + np.asarray(self.terms, dtype="<u4").tobytes() + np.asarray(quant, dtype="<u2").tobytes())

    @classmethod
    def unpack(cls, data: bytes) -> Features:
        """Read back what `pack` wrote; ValueError for bytes of another format."""
        fmt, has_sig, n = _HEADER.unpack_from(data)
        if fmt != _FORMAT:
            raise ValueError(f"story features of format {fmt!r}, expected {_FORMAT!r}")
        at = _HEADER.size
        sig = None
        if has_sig:
            sig = np.frombuffer(data, dtype="<u4", count=NUM_PERM, offset=at).astype(np.uint32)
            at += 4 * NUM_PERM
        terms = np.frombuffer(data, dtype="<u4", count=n, offset=at)
        quant = np.frombuffer(data, dtype="<u2", count=n, offset=at + 4 * n)
        return cls(sig, tuple(int(t) for t in terms), tuple(int(q) / _WEIGHT_SCALE for q in quant))


def story_text(title: str, body: str, aliases: Aliases) -> tuple[str, str]:
    """The (title, body) an article is compared by: no furniture or credits, folded, names canonical."""
    body = without_credits(without_furniture(body or ""))
    return aliases.fold_names(fold(title or "")), aliases.fold_names(fold(body))


def _one_char(m: re.Match[str]) -> str:
    return chr(0xE000 + zlib.crc32(m.group(0).encode()) % 6400)


def _signature(body: str) -> np.ndarray | None:
    import rensa  # type: ignore[import-untyped]

    # one character per token (a CJK character; a Latin word or number as one private-use character), nothing
    # else: shingles are then substrings
    joined = _NOT_TOKEN.sub("", _WORDS.sub(_one_char, body))
    if len(joined) < SHINGLE + MIN_SHINGLES - 1:
        return None
    shingles = [joined[i : i + SHINGLE] for i in range(len(joined) - SHINGLE + 1)]
    if len(set(shingles)) < MIN_SHINGLES:
        return None
    mh = rensa.RMinHash(num_perm=NUM_PERM, seed=SEED)
    mh.update(shingles)
    return np.asarray(mh.digest(), dtype=np.uint32)


def _words(text: str) -> list[str]:
    """The Latin words among a text's terms (no numbers, no function words); its Han bigrams are read
    as arrays (`_bigram_weights`)."""
    stop = _stopwords()
    return [w for w in _LATIN.findall(text) if len(w) > 1 and not w.isdigit() and w not in stop]


_idf_cache: dict[str, float] = {}


def _idf(term: str) -> float:
    idf = _idf_cache.get(term)
    if idf is None:
        if len(term) == 2 and not term.isascii() and not _HAN_ONLY.fullmatch(term):
            count = KANA_COUNT  # kana or Hangul
        else:
            count = bigram_counts().get(term, 0)
        idf = _idf_cache[term] = math.log(1.0 + IDF_MASS / (count + IDF_SMOOTH))
        if len(_idf_cache) > 2_000_000:  # Latin words are unbounded: start over rather than grow
            _idf_cache.clear()
    return idf


def _idf_of_count(count: int) -> float:
    return math.log(1.0 + IDF_MASS / (count + IDF_SMOOTH))


_tables: tuple[np.ndarray, np.ndarray, float, float] | None = None


def _idf_tables() -> tuple[np.ndarray, np.ndarray, float, float]:
    """(bigram keys, their idf, the idf of an unknown bigram, of a kana or Hangul one), each idf from
    `_idf_of_count` (math.log, so equal to what `_idf` gives one term)."""
    global _tables
    if _tables is None:
        table = bigram_counts()
        values, where = np.unique(table.counts, return_inverse=True)
        idf = np.array([_idf_of_count(int(c)) for c in values.tolist()], dtype=np.float64)[where]
        _tables = (table.bigrams, idf, _idf_of_count(0), _idf_of_count(KANA_COUNT))
    return _tables


_TF_ARRAY = np.array(_TF, dtype=np.float64)


def _is_han(codes: np.ndarray) -> np.ndarray:
    return (((codes >= 0x3400) & (codes <= 0x9FFF)) | ((codes >= 0xF900) & (codes <= 0xFAFF))
            | ((codes >= 0x20000) & (codes <= 0x3134F)))


def _bigram_weights(title: str, body: str) -> tuple[np.ndarray, np.ndarray]:
    """The distinct CJK bigrams of title and body (bigram keys) and their negated weights -(1 + ln tf) x idf,
    the same floats `_idf` and _TF give term by term."""
    keys, tf = np.unique(np.concatenate((bigram_keys(title), bigram_keys(body))), return_counts=True)
    if not len(keys):
        return keys, np.empty(0, dtype=np.float64)
    known, idf_known, idf_unknown, idf_kana = _idf_tables()
    at = np.searchsorted(known, keys)
    at[at == len(known)] = 0
    idf = np.where(known[at] == keys, idf_known[at], idf_unknown)
    han = _is_han(keys >> np.uint64(21)) & _is_han(keys & np.uint64(0x1FFFFF))
    idf = np.where(han, idf, idf_kana)
    weight = _TF_ARRAY[np.minimum(tf, 63)]
    for i in np.flatnonzero(tf >= 64).tolist():
        weight[i] = 1.0 + math.log(int(tf[i]))
    return keys, -weight * idf


def compute_features(title: str, body: str, aliases: Aliases) -> Features:
    """An article's features from its title and body text (see the module docstring)."""
    title, body = story_text(title, body, aliases)
    keys, negated = _bigram_weights(title, body)
    words = Counter(_words(title))
    words.update(_words(body))
    scored = [(-(_TF[n] if n < 64 else 1.0 + math.log(n)) * _idf(w), w) for w, n in words.items()]
    if len(keys) > TOP_TERMS:  # only the bigrams that can be among the strongest (ties kept) become strings
        # a bigram weaker than TOP_TERMS others is never among the strongest, whatever the words
        cut = np.partition(negated, TOP_TERMS - 1)[TOP_TERMS - 1]
        chosen = np.flatnonzero(negated <= cut)
    else:
        chosen = np.arange(len(keys))
    scored += [(w, chr(k >> 21) + chr(k & 0x1FFFFF)) for w, k in zip(negated[chosen].tolist(), keys[chosen].tolist())]
    top = [(-w, t) for w, t in heapq.nsmallest(TOP_TERMS, scored)]
    norm = math.sqrt(sum(w * w for w, _ in top)) or 1.0
    by_id: dict[int, int] = {}
    for w, t in top:
        tid = zlib.crc32(t.encode("utf-8"))
        by_id[tid] = max(by_id.get(tid, 0), round(w / norm * _WEIGHT_SCALE))
    ids = sorted(by_id)
    return Features(_signature(body), tuple(ids), tuple(by_id[i] / _WEIGHT_SCALE for i in ids))
