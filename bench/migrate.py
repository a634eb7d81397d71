"""How long migration 5 (versions -> revisions) takes on a large schema-2 archive, and its peak memory.

Builds an archive at schema 2 with the shipped migrations 1-2 (N articles: two thirds with a feed
version and a page version, as the release before revisions stored summary feeds, one third with
one version), then opens it with today's store, which migrates it. Prints the seconds, the peak
memory of the Python process (tracemalloc) and the migration's log line.

    .venv/bin/python bench/migrate.py --articles 100000
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import tempfile
import time
import tracemalloc
from pathlib import Path

from newsmirror.store.sqlite import SQLiteStore, _split_statements, load_migrations

FEED = "<p>{n}號新聞的摘要：市府今天宣布相關措施，詳情見內文。</p>"
PAGE = "".join(f"<p>第{i}段：市府今天宣布相關措施，民眾可上網查詢，相關單位將持續說明後續安排。</p>" for i in range(8))


def build(path: Path, articles: int) -> None:
    """A schema-2 archive written row by row as the old release wrote it."""
    conn = sqlite3.connect(path, isolation_level=None)
    for mig in load_migrations()[:2]:
        for statement in _split_statements(mig.sql):
            conn.execute(statement)
    conn.execute("PRAGMA user_version = 2")
    extracted = json.dumps({"kind": "article", "title": "標題", "text": PAGE}, ensure_ascii=False)
    t = "2025-09-10T08:00:00.000000+00:00"
    conn.execute("BEGIN")
    for n in range(1, articles + 1):
        feed = FEED.format(n=n)
        two = n % 3 != 0
        conn.execute("INSERT INTO articles (id, source, url, link, title, published, first_seen, last_seen,"
                     " current_version, feed_hash, change_seq) VALUES (?, 'A', ?, ?, ?, ?, ?, ?, ?, 'h', ?)",
                     (n, f"https://o.example/{n}", f"https://o.example/{n}", f"標題{n}", t, t, t, 2 if two else 1, n))
        conn.execute("INSERT INTO versions (article_id, version, seen_at, title, feed_html, html, text,"
                     " content_hash, raw_ref) VALUES (?, 1, ?, ?, ?, ?, ?, 'h1', 'f.warc.gz:0')",
                     (n, t, f"標題{n}", feed, feed, feed))
        if two:
            conn.execute("INSERT INTO versions (article_id, version, seen_at, title, feed_html, html, text,"
                         " summary, content_hash, raw_ref, extracted) VALUES (?, 2, ?, ?, ?, ?, ?, ?, 'h2', ?, ?)",
                         (n, t, f"標題{n}", feed, PAGE, PAGE, feed, f"p.warc.gz:{n}", extracted))
    conn.execute("COMMIT")
    conn.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", type=int, default=100_000)
    ap.add_argument("--dir", help="where to build the archive (default: a temporary folder)")
    args = ap.parse_args()
    folder = Path(args.dir or tempfile.mkdtemp(prefix="bench-migrate-"))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "archive.sqlite"
    path.unlink(missing_ok=True)
    started = time.perf_counter()
    build(path, args.articles)
    print(f"built a schema-2 archive of {args.articles} articles in {time.perf_counter() - started:.1f} s"
          f" ({path.stat().st_size / 1e6:.0f} MB)")
    tracemalloc.start()
    started = time.perf_counter()
    store = SQLiteStore(path)
    seconds = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    (_, _, _, note), = store.schema_log()
    print(f"migration 5: {seconds:.1f} s, peak Python memory {peak / 2**20:.1f} MiB, "
          f"{path.stat().st_size / 1e6:.0f} MB after")
    print(f"log line: {note}")
    store.close()


if __name__ == "__main__":
    main()
