"""The stories stage's tables, for SQLiteStore (plain SQL: the same statements serve another backend).

`story_articles` holds each article's placement (story, original, packed features); `stories` one row per
story with its first and last publication and size, rewritten from `story_articles` whenever a placement
touches it; `story_state` the stage's progress. Placements, the progress they reach and the repointing of
copies to a new original are written in one transaction, so a crash never half-saves a batch.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from newsmirror.errors import StoryError
from newsmirror.models import Story, StoryArticle, StoryPlacement

__all__ = ["StoryTables"]

_MEMBER_COLUMNS = "s.story_id, a.id, a.url, a.source, a.title, a.published, s.copy_of, o.url"
_CHUNK = 500  # ids per IN (...) list


def _ts(value: datetime) -> str:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def _chunks(ids: list[int]) -> Iterable[list[int]]:
    for i in range(0, len(ids), _CHUNK):
        yield ids[i : i + _CHUNK]


class StoryTables:
    """Story methods of the Store protocol over `self._write(what)` and `self._read(sql, params)`."""

    _write: Any
    _read: Any

    def story_state(self) -> dict[str, str]:
        """The stories stage's progress (keys `seq`, `rebuild`, `rebuild_seq`, `params`, `forgotten`)."""
        return {k: v for k, v in self._read("SELECT key, value FROM story_state")}

    def story_entries(self, since: datetime, until: datetime) -> list[StoryPlacement]:
        """The placements of the articles placed as published in [since, until)."""
        rows = self._read("SELECT article_id, story_id, copy_of, published, features FROM story_articles"
                          " WHERE published >= ? AND published < ? ORDER BY published, article_id",
                          (_ts(since), _ts(until)))
        return [StoryPlacement(r[0], r[1], r[2], datetime.fromisoformat(r[3]), bytes(r[4])) for r in rows]

    def save_placements(self, placements: list[StoryPlacement], *, state: dict[str, str | None],
                        repoints: Sequence[tuple[int, int]] = (), expect: dict[str, str | None] | None = None,
                        clear: bool = False) -> None:
        """Write placements, copies' new originals (old, new) and progress keys (None deletes one) at once.

        `expect`: state values the store must still hold, else StoryError (another process placed
        meanwhile). `clear` first forgets every placement (a regrouping starts)."""
        with self._write("save story placements") as conn:
            if expect:
                held = {k: v for k, v in conn.execute("SELECT key, value FROM story_state")}
                for key, value in expect.items():
                    if held.get(key) != value:
                        raise StoryError(f"the stories stage's {key} is {held.get(key)!r}, not {value!r}: another "
                                         "process placed articles meanwhile; run 'newsmirror stories' again")
            if clear:
                conn.execute("DELETE FROM story_articles")
                conn.execute("DELETE FROM stories")
                conn.execute("DELETE FROM story_state")
            touched: set[int] = set()
            ids = [p.article_id for p in placements]
            for chunk in _chunks(ids):
                marks = ",".join("?" * len(chunk))
                touched.update(r[0] for r in conn.execute(
                    f"SELECT story_id FROM story_articles WHERE article_id IN ({marks})", chunk))
            for old, new in repoints:
                touched.update(r[0] for r in conn.execute(
                    "SELECT DISTINCT story_id FROM story_articles WHERE copy_of = ? OR article_id = ?", (old, old)))
                conn.execute("UPDATE story_articles SET copy_of = ? WHERE (copy_of = ? OR article_id = ?)"
                             " AND article_id <> ?", (new, old, old, new))
            existing: set[int] = set()
            for chunk in _chunks(ids):
                marks = ",".join("?" * len(chunk))
                existing.update(r[0] for r in conn.execute(f"SELECT id FROM articles WHERE id IN ({marks})", chunk))
                conn.execute(f"DELETE FROM story_articles WHERE article_id IN ({marks})", chunk)
            rows = []
            for p in placements:
                if p.article_id in existing:  # else deleted meanwhile (its source purged): nothing to place
                    rows.append((p.article_id, p.story_id, p.copy_of, _ts(p.published), p.features))
                    touched.add(p.story_id)
            conn.executemany("INSERT INTO story_articles (article_id, story_id, copy_of, published, features)"
                             " VALUES (?, ?, ?, ?, ?)", rows)
            _refresh_stories(conn, sorted(touched))
            for key, value in state.items():
                conn.execute("DELETE FROM story_state WHERE key = ?", (key,))
                if value is not None:
                    conn.execute("INSERT INTO story_state (key, value) VALUES (?, ?)", (key, value))

    def _forget_placements(self, conn, article_ids: list[int]) -> None:
        """Inside a deletion's transaction: drop these articles' placements, make the earliest remaining
        copy of a deleted original the original of the rest, and rewrite the stories they were in."""
        gone = set(article_ids)
        touched: set[int] = set()
        for chunk in _chunks(article_ids):
            marks = ",".join("?" * len(chunk))
            touched.update(r[0] for r in conn.execute(
                f"SELECT DISTINCT story_id FROM story_articles WHERE article_id IN ({marks})", chunk))
            orphans: dict[int, list[int]] = {}
            for copy_id, original in conn.execute(
                    f"SELECT article_id, copy_of FROM story_articles WHERE copy_of IN ({marks})"
                    f" ORDER BY published, article_id", chunk):
                if copy_id not in gone:
                    orphans.setdefault(original, []).append(copy_id)
            for copies in orphans.values():
                conn.execute("UPDATE story_articles SET copy_of = NULL WHERE article_id = ?", (copies[0],))
                for other in copies[1:]:
                    conn.execute("UPDATE story_articles SET copy_of = ? WHERE article_id = ?", (copies[0], other))
            conn.execute(f"DELETE FROM story_articles WHERE article_id IN ({marks})", chunk)
        _refresh_stories(conn, sorted(touched))
        # a new `forgotten` value tells a process that keeps placements in memory (`sync_stories`) to read again
        held = conn.execute("SELECT value FROM story_state WHERE key = 'forgotten'").fetchone()
        conn.execute("DELETE FROM story_state WHERE key = 'forgotten'")
        conn.execute("INSERT INTO story_state (key, value) VALUES ('forgotten', ?)", (str(int(held[0] if held else 0) + 1),))

    def stories(self, *, ids: Iterable[int] | None = None, since: datetime | None = None,
                until: datetime | None = None, source: str | None = None, min_articles: int = 1,
                newest_first: bool = False, limit: int | None = None, offset: int = 0) -> list[Story]:
        """Stories with their articles in time order: those `ids`, or those with an article published in
        [since, until) (of `source`, when given), oldest first unless `newest_first`, paged."""
        where, params = _story_filter(ids, since, until, source, min_articles)
        order = "DESC" if newest_first else "ASC"
        sql = f"SELECT st.id FROM stories st WHERE {where} ORDER BY st.first_published {order}, st.id {order}"
        if limit is not None:
            sql += f" LIMIT {int(limit)} OFFSET {int(offset)}"
        story_ids = [r[0] for r in self._read(sql, params)]
        members: dict[int, list[StoryArticle]] = {i: [] for i in story_ids}
        for chunk in _chunks(story_ids):
            marks = ",".join("?" * len(chunk))
            for r in self._read(f"SELECT {_MEMBER_COLUMNS} FROM story_articles s JOIN articles a ON a.id = s.article_id"
                                f" LEFT JOIN articles o ON o.id = s.copy_of"
                                f" WHERE s.story_id IN ({marks}) ORDER BY a.published, a.id", chunk):
                members[r[0]].append(StoryArticle(r[1], r[2], r[3], r[4], datetime.fromisoformat(r[5]), r[6], r[7]))
        return [Story(i, tuple(members[i])) for i in story_ids if members[i]]

    def count_stories(self, *, since: datetime | None = None, until: datetime | None = None,
                      source: str | None = None, min_articles: int = 1) -> int:
        """How many stories `stories` would list with the same filters."""
        where, params = _story_filter(None, since, until, source, min_articles)
        return int(self._read(f"SELECT count(*) FROM stories st WHERE {where}", params)[0][0])

    def story_ids(self, article_ids: Iterable[int]) -> dict[int, int]:
        """The story of each placed article among `article_ids`."""
        out: dict[int, int] = {}
        for chunk in _chunks(list(article_ids)):
            marks = ",".join("?" * len(chunk))
            out.update({r[0]: r[1] for r in self._read(
                f"SELECT article_id, story_id FROM story_articles WHERE article_id IN ({marks})", chunk)})
        return out


def _story_filter(ids, since, until, source, min_articles) -> tuple[str, list[Any]]:
    where, params = ["st.articles >= ?"], [min_articles]
    if ids is not None:
        ids = list(ids)
        where.append(f"st.id IN ({','.join('?' * len(ids)) or 'NULL'})")
        params += ids
    if since is not None:
        where.append("st.last_published >= ?")
        params.append(_ts(since))
    if until is not None:
        where.append("st.first_published < ?")
        params.append(_ts(until))
    if source is not None:
        where.append("st.id IN (SELECT s.story_id FROM story_articles s JOIN articles a ON a.id = s.article_id"
                     " WHERE a.source = ?)")
        params.append(source)
    return " AND ".join(where), params


def _refresh_stories(conn, story_ids: list[int]) -> None:
    """Rewrite the `stories` rows of these stories from their articles (deleting emptied ones)."""
    for chunk in _chunks(story_ids):
        marks = ",".join("?" * len(chunk))
        conn.execute(f"DELETE FROM stories WHERE id IN ({marks})", chunk)
        conn.execute(f"INSERT INTO stories (id, first_published, last_published, articles)"
                     f" SELECT story_id, min(published), max(published), count(*) FROM story_articles"
                     f" WHERE story_id IN ({marks}) GROUP BY story_id", chunk)
