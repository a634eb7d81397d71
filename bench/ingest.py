"""Ingest benchmark: `newsmirror fetch` beside newsboat on the same generated feeds, in the same run.

Serves F feeds x I/F items (bodies of about 1,500 characters, mixed Traditional/Simplified, every
fifth feed GB18030; bench/generate.py) on 127.0.0.1, then takes turns, R times each:
  - newsboat (Debian's; skipped with a reason when absent): `newsboat -x reload` into a fresh cache;
  - newsmirror: `newsmirror fetch` into a fresh home: HTTP, decoding, feed parsing, sanitizing, the
    SQLite archive with revisions, the WARC raw archive (fsync per record) and the search index.
Both are whole processes, timed from start to exit; CPU is user+sys of the process and everything
it started (on a shared machine wall time swings with the load, CPU time much less). Peak memory is the largest sum of PSS over the
process and its children (sampled every 20 ms; PSS counts a page shared by forked helpers once),
so a process pool cannot hide memory in its children. Medians of the R runs are printed, with the
ratio, and each run checks that every item reached the archive (newsboat's cache, our archive and
search index).

`--profile` runs one more fetch in-process under cProfile and prints where the time goes.
`--stages` runs one more, in a fresh process, one stage at a time (fetch and store, then the index sync,
then the stories sync), and prints each stage's CPU seconds: what each costs, apart from the others.
`--build` also times `build jekyll` on the archive (first build, then a no-change rebuild).

Run by hand:  .venv/bin/python bench/ingest.py [--items 10000] [--feeds 50] [--runs 3] [--profile]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import make_feeds, serve_files  # noqa: E402

from newsmirror.config import Settings, save_sources  # noqa: E402
from newsmirror.models import Source  # noqa: E402

BODY_CHARS = 1450  # generated bodies run 1,450-1,550 characters: "items of about 1,500 characters"
# Article links name a public host, as real feeds' do (feedparser-rs blanks links to loopback and
# private addresses, so a feed of 127.0.0.1 links is read by feedparser instead). The items carry
# their full text, so no page is fetched from it.
ARTICLE_BASE = "https://news.example.com"
NEWSMIRROR = [sys.executable, "-m", "newsmirror"]

BUILD_CHILD = """
import json, sys, time
from pathlib import Path
from newsmirror.store import open_store
from newsmirror.publish.jekyll import build_jekyll
store = open_store(Path(sys.argv[1]))
t = time.perf_counter()
s = build_jekyll(store, Path(sys.argv[2]))
secs = time.perf_counter() - t
n = store.count_articles()
hwm = int(next(l for l in open("/proc/self/status") if l.startswith("VmHWM")).split()[1])
print(json.dumps({"articles": n, "seconds": secs, "written": s.written, "maxrss_mb": hwm / 1024}))
"""


# --- measuring a whole process ---------------------------------------------------------------

def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(p) for p in f.read().split()]
    except OSError:
        return []


def _pss_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _tree_pss(pid: int) -> dict[int, int]:
    """PSS (KiB) of a process and of each of its descendants, by pid."""
    sizes, todo = {}, [pid]
    while todo:
        p = todo.pop()
        sizes[p] = _pss_kib(p)
        todo += _children(p)
    return sizes


def run_measured(cmd: list[str], *, env: dict[str, str] | None = None, cwd: Path | None = None) -> dict:
    """Run `cmd` to the end; wall seconds, CPU seconds, peak tree PSS (MiB) and how it was split between the
    main process and its helpers at that moment, each process's own peak, exit code."""
    peak = 0
    split = (0, 0)  # main, helpers (KiB) at the tree's peak
    own: dict[int, int] = {}  # pid -> its largest PSS (KiB)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    done = threading.Event()

    def sample() -> None:
        nonlocal peak, split
        while not done.is_set():
            sizes = _tree_pss(proc.pid)
            for pid, kib in sizes.items():
                own[pid] = max(own.get(pid, 0), kib)
            if sum(sizes.values()) > peak:
                peak = sum(sizes.values())
                split = (sizes.get(proc.pid, 0), peak - sizes.get(proc.pid, 0))
            done.wait(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = proc.communicate()
    wall = time.perf_counter() - start
    done.set()
    sampler.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)  # the process and every descendant it waited for
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    helpers = sorted((kib for pid, kib in own.items() if pid != proc.pid), reverse=True)
    return {"wall": wall, "cpu": cpu, "peak_mib": peak / 1024, "code": proc.returncode, "stdout": out.decode(errors="replace"),
            "stderr": err.decode(errors="replace"), "split_mib": (split[0] / 1024, split[1] / 1024),
            "own_mib": (own.get(proc.pid, 0) / 1024, [kib / 1024 for kib in helpers])}


# --- the two tools ----------------------------------------------------------------------------

def run_newsboat(urls: list[str], work: Path, threads: int) -> dict:
    """`newsboat -x reload` into a fresh cache; the number of items its cache then holds."""
    work.mkdir(parents=True)
    (work / "urls").write_text("".join(u + "\n" for u in urls))
    (work / "config").write_text(f"reload-threads {threads}\nshow-read-feeds yes\n")
    env = dict(os.environ, HOME=str(work), XDG_CONFIG_HOME=str(work), XDG_DATA_HOME=str(work))
    cache = work / "cache.db"
    res = run_measured(["newsboat", "-x", "reload", "-u", str(work / "urls"), "-c", str(cache),
                        "-C", str(work / "config")], env=env, cwd=work)
    with sqlite3.connect(cache) as db:
        res["items"] = db.execute("SELECT count(*) FROM rss_item").fetchone()[0]
    return res


def run_newsmirror(sources: list[Source], work: Path, extra: list[str]) -> dict:
    """`newsmirror fetch` into a fresh home; the articles its archive and search index then hold."""
    settings = Settings.from_home(work)
    settings.ensure_home()
    save_sources(settings.sources_file, sources)
    env = dict(os.environ, NEWSMIRROR_HOME=str(work))
    env.pop("NEWSMIRROR_STORE", None)
    res = run_measured([*NEWSMIRROR, "-q", "fetch", *extra], env=env)
    if res["code"] not in (0, 1):
        raise SystemExit(f"newsmirror fetch failed ({res['code']}): {res['stderr'][-2000:]}")
    from newsmirror.store import open_store

    store = open_store(settings.db_path)
    try:
        res["items"] = store.count_articles()
    finally:
        store.close()
    with sqlite3.connect(work / "index.sqlite") as db:
        res["indexed"] = db.execute("SELECT count(*) FROM docs").fetchone()[0]
    res["warc_mib"] = sum(p.stat().st_size for p in (work / "raw").rglob("*")) / 2**20
    return res


def profile_fetch(sources: list[Source], work: Path, top: int = 30) -> str:
    """One fetch in this process under cProfile: the functions with the most cumulative and own time."""
    import cProfile
    import io
    import pstats

    from newsmirror.pipeline import fetch_sources

    settings = Settings.from_home(work)
    settings.ensure_home()
    prof = cProfile.Profile()
    prof.enable()
    fetch_sources(settings, sources)
    prof.disable()
    out = io.StringIO()
    stats = pstats.Stats(prof, stream=out)
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)
    return out.getvalue()


STAGES_CHILD = """
import asyncio, json, sys, time
from pathlib import Path
from newsmirror.config import Settings, load_sources
from newsmirror import pipeline
from newsmirror.store import open_store
from newsmirror.stories import sync_stories
settings = Settings.from_home(Path(sys.argv[1]))
sources = load_sources(settings.sources_file)
cpu = {}
t = time.process_time()
summary = asyncio.run(pipeline.run_fetch(settings, sources, sync_index=False))
cpu["fetch and store"] = time.process_time() - t
store = open_store(settings.store_location)
t = time.process_time()
indexed = pipeline.update_index(settings)[0]
cpu["index sync"] = time.process_time() - t
t = time.process_time()
sync_stories(store, pipeline._aliases(settings))
cpu["stories sync"] = time.process_time() - t
print(json.dumps({"new": summary.new, "indexed": indexed, "cpu": cpu}))
"""


def stages_in_child(sources: list[Source], work: Path) -> dict:
    """One fetch in a fresh process, its stages one after the other: CPU seconds of each."""
    settings = Settings.from_home(work)
    settings.ensure_home()
    save_sources(settings.sources_file, sources)
    res = subprocess.run([sys.executable, "-c", STAGES_CHILD, str(work)], capture_output=True, text=True, check=True)
    return json.loads(res.stdout.strip().splitlines()[-1])


def build_in_child(db: Path, out: Path) -> dict:
    res = subprocess.run([sys.executable, "-c", BUILD_CHILD, str(db), str(out)], capture_output=True, text=True,
                         check=True)
    return json.loads(res.stdout.strip().splitlines()[-1])


def _row(name: str, runs: list[dict], n_items: int) -> tuple[str, float, float, float, float, int]:
    wall = statistics.median(r["wall"] for r in runs)
    cpu = statistics.median(r["cpu"] for r in runs)
    peak = statistics.median(r["peak_mib"] for r in runs)
    items = min(r["items"] for r in runs)
    return name, wall, n_items / wall, cpu, peak, items


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--items", type=int, default=10_000)
    ap.add_argument("--feeds", type=int, default=50)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--newsboat-threads", type=int, default=1,
                    help="newsboat's reload-threads (its default is 1)")
    ap.add_argument("--fetch-args", default="", help="extra arguments for `newsmirror fetch`")
    ap.add_argument("--profile", action="store_true", help="also profile one fetch in-process")
    ap.add_argument("--stages", action="store_true", help="also one fetch stage by stage: CPU of each")
    ap.add_argument("--build", action="store_true", help="also time build jekyll on the archive")
    ap.add_argument("--keep", type=Path, help="keep the homes and caches under this folder")
    args = ap.parse_args()

    files = make_feeds(n_items=args.items, n_feeds=args.feeds, seed=1, body_chars=BODY_CHARS,
                       base_url=ARTICLE_BASE)
    server, base = serve_files(files)
    urls = [f"{base}{path}" for path in sorted(files)]
    sources = [Source(name=f"來源{i:02d}", feeds=(url,)) for i, url in enumerate(urls)]  # full_text "auto"
    newsboat = shutil.which("newsboat")
    tmp = tempfile.mkdtemp(prefix="bench-ingest-", dir=args.keep)
    work = Path(tmp)
    boat: list[dict] = []
    ours: list[dict] = []
    extra = args.fetch_args.split()
    load_before = os.getloadavg()
    stages = None
    try:
        for i in range(args.runs):  # turns, so load spikes hit both alike
            if newsboat:
                boat.append(run_newsboat(urls, work / f"newsboat-{i}", args.newsboat_threads))
            ours.append(run_newsmirror(sources, work / f"home-{i}", extra))
            print(f"run {i + 1}: " + (f"newsboat {boat[-1]['wall']:.2f} s (CPU {boat[-1]['cpu']:.2f} s) {boat[-1]['peak_mib']:.0f} MiB; "
                                       if newsboat else "") +
                  f"newsmirror {ours[-1]['wall']:.2f} s (CPU {ours[-1]['cpu']:.2f} s) {ours[-1]['peak_mib']:.0f} MiB "
                  f"[at the peak: main {ours[-1]['split_mib'][0]:.0f} + helpers {ours[-1]['split_mib'][1]:.0f}; "
                  f"own peaks: main {ours[-1]['own_mib'][0]:.0f}, helpers "
                  f"{', '.join(f'{h:.0f}' for h in ours[-1]['own_mib'][1]) or 'none'}] "
                  f"({ours[-1]['items']} stored, {ours[-1]['indexed']} indexed, WARC {ours[-1]['warc_mib']:.0f} MiB)",
                  file=sys.stderr)
        if args.profile:
            profile = profile_fetch(sources, work / "home-profile")
        if args.stages:
            stages = stages_in_child(sources, work / "home-stages")
        build = rebuild = None
        if args.build:
            build = build_in_child(work / "home-0" / "archive.sqlite", work / "site")
            rebuild = build_in_child(work / "home-0" / "archive.sqlite", work / "site")
    finally:
        server.shutdown()
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)

    body = statistics.mean(len(b) for b in files.values()) / max(args.items / args.feeds, 1)
    print(f"ingest: {args.items} items over {args.feeds} feeds from 127.0.0.1 (about {body:.0f} bytes of XML per item),"
          f" whole processes, medians of {args.runs} runs, {os.cpu_count()} cores; load average"
          f" {' '.join(f'{x:.1f}' for x in load_before)} at the start, {' '.join(f'{x:.1f}' for x in os.getloadavg())}"
          f" at the end\n")
    print("| tool | wall | items/s | CPU (user+sys) | items per CPU-s | peak memory | items stored |")
    print("|---|---|---|---|---|---|---|")
    rows = []
    if newsboat:
        version = subprocess.run(["newsboat", "--version"], capture_output=True, text=True).stdout.split()[1]
        rows.append(_row(f"newsboat {version} `-x reload` (reload-threads {args.newsboat_threads})", boat, args.items))
    rows.append(_row("`newsmirror fetch`, fresh home (WARC, revisions, index)" +
                     (f" `{args.fetch_args}`" if args.fetch_args else ""), ours, args.items))
    for name, wall, rate, cpu, peak, items in rows:
        print(f"| {name} | {wall:.2f} s | {rate:,.0f} | {cpu:.2f} s | {args.items / cpu:,.0f} | {peak:.0f} MiB | {items:,} |")
    if newsboat:
        ratio = rows[1][2] / rows[0][2]
        print(f"\nnewsmirror / newsboat items/s: {ratio:.2f}x, per CPU-second: {rows[0][3] / rows[1][3]:.2f}x"
              f"  (target >= 1.00x; first milestone >= 1,000 items/s; peak <= 150 MiB)")
    else:
        print("\nnewsboat: skipped (not installed; `apt-get install newsboat`)")
    if build:
        print(f"build jekyll: first {build['seconds']:.2f} s ({build['articles']} articles, {build['maxrss_mb']:.0f} MiB),"
              f" no change {rebuild['seconds']:.2f} s")
    if stages:
        per = ", ".join(f"{name} {secs:.2f} CPU-s ({secs / args.items * 1000:.2f} ms an item)"
                        for name, secs in stages["cpu"].items())
        print(f"\nstages, one after the other in one process ({stages['new']} new, {stages['indexed']} indexed): {per}")
    if args.profile:
        print("\n" + profile)


if __name__ == "__main__":
    main()
