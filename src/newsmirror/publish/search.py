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

A full build writes the whole index with numpy (`publish.searchwriter`, streaming, flat memory);
this module holds the format and the in-place updates, in pure Python, so an incremental build
never imports numpy.
"""

from __future__ import annotations

import base64
import bisect
import itertools
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from newsmirror.chinese import chartable
from newsmirror.publish.files import OutputFolder

__all__ = [
    "BLOCK",
    "DocEntry",
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
_FNV_OFFSET, _FNV_PRIME = 2166136261, 16777619
_M32 = 0xFFFFFFFF

# Runs of the characters that form bigrams: kana, CJK Extension A, CJK Unified, Hangul, Compatibility ("普京同").
_CJK_RUN = re.compile("[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]+")
# Latin (with accents), Greek and Cyrillic words and numbers, after folding: "putin", "g20", "2024".
_WORD = re.compile(r"[0-9a-z\u00c0-\u024f\u0370-\u03ff\u0400-\u04ff]{2,}")



def fold(text: str) -> str:
    """The static search's fold of `text`: Simplified per character, half-width ASCII, lower case (each UTF-16
    code unit through `chinese.chartable.fold_units`; a character beyond it stays as it is)."""
    return text.translate(chartable.fold_units())


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


def token_order(token: str) -> tuple[bool, str]:
    """How tokens are ordered in a shard: CJK bigrams first, then words, each by text."""
    return (not (len(token) == 2 and _CJK_RUN.fullmatch(token) is not None), token)


def doc_tokens(texts: Iterable[str]) -> set[str]:
    """The tokens of an article's texts as strings (bigrams and words), for incremental updates."""
    tokens: set[str] = set()
    for text in texts:
        folded = fold(text)
        for run in _CJK_RUN.findall(folded):
            tokens.update(run[i : i + 2] for i in range(len(run) - 1))
        tokens.update(_WORD.findall(folded))
    return tokens


def shard_path(shard: int) -> str:
    return f"search/t/{shard >> 8}/{shard & 255}.js"


def recent_path(part: int) -> str:
    """A file of the recent tail: the postings of articles added since the index was last merged."""
    return f"search/r/{part}.js"


def block_path(block: int) -> str:
    return f"search/d/{block // 1000}/{block}.js"


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


def _read_shard(path: Path) -> tuple[list[str], list[int], list[int], bytes]:
    """(tokens, byte ends, largest ids, data) of a shard file; empty when it does not exist."""
    try:
        m = _SHARD_JS.match(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return [], [], [], b""
    if m is None:
        raise ValueError(f"{path} is not a search shard")
    bigrams = json.loads(m.group(2))
    tokens = [bigrams[i : i + 2] for i in range(0, len(bigrams), 2)] + json.loads(m.group(3))
    ends = list(itertools.accumulate(_decode_plain(base64.b64decode(m.group(4)))))
    return tokens, ends, _decode_plain(base64.b64decode(m.group(5))), base64.b64decode(m.group(6))


def _decode_plain(data: bytes) -> list[int]:
    """LEB128 varints (not gaps)."""
    out, cur, shift = [], 0, 0
    for byte in data:
        cur |= (byte & 0x7F) << shift
        if byte & 0x80:
            shift += 7
            continue
        out.append(cur)
        cur = shift = 0
    return out


def _encode_plain(values: list[int]) -> bytes:
    """LEB128 varints (not gaps)."""
    out = bytearray()
    for value in values:
        while value > 0x7F:
            out.append(value & 0x7F | 0x80)
            value >>= 7
        out.append(value)
    return bytes(out)


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
            chunks = [data[a:b] for a, b in zip([0, *ends[:-1]], ends)]
            lasts = last_ids
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
        for token, end in zip(tokens, ends):
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
    m = _META_JS_TEXT.match((root / "search/meta.js").read_text(encoding="utf-8"))
    if m is None:
        raise ValueError(f"{root / 'search/meta.js'} is not a search index's meta.js")
    meta = json.loads(m.group(1))
    files = [root / shard_path(n) for n in range(1 << meta["bits"])]
    if meta.get("recent"):
        files += [root / recent_path(n) for n in range(RECENT_PARTS)]
    index: dict[str, set[int]] = {}
    for path in files:
        tokens, ends, _, data = _read_shard(path)
        start = 0
        for token, end in zip(tokens, ends):
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
