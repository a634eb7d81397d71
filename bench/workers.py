"""Scale benchmark: `newsmirror fetch --queue` with 3 worker processes beside an in-process `newsmirror fetch`,
on the same generated feeds, in the same run.

Hosts are addresses on 127.0.0.0/8 (127.0.0.2, 127.0.0.3 ...), one threaded HTTP server each, so the
per-host limit is per address as it would be per outlet. F feeds of I/F items over the hosts; half the
items carry their full text (about 1,500 characters), half a summary and a page on the same host.
Each server counts the requests it is answering at once: the largest count per host must not pass
--per-host. Both runs are whole processes timed from start to exit, each with its own archive: the
in-process fetch on SQLite, the queue on a throwaway PostgreSQL cluster (Debian's postgresql, as the
tests start it). Beside wall time, each side's CPU seconds (user + sys of newsmirror's processes: the
fetch and its index follower; the waiter and the workers) and, apart, the PostgreSQL server's (its
processes' from /proc), which a loaded machine changes far less, and when the queue's last job ended (the waiter indexes after it).
Queue overhead per job is measured apart: N no-op jobs deferred and run through the same
database by one worker (procrastinate's own cost per job: insert, take, finish).

Run by hand:  .venv/bin/python bench/workers.py [--feeds 200] [--items 20000] [--hosts 4] [--workers 3]
With --profile DIR the queue's processes run under cProfile (CPU time: time.process_time), each writing
DIR/<name>.prof, and the workers' CPU seconds per job are printed by step (the profiler adds its own cost).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import resource
import subprocess
import sys
import tempfile
import threading
import time
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bench"))

from generate import make_paragraphs  # noqa: E402
from pgserver import PgServer, find_pg_bin  # noqa: E402

from newsmirror.config import Settings, save_sources  # noqa: E402
from newsmirror.models import Source  # noqa: E402
from newsmirror.store import open_store  # noqa: E402

def body(rng: random.Random, chars: int) -> str:
    """Generated news-like paragraphs of at least `chars` characters, each text unlike the others (a body made
    of a few fixed sentences would make every article a near-copy of every other, and the stories stage
    would compare each with all)."""
    return "".join(f"<p>{escape(p, quote=False)}</p>" for p in make_paragraphs(rng, chars))


class Host:
    """One host: a threaded server on its own 127.0.0.x address, counting the requests in flight."""

    def __init__(self, address: str, latency: float = 0.0) -> None:
        self.files: dict[str, tuple[bytes, str]] = {}
        self.now = self.most = self.requests = 0
        self.lock = threading.Lock()
        host = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:
                pass

            def do_GET(self) -> None:
                with host.lock:
                    host.now += 1
                    host.most = max(host.most, host.now)
                    host.requests += 1
                try:
                    time.sleep(latency)  # a real server's time to answer: requests overlap as they would
                    data, kind = host.files.get(self.path, (b"not found", "text/plain"))
                    self.send_response(200 if self.path in host.files else 404)
                    self.send_header("Content-Type", kind)
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                finally:
                    with host.lock:
                        host.now -= 1

        self.httpd = ThreadingHTTPServer((address, 0), Handler)
        self.httpd.daemon_threads = True
        self.base = f"http://{address}:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def reset(self) -> None:
        with self.lock:
            self.now = self.most = self.requests = 0


def make_site(hosts: list[Host], n_feeds: int, n_items: int) -> list[Source]:
    """Feeds spread over the hosts; even items full text, odd items a summary and a page on the feed's host."""
    rng = random.Random(7)
    per_feed = n_items // n_feeds
    sources = []
    for f in range(n_feeds):
        host = hosts[f % len(hosts)]
        items = []
        for i in range(per_feed):
            n = f * per_feed + i
            link = f"{host.base}/p/{n}.html"
            title = escape(make_paragraphs(rng)[0][:24], quote=False)
            if i % 2 == 0:
                text = body(rng, 1500)
            else:
                text = escape(make_paragraphs(rng)[0][:60], quote=False)  # a summary: the page has the text
                page = (f"<html><head><meta charset='utf-8'><title>{title}</title></head><body><article>"
                        f"<h1>{title}</h1>{body(rng, 1500)}</article></body></html>")
                host.files[f"/p/{n}.html"] = (page.encode(), "text/html; charset=utf-8")
            items.append(f"<item><title>{title}</title><link>{link}</link><guid>g{n}</guid>"
                         f"<description><![CDATA[{text}]]></description></item>")
        feed = ("<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>基準</title>"
                + "".join(items) + "</channel></rss>")
        host.files[f"/f{f}.xml"] = (feed.encode(), "application/rss+xml; charset=utf-8")
        sources.append(Source(name=f"基準{f:03d}", feeds=(f"{host.base}/f{f}.xml",)))
    return sources


def make_home(path: Path, sources: list[Source], store: str | None) -> Settings:
    settings = Settings.from_home(path, store)
    settings.ensure_home()
    save_sources(settings.sources_file, sources)
    settings.config_file.write_text("[fetch]\nhost_delay = 0\n", encoding="utf-8")
    return settings


def cli(settings: Settings, *args: str, profile: Path | None = None) -> list[str]:
    """The newsmirror command line; with `profile`, run under cProfile writing that file (see `profiled`)."""
    runner = [sys.executable, "-m", "newsmirror"] if profile is None else [
        sys.executable, __file__, "--profiled", str(profile), "--"]
    return [*runner, "-q", "--home", str(settings.home), "--store", settings.store_location, *args]


def profiled(out: str, args: list[str]) -> None:
    """Run newsmirror's CLI with `args` under cProfile counting CPU time; the stats go to `out` at exit
    (a worker stopped with SIGTERM finishes its jobs and returns)."""
    import cProfile

    from newsmirror.cli import cli as newsmirror

    prof = cProfile.Profile(time.process_time)
    try:
        prof.runcall(newsmirror.main, args=args, prog_name="newsmirror", standalone_mode=False)
    finally:
        prof.dump_stats(out)


# What a worker's CPU time is spent on, by step: (label, function name as pstats keys it).
_STEPS = (
    ("feed: fetch (request, WARC)", "fetch_feed"),
    ("feed: parse, store, record", "finish_feed"),
    ("feed: defer its page jobs", "_defer_pages"),
    ("page: fetch (request, WARC)", "fetch_page"),
    ("page: extract, sanitize, store", "finish_page"),
    ("give the host slot back", "release_slot"),
    ("write the job's report", "report"),
    ("procrastinate: take, finish, heartbeat", "run_worker_async"),
)


def print_profile(paths: list[Path], jobs: int) -> None:
    """The workers' CPU seconds by step, in total and per job, then the functions that spend the most."""
    import pstats

    stats = pstats.Stats(*map(str, paths))
    by_name: dict[str, float] = {}
    for (_, _, name), (_, _, _, cumulative, _) in stats.stats.items():  # type: ignore[attr-defined]
        by_name[name] = max(by_name.get(name, 0.0), cumulative)
    total = stats.total_tt  # type: ignore[attr-defined]
    print(f"# workers' CPU under cProfile: {total:.1f} s over {jobs} jobs, {total / jobs * 1000:.1f} ms a job")
    for label, name in _STEPS:
        secs = by_name.get(name, 0.0)
        print(f"#   {label:40s} {secs:7.1f} s  {secs / jobs * 1000:6.2f} ms a job")
    stats.sort_stats("tottime").print_stats(25)


def cpu_of_children() -> float:
    """CPU seconds (user + sys) of this process's ended children and theirs (the index follower, workers)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def cpu_of_server(server: PgServer) -> float:
    """CPU seconds (user + sys) PostgreSQL has spent so far: the postmaster, its ended backends (reaped by it)
    and its live ones, from /proc (0 where /proc is not Linux's)."""
    try:
        master = int((server.dir / "data" / "postmaster.pid").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 0.0
    ticks = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # ended meanwhile
        pid, ppid = int(stat.parent.name), int(fields[1])
        if pid == master:
            ticks += sum(int(f) for f in fields[11:15])  # utime, stime, cutime, cstime (ended backends)
        elif ppid == master:
            ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def commits(url: str) -> int:
    """Transactions committed in the database so far (pg_stat_database): the queue's round trips that write."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SELECT pg_stat_force_next_flush()")  # this session's own count is not waited for
        return int(conn.execute("SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()"
                                ).fetchone()[0])


def timed(cmd: list[str]) -> tuple[float, subprocess.CompletedProcess]:
    started = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True)
    return time.perf_counter() - started, done


class JobsDone:
    """Watches the queue's table from beside the run: when the round's last job ended (the waiter then sums
    the reports and indexes)."""

    def __init__(self, url: str) -> None:
        self.url, self.at, self.started = url, None, time.perf_counter()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()

    def _watch(self) -> None:
        import psycopg

        seen = False
        with psycopg.connect(self.url, autocommit=True) as conn:
            while not self._stop.wait(0.2):
                try:
                    left = conn.execute("SELECT count(*) FROM procrastinate_jobs WHERE status IN ('todo', 'doing')"
                                        ).fetchone()[0]
                except psycopg.errors.UndefinedTable:  # the first worker has not made the queue's tables yet
                    continue
                seen = seen or left > 0
                if seen and left == 0 and self.at is None:
                    self.at = time.perf_counter() - self.started
                elif left:
                    self.at = None

    def stop(self) -> float | None:
        self._stop.set()
        self._thread.join()
        return self.at


def count(location: str) -> tuple[int, int]:
    """(articles, articles whose body came from their page)."""
    with open_store(location) as store:
        articles = list(store.iter_articles())
        return len(articles), sum(1 for a in articles if a.extracted is not None)


async def queue_overhead(url: str, jobs: int) -> tuple[float, float]:
    """Seconds per job to defer, and to take and finish, `jobs` no-op jobs through procrastinate."""
    import logging

    import procrastinate

    logging.getLogger("procrastinate").setLevel(logging.ERROR)  # not its advice on where an App is built
    app = procrastinate.App(connector=procrastinate.PsycopgConnector(conninfo=url))

    async def noop(n: int) -> None:
        return None

    app.task(name="bench.noop", queue="bench")(noop)
    async with app.open_async():
        started = time.perf_counter()
        for n in range(jobs):
            await app.configure_task("bench.noop", lock=f"host bench slot {n % 2}").defer_async(n=n)
        deferred = time.perf_counter()
        await app.run_worker_async(queues=["bench"], wait=False, concurrency=1, delete_jobs="successful",
                                   install_signal_handlers=False)
        ran = time.perf_counter()
    return (deferred - started) / jobs, (ran - deferred) / jobs


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--feeds", type=int, default=200)
    ap.add_argument("--items", type=int, default=20_000)
    ap.add_argument("--hosts", type=int, default=4)
    ap.add_argument("--workers", type=int, default=3)
    ap.add_argument("--concurrency", type=int, default=8, help="jobs per worker")
    ap.add_argument("--per-host", type=int, default=2)
    ap.add_argument("--noop-jobs", type=int, default=1000)
    ap.add_argument("--latency", type=float, default=0.05, help="seconds each server takes to answer")
    ap.add_argument("--skip-local", action="store_true", help="no in-process fetch beside the queue")
    ap.add_argument("--profile", type=Path, help="run the queue's processes under cProfile, stats in this folder")
    args = ap.parse_args()
    bindir = find_pg_bin()
    if bindir is None:
        sys.exit("bench/workers.py needs PostgreSQL (apt-get install postgresql)")
    hosts = [Host(f"127.0.0.{2 + h}", args.latency) for h in range(args.hosts)]
    sources = make_site(hosts, args.feeds, args.items)
    items = args.items // args.feeds * args.feeds
    pages = sum(1 for h in hosts for p in h.files if p.startswith("/p/"))
    print(f"# {len(sources)} feeds, {items} items, {pages} summary-only with pages, on {len(hosts)} hosts "
          f"(127.0.0.2-{1 + len(hosts)}), answering in {args.latency * 1000:.0f} ms; per-host limit {args.per_host}; load {os.getloadavg()[0]:.1f}")
    work = Path(tempfile.mkdtemp(prefix="nm-workers-"))
    server = PgServer(bindir).start()
    try:
        if not args.skip_local:
            local = make_home(work / "local", sources, None)
            cpu = cpu_of_children()
            secs, done = timed(cli(local, "fetch", "--per-host", str(args.per_host)))
            cpu = cpu_of_children() - cpu
            n, full = count(local.store_location)
            print(f"in-process fetch (SQLite)   {secs:7.1f} s  {n / secs:7.1f} items/s  {n} articles, {full} pages "
                  f"read, exit {done.returncode}; CPU {cpu:.1f} s ({n / cpu:.0f} items per CPU-second); max in "
                  f"flight per host {max(h.most for h in hosts)}; load {os.getloadavg()[0]:.1f}")
            for h in hosts:
                h.reset()
        url = server.fresh_url()
        open_store(url, migrate=True).close()
        queued = make_home(work / "queued", sources, url)
        prof = args.profile
        if prof:
            prof.mkdir(parents=True, exist_ok=True)
        workers = [subprocess.Popen(cli(queued, "worker", "--concurrency", str(args.concurrency), "--name", f"w{i}",
                                        profile=prof / f"w{i}.prof" if prof else None), stderr=subprocess.DEVNULL)
                   for i in range(args.workers)]
        cpu, pg_cpu, committed = cpu_of_children(), cpu_of_server(server), commits(url)
        watch = JobsDone(url)
        try:
            secs, done = timed(cli(queued, "fetch", "--queue", "--per-host", str(args.per_host),
                                   profile=prof / "waiter.prof" if prof else None))
        finally:
            jobs_done = watch.stop()
            for w in workers:
                w.terminate()
            for w in workers:
                w.wait()
        cpu, pg_cpu = cpu_of_children() - cpu, cpu_of_server(server) - pg_cpu
        time.sleep(1.0)  # the servers' statistics of the ended sessions are flushed within a second
        committed = commits(url) - committed
        n, full = count(url)
        jobs = len(sources) + full
        print(f"queue, {args.workers} workers x {args.concurrency} {secs:7.1f} s  {n / secs:7.1f} items/s  {n} articles, "
              f"{full} pages read, exit {done.returncode}; {jobs} jobs, the last done at {jobs_done or 0:.1f} s "
              f"(then the waiter indexes); CPU {cpu:.1f} s in newsmirror's processes ({n / cpu:.0f} items per "
              f"CPU-second), {pg_cpu:.1f} s in PostgreSQL's; {committed / jobs:.1f} commits a job; max in flight per host {max(h.most for h in hosts)} "
              f"(limit {args.per_host}); load {os.getloadavg()[0]:.1f}")
        if done.returncode:
            print(done.stderr[-2000:])
        if prof:
            print_profile([prof / f"w{i}.prof" for i in range(args.workers)], jobs)
        defer, run = asyncio.run(queue_overhead(url, args.noop_jobs))
        print(f"queue overhead per job (procrastinate, {args.noop_jobs} no-op jobs, one worker): defer "
              f"{defer * 1000:.2f} ms, take and finish {run * 1000:.2f} ms; load {os.getloadavg()[0]:.1f}")
    finally:
        server.stop()
        for h in hosts:
            h.httpd.shutdown()


if __name__ == "__main__":
    if sys.argv[1:2] == ["--profiled"]:
        profiled(sys.argv[2], sys.argv[4:])
    else:
        main()
