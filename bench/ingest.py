"""Ingest benchmark: fetch+store and Jekyll build throughput, and build memory against archive size.

Serves N generated items over F feeds on 127.0.0.1 (bench/generate.py), runs newsmirror's fetch into
a fresh home, then the Jekyll build, and prints articles/s and peak memory beside a reference: the
cost of feedparser alone parsing the same feeds (the floor any feed-based mirror pays).
Build memory is measured in fresh subprocesses on archives of two sizes, to show it does not grow
with the archive.

Run by hand:  .venv/bin/python bench/ingest.py [--items 10000] [--feeds 50]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import make_feeds, serve_files  # noqa: E402

from newsmirror.config import Settings, save_sources  # noqa: E402
from newsmirror.models import Source  # noqa: E402
from newsmirror.pipeline import fetch_sources  # noqa: E402

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
# VmHWM, not ru_maxrss: ru_maxrss survives exec and would report the forking parent's size
hwm = int(next(l for l in open("/proc/self/status") if l.startswith("VmHWM")).split()[1])
print(json.dumps({"articles": n, "seconds": secs, "written": s.written, "maxrss_mb": hwm / 1024}))
"""


def build_in_child(db: Path, out: Path) -> dict:
    res = subprocess.run([sys.executable, "-c", BUILD_CHILD, str(db), str(out)], capture_output=True, text=True, check=True)
    return json.loads(res.stdout.strip().splitlines()[-1])


def feedparser_floor(files: dict[str, bytes]) -> tuple[int, float]:
    import feedparser

    t = time.perf_counter()
    n = sum(len(feedparser.parse(body).entries) for body in files.values())
    return n, time.perf_counter() - t


def ingest(n_items: int, n_feeds: int, work: Path) -> dict:
    files = make_feeds(n_items=n_items, n_feeds=n_feeds, seed=1)
    server, base = serve_files(files)
    try:
        home = work / f"home-{n_items}"
        settings = Settings.from_home(home)
        sources = [Source(name=f"來源{i:02d}", feeds=(f"{base}{path}",), full_text="never")
                   for i, path in enumerate(sorted(files))]
        save_sources(settings.sources_file, sources)
        t = time.perf_counter()
        summary = fetch_sources(settings, sources)
        fetch_secs = time.perf_counter() - t
    finally:
        server.shutdown()
    build = build_in_child(settings.db_path, work / f"site-{n_items}")
    rebuild = build_in_child(settings.db_path, work / f"site-{n_items}")
    floor_n, floor_secs = feedparser_floor(files)
    return {"items": n_items, "new": summary.new, "failed": summary.feeds_failed, "fetch_secs": fetch_secs,
            "build": build, "rebuild": rebuild, "floor_n": floor_n, "floor_secs": floor_secs}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--items", type=int, default=10_000)
    ap.add_argument("--feeds", type=int, default=50)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        small = ingest(max(args.items // 5, args.feeds), args.feeds, work)
        big = ingest(args.items, args.feeds, work)
    print(f"ingest benchmark: {args.items} items over {args.feeds} feeds on 127.0.0.1, one process\n")
    print(f"{'stage':<34} {'articles':>9} {'seconds':>8} {'articles/s':>11}")
    b = big
    rows = [
        ("newsmirror fetch+parse+store+index", b["new"], b["fetch_secs"]),
        ("newsmirror build jekyll (first)", b["build"]["articles"], b["build"]["seconds"]),
        ("newsmirror build jekyll (no change)", b["rebuild"]["articles"], b["rebuild"]["seconds"]),
        ("reference: feedparser.parse alone", b["floor_n"], b["floor_secs"]),
    ]
    for name, n, secs in rows:
        print(f"{name:<34} {n:>9} {secs:>8.2f} {n / secs:>11.0f}")
    e2e = b["new"] / (b["fetch_secs"] + b["build"]["seconds"])
    print(f"\nend to end (fetch+store+build): {e2e:.0f} articles/s (target >= 300); failed feeds: {b['failed']}")
    print(f"build peak RSS: {small['build']['maxrss_mb']:.0f} MB for {small['build']['articles']} articles, "
          f"{b['build']['maxrss_mb']:.0f} MB for {b['build']['articles']} articles (should not grow with the archive)")
    print(f"this process peak RSS (both fetch runs): {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
