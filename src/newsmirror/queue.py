"""Fetch workers on many machines through a PostgreSQL job queue (procrastinate): `worker`, `fetch --queue`.

Above `pipeline`, like `schedule`: the queue carries plain values (`pipeline.PageTask`, a source and a feed
URL as JSON) and a worker runs the pipeline's steps for each job. One round:

  1. `enqueue_round` defers one feed job per feed. Its lock is one of the host's `per_host` slots
     ("host news.example slot 1"): procrastinate runs the jobs of one lock one at a time across every
     worker, so no host sees more than `per_host` requests at once, however many workers run.
  2. A worker runs `fetch_feed`, gives the slot back (`release_slot`: the job's lock is cleared and idle
     workers are woken, so the host's next request need not wait for this job's parsing and storing),
     then `finish_feed`, and defers a page job for each page the feed needs (same slots, and a queueing
     lock per article so a page waits in the queue once).
  3. A worker runs `fetch_page`, gives the slot back, then `finish_page`. Page requests are spaced by the
     host's delay across all workers, and a host's Retry-After holds for every worker (`SharedPacer`, one
     row per host).
  4. Each job writes its FetchSummary as JSON under (round, job key); a job run again overwrites it.
  5. The waiter (`fetch --queue`) waits for the round's jobs, defers the pages a killed job stored but
     never deferred (`pipeline.pending_pages`), waits again, sums the reports and indexes.

A worker killed with SIGKILL stops its heartbeat; after `stalled_after` seconds another worker puts its jobs
back in the queue, each with its slot again (`job_slot`). Running a job twice stores nothing twice: the store de-duplicates items and pages.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import socket
import sys
import uuid
import zlib
from dataclasses import asdict
from datetime import datetime, UTC

from newsmirror.config import Settings
from newsmirror.errors import FetchError, NewsMirrorError, StoreError
from newsmirror.fetch.hosts import HostPacer, host_of
from newsmirror.models import FailureKind, Source
from newsmirror.pipeline import (
    Failure, FeedOutcome, FeedReport, FetchSummary, PageTask, fetch_feed, fetch_page, finish_feed, finish_page,
    index_into, pending_pages, source_outlets,
)
from newsmirror.progress import Progress

__all__ = [
    "QueueError",
    "QUEUE_MIN_SERVER",
    "queue_server_problem",
    "enqueue_round",
    "fetch_round",
    "fetch_queued",
    "run_worker",
    "summary_to_json",
    "summary_from_json",
    "slot_lock",
    "job_slot",
    "release_slot",
    "requeue_stalled",
    "prune_queue",
    "prune",
    "SharedPacer",
    "KEEP_HOURS",
]

QUEUE_MIN_SERVER = 130000  # PostgreSQL 13: the oldest server procrastinate 3 is tested on
FEED_TASK = "newsmirror.feed"
PAGE_TASK = "newsmirror.page"
POLL_SECONDS = 0.25  # how often the waiter looks at the round's jobs
# How often an idle worker looks for jobs nobody told it of: a new job and a freed slot (release_slot) wake it at
# once (NOTIFY), so polling only covers a lost notification; each poll is a locking query on the database.
WORKER_POLL_SECONDS = 1.0
WATCH_SECONDS = 1.0  # how often a worker checks its database and looks for the jobs of dead workers
LOST_AFTER = 3  # failed checks in a row after which a worker stops: its database stopped answering
FORGET_HOSTS_AFTER = 600.0  # seconds a worker keeps a host given up (an in-process run: until it ends)
STALLED_AFTER = 30.0  # seconds without a worker's heartbeat after which its jobs are taken up again
KEEP_HOURS = 7 * 24  # ended jobs (failed ones: for their reason), unclaimed reports, idle host rows are kept this long
PRUNE_EVERY = 3600.0  # seconds between a worker's prunings of the queue's tables

_TABLES = """
CREATE TABLE IF NOT EXISTS newsmirror_job_reports (
    round text NOT NULL,
    key text NOT NULL,
    report jsonb NOT NULL,
    PRIMARY KEY (round, key)
);
ALTER TABLE newsmirror_job_reports ADD COLUMN IF NOT EXISTS written_at timestamptz NOT NULL DEFAULT now();
CREATE TABLE IF NOT EXISTS newsmirror_host_pace (
    host text PRIMARY KEY,
    next_start timestamptz NOT NULL
);
-- a host's Retry-After, for every worker: no request starts before it
ALTER TABLE newsmirror_host_pace ADD COLUMN IF NOT EXISTS held_until timestamptz;
"""


class QueueError(StoreError):
    """The job queue cannot be used: the database is unreachable, too old, or stopped answering."""


def queue_server_problem(server_version: int, url: str) -> str | None:
    """Why a PostgreSQL of `server_version` (server_version_num) cannot carry the queue, or None."""
    if server_version >= QUEUE_MIN_SERVER:
        return None
    from newsmirror.store.postgres import pg_release

    return (f"the database {url} runs PostgreSQL {pg_release(server_version)}; the fetch queue (procrastinate) needs "
            f"{QUEUE_MIN_SERVER // 10000} or later: upgrade it, or fetch without --queue")


def slot_lock(url: str, per_host: int) -> str:
    """The queue lock of one request to `url`: one of its host's `per_host` slots, chosen by the URL."""
    return f"host {host_of(url)} slot {zlib.crc32(url.encode()) % max(per_host, 1)}"


def job_slot(task_name: str, kwargs: dict) -> str | None:
    """The slot lock a feed or page job was deferred with, from its arguments (a job put back in the queue
    after its worker died gets it again: the job gave it back once its request was done)."""
    per_host = int(kwargs.get("per_host", 2))
    if task_name == FEED_TASK:
        return slot_lock(kwargs["url"], per_host)
    if task_name == PAGE_TASK:
        return slot_lock(kwargs["link"], per_host)
    return None


async def release_slot(app, job_id: int) -> None:
    """Give this running job's host slot back (its request is done): clear its lock and wake the idle
    workers, which would otherwise find the slot's next job only at their next poll."""
    await app.connector.execute_query_async(
        """WITH freed AS (UPDATE procrastinate_jobs SET lock = NULL
                          WHERE id = %(id)s AND status = 'doing' AND lock IS NOT NULL RETURNING id, queue_name)
           SELECT pg_notify(channel, json_build_object('type', 'job_inserted', 'job_id', id)::text)
           FROM freed, LATERAL (VALUES ('procrastinate_any_queue_v1'),
                                       ('procrastinate_queue_v1#' || queue_name)) AS c(channel)""",
        id=job_id)


# --- plain values on the queue ------------------------------------------------------------------

def _source_to_json(source: Source) -> dict:
    return asdict(source)


def _source_from_json(data: dict) -> Source:
    data = dict(data)
    data["feeds"] = tuple(data["feeds"])
    data["tags"] = tuple(data.get("tags", ()))
    data["alternates"] = tuple((url, tuple(alts)) for url, alts in data.get("alternates", ()))
    return Source(**data)


def summary_to_json(summary: FetchSummary) -> dict:
    """A job's FetchSummary as JSON (the one serializer: reports are written and summed through it)."""
    data = asdict(summary)
    data["failures"] = [[f.source, f.url, f.reason] for f in summary.failures]
    data["feeds"] = [{**asdict(r), "outcome": r.outcome.value} for r in summary.feeds]
    return data


def summary_from_json(data: dict) -> FetchSummary:
    """The inverse of summary_to_json."""
    data = dict(data)
    failures = [Failure(*f) for f in data.pop("failures", [])]
    feeds = [FeedReport(**{**r, "outcome": FeedOutcome(r["outcome"])}) for r in data.pop("feeds", [])]
    return FetchSummary(**data, failures=failures, feeds=feeds)


def _add(total: FetchSummary, part: FetchSummary) -> None:
    """Add one job's counts and lists to a round's summary."""
    for name, value in vars(part).items():
        if isinstance(value, int) and not isinstance(value, bool):
            setattr(total, name, getattr(total, name) + value)
        elif isinstance(value, list):
            getattr(total, name).extend(value)


# --- the app and its schema ---------------------------------------------------------------------

def _app(url: str):
    """A procrastinate App on the store's database, with newsmirror's two tasks registered."""
    try:
        import procrastinate
    except ImportError:
        raise QueueError("the fetch queue needs procrastinate: pip install 'newsmirror[queue]'") from None
    connector = procrastinate.PsycopgConnector(conninfo=url, kwargs={"connect_timeout": 10}, timeout=15)
    app = procrastinate.App(connector=connector)
    app.task(name=FEED_TASK, pass_context=True)(_feed_job)
    app.task(name=PAGE_TASK, pass_context=True)(_page_job)
    return app


async def _open(app, shown: str) -> None:
    """Open the app's pool, check the server and create the queue's tables once; one-line errors."""
    import psycopg

    try:
        await app.open_async()
        version = await app.connector.execute_query_one_async("SELECT current_setting('server_version_num')::int AS v")
        problem = queue_server_problem(int(version["v"]), shown)
        if problem:
            raise QueueError(problem)
        async with app.connector.pool.connection() as conn, conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock(7411001)")  # two workers starting at once
            row = await (await conn.execute("SELECT to_regclass('procrastinate_jobs')")).fetchone()
            if row[0] is None:
                await conn.execute(app.schema_manager.get_schema())
            await conn.execute(_TABLES)
    except QueueError:
        await _close(app)
        raise
    except (psycopg.Error, OSError, _connector_errors()) as exc:
        await _close(app)
        raise QueueError(f"cannot use the job queue in {shown}: {_first_line(exc)}") from None


async def _close(app) -> None:
    try:
        await app.close_async()
    except Exception:  # noqa: BLE001 - closing a pool whose server is gone must not hide the real error
        pass


def _connector_errors() -> type[Exception]:
    from procrastinate.exceptions import ConnectorException

    return ConnectorException


def _pg_errors() -> type[Exception]:
    import psycopg

    return psycopg.Error


def _first_line(exc: BaseException) -> str:
    cause = exc.__cause__ or exc.__context__
    text = str(exc).strip() or (str(cause).strip() if cause else "") or type(exc).__name__
    return text.splitlines()[0]


def _shown(url: str) -> str:
    from newsmirror.store import _redact

    return _redact(url)


def _check_postgres(settings: Settings) -> str:
    location = settings.store_location
    if not location.startswith(("postgresql://", "postgres://")):
        raise QueueError(f"the fetch queue needs a PostgreSQL store, and the store is {location}; "
                         "name one with --store postgresql://… or NEWSMIRROR_STORE")
    return location


# --- the worker ---------------------------------------------------------------------------------

class SharedPacer(HostPacer):
    """A HostPacer whose turns and holds are booked in the database (one row per host), so the host's delay
    and its Retry-After hold across all workers: a 429 one worker gets stops the host for every worker."""

    def __init__(self, app, delay: float, longest_wait: float = 60.0) -> None:
        super().__init__(delay)
        self.app = app
        self.longest_wait = longest_wait  # a longer hold fails the request as RATE_LIMITED instead of waiting
        self._writes: set[asyncio.Task] = set()

    def hold(self, host: str, seconds: float) -> None:
        """Start nothing on this host for `seconds`, in this worker at once and in the others from the row."""
        super().hold(host, seconds)
        task = asyncio.get_running_loop().create_task(self.store_hold(host, seconds))
        self._writes.add(task)
        task.add_done_callback(self._writes.discard)

    async def store_hold(self, host: str, seconds: float) -> None:
        """Keep the host's hold (a Retry-After) in its row, for every worker; a later end wins."""
        await self.app.connector.execute_query_async(
            """INSERT INTO newsmirror_host_pace AS p (host, next_start, held_until)
                   VALUES (%(host)s, clock_timestamp(), clock_timestamp() + make_interval(secs => %(secs)s))
               ON CONFLICT (host) DO UPDATE SET held_until = GREATEST(p.held_until, EXCLUDED.held_until)""",
            host=host, secs=float(seconds))

    async def wait(self, host: str) -> None:
        """Wait for this host's turn across all workers; FetchError (RATE_LIMITED) when it is held for
        longer than `longest_wait` (no turn is booked then: the page is tried again in a later round)."""
        await super().wait(host)  # this worker's own holds
        row = await self.app.connector.execute_query_one_async(
            """INSERT INTO newsmirror_host_pace AS p (host, next_start)
                   VALUES (%(host)s, clock_timestamp() + make_interval(secs => %(delay)s))
               ON CONFLICT (host) DO UPDATE SET next_start = CASE
                   WHEN p.held_until > clock_timestamp() + make_interval(secs => %(longest)s) THEN p.next_start
                   ELSE GREATEST(p.next_start, clock_timestamp(), p.held_until) + make_interval(secs => %(delay)s) END
               RETURNING extract(epoch FROM p.next_start - clock_timestamp())::float8 - %(delay)s AS wait,
                         coalesce(extract(epoch FROM p.held_until - clock_timestamp())::float8, 0) AS held""",
            host=host, delay=float(self.delay_for(host)), longest=float(self.longest_wait))
        if row["held"] > self.longest_wait:
            raise FetchError(f"{host} asked to wait {row['held']:.0f} s more (Retry-After, seen by a worker); "
                             "its pages are tried again later", url=host, kind=FailureKind.RATE_LIMITED,
                             retry_after=row["held"])
        if row["wait"] > 0:
            await asyncio.sleep(row["wait"])


class _Worker:
    """What the jobs of one worker process share: the store, the fetcher, this worker's WARC file."""

    current: _Worker | None = None

    def __init__(self, settings: Settings, store, fetcher, app) -> None:
        self.settings, self.store, self.fetcher, self.app = settings, store, fetcher, app
        self.outlets = source_outlets(settings)  # the outlet of a page that names none, by host

    async def report(self, round_id: str, key: str, summary: FetchSummary) -> None:
        await self.app.connector.execute_query_async(
            """INSERT INTO newsmirror_job_reports (round, key, report) VALUES (%(round)s, %(key)s, %(report)s)
               ON CONFLICT (round, key) DO UPDATE SET report = EXCLUDED.report, written_at = now()""",
            round=round_id, key=key, report=json.dumps(summary_to_json(summary), ensure_ascii=False))


def _worker() -> _Worker:
    if _Worker.current is None:
        raise QueueError("a newsmirror job ran outside 'newsmirror worker'")
    return _Worker.current


async def _feed_job(context, round: str, source: dict, url: str, per_host: int) -> None:
    """A feed job: fetch, parse and store one feed, then defer the pages it needs."""
    w = _worker()
    src = _source_from_json(source)
    summary = FetchSummary()
    now = datetime.now(UTC)
    progress = Progress("fetch", quiet=True)
    fetched = await fetch_feed(w.fetcher, w.store, src, url, now, summary)
    await release_slot(context.app, context.job.id)
    with w.store.transaction(f"store feed {url}"):  # its items, its record, its pages' checks: one commit
        pages = finish_feed(w.store, src, fetched, now, summary, progress)
    await _defer_pages(context.app, round, src, pages, per_host)
    await w.report(round, f"feed {url}", summary)


async def _page_job(context, round: str, source: dict, article_id: int, link: str, per_host: int = 2) -> None:
    """A page job: fetch one article page, extract it and keep its body."""
    w = _worker()
    src = _source_from_json(source)
    summary = FetchSummary()
    now = datetime.now(UTC)
    fetched = await fetch_page(w.fetcher, PageTask(src.name, article_id, link))
    if fetched.error is not None and fetched.error.kind is FailureKind.RATE_LIMITED and fetched.error.retry_after:
        # every worker waits, not only this one; kept before the slot is given back, so the slot's next job sees it
        await w.fetcher.pacer.store_hold(host_of(link), fetched.error.retry_after)
    await release_slot(context.app, context.job.id)
    with w.store.transaction(f"store the page of article {article_id}"):  # its body and its record: one commit
        failure = finish_page(w.store, src, fetched, now, summary, Progress("fetch", quiet=True), outlets=w.outlets)
    if failure is not None:
        summary.failures.append(failure)
    summary.notes += w.fetcher.robots.notes
    w.fetcher.robots.notes.clear()
    await w.report(round, f"page {article_id}", summary)


async def _defer_pages(app, round_id: str, source: Source, pages: list[PageTask], per_host: int) -> int:
    """Defer one page job per page, in its host's slot; a page already waiting in the queue is not added twice."""
    src = _source_to_json(source)
    return await _defer(app, [
        app.configure_task(PAGE_TASK, lock=slot_lock(page.link, per_host), queueing_lock=f"page {page.article_id}")
        .make_new_job(round=round_id, source=src, article_id=page.article_id, link=page.link, per_host=per_host)
        for page in pages])


async def _defer(app, jobs: list) -> int:
    """Defer procrastinate `jobs` in one statement (one round trip, not one each); when one of them is already
    waiting in the queue (its queueing lock), nothing was added, and they are deferred one by one, skipping
    those. Return how many were added."""
    from procrastinate.exceptions import AlreadyEnqueued

    if not jobs:
        return 0
    try:
        await app.job_manager.batch_defer_jobs_async(jobs)
        return len(jobs)
    except AlreadyEnqueued:
        pass
    deferred = 0
    for job in jobs:
        try:
            await app.job_manager.defer_job_async(job)
            deferred += 1
        except AlreadyEnqueued:
            continue
    return deferred


class _OneLine(logging.Handler):
    """procrastinate's errors (a job that raised) as one line each on stderr, never a traceback:
    "worker: Job newsmirror.page[4] failed: <the exception's first line>"."""

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno < logging.ERROR:
            return
        what = record.getMessage().split("(", 1)[0].strip()
        why = _first_line(record.exc_info[1]) if record.exc_info and record.exc_info[1] else ""
        print(f"worker: {what} failed" + (f": {why}" if why else ""), file=sys.stderr, flush=True)


def _log_job_errors() -> None:
    """One line per failed job; the pool's reconnect warnings and asyncio's leftovers are not for the user
    (a database that stops answering is reported once, by the worker or the waiter)."""
    logger = logging.getLogger("procrastinate")
    if not any(isinstance(h, _OneLine) for h in logger.handlers):
        logger.addHandler(_OneLine())
    logger.propagate = False
    for name in ("psycopg.pool", "asyncio"):
        quiet = logging.getLogger(name)
        quiet.addHandler(logging.NullHandler())
        quiet.propagate = False


async def _watch(app, url: str, stalled_after: float, worker: asyncio.Task, lost: list[str], fetcher) -> None:
    """Beside the worker: put back in the queue the jobs of workers whose heartbeat stopped (killed, or their
    machine died), stop this worker when its database stops answering (procrastinate would keep trying),
    forget the hosts given up after FORGET_HOSTS_AFTER (a worker's "run" never ends), and prune the
    queue's tables every PRUNE_EVERY seconds (prune_queue: ended jobs older than KEEP_HOURS)."""
    import psycopg

    from newsmirror.fetch.hosts import HostBook

    failures, since_retry, since_forget, since_prune = 0, 0.0, 0.0, PRUNE_EVERY  # prune once at the start
    conn: psycopg.AsyncConnection | None = None  # kept between checks: a session a second costs the server a process
    try:
        while True:
            await asyncio.sleep(WATCH_SECONDS)
            since_forget += WATCH_SECONDS
            if since_forget >= FORGET_HOSTS_AFTER:
                fetcher.hosts, since_forget = HostBook(), 0.0
            try:
                async with asyncio.timeout(5):
                    if conn is None:
                        conn = await psycopg.AsyncConnection.connect(url, connect_timeout=5, autocommit=True)
                    await conn.execute("SELECT 1")
            except (psycopg.Error, TimeoutError) as exc:
                await _drop(conn)
                conn = None
                failures += 1
                if failures >= LOST_AFTER:
                    lost.append(_first_line(exc) if isinstance(exc, psycopg.Error) else "no answer within 5 s")
                    worker.cancel()
                    return
                continue
            failures = 0
            since_prune += WATCH_SECONDS
            if since_prune >= PRUNE_EVERY:
                since_prune = 0.0
                try:
                    await prune_queue(app)
                except (_connector_errors(), psycopg.Error):
                    pass  # the next check says whether the database is gone; pruning is tried again later
            since_retry += WATCH_SECONDS
            if since_retry < stalled_after / 3:
                continue
            since_retry = 0.0
            try:
                await requeue_stalled(app, stalled_after)
            except _connector_errors():
                continue
    finally:
        await _drop(conn)


async def _drop(conn) -> None:
    """Close a watch connection, quietly (its server may be gone)."""
    if conn is not None:
        try:
            await conn.close()
        except Exception:  # noqa: BLE001 - closing what a dead server left must not hide why it is closed
            pass


async def prune_queue(app, keep_hours: float = KEEP_HOURS) -> tuple[int, int]:
    """Delete what the queue keeps no longer: jobs that ended (failed, cancelled, aborted; successful ones
    are deleted as they finish) more than `keep_hours` ago, the reports of rounds whose waiter never summed
    them, and the rows of hosts not asked for as long. Return (jobs, reports) deleted."""
    jobs = await app.connector.execute_query_all_async(
        """DELETE FROM procrastinate_jobs AS j
           WHERE j.status IN ('succeeded', 'failed', 'cancelled', 'aborted')
             AND NOT EXISTS (SELECT 1 FROM procrastinate_events AS e
                             WHERE e.job_id = j.id AND e.at > now() - make_interval(secs => %(secs)s))
           RETURNING j.id""", secs=keep_hours * 3600)
    reports = await app.connector.execute_query_all_async(
        """DELETE FROM newsmirror_job_reports WHERE written_at < now() - make_interval(secs => %(secs)s)
           RETURNING round""", secs=keep_hours * 3600)
    await app.connector.execute_query_async(
        """DELETE FROM newsmirror_host_pace WHERE greatest(next_start, held_until) < now() - make_interval(secs => %(secs)s)""",
        secs=keep_hours * 3600)
    return len(jobs), len(reports)


def prune(settings: Settings, keep_hours: float = KEEP_HOURS) -> tuple[int, int]:
    """`worker --prune`: prune_queue once, on the store's database."""
    url = _check_postgres(settings)
    shown = _shown(url)

    async def once() -> tuple[int, int]:
        app = _app(url)
        await _open(app, shown)
        try:
            return await prune_queue(app, keep_hours)
        except (_connector_errors(), _pg_errors(), OSError) as exc:
            raise QueueError(f"cannot prune the job queue in {shown}: {_first_line(exc)}") from None
        finally:
            await _close(app)

    return asyncio.run(once())


async def requeue_stalled(app, stalled_after: float) -> int:
    """Put back in the queue, each in its host slot, the jobs of workers without a heartbeat for
    `stalled_after` seconds; return how many."""
    requeued = 0
    for job in await app.job_manager.get_stalled_jobs(seconds_since_heartbeat=stalled_after):
        try:
            await app.job_manager.retry_job(job, lock=job_slot(job.task_name, job.task_kwargs))
            requeued += 1
        except _connector_errors():  # another worker took it up first
            continue
    return requeued


async def run_worker(settings: Settings, policy, *, concurrency: int = 4, name: str | None = None,
                     stalled_after: float = STALLED_AFTER, wait: bool = True) -> None:
    """Run queue jobs until stopped (SIGINT/SIGTERM finish the jobs in hand); QueueError when the database
    cannot be used or stops answering. Raw responses go to this worker's own WARC files in the home's raw/."""
    from newsmirror.fetch.http import Fetcher
    from newsmirror.fetch.warc import RawArchive
    from newsmirror.store import open_store

    url = _check_postgres(settings)
    shown = _shown(url)
    name = name or f"{socket.gethostname()}-{os.getpid()}"
    _log_job_errors()
    settings.ensure_home()
    app = _app(url)
    await _open(app, shown)
    store = open_store(url)
    archive = RawArchive(settings.raw_dir, label=name)
    lost: list[str] = []
    watcher: asyncio.Task | None = None
    try:
        async with Fetcher(policy, archive, store=store) as fetcher:
            fetcher.pacer = SharedPacer(app, policy.host_delay, policy.max_retry_after)
            _Worker.current = _Worker(settings, store, fetcher, app)
            work = asyncio.create_task(app.run_worker_async(
                concurrency=concurrency, name=name, wait=wait, delete_jobs="successful",
                update_heartbeat_interval=max(stalled_after / 6, 0.1), stalled_worker_timeout=stalled_after,
                fetch_job_polling_interval=WORKER_POLL_SECONDS, shutdown_graceful_timeout=5, install_signal_handlers=True))
            watcher = asyncio.create_task(_watch(app, url, stalled_after, work, lost, fetcher))
            try:
                await work
            except asyncio.CancelledError:
                if not lost:
                    raise
    except (_connector_errors(), OSError) as exc:
        lost.append(_first_line(exc))
    finally:
        _Worker.current = None
        if watcher is not None:
            watcher.cancel()
        archive.close()
        try:
            store.close()
        except NewsMirrorError:
            pass
        await _close(app)
    if lost:
        raise QueueError(f"the database {shown} stopped answering ({lost[0]}); this worker stopped, and its "
                         "jobs are taken up again when a worker runs")


# --- one round: enqueue, wait, sum ---------------------------------------------------------------

async def enqueue_round(app, sources: list[Source], per_host: int, round_id: str | None = None) -> str:
    """Defer one feed job per feed of `sources`; return the round's id. A feed still waiting in the queue
    from an earlier round is not queued twice (a queueing lock per feed)."""
    round_id = round_id or uuid.uuid4().hex
    await _defer(app, [
        app.configure_task(FEED_TASK, lock=slot_lock(url, per_host), queueing_lock=f"feed {url}")
        .make_new_job(round=round_id, source=_source_to_json(source), url=url, per_host=per_host)
        for source in sources for url in source.feeds])
    return round_id


async def _wait(app, round_id: str, progress: Progress) -> list[int]:
    """Wait until no job of the round is waiting or running; return the ids of the jobs that failed."""
    while True:
        rows = await app.connector.execute_query_all_async(
            """SELECT status::text AS status, count(*) AS n, array_agg(id) AS ids FROM procrastinate_jobs
               WHERE args->>'round' = %(round)s GROUP BY status""", round=round_id)
        counts = {r["status"]: r["n"] for r in rows}
        done = await app.connector.execute_query_one_async(
            "SELECT count(*) AS n FROM newsmirror_job_reports WHERE round = %(round)s", round=round_id)
        left = counts.get("todo", 0) + counts.get("doing", 0)
        progress.total = done["n"] + left
        if done["n"] > progress.done:
            progress.advance(done["n"] - progress.done)
        if not left:
            return [i for r in rows if r["status"] == "failed" for i in r["ids"]]
        await asyncio.sleep(POLL_SECONDS)


async def _queued_pages(app) -> set[int]:
    rows = await app.connector.execute_query_all_async(
        """SELECT (args->>'article_id')::bigint AS id FROM procrastinate_jobs
           WHERE task_name = %(task)s AND status IN ('todo', 'doing')""", task=PAGE_TASK)
    return {r["id"] for r in rows}


async def fetch_round(settings: Settings, sources: list[Source], *, policy=None, progress: Progress | None = None,
                      sync_index: bool = True) -> FetchSummary:
    """One round through the queue (see the module's docstring): enqueue every feed of `sources`, wait until
    the workers have done it and their pages, and return the same summary as an in-process fetch."""
    from newsmirror.fetch.http import FetchPolicy
    from newsmirror.store import open_store

    policy = policy or FetchPolicy()
    progress = progress or Progress("fetch", quiet=True)
    _log_job_errors()

    url = _check_postgres(settings)
    shown = _shown(url)
    app = _app(url)
    await _open(app, shown)
    try:
        store = open_store(url)
        try:
            round_id = await enqueue_round(app, sources, policy.per_host)
            failed_jobs = set(await _wait(app, round_id, progress))
            # pages that a killed job stored but never deferred, and pages due for a retry
            queued = await _queued_pages(app)
            by_name = {s.name: s for s in sources}
            for page in pending_pages(store, sources, datetime.now(UTC)):
                if page.article_id not in queued:
                    await _defer_pages(app, round_id, by_name[page.source], [page], policy.per_host)
            failed_jobs |= set(await _wait(app, round_id, progress))
            summary = FetchSummary()
            for row in await app.connector.execute_query_all_async(
                    "SELECT report FROM newsmirror_job_reports WHERE round = %(round)s", round=round_id):
                report = row["report"]
                _add(summary, summary_from_json(json.loads(report) if isinstance(report, str) else report))
            await app.connector.execute_query_async(
                "DELETE FROM newsmirror_job_reports WHERE round = %(round)s", round=round_id)
            for job_id in sorted(failed_jobs):
                summary.failures.append(Failure("queue", f"job {job_id}",
                                                f"job {job_id} failed in a worker; see that worker's log"))
            summary.count_sources({s.name for s in sources})
            if sync_index:
                index_into(settings, store, summary)
            return summary
        finally:
            store.close()
    except (_connector_errors(), _pg_errors(), OSError) as exc:
        raise QueueError(f"the database {shown} stopped answering ({_first_line(exc)}); the round's jobs stay "
                         "in the queue for the workers") from None
    finally:
        await _close(app)


def fetch_queued(settings: Settings, sources: list[Source], *, policy=None, progress: Progress | None = None,
                 sync_index: bool = True) -> FetchSummary:
    """`fetch --queue`: fetch_round, run to its end."""
    progress = progress or Progress("fetch", quiet=True)
    summary = asyncio.run(fetch_round(settings, sources, policy=policy, progress=progress, sync_index=sync_index))
    summary.seconds = progress.seconds
    progress.finish()
    return summary
