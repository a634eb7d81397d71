"""What the stories stage compares, computed once per article and kept in the store with its placement.

1. The story text: title and body without furniture lines or agency credits (`furniture`), folded to one
   script and case (`chinese.fold`), every listed name spelling replaced by its group's canonical one
   (`Aliases.fold_names`: 蒲亭, 普亭, 普丁 and Putin all read 普京).
2. A MinHash signature (rensa, NUM_PERM permutations) of the body's SHINGLE-token shingles, a token being
   one CJK character or one Latin word: two bodies with Jaccard similarity J agree in about J of the
   signature's slots, whatever their headlines. Near-duplicates are confirmed with it (`cluster`).
3. The body's and title's TOP_TERMS strongest terms (Han bigrams, Latin words, named entities), weighted
   (1 + ln tf) x idf and scaled to unit length: the cosine of two articles' terms says how alike their
   subjects are (`cluster`). The idf is a prior, the same on every machine and for every archive size: how
   common the bigram is in jieba's dictionary (`chinese.bigram_counts`), so a term like 表示 weighs little
   and 普京 much. A bigram the dictionary lacks is most often two words meeting (了和, 是在): its count is
   at least what its two characters' frequencies predict if they met by chance (`_char_counts`), so only
   the meeting of two rare characters weighs much.
4. Named entities: a listed name (the alias groups' canonical spellings: people, places, organisations)
   is one term of its own (`entity_terms`), not the two to four bigrams of its characters, so sharing
   贝卢斯科尼 counts once, like sharing 普京. `cluster` weighs what two articles share besides their
   entities apart: the same leader at another event is a near miss.

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
from newsmirror.chinese.aliases import _trie_pattern
from newsmirror.chinese.chars import CJK_CLASS, WORD_CLASS, is_cjk
from newsmirror.chinese.tokens import bigram_counts, bigram_key, bigram_keys, dictionary_words
from newsmirror.furniture import without_credits, without_furniture

__all__ = [
    "NUM_PERM",
    "SHINGLE",
    "TOP_TERMS",
    "Features",
    "compute_features",
    "entity_id",
    "FORMAT",
    "story_text",
    "unpack_arrays",
]

NUM_PERM = 128  # MinHash permutations: a Jaccard estimate within about +-0.04 around 0.5
SEED = 20240403
SHINGLE = 5  # tokens per shingle: with names canonical, unrelated texts share < 0.15 of them, copies > 0.5
MIN_SHINGLES = 8  # a body with fewer distinct shingles is too short to call anything a copy of it
TOP_TERMS = 32  # terms kept per article
IDF_MASS = 1e7  # idf = ln(1 + IDF_MASS / (count + IDF_SMOOTH)): 普京 (186) 12.2 ... 表示 (19,380) 6.2
IDF_SMOOTH = 50
KANA_COUNT = 20_000  # a kana or Hangul bigram counts as common (jieba knows none: particles would weigh most)
FORMAT = b"F2"  # F2: entity terms (flagged in the term id's lowest bit), chance-meeting idf of bigrams
_HEADER = struct.Struct("<2sBB")  # format, has signature, number of terms
ENTITY_MARK = "\u3000"  # what stands in a text where an entity was taken out (no bigram spans it)
_WEIGHT_SCALE = 65535

_WORDS = re.compile(f"[{WORD_CLASS}]{{2,}}")  # a Latin word or number of two or more characters
_NOT_TOKEN = re.compile(f"[^{CJK_CLASS}{WORD_CLASS}\ue000-\uf8ff]+")  # what is neither a CJK character nor a word
_LATIN = re.compile(f"[{WORD_CLASS}]+")  # what _RUNS reads as a word (CJK runs are read apart)
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

    @property
    def entities(self) -> tuple[bool, ...]:
        """Which terms are named entities (their ids are odd; other terms' ids are even)."""
        return tuple(bool(t & 1) for t in self.terms)

    def pack(self) -> bytes:
        """The bytes the store keeps."""
        sig = self.signature.astype("<u4").tobytes() if self.signature is not None else b""
        quant = [round(w * _WEIGHT_SCALE) for w in self.weights]
        return (_HEADER.pack(FORMAT, self.signature is not None, len(self.terms)) + sig
                + np.asarray(self.terms, dtype="<u4").tobytes() + np.asarray(quant, dtype="<u2").tobytes())

    @classmethod
    def unpack(cls, data: bytes) -> Features:
        """Read back what `pack` wrote; ValueError for bytes of another format."""
        sig, terms, quant = unpack_arrays(data)
        return cls(None if sig is None else sig.astype(np.uint32), tuple(terms.tolist()),
                   tuple(q / _WEIGHT_SCALE for q in quant.tolist()))


def unpack_arrays(data: bytes) -> tuple[np.ndarray | None, np.ndarray, np.ndarray]:
    """What `Features.pack` wrote, as read-only arrays over `data` (signature or None, term ids, 16-bit
    weights): no copy, for the placements a window holds. ValueError for bytes of another format."""
    fmt, has_sig, n = _HEADER.unpack_from(data)
    if fmt != FORMAT:
        raise ValueError(f"story features of format {fmt!r}, expected {FORMAT!r}")
    at = _HEADER.size
    sig = None
    if has_sig:
        sig = np.frombuffer(data, dtype="<u4", count=NUM_PERM, offset=at)
        at += 4 * NUM_PERM
    return (sig, np.frombuffer(data, dtype="<u4", count=n, offset=at),
            np.frombuffer(data, dtype="<u2", count=n, offset=at + 4 * n))


def entity_id(name: str) -> int:
    """The term id of a named entity (its canonical spelling): odd, where other terms' ids are even."""
    return zlib.crc32(name.encode("utf-8")) | 1


def _term_id(term: str) -> int:
    return zlib.crc32(term.encode("utf-8")) & ~1


_entity_cache: dict[int, tuple[Aliases, re.Pattern[str] | None, dict[str, float]]] = {}


def _entities(aliases: Aliases) -> tuple[re.Pattern[str] | None, dict[str, float]]:
    """A pattern finding the canonical CJK names of `aliases` (longest first) and each name's idf."""
    got = _entity_cache.get(id(aliases))
    if got is None or got[0] is not aliases:
        names = sorted({c for c in (aliases.canonical(n) for n in aliases.names()) if len(c) >= 2 and is_cjk(c)})
        counts = _word_counts()
        idf = {n: _idf_of_count(counts.get(n, 0)) for n in names}
        got = _entity_cache[id(aliases)] = (aliases, re.compile(_trie_pattern(names)) if names else None, idf)
    return got[1], got[2]


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
        if len(term) == 2 and not term.isascii():  # a bigram: as `_bigram_weights` weighs it
            idf = float(_bigram_idf(np.array([bigram_key(term)], dtype=np.uint64))[0])
        else:
            idf = math.log(1.0 + IDF_MASS / (bigram_counts().get(term, 0) + IDF_SMOOTH))
        _idf_cache[term] = idf
        if len(_idf_cache) > 2_000_000:  # Latin words are unbounded: start over rather than grow
            _idf_cache.clear()
    return idf


def _idf_of_count(count: int) -> float:
    return math.log(1.0 + IDF_MASS / (count + IDF_SMOOTH))


_tables: tuple[np.ndarray, np.ndarray, float, float] | None = None
_words_table: dict[str, int] | None = None
_chars_table: tuple[np.ndarray, float, np.ndarray] | None = None
_LAST_CODE = 0x3134F  # the last Han code point (CJK Extension H)


def _word_counts() -> dict[str, int]:
    """jieba's dictionary: word -> frequency (a name's prior, as a bigram's)."""
    global _words_table
    if _words_table is None:
        _words_table = dict(dictionary_words())
    return _words_table


def _char_counts() -> tuple[np.ndarray, float, np.ndarray]:
    """How common each character is (indexed by code point up to U+3134F; one more slot, 0, for any later
    one): the summed frequencies of jieba's words holding it; the total; and which code points are Han.
    Two characters meet by chance count_a x count_b / total times."""
    global _chars_table
    if _chars_table is None:
        counts = np.zeros(_LAST_CODE + 2, dtype=np.float64)
        for word, freq in _word_counts().items():
            for ch in word:
                code = ord(ch)
                if code <= _LAST_CODE:
                    counts[code] += freq
        han = _is_han(np.arange(_LAST_CODE + 2, dtype=np.int64))
        han[-1] = False
        _chars_table = (counts, float(counts.sum()) or 1.0, han)
    return _chars_table


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
    weight = _TF_ARRAY[np.minimum(tf, 63)]
    for i in np.flatnonzero(tf >= 64).tolist():
        weight[i] = 1.0 + math.log(int(tf[i]))
    return keys, -weight * _bigram_idf(keys)


def _bigram_idf(keys: np.ndarray) -> np.ndarray:
    """The idf of each bigram key: from its dictionary count or, when higher, the count its characters'
    frequencies predict (two common characters meeting); kana and Hangul bigrams count as common."""
    known, idf_known, idf_unknown, idf_kana = _idf_tables()
    at = np.searchsorted(known, keys)
    at[at == len(known)] = 0
    chars, total, han_table = _char_counts()
    last = len(chars) - 1  # holds 0 and not Han: where any later code point reads
    first = np.minimum((keys >> np.uint64(21)).astype(np.int64), last)
    second = np.minimum((keys & np.uint64(0x1FFFFF)).astype(np.int64), last)
    chance = chars[first] * chars[second] / total  # how often the two characters meet by chance
    idf_chance = np.log(1.0 + IDF_MASS / (chance + IDF_SMOOTH))
    idf = np.minimum(np.where(known[at] == keys, idf_known[at], idf_unknown), idf_chance)
    return np.where(han_table[first] & han_table[second], idf, idf_kana)

def compute_features(title: str, body: str, aliases: Aliases) -> Features:
    """An article's features from its title and body text (see the module docstring)."""
    title, body = story_text(title, body, aliases)
    pattern, entity_idf = _entities(aliases)
    found: Counter[str] = Counter()
    if pattern is not None:
        def take(m: re.Match[str]) -> str:
            found[m.group(0)] += 1
            return ENTITY_MARK

        title, body_terms = pattern.sub(take, title), pattern.sub(take, body)
    else:
        body_terms = body
    keys, negated = _bigram_weights(title, body_terms)
    words = Counter(_words(title))
    words.update(_words(body))
    scored: list[tuple[float, int]] = [
        (-(_TF[n] if n < 64 else 1.0 + math.log(n)) * _idf(w), _term_id(w)) for w, n in words.items()]
    scored += [(-(_TF[n] if n < 64 else 1.0 + math.log(n)) * entity_idf[e], entity_id(e)) for e, n in found.items()]
    if len(keys) > TOP_TERMS:  # only the bigrams that can be among the strongest (ties kept) become strings
        # a bigram weaker than TOP_TERMS others is never among the strongest, whatever the words
        cut = np.partition(negated, TOP_TERMS - 1)[TOP_TERMS - 1]
        chosen = np.flatnonzero(negated <= cut)
    else:
        chosen = np.arange(len(keys))
    scored += [(w, _term_id(chr(k >> 21) + chr(k & 0x1FFFFF)))
               for w, k in zip(negated[chosen].tolist(), keys[chosen].tolist())]
    top = [(-w, t) for w, t in heapq.nsmallest(TOP_TERMS, scored)]
    norm = math.sqrt(sum(w * w for w, _ in top)) or 1.0
    by_id: dict[int, int] = {}
    for w, tid in top:
        by_id[tid] = max(by_id.get(tid, 0), round(w / norm * _WEIGHT_SCALE))
    ids = sorted(by_id)
    return Features(_signature(body), tuple(ids), tuple(by_id[i] / _WEIGHT_SCALE for i in ids))
