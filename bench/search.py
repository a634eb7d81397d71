"""Search benchmark: newsmirror's folded-bigram FTS5 index beside SQLite's plain trigram index.

Generates N synthetic articles (Zipf-distributed words from jieba's dictionary, half the articles
converted to Traditional script, alias spellings such as 普京/普亭/蒲亭/Putin mixed in), builds both
indexes on the same data in the same run, and prints build rate, size against text size, query
latency p50/p99 per query kind (wall time, and the CPU time of the searching thread: on a machine
shared with other jobs the CPU time is the figure to compare), and a recall check: every article the
trigram index finds for a 3+ character same-script query must also be found by ours.

    .venv/bin/python bench/search.py --n 100000
    .venv/bin/python bench/search.py --no-trigram   # 1,000,000 articles, ours only; ~20 minutes

Run by hand; not part of the tests. Nothing is downloaded; the work files go to a temporary folder
(or --dir) and are deleted unless --keep.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import re
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jieba
import opencc

from newsmirror.chinese import fold, load_aliases, segment
from newsmirror.errors import SearchError
from newsmirror.index import SearchIndex, parse_query
from newsmirror.models import StoredArticle

SOURCES = ["(臺)中央社CNA", "聯合報", "自由時報", "新华社", "人民网", "明報", "香港01", "BBC中文", "端傳媒", "澎湃新闻",
           "联合早报", "RFI華語", "德國之聲", "經濟日報", "工商時報", "公視新聞", "大紀元", "星島日報", "观察者网", "财新"]
END = datetime(2026, 1, 1, tzinfo=UTC)
COMMON_RANKS = 100  # "common char + term" draws its character from the generated text's commonest characters
COMMON_SAMPLE = 2000  # articles read to rank characters by the share of articles holding them
NAMED = ["的 经济", "是 政府", "了 台湾"]  # timed alone too: issue 12 measured them at 0.17-2.2 s before
SPAN_DAYS = 3 * 365


def load_vocab(size: int) -> tuple[list[str], list[float]]:
    """The `size` most frequent words of jieba's dictionary and Zipf cumulative weights."""
    path = Path(jieba.__file__).with_name("dict.txt")
    rows = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 2 and all("\u4e00" <= c <= "\u9fff" for c in parts[0]):
                rows.append((int(parts[1]), parts[0]))
    rows.sort(reverse=True)
    words = [w for _, w in rows[:size]]
    cum, total = [], 0.0
    for rank in range(1, len(words) + 1):
        total += 1.0 / rank
        cum.append(total)
    return words, cum


class Generator:
    """Deterministic synthetic articles over both scripts."""

    def __init__(self, seed: int, vocab_size: int = 40000) -> None:
        self.seed = seed
        self.rng = random.Random(seed)
        self.words, self.cum = load_vocab(vocab_size)
        self.s2t = opencc.OpenCC("s2t")
        groups = {g for g in load_aliases().groups.values()}
        self.names = sorted(sorted(g) for g in groups)  # sorted: set order varies by process

    def words_(self, k: int) -> list[str]:
        return self.rng.choices(self.words, cum_weights=self.cum, k=k)

    def article(self, i: int) -> StoredArticle:
        rng = self.rng
        title = self.words_(rng.randint(4, 8))
        body = self.words_(rng.randint(60, 140))
        for _ in range(rng.choice((0, 0, 1, 1, 2, 3))):  # alias names, in any listed spelling
            name = rng.choice(rng.choice(self.names))
            (title if rng.random() < 0.3 else body).insert(rng.randrange(0, 4), name)
        sentences = []
        for j in range(0, len(body), 12):
            sentences.append("".join(body[j : j + 12]) + "。")
        title_s, body_s = "".join(title), "".join(sentences)
        if rng.random() < 0.5:
            title_s, body_s = self.s2t.convert(title_s), self.s2t.convert(body_s)
        published = END - timedelta(seconds=rng.randrange(SPAN_DAYS * 86400))
        url = f"https://news.example/{i}"
        return StoredArticle(
            id=i, source=SOURCES[min(int(rng.paretovariate(1.2)) - 1, len(SOURCES) - 1)], url=url, link=url,
            guid=None, title=title_s, published=published, first_seen=published, last_seen=published,
            authors=(), categories=(), feed_html="", html="", text=body_s, version=1,
        )


class Texts:
    """The articles' text by id, as the archive would give it to `search(store=...)` for snippets."""

    def __init__(self) -> None:
        self.texts: dict[int, str] = {}

    def get_article(self, article_id: int) -> StoredArticle | None:
        text = self.texts.get(article_id)
        if text is None:
            return None
        t = END
        return StoredArticle(id=article_id, source="", url="", link="", guid=None, title="", published=t,
                             first_seen=t, last_seen=t, authors=(), categories=(), feed_html="", html="",
                             text=text, version=1)


def build_trigram(path: Path, articles) -> None:
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute("CREATE VIRTUAL TABLE tri USING fts5(title, body, source UNINDEXED, published UNINDEXED,"
               " tokenize='trigram')")
    batch = []
    for a in articles:
        batch.append((a.id, a.title, a.text, a.source, int(a.published.timestamp())))
        if len(batch) >= 5000:
            db.executemany("INSERT INTO tri(rowid, title, body, source, published) VALUES (?,?,?,?,?)", batch)
            db.commit()
            batch.clear()
    db.executemany("INSERT INTO tri(rowid, title, body, source, published) VALUES (?,?,?,?,?)", batch)
    db.commit()
    db.execute("INSERT INTO tri(tri) VALUES ('optimize')")
    db.commit()
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, math.ceil(p / 100 * len(values)) - 1)]


def make_queries(gen: Generator, rng: random.Random, n: int) -> dict[str, list[str]]:
    """Query sets by kind; terms drawn log-uniformly by frequency rank (heads and tails)."""
    words = [w for w in gen.words if len(w) >= 2]  # one-character words are the "1 char" kind
    long_words = [w for w in words if len(w) >= 3]

    def term(pool: list[str]) -> str:
        w = pool[min(len(pool) - 1, int(math.exp(rng.uniform(math.log(5), math.log(len(pool))))))]
        return gen.s2t.convert(w) if rng.random() < 0.5 else w

    def name() -> str:
        return rng.choice(rng.choice(gen.names))

    day = lambda: (END - timedelta(days=rng.randrange(30, SPAN_DAYS))).date()
    q: dict[str, list[str]] = {
        "1 char": [rng.choice(rng.choice(gen.words[:3000])) for _ in range(n)],
        "1 term": [term(words) for _ in range(n)],
        "2 terms": [f"{term(words)} {term(words)}" for _ in range(n)],
        "3 terms": [f"{term(words)} {term(words)} {term(words)}" for _ in range(n)],
        "alias name": [name() for _ in range(n)],
        "phrase": [],
        "filtered": [],
        "1 term 3+": [term(long_words) for _ in range(n)],
        "2 terms 3+": [f"{term(long_words)} {term(long_words)}" for _ in range(n)],
        "phrase 3+": [],
    }
    cjk_only = re.compile("^[\u4e00-\u9fff]+$")
    while len(q["phrase"]) < n:  # slices of one article's CJK text (Latin is matched by whole words)
        body = gen.article(0).text.replace("。", "")
        start = rng.randrange(0, max(1, len(body) - 8))
        short, long_ = body[start : start + rng.randint(3, 6)], body[start : start + rng.randint(4, 8)]
        if cjk_only.match(long_):
            q["phrase"].append(f'"{short}"')
            q["phrase 3+"].append(f'"{long_}"')
    for _ in range(n):
        since = day()
        q["filtered"].append(f"{term(words)} source:{rng.choice(SOURCES[:8])} since:{since} "
                             f"until:{since + timedelta(days=180)}")
    # a very common character beside a word (的 经济, 是 政府, 了 台湾); drawn last, so the classes above
    # are the queries earlier runs timed
    common = commonest_chars(gen, COMMON_RANKS)
    q["common char + term"] = [f"{rng.choice(common)} {term(words)}" for _ in range(n)]
    return q


def commonest_chars(gen: Generator, k: int) -> str:
    """The `k` Han characters most articles hold (folded), in COMMON_SAMPLE articles of the same generator's
    kind: by the text, not by the index's own list of common characters (index/common_chars.txt)."""
    sample = Generator(gen.seed + 99)
    held: Counter[str] = Counter()
    for i in range(COMMON_SAMPLE):
        a = sample.article(i)
        held.update(c for c in set(fold(a.title + a.text)) if "\u4e00" <= c <= "\u9fff")
    return "".join(c for c, _ in held.most_common(k))


def trigram_sql(q: str) -> str:
    """The trigram MATCH for a query of 3+ character terms (phrases as strings)."""
    parts = []
    for tok in q.split():
        parts.append('"' + tok.strip('"').replace('"', '""') + '"')
    return " AND ".join(parts)


def run(args) -> None:
    work = Path(args.dir or tempfile.mkdtemp(prefix="search-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    ours_path, tri_path = work / "index.sqlite", work / "trigram.sqlite"
    reuse = args.reuse and ours_path.exists() and _indexed(ours_path) == args.n
    for p in [tri_path] if reuse else [ours_path, tri_path]:
        for suffix in ("", "-wal", "-shm"):
            Path(str(p) + suffix).unlink(missing_ok=True)
    gen = Generator(args.seed)
    print(f"# {args.n:,} articles, vocabulary {len(gen.words):,} words, {len(gen.names)} alias groups; work dir {work}",
          file=sys.stderr)

    text_bytes = 0
    gen_s = 0.0  # time spent generating articles inside the builds (subtracted from their times)
    texts = Texts()

    def articles():
        nonlocal text_bytes, gen_s
        g = Generator(args.seed)
        started = time.perf_counter()
        for i in range(1, args.n + 1):
            t0 = time.perf_counter()
            a = g.article(i)
            gen_s += time.perf_counter() - t0
            text_bytes += len(a.title.encode()) + len(a.text.encode())
            texts.texts[i] = a.text
            if i % 100_000 == 0:
                print(f"  {i:,} generated/indexed  {time.perf_counter() - started:.0f}s", file=sys.stderr)
            yield a

    text_mb = 0.0
    t = time.perf_counter()
    ix = SearchIndex(ours_path)
    ours_insert = ours_build = 0.0
    if not reuse:
        ix.add_many(articles())
        ours_insert = time.perf_counter() - t - gen_s
        ix.optimize()
        ours_build = time.perf_counter() - t - gen_s
        text_mb = text_bytes / 1e6
    tri_build = tri_size = 0.0
    if not args.no_trigram:
        text_bytes, ours_gen_s, gen_s = 0, gen_s, 0.0
        t = time.perf_counter()
        build_trigram(tri_path, articles())
        tri_build = time.perf_counter() - t - gen_s
        text_mb, gen_s = text_bytes / 1e6, ours_gen_s
        tri_size = tri_path.stat().st_size / 1e6
    ours_size = ours_path.stat().st_size / 1e6
    parts = dict(sqlite3.connect(ours_path).execute(
        "SELECT CASE WHEN name LIKE 'fts%' THEN 'fts' WHEN name LIKE 'chars%' THEN 'chars' WHEN name LIKE 'docs%' "
        "OR name LIKE 'sqlite_autoindex_docs%' THEN 'docs' ELSE 'other' END, sum(pgsize) FROM dbstat GROUP BY 1"
    ).fetchall()) if _has_dbstat() else {}

    rng = random.Random(args.seed + 1)
    queries = make_queries(gen, rng, args.queries)
    tri = None if args.no_trigram else sqlite3.connect(tri_path)
    segment("预热")  # load jieba before timing (the first long unspaced query would pay ~1 s once)
    load_before = os.getloadavg()
    lat: dict[str, dict[str, list[float]]] = {}
    counts: dict[str, list[int]] = {}
    for kind, qs in queries.items():
        lat[kind] = {"ours": [], "cpu": [], "trigram": []}
        counts[kind] = []
        for q in qs:
            runs, cpu = [], []
            for _ in range(args.repeat):
                t, c = time.perf_counter(), time.thread_time()
                res = ix.search(q, limit=20, store=texts)
                runs.append((time.perf_counter() - t) * 1000)
                cpu.append((time.thread_time() - c) * 1000)
            lat[kind]["ours"].append(min(runs))
            lat[kind]["cpu"].append(min(cpu))
            counts[kind].append(res.total)
            if kind.endswith("3+") and tri is not None:
                m = trigram_sql(q)
                t = time.perf_counter()
                tri.execute("SELECT count(*) FROM tri WHERE tri MATCH ?", (m,)).fetchone()
                tri.execute("SELECT rowid, title, snippet(tri, 1, '<mark>', '</mark>', '…', 40) FROM tri "
                            "WHERE tri MATCH ? ORDER BY rank LIMIT 20", (m,)).fetchall()
                lat[kind]["trigram"].append((time.perf_counter() - t) * 1000)

    named: dict[str, tuple[int, float, float]] = {}  # the examples: total, the best of five runs
    for q in NAMED:
        runs, cpu = [], []
        for _ in range(5):
            t, c = time.perf_counter(), time.thread_time()
            res = ix.search(q, limit=20, store=texts)
            runs.append((time.perf_counter() - t) * 1000)
            cpu.append((time.thread_time() - c) * 1000)
        named[q] = (res.total, min(runs), min(cpu))

    # recall: every article trigram finds must be in ours (same script, 3+ characters)
    missed = checked = found_tri = found_ours = 0
    for q in [] if tri is None else queries["1 term 3+"][: args.recall] + queries["phrase 3+"][: args.recall]:
        m = trigram_sql(q)
        tri_ids = {r[0] for r in tri.execute("SELECT rowid FROM tri WHERE tri MATCH ?", (m,))}
        expr, _ = ix.compile(parse_query(q))
        ours_ids = {r[0] for r in ix._db.execute(
            "SELECT d.id FROM fts JOIN docs d ON d.rid = fts.rowid WHERE fts MATCH ?", (expr,))}
        checked += 1
        found_tri += len(tri_ids)
        found_ours += len(ours_ids)
        missed += len(tri_ids - ours_ids)

    load_after = os.getloadavg()
    if reuse:
        print(f"\n## Search benchmark: {args.n:,} articles (seed {args.seed}), the index of an earlier run "
              "(--reuse: snippets are the titles, no article text is read)\n")
    else:
        print(f"\n## Search benchmark: {args.n:,} articles (seed {args.seed}), {text_mb:,.1f} MB of text (UTF-8)\n")
    if not reuse:
        print(f"generating the articles: {gen_s:.0f} s (subtracted from build times)\n")
    if args.repeat > 1:
        print(f"each query timed {args.repeat} times, the fastest kept\n")
    print(f"command: {' '.join(['.venv/bin/python', 'bench/search.py', *sys.argv[1:]])}; load average (1, 5, 15 min) "
          f"before the timings {', '.join(f'{x:.1f}' for x in load_before)}, after them "
          f"{', '.join(f'{x:.1f}' for x in load_after)} on {os.cpu_count()} cores; "
          f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC\n")
    print("| | newsmirror (folded bigrams, FTS5) | SQLite trigram (FTS5) |")
    print("|---|---|---|")
    print((f"| build | {ours_build:,.0f} s = {args.n / ours_build:,.0f} articles/s "
           f"(insert {ours_insert:,.0f} s + optimize) | " if ours_build else
           "| build | reused the index of an earlier run (--reuse) | ")
          + (f"{tri_build:,.0f} s = {args.n / tri_build:,.0f} articles/s |" if tri_build else "not built |"))
    print(f"| file size | {ours_size:,.0f} MB" + (f" = {ours_size / text_mb:.2f}x text" if text_mb else "")
          + (" (" + ", ".join(f"{k} {v / 1e6:,.1f} MB" for k, v in sorted(parts.items())) + ")" if parts else "")
          + (f" | {tri_size:,.0f} MB = {tri_size / text_mb:.2f}x text |" if tri_size else " | |"))
    for kind in queries:
        o = lat[kind]["ours"]
        tr = lat[kind]["trigram"]
        med = statistics.median(counts[kind])
        tri_cell = (f"p50 {pct(tr, 50):.1f} ms, p99 {pct(tr, 99):.1f} ms" if tr else
                    "n/a (terms < 3 chars)" if not kind.endswith("3+") else "not built")
        c = lat[kind]["cpu"]
        print(f"| {kind} ({len(o)} queries, median {med:,.0f} hits) | p50 {pct(o, 50):.1f} ms, "
              f"p99 {pct(o, 99):.1f} ms, max {max(o):.0f} ms (CPU p50 {pct(c, 50):.1f}, p99 {pct(c, 99):.1f}) "
              f"| {tri_cell} |")
    print("\n| query | total | best of 5 | CPU, best of 5 |\n|---|---|---|---|")
    for q, (total, ms, cpu_ms) in named.items():
        print(f"| {q} | {total:,} | {ms:.1f} ms | {cpu_ms:.1f} ms |")
    if checked:
        print(f"\nrecall check: {checked} queries of 3+ characters; trigram found {found_tri:,} (query, article) pairs,"
              f" ours {found_ours:,} (other script and alias spellings included); missed by ours: {missed}")
    ix.close()
    if tri is not None:
        tri.close()
    if not args.keep and not args.dir:
        shutil.rmtree(work)


def _indexed(path: Path) -> int:
    """The number of articles an earlier run's index holds (0 for another format or no index)."""
    try:
        with SearchIndex(path, readonly=True) as ix:
            return ix._meta_int("docs")
    except SearchError:
        return 0


def _has_dbstat() -> bool:
    try:
        sqlite3.connect(":memory:").execute("SELECT * FROM dbstat LIMIT 1")
        return True
    except sqlite3.OperationalError:
        return False


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--n", type=int, default=1_000_000, help="articles to generate (default 1,000,000)")
    p.add_argument("--queries", type=int, default=200, help="queries per kind (default 200)")
    p.add_argument("--recall", type=int, default=100, help="queries per kind in the recall check")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--dir", help="work folder (kept); default a temporary one")
    p.add_argument("--keep", action="store_true", help="keep the temporary work folder")
    p.add_argument("--no-trigram", action="store_true", help="skip the trigram index (faster)")
    p.add_argument("--repeat", type=int, default=1,
                   help="time each query this many times and keep the fastest (sees through other jobs' pauses "
                        "on a shared machine; the first run of a query is the cold one)")
    p.add_argument("--reuse", action="store_true",
                   help="with --dir: keep an index of N articles built by an earlier run (query timings only)")
    run(p.parse_args())


if __name__ == "__main__":
    main()
