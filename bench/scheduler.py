"""Scheduler benchmark: newsmirror's adaptive polling beside Miniflux's entry-frequency scheduler.

Both schedulers poll the same simulated feeds for 28 days. Each starts cold, as a mirror that has
just added the feed: the first poll sees only the feed's current window of items; afterwards each
knows only the items its own polls saw (an item that rolled out of the window between two polls is
lost, and never seen). Each decides its next poll from what it has seen, within the same bounds
(5 min .. 24 h, Miniflux's defaults).

Miniflux is modelled as its code does it (miniflux/v2 internal/model/feed.go ScheduleNextCheck and
internal/storage/feed.go WeeklyFeedEntryCount, 2024 on): a "virtual weekly count" of one week over
the mean gap between the entries published in the last week (0 with fewer than two), taken before
the fetch; the interval is a week over that count, clamped; a count of 0 waits the maximum. Its
polling job is taken to run often enough to poll each feed when due (with its default
POLLING_FREQUENCY of 60 minutes it would poll no feed more often than hourly). newsmirror is run
through the code `run` uses (schedule.next_interval, with its jitter).

Feeds (times UTC; Taipei and Hong Kong are UTC+8), each kind with several random instances:
  wire          Poisson, 24 an hour 00-14 h, 4 an hour otherwise; window 30
  regional      Poisson, 6 an hour 00-14 h, 1 an hour otherwise; window 20
  bulletin      one item at about five past each hour, 22-16 h (06-24 in Hong Kong); window 20
  daily paper   the edition, 30 items uploaded 19:00-19:40 (03:00 in Taipei), and 0.2 an hour by day; window 50
  weekly column one item on Mondays at about 01:00; window 10
  blog          Poisson, 2 a week; window 10
  breaking      Poisson, 0.2 an hour, and bursts (one every 5 days on average, 2-6 hours at 10-20 an hour);
                window 50, and the same feeds with a window of 20
  dies          Poisson, 2 an hour until day 10, then nothing; window 20
  dead          its last item 90 days before the start; window 10

Printed per kind and for all: polls a day, the mean delay from publication to the poll that saw an
item, its 90th percentile, and items lost. Run by hand:  .venv/bin/python bench/scheduler.py
"""

from __future__ import annotations

import math
import random
import sys
import time
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, UTC

from newsmirror.cadence import next_interval

START = datetime(2030, 1, 7, tzinfo=UTC)  # a Monday
DAYS = 28
END = START + timedelta(days=DAYS + 1)  # the last instance ends a day later
MIN_MINUTES, MAX_MINUTES = 5, 1440
WEEK = timedelta(days=7)
HOUR = timedelta(hours=1)


# --- the feeds -------------------------------------------------------------------------------

def poisson(rng: random.Random, rate_at: Callable[[datetime], float], start: datetime, end: datetime) -> list[datetime]:
    """Publishing times with an hourly rate function rate_at(t), by thinning."""
    peak = max(rate_at(start + timedelta(minutes=10 * k)) for k in range(6 * 24 * 7)) or 1e-9
    t, out = start, []
    while True:
        t += timedelta(hours=rng.expovariate(peak))
        if t >= end:
            return out
        if rng.random() < rate_at(t) / peak:
            out.append(t)


def day_hours(t: datetime, first: int, last: int) -> bool:
    """Whether t falls in the hours first..last (UTC), wrapping past midnight."""
    return first <= t.hour < last if first < last else (t.hour >= first or t.hour < last)


def wire(rng, start, end):
    return poisson(rng, lambda t: 24 if day_hours(t, 0, 14) else 4, start, end)


def regional(rng, start, end):
    return poisson(rng, lambda t: 6 if day_hours(t, 0, 14) else 1, start, end)


def bulletin(rng, start, end):
    out = []
    t = start.replace(minute=0, second=0, microsecond=0)
    while t < end:
        if day_hours(t, 22, 16):
            out.append(t + timedelta(minutes=5 + rng.uniform(-3, 3)))
        t += HOUR
    return [x for x in out if start <= x < end]


def daily_paper(rng, start, end):
    out = poisson(rng, lambda t: 0.2 if day_hours(t, 0, 12) else 0, start, end)
    day = start.replace(hour=19, minute=0, second=0, microsecond=0) - timedelta(days=1)
    while day < end:
        out += [day + timedelta(minutes=rng.uniform(0, 40)) for _ in range(30)]
        day += timedelta(days=1)
    return sorted(x for x in out if start <= x < end)


def weekly_column(rng, start, end):
    monday = start - timedelta(days=start.weekday())
    out = []
    while monday < end:
        out.append(monday.replace(hour=1, minute=0) + timedelta(minutes=rng.uniform(-20, 20)))
        monday += WEEK
    return [x for x in out if start <= x < end]


def blog(rng, start, end):
    return poisson(rng, lambda t: 2 / 168, start, end)


def breaking(rng, start, end):
    out = poisson(rng, lambda t: 0.2, start, end)
    t = start
    while True:
        t += timedelta(days=rng.expovariate(1 / 5))
        if t >= end:
            break
        length, rate = rng.uniform(2, 6), rng.uniform(10, 20)
        out += poisson(rng, lambda _, r=rate: r, t, min(t + timedelta(hours=length), end))
    return sorted(out)


def dies(rng, start, end):
    return poisson(rng, lambda t: 2 if t < START + timedelta(days=10) else 0, start, end)


def dead(rng, start, end):
    last = START - timedelta(days=90 + rng.uniform(0, 30))
    return [last - timedelta(days=3 * k) for k in range(10)][::-1]


@dataclass(frozen=True)
class Kind:
    name: str
    window: int
    make: Callable[[random.Random, datetime, datetime], list[datetime]]
    instances: int  # random feeds of this kind (more for the kinds with few items)


KINDS = [
    Kind("wire (24/h by day)", 30, wire, 2),
    Kind("regional (6/h by day)", 20, regional, 3),
    Kind("hourly bulletin", 20, bulletin, 3),
    Kind("daily paper (03:00 edition)", 50, daily_paper, 3),
    Kind("weekly column", 10, weekly_column, 10),
    Kind("blog (2 a week)", 10, blog, 20),
    Kind("breaking news (bursts)", 50, breaking, 8),
    Kind("breaking news, window 20", 20, breaking, 8),
    Kind("feed that dies on day 10", 20, dies, 5),
    Kind("dead feed", 10, dead, 5),
]


# --- the schedulers --------------------------------------------------------------------------

def miniflux(seen: list[datetime], stored_before: int | None, now: datetime, window: int,
             rng: random.Random) -> float:
    """Miniflux's entry-frequency interval in seconds, from the entries stored before this fetch.

    A feed just added has no next check time: it is due again at the polling job's next tick
    (taken as the minimum interval here)."""
    if stored_before is None:
        return MIN_MINUTES * 60.0
    before = seen[:stored_before]
    week = before[bisect_left(before, now - WEEK):]
    count = 0
    if len(week) > 1:
        gap = (week[-1] - week[0]).total_seconds() / (len(week) - 1)
        count = math.ceil(WEEK.total_seconds() / gap) if gap > 0 else 0
    if count <= 0:
        return MAX_MINUTES * 60.0
    return min(max(WEEK.total_seconds() / count, MIN_MINUTES * 60), MAX_MINUTES * 60)


def newsmirror(seen: list[datetime], stored_before: int | None, now: datetime, window: int,
               rng: random.Random) -> float:
    """newsmirror's next interval in seconds, as `run` chooses it after a fetch (the store gives the
    publishing times of the newest 1000 items of the last 8 weeks, newest first)."""
    recent = seen[max(bisect_left(seen, now - timedelta(days=56)), len(seen) - 1000):][::-1]
    return next_interval(recent, now, rng, interval=60, min_interval=MIN_MINUTES, max_interval=MAX_MINUTES,
                         window=window).seconds


SCHEDULERS = {"newsmirror": newsmirror, "miniflux": miniflux}


# --- the simulation --------------------------------------------------------------------------

@dataclass
class Outcome:
    polls: int = 0
    delays: list[float] | None = None  # minutes, one per item seen
    lost: int = 0
    items: int = 0


def simulate(items: list[datetime], window: int, choose, seed: int) -> Outcome:
    """Poll `items` (sorted publishing times) for DAYS from a random moment of START's day with `choose`
    (the same moment for every scheduler); what it cost and caught."""
    rng = random.Random(seed)
    out = Outcome(delays=[])
    begin = START + timedelta(seconds=random.Random(seed).uniform(0, 86400))
    end = begin + timedelta(days=DAYS)
    n0 = bisect_right(items, begin)
    seen = items[max(n0 - window, 0):n0]  # the first poll: the feed's window of items
    upto = n0  # items[:upto] have been published and either seen or lost
    stored_before = None  # the feed was just added: nothing stored before its first fetch
    t = begin
    while True:
        out.polls += 1
        t += timedelta(seconds=choose(seen, stored_before, t, window, rng))
        if t >= end:
            break
        n = bisect_right(items, t)
        oldest = max(n - window, upto)
        out.lost += oldest - upto
        out.delays += [(t - x).total_seconds() / 60 for x in items[oldest:n]]
        stored_before = len(seen)
        seen += items[oldest:n]
        upto = n
    out.items = upto - n0  # items published before the last poll; later ones are neither seen nor lost
    return out


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    values = sorted(values)
    return values[min(int(q * len(values)), len(values) - 1)]


def main() -> None:
    started = time.monotonic()
    print(f"{'feed':<30}{'scheduler':<12}{'polls/day':>10}{'mean delay':>12}{'p90 delay':>11}{'lost':>6}")
    # the whole mirror: one feed of each kind; its delay per item weights each kind by its items per feed
    total = {label: [0.0, 0.0, 0.0, 0, []] for label in SCHEDULERS}  # polls/day, delay sum, items, lost, means
    for k, kind in enumerate(KINDS):
        feeds = [kind.make(random.Random(1000 * k + i), START - timedelta(days=60), END) for i in range(kind.instances)]
        for label, choose in SCHEDULERS.items():
            polls, delays, lost = 0, [], 0
            for i, items in enumerate(feeds):
                one = simulate(items, kind.window, choose, seed=i)
                polls, delays, lost = polls + one.polls, delays + one.delays, lost + one.lost
            per_day = polls / DAYS / kind.instances
            mean = sum(delays) / len(delays) if delays else float("nan")
            shown = f"{mean:>9.0f} min{percentile(delays, 0.9):>7.0f} min" if delays else f"{'-':>12}{'-':>11}"
            print(f"{kind.name:<30}{label:<12}{per_day:>10.1f}{shown}{lost:>6}")
            got = total[label]
            got[0] += per_day
            if delays:
                got[1] += sum(delays) / kind.instances
                got[2] += len(delays) / kind.instances
                got[4].append(mean)
            got[3] += lost
        sys.stdout.flush()
    for label, (per_day, delay, items, lost, _) in total.items():
        print(f"{'all kinds, per item':<30}{label:<12}{per_day:>10.1f}{delay / items:>9.1f} min{'':>11}{lost:>6}")
    for label, (_, _, _, _, means) in total.items():
        print(f"{'all kinds, mean of kinds':<30}{label:<12}{'':>10}{sum(means) / len(means):>9.1f} min")
    print(f"(one feed of each kind in the totals; {DAYS} days from a cold start; {time.monotonic() - started:.0f} s)")


if __name__ == "__main__":
    main()
