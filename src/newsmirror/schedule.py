"""`newsmirror run`: fetch each feed when it is due, adapt to how often it publishes, publish after
a round, stop cleanly. Above the pipeline: it decides *when*; `pipeline.run_fetch` does the work.

When a feed is due next, after each fetch (`reschedule`):
1. Its interval comes from the publishing times of its own items (`cadence.adaptive_interval`: a
   model of when the feed publishes over the day and the week, bursts and silences included, and a
   plan of polls that spends about one poll per item where the items come), within the source's
   min_interval .. max_interval; a feed with nothing known starts at `interval`.
2. Server hints (`cadence.apply_hints`) can only lengthen it: Cache-Control max-age, RSS <ttl>, and
   the Retry-After of a 429/503 (a 429 without one doubles the interval). A hint past a day is read
   as a day, a Retry-After in the past is ignored; both are logged.
3. Jitter of ±10% (at most a minute) keeps feeds from falling due in lockstep.

A round fetches every due feed at once (all of them at start), then runs the `[publish]` steps of
the home's config.toml that are behind the store (after a round that stored something, or one that
failed or was killed: `pipeline.run_publish`), updates the search index, and logs one line
(`RoundReport.line`, or JSON with --json). SIGTERM/SIGINT cancel the round: store writes are
synchronous between awaits, so each transaction in flight completes, and the process exits 0;
a kill -9 loses nothing either (pipeline's crash-safety order).
"""

from __future__ import annotations

import asyncio
import json
import random
import signal
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, UTC
from typing import TextIO

from newsmirror.cadence import HISTORY, adaptive_interval, apply_hints, jittered
from newsmirror.config import HomeConfig, Settings, load_home_config, load_sources
from newsmirror.errors import NewsMirrorError
from newsmirror.models import FeedSchedule, Source

__all__ = [
    "due_feeds",
    "RoundReport",
    "Reloader",
    "run_round",
    "run_scheduler",
]

IDLE_CHECK = 60.0  # seconds: the longest sleep, so edits to sources.toml are picked up


def due_feeds(store, sources: list[Source], now: datetime) -> list[Source]:
    """The sources with at least one feed due now, each narrowed to its due feeds."""
    schedules = {s.url: s for s in store.feed_schedules()}
    due = []
    for source in sources:
        feeds = tuple(url for url in source.feeds if url not in schedules or schedules[url].next_due <= now)
        if feeds:
            due.append(replace(source, feeds=feeds))
    return due


def next_due(store, sources: list[Source]) -> datetime | None:
    """When the next feed of `sources` falls due (None: one is due now, never scheduled)."""
    schedules = {s.url: s for s in store.feed_schedules()}
    times = []
    for source in sources:
        for url in source.feeds:
            if url not in schedules:
                return None
            times.append(schedules[url].next_due)
    return min(times) if times else None


def reschedule(store, sources: list[Source], reports, now: datetime, rng: random.Random) -> list[str]:
    """Set each fetched feed's next due time from its cadence and the server's hints; return log lines."""
    from newsmirror.pipeline import FeedOutcome

    by_name = {s.name: s for s in sources}
    notes = []
    for report in reports:
        source = by_name.get(report.source)
        if source is None:
            continue
        published = store.recent_published(report.url, since=now - HISTORY)
        state = store.get_feed_state(report.fetched)
        window = report.items or (state.items_seen if state else 0)
        cadence = adaptive_interval(published, now, interval=source.interval, min_interval=source.min_interval,
                                    max_interval=source.max_interval, window=window)
        cadence, odd = apply_hints(cadence, max_age=report.max_age, ttl=report.ttl, retry_after=report.retry_after,
                                   rate_limited=report.outcome is FeedOutcome.FAILED and report.status == 429,
                                   max_interval=source.max_interval)
        notes += [f"{source.name}: feed {report.url}: {line}" for line in odd]
        old = store.get_feed_schedule(report.url) or FeedSchedule(report.url, source.name, now, cadence.seconds)
        store.save_feed_schedule(replace(old, source=source.name, interval=cadence.seconds, reason=cadence.reason,
                                         next_due=now + timedelta(seconds=jittered(cadence, rng).seconds)))
    return notes


@dataclass
class RoundReport:
    """What one round did: the one log line of `run`."""

    started: datetime
    sources_due: int = 0
    ok: int = 0
    failed: int = 0
    new: int = 0
    revised: int = 0
    pages: int = 0
    pages_failed: int = 0
    seconds: float = 0.0
    published: list[str] = field(default_factory=list)  # one summary per publish step that worked
    publish_failed: int = 0  # publish steps that failed (each is a line of its own in `lines`)
    alarms: list[str] = field(default_factory=list)  # extraction regressions
    lines: list[str] = field(default_factory=list)  # events worth a line of their own (hosts, failover, hints)
    failures: list[str] = field(default_factory=list)  # each feed's or page's failure: logged with -v
    errors: int = 0

    def line(self) -> str:
        text = (f"round: {self.sources_due} sources due, {self.ok} ok, {self.failed} failed, {self.new} new, "
                f"{self.revised} revised, {self.pages} pages, {self.pages_failed} pages failed; {self.seconds:.1f} s")
        if self.published:
            text += "; published: " + ", ".join(self.published)
        if self.publish_failed:
            text += f"; {self.publish_failed} publish step{'s' if self.publish_failed > 1 else ''} failed"
        if self.alarms:
            text += "; ALARM extraction: " + "; ".join(self.alarms)
        return text

    def as_json(self) -> str:
        return json.dumps({
            "event": "round", "started": self.started.isoformat(), "sources_due": self.sources_due, "ok": self.ok,
            "failed": self.failed, "new": self.new, "revised": self.revised, "pages": self.pages,
            "pages_failed": self.pages_failed, "seconds": round(self.seconds, 3), "published": self.published,
            "publish_failed": self.publish_failed,
            "alarms": self.alarms, "events": self.lines,
        }, ensure_ascii=False)


async def run_round(settings: Settings, sources: list[Source], config: HomeConfig, *, now: datetime,
                    rng: random.Random, policy=None) -> RoundReport:
    """Fetch the due feeds of `sources`, reschedule them, publish and index when something was stored."""
    from newsmirror.fetch.http import FetchPolicy
    from newsmirror.pipeline import index_into, run_fetch, run_publish
    from newsmirror.store import open_store

    report = RoundReport(started=now)
    started = time.monotonic()
    settings.ensure_home()
    store = open_store(settings.store_location)
    try:
        due = due_feeds(store, sources, now)
    finally:
        store.close()
    report.sources_due = len(due)
    if not due:
        return report
    policy = policy or FetchPolicy(user_agent=config.fetch.user_agent, host_delay=config.fetch.host_delay)
    if settings.store_is_file:
        summary = await run_fetch(settings, due, policy=policy, now=now, sync_index=False)
    else:  # PostgreSQL: the round goes through the job queue, to `newsmirror worker` processes wherever they run
        from newsmirror.queue import fetch_round

        summary = await fetch_round(settings, due, policy=policy, sync_index=False)
    report.ok, report.failed = summary.sources_ok, summary.sources_failed
    report.new, report.revised = summary.new, summary.revised
    report.pages, report.pages_failed = summary.pages, summary.pages_failed
    report.lines += summary.notes
    report.lines += [str(f) for f in summary.failures if f.source.startswith("host ")]
    store = open_store(settings.store_location)
    try:
        report.lines += reschedule(store, due, summary.feeds, now, rng)
        # the index and the stories catch up from the store's change numbers (first: the site shows stories);
        # the steps behind the store publish: after a round that stored something, and again after one that
        # failed or was killed
        before = len(summary.failures)
        index_into(settings, store, summary)
        stages = summary.failures[before:]  # the index or the stories failed: said every round, not only with -v
        report.lines += [f"failed: {f}" for f in stages]
        for step in await asyncio.to_thread(run_publish, settings, config, store, sources):
            if step.failed:
                report.publish_failed += 1
                report.lines.append(step.line())
            else:
                report.published.append(step.line())
        from newsmirror.health import extraction_alarms

        report.alarms = [a.line() for a in extraction_alarms(store, now) if a.source in {s.name for s in due}]
    finally:
        store.close()
    report.failures = [f"failed: {f}" for f in summary.failures
                       if not f.source.startswith("host ") and not any(f is g for g in stages)]
    report.errors = len(summary.failures) + report.publish_failed
    report.seconds = time.monotonic() - started
    return report


class Reloader:
    """sources.toml and config.toml, reread each round while `run` runs: a bad interval is logged and
    its default used; a file that no longer loads is logged and the last good one kept; each warning
    is said once (again only after it went away and came back), not every round."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.sources: list[Source] | None = None
        self.config: HomeConfig | None = None
        self.said: set[str] = set()

    def load(self) -> tuple[list[Source], HomeConfig, list[str]]:
        """The sources and config to run this round with, and the warnings not said before.

        ConfigError when the files do not load the first time: `run` does not start on a broken file."""
        warnings: list[str] = []
        try:
            sources = load_sources(self.settings.sources_file, warnings, lenient_intervals=True)
            config = load_home_config(self.settings)
        except NewsMirrorError as exc:
            if self.sources is None or self.config is None:
                raise
            warnings.append(f"{exc}; still running with the files as they were")
        else:
            self.sources, self.config = sources, config
        fresh = [w for w in warnings if w not in self.said]
        self.said = set(warnings)
        return self.sources, self.config, fresh


def run_scheduler(settings: Settings, *, once: bool = False, as_json: bool = False, verbose: bool = False,
                  stream: TextIO | None = None, clock: Callable[[], datetime] | None = None,
                  rng: random.Random | None = None, policy=None) -> int:
    """Run rounds until SIGTERM/SIGINT (exit 0), or one round with `once` (exit 1 when some failed)."""
    return asyncio.run(_scheduler(settings, once=once, as_json=as_json, verbose=verbose,
                                  stream=stream or sys.stderr, clock=clock or (lambda: datetime.now(UTC)),
                                  rng=rng or random.Random(), policy=policy))


async def _scheduler(settings: Settings, *, once: bool, as_json: bool, verbose: bool, stream: TextIO,
                     clock: Callable[[], datetime], rng: random.Random, policy) -> int:
    from newsmirror.store import open_store

    def log(event: str, text: str) -> None:
        stream.write((json.dumps({"event": event, "message": text}, ensure_ascii=False) if as_json else text) + "\n")
        stream.flush()

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    current: asyncio.Task | None = None

    def on_signal(signum: int) -> None:
        stop.set()
        if current is not None:
            current.cancel()

    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, on_signal, signum)
    status = 0
    files = Reloader(settings)
    try:
        while not stop.is_set():
            sources, config, warnings = files.load()
            for w in warnings:
                log("config", w)
            current = asyncio.create_task(run_round(settings, sources, config, now=clock(), rng=rng, policy=policy))
            try:
                report = await current
            except asyncio.CancelledError:
                if stop.is_set():
                    break
                raise
            finally:
                current = None
            if report.sources_due:
                for line in report.lines:
                    log("event", line)
                for line in report.failures if verbose else ():
                    log("failure", line)
                stream.write((report.as_json() if as_json else report.line()) + "\n")
                stream.flush()
                if report.failed or report.errors:
                    status = 1
            if once:
                return status
            store = open_store(settings.store_location)
            try:
                upcoming = next_due(store, sources)
            finally:
                store.close()
            wait = IDLE_CHECK if upcoming is None else (upcoming - clock()).total_seconds()
            try:
                await asyncio.wait_for(stop.wait(), timeout=min(max(wait, 0.5), IDLE_CHECK))
            except TimeoutError:
                pass
    except NewsMirrorError as exc:
        log("error", str(exc))
        return 1
    finally:
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(signum)
    log("stop", "stopped")
    return 0
