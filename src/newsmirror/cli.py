"""The `newsmirror` command: thin over the library; errors become one-line messages and exit codes.

Exit codes: 0 everything worked, 1 some items failed (or nothing could be done), 2 usage error.
Data goes to stdout, progress and messages to stderr.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from newsmirror import __version__
from newsmirror.config import Settings, load_sources, merge_sources, read_import_file, save_sources
from newsmirror.errors import ConfigError, NewsMirrorError
from newsmirror.progress import Progress
from datetime import UTC

__all__ = ["cli"]

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class Ctx:
    """What every command gets: settings and verbosity."""

    def __init__(self, home: str | None, quiet: bool, verbose: int, store: str | None = None) -> None:
        self.settings = Settings.from_home(home, store)
        self.quiet = quiet
        self.verbose = verbose

    def progress(self, label: str, total: int | None = None) -> Progress:
        return Progress(label, total, quiet=self.quiet)


def fail(message: str, code: int = 1) -> None:
    """Print `message` as a one-line error and exit with `code`."""
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


def load_sources_or_fail(ctx: Ctx):
    """The sources file; a bad interval or alternate of one source is a warning (its default used)."""
    warnings: list[str] = []
    try:
        sources = load_sources(ctx.settings.sources_file, warnings)
    except ConfigError as exc:
        fail(str(exc), 2)
    for warning in warnings:
        click.echo(f"warning: {warning}", err=True)
    if not sources:
        fail(f"sources file {ctx.settings.sources_file} lists no sources; add a [[source]] table", 2)
    return sources


@click.group(context_settings=CONTEXT, epilog="""\b
Example:
  newsmirror --home ~/news sources import subs.json
  newsmirror --home ~/news fetch
  newsmirror --home ~/news build jekyll ~/site""")
@click.version_option(__version__, "--version", prog_name="newsmirror")
@click.option("--home", type=click.Path(file_okay=False), envvar="NEWSMIRROR_HOME",
              help="Folder holding sources.toml, the archive and raw files [env NEWSMIRROR_HOME; default ./newsmirror-data].")
@click.option("--store", envvar="NEWSMIRROR_STORE", metavar="URL",
              help="The archive: postgresql://user@host/db, sqlite:///path or a path [env NEWSMIRROR_STORE; "
                   "else store = \"...\" in the home's config.toml; default the home's archive.sqlite].")
@click.option("-q", "--quiet", is_flag=True, help="No progress output.")
@click.option("-v", "--verbose", count=True, help="More detail.")
@click.pass_context
def cli(ctx: click.Context, home: str | None, store: str | None, quiet: bool, verbose: int) -> None:
    """Mirror, archive, search and publish Chinese-language news."""
    ctx.obj = Ctx(home, quiet, verbose, store)


# --- sources ----------------------------------------------------------------------------------

@cli.group(context_settings=CONTEXT, epilog="""\b
Example:
  newsmirror sources import subs.json
  newsmirror sources list""")
def sources() -> None:
    """Manage the outlets and feeds in sources.toml."""


@sources.command("import", context_settings=CONTEXT, epilog="""\b
Every valid entry is imported and every bad one is named (its number, its site, the reason) in the
same run; the exit code is 1 when some entries were bad. A feed already in sources.toml is not added
again. OPML folder names become the tags of the feeds inside them.
\b
Example:
  newsmirror sources import subs.json      # the precursor's [{"site": ..., "url": ...}]
  newsmirror sources import feeds.opml""")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.pass_obj
def sources_import(obj: Ctx, file: Path) -> None:
    """Add the sources of a subs.json, OPML or sources.toml FILE to sources.toml."""
    try:
        read = read_import_file(file)
        path = obj.settings.sources_file
        existing = load_sources(path) if path.exists() else []
        merged = merge_sources(existing, read.sources)
        if merged.added_feeds:
            obj.settings.ensure_home()
            save_sources(path, merged.sources)
    except ConfigError as exc:
        fail(str(exc), 2)
    for problem in read.problems:
        click.echo(f"skipped {file.name} {problem}", err=True)
    if obj.verbose:
        for name, url, owner in merged.repeated:
            click.echo(f"already there: {url} ({name}) is a feed of {owner!r}", err=True)
    there, bad = len(merged.repeated), len(read.problems)
    click.echo(f"imported {merged.added_sources} new sources and {merged.added_feeds} new feeds into {path} "
               f"({len(merged.sources)} sources in all); {there} {'feed was' if there == 1 else 'feeds were'} there "
               f"already, {bad} {'entry was' if bad == 1 else 'entries were'} bad", err=True)
    if read.problems:
        sys.exit(1)


@sources.command("add", context_settings=CONTEXT, epilog="""\b
Example:
  newsmirror sources add "(臺)中央社CNA" https://feeds.example.tw/cna.xml --tag 台灣""")
@click.argument("name")
@click.argument("feeds", nargs=-1, required=True)
@click.option("--timezone", default="Asia/Taipei", show_default=True, help="IANA zone for dates without one.")
@click.option("--tag", "tags", multiple=True, help="A tag (repeatable).")
@click.option("--full-text", type=click.Choice(["auto", "always", "never"]), default="auto", show_default=True,
              help="Fetch article pages: always, never, or when the feed has only a summary.")
@click.pass_obj
def sources_add(obj: Ctx, name: str, feeds: tuple[str, ...], timezone: str, tags: tuple[str, ...],
                full_text: str) -> None:
    """Add a source NAME with one or more FEEDS (or add feeds to an existing source)."""
    from newsmirror.config import source_from_dict

    try:
        new = source_from_dict({"name": name, "feeds": list(feeds), "timezone": timezone,
                                "tags": list(tags), "full_text": full_text}, "command line")
        path = obj.settings.sources_file
        existing = load_sources(path) if path.exists() else []
        merged = merge_sources(existing, [new])
        obj.settings.ensure_home()
        save_sources(path, merged.sources)
    except ConfigError as exc:
        fail(str(exc), 2)
    for _, url, owner in merged.repeated:
        click.echo(f"{url} is already a feed of {owner!r}; not added again", err=True)
    click.echo(f"{'added' if merged.added_sources else 'updated'} source {name!r} ({merged.added_feeds} new feeds)",
               err=True)


def _source_named(sources_: list, name: str):
    """The source called `name`, or a usage error listing the names there are."""
    for s in sources_:
        if s.name == name:
            return s
    names = ", ".join(repr(s.name) for s in sources_[:10]) + (" ..." if len(sources_) > 10 else "")
    fail(f"no source named {name!r} in sources.toml; sources: {names}", 2)


@sources.command("remove", context_settings=CONTEXT, epilog="""\b
The source's archived articles stay in the archive (and on the web archive) unless --purge is given;
--purge deletes them from the archive and the search index after asking (or with --yes).
\b
Example:
  newsmirror sources remove "(臺)示範社"
  newsmirror sources remove "(臺)示範社" --purge --yes""")
@click.argument("name")
@click.option("--purge", is_flag=True, help="Also delete the source's archived articles.")
@click.option("--yes", is_flag=True, help="Do not ask before --purge deletes.")
@click.pass_obj
def sources_remove(obj: Ctx, name: str, purge: bool, yes: bool) -> None:
    """Remove the source NAME from sources.toml; its archived articles are kept unless --purge."""
    srcs = load_sources_or_fail(obj)
    _source_named(srcs, name)
    count = 0
    if purge and obj.settings.archive_exists():
        from newsmirror.store import open_store

        try:
            store = open_store(obj.settings.store_location)
            try:
                count = store.count_articles(source=name)
            finally:
                store.close()
        except NewsMirrorError as exc:
            fail(str(exc))
        if count and not yes and not click.confirm(
                f"delete the {count} archived articles of {name!r} for good?", err=True):
            fail("nothing removed (answer y, or pass --yes, to purge)", 1)
    try:
        save_sources(obj.settings.sources_file, [s for s in srcs if s.name != name])
    except OSError as exc:
        fail(f"cannot write {obj.settings.sources_file}: {exc.strerror}")
    if purge and count:
        from newsmirror.pipeline import purge_source

        try:
            deleted = purge_source(obj.settings, name)
        except NewsMirrorError as exc:
            fail(f"removed {name!r} from sources.toml, but its articles could not be deleted: {exc}")
        click.echo(f"removed source {name!r} and deleted its {deleted} archived articles", err=True)
    else:
        kept = "" if purge else "; its archived articles are kept (--purge deletes them)"
        click.echo(f"removed source {name!r} from {obj.settings.sources_file}{kept}", err=True)


@sources.command("edit", context_settings=CONTEXT, epilog="""\b
Example:
  newsmirror sources edit "(臺)示範社" --full-text always
  newsmirror sources edit "(臺)示範社" --tag 台灣 --tag 通訊社 --timezone Asia/Taipei""")
@click.argument("name")
@click.option("--tag", "tags", multiple=True, help="Set the tags to these (repeatable); --no-tags clears them.")
@click.option("--no-tags", is_flag=True, help="Remove every tag.")
@click.option("--full-text", type=click.Choice(["auto", "always", "never"]),
              help="Fetch article pages: always, never, or when the feed has only a summary.")
@click.option("--timezone", help="IANA zone for dates without one.")
@click.option("--interval", type=click.IntRange(min=1), help="Minutes between fetches of its feeds.")
@click.pass_obj
def sources_edit(obj: Ctx, name: str, tags: tuple[str, ...], no_tags: bool, full_text: str | None,
                 timezone: str | None, interval: int | None) -> None:
    """Change the source NAME in sources.toml: its tags, full-text mode, timezone or fetch interval."""
    import dataclasses

    srcs = load_sources_or_fail(obj)
    old = _source_named(srcs, name)
    changes: dict = {}
    if tags and no_tags:
        fail("give --tag or --no-tags, not both", 2)
    if tags or no_tags:
        changes["tags"] = tuple(dict.fromkeys(t.strip() for t in tags if t.strip()))
    if full_text:
        changes["full_text"] = full_text
    if timezone:
        _check_tz(timezone, "--timezone")
        changes["timezone"] = timezone
    if interval is not None:
        if not old.min_interval <= interval <= old.max_interval:
            fail(f"source {name!r}: --interval {interval} is outside its bounds min_interval {old.min_interval:g} .. "
                 f"max_interval {old.max_interval:g} minutes; give a value within them", 2)
        changes["interval"] = float(interval)
    if not changes:
        fail("nothing to change; give --tag, --no-tags, --full-text, --timezone or --interval", 2)
    new = dataclasses.replace(old, **changes)
    try:
        save_sources(obj.settings.sources_file, [new if s.name == name else s for s in srcs])
    except OSError as exc:
        fail(f"cannot write {obj.settings.sources_file}: {exc.strerror}")
    said = ", ".join(f"{k} {getattr(old, k)!r} -> {v!r}" for k, v in changes.items())
    click.echo(f"edited source {name!r}: {said}", err=True)


@sources.command("list", context_settings=CONTEXT, epilog="""\b
Failing feeds come first, then stale ones (nothing published for 5x the feed's usual interval).
An ALARM line names an outlet whose pages stopped extracting with byline and date (a redesign?).
\b
Example:
  newsmirror sources list
  newsmirror sources list --json --tz UTC""")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per feed.")
@click.option("--tz", help="Show times in this IANA zone [default: each source's own zone].")
@click.pass_obj
def sources_list(obj: Ctx, as_json: bool, tz: str | None) -> None:
    """Show every feed's health: failing first; last success, last error, failures in a row, stale, URL in use."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from newsmirror.health import FeedHealth, extraction_alarms, feed_health
    from newsmirror.store import open_store

    _check_tz(tz)
    srcs = load_sources_or_fail(obj)
    now = datetime.now(UTC)
    rows: list[FeedHealth] = []
    alarms = {}
    if obj.settings.archive_exists():
        try:
            store = open_store(obj.settings.store_location)
            try:
                rows = feed_health(store, srcs, now)
                alarms = {a.source: a for a in extraction_alarms(store, now)}
            finally:
                store.close()
        except NewsMirrorError as exc:
            fail(str(exc))
    else:
        rows = [FeedHealth(s.name, url, url) for s in srcs for url in s.feeds]
    zones = {s.name: ZoneInfo(tz or s.timezone) for s in srcs}
    if as_json:
        for h in rows:
            alarm = alarms.get(h.source)
            click.echo(json.dumps({**h.as_dict(zones[h.source]), "extraction_alarm": alarm.line() if alarm else None},
                                  ensure_ascii=False))
        return

    def at(value: datetime, zone: ZoneInfo) -> str:
        return f"{value.astimezone(zone):%Y-%m-%d %H:%M}"

    for h in rows:
        zone = zones[h.source]
        mark = "FAIL " if h.failing else ("STALE" if h.stale else ("ok   " if h.last_fetch else "new  "))
        click.echo(f"{mark} {h.source}  {h.url}")
        if h.on_alternate:
            click.echo(f"      using alternate {h.current_url}")
        if h.last_fetch is None:
            click.echo("      never fetched")
            continue
        ok = f"{at(h.last_ok, zone)} ({zone.key})" if h.last_ok else "never"
        detail = f"last success {ok}, HTTP {h.last_status or '-'}, {h.items_seen} items"
        if h.failing:
            detail += f", {h.consecutive_failures} failures in a row"
        if h.newest:
            detail += f", newest item {at(h.newest, zone)}"
        if h.stale and h.usual:
            detail += f" (stale: usually every {_span(h.usual.total_seconds())})"
        click.echo(f"      {detail}")
        if h.last_error:
            click.echo(f"      last error: {h.last_error}")
        if h.next_due:
            click.echo(f"      next fetch {at(h.next_due, zone)}, every {_span(h.interval or 0)} "
                       f"({h.interval_reason})")
    for alarm in alarms.values():
        click.echo(f"ALARM {alarm.line()}")


def _span(seconds: float) -> str:
    """A duration in the largest whole unit: 45 s, 20 min, 3.5 h, 2.0 d."""
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    if seconds < 172800:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} d"


# --- run --------------------------------------------------------------------------------------

@cli.command(context_settings=CONTEXT, epilog="""\b
Each feed is fetched when due: from the source's interval (default 60 minutes), adapted to how
often the feed publishes within min_interval..max_interval, never sooner than the server's
Cache-Control max-age, RSS <ttl> or Retry-After. On start every due feed is fetched at once.
After a round that stored something, the [publish] steps of the home's config.toml run and the
search index is updated. One log line per round on stderr (--json for journald). SIGTERM or
Ctrl-C stops it cleanly (exit 0). See docs/running.md for a systemd unit.
\b
Example:
  newsmirror --home ~/news run
  newsmirror --home ~/news run --once        # one round, for cron: */10 * * * *""")
@click.option("--once", is_flag=True, help="Run one round of the due feeds and exit (1 when some failed).")
@click.option("--json", "as_json", is_flag=True, help="Log JSON lines (for journald and log shippers).")
@click.pass_obj
def run(obj: Ctx, once: bool, as_json: bool) -> None:
    """Run the mirror unattended: fetch each feed when due, publish after each round that stored something."""
    from newsmirror.config import load_home_config
    from newsmirror.pipeline import check_publish
    from newsmirror.schedule import run_scheduler

    try:
        warnings: list[str] = []
        srcs = load_sources(obj.settings.sources_file, warnings)
        config = load_home_config(obj.settings)
        check_publish(config)
    except ConfigError as exc:
        fail(str(exc), 2)
    if not srcs:
        fail(f"sources file {obj.settings.sources_file} lists no sources; add a [[source]] table", 2)
    sys.exit(run_scheduler(obj.settings, once=once, as_json=as_json, verbose=bool(obj.verbose)))


# --- fetch ------------------------------------------------------------------------------------

@cli.command(context_settings=CONTEXT, epilog="""\b
With --queue (a PostgreSQL store), the round is done by 'newsmirror worker' processes on any
machine that reaches the database; this command enqueues it, waits and prints the same summary.
\b
Example:
  newsmirror fetch
  newsmirror fetch --source "(臺)中央社CNA" --timeout 10
  newsmirror --store postgresql://news@db/news fetch --queue""")
@click.option("--source", "only", multiple=True, help="Fetch only this source (repeatable).")
@click.option("--timeout", type=click.FloatRange(min=0.1), default=20.0, show_default=True, help="Seconds per request.")
@click.option("--retries", type=click.IntRange(min=0), default=2, show_default=True, help="Retries on timeouts and 5xx.")
@click.option("--per-host", type=click.IntRange(min=1), default=2, show_default=True, help="Concurrent requests per host.")
@click.option("--queue", "queued", is_flag=True, help="Enqueue the round for workers and wait (PostgreSQL store).")
@click.pass_obj
def fetch(obj: Ctx, only: tuple[str, ...], timeout: float, retries: int, per_host: int, queued: bool) -> None:
    """Fetch every source's feeds once and archive new and changed articles."""
    srcs = load_sources_or_fail(obj)
    if only:
        unknown = set(only) - {s.name for s in srcs}
        if unknown:
            fail(f"unknown source(s) {', '.join(sorted(unknown))}; see 'newsmirror sources list'", 2)
        srcs = [s for s in srcs if s.name in only]
    from newsmirror.pipeline import fetch_sources

    policy = _fetch_policy(obj, timeout=timeout, retries=retries, per_host=per_host)
    try:
        if queued:
            from newsmirror.queue import fetch_queued

            summary = fetch_queued(obj.settings, srcs, policy=policy, progress=obj.progress("fetch"))
        else:
            summary = fetch_sources(obj.settings, srcs, policy=policy, progress=obj.progress("fetch"))
    except NewsMirrorError as exc:
        fail(str(exc))
    for note in summary.notes:
        click.echo(f"note: {note}", err=True)
    for failure in summary.failures:
        click.echo(f"failed: {failure}", err=True)
    click.echo(summary.line(), err=True)
    if summary.failures:
        sys.exit(1)


def _fetch_policy(obj: Ctx, **options):
    """The FetchPolicy of `fetch` and `worker`: command-line options plus the home's [fetch] settings."""
    from newsmirror.config import load_home_config
    from newsmirror.fetch.http import FetchPolicy

    try:
        home = load_home_config(obj.settings)
    except ConfigError as exc:
        fail(str(exc), 2)
    return FetchPolicy(**options, user_agent=home.fetch.user_agent, host_delay=home.fetch.host_delay)


# --- worker -----------------------------------------------------------------------------------

@cli.command(context_settings=CONTEXT, epilog="""\b
Run one or more on any machine that reaches the PostgreSQL store; 'newsmirror fetch --queue'
(or 'newsmirror run') gives them work. SIGINT or SIGTERM finish the jobs in hand; a worker
killed outright has its jobs taken up by the others after --stalled-after seconds. Raw responses
go to this worker's own WARC files in the home's raw/ (share that folder between machines).
Workers prune the queue's tables hourly: jobs that ended (failed ones keep their reason) more
than a week ago; --prune does it once, now, and exits.
\b
Example:
  newsmirror --store postgresql://news@db/news worker --concurrency 8
  newsmirror --store postgresql://news@db/news worker --prune --keep-days 1""")
@click.option("--concurrency", type=click.IntRange(min=1), default=4, show_default=True, help="Jobs run at once.")
@click.option("--timeout", type=click.FloatRange(min=0.1), default=20.0, show_default=True, help="Seconds per request.")
@click.option("--retries", type=click.IntRange(min=0), default=2, show_default=True, help="Retries on timeouts and 5xx.")
@click.option("--stalled-after", type=click.FloatRange(min=0.5), default=30.0, show_default=True,
              help="Seconds without a worker's heartbeat before its jobs are taken up again.")
@click.option("--name", help="This worker's name in logs and WARC file names [default: host-pid].")
@click.option("--prune", is_flag=True, help="Delete the jobs that ended more than --keep-days ago, and exit.")
@click.option("--keep-days", type=click.FloatRange(min=0), default=7.0, show_default=True,
              help="With --prune: days an ended job is kept.")
@click.pass_obj
def worker(obj: Ctx, concurrency: int, timeout: float, retries: int, stalled_after: float, name: str | None,
           prune: bool, keep_days: float) -> None:
    """Run fetch jobs from the queue (PostgreSQL store) until stopped."""
    import asyncio

    from newsmirror.queue import prune as prune_queue, run_worker

    if prune:
        try:
            jobs, reports = prune_queue(obj.settings, keep_days * 24)
        except NewsMirrorError as exc:
            fail(str(exc))
        click.echo(f"pruned the job queue: {jobs} ended jobs, {reports} reports of rounds never summed")
        return
    policy = _fetch_policy(obj, timeout=timeout, retries=retries)
    try:
        asyncio.run(run_worker(obj.settings, policy, concurrency=concurrency, name=name,
                               stalled_after=stalled_after))
    except NewsMirrorError as exc:
        fail(str(exc))
    except KeyboardInterrupt:
        pass


# --- pages ------------------------------------------------------------------------------------

@cli.command(context_settings=CONTEXT, epilog="""\b
A failed page is tried again at the next run, then after 1 h, 4 h, 16 h ...; it is given up
three days after its first failure, and the archive keeps the feed's text with the reason.
\b
Example:
  newsmirror pages                  # how many pages are fetched, waiting, given up, per source
  newsmirror pages --failed         # the pages given up, with why
  newsmirror pages --retrying --source "(臺)中央社CNA" --json
  newsmirror pages --failed --tz UTC""")
@click.option("--failed", "show", flag_value="given_up", help="List the pages given up, with the reason.")
@click.option("--retrying", "show", flag_value="retrying", help="List the pages waiting to be tried again.")
@click.option("--disallowed", "show", flag_value="disallowed", help="List the pages robots.txt disallows.")
@click.option("--source", help="Only this source's pages.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per page (JSON Lines).")
@click.option("--limit", type=click.IntRange(1), default=1000, show_default=True)
@click.option("--tz", help="Show times in this IANA zone [default: each source's own zone].")
@click.pass_obj
def pages(obj: Ctx, show: str | None, source: str | None, as_json: bool, limit: int, tz: str | None) -> None:
    """Show the article pages that could not be fetched: given up, waiting for a retry, or disallowed.

    Times are in each page's source's timezone (or --tz), with their UTC offset in JSON."""
    from zoneinfo import ZoneInfo

    from newsmirror.config import DEFAULT_TIMEZONE
    from newsmirror.models import PageStatus
    from newsmirror.pipeline import source_timezones
    from newsmirror.store import open_store

    if not obj.settings.archive_exists():
        fail(f"no archive at {obj.settings.store_location}; run 'newsmirror fetch' first", 1)
    _check_tz(tz)
    zones = source_timezones(obj.settings)
    try:
        store = open_store(obj.settings.store_location)
        try:
            if show is None:
                counts: dict[str, dict[str, int]] = {}
                for record in store.page_fetches(source=source):
                    counts.setdefault(record.source, {}).setdefault(record.status.value, 0)
                    counts[record.source][record.status.value] += 1
                records = []
            else:
                records = store.page_fetches(status=PageStatus(show), source=source, limit=limit)
        finally:
            store.close()
    except NewsMirrorError as exc:
        fail(str(exc))
    if show is None:
        for name, by_status in sorted(counts.items()):
            if as_json:
                click.echo(json.dumps({"source": name, **by_status}, ensure_ascii=False))
            else:
                click.echo(f"{name}: " + ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in sorted(by_status.items())))
        return
    for r in records:
        zone = ZoneInfo(tz or zones.get(r.source, DEFAULT_TIMEZONE))
        times = {k: t.astimezone(zone) if (t := getattr(r, k)) else None for k in ("first_try", "last_try", "next_try")}
        if as_json:
            click.echo(json.dumps({
                "article_id": r.article_id, "source": r.source, "url": r.url, "status": r.status.value,
                "attempts": r.attempts, "kind": r.kind.value if r.kind else None, "reason": r.reason,
                **{k: t.isoformat() if t else None for k, t in times.items()},
            }, ensure_ascii=False))
            continue
        label, when = ("next try", times["next_try"]) if times["next_try"] else ("last try", times["last_try"])
        if r.status is PageStatus.DISALLOWED:  # never requested: robots.txt was read, not the page
            label, tried = "robots.txt read", "not requested"
        else:
            tried = f"{r.attempts} {'attempt' if r.attempts == 1 else 'attempts'}"
        shown = f"{label} {when:%Y-%m-%d %H:%M} ({zone.key})" if when else "never tried"
        click.echo(f"{r.source}  {r.url}\n    {tried}, {shown}: {r.reason}")
    if not as_json:
        click.echo(f"{len(records)} {'page' if len(records) == 1 else 'pages'} {show.replace('_', ' ')}", err=True)


# --- build ------------------------------------------------------------------------------------

@cli.group(context_settings=CONTEXT, epilog="""\b
Example:
  newsmirror build jekyll ./site""")
def build() -> None:
    """Publish the archive: one subcommand per build target."""


# Options a target may take (see publish.targets.Target.options), as click options.
_BUILD_OPTIONS = {
    "since": click.option("--since", type=click.DateTime(["%Y-%m-%d"]), default=None,
                          help="Build only the months from this day on (YYYY-MM-DD); older pages stay as they are."),
    "tz": click.option("--tz", default=None, help="Timezone of the day and month pages [default Asia/Taipei]."),
    "base_url": click.option("--base-url", default="", help="Where the output will be served, for canonical links "
                             "and feeds, e.g. https://mirror.example/."),
    "full": click.option("--full", is_flag=True, help="Check every page, not only what changed since the last build."),
}


def _build_command(target) -> click.Command:
    """The `build NAME OUT` command of one registered target."""

    @click.pass_obj
    def command(obj: Ctx, out: Path, **values) -> None:
        _run_build(obj, target.name, out, values)

    command.__doc__ = target.help
    command = click.argument("out", type=click.Path(path_type=Path))(command)
    for name in reversed(target.options):
        command = _BUILD_OPTIONS[name](command)
    return click.command(target.name, context_settings=CONTEXT, help=target.help,
                         epilog=f"\b\nExample:\n  {target.example}")(command)


def _run_build(obj: Ctx, name: str, out: Path, values: dict) -> None:
    from newsmirror.models import Source
    from newsmirror.publish.targets import BuildOptions, run_build
    from newsmirror.store import open_store

    if not obj.settings.archive_exists():
        fail(f"no archive at {obj.settings.store_location}; run 'newsmirror fetch' first", 1)
    sources: tuple[Source, ...] = ()
    if obj.settings.sources_file.exists():
        try:
            sources = tuple(load_sources(obj.settings.sources_file))
        except ConfigError as exc:
            fail(str(exc), 2)
    tz = values.get("tz")
    if tz:
        from newsmirror.config import check_timezone

        try:
            check_timezone(tz, "--tz")
        except ConfigError as exc:
            fail(str(exc), 2)
    since = values.get("since")
    progress = obj.progress(f"build {name}")
    options = BuildOptions(
        since=since.date() if since else None, base_url=values.get("base_url") or "", sources=sources,
        aliases=obj.settings.home / "aliases.tsv", full=bool(values.get("full")),
        store_location=obj.settings.store_location,
        progress=lambda n: progress.advance(n), **({"tz": tz} if tz else {}),
    )
    try:
        store = open_store(obj.settings.store_location)
        try:
            summary = run_build(name, store, out, options)
        finally:
            store.close()
            progress.finish()
    except NewsMirrorError as exc:
        fail(str(exc))
    click.echo(summary.line(), err=True)


def _add_build_commands() -> None:
    from newsmirror.publish.targets import TARGETS

    for target in TARGETS.values():
        build.add_command(_build_command(target))


_add_build_commands()


# --- export -----------------------------------------------------------------------------------

@cli.command(context_settings=CONTEXT, epilog="""\b
One article per line, oldest first, with every stored field (`version`: its number of revisions); times in
UTC. In CSV, lists and the extracted metadata are JSON text in their cell.
\b
Example:
  newsmirror export --format jsonl > archive.jsonl
  newsmirror export --format csv --since 2025-09-01 --source "(臺)中央社CNA" > cna.csv""")
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv"]), default="jsonl", show_default=True)
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), help="Only articles published from this day on (UTC).")
@click.option("--source", "only", multiple=True, help="Only this outlet (repeatable).")
@click.pass_obj
def export(obj: Ctx, fmt: str, since, only: tuple[str, ...]) -> None:
    """Dump the archive for research: JSON Lines or CSV to stdout."""
    from newsmirror.publish.export import export_articles
    from newsmirror.store import open_store

    if not obj.settings.archive_exists():
        fail(f"no archive at {obj.settings.store_location}; run 'newsmirror fetch' first", 1)
    try:
        store = open_store(obj.settings.store_location)
        try:
            known = {name for name, _, _ in store.sources()}
            unknown = [name for name in only if name not in known]
            if unknown:
                fail(f"no source named {unknown[0]!r} in the archive; see 'newsmirror sources list'", 2)
            n = export_articles(store, sys.stdout, fmt=fmt, since=since.replace(tzinfo=UTC) if since else None,
                                sources=only)
        finally:
            store.close()
    except NewsMirrorError as exc:
        fail(str(exc))
    if not obj.quiet:
        click.echo(f"export done: {n} articles as {fmt}", err=True)


# --- publish ----------------------------------------------------------------------------------

@cli.group(context_settings=CONTEXT, epilog="""\b
Example:
  newsmirror publish git ./public --repo git@github.com:me/mirror.git""")
def publish() -> None:
    """Publish a built folder somewhere readers can reach it."""


@publish.command("git", context_settings=CONTEXT, epilog="""\b
One commit per publish, holding only the files that changed; none when nothing changed. Other
branches and the repository's history are never touched. A branch holding commits newsmirror did
not make is refused unless --force (which commits on top of them, never replacing them).
\b
Example:
  newsmirror build site ./public && newsmirror publish git ./public --repo ../mirror.git
  newsmirror publish git ./public --repo https://github.com/me/mirror.git --branch gh-pages""")
@click.argument("out", type=click.Path(path_type=Path))
@click.option("--repo", required=True, help="The repository: a local path or a URL git can push to.")
@click.option("--branch", default="gh-pages", show_default=True, help="The branch to commit to.")
@click.option("--message", help="The commit message [default: newsmirror: publish <time>].")
@click.option("--force", is_flag=True, help="Publish even on a branch holding commits newsmirror did not make.")
@click.pass_obj
def publish_git_cmd(obj: Ctx, out: Path, repo: str, branch: str, message: str | None, force: bool) -> None:
    """Commit the built folder OUT to a branch of a git repository and push it."""
    from newsmirror.publish.git import publish_git

    try:
        result = publish_git(out, repo, branch=branch, message=message, force=force)
    except NewsMirrorError as exc:
        fail(str(exc))
    if result.commit:
        click.echo(result.commit)
    click.echo(result.line(), err=True)


# --- extract ----------------------------------------------------------------------------------

@cli.command(context_settings=CONTEXT, epilog="""\b
Exit code 0 when every input was read (an input may be judged not an article),
1 when some input could not be read or fetched.
\b
Example:
  newsmirror extract page.html --url https://news.example.tw/a/1
  newsmirror extract saved/*.html --format markdown
  newsmirror extract capture.txt --format jekyll""")
@click.argument("inputs", nargs=-1, required=True)
@click.option("--format", "fmt", type=click.Choice(["json", "markdown", "jekyll"]), default="json", show_default=True,
              help="json: one JSON object per input (JSON Lines).")
@click.option("--url", help="The page's URL, to resolve links and name the outlet when the page does not "
                             "(by the sources file's sites, then known hosts; one input only).")
@click.option("--tz", help="The outlet's timezone for dates without one (default: guessed from the page).")
@click.pass_obj
def extract(obj: Ctx, inputs: tuple[str, ...], fmt: str, url: str | None, tz: str | None) -> None:
    """Extract the article from each PATH_OR_URL (HTML page, feed HTML or a page's text capture)."""
    from newsmirror.extract import extract_article
    from newsmirror.extract.output import article_to_dict, article_to_markdown

    if url and len(inputs) > 1:
        fail("--url applies to one input only", 2)
    _check_tz(tz)
    outlets = _outlets_by_host(obj)
    failed = 0
    for item in inputs:
        try:
            data, where = _read_input(item)
            article = extract_article(data, url or where, tz=tz, outlets=outlets)
        except NewsMirrorError as exc:
            failed += 1
            click.echo(f"error: {item}: {exc}", err=True)
            continue
        import dataclasses

        article = dataclasses.replace(article, file=Path(item).name if where is None else item)
        if fmt == "json":
            click.echo(json.dumps(article_to_dict(article), ensure_ascii=False))
        elif fmt == "markdown":
            click.echo(article_to_markdown(article))
        else:
            click.echo(_article_as_post(article), nl=False)
    if failed:
        click.echo(f"extract: {len(inputs) - failed} read, {failed} failed", err=True)
        sys.exit(1)


def _outlets_by_host(obj: Ctx) -> dict[str, str]:
    """The outlets the sources file names by host, for pages that name none; {} without a readable file."""
    from newsmirror.extract.outlets import outlets_by_host

    if not obj.settings.sources_file.exists():
        return {}
    try:
        return outlets_by_host(load_sources(obj.settings.sources_file))
    except ConfigError as exc:
        click.echo(f"warning: outlets are not named from the sources file: {exc}", err=True)
        return {}


def _read_input(item: str) -> tuple[bytes, str | None]:
    """Bytes of a file, or of a URL fetched once; the URL is returned for http(s) inputs."""
    from newsmirror.errors import ExtractError

    if item.startswith(("http://", "https://")):
        import asyncio

        from newsmirror.fetch.http import Fetcher

        async def get() -> bytes:
            async with Fetcher() as fetcher:
                return (await fetcher.get(item)).content

        return asyncio.run(get()), item
    path = Path(item)
    try:
        return path.read_bytes(), None
    except FileNotFoundError:
        raise ExtractError("no such file") from None
    except IsADirectoryError:
        raise ExtractError("is a directory, not a file") from None
    except OSError as exc:
        raise ExtractError(f"cannot read: {exc.strerror}") from None


def _article_as_post(article) -> str:
    """An extracted article as a Jekyll post in the mirror's format."""
    from datetime import datetime

    from newsmirror.models import StoredArticle
    from newsmirror.publish.jekyll import render_post

    when = article.published or datetime.now(UTC)
    html = article.html
    if not html.strip() and article.text.strip():  # a text capture has paragraphs, not markup
        from html import escape

        html = "".join(f"<p>{escape(p)}</p>" for p in article.text.split("\n\n") if p.strip())
    stored = StoredArticle(
        id=0, source=article.source or "", url=article.url or "", link=article.url or "", guid=None,
        title=article.title, published=when, first_seen=when, last_seen=when, authors=article.authors,
        categories=article.tags, feed_html="", html=html, text=article.text, version=1,
    )
    return render_post(stored)


@cli.command(context_settings=CONTEXT, epilog="""\b
Example:
  newsmirror reextract          # after upgrading newsmirror, re-read every archived page""")
@click.pass_obj
def reextract(obj: Ctx) -> None:
    """Re-run extraction over the archived raw pages, without fetching anything."""
    from newsmirror.pipeline import reextract_archive

    if not obj.settings.archive_exists():
        fail(f"no archive at {obj.settings.store_location}; run 'newsmirror fetch' first", 1)
    try:
        summary = reextract_archive(obj.settings, progress=obj.progress("reextract"))
    except NewsMirrorError as exc:
        fail(str(exc))
    click.echo(summary.line(), err=True)
    if summary.failed:
        sys.exit(1)


# --- index and search -------------------------------------------------------------------------

@cli.command(context_settings=CONTEXT, epilog="""\b
Example:
  newsmirror index              # catch up with articles stored since the last run
  newsmirror index --rebuild    # rebuild from the archive (after editing aliases.tsv)""")
@click.option("--rebuild", is_flag=True, help="Drop the index and rebuild it from the archive.")
@click.pass_obj
def index(obj: Ctx, rebuild: bool) -> None:
    """Bring the full-text search index up to date with the archive."""
    from newsmirror.pipeline import update_index

    if not obj.settings.archive_exists():
        fail(f"no archive at {obj.settings.store_location}; run 'newsmirror fetch' first", 1)
    try:
        n, seconds = update_index(obj.settings, rebuild=rebuild, progress=obj.progress("index"))
    except NewsMirrorError as exc:
        fail(str(exc))
    click.echo(f"index done: {n} articles {'indexed' if rebuild else 'added or updated'}; {seconds:.1f} s", err=True)


@cli.command(context_settings=CONTEXT, epilog="""\b
Query syntax: terms, "phrases", -exclusions, OR, source:NAME, since:YYYY-MM-DD, until:YYYY-MM-DD.
Spellings are folded: 普京 finds 普亭 and 蒲亭; 习近平 finds 習近平. Articles holding every term come
first, then those holding most of them; an unspaced 花莲地震 is read as 花莲 and 地震. Hits are grouped
by story: a story's other articles follow its best hit (JSON: "story", and "matched": false).
\b
Example:
  newsmirror search 普京 金正恩
  newsmirror search '"海參崴" source:"(臺)中央社CNA" since:2023-09-01' --json""")
@click.argument("query", nargs=-1, required=True)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per hit (JSON Lines).")
@click.option("--limit", type=click.IntRange(1, 1000), default=20, show_default=True)
@click.option("--offset", type=click.IntRange(0), default=0)
@click.option("--tz", help="Show times, and read since:/until: days, in this IANA zone "
                           "[default: each article's source's zone from sources.toml].")
@click.pass_obj
def search(obj: Ctx, query: tuple[str, ...], as_json: bool, limit: int, offset: int, tz: str | None) -> None:
    """Search the archive; dates are shown in each source's timezone (or --tz), with their UTC offset in JSON."""
    from zoneinfo import ZoneInfo

    from newsmirror.errors import QueryError
    from newsmirror.pipeline import search_archive

    if not obj.settings.archive_exists():
        fail(f"no archive at {obj.settings.store_location}; run 'newsmirror fetch' first", 1)
    _check_tz(tz)
    try:
        results = search_archive(obj.settings, " ".join(query), limit=limit, offset=offset, tz=tz)
    except QueryError as exc:
        fail(f"bad query: {exc}", 2)
    except NewsMirrorError as exc:
        fail(str(exc))
    story = None
    for line, zone in results.lines:
        hit = line.hit
        local = hit.published.astimezone(ZoneInfo(zone))
        if as_json:
            click.echo(json.dumps({
                "id": hit.id, "title": hit.title, "source": hit.source,
                "published": local.isoformat(), "url": hit.url, "snippet": hit.snippet,
                "score": round(hit.score, 4), "story": line.story, "matched": line.matched,
            }, ensure_ascii=False))
        elif line.matched:
            if line.story != story or line.story is None:
                click.echo(f"== story {line.story}: {line.size} articles, {', '.join(line.outlets)}" if line.size > 1
                           else "==")
            click.echo(f"{local:%Y-%m-%d %H:%M} {hit.source}  {hit.title}\n    {hit.url}\n    {_plain(hit.snippet)}")
        else:
            click.echo(f"  + {local:%Y-%m-%d %H:%M} {hit.source}  {hit.title}\n    {hit.url}")
        story = line.story
    if not as_json:
        click.echo(f"{results.total} results", err=True)


def _check_tz(tz: str | None, option: str = "--tz") -> None:
    """A usage error (exit 2) naming the option when its value is not an IANA zone."""
    if tz:
        from newsmirror.config import check_timezone

        try:
            check_timezone(tz, option)
        except ConfigError as exc:
            fail(str(exc), 2)


def _plain(snippet: str) -> str:
    import html

    return html.unescape(snippet.replace("<mark>", "[").replace("</mark>", "]"))


# --- stories ----------------------------------------------------------------------------------

@cli.command(context_settings=CONTEXT, epilog="""\b
Each story is printed with its articles in time order; a copy of an earlier text (a wire reprint,
a script version, a light update) is marked with the original it copies. --json prints one story a
line: {"id", "title", "first_published", "last_published", "outlets", "articles": [{"id", "url",
"source", "title", "published", "copy_of"}]}, copy_of being the original's URL or null.
\b
Example:
  newsmirror stories --since 2025-09-01 --min-articles 2
  newsmirror stories --source 中央社 --json
  newsmirror stories --rebuild          # regroup the whole archive (after editing aliases.tsv)""")
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), help="Only stories with an article published on or "
              "after this day (UTC).")
@click.option("--source", help="Only stories with an article of this outlet (all their outlets' articles shown).")
@click.option("--min-articles", type=click.IntRange(1), default=1, show_default=True,
              help="Only stories of at least this many articles.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per story (JSON Lines).")
@click.option("--rebuild", is_flag=True, help="Regroup the whole archive first (continues a regrouping that was "
              "killed).")
@click.pass_obj
def stories(obj: Ctx, since, source: str | None, min_articles: int, as_json: bool, rebuild: bool) -> None:
    """Group the archive into stories across outlets, then list them: copies of one text and reports of one event."""
    from zoneinfo import ZoneInfo

    from newsmirror.config import DEFAULT_TIMEZONE
    from newsmirror.pipeline import list_stories, source_timezones, update_stories
    from newsmirror.stories.views import story_to_dict

    if not obj.settings.archive_exists():
        fail(f"no archive at {obj.settings.store_location}; run 'newsmirror fetch' first", 1)
    progress = obj.progress("stories")
    try:
        run = update_stories(obj.settings, rebuild=rebuild, progress=progress)
    except NewsMirrorError as exc:
        fail(str(exc))
    click.echo(run.line(progress.seconds), err=True)
    zones = source_timezones(obj.settings)
    zone = lambda name: ZoneInfo(zones.get(name, DEFAULT_TIMEZONE))  # noqa: E731
    since = since.replace(tzinfo=UTC) if since else None
    shown = 0
    try:
        for story in list_stories(obj.settings, since=since, source=source, min_articles=min_articles):
            shown += 1
            if as_json:
                click.echo(json.dumps(story_to_dict(story, zone=zone), ensure_ascii=False))
                continue
            first = story.first_published.astimezone(zone(story.original.source))
            click.echo(f"{first:%Y-%m-%d %H:%M} {story.title}  [{len(story.articles)} articles, "
                       f"{len(story.outlets)} outlets; story {story.id}]")
            for a in story.articles:
                when = a.published.astimezone(zone(a.source))
                mark = f"  (copy of {a.copy_of_url})" if a.copy_of is not None else ""
                click.echo(f"    {when:%Y-%m-%d %H:%M} {a.source}  {a.title}{mark}\n        {a.url}")
    except NewsMirrorError as exc:
        fail(str(exc))
    if not as_json:
        click.echo(f"{shown} stories", err=True)


# --- serve ------------------------------------------------------------------------------------

@cli.command(context_settings=CONTEXT, epilog="""\b
Example:
  newsmirror serve                       # http://127.0.0.1:8080/
  newsmirror serve --host 0.0.0.0 --port 8000""")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind (127.0.0.1 keeps it local).")
@click.option("--port", type=click.IntRange(1, 65535), default=8080, show_default=True)
@click.pass_obj
def serve(obj: Ctx, host: str, port: int) -> None:
    """Serve the web archive (read-only): latest, outlets, days, articles with versions, search, JSON API."""
    from newsmirror.web import serve as run_server

    if not obj.settings.archive_exists():
        fail(f"no archive at {obj.settings.store_location}; run 'newsmirror fetch' first", 1)
    try:
        run_server(obj.settings, host=host, port=port)
    except NewsMirrorError as exc:
        fail(str(exc))


# --- demo -------------------------------------------------------------------------------------

@cli.command(context_settings=CONTEXT, epilog="""\b
Example:
  newsmirror --home demo-data demo""")
@click.option("--port", type=click.IntRange(0, 65535), default=8431, show_default=True,
              help="Port for the demo site; keep it fixed so a second run updates the same archive (0: any free port).")
@click.pass_obj
def demo(obj: Ctx, port: int) -> None:
    """Mirror the built-in demo news site: start it on 127.0.0.1, fetch it, build the Jekyll mirror."""
    from newsmirror.pipeline import run_demo

    try:
        report = run_demo(obj.settings, port=port, progress=obj.progress("fetch"))
    except NewsMirrorError as exc:
        fail(str(exc))
    click.echo(report)


@cli.command(context_settings=CONTEXT, epilog="""\b
An SQLite archive is migrated whenever it is opened to write; a PostgreSQL database only by this
command, once, by whoever manages it (other machines' workers and servers then find it ready).
\b
Example:
  newsmirror --store postgresql://news@db.example/news migrate""")
@click.pass_obj
def migrate(obj: Ctx) -> None:
    """Create or upgrade the archive's tables (the schema) in the store."""
    from newsmirror.store import open_store

    try:
        store = open_store(obj.settings.store_location, migrate=True)
    except NewsMirrorError as exc:
        fail(str(exc), 1)
    try:
        version, count = getattr(store, "schema_version", None), store.count_articles()
    finally:
        store.close()
    click.echo(f"archive {getattr(store, 'path', obj.settings.store_location)}: schema version {version}, "
               f"{count} articles", err=True)
