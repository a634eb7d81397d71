"""Scheduler benchmark: newsmirror's adaptive intervals beside Miniflux's entry-frequency scheduler.

Both schedulers poll the same simulated feeds for 28 days, each deciding its next poll from what it
has seen so far (the items' publishing times), within the same bounds (5 min .. 24 h). Feeds, with
known rates: a wire service (40 items/h by day, 10 at night, a 20-item window), a daily paper (day-time
only, 6/h), an hourly bulletin, a blog (2 a week), and a breaking-news burst on a quiet feed. Printed
per feed: polls a day, the mean delay from publication to the poll that sees an item, and items lost
(rolled out of the feed's window before a poll). Miniflux's rule is as documented: a week over the
week's entry count, clamped. Run by hand:  .venv/bin/python bench/scheduler.py
"""

from __future__ import annotations

import random
from bisect import bisect_left, bisect_right
from datetime import datetime, timedelta, UTC

from newsmirror.schedule import adaptive_interval, miniflux_interval

START = datetime(2030, 1, 1, tzinfo=UTC)
DAYS = 28


def stream(rate_at, seed: int) -> list[datetime]:
    """Poisson publishing times over DAYS with an hourly rate function rate_at(datetime) (thinning)."""
    rng = random.Random(seed)
    peak = max(rate_at(START + timedelta(hours=h)) for h in range(24 * 7))
    t, out = START - timedelta(days=14), []
    while t < START + timedelta(days=DAYS):
        t += timedelta(hours=rng.expovariate(peak))
        if rng.random() < rate_at(t) / peak:
            out.append(t)
    return out


FEEDS = {
    "wire (40/h day, window 20)": (lambda t: 40 if 0 <= t.hour < 12 else 10, 20),
    "daily paper (day only)": (lambda t: 6 if 1 <= t.hour < 11 else 0.05, 50),
    "hourly bulletin": (lambda t: 1.0, 30),
    "blog (2 a week)": (lambda t: 2 / 168, 10),
    "quiet + burst": (lambda t: 30 if START + timedelta(days=10) <= t < START + timedelta(days=10, hours=3)
                      else 0.1, 20),
}


def simulate(items: list[datetime], window: int, choose) -> tuple[float, float, int]:
    """(polls a day, mean delay in minutes, items lost) for one scheduler on one feed."""
    t = START
    seen_upto = 0  # index of the first item not yet seen
    polls = 0
    delays, lost = [], 0
    end = START + timedelta(days=DAYS)
    first = next(i for i, x in enumerate(items) if x >= START)
    seen_upto = first
    while t < end:
        polls += 1
        n = bisect_right(items, t)  # items published by now
        oldest_visible = max(n - window, 0)
        if oldest_visible > seen_upto:
            lost += oldest_visible - seen_upto
            seen_upto = oldest_visible
        for x in items[seen_upto:n]:
            delays.append((t - x).total_seconds() / 60)
        seen_upto = n
        history = items[bisect_left(items, t - timedelta(days=14)):n][::-1]
        t += timedelta(seconds=choose(history, t, window))
    return polls / DAYS, sum(delays) / max(len(delays), 1), lost


def ours(history, now, window):
    return adaptive_interval(history, now, interval=60, min_interval=5, max_interval=1440, window=window).seconds


def miniflux(history, now, window):
    return miniflux_interval(history, now).seconds


def main() -> None:
    print(f"{'feed':<28}{'scheduler':<12}{'polls/day':>10}{'mean delay':>12}{'items lost':>12}")
    totals = {"newsmirror": [0.0, 0.0, 0], "miniflux": [0.0, 0.0, 0]}
    for k, (name, (rate, window)) in enumerate(FEEDS.items()):
        items = stream(rate, seed=k)
        for label, choose in (("newsmirror", ours), ("miniflux", miniflux)):
            per_day, delay, lost = simulate(items, window, choose)
            totals[label][0] += per_day
            totals[label][1] += delay
            totals[label][2] += lost
            print(f"{name:<28}{label:<12}{per_day:>10.1f}{delay:>9.0f} min{lost:>12}")
    for label, (per_day, delay, lost) in totals.items():
        print(f"{'all feeds':<28}{label:<12}{per_day:>10.1f}{delay / len(FEEDS):>9.0f} min{lost:>12}")


if __name__ == "__main__":
    main()
