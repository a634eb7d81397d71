"""Tokens of folded text: character bigrams for the index, jieba words for queries and stories.

`grams` turns folded text (see `script.fold`) into the token stream the index stores: overlapping
character bigrams of every CJK run followed by the run's last character alone, and Latin words and
numbers as tokens. Any CJK substring of two or more characters is then the phrase of its bigrams
(exact substring semantics, nothing missed), and a one-character query is the prefix query `字*`
(a bigram starting with it, or a run's last character). `tokenize` adds jieba's search-mode words
to that stream for callers that want words; `segment` splits an unspaced query into words.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterator, Mapping

from newsmirror.chinese.chars import CJK_CLASS, WORD_CLASS
from newsmirror.chinese.script import fold

__all__ = ["BigramCounts", "bigram_counts", "bigram_key", "bigram_keys", "distinct_cjk", "dictionary_words", "gram_text",
           "grams", "index_text", "query_grams", "segment", "split_runs", "tokenize", "word_tag"]

_RUNS = re.compile(f"([{CJK_CLASS}]+)|([{WORD_CLASS}]+)")

_lock = threading.Lock()
_jieba = None


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


_tags: dict[str, str] | None = None


def word_tag(word: str) -> str | None:
    """jieba's part-of-speech tag of a dictionary word (`nr` a person's name, `ns` a place, `n` a noun ...),
    looked up in its Simplified dictionary; None for a word it does not list (most people's names).

    A table lookup, not jieba's HMM tagger (milliseconds a call); the table loads on first use."""
    global _tags
    if _tags is None:
        with _lock:
            if _tags is None:
                _tags = _read_word_tags()
    return _tags.get(fold(word))


def _read_word_tags() -> dict[str, str]:
    """word -> tag for every line `word frequency tag` of jieba's dict.txt, the table jieba.posseg reads.

    Read straight from the file (a third of a second): importing jieba.posseg first builds jieba's
    segmenter and its prefix dictionary (over a second more), which a tag lookup never uses."""
    import importlib.util
    from pathlib import Path

    spec = importlib.util.find_spec("jieba")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("jieba is not installed: pip install jieba")
    path = Path(next(iter(spec.submodule_search_locations))) / "dict.txt"
    tags: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").split("\n"):
        line = line.strip()
        if line:
            word, _freq, tag = line.split(" ")
            tags[word] = tag
    return tags


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


# Unicode code point ranges (inclusive) of CJK_CLASS and WORD_CLASS, for gram_text's arrays.
_CJK_RANGES = ((0x3040, 0x30FF), (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xAC00, 0xD7AF), (0xF900, 0xFAFF),
               (0x20000, 0x3134F))
_WORD_RANGES = ((0x30, 0x39), (0x61, 0x7A), (0x41, 0x5A), (0xC0, 0x24F), (0x370, 0x3FF), (0x400, 0x4FF))


_classes = None  # per BMP code point: 0 other, 1 CJK, 2 word character (built on first use)


def _char_classes(codes):
    """(is CJK, is a word character) for an array of code points."""
    global _classes
    import numpy as np

    if _classes is None:
        table = np.zeros(0x10000, dtype=np.uint8)
        for value, ranges in ((1, _CJK_RANGES), (2, _WORD_RANGES)):
            for lo, hi in ranges:
                table[lo:min(hi, 0xFFFF) + 1] = value
        _classes = table
    cls = _classes[np.minimum(codes, 0xFFFF)]
    cjk = cls == 1
    astral = codes > 0xFFFF
    if astral.any():  # beyond the BMP only the Han extensions count, as CJK
        lo, hi = _CJK_RANGES[-1]
        cjk |= astral & (codes >= lo) & (codes <= hi)
        cls[astral] = 0
    return cjk, cls == 2


def bigram_keys(folded: str):
    """The CJK bigrams of a text as `bigram_key` numbers (uint64), in order: every two adjacent CJK
    characters, as `grams` pairs them (no run-final characters, no words)."""
    import numpy as np

    if len(folded) < 2:
        return np.empty(0, dtype=np.uint64)
    codes = np.frombuffer(folded.encode("utf-32-le", "surrogatepass"), dtype="<u4")
    cjk, _ = _char_classes(codes)
    at = np.flatnonzero(cjk[:-1] & cjk[1:])
    return codes[at].astype(np.uint64) << np.uint64(21) | codes[at + 1].astype(np.uint64)


def distinct_cjk(text: str) -> str:
    """The distinct CJK characters of a text, in code point order, separated by spaces (with arrays:
    a set of a regex's matches cost a third of a millisecond an article)."""
    import numpy as np

    if not text:
        return ""
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype="<u4")
    cjk, _ = _char_classes(codes)
    chars = np.unique(codes[cjk])
    if not len(chars):
        return ""
    out = np.full(2 * len(chars) - 1, 0x20, dtype="<u4")
    out[::2] = chars
    return out.tobytes().decode("utf-32-le", "surrogatepass")


def _gram_layout(codes):
    """The token text's code points for `codes` (a uint32 array of a folded text), where each input character's
    output ends (cumulative), and which characters are CJK: the one layout `gram_text` and `index_text` share."""
    import numpy as np

    cjk, word = _char_classes(codes)
    pair = np.zeros(len(codes), dtype=bool)
    pair[:-1] = cjk[:-1] & cjk[1:]
    word_end = word.copy()
    word_end[:-1] &= ~word[1:]
    sizes = cjk.astype(np.int64) * 2 + pair + word + word_end
    ends = np.cumsum(sizes)
    total = int(ends[-1]) if len(ends) else 0
    starts = ends - sizes
    out = np.full(total, 0x20, dtype="<u4")
    kept = cjk | word
    out[starts[kept]] = codes[kept]
    where = np.flatnonzero(pair)
    out[starts[where] + 1] = codes[where + 1]
    return out, ends, cjk


def gram_text(folded: str) -> str:
    """`grams(folded)` joined by spaces (what the index stores), built with array operations.

    The same tokens in the same order as `grams`, about ten times faster on an article: each
    character is placed once in the output (a CJK character followed by another writes their
    bigram and a space, one at the end of its run writes itself and a space, a word character
    writes itself, and a space after the last of its word)."""
    import numpy as np

    if not folded:
        return ""
    codes = np.frombuffer(folded.encode("utf-32-le", "surrogatepass"), dtype="<u4")
    out, _, _ = _gram_layout(codes)
    if not len(out):
        return ""
    return out.tobytes().decode("utf-32-le", "surrogatepass")[:-1]


def index_text(folded_title: str, folded_body: str):
    """What the index writes for an article, from one pass over its characters: `gram_text` of the
    folded title, `gram_text` of the folded body, and the distinct CJK code points of both (a sorted
    uint32 array; `distinct_cjk` of the two as numbers).

    The two texts are read as one, joined by a line break: no token spans it, so the output is cut
    back into title and body where the title's characters end."""
    import numpy as np

    codes = np.frombuffer(f"{folded_title}\n{folded_body}".encode("utf-32-le", "surrogatepass"), dtype="<u4")
    out, ends, cjk = _gram_layout(codes)
    text = out.tobytes().decode("utf-32-le", "surrogatepass")
    cut = int(ends[len(folded_title)])  # where the line break's (empty) output stands
    return text[:cut][:-1], text[cut:][:-1], np.unique(codes[cjk])


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


def dictionary_words() -> Iterator[tuple[str, int]]:
    """(word, frequency) for every word of jieba's dictionary, in its order."""
    import jieba  # type: ignore[import-untyped]

    path = jieba.get_dict_file()
    try:
        for line in path:
            parts = line.split(b" ", 2)
            if len(parts) >= 2:
                yield parts[0].decode("utf-8"), int(parts[1])
    finally:
        path.close()


_counts_lock = threading.Lock()
_counts: BigramCounts | None = None


def bigram_key(bigram: str) -> int:
    """The number a two-character string is looked up by: its first code point << 21 | its second."""
    return ord(bigram[0]) << 21 | ord(bigram[1])


class BigramCounts(Mapping[str, int]):
    """Bigram -> count, held as two sorted arrays (a dict of jieba's 300,000 bigrams held 45 MiB and
    took a second to fill; these hold 3.6 MiB). `counts_of` looks up many keys (`bigram_key`) at once."""

    def __init__(self, keys, counts) -> None:
        self.bigrams = keys  # bigram_key of each, uint64, ascending
        self.counts = counts  # int64, aligned with keys

    def counts_of(self, keys):
        """The count of each key of an array of `bigram_key`s, 0 where absent."""
        import numpy as np

        at = np.searchsorted(self.bigrams, keys)
        at[at == len(self.bigrams)] = 0
        found = self.bigrams[at] == keys if len(self.bigrams) else np.zeros(len(keys), dtype=bool)
        return np.where(found, self.counts[at] if len(self.bigrams) else 0, 0)

    def __getitem__(self, bigram: str) -> int:
        count = self.get(bigram)
        if count is None:
            raise KeyError(bigram)
        return count

    def get(self, bigram: str, default=None):  # type: ignore[override]
        if len(bigram) != 2:
            return default
        import numpy as np

        key = np.uint64(bigram_key(bigram))
        at = int(np.searchsorted(self.bigrams, key))
        return int(self.counts[at]) if at < len(self.bigrams) and self.bigrams[at] == key else default

    def __len__(self) -> int:
        return len(self.bigrams)

    def __iter__(self) -> Iterator[str]:
        for key in self.bigrams.tolist():
            yield chr(key >> 21) + chr(key & 0x1FFFFF)


def _read_bigram_counts() -> BigramCounts:
    """Sum the frequencies of jieba's dictionary words per bigram they contain, with array operations
    over the file's characters (lines "word frequency tag"; no Python object per word)."""
    import jieba  # type: ignore[import-untyped]
    import numpy as np

    with jieba.get_dict_file() as f:
        text = f.read().decode("utf-8")
    if not text.endswith("\n"):
        text += "\n"
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype="<u4")
    del text
    ends = np.flatnonzero(codes == 0x0A)  # each line's newline
    starts = np.concatenate(([0], ends[:-1] + 1))
    spaces = np.flatnonzero(codes == 0x20)
    first = np.searchsorted(spaces, starts)  # the line's first space, if it is before the line's end
    has = first < len(spaces)
    has[has] = spaces[first[has]] < ends[has]
    starts, ends = starts[has], ends[has]
    word_end = spaces[first[has]]
    after = np.searchsorted(spaces, word_end + 1)  # the frequency ends at the next space or the line's end
    freq_end = np.minimum(np.where(after < len(spaces), spaces[np.minimum(after, len(spaces) - 1)], ends), ends)
    freqs = np.zeros(len(starts), dtype=np.int64)
    width = freq_end - word_end - 1
    for k in range(int(width.max(initial=0))):  # one decimal digit of every line's frequency at a time
        more = k < width
        digit = codes[np.minimum(word_end + 1 + k, len(codes) - 1)].astype(np.int64) - 0x30
        if ((digit < 0) | (digit > 9))[more].any():
            raise ValueError(f"jieba's dictionary has a line whose frequency is not a number near character {k}")
        freqs = np.where(more, freqs * 10 + digit, freqs)
    del spaces, first, has, after, freq_end, ends, width  # the arrays of a whole file add up: free them early
    # a bigram starts at every character of a word but its last
    per_word = np.maximum(word_end - starts - 1, 0)
    line = np.repeat(np.arange(len(starts)), per_word)
    at = starts[line] + (np.arange(len(line)) - np.repeat(np.cumsum(per_word) - per_word, per_word))
    del per_word
    keys = codes[at].astype(np.uint64) << np.uint64(21) | codes[at + 1].astype(np.uint64)
    del codes, at
    weights = freqs[line]
    del line, freqs
    order = np.argsort(keys, kind="stable")
    keys, weights = keys[order], weights[order]
    if not len(keys):
        return BigramCounts(keys, weights)
    heads = np.flatnonzero(np.concatenate(([True], keys[1:] != keys[:-1])))
    return BigramCounts(keys[heads], np.add.reduceat(weights, heads))


def bigram_counts() -> BigramCounts:
    """How common each character bigram is in Chinese text: the frequencies of jieba's dictionary
    words that contain it, summed (表示 19,380; 普京 186; one never seen: absent).

    A prior for how much sharing a bigram says about two texts, that needs no corpus of our own and is
    the same on every machine. Read once per process (about a tenth of a second)."""
    global _counts
    if _counts is None:
        with _counts_lock:
            if _counts is None:
                _counts = _read_bigram_counts()
    return _counts
