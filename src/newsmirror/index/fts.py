"""The search index: a separate SQLite file with an FTS5 table over folded, bigrammed text.

Layout of `<home>/index.sqlite` (auto_vacuum=incremental, so `optimize` gives space back):
  fts      FTS5, contentless, detail=full, columnsize=0, columns (body, title, src); body first
           because column 0 needs no column marker in the position lists. Body and title hold
           the gram stream of the folded text (see `chinese.grams`); src holds one token `s<n>`
           naming the source. A query term is the phrase of its bigrams, so a match is exactly
           a substring match on folded text (both scripts, any spelling the aliases list).
  docs     per live article: rowid key `rid`, article id, source number, publication time,
           original title, URL, a digest of the indexed text (to skip unchanged versions) and the
           `common0..3` mask: a bit for each of the 252 commonest characters it holds (`ranking.common_chars`).
           The article text itself is not kept: the archive holds it, and `search(store=...)`
           reads it for the page of hits only, to cut snippets (without a store the snippet is
           the title). Keeping zlib'd bodies here made the file 3.35x the text; now ~1.9x.
  stale    rowids whose FTS entries belong to an article since replaced or removed. A
           contentless table can only delete an entry given the original tokens, which are no
           longer kept, so replaced versions stay in `fts` and are filtered out of every query
           (`NOT IN stale`) until the next `rebuild`.
  chars_<epoch>  FTS5, contentless, detail=none: the distinct CJK characters (and `s<n>`) of
           every article of the newest RECENT_EPOCHS epochs of EPOCH_DAYS days; `char_epochs`
           lists them with their article counts. These answer one-character queries (below).
  sources  source name <-> number;  meta  format, last change number synced, article count.

The FTS rowid is `published_seconds // RID_SECONDS` (16 s): articles sort by time, so
since/until become a rowid range FTS5 answers directly and freshness is computed from the rowid
without a join. Articles of the same 16 seconds take the next free rowid, so under a burst an
article's rowid time runs a little late (150 articles in one second: 40 minutes); since/until
edges can be off by that much. Coarser than seconds because rowid gaps are stored as varints
in every doclist: the previous `minute << 6` rowids (about 100 rowids per article) cost 0.5x
the text size more than 16-second ones.

Ranking (`ranking.py`): a query is planned into units (terms with their alias spellings, the jieba words
of an unspaced term, OR groups; a lone character is a filter, not a unit). Articles holding every unit
come first, then those holding most of them, tier by tier down to half of them; within a tier,
score = -bm25(title x3, body x1) * (1 + H / (H + age_days)),  H = 30 days.
bm25 decides; freshness multiplies it by up to 2 (published now) down towards 1 (long ago), so
on equal text relevance the fresher article wins and a recent, slightly weaker match can pass
an old one. The top tier, when it matches more than RANK_WINDOW (5,000) articles, is ranked among its
5,000 newest matches (or offset+limit, when paging further): scoring every match of a common word in a
million articles would cost a second, and for news the newest matches are the ones wanted. The tiers
below it are ranked together among the 5,000 newest articles holding half of the units or more (besides
the top tier's). One pass, newest first, counts the matches and finds the oldest of the newest 5,000.
Totals (over the tiers) are exact up to COUNT_CAP (10,000), then reported as 10,000 with `exact=False`.

One-character queries (不, 台, with source:/since:/until: but no other term) list their matches
newest first: relevance means little for one character, freshness is what a reader wants. In the
bigram index such a query is the prefix `不*`, which FTS5 answers by merging the doclists of every
bigram starting with 不, over the whole archive, whatever the rowid range: 70 ms at 100k
articles and growing with the archive. So a character that matches more than about COUNT_CAP
articles in the archive (estimated from its count among the newest epochs) is answered from the
`chars_*` tables, newest first, with the total reported as COUNT_CAP (`exact=False`); so is any
one-character query whose since:/until: range lies within those epochs (exact totals). Rarer
characters (cheap prefix merges) and deep pages take the prefix query.
A one-character term beside longer ones (`的 经济`, `是 政府`, `都 台湾`) filters the longer terms' matches:
one of the 252 commonest characters by the `common0..3` bit mask each article carries in `docs` (a join on
the rowid), a rarer one by its prefix query, which is cheap for it. A mask character adds nothing to the
score; a rarer one's prefix phrase is part of the MATCH, so bm25() counts it like a term.

since:/until: are days in the reader's timezone, `search(tz=...)`, default Asia/Taipei
(tz="UTC" gives UTC days).

Terms are expanded through the aliases (普京 also finds 普亭, 蒲亭, Putin); exclusions are not:
`普京 -普亭` finds Putin articles except those spelling him 普亭. An unspaced CJK term of three or
more characters that is not an alias is split into jieba words (function characters such as 的
dropped), each a unit of its own; shorter terms and phrases must occur as written. A `source:` that
matches no known source, exactly, after folding or as part of a name, raises QueryError listing
the known ones.
"""

from __future__ import annotations

import hashlib
import itertools
import re
import sqlite3
import threading
import time
from collections.abc import Callable, Collection, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import lru_cache
from datetime import UTC, date, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any, Self
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from newsmirror.errors import QueryError, SearchError
from newsmirror.chinese import (Aliases, alias_key, fold, index_text, is_cjk, load_aliases, query_grams, segment,
                                split_runs)
from newsmirror.chinese.chars import CJK_CLASS, WORD_CLASS
from newsmirror.furniture import without_furniture
from newsmirror.index.query import Query, Term, parse_query
from newsmirror.index.ranking import (MASK_WORDS, Plan, Unit, at_least, bm25_share, common_chars, common_mask,
                                      tiers_below)
from newsmirror.index.snippet import SNIPPET_WIDTH, highlight, make_snippet
from newsmirror.models import SearchHit, StoredArticle

__all__ = [
    "COUNT_CAP",
    "DEFAULT_TZ",
    "EPOCH_DAYS",
    "FRESHNESS_HALF_DAYS",
    "RANK_WINDOW",
    "RECENT_EPOCHS",
    "RID_SECONDS",
    "day_bounds_rid",
    "SNIPPET_WIDTH",
    "TITLE_WEIGHT",
    "SearchIndex",
    "SearchResults",
    "highlight",
    "make_snippet",
]

FORMAT = "newsmirror-fts-6"
FRESHNESS_HALF_DAYS = 30.0
TITLE_WEIGHT = 3.0
COUNT_CAP = 10_000  # totals are counted exactly up to here, then reported as this (exact=False)
RANK_WINDOW = 5_000  # a query matching more is ranked among its newest RANK_WINDOW (or offset+limit) matches
RID_SECONDS = 16  # rowid = published seconds // RID_SECONDS (next free one under a burst)
EPOCH_DAYS = 30  # one-character tables cover the articles of the newest RECENT_EPOCHS epochs
RECENT_EPOCHS = 2
DEFAULT_TZ = "Asia/Taipei"  # since:/until: days are this zone's days unless search(tz=...) says otherwise
MMAP_BYTES = 2**31 - 2**16  # the index file read through a memory map up to here (SQLite's default ceiling)
BATCH = 2000  # articles a write transaction takes
RID_SCAN = 256  # rowids read at once while looking for a free one in a busy slot (`_free_rid`)
NEXT_FREE_SLOTS = 4096  # busy slots whose next free rowid is remembered (then forgotten all at once)
FLUSH_ROWS = 256  # prepared articles held before they are written in rowid order (~15 KiB each)
_EPOCH_RIDS = EPOCH_DAYS * 86400 // RID_SECONDS
# Function characters dropped when an unspaced query is split into words.
_FUNCTION_CHARS = set("的了在和与及是对向将被把从于为等也而或就都")
_CJK_SPACE = re.compile(f"(?<=[{CJK_CLASS}])\\s+(?=[{CJK_CLASS}])")
_TOKENIZER = "tokenize='unicode61 remove_diacritics 2'"
_MASK_COLUMNS = tuple(f"common{i}" for i in range(MASK_WORDS))  # docs: the common-character mask (ranking)

_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS sources(sid INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
CREATE TABLE IF NOT EXISTS docs(
    rid INTEGER PRIMARY KEY,
    id INTEGER NOT NULL UNIQUE,
    sid INTEGER NOT NULL,
    published INTEGER NOT NULL,
    title TEXT NOT NULL,
    url TEXT NOT NULL,
    digest INTEGER NOT NULL,
    common0 INTEGER NOT NULL DEFAULT 0,
    common1 INTEGER NOT NULL DEFAULT 0,
    common2 INTEGER NOT NULL DEFAULT 0,
    common3 INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS stale(rid INTEGER PRIMARY KEY);
CREATE TABLE IF NOT EXISTS char_epochs(epoch INTEGER PRIMARY KEY, docs INTEGER NOT NULL);
CREATE VIRTUAL TABLE IF NOT EXISTS fts USING fts5(
    body, title, src, content='', columnsize=0, detail=full, {_TOKENIZER}
);
"""


@dataclass(frozen=True)
class SearchResults:
    """One page of hits, the number of matching articles, and the query as parsed."""

    hits: list[SearchHit]
    total: int
    query: Query
    elapsed: float = 0.0  # seconds
    exact: bool = True  # False: more than COUNT_CAP articles match and `total` is COUNT_CAP


def _epoch_rid(d: date, tz: tzinfo = UTC) -> int:
    """The rowid at which day `d` starts in timezone `tz` (since:/until: are the reader's days)."""
    return int(datetime(d.year, d.month, d.day, tzinfo=tz).timestamp()) // RID_SECONDS


def day_bounds_rid(since: date | None, until: date | None, tz: str = DEFAULT_TZ) -> tuple[int, int]:
    """The rowid range [lo, hi] of since:/until: days read in timezone `tz` (IANA name)."""
    zone = _zone(tz)
    lo = max(0, _epoch_rid(since, zone)) if since else 0
    hi = (_epoch_rid(until + timedelta(days=1), zone) - 1) if until and until < date.max else (1 << 62)
    return lo, hi


def _zone(name: str) -> tzinfo:
    """The timezone named `name` (an IANA name such as Asia/Taipei, or UTC)."""
    if name.upper() == "UTC":
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise QueryError(f"unknown timezone {name!r}; give an IANA name such as Asia/Taipei or UTC") from exc


def _published_seconds(article: StoredArticle) -> int:
    ts = article.published or article.first_seen
    if ts.tzinfo is None:
        ts = ts.replace(tzinfo=UTC)
    return max(0, int(ts.timestamp()))


def _body_of(article: Any) -> str:
    return article.text or article.summary or ""


def _digest(*parts: str) -> int:
    """A 63-bit digest of the indexed text, to recognise an unchanged version."""
    h = hashlib.blake2b("\x00".join(parts).encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(h, "big") >> 1


def _freshness(now_rid: int, rid: int) -> float:
    age_days = max(0.0, (now_rid - rid) * RID_SECONDS / 86400)
    return 1.0 + FRESHNESS_HALF_DAYS / (FRESHNESS_HALF_DAYS + age_days)


def _fts_phrase(spelling: str) -> str | None:
    """The FTS5 phrase for one folded spelling: its bigrams in sequence (prefix for one char)."""
    toks, prefix = query_grams(_CJK_SPACE.sub("", spelling))
    if not toks:
        return None
    return '"' + " ".join(toks) + '"' + (" *" if prefix else "")


def _highlight_pattern(spelling: str) -> str | None:
    """A regex finding `spelling` in folded text, for snippets."""
    pieces = split_runs(_CJK_SPACE.sub("", spelling))
    if not pieces:
        return None
    out: list[str] = []
    prev_cjk: bool | None = None
    for cjk, run in pieces:
        if prev_cjk is not None:
            out.append(r"[\W_]+" if not cjk and not prev_cjk else r"[\W_]*")
        out.append(re.escape(run) if cjk else f"(?<![{WORD_CLASS}]){re.escape(run)}(?![{WORD_CLASS}])")
        prev_cjk = cjk
    return "".join(out)


def _marks(patterns: Iterable[str]) -> re.Pattern | None:
    """One regex marking every spelling of the query's terms, the longest first."""
    patterns = sorted(set(patterns), key=len, reverse=True)
    return re.compile("|".join(f"(?:{p})" for p in patterns)) if patterns else None


class _Counted:
    """An iterator that counts what it gave."""

    def __init__(self, it: Iterator[Any]) -> None:
        self._it, self.n = it, 0

    def __iter__(self) -> Iterator[Any]:
        for x in self._it:
            self.n += 1
            yield x


def _fold_both(title: str, body: str) -> tuple[str, str]:
    """`fold` of a title and of a body, in one call when the title has no line break to join them by."""
    if "\n" in title:
        return fold(title), fold(body)
    folded_title, _, folded_body = fold(f"{title}\n{body}").partition("\n")
    return folded_title, folded_body


def _spaced(codes) -> str:
    """Code points as their characters separated by spaces (`distinct_cjk`'s form)."""
    import numpy as np

    if not len(codes):
        return ""
    out = np.full(2 * len(codes) - 1, 0x20, dtype="<u4")
    out[::2] = codes
    return out.tobytes().decode("utf-32-le", "surrogatepass")


@lru_cache(maxsize=1)
def _common_codes():
    """The common characters' code points grouped by mask word (sorted within each), the bit of each in its
    word, where each word's group starts, and the number of words; or None when one of them is not CJK
    (then the mask is read from the text itself: the CJK characters alone would miss it) or a word has
    none. Read off `common_mask` of each character, so the layout stays the ranking module's."""
    import numpy as np

    chars = sorted(common_chars())
    if not all(is_cjk(ch) for ch in chars):
        return None
    masks = [common_mask(ch) for ch in chars]
    words = np.array([next(i for i, v in enumerate(m) if v) for m in masks])
    codes = np.array([ord(ch) for ch in chars], dtype="<u4")
    values = np.array([m[w] for m, w in zip(masks, words)], dtype=np.uint64)
    order = np.lexsort((codes, words))
    n_words = len(masks[0])
    starts = np.searchsorted(words[order], np.arange(n_words))
    if len(set(words.tolist())) != n_words:  # reduceat needs every word's group non-empty
        return None
    return codes[order], values[order], starts, n_words


def _common_mask(chars, folded: str) -> tuple[int, ...]:
    """`ranking.common_mask(folded)`, from the text's distinct CJK code points `chars` (sorted) when it can:
    each common character looked up among them at once, the bits of those held or-ed together per word."""
    import numpy as np

    table = _common_codes()
    if table is None:
        return common_mask(folded)
    codes, values, starts, n_words = table
    if not len(chars):
        return (0,) * n_words
    at = np.searchsorted(chars, codes)
    np.minimum(at, len(chars) - 1, out=at)
    held = np.where(chars[at] == codes, values, np.uint64(0))
    return tuple(int(word) for word in np.bitwise_or.reduceat(held, starts))


@dataclass
class _Pending:
    """A write batch's rows, prepared and waiting for `SearchIndex._flush` (rowids held in `rids`)."""

    fts: list[tuple] = field(default_factory=list)
    docs: list[tuple] = field(default_factory=list)
    chars: dict[int, list[tuple[int, str]]] = field(default_factory=dict)  # epoch -> rows
    rids: dict[int, None] = field(default_factory=dict)
    ids: set[int] = field(default_factory=set)

    def clear(self) -> None:
        self.fts.clear()
        self.docs.clear()
        self.chars.clear()
        self.rids.clear()
        self.ids.clear()


class SearchIndex:
    """Full-text search over the archive, in its own SQLite file beside it.

    `aliases` defaults to the shipped alias list; pass `Aliases()` for none. `store` (the
    archive) is where `search` reads article text for snippets; it can also be passed per call.
    The index is safe to share between threads (one connection, one lock)."""

    def __init__(self, path: Path, *, aliases: Aliases | None = None, readonly: bool = False,
                 store: Any = None) -> None:
        self.path = Path(path)
        self.aliases = aliases if aliases is not None else load_aliases()
        self.readonly = readonly
        self.store = store
        self._lock = threading.RLock()
        try:
            if readonly:
                if not self.path.exists():
                    raise SearchError(f"search index {self.path} not found; build it from the archive first")
                self._db = sqlite3.connect(
                    f"file:{self.path}?mode=ro", uri=True, check_same_thread=False, isolation_level=None
                )
            else:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self._db = self._open_writable()
                fmt = self._format()
                if fmt is None and self._db.execute("SELECT 1 FROM sqlite_schema").fetchone():
                    raise SearchError(f"{self.path} is not a search index; give the index file's path")
                if fmt is not None and not fmt.startswith("newsmirror-fts-"):
                    raise SearchError(f"{self.path} is not a search index (format {fmt!r}); give the index file's path")
                if fmt is not None and fmt != FORMAT:  # an older layout: the index is derived data, start over
                    self._db.close()
                    for suffix in ("", "-wal", "-shm"):
                        Path(f"{self.path}{suffix}").unlink(missing_ok=True)
                    self._db = self._open_writable()
                    fmt = None
                if fmt is None:
                    self._db.executescript(_SCHEMA)
                    self._db.execute("INSERT OR IGNORE INTO meta VALUES ('format', ?)", (FORMAT,))
            # KiB: readers 64 MiB; a writer 4 (16 made the index follower 15 MiB larger, and no faster)
            self._db.execute(f"PRAGMA cache_size={-65536 if readonly else -4096}")
            # Pages read through a memory map of the file (the OS page cache, shared by every process) instead of
            # copied into the page cache: a query that looks up 40,000 articles' masks in `docs` (150 MB at 1M)
            # spent half its time copying pages a 64 MiB cache could not keep (71 -> 36 ms, 动 建设 at 1M).
            self._db.execute(f"PRAGMA mmap_size={MMAP_BYTES}")
            fmt = self._format()
        except sqlite3.DatabaseError as exc:
            raise SearchError(f"cannot open search index {self.path}: {exc}") from exc
        if fmt != FORMAT:
            raise SearchError(f"search index {self.path} has an older format; rebuild it ('newsmirror index')")
        self._load_caches()

    def _open_writable(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        db.execute("PRAGMA auto_vacuum=INCREMENTAL")  # takes effect in a new file only
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        return db

    def _format(self) -> str | None:
        """The layout named in the file, None for a new file."""
        if self._db.execute("SELECT 1 FROM sqlite_schema WHERE name='meta'").fetchone() is None:
            return None
        row = self._db.execute("SELECT value FROM meta WHERE key='format'").fetchone()
        return str(row[0]) if row else ""

    def _load_caches(self) -> None:
        """Read the source numbers and one-character epochs (again after a rollback)."""
        self._sources: dict[str, int] = dict(self._db.execute("SELECT name, sid FROM sources"))
        self._epochs: dict[int, int] = dict(self._db.execute("SELECT epoch, docs FROM char_epochs"))
        self._docs = self._meta_int("docs")
        self._next_free: dict[int, int] = {}  # slot -> the rowid its last search ended at (see _free_rid)

    def _meta_int(self, key: str) -> int:
        row = self._db.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return int(row[0]) if row else 0

    # --- writing ----------------------------------------------------------------------------
    def _check_writable(self) -> None:
        if self.readonly:
            raise SearchError(f"search index {self.path} is open read-only; open it without readonly to write")

    def _source_id(self, name: str) -> int:
        sid = self._sources.get(name)
        if sid is None:
            cur = self._db.execute("INSERT INTO sources(name) VALUES (?)", (name,))
            sid = self._sources[name] = int(cur.lastrowid or 0)
        return sid

    def _free_rid(self, seconds: int, pending: _Pending | None = None) -> int:
        """The rowid for an article published at `seconds`: its own, else the next one free.

        Free means neither a live article's nor a stale one's (stale rowids keep FTS entries), nor
        one given to an article of this batch not yet written (`pending`). A rowid once taken stays
        taken (a replaced or removed article's turns stale) until `rebuild`, so where the search for a
        slot ended is remembered (`_next_free`) and the next article of that slot starts there: a
        burst of N articles in one slot (feeds without dates all take the run's time) costs N steps,
        not N squared (an index follower syncing 4,000 such articles spent 85% of its CPU here).
        Rowids are read RID_SCAN at a time, live and stale together."""
        taken_here = pending.rids if pending is not None else {}
        slot = seconds // RID_SECONDS
        candidate = self._next_free.get(slot, slot)
        while True:
            last = candidate + RID_SCAN - 1
            taken = {r for (r,) in self._db.execute(
                "SELECT rid FROM docs WHERE rid BETWEEN ?1 AND ?2"
                " UNION ALL SELECT rid FROM stale WHERE rid BETWEEN ?1 AND ?2", (candidate, last))}
            while candidate <= last and (candidate in taken or candidate in taken_here):
                candidate += 1
            if candidate <= last:
                break
        if candidate != slot:
            if len(self._next_free) >= NEXT_FREE_SLOTS:
                self._next_free.clear()
            self._next_free[slot] = candidate
        return candidate

    def _retire(self, rid: int) -> None:
        """Drop an article's row and mark its rowid stale (its FTS entries stay until rebuild)."""
        self._db.execute("DELETE FROM docs WHERE rid=?", (rid,))
        self._db.execute("INSERT OR IGNORE INTO stale(rid) VALUES (?)", (rid,))
        self._docs -= 1
        epoch = rid // _EPOCH_RIDS
        if epoch in self._epochs:
            self._epochs[epoch] -= 1
            self._db.execute("UPDATE char_epochs SET docs=docs-1 WHERE epoch=?", (epoch,))

    def _add_chars(self, rid: int, sid: int, chars, pending: _Pending) -> None:
        """Index the distinct CJK characters of an article of the newest epochs (see docstring); `chars`
        are their code points, sorted."""
        epoch = rid // _EPOCH_RIDS
        newest = max(self._epochs, default=None)
        if newest is not None and epoch <= newest - RECENT_EPOCHS:
            return
        if epoch not in self._epochs:
            self._flush(pending)  # the rows waiting for an epoch's table go in before a table is dropped
            self._db.execute(
                f"CREATE VIRTUAL TABLE chars_{epoch} USING fts5(c, content='', columnsize=0, detail=none, {_TOKENIZER})"
            )
            self._db.execute("INSERT INTO char_epochs VALUES (?, 0)", (epoch,))
            self._epochs[epoch] = 0
            for old in [e for e in self._epochs if e <= epoch - RECENT_EPOCHS]:
                self._db.execute(f"DROP TABLE chars_{old}")
                self._db.execute("DELETE FROM char_epochs WHERE epoch=?", (old,))
                del self._epochs[old]
        pending.chars.setdefault(epoch, []).append((rid, f"{_spaced(chars)} s{sid}"))
        self._epochs[epoch] += 1

    def _write(self, article: StoredArticle, pending: _Pending, *, fresh: bool = False) -> bool:
        """Prepare one article's rows (insert or replace) inside the caller's transaction; False when unchanged.

        The rows wait in `pending` for `_flush`, which writes a batch's rows in rowid order."""
        if article.id in pending.ids:  # the same article twice in one batch: the first must be written to be replaced
            self._flush(pending)
        title, body = article.title or "", _body_of(article)
        sid = self._source_id(article.source)
        published = _published_seconds(article)
        digest = _digest(title, body)
        if not fresh:
            old = self._db.execute(
                "SELECT rid, sid, title, url, published, digest FROM docs WHERE id=?", (article.id,)
            ).fetchone()
            if old is not None:
                if old[1:] == (sid, title, article.url, published, digest):
                    return False
                self._retire(old[0])
        rid = self._free_rid(published, pending)
        folded_title, folded_body = _fold_both(title, body)
        title_grams, body_grams, chars = index_text(folded_title, folded_body)
        pending.rids[rid] = None
        pending.ids.add(article.id)
        pending.fts.append((rid, title_grams, body_grams, f"s{sid}"))
        pending.docs.append((rid, article.id, sid, published, title, article.url, digest,
                             *_common_mask(chars, folded_title + folded_body)))
        self._docs += 1
        self._add_chars(rid, sid, chars, pending)
        return True

    def _flush(self, pending: _Pending) -> None:
        """Write the batch's prepared rows, each table's in rowid order.

        FTS5 keeps a transaction's new entries in memory as long as rowids ascend and writes them out as
        a segment when one does not: the archive's change order (feed after feed) is not time order, so
        rows written as they came made a small segment for nearly every article, and merging those cost
        more than the tokens themselves."""
        if pending.fts:
            self._db.executemany("INSERT INTO fts(rowid, title, body, src) VALUES (?, ?, ?, ?)", sorted(pending.fts))
            self._db.executemany(
                f"INSERT INTO docs(rid, id, sid, published, title, url, digest, {', '.join(_MASK_COLUMNS)})"
                f" VALUES ({', '.join('?' * (7 + len(_MASK_COLUMNS)))})", sorted(pending.docs))
        for epoch, rows in pending.chars.items():
            self._db.executemany(f"INSERT INTO chars_{epoch}(rowid, c) VALUES (?, ?)", sorted(rows))
            self._db.execute("UPDATE char_epochs SET docs=docs+? WHERE epoch=?", (len(rows), epoch))
        pending.clear()

    def _write_batch(self, articles: Iterable[StoredArticle], *, last_seq: int | None = None,
                     fresh: bool = False, last_seq_of: Callable[[], int] | None = None) -> int:
        n = 0
        with self._lock, self._write_transaction():
            pending = _Pending()
            for article in articles:
                n += self._write(article, pending, fresh=fresh)
                if len(pending.ids) >= FLUSH_ROWS:
                    self._flush(pending)
            self._flush(pending)
            if last_seq_of is not None:
                last_seq = last_seq_of()
            if last_seq is not None and last_seq != self._meta_int("last_seq"):
                self._db.execute("INSERT OR REPLACE INTO meta VALUES ('last_seq', ?)", (str(last_seq),))
        return n

    @contextmanager
    def _write_transaction(self) -> Iterator[None]:
        """One write transaction that also saves the document count; a failure reloads the caches."""
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield
            self._db.execute("INSERT OR REPLACE INTO meta VALUES ('docs', ?)", (str(self._docs),))
            self._db.execute("COMMIT")
        except BaseException:
            self._db.execute("ROLLBACK")
            self._load_caches()
            raise

    def add(self, article: StoredArticle) -> None:
        """Index one article, replacing its previous entry (upsert by article id)."""
        self._check_writable()
        self._write_batch([article])

    def add_many(self, articles: Iterable[StoredArticle]) -> int:
        """Index many articles in transactions of a few thousand; return how many changed."""
        self._check_writable()
        n = 0
        batch: list[StoredArticle] = []
        for article in articles:
            batch.append(article)
            if len(batch) >= BATCH:
                n += self._write_batch(batch)
                batch.clear()
        if batch:
            n += self._write_batch(batch)
        return n

    def remove(self, article_id: int) -> bool:
        """Drop one article from the index; False when it was not there."""
        self._check_writable()
        with self._lock:
            row = self._db.execute("SELECT rid FROM docs WHERE id=?", (article_id,)).fetchone()
            if row is None:
                return False
            with self._write_transaction():
                self._retire(row[0])
        return True

    @property
    def last_seq(self) -> int:
        """The store change number the index has caught up to."""
        return self._meta_int("last_seq")

    def sync(self, store, *, progress: Callable[[int], None] | None = None) -> int:
        """Index what the store changed since the last sync; return the number of articles seen.

        The change number is saved in the same transaction as the articles, so a crash between
        storing and indexing is repaired by the next sync."""
        self._check_writable()
        seen = 0
        start = self.last_seq
        changes = store.changes_since(start)
        last = [start]  # the change number of the last article handed to the index

        def batch() -> Iterator[StoredArticle]:
            for seq, article in itertools.islice(changes, BATCH):
                last[0] = seq
                yield article

        while True:  # transactions of BATCH articles, streamed: memory holds one page of the store's
            counted = _Counted(batch())
            self._write_batch(counted, last_seq_of=lambda: last[0])
            seen += counted.n
            if progress and counted.n:
                progress(seen)
            if counted.n < BATCH:
                return seen

    def rebuild(self, store, progress: Callable[[int, int], None] | None = None) -> int:
        """Rebuild the index from scratch from the store, streaming; return articles indexed.

        Also the way to drop the entries of replaced versions (`stale`). `progress(done, total)`
        is called after each batch."""
        self._check_writable()
        total = store.count_articles()
        with self._lock:
            drops = "".join(f"DROP TABLE IF EXISTS chars_{e};" for e in self._epochs)
            self._db.executescript(
                drops + "DROP TABLE IF EXISTS fts; DROP TABLE IF EXISTS docs; DROP TABLE IF EXISTS sources;"
                "DROP TABLE IF EXISTS stale; DROP TABLE IF EXISTS char_epochs;"
                "DELETE FROM meta WHERE key IN ('last_seq', 'docs');"
            )
            self._db.executescript(_SCHEMA)
            self._load_caches()
        done = 0
        batch: list[StoredArticle] = []
        seq = 0
        for seq, article in store.changes_since(0):
            batch.append(article)
            if len(batch) >= BATCH:
                done += self._write_batch(batch, last_seq=seq)
                batch.clear()
                if progress:
                    progress(done, total)
        done += self._write_batch(batch, last_seq=seq)
        if progress:
            progress(done, total)
        self.optimize()
        return done

    def optimize(self) -> None:
        """Merge the FTS5 segments into one and give the freed pages back (smaller file, faster queries).

        Run after bulk loads; `rebuild` runs it."""
        self._check_writable()
        with self._lock:
            self._db.execute("INSERT INTO fts(fts) VALUES ('optimize')")
            for epoch in self._epochs:
                self._db.execute(f"INSERT INTO chars_{epoch}(chars_{epoch}) VALUES ('optimize')")
            self._db.executescript("PRAGMA incremental_vacuum;")  # executescript steps it to the end
            self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def count(self) -> int:
        """How many articles the index holds."""
        return self._db.execute("SELECT count(*) FROM docs").fetchone()[0]

    def sources(self) -> list[str]:
        """Names of the sources the index knows, sorted."""
        return sorted(self._sources)

    def source_names(self, names: tuple[str, ...]) -> list[str]:
        """The exact source names a `source:` filter of `names` selects (QueryError for an unknown one)."""
        with self._lock:
            sids = set(self._resolve_sources(names))
        return sorted(n for n, sid in self._sources.items() if sid in sids)

    # --- querying ---------------------------------------------------------------------------
    def _spellings(self, term: Term, *, expand: bool = True) -> list[set[str]]:
        """A term as an AND of OR-sets of folded spellings (aliases expanded unless told not to)."""
        key = alias_key(term.text)
        if not key:
            return []
        if not expand:
            return [{key}]
        if term.phrase or key in self.aliases.groups or len(key) < 3 or not is_cjk(key) or " " in key:
            return [self.aliases.expand(key)]
        words = segment(key)
        kept = [w for w in words if w not in _FUNCTION_CHARS]
        if len(kept) < 2 or any(len(w) < 2 for w in kept):
            return [self.aliases.expand(key)]
        return [self.aliases.expand(w) for w in kept]

    def _term_expr(self, term: Term, patterns: list[str], *, expand: bool = True) -> str | None:
        ands: list[str] = []
        for spellings in self._spellings(term, expand=expand):
            phrases = sorted({p for s in spellings if (p := _fts_phrase(s))})
            if not phrases:
                continue
            patterns.extend(p for s in spellings if (p := _highlight_pattern(s)))
            ands.append(phrases[0] if len(phrases) == 1 else "(" + " OR ".join(phrases) + ")")
        if not ands:
            return None
        return ands[0] if len(ands) == 1 else "(" + " AND ".join(ands) + ")"

    def _resolve_sources(self, names: tuple[str, ...]) -> list[int]:
        if any(name not in self._sources for name in names):  # a writer may have added it since we opened
            self._sources = dict(self._db.execute("SELECT name, sid FROM sources"))
        sids: set[int] = set()
        for name in names:
            if name in self._sources:
                sids.add(self._sources[name])
                continue
            key = alias_key(name)
            exact = [sid for n, sid in self._sources.items() if alias_key(n) == key]
            partial = exact or [sid for n, sid in self._sources.items() if key and key in alias_key(n)]
            if not partial:
                known = self.sources()
                listed = ", ".join(known[:15]) + (f" and {len(known) - 15} more" if len(known) > 15 else "")
                raise QueryError(f"unknown source {name!r}; known sources: {listed or 'none yet'}",
                                 zh=f"沒有名為「{name}」的來源；已知來源：{listed or '尚無'}")
            sids.update(partial)
        return sorted(sids)

    def compile(self, query: Query) -> tuple[str, list[str]]:
        """The FTS5 MATCH expression for a query, and the regexes that highlight its terms."""
        patterns: list[str] = []
        ands: list[str] = []
        for group in query.groups:
            ors = [e for t in group if (e := self._term_expr(t, patterns))]
            if ors:
                ands.append(ors[0] if len(ors) == 1 else "(" + " OR ".join(ors) + ")")
        if not ands:
            raise QueryError(f"query {query.text!r} has no letters, digits or CJK characters to search for",
                             zh="搜尋字詞裡沒有可搜尋的文字、數字或漢字")
        expr = "{title body} : (" + " AND ".join(ands) + ")"
        if query.sources:
            sids = self._resolve_sources(query.sources)
            expr += " AND src : (" + " OR ".join(f'"s{s}"' for s in sids) + ")"
        excluded = [e for t in query.exclude if (e := self._term_expr(t, [], expand=False))]
        if excluded:
            expr = "(" + expr + ") NOT {title body} : (" + " OR ".join(excluded) + ")"
        return expr, patterns

    def plan(self, query: Query) -> Plan:
        """The query as tiers see it (see `ranking`): counted units, character filters, sources, exclusions."""
        patterns: list[str] = []
        units: list[Unit] = []
        chars: list[str] = []
        for group in query.groups:
            key = alias_key(group[0].text) if len(group) == 1 and not group[0].phrase else ""
            if len(key) == 1 and is_cjk(key) and self.aliases.expand(key) == {key}:
                chars.append(key)
                patterns.extend(p for p in [_highlight_pattern(key)] if p)
                continue
            if len(group) == 1:  # one term: each of its words (a split unspaced term) is a unit
                for spellings in self._spellings(group[0]):
                    phrases = sorted({p for sp in spellings if (p := _fts_phrase(sp))})
                    if phrases:
                        patterns.extend(p for sp in spellings if (p := _highlight_pattern(sp)))
                        units.append(Unit(" OR ".join(phrases), group[0].text))
                continue
            ors = [e for t in group if (e := self._term_expr(t, patterns))]
            if ors:
                units.append(Unit(" OR ".join(ors), " OR ".join(t.text for t in group)))
        if not units and not chars:
            raise QueryError(f"query {query.text!r} has no letters, digits or CJK characters to search for",
                             zh="搜尋字詞裡沒有可搜尋的文字、數字或漢字")
        bits = common_chars()
        if not units:  # characters alone: they are what is searched for
            units = [Unit(_fts_phrase(ch) or "", ch) for ch in chars]
            chars = []
        mask = common_mask("".join(chars))
        sources = ""
        if query.sources:
            sids = self._resolve_sources(query.sources)
            sources = "src : (" + " OR ".join(f'"s{sid}"' for sid in sids) + ")"
        excluded = [e for t in query.exclude if (e := self._term_expr(t, [], expand=False))]
        return Plan(units=tuple(units), chars=tuple(chars), mask=mask,
                    rare_chars=tuple(ch for ch in chars if ch not in bits), sources=sources,
                    excluded=" OR ".join(excluded), patterns=tuple(patterns))

    def _one_char(self, q: Query) -> str | None:
        """The folded CJK character when the query is that one character alone (filters allowed)."""
        if q.exclude or len(q.groups) != 1 or len(q.groups[0]) != 1:
            return None
        key = alias_key(q.groups[0][0].text)
        if len(key) != 1 or not is_cjk(key) or self.aliases.expand(key) != {key}:
            return None
        return key

    def excluded(self, query: Query, article_ids: list[int]) -> set[int]:
        """Those of `article_ids` that hold one of the query's excluded terms (none when it excludes nothing)."""
        expr = " OR ".join(e for t in query.exclude if (e := self._term_expr(t, [], expand=False)))
        if not expr or not article_ids:
            return set()
        with self._lock:
            marks = ",".join("?" * len(article_ids))
            rids = dict(self._db.execute(f"SELECT rid, id FROM docs WHERE id IN ({marks})", article_ids).fetchall())
            if not rids:
                return set()
            found = self._db.execute(
                f"SELECT rowid FROM fts WHERE fts MATCH ? AND rowid IN ({','.join('?' * len(rids))})",
                ["{title body} : (" + expr + ")", *rids]).fetchall()
        return {rids[r] for (r,) in found}

    def _newest_from_chars(self, char: str, sids: list[int], lo: int, hi: int, limit: int, offset: int,
                           stale: str) -> tuple[list[tuple[int, float]], int, bool] | None:
        """A one-character query answered from the newest epochs, or None when they cannot answer it."""
        epochs = dict(self._db.execute("SELECT epoch, docs FROM char_epochs"))
        if not epochs:
            return None
        window_lo = min(epochs) * _EPOCH_RIDS
        if hi < window_lo:
            return None
        expr = f'"{char}"' + (" AND (" + " OR ".join(f'"s{s}"' for s in sids) + ")" if sids else "")
        in_window = sum(epochs.values())
        everything = self._meta_int("docs")
        covered = lo >= window_lo or in_window >= everything
        matches = 0
        for epoch in sorted(epochs, reverse=True):
            matches += self._db.execute(
                f"SELECT count(*) FROM (SELECT 1 FROM chars_{epoch} WHERE chars_{epoch} MATCH ? "
                f"AND rowid BETWEEN ? AND ?{stale} LIMIT ?)",
                (expr, max(lo, window_lo), hi, COUNT_CAP + 1 - matches),
            ).fetchone()[0]
            if matches > COUNT_CAP:
                break
        if covered:
            total, exact = min(matches, COUNT_CAP), matches <= COUNT_CAP
        elif matches * everything >= COUNT_CAP * max(1, in_window) and matches >= offset + limit:
            total, exact = COUNT_CAP, False  # common in the archive: more than COUNT_CAP (estimated)
        else:
            return None
        rids: list[int] = []
        skip, want = offset, limit
        for epoch in sorted(epochs, reverse=True):
            if want <= 0:
                break
            got = [r for (r,) in self._db.execute(
                f"SELECT rowid FROM chars_{epoch} WHERE chars_{epoch} MATCH ? AND rowid BETWEEN ? AND ?{stale} "
                "ORDER BY rowid DESC LIMIT ? OFFSET ?",
                (expr, max(lo, window_lo), hi, want + skip, 0),
            )]
            rids.extend(got[skip:])
            skip = max(0, skip - len(got))
            want = limit - len(rids)
        now = int(time.time()) // RID_SECONDS
        return [(r, _freshness(now, r)) for r in rids[:limit]], total, exact

    def _newest_from_fts(self, expr: str, lo: int, hi: int, limit: int, offset: int,
                         stale: str) -> tuple[list[tuple[int, float]], int, bool]:
        """A one-character query answered by the prefix query over the whole index, newest first."""
        total = self._db.execute(
            f"SELECT count(*) FROM (SELECT 1 FROM fts WHERE fts MATCH ? AND rowid BETWEEN ? AND ?{stale} LIMIT ?)",
            (expr, lo, hi, COUNT_CAP + 1),
        ).fetchone()[0]
        rows = self._db.execute(
            f"SELECT rowid FROM fts WHERE fts MATCH ? AND rowid BETWEEN ? AND ?{stale} "
            "ORDER BY rowid DESC LIMIT ? OFFSET ?",
            (expr, lo, hi, limit, offset),
        ).fetchall() if total > offset and limit else []
        now = int(time.time()) // RID_SECONDS
        return [(r, _freshness(now, r)) for (r,) in rows], min(total, COUNT_CAP), total <= COUNT_CAP

    @staticmethod
    def _where(mask: tuple[int, ...], stale: str) -> str:
        """FROM and WHERE of a match in a rowid range (MATCH ?, BETWEEN ? AND ?), of the live articles whose
        common-character masks have the bits of `mask` (a join on docs only when it has some)."""
        bits = " AND ".join(f"(docs.{col} & {m}) = {m}" for col, m in zip(_MASK_COLUMNS, mask) if m)
        join = f" JOIN docs ON docs.rid = fts.rowid AND {bits}" if bits else ""
        stale = stale.replace(" rowid ", " fts.rowid ")
        return f"FROM fts{join} WHERE fts MATCH ? AND fts.rowid BETWEEN ? AND ?{stale}"

    def _newest(self, expr: str, lo: int, hi: int, window: int, where: str) -> tuple[int, bool, int]:
        """The matches counted up to COUNT_CAP, whether that is all of them, and the rowid of the oldest of the
        newest `window` (the ranking's lower bound): one pass, newest first, over at most COUNT_CAP + 1."""
        n, oldest = self._db.execute(
            f"SELECT count(*), min(r) FROM (SELECT fts.rowid AS r {where} ORDER BY fts.rowid DESC LIMIT ?)",
            (expr, lo, hi, window)).fetchone()
        return self._counted(expr, lo, window, where, n, oldest if oldest is not None else hi + 1)

    def _counted(self, expr: str, lo: int, window: int, where: str, n: int, oldest: int) -> tuple[int, bool, int]:
        """`_newest` from the count `n` of the newest `window` matches and the oldest of them: when the window is
        full, the count goes on below it, newest first (the pages the window read are in the cache)."""
        if n == window and window <= COUNT_CAP:
            n += self._count(expr, lo, oldest - 1, where, COUNT_CAP + 1 - window)
        return min(n, COUNT_CAP), n <= COUNT_CAP, oldest

    def _count(self, expr: str, lo: int, hi: int, where: str, cap: int = COUNT_CAP + 1) -> int:
        """How many match, counted up to `cap`, newest first."""
        return self._db.execute(f"SELECT count(*) FROM (SELECT 1 {where} ORDER BY fts.rowid DESC LIMIT ?)",
                                (expr, lo, hi, cap)).fetchone()[0]

    def _window_ranked(self, expr: str, lo: int, hi: int, window: int, where: str, limit: int, offset: int,
                       *, leave_out: str = "", left: Collection[int] = ()) -> tuple[list[tuple[int, float]], int, int]:
        """One pass over the newest `window` matches, newest first: the best of them by bm25 x freshness from
        `offset` (less those matching `leave_out`, or the rowids `left`), how many the window holds and the oldest
        one's rowid. bm25() reads each phrase over the whole archive once per statement, so this one statement does
        what a count, a window and a ranking statement would each pay for. None found: the counts come from
        `_newest` (the page lies past the window's end). Rowids known (`left`) are dropped here, not by a
        subquery, which would match `leave_out` over the whole range again."""
        rank, now = self._scores()
        out = " WHERE i NOT IN (SELECT rowid FROM fts WHERE fts MATCH ? AND rowid BETWEEN ? AND ?)" if leave_out else ""
        take, skip = (offset + limit + len(left), 0) if left else (limit, offset)
        rows = self._db.execute(
            f"SELECT i, r, n, o FROM (SELECT i, r, count(*) OVER () AS n, min(i) OVER () AS o FROM ("
            f"SELECT fts.rowid AS i, {rank} AS r {where} ORDER BY fts.rowid DESC LIMIT ?)){out} "
            "ORDER BY r LIMIT ? OFFSET ?",
            (now, expr, lo, hi, window, *((leave_out, lo, hi) if leave_out else ()), take, skip)).fetchall()
        if not rows:
            n, _, oldest = self._newest(expr, lo, hi, window, where)
            return [], min(n, window), oldest
        ranked = [(i, -r) for i, r, _, _ in rows if i not in left]
        return (ranked[offset : offset + limit] if left else ranked), rows[0][2], rows[0][3]

    @staticmethod
    def _scores() -> tuple[str, int]:
        """The ranking expression (bm25 x freshness, smaller is better; module docstring) and the now it takes."""
        rank = (
            f"bm25(fts, 1.0, {TITLE_WEIGHT}, 0.0) * (1.0 + {FRESHNESS_HALF_DAYS} / ({FRESHNESS_HALF_DAYS}"
            f" + max(0.0, (? - fts.rowid) * {RID_SECONDS / 86400!r})))"
        )
        return rank, int(time.time()) // RID_SECONDS

    def _ranked(self, expr: str, lo: int, hi: int, limit: int, offset: int, stale: str, mask: tuple[int, ...] = (),
                *, count_on: bool = True) -> tuple[list[tuple[int, float]], int, bool]:
        """Hits ranked by bm25 x freshness among the newest RANK_WINDOW matches (module docstring), of the
        articles whose common-character masks have the bits of `mask` (the common characters beside the terms).
        Not `count_on`: a full window is not counted on below it (the total is inexact; the caller counts the
        tiers below, which hold these rows too)."""
        where, window = self._where(mask, stale), max(RANK_WINDOW, offset + limit)
        if not limit:
            total, exact, _ = self._newest(expr, lo, hi, window, where)
            return [], total, exact
        rows, n, oldest = self._window_ranked(expr, lo, hi, window, where, limit, offset)
        if not count_on and n == window:
            return rows, min(n, COUNT_CAP), False
        total, exact, _ = self._counted(expr, lo, window, where, n, oldest)
        return rows, total, exact

    def _lower_tiers(self, plan: Plan, lo: int, hi: int, limit: int, offset: int, stale: str,
                     top: int, top_rids: Collection[int] | None = None) -> tuple[list[tuple[int, float, int]], int, bool]:
        """The tiers below the top one (see `ranking`), ranked together among the newest matches of
        at_least(least), `top` of which are in the top tier (`top_rids`, when all of them are known): their hits
        (rowid, score, units held) from `offset`, and the total over every tier (the top one's too)."""
        least, k = plan.least, len(plan.units)
        expr, where = at_least(plan, least), self._where(plan.mask, stale)
        if limit <= 0:
            n = self._count(expr, lo, hi, where)
            return [], min(n, COUNT_CAP), n <= COUNT_CAP
        window = max(RANK_WINDOW, offset + limit) + top
        if len(tiers_below(plan)) == 1:  # one tier below the top one: ranked in SQL, the top one's rows left out
            out = {"left": top_rids} if top_rids is not None else {"leave_out": at_least(plan, k, filters=False)}
            rows, n, oldest = self._window_ranked(expr, lo, hi, window, where, limit, offset, **out)
            total, exact, _ = self._counted(expr, lo, window, where, n, oldest)
            return [(rid, score, least) for rid, score in rows], total, exact
        total, exact, oldest = self._newest(expr, lo, hi, window, where)
        if total - top <= offset:
            return [], total, exact
        lo = max(lo, oldest)
        rank, now = self._scores()
        scored = self._db.execute(f"SELECT fts.rowid, {rank} {where}",
                                  (now, at_least(plan, least, shares=True), lo, hi)).fetchall()
        held = dict.fromkeys((rid for rid, _ in scored), least)
        plain = self._where((), stale)  # rows matched already: sources tell the tiers apart, no other filter needed
        for m in range(least + 1, k + 1):
            for (rid,) in self._db.execute(f"SELECT fts.rowid {plain}", (at_least(plan, m, filters=False), lo, hi)):
                if rid in held:
                    held[rid] = m
        ranked = sorted(((rid, r / bm25_share(held[rid], least), held[rid]) for rid, r in scored if held[rid] < k),
                        key=lambda x: (-x[2], x[1]))
        return [(rid, -r, m) for rid, r, m in ranked[offset : offset + limit]], total, exact

    def _tiered(self, plan: Plan, lo: int, hi: int, limit: int, offset: int,
                stale: str) -> tuple[list[tuple[int, float, int]], int, bool]:
        """Hits (rowid, score, units held) tier by tier (see `ranking`), the total over the tiers, exactness."""
        k, below = len(plan.units), bool(tiers_below(plan))
        # a full page from the top tier's window: the tiers below are only counted, and they hold the top tier's rows
        rows, count, exact = self._ranked(at_least(plan, k), lo, hi, limit, offset, stale, plan.mask, count_on=not below)
        hits = [(rid, score, k) for rid, score in rows]
        if not below or count >= COUNT_CAP:
            return hits, count, exact
        known = {rid for rid, _ in rows} if offset == 0 and exact and len(rows) == count else None
        lower, total, exact = self._lower_tiers(plan, lo, hi, limit - len(hits), max(0, offset - count), stale,
                                                count, known)
        return hits + lower, total, exact

    def search(self, query: str | Query, *, limit: int = 20, offset: int = 0, store: Any = None,
               tz: str = DEFAULT_TZ, snippets: bool = True) -> SearchResults:
        """Run a query: the best `limit` hits from `offset`, with the total number of matches.

        since:/until: days are days in timezone `tz` (IANA name; "UTC" for UTC days). Snippets are cut from
        the article text read from `store` (or the index's own `store`) for the hits of this page only;
        without a store, or with `snippets=False` (when only some of the hits will be shown: then
        `cut_snippets` the shown ones), they are the highlighted title."""
        started = time.perf_counter()
        q = parse_query(query) if isinstance(query, str) else query
        limit = max(0, min(int(limit), 1000))
        offset = max(0, int(offset))
        lo, hi = day_bounds_rid(q.since, q.until, tz)
        char = self._one_char(q)
        plan = self.plan(q)
        patterns = list(plan.patterns)
        try:
            with self._lock:
                self._db.execute("BEGIN")  # one snapshot: a writer may drop an epoch's table meanwhile
                try:
                    rows, total, exact, docs = self._answer(q, plan, char, lo, hi, limit, offset)
                finally:
                    self._db.execute("COMMIT")
        except sqlite3.OperationalError as exc:
            raise SearchError(f"search index {self.path} cannot answer {q.text!r}: {exc}") from exc
        names = {sid: n for n, sid in self._sources.items()}
        if any(d[2] not in names for d in docs.values()):  # a source added by a writer since we opened
            self._sources = dict(self._db.execute("SELECT name, sid FROM sources"))
            names = {sid: n for n, sid in self._sources.items()}
        regex = _marks(patterns)
        texts = self._texts(store if store is not None else self.store, [d[1] for d in docs.values()]) if snippets else {}
        hits = []
        for rid, score, held in rows:
            doc = docs.get(rid)
            if doc is None:
                continue
            _, article_id, sid, published, title, url = doc
            body = texts.get(article_id)
            hits.append(
                SearchHit(
                    id=article_id,
                    title=title,
                    source=names.get(sid, ""),
                    published=datetime.fromtimestamp(published, tz=UTC),
                    url=url,
                    snippet=make_snippet(body if body is not None else title, regex),
                    score=score,
                    extra={"title_html": highlight(title, regex), "held": held, "units": len(plan.units)},
                )
            )
        return SearchResults(hits=hits, total=total, query=q, elapsed=time.perf_counter() - started, exact=exact)

    def cut_snippets(self, hits: list[SearchHit], query: str | Query, store: Any = None) -> list[SearchHit]:
        """The hits of `search(query, snippets=False)` with snippets cut from their text in `store` (or the
        index's own): for the page shown when more hits were read (grouping by story reads 200). A hit
        that did not come from the index (a story's other article, no units held) is kept as it is."""
        q = parse_query(query) if isinstance(query, str) else query
        regex = _marks(self.plan(q).patterns)
        found = [h for h in hits if "held" in h.extra]
        texts = self._texts(store if store is not None else self.store, [h.id for h in found])
        cut = {h.id: replace(h, snippet=make_snippet(texts[h.id], regex)) for h in found if h.id in texts}
        return [cut.get(h.id, h) if "held" in h.extra else h for h in hits]

    def _answer(self, q: Query, plan: Plan, char: str | None, lo: int, hi: int, limit: int, offset: int,
                ) -> tuple[list[tuple[int, float, int]], int, bool, dict[int, tuple]]:
        """Hits (rowid, score, units held), total, exactness and the hits' docs rows, in one read transaction."""
        stale = " AND rowid NOT IN (SELECT rid FROM stale)" if self._db.execute(
            "SELECT 1 FROM stale LIMIT 1").fetchone() else ""
        if char is not None:
            sids = self._resolve_sources(q.sources) if q.sources else []
            answer = self._newest_from_chars(char, sids, lo, hi, limit, offset, stale)
            if answer is None:
                answer = self._newest_from_fts(at_least(plan, len(plan.units)), lo, hi, limit, offset, stale)
            rows = [(rid, score, 1) for rid, score in answer[0]]
            total, exact = answer[1], answer[2]
        else:
            rows, total, exact = self._tiered(plan, lo, hi, limit, offset, stale)
        docs: dict[int, tuple] = {}
        if rows:
            marks = ",".join("?" * len(rows))
            docs = {
                r[0]: r
                for r in self._db.execute(
                    f"SELECT rid, id, sid, published, title, url FROM docs WHERE rid IN ({marks})",
                    [r[0] for r in rows],
                )
            }
        return rows, total, exact, docs

    @staticmethod
    def _texts(store: Any, article_ids: list[int]) -> dict[int, str]:
        """The text of each article the store still has, for snippets: its current body without furniture
        (a photo caption, a credit or a widget line never opens a snippet)."""
        if store is None:
            return {}
        out = {}
        for article_id in article_ids:
            article = store.get_article(article_id)
            if article is not None:
                out[article_id] = without_furniture(_body_of(article))
        return out

    def close(self) -> None:
        """Close the index file."""
        with self._lock:
            self._db.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
