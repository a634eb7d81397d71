"""The archive in one SQLite file: de-duplicated articles, every revision, feed health.

Durability: WAL journal, ``synchronous=NORMAL`` (a power cut may lose the last commits, never
corrupt the file), foreign keys on, a busy timeout so a reader and a writer in two processes
wait for each other instead of failing. Every write is one ``BEGIN IMMEDIATE`` transaction;
`save_items` writes one feed's items in one transaction, so a crash leaves all or none of them.

Schema: ``store/migrations/NNN_name.sql`` files (and ``NNN_name.py`` steps for what SQL cannot
say) applied in order, each number in its own transaction, the number kept in ``PRAGMA
user_version``; a step's log line is logged and kept in `schema_log`. Opening a file newer than
this code raises StoreError.

Layout: `articles` holds the key, metadata and the number of its current revision; the content
(feed HTML and text, the body's sanitized HTML and text, the extracted record) lives only in
`revisions`, joined on read by primary key. `change_seq` numbers every creation and change of
the current body for `changes_since`, from the one-row `change_counter` that never goes down (a
number freed by deleting the newest articles is never handed out again; `_next_change` is the
backends' one hook for it); `article_urls` keeps other URLs an article was seen under.

Keys and revisions: an item is matched by canonical URL (also the URLs an article was seen under
before), then by (source, GUID) when that GUID names exactly one article. A revision is kept only
when the outlet changed the article, compared like with like on normalized text
(`store.revisions.text_key`): a feed item against the current revision's feed text, a page against
its page text. Page text replacing a feed summary fills the same revision; re-extraction rewrites
a revision's derived fields in place and never adds one. A hash of the item's raw (title,
sanitized HTML) skips the comparison when nothing at all changed. A match owned by another source
or another feed is a "duplicate" (the same URL, not a near-duplicate) and is left as the first feed
stored it. Naive datetimes are read as UTC; a missing or future `published` becomes the time the
item was first seen.

Threads: one connection per store object, shared by threads under a lock (each call, and each
page of a streamed iteration, holds it briefly). For parallel reads open one
``SQLiteStore(path, readonly=True)`` per thread or per request.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import logging
import re
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date, datetime, UTC
from zoneinfo import ZoneInfo
from importlib import resources
from pathlib import Path
from typing import Any

from newsmirror.errors import StoreError
from newsmirror.store.story_tables import StoryTables
from newsmirror.models import (
    Article,
    ArticleVersion,
    FeedItem,
    FailureKind,
    FeedSchedule,
    FeedState,
    PageFetch,
    PageStatus,
    RobotsTxt,
    SaveOutcome,
    SaveStatus,
    StoredArticle,
    article_from_dict,
    article_to_dict,
)
from newsmirror.store.keys import canonical_url
from newsmirror.store.revisions import text_key

__all__ = ["SQLiteStore", "SCHEMA_VERSION", "Migration", "load_migrations", "content_hash"]

log = logging.getLogger(__name__)

BUSY_TIMEOUT = 15.0  # seconds a write waits for another process's transaction before failing
MAX_ERROR_CHARS = 2000  # a feed's last error is a message, not a log
PAGE_SIZE = 256  # rows per query when streaming: memory stays bounded, the lock is held briefly

_MIGRATION_NAME = re.compile(r"^(\d{3})_([a-z0-9_]+)\.(sql|py)$")


@dataclass(frozen=True)
class Migration:
    """One schema step: its number and name, its SQL and/or the Python `migrate(conn) -> str` to run after it."""

    number: int
    name: str
    sql: str = ""
    module: str | None = None  # importable name of the Python step

    def run_step(self, conn: sqlite3.Connection) -> str | None:
        """Run the Python step, if any; its one-line report, or None."""
        if self.module is None:
            return None
        return importlib.import_module(self.module).migrate(conn)


def load_migrations() -> list[Migration]:
    """The packaged migrations, in order; their numbers must run 1..n without gaps."""
    found: dict[int, Migration] = {}
    for entry in resources.files("newsmirror.store").joinpath("migrations").iterdir():
        m = _MIGRATION_NAME.match(entry.name)
        if not m:
            continue
        number, stem = int(m.group(1)), entry.name.rsplit(".", 1)[0]
        mig = found.get(number, Migration(number, stem))
        if mig.name != stem:
            raise StoreError(f"store migrations {mig.name} and {stem} share the number {number}")
        if m.group(3) == "sql":
            mig = replace(mig, sql=entry.read_text(encoding="utf-8"))
        else:
            mig = replace(mig, module=f"newsmirror.store.migrations.{stem}")
        found[number] = mig
    numbers = sorted(found)
    if numbers != list(range(1, len(numbers) + 1)):
        raise StoreError(f"store migrations are not numbered 1..n without gaps: {numbers}")
    return [found[n] for n in numbers]


SCHEMA_VERSION = len(load_migrations())

_UTC = UTC
_ARTICLE_SELECT = (
    "SELECT a.id, a.source, a.url, a.link, a.guid, a.title, a.published, a.first_seen, a.last_seen,"
    " a.authors, a.categories, r.feed_html, r.html, r.text, a.revision, a.feed_url,"
    " CASE WHEN r.page_key IS NULL THEN '' ELSE r.feed_text END, r.extracted, a.change_seq"
    " FROM articles a JOIN revisions r ON r.article_id = a.id AND r.revision = a.revision"
)


def _split_statements(script: str) -> list[str]:
    """Split a migration into statements (sqlite3.complete_statement keeps triggers whole)."""
    statements, buf = [], ""
    for line in script.splitlines(keepends=True):
        buf += line
        if sqlite3.complete_statement(buf):
            if buf.strip():
                statements.append(buf.strip())
            buf = ""
    if buf.strip() and not all(ln.strip().startswith("--") or not ln.strip() for ln in buf.splitlines()):
        raise StoreError(f"migration has an unterminated statement: {buf.strip()[:60]!r}")
    return statements


def _ts(value: datetime) -> str:
    """Fixed-width UTC ISO text, so stored times sort as strings; naive values are read as UTC."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=_UTC)
    return value.astimezone(_UTC).isoformat(timespec="microseconds")


def _dt(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


def content_hash(title: str, html: str) -> str:
    """The hash that decides whether an article changed: SHA-256 of its title and HTML."""
    return hashlib.sha256(f"{title}\x00{html}".encode("utf-8", "surrogatepass")).hexdigest()


def _article_to_json(article: Article) -> str:
    return _clean(json.dumps(article_to_dict(article), ensure_ascii=False, separators=(",", ":")))


def _article_from_json(text: str | None) -> Article | None:
    return None if text is None else article_from_dict(json.loads(text))


def _json_list(values: tuple[str, ...]) -> str:
    return json.dumps(list(values), ensure_ascii=False, separators=(",", ":"))


_SURROGATE = re.compile("[\ud800-\udfff]")


def _clean(value: str) -> str:
    """Replace lone surrogates (from a JSON feed's bad escapes) so the text can be stored as UTF-8."""
    return _SURROGATE.sub("\ufffd", value) if _SURROGATE.search(value) else value


def _clean_item(item: FeedItem) -> FeedItem:
    """The item with its text fields made storable; the same object when nothing needed it."""
    texts = (item.title, item.link, item.guid or "", item.summary_html, item.content_html,
             item.source, item.feed_url, *item.authors, *item.categories)
    if not any(_SURROGATE.search(t) for t in texts):
        return item
    return replace(
        item,
        source=_clean(item.source), feed_url=_clean(item.feed_url), title=_clean(item.title),
        link=_clean(item.link), guid=None if item.guid is None else _clean(item.guid),
        summary_html=_clean(item.summary_html), content_html=_clean(item.content_html),
        authors=tuple(_clean(a) for a in item.authors), categories=tuple(_clean(c) for c in item.categories),
    )


def _item_key(item: FeedItem) -> str:
    """The canonical URL of an item; items without a link are keyed by GUID or title."""
    if item.link.strip():
        return canonical_url(item.link)
    if item.guid and item.guid.strip().lower().startswith(("http://", "https://")):
        return canonical_url(item.guid)
    basis = f"{item.source}\x00{item.feed_url}\x00{item.guid or item.title}"
    return "urn:newsmirror:" + hashlib.sha256(basis.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def _row_to_article(row: tuple[Any, ...]) -> StoredArticle:
    (aid, source, url, link, guid, title, published, first_seen, last_seen, authors, categories,
     feed_html, html, text, version, feed_url, summary, extracted, _seq) = row
    article = _article_from_json(extracted)
    return StoredArticle(
        id=aid,
        source=source,
        url=url,
        link=link,
        guid=guid,
        title=title,
        published=datetime.fromisoformat(published),
        first_seen=datetime.fromisoformat(first_seen),
        last_seen=datetime.fromisoformat(last_seen),
        authors=tuple(json.loads(authors)),
        categories=tuple(json.loads(categories)),
        feed_html=feed_html,
        html=html,
        text=text,
        version=version,
        feed_url=feed_url,
        summary=summary or "",
        extracted=article,
    )


def _row_to_feed(row: tuple[Any, ...]) -> FeedState:
    (url, source, last_fetch, last_status, etag, last_modified, items_seen, failures,
     last_error, last_ok) = row
    return FeedState(
        source=source,
        url=url,
        last_fetch=_dt(last_fetch),
        last_status=last_status,
        etag=etag,
        last_modified=last_modified,
        items_seen=items_seen,
        consecutive_failures=failures,
        last_error=last_error,
        last_ok=_dt(last_ok),
    )


_FEED_COLUMNS = ("url, source, last_fetch, last_status, etag, last_modified, items_seen,"
                 " consecutive_failures, last_error, last_ok")
_PAGE_COLUMNS = ("p.article_id, p.url, p.status, p.attempts, p.kind, p.reason, p.first_try, p.last_try,"
                 " p.next_try, p.complete, a.source")


def _row_to_page(row: tuple[Any, ...]) -> PageFetch:
    return PageFetch(
        article_id=row[0], url=row[1], status=PageStatus(row[2]), attempts=row[3],
        kind=FailureKind(row[4]) if row[4] else None, reason=row[5], first_try=_dt(row[6]),
        last_try=_dt(row[7]), next_try=_dt(row[8]), complete=bool(row[9]), source=row[10],
    )


_SCHEDULE_COLUMNS = "url, source, next_due, interval, reason, active_url, switched_at, primary_retry"


def _row_to_schedule(row: tuple[Any, ...]) -> FeedSchedule:
    return FeedSchedule(url=row[0], source=row[1], next_due=datetime.fromisoformat(row[2]), interval=row[3],
                        reason=row[4], active_url=row[5], switched_at=_dt(row[6]), primary_retry=_dt(row[7]))


# Tables whose rows belong to one article (column article_id): deleted with it.
_ARTICLE_TABLES = ("revisions", "folded_versions", "article_urls", "page_fetches")


class SQLiteStore(StoryTables):
    """The `Store` protocol over one SQLite file (see the module docstring for the rules)."""

    def __init__(self, path: str | Path, *, readonly: bool = False, busy_timeout: float = BUSY_TIMEOUT) -> None:
        self.path = Path(path)
        self.readonly = readonly
        self.busy_timeout = busy_timeout
        self._lock = threading.RLock()
        self._depth = 0
        self._conn: sqlite3.Connection | None = None
        try:
            self._conn = self._connect()
            self._configure()
            if not readonly:
                self._migrate()
            self._check_version()
        except sqlite3.Error as exc:
            self._close_quietly()
            raise StoreError(f"cannot open archive {self.path}: {exc}") from exc
        except StoreError:
            self._close_quietly()
            raise

    # --- opening ---------------------------------------------------------------------------
    def _connect(self) -> sqlite3.Connection:
        if self.readonly:
            if not self.path.is_file():
                raise StoreError(f"archive {self.path} does not exist; fetch some feeds first")
            uri = self.path.resolve().as_uri() + "?mode=ro"
            return sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False,
                                   timeout=self.busy_timeout)
        if self.path.is_dir():
            raise StoreError(f"archive {self.path} is a folder, not a file")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"cannot create the folder for archive {self.path}: {exc.strerror}") from exc
        return sqlite3.connect(self.path, isolation_level=None, check_same_thread=False,
                               timeout=self.busy_timeout)

    def _configure(self) -> None:
        conn = self._db
        conn.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout * 1000)}")
        conn.execute("PRAGMA foreign_keys = ON")
        if not self.readonly:
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                raise StoreError(f"archive {self.path} cannot use WAL journaling (got {mode!r})")
            conn.execute("PRAGMA synchronous = NORMAL")
        else:
            conn.execute("PRAGMA query_only = ON")

    def _user_version(self) -> int:
        return int(self._db.execute("PRAGMA user_version").fetchone()[0])

    def _check_version(self) -> None:
        version = self._user_version()
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"archive {self.path} has schema version {version}, newer than this newsmirror knows"
                f" ({SCHEMA_VERSION}); upgrade newsmirror to open it"
            )
        if version < SCHEMA_VERSION:
            raise StoreError(
                f"archive {self.path} has schema version {version}, older than this newsmirror"
                f" ({SCHEMA_VERSION}); open it once read-write (e.g. `newsmirror fetch`) to migrate it"
            )

    def _migrate(self) -> None:
        conn = self._db
        current = self._user_version()
        if current > SCHEMA_VERSION:
            return  # _check_version explains
        for mig in load_migrations():
            if mig.number <= current:
                continue
            conn.execute("BEGIN IMMEDIATE")
            try:
                if self._user_version() >= mig.number:  # another process migrated meanwhile
                    conn.execute("COMMIT")
                    continue
                for statement in _split_statements(mig.sql):
                    conn.execute(statement)
                note = mig.run_step(conn)
                if note:
                    conn.execute("INSERT OR REPLACE INTO schema_log (version, name, applied_at, note)"
                                 " VALUES (?, ?, ?, ?)", (mig.number, mig.name, _ts(datetime.now(_UTC)), note))
                conn.execute(f"PRAGMA user_version = {mig.number}")
                conn.execute("COMMIT")
            except Exception as exc:  # any failure of a step leaves the archive as it was
                conn.execute("ROLLBACK")
                raise StoreError(f"archive {self.path}: migration {mig.name} failed: {exc}") from exc
            if note:
                log.warning("archive %s: migration %s: %s", self.path, mig.name, note)
            current = mig.number

    def schema_log(self) -> list[tuple[int, str, datetime, str]]:
        """What the migrations that had something to say did: (number, name, applied at, log line)."""
        rows = self._read("SELECT version, name, applied_at, note FROM schema_log ORDER BY version")
        return [(r[0], r[1], datetime.fromisoformat(r[2]), r[3]) for r in rows]

    @property
    def schema_version(self) -> int:
        """The schema version of the open file (PRAGMA user_version)."""
        with self._lock:
            return self._user_version()

    @property
    def _db(self) -> sqlite3.Connection:
        if self._conn is None:
            raise StoreError(f"archive {self.path} is closed")
        return self._conn

    def _close_quietly(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def close(self) -> None:
        """Close the connection (every write is already committed); safe to call twice."""
        with self._lock:
            if self._conn is None:
                return
            if not self.readonly:
                try:
                    self._conn.execute("PRAGMA optimize")
                except sqlite3.Error:
                    pass  # only a planner hint; closing must not fail because of it
            self._close_quietly()

    def __enter__(self) -> SQLiteStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"SQLiteStore({str(self.path)!r}{', readonly=True' if self.readonly else ''})"

    def integrity_check(self) -> str:
        """SQLite's full integrity check: "ok" when healthy, else the problems found."""
        with self._lock:
            rows = self._db.execute("PRAGMA integrity_check").fetchall()
            fk = self._db.execute("PRAGMA foreign_key_check").fetchall()
        problems = [r[0] for r in rows if r[0] != "ok"]
        problems += [f"foreign key: {r[0]} row {r[1]} -> {r[2]}" for r in fk]
        return "; ".join(problems) if problems else "ok"

    def backup(self, dest: str | Path) -> Path:
        """Copy the archive to a new file `dest`, consistently, while it stays in use (online backup)."""
        dest = Path(dest)
        if dest.exists():
            raise StoreError(f"backup target {dest} already exists; choose a new file name")
        with self._lock:
            conn = self._db
            try:
                target = sqlite3.connect(dest)
            except sqlite3.Error as exc:
                raise StoreError(f"cannot create backup {dest}: {exc}") from exc
            try:
                conn.backup(target)
            except sqlite3.Error as exc:
                raise StoreError(f"archive {self.path}: backup to {dest} failed: {exc}") from exc
            finally:
                target.close()
        return dest

    # --- transactions: one skeleton for both backends, which differ in the hooks below it ---------
    _DRIVER_ERRORS: tuple[type[Exception], ...] = (sqlite3.Error,)  # the driver's errors, made StoreError

    @contextmanager
    def _write(self, what: str) -> Iterator[Any]:
        """One write transaction (nested calls join the outer one); the driver's errors become StoreError."""
        with self._lock:
            conn = self._db
            if self.readonly:
                raise StoreError(f"{self._label} is open read-only; cannot {what}")
            if self._depth:
                self._depth += 1
                try:
                    yield conn
                finally:
                    self._depth -= 1
                return
            try:
                self._begin(conn)
            except self._DRIVER_ERRORS as exc:
                raise self._failed(f"cannot {what}", exc) from exc
            self._depth = 1
            try:
                yield conn
                self._before_commit(conn)
                conn.execute("COMMIT")
            except BaseException as exc:
                self._rollback(conn)
                if isinstance(exc, self._DRIVER_ERRORS):
                    raise self._failed(f"cannot {what}", exc) from exc
                raise
            finally:
                self._depth = 0

    @contextmanager
    def transaction(self, what: str) -> Iterator[None]:
        """The writes inside the `with` block as one transaction (the store methods' own join it)."""
        with self._write(what):
            yield

    def _read(self, sql: str, params: tuple[Any, ...] | list[Any] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            try:
                return self._db.execute(sql, params).fetchall()
            except self._DRIVER_ERRORS as exc:
                raise self._failed("read failed", exc) from exc

    @property
    def _label(self) -> str:
        """How messages name this store."""
        return f"archive {self.path}"

    def _failed(self, doing: str, exc: Exception) -> StoreError:
        """The one-line StoreError for a driver error while `doing`."""
        return StoreError(f"{self._label}: {doing}: {exc}")

    def _begin(self, conn: Any) -> None:
        """Start a write transaction: SQLite takes the write lock at once (no upgrade deadlock later)."""
        conn.execute("BEGIN IMMEDIATE")

    def _next_change(self, conn: Any) -> int:
        """The change number for an article this transaction creates or whose body it changes.

        SQLite has one writer at a time: the counter row is raised at once, and never goes down
        (deleting the newest articles frees no number for reuse). PostgreSQL returns a placeholder
        that `_before_commit` replaces with the sequence's next number."""
        return int(conn.execute("UPDATE change_counter SET last = last + 1 RETURNING last").fetchall()[0][0])

    def _before_commit(self, conn: Any) -> None:
        """The last step inside a write transaction (SQLite: none; PostgreSQL numbers its changes)."""

    def _rollback(self, conn: Any) -> None:
        """Roll back after an error; a connection already gone has rolled back on its own."""
        try:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
        except self._DRIVER_ERRORS:
            pass  # the error that ended the transaction is the one raised

    # --- feeds -----------------------------------------------------------------------------
    def get_feed_state(self, url: str) -> FeedState | None:
        """The feed's last state, or None if never fetched."""
        rows = self._read(f"SELECT {_FEED_COLUMNS} FROM feeds WHERE url = ?", (url,))
        return _row_to_feed(rows[0]) if rows else None

    def record_feed_fetch(
        self,
        source: str,
        url: str,
        *,
        fetched_at: datetime,
        status: int | None,
        error: str | None = None,
        etag: str | None = None,
        last_modified: str | None = None,
        items_seen: int = 0,
    ) -> FeedState:
        """Record one fetch: ok resets the failure count, an error increments it.

        A 200 replaces the validators with those given (None clears them); a 304 keeps the stored
        ones unless new ones are given; an error keeps them. items_seen is kept on 304 and errors."""
        when = _ts(fetched_at)
        with self._write(f"record a fetch of feed {url}") as conn:
            row = conn.execute(f"SELECT {_FEED_COLUMNS} FROM feeds WHERE url = ?", (url,)).fetchone()
            old = _row_to_feed(row) if row else FeedState(source=source, url=url)
            last_ok: str | None
            if error is None:
                if status == 304:
                    new_etag = etag if etag is not None else old.etag
                    new_lm = last_modified if last_modified is not None else old.last_modified
                    seen = old.items_seen
                else:
                    new_etag, new_lm, seen = etag, last_modified, items_seen
                failures, last_error, last_ok = 0, None, when
            else:
                new_etag, new_lm, seen = old.etag, old.last_modified, old.items_seen
                failures, last_error = old.consecutive_failures + 1, _clean(error)[:MAX_ERROR_CHARS]
                last_ok = _ts(old.last_ok) if old.last_ok else None
            conn.execute(
                "INSERT INTO feeds (url, source, last_fetch, last_status, etag, last_modified,"
                " items_seen, consecutive_failures, last_error, last_ok)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (url) DO UPDATE SET source = excluded.source,"
                " last_fetch = excluded.last_fetch, last_status = excluded.last_status,"
                " etag = excluded.etag, last_modified = excluded.last_modified,"
                " items_seen = excluded.items_seen, consecutive_failures = excluded.consecutive_failures,"
                " last_error = excluded.last_error, last_ok = excluded.last_ok",
                (url, source, when, status, new_etag, new_lm, seen, failures, last_error, last_ok),
            )
            row = conn.execute(f"SELECT {_FEED_COLUMNS} FROM feeds WHERE url = ?", (url,)).fetchone()
        return _row_to_feed(row)

    def feed_states(self) -> list[FeedState]:
        """Every feed's state, ordered by source then URL."""
        return [_row_to_feed(r) for r in self._read(f"SELECT {_FEED_COLUMNS} FROM feeds ORDER BY source, url")]

    # --- page fetches ----------------------------------------------------------------------
    def get_page_fetch(self, article_id: int) -> PageFetch | None:
        """The record of an article's page fetch, or None when it was never attempted."""
        rows = self._read(f"SELECT {_PAGE_COLUMNS} FROM page_fetches p JOIN articles a ON a.id = p.article_id"
                          " WHERE p.article_id = ?", (article_id,))
        return _row_to_page(rows[0]) if rows else None

    def save_page_fetch(self, record: PageFetch) -> None:
        """Write an article's page-fetch record, replacing the previous one."""
        def ts(value: datetime | None) -> str | None:
            return _ts(value) if value is not None else None

        with self._write(f"record the page fetch of article {record.article_id}") as conn:
            conn.execute(
                "INSERT OR REPLACE INTO page_fetches (article_id, url, status, attempts, kind, reason, first_try,"
                " last_try, next_try, complete) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (record.article_id, record.url, record.status.value, record.attempts,
                 record.kind.value if record.kind else None,
                 _clean(record.reason)[:MAX_ERROR_CHARS] if record.reason else None,
                 ts(record.first_try), ts(record.last_try), ts(record.next_try), int(record.complete)),
            )

    def page_fetches(self, *, status: PageStatus | None = None, due_by: datetime | None = None,
                     source: str | None = None, limit: int | None = None) -> list[PageFetch]:
        """Page-fetch records, newest attempt first; with `due_by`, the retries due by then, oldest due first."""
        where, params = [], []
        if status is not None:
            where.append("p.status = ?")
            params.append(status.value)
        if due_by is not None:
            where.append("p.status = ? AND p.next_try <= ?")
            params += [PageStatus.RETRYING.value, _ts(due_by)]
        if source is not None:
            where.append("a.source = ?")
            params.append(source)
        sql = f"SELECT {_PAGE_COLUMNS} FROM page_fetches p JOIN articles a ON a.id = p.article_id"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY p.next_try, p.article_id" if due_by is not None else " ORDER BY p.last_try DESC, p.article_id"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return [_row_to_page(r) for r in self._read(sql, params)]

    def page_quality(self, *, since: datetime, until: datetime) -> list[tuple[str, int, int]]:
        """(source, pages read, pages extracted as articles with a byline and a date) per source, over
        the page fetches last tried in [since, until): OK pages and pages that were not articles."""
        rows = self._read(
            "SELECT a.source, count(*), sum(CASE WHEN p.status = 'ok' AND p.complete = 1 THEN 1 ELSE 0 END)"
            " FROM page_fetches p"
            " JOIN articles a ON a.id = p.article_id WHERE p.last_try >= ? AND p.last_try < ?"
            " AND (p.status = 'ok' OR p.kind = 'not_article') GROUP BY a.source ORDER BY a.source",
            (_ts(since), _ts(until)))
        return [(r[0], int(r[1]), int(r[2] or 0)) for r in rows]

    # --- feed schedule ---------------------------------------------------------------------
    def get_feed_schedule(self, url: str) -> FeedSchedule | None:
        """A feed's schedule (next due, interval, active URL), or None when it has none yet."""
        rows = self._read(f"SELECT {_SCHEDULE_COLUMNS} FROM feed_schedule WHERE url = ?", (url,))
        return _row_to_schedule(rows[0]) if rows else None

    def save_feed_schedule(self, schedule: FeedSchedule) -> None:
        """Write a feed's schedule, replacing the last one."""
        def ts(value: datetime | None) -> str | None:
            return _ts(value) if value is not None else None

        with self._write(f"schedule feed {schedule.url}") as conn:
            conn.execute(
                f"INSERT OR REPLACE INTO feed_schedule ({_SCHEDULE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (schedule.url, schedule.source, _ts(schedule.next_due), float(schedule.interval), schedule.reason,
                 schedule.active_url, ts(schedule.switched_at), ts(schedule.primary_retry)),
            )

    def feed_schedules(self) -> list[FeedSchedule]:
        """Every feed's schedule, soonest due first."""
        return [_row_to_schedule(r) for r in
                self._read(f"SELECT {_SCHEDULE_COLUMNS} FROM feed_schedule ORDER BY next_due, url")]

    def recent_published(self, feed_url: str, *, since: datetime, limit: int = 1000) -> list[datetime]:
        """Publishing times of a feed's articles since `since`, newest first (for its cadence)."""
        rows = self._read("SELECT published FROM articles WHERE feed_url = ? AND published >= ?"
                          " ORDER BY published DESC LIMIT ?", (feed_url, _ts(since), int(limit)))
        return [datetime.fromisoformat(r[0]) for r in rows]

    # --- robots.txt ------------------------------------------------------------------------
    def get_robots(self, origin: str) -> RobotsTxt | None:
        """The last robots.txt answer kept for an origin, or None."""
        rows = self._read("SELECT origin, fetched_at, status, text, note FROM robots WHERE origin = ?", (origin,))
        if not rows:
            return None
        r = rows[0]
        return RobotsTxt(origin=r[0], fetched_at=datetime.fromisoformat(r[1]), status=r[2], text=r[3], note=r[4])

    def save_robots(self, robots: RobotsTxt) -> None:
        """Keep a robots.txt answer, replacing the last one for its origin."""
        with self._write(f"keep {robots.origin}/robots.txt") as conn:
            conn.execute("INSERT OR REPLACE INTO robots (origin, fetched_at, status, text, note) VALUES (?, ?, ?, ?, ?)",
                         (robots.origin, _ts(robots.fetched_at), robots.status, _clean(robots.text), robots.note))

    # --- articles: writing -----------------------------------------------------------------
    def save_item(
        self,
        item: FeedItem,
        *,
        html: str,
        text: str,
        seen_at: datetime,
        raw_ref: str | None = None,
    ) -> SaveOutcome:
        """Store one feed item, de-duplicated by canonical URL and by (source, GUID); one transaction.

        A new URL is a new article at revision 1. A known one gets a new revision only when the
        feed's normalized title and text differ from the current revision's feed text (like with
        like: never compared with page text); otherwise it is "unchanged"."""
        with self._write(f"save item {item.link or item.guid or item.title!r}") as conn:
            return self._save(conn, item, html, text, _ts(seen_at), raw_ref, frozenset())

    def save_items(self, items: list[tuple[FeedItem, str, str]], *, seen_at: datetime,
                   raw_ref: str | None = None) -> list[SaveOutcome]:
        """save_item for (item, html, text) triples in one transaction (one feed's worth).

        A GUID that the batch gives to several different URLs is a feed bug, not an edit: those
        items are matched by URL only."""
        by_guid: dict[tuple[str, str], set[str]] = {}
        for item, _, _ in items:
            if item.guid:
                by_guid.setdefault((item.source, item.guid), set()).add(_item_key(item))
        shared = frozenset(k for k, urls in by_guid.items() if len(urls) > 1)
        seen = _ts(seen_at)
        feed = items[0][0].feed_url if items else ""
        with self._write(f"save {len(items)} items of feed {feed}") as conn:
            return [self._save(conn, item, html, text, seen, raw_ref, shared)
                    for item, html, text in items]

    def _find(self, conn: sqlite3.Connection, item: FeedItem, key: str,
              shared: frozenset[tuple[str, str]]) -> tuple[tuple[Any, ...] | None, bool]:
        """The matching article row and whether it was found by GUID alone."""
        sel = "SELECT id, source, feed_url, url, feed_hash, revision FROM articles"
        row = conn.execute(f"{sel} WHERE url = ?", (key,)).fetchone()
        if row is None:
            row = conn.execute(
                f"{sel} WHERE id = (SELECT article_id FROM article_urls WHERE url = ?)", (key,)
            ).fetchone()
        if row is not None or not item.guid or (item.source, item.guid) in shared:
            return row, False
        rows = conn.execute(f"{sel} WHERE source = ? AND guid = ? LIMIT 2", (item.source, item.guid)).fetchall()
        return (rows[0], True) if len(rows) == 1 else (None, False)

    def _save(self, conn: sqlite3.Connection, item: FeedItem, html: str, text: str, seen: str,
              raw_ref: str | None, shared: frozenset[tuple[str, str]]) -> SaveOutcome:
        item, html, text = _clean_item(item), _clean(html), _clean(text)
        key = _item_key(item)
        row, by_guid = self._find(conn, item, key, shared)
        fingerprint = content_hash(item.title, html)  # any change in the feed's bytes, noise included
        if row is None:
            published = _ts(item.published) if item.published is not None else seen
            published = min(published, seen)
            cur = conn.execute(
                "INSERT INTO articles (source, url, link, guid, feed_url, title, published, first_seen,"
                " last_seen, authors, categories, revision, feed_hash, change_seq) VALUES"
                " (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)",
                (item.source, key, item.link.strip() or key, item.guid, item.feed_url, item.title, published,
                 seen, seen, _json_list(item.authors), _json_list(item.categories), fingerprint,
                 self._next_change(conn)),
            )
            article_id = int(cur.lastrowid)  # type: ignore[arg-type]
            self._add_feed_revision(conn, article_id, 1, seen, item, html, text, raw_ref)
            return SaveOutcome(SaveStatus.NEW, article_id, 1)

        article_id, source, feed_url, url, old_fingerprint, revision = row
        if by_guid and key != url:
            conn.execute("INSERT OR IGNORE INTO article_urls (url, article_id) VALUES (?, ?)", (key, article_id))
        if source != item.source or feed_url != item.feed_url:
            conn.execute("UPDATE articles SET last_seen = max(last_seen, ?) WHERE id = ?", (seen, article_id))
            return SaveOutcome(SaveStatus.DUPLICATE, article_id, revision)
        if item.guid and (item.source, item.guid) not in shared:
            conn.execute("UPDATE articles SET guid = ? WHERE id = ? AND guid IS NULL", (item.guid, article_id))
        if old_fingerprint != fingerprint:
            (feed_key,) = conn.execute("SELECT feed_key FROM revisions WHERE article_id = ? AND revision = ?",
                                       (article_id, revision)).fetchone()
            if text_key(item.title, text) != feed_key:  # the outlet changed what its feed says
                revision += 1
                conn.execute(
                    "UPDATE articles SET title = ?, last_seen = max(last_seen, ?),"
                    " authors = CASE WHEN ? = '[]' THEN authors ELSE ? END,"
                    " categories = CASE WHEN ? = '[]' THEN categories ELSE ? END,"
                    " revision = ?, feed_hash = ?, change_seq = ? WHERE id = ?",
                    (item.title, seen, *([_json_list(item.authors)] * 2), *([_json_list(item.categories)] * 2),
                     revision, fingerprint, self._next_change(conn), article_id),
                )
                self._add_feed_revision(conn, article_id, revision, seen, item, html, text, raw_ref)
                return SaveOutcome(SaveStatus.REVISED, article_id, revision)
        conn.execute("UPDATE articles SET last_seen = max(last_seen, ?), feed_hash = ? WHERE id = ?",
                     (seen, fingerprint, article_id))
        return SaveOutcome(SaveStatus.UNCHANGED, article_id, revision)

    @staticmethod
    def _add_feed_revision(conn: sqlite3.Connection, article_id: int, revision: int, seen: str, item: FeedItem,
                           html: str, text: str, raw_ref: str | None) -> None:
        """A revision opened by the feed: its text is the body until the page is read."""
        conn.execute(
            "INSERT INTO revisions (article_id, revision, first_seen, title, feed_html, feed_text, feed_key,"
            " feed_raw_ref, html, text) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (article_id, revision, seen, item.title, item.html, text, text_key(item.title, text), raw_ref, html, text),
        )

    def save_page(self, article_id: int, extracted: Article, *, html: str, text: str,
                  seen_at: datetime, raw_ref: str | None = None) -> SaveOutcome:
        """Keep the text read from the article's page, compared with the page text kept before.

        The current revision has no page text yet: it becomes its body ("filled", same revision).
        The same normalized text again: "unchanged". Different text: the outlet edited the page,
        a new revision ("revised") that keeps the current feed text beside the new body."""
        seen = _ts(seen_at)
        extracted_json = _article_to_json(extracted)
        html, text = _clean(html), _clean(text)
        page_key = text_key(extracted.title, text)
        with self._write(f"save the page text of article {article_id}") as conn:
            row = conn.execute(
                "SELECT a.revision, r.page_key FROM articles a JOIN revisions r"
                " ON r.article_id = a.id AND r.revision = a.revision WHERE a.id = ?", (article_id,),
            ).fetchone()
            if row is None:
                raise StoreError(f"article {article_id} is not in archive {self.path}; save its feed item first")
            revision, old_key = row
            if old_key == page_key:
                conn.execute("UPDATE articles SET last_seen = max(last_seen, ?) WHERE id = ?", (seen, article_id))
                return SaveOutcome(SaveStatus.UNCHANGED, article_id, revision)
            if old_key is None:
                self._set_page(conn, article_id, revision, html, text, page_key, seen, raw_ref, extracted_json)
                status = SaveStatus.FILLED
            else:
                conn.execute(
                    "INSERT INTO revisions (article_id, revision, first_seen, title, feed_html, feed_text, feed_key,"
                    " feed_raw_ref, html, text, page_key, page_seen, raw_ref, extracted)"
                    " SELECT article_id, revision + 1, ?, title, feed_html, feed_text, feed_key, feed_raw_ref,"
                    " ?, ?, ?, ?, ?, ? FROM revisions WHERE article_id = ? AND revision = ?",
                    (seen, html, text, page_key, seen, raw_ref, extracted_json, article_id, revision),
                )
                revision += 1
                status = SaveStatus.REVISED
            conn.execute(
                "UPDATE articles SET revision = ?, last_seen = max(last_seen, ?), change_seq = ? WHERE id = ?",
                (revision, seen, self._next_change(conn), article_id),
            )
        return SaveOutcome(status, article_id, revision)

    @staticmethod
    def _set_page(conn: sqlite3.Connection, article_id: int, revision: int, html: str, text: str, page_key: str,
                  seen: str | None, raw_ref: str | None, extracted_json: str) -> None:
        """Write a revision's page fields in place (page_seen and raw_ref kept when None is given)."""
        conn.execute(
            "UPDATE revisions SET html = ?, text = ?, page_key = ?, page_seen = coalesce(?, page_seen),"
            " raw_ref = coalesce(?, raw_ref), extracted = ? WHERE article_id = ? AND revision = ?",
            (html, text, page_key, seen, raw_ref, extracted_json, article_id, revision),
        )

    def reextract_page(self, article_id: int, raw_ref: str, extracted: Article, *, html: str, text: str,
                       seen_at: datetime) -> SaveOutcome:
        """Re-read text from the raw page response `raw_ref`: update the revision built on it, in place.

        Never creates a revision. The revision whose body came from `raw_ref` gets the new body and
        extracted record ("reextracted", or "unchanged" when they are the same); a response no
        revision used fills the current revision when its body is still the feed's and the response
        is not older than it ("filled"); any other response is left alone ("unchanged")."""
        extracted_json = _article_to_json(extracted)
        html, text = _clean(html), _clean(text)
        page_key = text_key(extracted.title, text)
        with self._write(f"re-extract the page of article {article_id}") as conn:
            current = conn.execute("SELECT revision FROM articles WHERE id = ?", (article_id,)).fetchone()
            if current is None:
                raise StoreError(f"article {article_id} is not in archive {self.path}")
            (current_revision,) = current
            row = conn.execute(
                "SELECT revision, html, text, extracted FROM revisions WHERE article_id = ? AND raw_ref = ?"
                " ORDER BY revision DESC LIMIT 1", (article_id, raw_ref),
            ).fetchone()
            if row is not None:
                revision, old_html, old_text, old_json = row
                if (old_html, old_text, old_json) == (html, text, extracted_json):
                    return SaveOutcome(SaveStatus.UNCHANGED, article_id, current_revision)
                self._set_page(conn, article_id, revision, html, text, page_key, None, None, extracted_json)
                status = SaveStatus.REEXTRACTED
            else:
                first_seen, old_key = conn.execute(
                    "SELECT first_seen, page_key FROM revisions WHERE article_id = ? AND revision = ?",
                    (article_id, current_revision),
                ).fetchone()
                seen = _ts(seen_at)
                if old_key is not None or seen < first_seen:
                    return SaveOutcome(SaveStatus.UNCHANGED, article_id, current_revision)
                revision = current_revision
                self._set_page(conn, article_id, revision, html, text, page_key, seen, raw_ref, extracted_json)
                status = SaveStatus.FILLED
            if revision == current_revision:  # the searchable body changed
                conn.execute("UPDATE articles SET change_seq = ? WHERE id = ?", (self._next_change(conn), article_id))
        return SaveOutcome(status, article_id, current_revision)

    def delete_source_articles(self, source: str) -> list[int]:
        """Delete every article of `source` with everything kept about it (revisions, folded versions, other
        URLs, page fetches); return their ids. One transaction."""
        with self._write(f"delete the articles of source {source!r}") as conn:
            ids = [r[0] for r in conn.execute("SELECT id FROM articles WHERE source = ?", (source,))]
            self._forget_placements(conn, ids)
            for table in _ARTICLE_TABLES:
                conn.execute(f"DELETE FROM {table} WHERE article_id IN (SELECT id FROM articles WHERE source = ?)",
                             (source,))
            conn.execute("DELETE FROM articles WHERE source = ?", (source,))
            if ids:
                self._next_change(conn)  # a number no article carries: last_change moves, followers see a change
        return ids

    # --- articles: reading -----------------------------------------------------------------
    def get_article(self, article_id: int) -> StoredArticle | None:
        """One article with its newest content, or None."""
        rows = self._read(f"{_ARTICLE_SELECT} WHERE a.id = ?", (article_id,))
        return _row_to_article(rows[0]) if rows else None

    def get_article_by_url(self, url: str) -> StoredArticle | None:
        """Look up by any URL form (and by URLs the article had before); canonicalised first."""
        key = canonical_url(url)
        rows = self._read(
            f"{_ARTICLE_SELECT} WHERE a.url = ?1"
            " OR a.id = (SELECT article_id FROM article_urls WHERE url = ?1) LIMIT 1",
            (key,),
        )
        return _row_to_article(rows[0]) if rows else None

    def article_versions(self, article_id: int) -> list[ArticleVersion]:
        """Every revision of an article, oldest first."""
        rows = self._read(
            "SELECT article_id, revision, first_seen, title, feed_html, html, text, feed_text, page_seen,"
            " coalesce(raw_ref, feed_raw_ref), extracted FROM revisions WHERE article_id = ? ORDER BY revision",
            (article_id,),
        )
        return [
            ArticleVersion(article_id=r[0], version=r[1], seen_at=datetime.fromisoformat(r[2]), title=r[3],
                           feed_html=r[4], html=r[5], text=r[6], feed_text=r[7], page_seen=_dt(r[8]),
                           raw_ref=r[9], extracted=_article_from_json(r[10]))
            for r in rows
        ]

    def folded_versions(self, article_id: int) -> list[tuple[int, int, datetime, str]]:
        """Versions an older release stored that were not edits: (old number, revision, seen at, text)."""
        rows = self._read("SELECT version, revision, seen_at, text FROM folded_versions WHERE article_id = ?"
                          " ORDER BY version", (article_id,))
        return [(r[0], r[1], datetime.fromisoformat(r[2]), r[3]) for r in rows]

    def iter_articles(
        self,
        *,
        source: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        newest_first: bool = False,
        limit: int | None = None,
        offset: int = 0,
    ) -> Iterator[StoredArticle]:
        """Stream articles ordered by (published, id), `since` <= published < `until`.

        Pages of PAGE_SIZE rows are read by keyset (never the whole table), so memory stays
        constant and writes on the same store may interleave with the iteration."""
        if limit is not None and limit <= 0:
            return
        where: list[str] = []
        params: list[Any] = []
        if source is not None:
            where.append("a.source = ?")
            params.append(source)
        if since is not None:
            where.append("a.published >= ?")
            params.append(_ts(since))
        if until is not None:
            where.append("a.published < ?")
            params.append(_ts(until))
        direction, cmp = ("DESC", "<") if newest_first else ("ASC", ">")
        order = f" ORDER BY a.published {direction}, a.id {direction}"
        remaining = limit
        after: tuple[str, int] | None = None
        skip = max(offset, 0)
        while True:
            conds, args = list(where), list(params)  # fresh lists per page
            if after is not None:
                conds.append(f"(a.published, a.id) {cmp} (?, ?)")
                args.extend(after)
            page = PAGE_SIZE if remaining is None else min(PAGE_SIZE, remaining)
            sql = _ARTICLE_SELECT
            if conds:
                sql += " WHERE " + " AND ".join(conds)
            sql += order + f" LIMIT {page}" + (f" OFFSET {skip}" if skip else "")
            rows = self._read(sql, args)
            skip = 0
            for row in rows:
                yield _row_to_article(row)
            if remaining is not None:
                remaining -= len(rows)
                if remaining <= 0:
                    return
            if len(rows) < page:
                return
            after = (rows[-1][6], rows[-1][0])
            del rows

    def changes_since(self, seq: int, *, limit: int | None = None) -> Iterator[tuple[int, StoredArticle]]:
        """Articles created or changed after change number `seq`, in change order, with their number."""
        remaining = limit
        after = seq
        while remaining is None or remaining > 0:
            page = PAGE_SIZE if remaining is None else min(PAGE_SIZE, remaining)
            rows = self._read(
                f"{_ARTICLE_SELECT} WHERE a.change_seq > ? ORDER BY a.change_seq LIMIT {page}",
                (after,),
            )
            for row in rows:
                yield row[-1], _row_to_article(row)
            if remaining is not None:
                remaining -= len(rows)
            if len(rows) < page:
                return
            after = rows[-1][-1]

    def last_change(self) -> int:
        """The highest change number given out so far (0 for an empty archive); it never goes down."""
        return int(self._read("SELECT last FROM change_counter")[0][0])

    def day_counts(self, since: datetime, until: datetime, tz: str) -> dict[date, int]:
        """How many articles were published on each local day of zone `tz`, for since <= published < until.

        Counted per UTC minute in SQL (every zone's offset is whole minutes), so at most 1,440 rows a
        day come back however many articles there are; the minutes are put into local days here,
        since SQLite knows no timezones."""
        zone = ZoneInfo(tz)
        counts: dict[date, int] = {}
        rows = self._read("SELECT substr(published, 1, 16), count(*) FROM articles WHERE published >= ?"
                          " AND published < ? GROUP BY 1", (_ts(since), _ts(until)))
        for minute, n in rows:
            day = datetime.fromisoformat(minute + "+00:00").astimezone(zone).date()
            counts[day] = counts.get(day, 0) + n
        return counts

    def count_articles(self, *, source: str | None = None, since: datetime | None = None,
                       until: datetime | None = None) -> int:
        """How many articles there are (for one source; published in [since, until))."""
        where, params = [], []
        for clause, value in (("source = ?", source), ("published >= ?", since), ("published < ?", until)):
            if value is not None:
                where.append(clause)
                params.append(value if isinstance(value, str) else _ts(value))
        sql = "SELECT count(*) FROM articles" + (" WHERE " + " AND ".join(where) if where else "")
        return int(self._read(sql, params)[0][0])

    def sources(self) -> list[tuple[str, int, datetime | None]]:
        """(source name, article count, newest published) for every source with articles."""
        rows = self._read("SELECT source, count(*), max(published) FROM articles GROUP BY source ORDER BY source")
        return [(r[0], int(r[1]), _dt(r[2])) for r in rows]
