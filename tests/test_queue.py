"""Fetch workers through the PostgreSQL job queue, as real processes against a real server and a real cluster:
the same posts as an in-process fetch even when a worker is killed with SIGKILL mid-run, no duplicate, every
WARC record readable; the per-host limit across workers, from the server's own count of requests in flight;
a database that stops mid-run ends the workers and the waiter with a one-line error."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from feedtext import rss
from httpserver import Reply
from newsmirror.config import Settings, save_sources
from newsmirror.fetch.http import FetchPolicy
from newsmirror.fetch.warc import RawArchive
from newsmirror.models import FailureKind, PageStatus, Source
from newsmirror.pipeline import fetch_sources
from newsmirror.store import open_store

pytest.importorskip("procrastinate", reason="the queue extra is not installed: pip install -e '.[test]'")

RSS = "application/rss+xml; charset=utf-8"
BODY = "交通部今天說明連假疏運計畫，國道車流預估增加一成，高公局提醒用路人避開尖峰時段。"
PAGE = "<html><body><article><h1>標題{n}</h1><p>" + BODY * 6 + "第{n}則。</p></article></body></html>"
FULL = "<p>" + BODY * 5 + "全文第{n}則。</p>"
ENV = {**os.environ, "PYTHONUNBUFFERED": "1"}
STALLED = "30"  # seconds: a worker is not taken for dead under load (the kill test uses less)


class InFlight:
    """Counts the page requests the server is answering at once (its own log, not the client's)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.now = self.most = 0
        self.lock = threading.Lock()

    def route(self, reply: Reply):
        def answer(request) -> Reply:
            with self.lock:
                self.now += 1
                self.most = max(self.most, self.now)
            time.sleep(self.seconds)
            with self.lock:
                self.now -= 1
            return reply
        return answer


def serve(server, feeds: int, items: int, pages: InFlight | None = None) -> list[Source]:
    """`feeds` feeds of `items` items: even items carry their full text, odd ones a summary and a page."""
    base = server.url("")
    sources = []
    for f in range(feeds):
        entries = []
        for i in range(items):
            n = f * 1000 + i
            link = f"{base}/p/{n}.html"
            text = FULL.format(n=n) if i % 2 == 0 else f"摘要第{n}則。"
            entries.append({"title": f"標題{n}", "link": link, "guid": f"g{n}", "description": text})
            reply = Reply(PAGE.format(n=n))
            server.add(f"/p/{n}.html", pages.route(reply) if pages else reply)
        server.add(f"/f{f}.xml", Reply(rss(entries), content_type=RSS))
        sources.append(Source(name=f"網{f}", feeds=(server.url(f"/f{f}.xml"),)))
    return sources


def home(tmp_path: Path, name: str, sources: list[Source], store: str | None = None) -> Settings:
    settings = Settings.from_home(tmp_path / name, store)
    settings.ensure_home()
    save_sources(settings.sources_file, sources)
    settings.config_file.write_text("[fetch]\nhost_delay = 0\n", encoding="utf-8")
    return settings


def cli(settings: Settings, *args: str) -> list[str]:
    return [sys.executable, "-m", "newsmirror", "--home", str(settings.home), "--store", settings.store_location,
            *args]


def start_worker(settings: Settings, name: str, stalled: str = STALLED) -> subprocess.Popen:
    return subprocess.Popen(cli(settings, "worker", "--concurrency", "4", "--stalled-after", stalled, "--name", name),
                            stderr=subprocess.PIPE, text=True, env=ENV)


def stop(*procs: subprocess.Popen) -> None:
    for proc in procs:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    for proc in procs:
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if proc.stderr:
            proc.stderr.close()


def posts(location: str) -> dict[str, tuple[str, str]]:
    with open_store(location) as store:
        articles = list(store.iter_articles())
        links = [a.link for a in articles]
        assert len(links) == len(set(links)), "an article was stored twice"
        return {a.link: (a.title, a.text) for a in articles}


def jobs_doing(url: str) -> int:
    """How many jobs workers are running, as the queue's table says."""
    import psycopg

    with psycopg.connect(url) as conn:
        return conn.execute("SELECT count(*) FROM procrastinate_jobs WHERE status = 'doing'").fetchone()[0]


def wait_for(check, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.05)


@pytest.mark.slow
def test_workers_store_what_an_in_process_fetch_stores_even_when_one_is_killed(http_server, pg_store_url, tmp_path):
    sources = serve(http_server, feeds=4, items=8, pages=InFlight(0.3))
    local = home(tmp_path, "local", sources)
    summary = fetch_sources(local, sources, policy=FetchPolicy(host_delay=0))
    assert summary.new == 32 and summary.pages == 16 and not summary.failures
    expected = posts(local.store_location)

    queued = home(tmp_path, "queued", sources, pg_store_url)
    http_server.requests.clear()
    first = start_worker(queued, "w1", "6")
    waiter = subprocess.Popen(cli(queued, "fetch", "--queue", "--per-host", "2"), stderr=subprocess.PIPE,
                              text=True, env=ENV)
    second = None
    try:
        wait_for(lambda: sum(r.path.startswith("/p/") for r in http_server.requests) >= 2)
        wait_for(lambda: jobs_doing(pg_store_url) > 0)
        first.kill()  # SIGKILL in the middle of a job (the only worker yet): the second takes its jobs up
        first.wait()
        second = start_worker(queued, "w2", "6")
        out = waiter.communicate(timeout=180)[1]
    finally:
        stop(*[p for p in (first, second, waiter) if p is not None])
    assert waiter.returncode == 0, out
    assert "fetch done: 4 sources ok, 0 failed" in out.splitlines()[-1]
    assert posts(pg_store_url) == expected
    archive = RawArchive(queued.raw_dir)
    names = {p.name for p in queued.raw_dir.glob("*.warc.gz")}
    assert any("-w1" in n for n in names) and any("-w2" in n for n in names)  # one file per worker
    with open_store(pg_store_url) as store:
        refs = [v.raw_ref for a in store.iter_articles() for v in store.article_versions(a.id)]
    assert refs and all(refs)
    for ref in refs:  # every record the archive points at is readable, in its worker's file
        record = archive.read(ref)
        assert record.status == 200 and record.body
    assert sum(1 for _ in archive.iter_records()) >= len(set(refs))


def fetch_through_workers(settings: Settings, count: int) -> subprocess.CompletedProcess:
    """`fetch --queue --per-host 2` with `count` worker processes running, stopped after."""
    workers = [start_worker(settings, f"w{i}") for i in range(count)]
    try:
        return subprocess.run(cli(settings, "fetch", "--queue", "--per-host", "2"), capture_output=True, text=True,
                              env=ENV, timeout=180)
    finally:
        stop(*workers)


@pytest.mark.slow
def test_per_host_limit_holds_across_workers(http_server, pg_store_url, tmp_path):
    pages = InFlight(0.4)
    sources = serve(http_server, feeds=3, items=8, pages=pages)
    queued = home(tmp_path, "queued", sources, pg_store_url)
    done = fetch_through_workers(queued, 3)
    assert done.returncode == 0, done.stderr
    assert len({r.path for r in http_server.requests if r.path.startswith("/p/")}) == 12  # every page asked
    assert 1 <= pages.most <= 2  # one host: never more than --per-host pages in flight, over all workers


@pytest.mark.slow
def test_host_delay_spaces_page_requests_across_workers(http_server, pg_store_url, tmp_path):
    sources = serve(http_server, feeds=2, items=6)
    queued = home(tmp_path, "queued", sources, pg_store_url)
    queued.config_file.write_text("[fetch]\nhost_delay = 1.5\n", encoding="utf-8")
    done = fetch_through_workers(queued, 2)
    assert done.returncode == 0, done.stderr
    pages = [r.at for r in http_server.requests if r.path.startswith("/p/")]
    robots = [r.at for r in http_server.requests if r.path == "/robots.txt"]
    assert len(pages) == 6
    # the store keeps robots.txt's answer for every worker, but two workers starting together may both ask
    # before either has stored it: at most once per worker, never once per page
    assert 1 <= len(robots) <= 2
    times = sorted(pages + robots)
    # two workers, two slots, one host's delay: 6 gaps of 1.5 s (each worker pacing only itself would take
    # about half that); the span, not each gap, because a loaded machine delays single requests on their way
    assert times[-1] - times[0] >= 6 * 1.5 * 0.9


@pytest.mark.slow
def test_database_that_stops_mid_run_ends_worker_and_waiter_with_one_line(http_server, tmp_path):
    from pgserver import PgServer, find_pg_bin

    bindir = find_pg_bin()
    if bindir is None:
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL is not installed; CI must install it")
        pytest.skip("PostgreSQL is not installed (apt-get install postgresql)")
    server = PgServer(bindir).start()
    try:
        url = server.fresh_url()
        open_store(url, migrate=True).close()
        sources = serve(http_server, feeds=2, items=6, pages=InFlight(1.0))
        queued = home(tmp_path, "queued", sources, url)
        worker = start_worker(queued, "w1")
        waiter = subprocess.Popen(cli(queued, "fetch", "--queue"), stderr=subprocess.PIPE, text=True, env=ENV)
        try:
            wait_for(lambda: any(r.path.startswith("/p/") for r in http_server.requests))
            server.stop()  # the database goes away mid-run
            worker_err = worker.communicate(timeout=60)[1]
            waiter_err = waiter.communicate(timeout=60)[1]
        finally:
            stop(worker, waiter)
    finally:
        server.stop()
    for code, err in ((worker.returncode, worker_err), (waiter.returncode, waiter_err)):
        lines = [line for line in err.splitlines() if line.startswith("error:")]
        assert code == 1 and len(lines) == 1, err
        assert "stopped answering" in lines[0] and f":{server.port}/" in lines[0], err
        assert "Traceback" not in err, err


def test_queue_needs_postgresql_and_a_recent_server(pg_store_url, tmp_path):
    from newsmirror.queue import QUEUE_MIN_SERVER, queue_server_problem

    sqlite_home = home(tmp_path, "plain", [Source(name="網", feeds=("http://127.0.0.1:9/f.xml",))])
    done = subprocess.run(cli(sqlite_home, "fetch", "--queue"), capture_output=True, text=True, env=ENV, timeout=60)
    assert done.returncode == 1 and done.stderr.count("\n") == 1
    assert "needs a PostgreSQL store" in done.stderr
    import psycopg

    with psycopg.connect(pg_store_url) as conn:
        version = conn.info.server_version
    assert queue_server_problem(version, "db") is None  # the test cluster is recent enough
    problem = queue_server_problem(120017, "postgresql://news@db/news")
    assert problem == ("the database postgresql://news@db/news runs PostgreSQL 12; the fetch queue "
                       f"(procrastinate) needs {QUEUE_MIN_SERVER // 10000} or later: upgrade it, or fetch without --queue")
    assert "9.6" in (queue_server_problem(90624, "db") or "")


@pytest.mark.slow
def test_run_on_postgresql_hands_its_round_to_the_workers(http_server, pg_store_url, tmp_path):
    sources = serve(http_server, feeds=2, items=4)
    queued = home(tmp_path, "queued", sources, pg_store_url)
    worker = start_worker(queued, "w1")
    try:
        done = subprocess.run(cli(queued, "run", "--once"), capture_output=True, text=True, env=ENV, timeout=180)
    finally:
        stop(worker)
    assert done.returncode == 0, done.stderr
    assert len(posts(pg_store_url)) == 8
    names = [p.name for p in queued.raw_dir.glob("*.warc.gz")]
    assert names and all("-w1" in n for n in names)  # the worker fetched, not the run process
    again = subprocess.run(cli(queued, "reextract"), capture_output=True, text=True, env=ENV, timeout=180)
    assert again.returncode == 0, again.stderr
    assert "reextract done: 4 pages read" in again.stderr  # the worker's WARC file, found from the refs' home


def test_a_job_gives_its_host_slot_back_and_gets_it_again_when_put_back(pg_store_url):
    import asyncio

    import psycopg

    from newsmirror.queue import _app, _close, _open, enqueue_round, job_slot, release_slot, requeue_stalled, slot_lock

    feeds = ("http://127.0.0.2:9/a.xml", "http://127.0.0.2:9/b.xml")  # one host, one slot: one job at a time
    lock = slot_lock(feeds[0], 1)
    assert lock == slot_lock(feeds[1], 1)

    async def scenario() -> tuple[list, list]:
        app = _app(pg_store_url)
        await _open(app, "the test database")
        try:
            await enqueue_round(app, [Source(name="網", feeds=feeds)], per_host=1)
            worker = await app.job_manager.register_worker()
            first = await app.job_manager.fetch_job(queues=None, worker_id=worker)
            assert first is not None and first.lock == lock
            assert await app.job_manager.fetch_job(queues=None, worker_id=worker) is None  # the slot is taken
            with psycopg.connect(pg_store_url, autocommit=True) as listener:
                listener.execute("LISTEN procrastinate_any_queue_v1")
                await release_slot(app, first.id)  # its request is done: the job goes on, the slot is free
                woken = [n.payload for n in listener.notifies(timeout=10, stop_after=1)]
            second = await app.job_manager.fetch_job(queues=None, worker_id=worker)
            assert second is not None and second.task_kwargs["url"] == feeds[1]  # while the first still runs
            await release_slot(app, second.id)
            await asyncio.sleep(0.05)
            assert await requeue_stalled(app, 0.01) == 2  # the worker died: both jobs go back to the queue
            rows = await app.connector.execute_query_all_async(
                "SELECT status::text AS status, lock, task_name, args FROM procrastinate_jobs ORDER BY id")
            return woken, rows
        finally:
            await _close(app)

    woken, rows = asyncio.run(scenario())
    assert len(woken) == 1 and '"job_inserted"' in woken[0]  # idle workers look for the freed slot's next job
    assert [(r["status"], r["lock"]) for r in rows] == [("todo", lock), ("todo", lock)]  # each in its slot again
    assert all(job_slot(r["task_name"], r["args"]) == lock for r in rows)


def test_a_retry_after_one_worker_got_holds_for_every_worker(pg_store_url):
    import asyncio

    from newsmirror.errors import FetchError
    from newsmirror.models import FailureKind
    from newsmirror.queue import SharedPacer, _app, _close, _open

    async def scenario():
        app = _app(pg_store_url)
        await _open(app, "the test database")
        try:
            one, other = SharedPacer(app, 0.0, longest_wait=60), SharedPacer(app, 0.0, longest_wait=60)  # two workers
            await other.wait("127.0.0.4:80")  # a host nobody holds: its turn at once
            await one.store_hold("127.0.0.2:80", 3600)  # a 429 asking for an hour
            with pytest.raises(FetchError) as long_hold:
                await other.wait("127.0.0.2:80")
            await one.store_hold("127.0.0.3:80", 1.5)
            started = time.monotonic()
            await other.wait("127.0.0.3:80")
            return long_hold.value, time.monotonic() - started
        finally:
            await _close(app)

    error, waited = asyncio.run(scenario())
    assert error.kind is FailureKind.RATE_LIMITED and 3500 < (error.retry_after or 0) <= 3600
    assert "127.0.0.2:80 asked to wait" in str(error)
    assert waited >= 1.5 * 0.9  # the other worker waited the hold out (a loaded machine only adds to it)


def test_prune_deletes_ended_jobs_and_reports_older_than_kept(pg_store_url, tmp_path):
    import asyncio

    from procrastinate.jobs import Status

    from newsmirror.queue import _app, _close, _open, enqueue_round, prune_queue

    async def scenario():
        app = _app(pg_store_url)
        await _open(app, "the test database")
        try:
            await enqueue_round(app, [Source(name="網", feeds=("http://127.0.0.2:9/a.xml", "http://127.0.0.3:9/b.xml"))],
                                per_host=1)
            worker = await app.job_manager.register_worker()
            old = await app.job_manager.fetch_job(queues=None, worker_id=worker)
            new = await app.job_manager.fetch_job(queues=None, worker_id=worker)
            for job in (old, new):
                await app.job_manager.finish_job(job, status=Status.FAILED, delete_job=False)
            await app.connector.execute_query_async(
                "UPDATE procrastinate_events SET at = now() - interval '10 days' WHERE job_id = %(id)s", id=old.id)
            await app.connector.execute_query_async(
                """INSERT INTO newsmirror_job_reports (round, key, report, written_at) VALUES
                   ('r-old', 'feed a', '{}', now() - interval '10 days'), ('r-new', 'feed b', '{}', now())""")
            pruned = await prune_queue(app, keep_hours=24)
            jobs = await app.connector.execute_query_all_async("SELECT id FROM procrastinate_jobs")
            reports = await app.connector.execute_query_all_async("SELECT round FROM newsmirror_job_reports")
            return pruned, [r["id"] for r in jobs], [r["round"] for r in reports], new.id
        finally:
            await _close(app)

    pruned, jobs, reports, kept = asyncio.run(scenario())
    assert pruned == (1, 1) and jobs == [kept] and reports == ["r-new"]
    queued = home(tmp_path, "queued", [], pg_store_url)
    done = subprocess.run(cli(queued, "worker", "--prune"), capture_output=True, text=True, env=ENV, timeout=60)
    assert done.returncode == 0 and "pruned the job queue: 0 ended jobs, 0 reports of rounds never summed" in done.stdout, done.stderr
    plain = home(tmp_path, "plain", [])
    done = subprocess.run(cli(plain, "worker", "--prune"), capture_output=True, text=True, env=ENV, timeout=60)
    assert done.returncode == 1 and done.stderr.count("\n") == 1 and "needs a PostgreSQL store" in done.stderr


@pytest.mark.slow
def test_a_long_retry_after_stops_the_host_for_every_worker(http_server, pg_store_url, tmp_path):
    """A page answered 429 with an hour's Retry-After: no worker asks that host for another page in the round
    (each of the two slots may have had one request on its way), every page waits for a later round with
    the hold as its next try, and the waiter names the failures."""
    asked = InFlight(0.2)
    sources = serve(http_server, feeds=1, items=24)  # 12 summary-only items: 12 page jobs after the feed's
    for n in range(1, 24, 2):
        http_server.add(f"/p/{n}.html", asked.route(Reply("busy", status=429, headers={"Retry-After": "3600"})))
    queued = home(tmp_path, "queued", sources, pg_store_url)
    started = datetime.now(UTC)
    done = fetch_through_workers(queued, 3)
    assert done.returncode == 1, done.stderr
    assert "3600" in done.stderr or "wait" in done.stderr
    pages = [r for r in http_server.requests if r.path.startswith("/p/")]
    assert 1 <= len(pages) <= 2, [r.path for r in pages]  # without the shared hold each worker asks on its own
    with open_store(pg_store_url) as store:
        records = store.page_fetches()
    assert len(records) == 12 and all(r.status is PageStatus.RETRYING for r in records)
    assert all(r.kind is FailureKind.RATE_LIMITED for r in records), {r.kind for r in records}
    assert all(r.next_try >= started + timedelta(seconds=3000) for r in records)  # not before the hold ends
