"""Stories benchmark: the stories stage beside datasketch's MinHashLSH used naively, on the same generated archive.

For each size N (default 100,000 and 1,000,000 articles):
  - setup (not timed, kept under --work for the next run): N + ARRIVALS articles from
    `newsmirror.demo.storygen` (about --per-day a day; events reported by up to 40 outlets in their own
    words, wire reprints, script versions and updates; Traditional and Simplified), the first N saved
    into a real SQLite archive with `Store.save_items`;
  - newsmirror: `sync_stories` over the archive in a fresh process, features computed by --workers
    helper processes (`sync_stories(workers=)`: the next batch's while one is placed), placements
    written to the store a batch at a time; then
    ARRIVALS more articles arrive one by one: each is saved, its features computed and it is placed
    and its placement saved (time per article; the first, which reads the window from the store, apart);
  - datasketch, naively: one `MinHashLSH(threshold=COPY_SIMILARITY, num_perm=128)` over every article
    (no time window, nothing forgotten), each article's `MinHash` (`update_batch`) of the same 5-token
    shingles of the same folded text queried and then inserted, in one process. It finds copies only
    (no stories), so it does less than the stage. Capped at --peer-articles (it slows as its buckets grow).
Each tool is a whole process: wall time, CPU time (user+sys of the process and its helpers), peak
memory (the largest sum of PSS over the process tree, sampled every 20 ms: bench/ingest.run_measured).
Grouping quality against the generator's truth (story B-cubed F1, copy pairs F1) is printed for
newsmirror and (copy pairs) for datasketch, so speed is never bought with wrong answers.

Run by hand:  .venv/bin/python bench/stories.py [--articles 100000 1000000] [--workers 2] [--peer-articles 100000]
(`make bench` installs datasketch.) Record the output in bench/README.md with the load average.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from ingest import run_measured  # noqa: E402

ARRIVALS = 2000  # articles placed one by one after the archive is grouped (the p99 is over these)
SEED = 7


# --- setup ----------------------------------------------------------------------------------------

def archive_path(work: Path, n: int, per_day: float) -> Path:
    return work / f"stories-{n}-{int(per_day)}-{SEED}"


def make_archive(folder: Path, n: int, per_day: float) -> None:
    """The generated archive of n articles, the ARRIVALS that come after it, and the truth (once per folder)."""
    from newsmirror.demo.storygen import StoryGenerator
    from newsmirror.store import open_store

    if (folder / "done").is_file():
        return
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("archive.sqlite", "archive.sqlite-wal", "archive.sqlite-shm"):
        (folder / name).unlink(missing_ok=True)
    store = open_store(folder / "archive.sqlite")
    gen = StoryGenerator(seed=SEED)
    start = time.perf_counter()
    batch: list = []
    truth, arrivals = [], []
    try:
        for a in gen.articles(n + ARRIVALS, per_day=per_day):
            truth.append((a.n, a.story, a.copy_of))
            if a.n > n:
                arrivals.append({"n": a.n, "item": _item_dict(a.item), "text": a.text})
                continue
            batch.append(a)
            if len(batch) == 1000:
                _save(store, batch)
                batch = []
                rate = a.n / (time.perf_counter() - start)
                print(f"\r  setup: {a.n:,} of {n:,} articles generated and saved ({rate:,.0f}/s)",
                      end="", file=sys.stderr, flush=True)
        if batch:
            _save(store, batch)
    finally:
        store.close()
    print(file=sys.stderr)
    (folder / "truth.json").write_text(json.dumps(truth))
    (folder / "arrivals.json").write_text(json.dumps(arrivals, ensure_ascii=False))
    (folder / "done").write_text("ok\n")


def _item_dict(item) -> dict:
    return {"source": item.source, "feed_url": item.feed_url, "title": item.title, "link": item.link,
            "guid": item.guid, "published": item.published.isoformat(), "content_html": item.content_html}


def _save(store, batch: list) -> None:
    outcomes = store.save_items([(a.item, a.item.content_html, a.text) for a in batch],
                                seen_at=batch[-1].item.published)
    for a, o in zip(batch, outcomes):
        if o.article_id != a.n:  # ids are the generator's numbers: truth needs no mapping
            raise SystemExit(f"setup: article {a.n} was saved as id {o.article_id}; remove {store} and rerun")


# --- newsmirror (a child process) -----------------------------------------------------------------

def child_ours(folder: Path, workers: int) -> dict:
    """Group the archive with sync_stories (features in `workers` helpers), then place ARRIVALS one by one."""
    from datetime import datetime

    from newsmirror.chinese import load_aliases
    from newsmirror.models import FeedItem
    from newsmirror.store import open_store
    from newsmirror.stories import sync_stories
    from newsmirror.stories.features import compute_features

    aliases = load_aliases()
    compute_features("暖身", "暖身的文字", aliases)  # tables loaded before the clock matters
    for name in ("archive.sqlite", "archive.sqlite-wal", "archive.sqlite-shm"):  # a fresh copy each run
        (folder / ("run-" + name)).unlink(missing_ok=True)
        if (folder / name).exists():
            shutil.copyfile(folder / name, folder / ("run-" + name))
    store = open_store(folder / "run-archive.sqlite")

    total = store.count_articles()
    t0, c0 = time.perf_counter(), time.process_time()
    last = [t0]

    def progress(done: int) -> None:
        now = time.perf_counter()
        if now - last[0] > 2 or done == total:
            last[0] = now
            print(f"\r  newsmirror: {done:,} of {total:,} placed ({done / (now - t0):,.0f}/s)", end="",
                  file=sys.stderr, flush=True)

    run = sync_stories(store, aliases, workers=workers, progress=progress)
    group_wall = time.perf_counter() - t0
    print(file=sys.stderr)

    # arrivals: each saved, then placed by `sync_stories` (features, placement, placement saved), one by one,
    # as `run` does between fetches: the window kept from the sync above is used, nothing read again
    arrivals = json.loads((folder / "arrivals.json").read_text())
    times, cpu = [], []
    for i, a in enumerate(arrivals):
        d = a["item"]
        item = FeedItem(source=d["source"], feed_url=d["feed_url"], title=d["title"], link=d["link"], guid=d["guid"],
                        published=datetime.fromisoformat(d["published"]), content_html=d["content_html"])
        store.save_item(item, html=item.content_html, text=a["text"], seen_at=item.published)
        t, c = time.perf_counter(), time.process_time()
        arrived = sync_stories(store, aliases)
        times.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
        if arrived.placed != 1:
            raise SystemExit(f"arrival {i}: sync_stories placed {arrived.placed} articles, expected 1")
        if i % 200 == 0:
            print(f"\r  newsmirror arrivals: {i:,} of {len(arrivals):,}", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    placed = {}
    offset = 0
    while batch := store.stories(limit=5000, offset=offset):
        for story in batch:
            for m in story.articles:
                placed[m.id] = (story.id, m.copy_of)
        offset += len(batch)
    store.close()
    return {"articles": run.placed, "group_wall": group_wall, "copies": run.copies, "first_arrival": times[0],
            "arrivals": times, "arrivals_cpu": cpu, "placed": placed, "main_cpu": time.process_time() - c0}


# --- placing alone, in memory (a child process) -------------------------------------------------------

def _pack_generated(rows: list[tuple[str, str]]) -> list[bytes]:
    from newsmirror.stories.stage import _pack_rows

    return _pack_rows(rows)


def child_placing(folder: Path, n: int, per_day: float, workers: int) -> dict:
    """N generated articles placed one by one by a `Grouper` whose store holds nothing (everything it
    knows it placed itself): the placing stage's time per article and its memory as the archive grows.
    Features are computed by `workers` helpers ahead of placing, as `sync_stories(workers=)` does."""
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context

    import numpy as np

    from newsmirror.chinese import load_aliases
    from newsmirror.demo.storygen import StoryGenerator
    from newsmirror.stories.cluster import Grouper
    from newsmirror.stories.stage import _start_helper

    aliases = load_aliases()
    _start_helper(aliases, os.getppid())
    pool = ProcessPoolExecutor(workers, mp_context=get_context("fork"), initializer=_start_helper,
                               initargs=(aliases, os.getpid()))
    gen = StoryGenerator(seed=SEED).articles(n, per_day=per_day)
    truth = np.zeros((n + 1, 2), dtype=np.int64)  # story, original (0: none), by the generator's number
    got = np.zeros((n + 1, 2), dtype=np.int64)
    cpu = np.zeros(n, dtype=np.float64)
    wall = np.zeros(n, dtype=np.float64)
    grouper = Grouper(lambda since, until: [])
    curve = []
    step = 2000

    def chunk():
        rows, meta = [], []
        for a in gen:
            rows.append((a.item.title, a.text))
            meta.append((a.n, a.item.published, a.story, a.copy_of))
            if len(rows) == step:
                break
        parts = [pool.submit(_pack_generated, rows[i : i + step // (2 * workers)])
                 for i in range(0, len(rows), step // (2 * workers))]
        return meta, parts

    t0, c0 = time.perf_counter(), time.process_time()
    done = 0
    ahead = chunk()
    while ahead[0]:
        meta, parts = ahead
        packed = [p for part in parts for p in part.result()]
        ahead = chunk()  # the next chunk's features while this one is placed
        for (k, published, story, copy_of), features in zip(meta, packed):
            original = copy_of or 0
            while original and truth[original, 1]:
                original = truth[original, 1]
            truth[k] = (story, original)
            t, c = time.perf_counter(), time.process_time()
            d = grouper.place(k, published, features)
            grouper.window.forget_before(int(published.timestamp()))
            cpu[done], wall[done] = time.process_time() - c, time.perf_counter() - t
            got[k] = (d.story, d.copy_of or 0)
            done += 1
        for p in grouper.take_pending()[0]:  # placements another article changed (a new original)
            got[p.article_id] = (p.story_id, p.copy_of or 0)
        if done % 50_000 < step or not ahead[0]:
            rss = int(open("/proc/self/statm").read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
            curve.append((done, round(rss), len(grouper.window), len(grouper.window.index),
                          round(done / (time.perf_counter() - t0))))
            print(f"\r  placing: {done:,} of {n:,} ({curve[-1][4]:,}/s; main {curve[-1][1]:,} MiB,"
                  f" window {curve[-1][2]:,})", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    pool.shutdown()
    np.save(folder / "placing-truth.npy", truth)  # scored by the parent: no dicts of a million here
    np.save(folder / "placing-got.npy", got)
    return {"articles": done, "wall": time.perf_counter() - t0, "main_cpu": time.process_time() - c0,
            "place_cpu": float(cpu.sum()), "p50": float(np.percentile(wall, 50)), "p99": p99(wall.tolist()),
            "cpu_p99": p99(cpu.tolist()), "max": float(wall.max()), "curve": curve}


def score_placing(folder: Path) -> tuple[float, float]:
    """Story B-cubed F1 and copy pairs F1 of an in-memory placing run against the generator's truth."""
    import numpy as np

    truth, got = np.load(folder / "placing-truth.npy"), np.load(folder / "placing-got.npy")
    ids = range(1, len(truth))
    return (bcubed_f1({i: int(truth[i, 0]) for i in ids}, {i: int(got[i, 0]) for i in ids}),
            copy_pairs_f1({i: int(truth[i, 1]) or None for i in ids}, {i: int(got[i, 1]) or None for i in ids}))


# --- datasketch, naively (a child process) ------------------------------------------------------

def child_datasketch(folder: Path, cap: int) -> dict:
    """Every article's MinHash queried against and inserted into one MinHashLSH; copies = candidates agreeing
    in COPY_SIMILARITY of their slots or more (the earliest one is the original)."""
    from datasketch import MinHash, MinHashLSH

    from newsmirror.chinese import load_aliases
    from newsmirror.store import open_store
    from newsmirror.stories.cluster import COPY_SIMILARITY
    from newsmirror.stories.features import NUM_PERM, SHINGLE, _NOT_TOKEN, _WORDS, _one_char, story_text
    from newsmirror.stories.stage import _text

    aliases = load_aliases()
    store = open_store(folder / "archive.sqlite")
    lsh = MinHashLSH(threshold=COPY_SIMILARITY, num_perm=NUM_PERM)
    hashes: dict[int, MinHash] = {}
    copy_of: dict[int, int | None] = {}
    times = []
    t0 = time.perf_counter()
    n = 0
    for article in store.iter_articles():
        if n >= cap:
            break
        n += 1
        t = time.perf_counter()
        _, body = story_text(article.title, _text(article), aliases)
        joined = _NOT_TOKEN.sub("", _WORDS.sub(_one_char, body))
        shingles = {joined[i : i + SHINGLE].encode() for i in range(len(joined) - SHINGLE + 1)}
        m = MinHash(num_perm=NUM_PERM)
        m.update_batch(list(shingles))
        best = None
        for key in lsh.query(m):
            sim = m.jaccard(hashes[key])
            if sim >= COPY_SIMILARITY and (best is None or sim > best[0]):
                best = (sim, key)
        copy_of[article.id] = (copy_of.get(best[1]) or best[1]) if best else None
        lsh.insert(article.id, m)
        hashes[article.id] = m
        times.append(time.perf_counter() - t)
        if n % 2000 == 0:
            print(f"\r  datasketch: {n:,} of {cap:,} ({n / (time.perf_counter() - t0):,.0f}/s)", end="",
                  file=sys.stderr, flush=True)
    print(file=sys.stderr)
    store.close()
    return {"articles": n, "group_wall": time.perf_counter() - t0, "times": times, "copy_of": copy_of}


# --- scoring --------------------------------------------------------------------------------------

def bcubed_f1(truth: dict[int, int], got: dict[int, int]) -> float:
    """B-cubed F1 of a clustering `got` (article -> cluster) against `truth`, over the articles of both."""
    ids = [i for i in got if i in truth]
    by_truth, by_got, both = defaultdict(int), defaultdict(int), defaultdict(int)
    for i in ids:
        by_truth[truth[i]] += 1
        by_got[got[i]] += 1
        both[(truth[i], got[i])] += 1
    p = sum(both[(truth[i], got[i])] / by_got[got[i]] for i in ids) / len(ids)
    r = sum(both[(truth[i], got[i])] / by_truth[truth[i]] for i in ids) / len(ids)
    return 2 * p * r / (p + r) if p + r else 0.0


def copy_pairs_f1(truth: dict[int, int | None], got: dict[int, int | None]) -> float:
    """Pairwise F1 of copy groups (an original and the articles that copy it), over the articles of both."""
    def groups(copy_of):
        out = defaultdict(set)
        for i, original in copy_of.items():
            out[original if original is not None else i].add(i)
        pairs = set()
        for members in out.values():
            m = sorted(members)
            pairs.update((a, b) for k, a in enumerate(m) for b in m[k + 1 :])
        return pairs

    ids = set(got) & set(truth)
    t = groups({i: (o if o in ids else None) for i, o in truth.items() if i in ids})
    g = groups({i: (o if o in ids else None) for i, o in got.items() if i in ids})
    if not t and not g:
        return 1.0
    hit = len(t & g)
    p = hit / len(g) if g else 0.0
    r = hit / len(t) if t else 0.0
    return 2 * p * r / (p + r) if p + r else 0.0


def _truth(folder: Path) -> tuple[dict[int, int], dict[int, int | None]]:
    rows = json.loads((folder / "truth.json").read_text())
    story = {n: s for n, s, _ in rows}
    original = {}
    for n, _, c in rows:  # the generator names the text copied, which may itself be a copy: its original
        o = c
        while o is not None and original.get(o) is not None:
            o = original[o]
        original[n] = o
    return story, original


def p99(values: list[float]) -> float:
    v = sorted(values)
    return v[min(len(v) - 1, math.ceil(0.99 * len(v)) - 1)] if v else float("nan")


# --- the run --------------------------------------------------------------------------------------

def measure(tool: str, folder: Path, args) -> tuple[dict, dict]:
    out = folder / f"result-{tool}.json"
    cmd = [sys.executable, __file__, "--child", tool, "--folder", str(folder), "--workers", str(args.workers),
           "--peer-articles", str(args.peer_articles)]
    res = run_measured(cmd)
    if res["code"] != 0:
        raise SystemExit(f"{tool} failed ({res['code']}):\n{res['stderr'][-3000:]}")
    sys.stderr.write(res["stderr"])
    return res, json.loads(out.read_text())


def measure_placing(n: int, args) -> None:
    """The in-memory placing run of n articles, printed with its memory curve and quality."""
    folder = args.work / f"placing-{n}-{int(args.per_day)}-{SEED}"
    folder.mkdir(parents=True, exist_ok=True)
    load = os.getloadavg()[0]
    cmd = [sys.executable, __file__, "--child", "placing", "--folder", str(folder), "--workers", str(args.workers),
           "--articles", str(n), "--per-day", str(args.per_day)]
    res = run_measured(cmd)
    if res["code"] != 0:
        raise SystemExit(f"placing failed ({res['code']}):\n{res['stderr'][-3000:]}")
    sys.stderr.write(res["stderr"])
    out = json.loads((folder / "result-placing.json").read_text())
    story_f1, copy_f1 = score_placing(folder)
    print(f"placing     {out['articles']:>9,} articles  {out['articles'] / out['wall']:>7,.0f}/s wall"
          f"  {out['articles'] / res['cpu']:>7,.0f}/s per CPU-second (generating, features, placing; {res['cpu']:,.0f}"
          f" CPU-s), placing alone {out['articles'] / out['place_cpu']:,.0f}/CPU-s  peak {res['peak_mib']:,.0f} MiB"
          f"  place p50 {out['p50'] * 1e3:.2f} ms p99 {out['p99'] * 1e3:.2f} ms, CPU p99 {out['cpu_p99'] * 1e3:.2f} ms"
          f" (max {out['max'] * 1e3:.0f} ms)  story B3 F1 {story_f1:.3f}  copy F1 {copy_f1:.3f}  [load {load:.1f}]",
          flush=True)
    print("  growth (articles placed: main process RSS MiB, window articles, postings indexed, articles/s so far): "
          + "; ".join(f"{d:,}: {m:,} MiB, {w:,}, {t:,}, {r:,}/s" for d, m, w, t, r in out["curve"]), flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--articles", type=int, nargs="+", default=[100_000, 1_000_000])
    ap.add_argument("--per-day", type=float, default=2000.0, help="articles a day in the generated archive")
    ap.add_argument("--workers", type=int, default=2, help="helper processes computing features")
    ap.add_argument("--peer-articles", type=int, default=100_000, help="datasketch stops after this many")
    ap.add_argument("--work", type=Path, default=Path(os.environ.get("TMPDIR", "/tmp")) / "newsmirror-bench")
    ap.add_argument("--setup-only", action="store_true", help="generate and save the archives, measure nothing")
    ap.add_argument("--in-memory", action="store_true",
                    help="placing alone: generated articles placed in memory, no archive (1M in one run)")
    ap.add_argument("--child", choices=["newsmirror", "datasketch", "placing"], help=argparse.SUPPRESS)
    ap.add_argument("--folder", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()

    if args.child:
        if args.child == "placing":
            result = child_placing(args.folder, args.articles[0], args.per_day, args.workers)
        elif args.child == "newsmirror":
            result = child_ours(args.folder, args.workers)
        else:
            result = child_datasketch(args.folder, args.peer_articles)
        (args.folder / f"result-{args.child}.json").write_text(json.dumps(result))
        return

    print(f"# bench/stories.py {' '.join(sys.argv[1:])}; load average {os.getloadavg()[0]:.1f} "
          f"{os.getloadavg()[1]:.1f} {os.getloadavg()[2]:.1f}; {os.cpu_count()} cores", flush=True)
    for n in args.articles:
        if args.in_memory:
            measure_placing(n, args)
            continue
        folder = archive_path(args.work, n, args.per_day)
        t = time.perf_counter()
        make_archive(folder, n, args.per_day)
        print(f"## {n:,} articles ({args.per_day:,.0f} a day; setup {time.perf_counter() - t:,.0f} s, "
              f"cached in {folder})", flush=True)
        if args.setup_only:
            continue
        story, original = _truth(folder)
        load = os.getloadavg()[0]
        ours_res, ours = measure("newsmirror", folder, args)
        got_story = {int(k): v[0] for k, v in ours["placed"].items()}
        got_copy = {int(k): v[1] for k, v in ours["placed"].items()}
        print(f"newsmirror  {ours['articles']:>9,} articles  {ours['articles'] / ours['group_wall']:>7,.0f}/s wall"
              f"  {ours['articles'] / ours_res['cpu']:>7,.0f}/s per CPU-second  ({ours['group_wall']:,.1f} s grouping,"
              f" {ours_res['cpu']:,.0f} CPU-s in all)  peak {ours_res['peak_mib']:,.0f} MiB"
              f"  arrival p50 {sorted(ours['arrivals'])[len(ours['arrivals']) // 2] * 1e3:.1f} ms"
              f" p99 {p99(ours['arrivals']) * 1e3:.1f} ms, CPU p99 {p99(ours['arrivals_cpu']) * 1e3:.1f} ms"
              f" (first {ours['first_arrival'] * 1e3:,.0f} ms)"
              f"  story B3 F1 {bcubed_f1(story, got_story):.3f}  copy F1 {copy_pairs_f1(original, got_copy):.3f}"
              f"  [load {load:.1f}]", flush=True)
        load = os.getloadavg()[0]
        try:
            import datasketch  # noqa: F401
        except ImportError:
            print("datasketch  not installed: `make bench` (pip install -e '.[test,bench]')", flush=True)
            continue
        ds_res, ds = measure("datasketch", folder, args)
        ds_copy = {int(k): v for k, v in ds["copy_of"].items()}
        print(f"datasketch  {ds['articles']:>9,} articles  {ds['articles'] / ds['group_wall']:>7,.0f}/s wall"
              f"  {ds['articles'] / ds_res['cpu']:>7,.0f}/s per CPU-second  ({ds['group_wall']:,.1f} s, copies only)"
              f"  peak {ds_res['peak_mib']:,.0f} MiB  per article p50 {sorted(ds['times'])[len(ds['times']) // 2] * 1e3:.1f}"
              f" ms p99 {p99(ds['times']) * 1e3:.1f} ms (last 1,000: p99 {p99(ds['times'][-1000:]) * 1e3:.1f} ms)"
              f"  copy F1 {copy_pairs_f1(original, ds_copy):.3f}  [load {load:.1f}]", flush=True)


if __name__ == "__main__":
    main()
