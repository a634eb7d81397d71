"""The search index: a separate SQLite file with an FTS5 table over folded, bigrammed text.

Layout of `<home>/index.sqlite`:
  fts      FTS5, contentless, detail=full, columns (body, title, src); body first because
           column 0 needs no column marker in the position lists. Body and title hold the
           gram stream of the folded text (see `text.grams`); src holds one token `s<n>` naming
           the source. A query term is the phrase of its bigrams, so a match is exactly a
           substring match on folded text (both scripts, any spelling the aliases list).
  docs     per article: rowid key `rid`, article id, source number, original title, URL and
           zlib-compressed original body text (for snippets in the article's own script).
  sources  source name <-> number;  meta  last change number synced from the store, format.

The FTS rowid is `published_minute * 64 + slot`: articles sort by time, so since/until become a
rowid range FTS5 answers directly and freshness is computed from the rowid without a join. The
slot separates articles of the same minute; past 64 in one minute an article takes the next free
rowid (a later minute), so a since/until edge can be off by those minutes under such a burst.
Close rowids keep the doclists' rowid deltas to one or two bytes (seconds << 20 cost five).

Ranking:  score = -bm25(title x3, body x1) * (1 + H / (H + age_days)),  H = 30 days.
bm25 decides; freshness multiplies it by up to 2 (published now) down towards 1 (long ago), so
on equal text relevance the fresher article wins and a recent, slightly weaker match can pass
an old one. A broad query matching more than RANK_WINDOW (5,000) articles is ranked among its
5,000 newest matches (or offset+limit, when paging further): scoring every match of a common word
in a million articles would cost a second, and for news the newest matches are the ones wanted.
Totals are exact up to COUNT_CAP (10,000), then reported as 10,000 with `exact=False`.

Terms are expanded through the aliases (普京 also finds 普亭, 蒲亭, Putin); exclusions are not:
`普京 -普亭` finds Putin articles except those spelling him 普亭. An unspaced CJK term of five or
more characters that is not an alias is split into jieba words (function characters such as 的
dropped) which must all occur; shorter terms and phrases must occur as written. A `source:` that
matches no known source, exactly, after folding or as part of a name, raises QueryError listing
the known ones.
"""

from __future__ import annotations

import html
import re
import sqlite3
import threading
import time
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Self

from newsmirror.errors import QueryError, SearchError
from newsmirror.index.aliases import Aliases, alias_key, load_aliases
from newsmirror.index.query import Query, Term, parse_query
from newsmirror.index.text import (
    _CJK,
    _WORD,
    fold,
    fold_aligned,
    grams,
    is_cjk,
    query_grams,
    segment,
    split_runs,
)
from newsmirror.models import SearchHit, StoredArticle

__all__ = [
    "COUNT_CAP",
    "FRESHNESS_HALF_DAYS",
    "RANK_WINDOW",
    "SNIPPET_WIDTH",
    "TITLE_WEIGHT",
    "SearchIndex",
    "SearchResults",
]

FORMAT = "newsmirror-fts-3"
FRESHNESS_HALF_DAYS = 30.0
TITLE_WEIGHT = 3.0
SNIPPET_WIDTH = 120
COUNT_CAP = 10_000  # totals are counted exactly up to here, then reported as this (exact=False)
RANK_WINDOW = 5_000  # a query matching more is ranked among its newest RANK_WINDOW (or offset+limit) matches
BATCH = 2000
_LOW_BITS = 6  # rowid = published minute << 6 | slot
# Function characters dropped when an unspaced query is split into words.
_FUNCTION_CHARS = set("的了在和与及是对向将被把从于为等也而或就都")
_CJK_SPACE = re.compile(f"(?<=[{_CJK}])\\s+(?=[{_CJK}])")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS sources(sid INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
CREATE TABLE IF NOT EXISTS docs(
    rid INTEGER PRIMARY KEY,
    id INTEGER NOT NULL UNIQUE,
    sid INTEGER NOT NULL,
    published INTEGER NOT NULL,
    title TEXT NOT NULL,
    url TEXT NOT NULL,
    body BLOB NOT NULL
);
CREATE VIRTUAL TABLE IF NOT EXISTS fts USING fts5(
    body, title, src, content='', detail=full, tokenize='unicode61 remove_diacritics 2'
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


def _epoch_minute(d: date) -> int:
    return int(datetime(d.year, d.month, d.day, tzinfo=UTC).timestamp()) // 60


def _published_seconds(article: StoredArticle) -> int:
    ts = article.published or article.first_seen
    if ts.tzinfo is None:
        ts = ts.replace(tzinfo=UTC)
    return max(0, int(ts.timestamp()))


def _body_of(article: StoredArticle) -> str:
    return article.text or article.summary or ""


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
        out.append(re.escape(run) if cjk else f"(?<![{_WORD}]){re.escape(run)}(?![{_WORD}])")
        prev_cjk = cjk
    return "".join(out)


class SearchIndex:
    """Full-text search over the archive, in its own SQLite file beside it.

    `aliases` defaults to the shipped alias list; pass `Aliases()` for none. The index is safe to
    share between threads (one connection, one lock)."""

    def __init__(self, path: Path, *, aliases: Aliases | None = None, readonly: bool = False) -> None:
        self.path = Path(path)
        self.aliases = aliases if aliases is not None else load_aliases()
        self.readonly = readonly
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
                self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
                self._db.execute("PRAGMA journal_mode=WAL")
                self._db.execute("PRAGMA synchronous=NORMAL")
                self._db.executescript(_SCHEMA)
                self._db.execute("INSERT OR IGNORE INTO meta VALUES ('format', ?)", (FORMAT,))
            self._db.execute("PRAGMA cache_size=-65536")
            fmt = self._db.execute("SELECT value FROM meta WHERE key='format'").fetchone()
        except sqlite3.DatabaseError as exc:
            raise SearchError(f"cannot open search index {self.path}: {exc}") from exc
        if not fmt or fmt[0] != FORMAT:
            raise SearchError(f"search index {self.path} has another format; delete it and rebuild")
        self._sources: dict[str, int] = dict(self._db.execute("SELECT name, sid FROM sources"))

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

    def _free_rid(self, seconds: int, article_id: int) -> int:
        """The rowid for an article published at `seconds`: a free slot of its minute, else the next gap."""
        base = (seconds // 60) << _LOW_BITS
        rid = base + article_id % (1 << _LOW_BITS)
        if not self._db.execute("SELECT 1 FROM docs WHERE rid=?", (rid,)).fetchone():
            return rid
        candidate = base
        while True:
            taken = [r for (r,) in self._db.execute(
                "SELECT rid FROM docs WHERE rid >= ? ORDER BY rid LIMIT 256", (candidate,))]
            for r in taken:
                if r > candidate:
                    return candidate
                candidate = r + 1
            if len(taken) < 256:
                return candidate

    def _write(self, article: StoredArticle, *, fresh: bool = False) -> bool:
        """Insert or replace one article inside the caller's transaction; False when unchanged."""
        title, body = article.title or "", _body_of(article)
        sid = self._source_id(article.source)
        if not fresh:
            old = self._db.execute(
                "SELECT rid, sid, title, url, body, published FROM docs WHERE id=?", (article.id,)
            ).fetchone()
            if old is not None:
                old_rid, old_sid, old_title, old_url, old_blob, old_published = old
                old_body = zlib.decompress(old_blob).decode("utf-8")
                if (old_sid, old_title, old_url, old_body, old_published) == (
                    sid, title, article.url, body, _published_seconds(article)
                ):
                    return False
                self._db.execute(
                    "INSERT INTO fts(fts, rowid, title, body, src) VALUES ('delete', ?, ?, ?, ?)",
                    (old_rid, " ".join(grams(fold(old_title))), " ".join(grams(fold(old_body))), f"s{old_sid}"),
                )
                self._db.execute("DELETE FROM docs WHERE rid=?", (old_rid,))
        published = _published_seconds(article)
        rid = self._free_rid(published, article.id)
        self._db.execute(
            "INSERT INTO fts(rowid, title, body, src) VALUES (?, ?, ?, ?)",
            (rid, " ".join(grams(fold(title))), " ".join(grams(fold(body))), f"s{sid}"),
        )
        self._db.execute(
            "INSERT INTO docs(rid, id, sid, published, title, url, body) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (rid, article.id, sid, published, title, article.url, zlib.compress(body.encode("utf-8"), 6)),
        )
        return True

    def _write_batch(self, articles: Iterable[StoredArticle], *, last_seq: int | None = None,
                     fresh: bool = False) -> int:
        n = 0
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                for article in articles:
                    n += self._write(article, fresh=fresh)
                if last_seq is not None:
                    self._db.execute("INSERT OR REPLACE INTO meta VALUES ('last_seq', ?)", (str(last_seq),))
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        return n

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
            row = self._db.execute("SELECT rid, sid, title, body FROM docs WHERE id=?", (article_id,)).fetchone()
            if row is None:
                return False
            rid, sid, title, blob = row
            body = zlib.decompress(blob).decode("utf-8")
            self._db.execute("BEGIN IMMEDIATE")
            self._db.execute(
                "INSERT INTO fts(fts, rowid, title, body, src) VALUES ('delete', ?, ?, ?, ?)",
                (rid, " ".join(grams(fold(title))), " ".join(grams(fold(body))), f"s{sid}"),
            )
            self._db.execute("DELETE FROM docs WHERE rid=?", (rid,))
            self._db.execute("COMMIT")
        return True

    @property
    def last_seq(self) -> int:
        """The store change number the index has caught up to."""
        row = self._db.execute("SELECT value FROM meta WHERE key='last_seq'").fetchone()
        return int(row[0]) if row else 0

    def sync(self, store, *, progress: Callable[[int], None] | None = None) -> int:
        """Index what the store changed since the last sync; return the number of articles seen.

        The change number is saved in the same transaction as the articles, so a crash between
        storing and indexing is repaired by the next sync."""
        self._check_writable()
        seen = 0
        batch: list[StoredArticle] = []
        seq = self.last_seq
        for seq, article in store.changes_since(self.last_seq):
            batch.append(article)
            if len(batch) >= BATCH:
                self._write_batch(batch, last_seq=seq)
                seen += len(batch)
                batch.clear()
                if progress:
                    progress(seen)
        if batch or seq != self.last_seq:
            self._write_batch(batch, last_seq=seq)
            seen += len(batch)
            if progress:
                progress(seen)
        return seen

    def rebuild(self, store, progress: Callable[[int, int], None] | None = None) -> int:
        """Rebuild the index from scratch from the store, streaming; return articles indexed.

        `progress(done, total)` is called after each batch."""
        self._check_writable()
        total = store.count_articles()
        with self._lock:
            self._db.executescript(
                "DROP TABLE IF EXISTS fts; DROP TABLE IF EXISTS docs; DROP TABLE IF EXISTS sources;"
                "DELETE FROM meta WHERE key='last_seq';"
            )
            self._db.executescript(_SCHEMA)
            self._sources.clear()
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
        """Merge the FTS5 segments into one (smaller file, faster queries); run after bulk loads."""
        self._check_writable()
        with self._lock:
            self._db.execute("INSERT INTO fts(fts) VALUES ('optimize')")
            self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def count(self) -> int:
        """How many articles the index holds."""
        return self._db.execute("SELECT count(*) FROM docs").fetchone()[0]

    def sources(self) -> list[str]:
        """Names of the sources the index knows, sorted."""
        return sorted(self._sources)

    # --- querying ---------------------------------------------------------------------------
    def _spellings(self, term: Term, *, expand: bool = True) -> list[set[str]]:
        """A term as an AND of OR-sets of folded spellings (aliases expanded unless told not to)."""
        key = alias_key(term.text)
        if not key:
            return []
        if not expand:
            return [{key}]
        if term.phrase or key in self.aliases.groups or len(key) < 5 or not is_cjk(key) or " " in key:
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
                raise QueryError(f"unknown source {name!r}; known sources: {listed or 'none yet'}")
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
            raise QueryError(f"query {query.text!r} has no letters, digits or CJK characters to search for")
        expr = "{title body} : (" + " AND ".join(ands) + ")"
        if query.sources:
            sids = self._resolve_sources(query.sources)
            expr += " AND src : (" + " OR ".join(f'"s{s}"' for s in sids) + ")"
        excluded = [e for t in query.exclude if (e := self._term_expr(t, [], expand=False))]
        if excluded:
            expr = "(" + expr + ") NOT {title body} : (" + " OR ".join(excluded) + ")"
        return expr, patterns

    def search(self, query: str | Query, *, limit: int = 20, offset: int = 0) -> SearchResults:
        """Run a query: the best `limit` hits from `offset`, with the total number of matches."""
        started = time.perf_counter()
        q = parse_query(query) if isinstance(query, str) else query
        limit = max(0, min(int(limit), 1000))
        offset = max(0, int(offset))
        expr, patterns = self.compile(q)
        lo = (_epoch_minute(q.since) << _LOW_BITS) if q.since else 0
        hi = ((_epoch_minute(q.until + timedelta(days=1)) << _LOW_BITS) - 1) if q.until else (1 << 62)
        now = int(time.time()) // 60
        rank = (
            f"bm25(fts, 1.0, {TITLE_WEIGHT}, 0.0) * (1.0 + {FRESHNESS_HALF_DAYS} / ({FRESHNESS_HALF_DAYS}"
            f" + max(0.0, (? - (rowid >> {_LOW_BITS})) / 1440.0)))"
        )
        window = max(RANK_WINDOW, offset + limit)
        try:
            with self._lock:
                total = self._db.execute(
                    "SELECT count(*) FROM (SELECT 1 FROM fts WHERE fts MATCH ? AND rowid BETWEEN ? AND ? LIMIT ?)",
                    (expr, lo, hi, COUNT_CAP + 1),
                ).fetchone()[0]
                exact = total <= COUNT_CAP
                total = min(total, COUNT_CAP)
                rows = []
                if total > offset and limit:
                    if total > window:  # rank the `window` newest matches only (see module docstring)
                        cutoff = self._db.execute(
                            "SELECT rowid FROM fts WHERE fts MATCH ? AND rowid BETWEEN ? AND ? "
                            "ORDER BY rowid DESC LIMIT 1 OFFSET ?",
                            (expr, lo, hi, window - 1),
                        ).fetchone()
                        lo = max(lo, cutoff[0]) if cutoff else lo
                    rows = self._db.execute(
                        f"SELECT rowid, {rank} AS r FROM fts WHERE fts MATCH ? AND rowid BETWEEN ? AND ? "
                        "ORDER BY r LIMIT ? OFFSET ?",
                        (now, expr, lo, hi, limit, offset),
                    ).fetchall()
                docs = {}
                if rows:
                    marks = ",".join("?" * len(rows))
                    docs = {
                        r[0]: r
                        for r in self._db.execute(
                            f"SELECT rid, id, sid, published, title, url, body FROM docs WHERE rid IN ({marks})",
                            [r[0] for r in rows],
                        )
                    }
        except sqlite3.OperationalError as exc:
            raise SearchError(f"search index {self.path} cannot answer {q.text!r}: {exc}") from exc
        names = {sid: n for n, sid in self._sources.items()}
        regex = re.compile("|".join(f"(?:{p})" for p in sorted(set(patterns), key=len, reverse=True))) if patterns else None
        hits = []
        for rid, score in rows:
            doc = docs.get(rid)
            if doc is None:
                continue
            _, article_id, sid, published, title, url, blob = doc
            body = zlib.decompress(blob).decode("utf-8")
            hits.append(
                SearchHit(
                    id=article_id,
                    title=title,
                    source=names.get(sid, ""),
                    published=datetime.fromtimestamp(published, tz=UTC),
                    url=url,
                    snippet=make_snippet(body, regex),
                    score=-score,
                    extra={"title_html": highlight(title, regex)},
                )
            )
        return SearchResults(hits=hits, total=total, query=q, elapsed=time.perf_counter() - started, exact=exact)

    def close(self) -> None:
        """Close the index file."""
        with self._lock:
            self._db.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _spans(text: str, regex: re.Pattern | None) -> tuple[list[tuple[int, int]], Callable[[int], int], Callable[[int], int]]:
    """Match spans of `regex` on the folded text, and maps from folded to original positions."""
    folded, origin = fold_aligned(text)
    if origin is None:
        start_of = end_of = lambda i: i
    else:
        start_of = lambda i: origin[i] if i < len(origin) else len(text)
        end_of = lambda j: origin[j - 1] + 1 if j > 0 else 0
    spans = [(m.start(), m.end()) for m in regex.finditer(folded) if m.end() > m.start()] if regex else []
    return [(start_of(a), end_of(b)) for a, b in spans], start_of, end_of


def _marked(text: str, spans: list[tuple[int, int]], start: int, end: int) -> str:
    out: list[str] = []
    pos = start
    for a, b in spans:
        if b <= pos or a >= end:
            continue
        a, b = max(a, pos), min(b, end)
        out.append(html.escape(text[pos:a]))
        out.append("<mark>" + html.escape(text[a:b]) + "</mark>")
        pos = b
    out.append(html.escape(text[pos:end]))
    return "".join(out)


def highlight(text: str, regex: re.Pattern | None) -> str:
    """`text` HTML-escaped, with <mark> around every match of the query's spellings."""
    spans, _, _ = _spans(text, regex)
    return _marked(text, spans, 0, len(text))


def make_snippet(text: str, regex: re.Pattern | None, width: int = SNIPPET_WIDTH) -> str:
    """About `width` characters of `text` around its first match, escaped, matches in <mark>."""
    text = " ".join(text.split())
    spans, _, _ = _spans(text, regex)
    if not spans:
        return html.escape(text[:width]) + ("…" if len(text) > width else "")
    first = spans[0][0]
    start = max(0, first - width // 3)
    end = min(len(text), start + width)
    start = max(0, end - width)
    return ("…" if start > 0 else "") + _marked(text, spans, start, end) + ("…" if end < len(text) else "")
