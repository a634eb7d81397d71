"""Static-site benchmark: `newsmirror build site` beside Hugo and Debian's `jekyll build`, on the same articles.

Generates N articles (default 10,000: Zipf words from jieba's dictionary as in bench/search.py, half in
Traditional script, Putin's and others' alias spellings mixed in, 20 outlets over a year), stores them in
a fresh archive, then in the same run measures wall time and peak RSS (/usr/bin/time) of:

- `newsmirror build site` (full builds, then three one-article incremental rebuilds and a no-change rebuild);
- Hugo (Debian's `hugo`) building the same articles as Markdown with a minimal theme (single, list, index);
- Debian's `jekyll build` of `newsmirror build jekyll`'s output (slow: minutes; `--no-jekyll` skips it);

and, in headless Chromium, the bytes the static site's search page fetches for a first query.

    .venv/bin/python bench/site.py                 # 10,000 articles, everything (~6 minutes, Jekyll most of it)
    .venv/bin/python bench/site.py --n 2000 --no-jekyll

Run by hand; not part of the tests. Work files go to a temporary folder (or --dir), deleted unless --keep.
"""

from __future__ import annotations

import argparse
import functools
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from html import escape
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import opencc

sys.path.insert(0, str(Path(__file__).parent))

from search import load_vocab  # noqa: E402  (bench/search.py: the same word stock)

from newsmirror.chinese import load_aliases  # noqa: E402
from newsmirror.models import FeedItem  # noqa: E402
from newsmirror.sanitize import html_to_text  # noqa: E402
from newsmirror.store import open_store  # noqa: E402

SOURCES = ["(臺)中央社CNA", "聯合報", "自由時報", "新华社", "人民网", "明報", "香港01", "BBC中文", "端傳媒", "澎湃新闻",
           "联合早报", "RFI華語", "德國之聲", "經濟日報", "工商時報", "公視新聞", "大紀元", "星島日報", "观察者网", "财新"]
START = datetime(2025, 1, 1, tzinfo=UTC)
NEWSMIRROR = [str(Path(sys.executable).with_name("newsmirror"))]
QUERIES = ("普京", "經濟發展", "中国 政府", "台积电")


def generate(db: Path, n: int, seed: int) -> None:
    """n articles of 300-1,200 characters in 3-8 paragraphs, stored as the pipeline would."""
    rng = random.Random(seed)
    words, cum = load_vocab(40000)
    s2t = opencc.OpenCC("s2t")
    names = sorted(sorted(g) for g in {g for g in load_aliases().groups.values()})
    store = open_store(db)
    batch: list[tuple[FeedItem, str, str]] = []
    seen = START
    try:
        for i in range(n):
            title = "".join(rng.choices(words, cum_weights=cum, k=rng.randint(4, 8)))
            paragraphs = []
            for _ in range(rng.randint(3, 8)):
                para = rng.choices(words, cum_weights=cum, k=rng.randint(40, 80))
                if rng.random() < 0.3:
                    para.insert(rng.randrange(len(para)), rng.choice(rng.choice(names)))
                paragraphs.append("".join(para) + "。")
            if rng.random() < 0.5:
                title, paragraphs = s2t.convert(title), [s2t.convert(p) for p in paragraphs]
            html = "".join(f"<p>{escape(p)}</p>" for p in paragraphs)
            seen = START + timedelta(seconds=int(i * 365 * 86400 / n))
            link = f"https://news.example/{i}"
            item = FeedItem(source=SOURCES[min(int(rng.paretovariate(1.2)) - 1, len(SOURCES) - 1)],
                            feed_url="https://news.example/feed", title=title, link=link, guid=link,
                            published=seen - timedelta(minutes=rng.randint(0, 120)))
            batch.append((item, html, html_to_text(html)))
            if len(batch) == 500:
                store.save_items(batch, seen_at=seen)
                batch = []
        if batch:
            store.save_items(batch, seen_at=seen)
    finally:
        store.close()


def hugo_site(db: Path, root: Path) -> None:
    """The same articles as Hugo Markdown pages (outlet as category) and a minimal theme."""
    store = open_store(db)
    posts = root / "content" / "posts"
    posts.mkdir(parents=True)
    try:
        for a in store.iter_articles():
            body = "\n\n".join(p for p in a.text.split("\n") if p.strip())
            title = a.title.replace("\\", "\\\\").replace('"', '\\"')
            source = a.source.replace('"', '\\"')
            (posts / f"{a.id}.md").write_text(
                f'---\ntitle: "{title}"\ndate: {a.published.isoformat()}\ncategories: ["{source}"]\n---\n{body}\n',
                encoding="utf-8")
    finally:
        store.close()
    (root / "hugo.toml").write_text('baseURL = "https://mirror.example/"\ntitle = "bench"\n'
                                    "[pagination]\npagerSize = 50\n", encoding="utf-8")
    layouts = root / "layouts" / "_default"
    layouts.mkdir(parents=True)
    head = '<!doctype html><html><head><meta charset="utf-8"><title>{{ .Title }}</title></head><body>'
    (layouts / "single.html").write_text(head + "<h1>{{ .Title }}</h1>{{ .Content }}</body></html>\n", encoding="utf-8")
    listing = (head + "<ul>{{ range .Paginator.Pages }}<li><a href=\"{{ .RelPermalink }}\">{{ .Title }}</a>"
               "</li>{{ end }}</ul></body></html>\n")
    (layouts / "list.html").write_text(listing, encoding="utf-8")
    (root / "layouts" / "index.html").write_text(listing, encoding="utf-8")


def timed(cmd: list[str], **kwargs) -> tuple[float, int, float, str]:
    """(wall seconds, peak RSS in MB, CPU seconds (user + sys, children included), stderr) of one command, measured
    by /usr/bin/time. On a shared machine the CPU seconds move less with the load than the wall time does."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as t:
        proc = subprocess.run(["/usr/bin/time", "-o", t.name, "-f", "%e %M %U %S", *cmd], capture_output=True,
                              text=True, **kwargs)
        if proc.returncode != 0:
            raise SystemExit(f"{' '.join(cmd)} failed:\n{proc.stdout[-2000:]}{proc.stderr[-2000:]}")
        wall, rss, user, system = t.read().split()[-4:]
    return float(wall), int(rss) // 1024, float(user) + float(system), proc.stderr


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002
        pass


def search_bytes(out: Path) -> dict[str, tuple[int, int, int]]:
    """For each query: (bytes the search page fetched in a fresh browser, of which index files, hits)."""
    from playwright.sync_api import sync_playwright

    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(out)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    results = {}
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--headless", "--no-sandbox"])
            for q in QUERIES:
                context = browser.new_context()
                page = context.new_page()
                sizes: dict[str, int] = {}
                page.on("requestfinished",  # this query's sizes, bound now (the page is closed before the next)
                        lambda r, sizes=sizes: sizes.__setitem__(r.url, r.sizes()["responseBodySize"]))
                page.goto(f"{base}/search.html?q={q}")
                page.wait_for_selector("#search-results .count, #search-results .error", timeout=30000)
                page.wait_for_load_state("networkidle")
                hits = int(page.locator("#search-results strong.count").inner_text() or 0)
                index = sum(n for url, n in sizes.items() if "/search/" in url)
                results[q] = (sum(sizes.values()), index, hits)
                context.close()
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=10_000, help="articles (default 10000)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--dir", type=Path, help="work folder (default: a temporary one)")
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    parser.add_argument("--no-jekyll", action="store_true", help="skip Jekyll (minutes on 10,000 posts)")
    parser.add_argument("--repeat", type=int, default=3, help="full builds of newsmirror and Hugo, alternately")
    args = parser.parse_args()
    work = args.dir or Path(tempfile.mkdtemp(prefix="nm-site-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    home = work / "home"
    home.mkdir(exist_ok=True)
    env = {**os.environ, "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8"}
    rows: list[tuple[str, float, float, int, str]] = []
    load_before = _load()
    try:
        t = time.monotonic()
        generate(home / "archive.sqlite", args.n, args.seed)
        print(f"generated {args.n} articles in {time.monotonic() - t:.1f} s", file=sys.stderr)
        hugo_site(home / "archive.sqlite", work / "hugo")
        site = work / "site"

        for run in range(args.repeat):  # alternately, so both see the same load on a shared machine
            shutil.rmtree(site, ignore_errors=True)
            wall, rss, cpu, err = timed([*NEWSMIRROR, "--home", str(home), "-q", "build", "site", str(site)],
                                        env=env)
            helper = int(m.group(1)) // 1024 if (m := re.search(r"(\d+) helper peak kB", err)) else 0
            rows.append((f"newsmirror build site (full) #{run + 1}", wall, cpu, rss + helper,
                         f"main {rss} MB + helper {helper} MB; {_summary(err)}"))
            shutil.rmtree(work / "hugo-out", ignore_errors=True)
            wall, rss, cpu, _ = timed(["hugo", "--quiet", "--source", str(work / "hugo"), "--destination",
                                  str(work / "hugo-out")], env=env)
            rows.append((f"hugo (Markdown, minimal theme) #{run + 1}", wall, cpu, rss,
                         f"{_count(work / 'hugo-out')} files"))
        for n in range(1, 4):  # one more article of the usual size (the newest one's text again), as a fetch adds it
            store = open_store(home / "archive.sqlite")
            try:
                newest = next(iter(store.iter_articles(newest_first=True, limit=1)))
                html = f"<p>蒲亭今天與金正恩會面。</p>{newest.html}"
                store.save_item(FeedItem(source=SOURCES[n], feed_url="https://news.example/feed",
                                         title=f"蒲亭會見金正恩{n}", link=f"https://news.example/new{n}", guid=f"new{n}",
                                         published=datetime.now(UTC)),
                                html=html, text=html_to_text(html), seen_at=datetime.now(UTC))
            finally:
                store.close()
            wall, rss, cpu, err = timed([*NEWSMIRROR, "--home", str(home), "-q", "build", "site", str(site)], env=env)
            rows.append((f"newsmirror build site (1 new article) #{n}", wall, cpu, rss, _summary(err)))
        wall, rss, cpu, err = timed([*NEWSMIRROR, "--home", str(home), "-q", "build", "site", str(site)], env=env)
        rows.append(("newsmirror build site (no change)", wall, cpu, rss, _summary(err)))
        if not args.no_jekyll:
            wall, rss, cpu, err = timed([*NEWSMIRROR, "--home", str(home), "-q", "build", "jekyll", str(work / "jk")],
                                   env=env)
            rows.append(("newsmirror build jekyll", wall, cpu, rss, _summary(err)))
            wall, rss, cpu, _ = timed(["jekyll", "build", "--quiet", "--source", str(work / "jk"), "--destination",
                                  str(work / "jk-out")], env=env)
            rows.append(("jekyll build (of build jekyll)", wall, cpu, rss, f"{_count(work / 'jk-out')} files"))
        searches = search_bytes(site)
        largest, folder = _largest_folder(site)
    finally:
        if not args.keep and args.dir is None:
            shutil.rmtree(work, ignore_errors=True)
    print(f"\n{args.n} articles; {os.cpu_count()} cores; load average {load_before} at the start, "
          f"{_load()} at the end\n")
    print(f"{'build':42} {'wall s':>8} {'CPU s':>8} {'peak MB':>8}  notes (peak MB: all processes together)")
    for name, wall, cpu, rss, note in rows:
        print(f"{name:42} {wall:8.2f} {cpu:8.2f} {rss:8d}  {note}")
    print(f"\nlargest folder of the static site: {largest} files ({folder})")
    print(f"\n{'first search (fresh browser)':42} {'kB':>8} {'index kB':>8}  hits")
    for q, (total, index, hits) in searches.items():
        print(f"{'search.html?q=' + q:42} {total / 1000:8.1f} {index / 1000:8.1f}  {hits}")


def _summary(stderr: str) -> str:
    """The build's own summary: its in-process seconds and counts."""
    m = re.search(r"build \w+ done(?: \(\w+\))?: (.*)", stderr)
    return m.group(1).split(" -> ")[0] if m else stderr.strip()[-120:]


def _largest_folder(root: Path) -> tuple[int, str]:
    """The most files any one folder of the site holds, and which folder (the issue's bound: about 1,000)."""
    counts: dict[Path, int] = {}
    for p in root.rglob("*"):
        if p.is_file() and not any(part.startswith(".newsmirror") for part in p.relative_to(root).parts):
            counts[p.parent] = counts.get(p.parent, 0) + 1
    folder = max(counts, key=lambda f: counts[f])
    return counts[folder], str(folder.relative_to(root)) or "."


def _load() -> str:
    """The 1-minute load average (others' work on a shared machine slows every wall time here)."""
    return f"{os.getloadavg()[0]:.1f}"


def _count(folder: Path) -> int:
    return sum(1 for p in folder.rglob("*") if p.is_file())


if __name__ == "__main__":
    main()
