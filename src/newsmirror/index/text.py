"""Script folding and segmentation: one searchable form for Traditional and Simplified text.

`fold` maps both scripts to Simplified (OpenCC t2s), full-width ASCII to half-width and Latin to
lower case, so 習近平 and 习近平, ＡＢＣ and abc become the same string. `grams` turns folded text
into the token stream the index stores: overlapping character bigrams of every CJK run followed
by the run's last character alone, and Latin words/numbers as tokens. Any CJK substring of two or
more characters is then the phrase of its bigrams (exact substring semantics, nothing missed), and
a one-character query is the prefix query `字*` (a bigram starting with it, or a run's last
character). `tokenize` adds jieba's search-mode words to that stream for callers that want words.
"""

from __future__ import annotations

import logging
import re
import threading
from functools import lru_cache

__all__ = [
    "fold",
    "fold_aligned",
    "grams",
    "is_cjk",
    "query_grams",
    "segment",
    "split_runs",
    "tokenize",
]

# Han (incl. extensions and compatibility), kana and Hangul are indexed as character runs.
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\U00020000-\U0003134f"
# Latin (with accents), Greek, Cyrillic letters and digits form words.
_WORD = "0-9a-zA-Z\u00c0-\u024f\u0370-\u03ff\u0400-\u04ff"
_RUNS = re.compile(f"([{_CJK}]+)|([{_WORD}]+)")
_CJK_CHAR = re.compile(f"[{_CJK}]")

# Full-width ASCII (U+FF01..U+FF5E) to ASCII, ideographic space to space.
_HALF = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_HALF[0x3000] = 0x20

_lock = threading.Lock()
_converter = None
_jieba = None


def _opencc():
    """The cached OpenCC Traditional-to-Simplified converter (building one costs milliseconds)."""
    global _converter
    if _converter is None:
        with _lock:
            if _converter is None:
                import opencc  # type: ignore[import-untyped]

                _converter = opencc.OpenCC("t2s")
    return _converter


def _jieba_module():
    """jieba, initialised once and quietly (it logs its dictionary load to stderr otherwise)."""
    global _jieba
    if _jieba is None:
        with _lock:
            if _jieba is None:
                import jieba  # type: ignore[import-untyped]

                jieba.setLogLevel(logging.WARNING)
                logging.getLogger("jieba").setLevel(logging.WARNING)
                jieba.initialize()
                _jieba = jieba
    return _jieba


def fold(text: str) -> str:
    """One form for both scripts: Simplified Han, half-width ASCII, lower-case Latin."""
    if not text:
        return ""
    return _opencc().convert(text.translate(_HALF).lower())


@lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    return _opencc().convert(ch.translate(_HALF).lower())


def fold_aligned(text: str) -> tuple[str, list[int] | None]:
    """Fold `text` and say where each folded character came from, for highlighting.

    Returns (folded, None) when folding kept the length (character-for-character, the usual
    case); otherwise folds character by character and returns, for each folded position, the
    index of the original character it came from."""
    folded = fold(text)
    if len(folded) == len(text):
        return folded, None
    parts: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(text):
        f = _fold_char(ch)
        parts.append(f)
        origin.extend([i] * len(f))
    return "".join(parts), origin


def is_cjk(text: str) -> bool:
    """Whether `text` contains a CJK character (Han, kana or Hangul)."""
    return _CJK_CHAR.search(text) is not None


def split_runs(folded: str) -> list[tuple[bool, str]]:
    """(is_cjk, run) pieces of folded text: CJK character runs and Latin words/numbers."""
    return [(m.group(1) is not None, m.group(0)) for m in _RUNS.finditer(folded)]


def grams(folded: str) -> list[str]:
    """The index's token stream for folded text: bigrams + run-final character, Latin words.

    The run-final single character makes one-character prefix queries complete and also
    separates runs, so the bigram phrase of "abc" never matches across "xab|bc"."""
    out: list[str] = []
    for m in _RUNS.finditer(folded):
        run = m.group(1)
        if run is None:
            out.append(m.group(0))
        else:
            out.extend([run[i : i + 2] for i in range(len(run) - 1)])
            out.append(run[-1])
    return out


def query_grams(folded: str) -> tuple[list[str], bool]:
    """Tokens a folded query string must match in sequence, and whether the last is a prefix.

    A CJK run of two or more characters becomes its bigrams, plus its run-final character when
    another piece follows (the text's run must end there too); at the end of the query the run
    may continue in the text, so no run-final character. A lone CJK character ending the query
    becomes a prefix token (it may start a longer run in the text)."""
    toks: list[str] = []
    prefix = False
    pieces = split_runs(folded)
    for n, (cjk, run) in enumerate(pieces):
        last = n == len(pieces) - 1
        if not cjk:
            toks.append(run)
        elif len(run) == 1:
            toks.append(run)
            prefix = last
        else:
            toks.extend(run[i : i + 2] for i in range(len(run) - 1))
            if not last:  # the text's run ends here too, so its run-final character follows
                toks.append(run[-1])
    return toks, prefix


def segment(folded: str) -> list[str]:
    """jieba's words of folded text (default mode, no HMM): to split an unspaced query."""
    return [w for w in _jieba_module().cut(folded, HMM=False) if w.strip()]


def tokenize(text: str) -> list[str]:
    """Index tokens of `text`: jieba search-mode words of the folded text plus its gram stream.

    The gram stream alone already contains every 1- and 2-character word, so jieba adds only
    its words of three or more characters (names such as 习近平), keeping the index small."""
    folded = fold(text)
    words = [
        w
        for cjk, run in split_runs(folded)
        if cjk and len(run) > 2
        for w in _jieba_module().cut_for_search(run, HMM=True)
        if len(w) > 2
    ]
    return words + grams(folded)
