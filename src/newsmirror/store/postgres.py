"""The archive in PostgreSQL (psycopg 3), for many writers on many machines.

One store, two backends: `PostgresStore` runs the same methods as `SQLiteStore` (every method
whose SQL both databases read alike is shared, written once in store/sqlite.py) through a
connection adapter that reads SQLite's SQL as PostgreSQL's: `?` and `?N` placeholders,
`INSERT OR IGNORE`/`INSERT OR REPLACE` (as ON CONFLICT, by the table's key in `_KEYS`), the
two-argument `max(a, b)` (GREATEST), `lastrowid` (RETURNING id). What differs for real is here,
next to nothing else: opening and migrating, transactions, and change numbers.

Change numbers: SQLite has one writer at a time, so a counter raised in the transaction is safe
there (`SQLiteStore._next_change`, the one hook both backends fill). Here many transactions
write at once and commit in any order, so a number drawn early could become visible after a
later one, and a reader that moved past the later one would never see it. So a write stamps a
changed article with a negative placeholder, and just before COMMIT the transaction takes a
transaction-scoped advisory lock (held through the commit) and gives its rows their numbers
from the sequence `change_seq`. Numbers therefore become visible in increasing order: every
number a reader sees is safe to move past (the rule stated in `Store.changes_since`).

Schema: store/migrations/postgres/NNN_name.sql, numbered like SQLite's migrations (the first
file, 007_init.sql, is SQLite's schema 7 in one step), the version kept in `schema_version`.
Opening never migrates unless asked (`newsmirror migrate`): a server is shared, and its schema
is changed on purpose, once, under an advisory lock.
"""

from __future__ import annotations

import itertools
import logging
import re
import threading
from collections.abc import Iterator
from datetime import datetime, UTC
from importlib import resources
from typing import Any

import psycopg

from newsmirror.errors import StoreError
from newsmirror.store.sqlite import SCHEMA_VERSION, SQLiteStore, _ts

__all__ = ["PostgresStore", "MIN_SERVER_VERSION", "load_pg_migrations", "pg_release", "server_too_old"]

log = logging.getLogger(__name__)

MIN_SERVER_VERSION = 130000  # PostgreSQL 13: the job queue's minimum (and ours: xact advisory locks, identity)
_CHANGE_LOCK = 0x6E6D_6368  # advisory lock key ("nmch") held while a transaction numbers its changes
_MIGRATE_LOCK = 0x6E6D_6D67  # ("nmmg") held while migrating
# Keys of the tables the shared SQL writes with INSERT OR REPLACE.
_KEYS = {"page_fetches": ("article_id",), "feed_schedule": ("url",), "robots": ("origin",),
         "schema_log": ("version",), "story_state": ("key",), "feeds": ("url",)}
_RETURNING_ID = ("articles",)  # INSERTs whose cursor must give lastrowid

# A quoted SQL string (kept as it is), a placeholder (? or ?N), or a '%' (psycopg's own marker).
_SQL_TOKEN = re.compile(r"'(?:[^']|'')*'|\?(\d*)|%")
# INSERT OR REPLACE INTO table (columns)
_REPLACE = re.compile(r"INSERT OR REPLACE INTO (\w+)\s*\(([^)]*)\)", re.I)
_IGNORE = re.compile(r"INSERT OR IGNORE INTO", re.I)
# SQLite's two-argument scalar max, e.g. max(last_seen, ?): PostgreSQL's GREATEST.
_SCALAR_MAX = re.compile(r"\bmax\(([\w.]+),\s*(\?|[\w.]+)\)", re.I)


def pg_release(server_version: int) -> str:
    """A server_version_num as people name it: 120017 is "12", 90624 is "9.6" (two numbers before 10)."""
    if server_version >= 100000:
        return str(server_version // 10000)
    return f"{server_version // 10000}.{server_version % 10000 // 100}"


def server_too_old(server_version: int, shown: str) -> str | None:
    """Why a server of `server_version` cannot hold the archive (one line naming it), or None."""
    if server_version >= MIN_SERVER_VERSION:
        return None
    return (f"the database {shown} runs PostgreSQL {pg_release(server_version)}; newsmirror needs "
            f"{pg_release(MIN_SERVER_VERSION)} or later: upgrade the server")


def load_pg_migrations() -> list[tuple[int, str, str]]:
    """(number, name, SQL) of the PostgreSQL migrations, in order, numbered without gaps."""
    found = []
    for entry in resources.files("newsmirror.store").joinpath("migrations", "postgres").iterdir():
        m = re.match(r"^(\d{3})_([a-z0-9_]+)\.sql$", entry.name)
        if m:
            found.append((int(m.group(1)), entry.name[:-4], entry.read_text(encoding="utf-8")))
    found.sort()
    numbers = [n for n, _, _ in found]
    if numbers != list(range(numbers[0], numbers[0] + len(numbers))):
        raise StoreError(f"postgres migrations are not numbered without gaps: {numbers}")
    return found


PG_SCHEMA_VERSION = load_pg_migrations()[-1][0]


class _Translated:
    """One SQLite statement read as PostgreSQL: the SQL, which argument feeds each placeholder, flags."""

    __slots__ = ("sql", "order", "returning")

    def __init__(self, sql: str) -> None:
        sql = _SCALAR_MAX.sub(r"GREATEST(\1, \2)", sql)
        if m := _REPLACE.search(sql):
            table, columns = m.group(1), [c.strip() for c in m.group(2).split(",")]
            keys = _KEYS.get(table)
            if keys is None:
                raise StoreError(f"no key known for INSERT OR REPLACE INTO {table}; add it to store.postgres._KEYS")
            updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in columns if c not in keys)
            sql = _REPLACE.sub(f"INSERT INTO {table} ({m.group(2)})", sql, count=1)
            sql += f" ON CONFLICT ({', '.join(keys)}) DO " + (f"UPDATE SET {updates}" if updates else "NOTHING")
        if _IGNORE.search(sql):
            sql = _IGNORE.sub("INSERT INTO", sql, count=1) + " ON CONFLICT DO NOTHING"
        self.returning = any(sql.lstrip().upper().startswith(f"INSERT INTO {t.upper()} ") for t in _RETURNING_ID)
        if self.returning:
            sql += " RETURNING id"
        order: list[int] = []
        plain = [0]

        def token(m: re.Match[str]) -> str:
            text = m.group(0)
            if text.startswith("'"):
                return text
            if text == "%":
                return "%%"
            if m.group(1):
                order.append(int(m.group(1)) - 1)
            else:
                order.append(plain[0])
                plain[0] += 1
            return "%s"

        translated = _SQL_TOKEN.sub(token, sql)
        self.order = order
        self.sql = translated if order else sql  # without arguments psycopg reads no markers


_cache: dict[str, _Translated] = {}


def _translate(sql: str) -> _Translated:
    t = _cache.get(sql)
    if t is None:
        t = _cache[sql] = _Translated(sql)
    return t


class _Cursor:
    """A psycopg cursor with sqlite3's `lastrowid`."""

    def __init__(self, cur: psycopg.Cursor, returning: bool) -> None:
        self._cur = cur
        self.lastrowid = cur.fetchone()[0] if returning else None  # type: ignore[index]

    def fetchone(self) -> Any:
        return self._cur.fetchone()

    def fetchall(self) -> list[Any]:
        return self._cur.fetchall() if self._cur.description else []

    def __iter__(self) -> Iterator[Any]:
        return iter(self.fetchall())

    @property
    def rowcount(self) -> int:
        return self._cur.rowcount


class _Connection:
    """psycopg's connection speaking the sqlite3 dialect the shared store code writes."""

    def __init__(self, pg: psycopg.Connection) -> None:
        self.pg = pg
        self.stamped = False  # this transaction took a change number (`PostgresStore._next_change`)
        # Placeholders unique among the transactions open at once without asking the server: this session's
        # backend pid (unique among live sessions) above a 24-bit count. None outlives its transaction (numbered
        # before COMMIT, or rolled back with it), so a pid used again later, or the count wrapping, meets none.
        self._pid = pg.info.backend_pid << 24
        self._count = itertools.count(1)

    def placeholder(self) -> int:
        """The next negative change-number placeholder of this session (see __init__)."""
        self.stamped = True
        return -(self._pid | (next(self._count) & 0xFFFFFF))

    def execute(self, sql: str, params: Any = ()) -> _Cursor:
        t = _translate(sql)
        args = [params[i] for i in t.order] if t.order else None
        return _Cursor(self.pg.execute(t.sql, _adapt(args)), t.returning)

    def executemany(self, sql: str, rows: Any) -> None:
        t = _translate(sql)
        with self.pg.cursor() as cur:
            cur.executemany(t.sql, [_adapt([row[i] for i in t.order]) or [] for row in rows])

    @property
    def in_transaction(self) -> bool:
        return self.pg.info.transaction_status != psycopg.pq.TransactionStatus.IDLE


def _adapt(args: list[Any] | None) -> list[Any] | None:
    """Values as PostgreSQL takes them: text without NUL characters (SQLite keeps them, PostgreSQL cannot)."""
    if args is None:
        return None
    return [a.replace("\x00", "\ufffd") if isinstance(a, str) and "\x00" in a else a for a in args]


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


class PostgresStore(SQLiteStore):
    """The `Store` protocol over a PostgreSQL database (see the module docstring for what differs)."""

    def __init__(self, url: str, *, readonly: bool = False, migrate: bool = False,
                 connect_timeout: float = 10.0) -> None:
        from newsmirror.store import _redact

        self.url = url
        self.path = _redact(url)  # type: ignore[assignment]  # what messages name: the URL, password hidden
        self.readonly = readonly
        self._lock = threading.RLock()
        self._depth = 0
        self._conn = None
        try:
            pg = psycopg.connect(url, autocommit=True, connect_timeout=int(max(connect_timeout, 1)))
        except psycopg.ProgrammingError as exc:  # a malformed conninfo
            raise StoreError(f"store {self.path} is not a valid PostgreSQL URL: {_first_line(exc)}") from None
        except psycopg.Error as exc:
            raise StoreError(f"cannot reach the database {self.path}: {_first_line(exc)}") from None
        self._conn = _Connection(pg)  # type: ignore[assignment]
        try:
            problem = server_too_old(pg.info.server_version, str(self.path))
            if problem:
                raise StoreError(problem)
            if readonly:
                pg.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
            if migrate and not readonly:
                self._migrate()
            self._check_version()
        except psycopg.Error as exc:
            self._close_quietly()
            raise StoreError(f"cannot open the database {self.path}: {_first_line(exc)}") from None
        except StoreError:
            self._close_quietly()
            raise

    # --- opening and the schema -------------------------------------------------------------
    def _user_version(self) -> int:
        pg = self._db.pg  # type: ignore[attr-defined]
        if pg.execute("SELECT to_regclass('schema_version')").fetchone()[0] is None:
            return 0
        row = pg.execute("SELECT max(version) FROM schema_version").fetchone()
        return int(row[0] or 0)

    def _check_version(self) -> None:
        version = self._user_version()
        if version == 0:
            raise StoreError(f"the database {self.path} holds no newsmirror archive; create its tables with:"
                             f" newsmirror --store URL migrate")
        if version > SCHEMA_VERSION:
            raise StoreError(f"the database {self.path} has schema version {version}, newer than this newsmirror"
                             f" knows ({SCHEMA_VERSION}); upgrade newsmirror to use it")
        if version < SCHEMA_VERSION:
            raise StoreError(f"the database {self.path} has schema version {version}, older than this newsmirror"
                             f" ({SCHEMA_VERSION}); upgrade it with: newsmirror --store URL migrate")

    def _migrate(self) -> None:
        if PG_SCHEMA_VERSION != SCHEMA_VERSION:
            raise StoreError(f"this newsmirror's PostgreSQL migrations reach schema {PG_SCHEMA_VERSION}, its SQLite"
                             f" ones {SCHEMA_VERSION}: add the missing store/migrations/postgres/ files")
        pg = self._db.pg  # type: ignore[attr-defined]
        with pg.transaction():
            pg.execute("SELECT pg_advisory_xact_lock(%s)", (_MIGRATE_LOCK,))
            current = self._user_version()
            first = load_pg_migrations()
            if current and current < first[0][0]:
                raise StoreError(f"the database {self.path} has schema version {current}, older than the first"
                                 f" PostgreSQL migration ({first[0][0]})")
            for number, name, sql in first:
                if number <= current:
                    continue
                try:
                    pg.execute(sql)
                except psycopg.Error as exc:
                    raise StoreError(f"the database {self.path}: migration {name} failed: {_first_line(exc)}"
                                     f"; nothing was changed") from None
                pg.execute("DELETE FROM schema_version")
                pg.execute("INSERT INTO schema_version VALUES (%s)", (number,))
                log.info("database %s: migration %s applied", self.path, name)

    @property
    def schema_version(self) -> int:
        """The schema version of the database."""
        with self._lock:
            return self._user_version()

    def _close_quietly(self) -> None:
        if self._conn is not None:
            try:
                self._conn.pg.close()  # type: ignore[attr-defined]
            except psycopg.Error:
                pass
            self._conn = None

    def close(self) -> None:
        """Close the connection (every write is already committed); safe to call twice."""
        with self._lock:
            self._close_quietly()

    def __repr__(self) -> str:
        return f"PostgresStore({self.path!r}{', readonly=True' if self.readonly else ''})"

    def integrity_check(self) -> str:
        """PostgreSQL keeps its own pages consistent; this checks the archive's own rule: no unnumbered change."""
        rows = self._read("SELECT count(*) FROM articles WHERE change_seq <= 0")
        return "ok" if rows[0][0] == 0 else f"{rows[0][0]} articles without a change number"

    def backup(self, dest) -> Any:
        raise StoreError(f"the database {self.path} is backed up by PostgreSQL's own tools: pg_dump or pg_basebackup")

    # --- transactions: SQLiteStore._write's skeleton, with these hooks -------------------------
    _DRIVER_ERRORS = (psycopg.Error,)

    @property
    def _label(self) -> str:
        return f"the database {self.path}"

    def _failed(self, doing: str, exc: Exception) -> StoreError:
        return StoreError(f"{self._label}: {doing}: {_first_line(exc)}")

    def _begin(self, conn: Any) -> None:
        conn.execute("BEGIN")
        conn.stamped = False

    def _next_change(self, conn: Any) -> int:
        """A negative placeholder, numbered from the sequence by `_before_commit` (the module's docstring)."""
        return int(conn.placeholder())

    def _before_commit(self, conn: Any) -> None:
        """Number the transaction's changes under a lock held through COMMIT (the module's docstring), and
        raise the counter `last_change` reads to the last of them (a deletion alone takes one number)."""
        if conn.stamped:
            pg = conn.pg
            pg.execute("SELECT pg_advisory_xact_lock(%s)", (_CHANGE_LOCK,))
            numbered = pg.execute("UPDATE articles SET change_seq = nextval('change_seq') WHERE change_seq < 0")
            last = "currval('change_seq')" if numbered.rowcount else "nextval('change_seq')"
            pg.execute(f"UPDATE change_counter SET last = {last}")

    def _now(self) -> str:
        return _ts(datetime.now(UTC))
