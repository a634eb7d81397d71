"""Adaptive polling on feeds with known publishing rates: the clock is a parameter, the histories are made
here (regular, or Poisson from a seeded generator), nothing is timed. bench/scheduler.py compares the
same code with Miniflux's entry-frequency rule over 28 simulated days."""

from __future__ import annotations

import random
from datetime import datetime, timedelta, UTC

import numpy as np
import pytest

from newsmirror.cadence import adaptive_interval, apply_hints, jittered, next_interval, publishing_model

NOW = datetime(2030, 5, 1, 8, 0, tzinfo=UTC)  # a Wednesday
BOUNDS = {"interval": 60, "min_interval": 5, "max_interval": 1440}


def every(gap: timedelta, n: int, *, end: datetime = NOW) -> list[datetime]:
    return [end - gap * i for i in range(n)]


def poisson(per_hour, start: datetime, end: datetime, seed: int = 1) -> list[datetime]:
    """Publishing times with the hourly rate per_hour(t) (a number or a function), by thinning."""
    rate = per_hour if callable(per_hour) else (lambda t: per_hour)
    peak = max(rate(start + timedelta(minutes=30 * k)) for k in range(48 * 7))
    rng, t, out = random.Random(seed), start, []
    while (t := t + timedelta(hours=rng.expovariate(peak))) < end:
        if rng.random() < rate(t) / peak:
            out.append(t)
    return out


def minutes(published, now=NOW, **bounds) -> float:
    return adaptive_interval(published, now, **{**BOUNDS, **bounds}).seconds / 60


@pytest.mark.parametrize("per_hour", [1, 4])
def test_a_steady_feed_is_polled_about_once_per_item(per_hour):
    items = poisson(per_hour, NOW - timedelta(days=28), NOW)
    assert minutes(items) == pytest.approx(60 / per_hour, rel=0.3)
    regular = every(timedelta(minutes=15), 4 * 24 * 28, end=NOW - timedelta(minutes=3))  # at 12, 27, 42, 57
    assert 12 <= minutes(regular) <= 20  # just after the next, at 08:12


def test_bounds_an_unknown_feed_and_a_feed_with_nothing_in_eight_weeks():
    fast = every(timedelta(minutes=1), 3000)
    assert minutes(fast, min_interval=15, max_interval=120) == 15
    assert minutes([], interval=45, min_interval=15, max_interval=120) == 45  # nothing known: its interval
    old = every(timedelta(days=3), 10, end=NOW - timedelta(days=90))
    cadence = adaptive_interval(old, NOW, interval=60, min_interval=15, max_interval=120)
    assert cadence.seconds == 120 * 60 and "nothing published in 8 weeks" in cadence.reason


def test_a_feed_seen_for_the_first_time_is_read_by_the_span_its_window_covers():
    # the first fetch shows 20 items from the last 10 hours (the feed's whole window): 2 an hour, not 20 a
    # week (Miniflux's weekly count before 2023 waited 504 minutes here, and the window rolled over)
    items = poisson(2, NOW - timedelta(days=3), NOW)[-20:]
    assert 20 <= minutes(items, window=20) <= 45
    assert publishing_model(items, NOW).rate == pytest.approx(2, rel=0.3)


def test_busy_hours_are_polled_more_often_than_quiet_ones():
    # four weeks of a news day: 6 an hour from 00:00 to 14:00 UTC (08-22 in Taipei), 0.5 an hour otherwise
    items = poisson(lambda t: 6 if t.hour < 14 else 0.5, NOW - timedelta(days=28), NOW.replace(hour=23))
    busy_now, quiet_now = NOW.replace(hour=6), NOW.replace(hour=20)
    busy = adaptive_interval([t for t in items if t <= busy_now], busy_now, **BOUNDS)
    quiet = adaptive_interval([t for t in items if t <= quiet_now], quiet_now, **BOUNDS)
    assert busy.seconds * 2 < quiet.seconds
    assert "daily" in busy.reason


def test_after_a_quiet_afternoon_the_next_poll_is_just_after_the_nightly_edition():
    # a paper uploads its edition, 30 items from 19:00 to 19:30 UTC, every day for three weeks; nothing else
    rng = random.Random(3)
    items = sorted(day.replace(hour=19) + timedelta(minutes=rng.uniform(0, 30))
                   for day in (NOW - timedelta(days=d) for d in range(1, 22)) for _ in range(30))
    noon = NOW.replace(hour=12)
    poll = noon + timedelta(minutes=minutes(items, noon, window=50))
    assert noon.replace(hour=19, minute=0) <= poll <= noon.replace(hour=19, minute=40)
    assert "daily" in adaptive_interval(items, noon, **BOUNDS).reason


def test_a_weekly_column_is_caught_within_the_hour_at_one_poll_a_day():
    # a column every Monday at about 01:00 UTC for eight weeks; poll it for a week from Tuesday noon
    rng = random.Random(5)
    mondays = [datetime(2030, 4, 29, 1, tzinfo=UTC) - timedelta(weeks=w) for w in range(-1, 8)]
    column = sorted(m + timedelta(minutes=rng.uniform(-15, 15)) for m in mondays)
    now, polls = datetime(2030, 4, 30, 12, tzinfo=UTC), []
    while now < datetime(2030, 5, 7, 12, tzinfo=UTC):
        step = adaptive_interval([t for t in column if t <= now], now, window=10, **BOUNDS).seconds
        assert step <= 86400
        now += timedelta(seconds=step)
        polls.append(now)
    assert len(polls) <= 8  # about one a day, as a daily poll would spend
    published = column[-1]
    seen = min(p for p in polls if p >= published)
    assert seen - published <= timedelta(minutes=45)  # a poll every 24 h would see it after 12 h on average


def test_a_burst_shortens_the_interval_and_fades():
    steady = every(timedelta(hours=2), 84, end=NOW - timedelta(hours=3))
    burst = sorted(steady + every(timedelta(minutes=10), 8), reverse=True)
    during = adaptive_interval(burst, NOW, **BOUNDS)
    assert during.seconds * 2 < adaptive_interval(steady, NOW, **BOUNDS).seconds
    assert "a burst (8 in 2 h)" in during.reason
    later = NOW + timedelta(hours=6)
    assert "burst" not in adaptive_interval(burst, later, **BOUNDS).reason


def test_a_feed_that_stopped_is_backed_off_but_a_quiet_night_is_not_silence():
    busy = poisson(2, NOW - timedelta(days=12), NOW - timedelta(days=2))  # two an hour, then nothing for two days
    stopped = adaptive_interval(busy, NOW, **BOUNDS)
    assert stopped.seconds >= 12 * 3600 and "silent for 2.0 d" in stopped.reason
    assert "silent" not in adaptive_interval(busy, NOW - timedelta(days=2) + timedelta(hours=1), **BOUNDS).reason
    news_day = poisson(lambda t: 6 if t.hour < 14 else 0, NOW - timedelta(days=28), NOW.replace(hour=14))
    night = NOW.replace(hour=23)  # nine hours without an item, as every night
    assert "silent" not in adaptive_interval(news_day, night, **BOUNDS).reason


def test_the_window_never_rolls_over_between_two_polls():
    # the edition again, 40 items in 20 minutes, and a feed that shows only its newest 10
    rng = random.Random(7)
    items = sorted(day.replace(hour=19) + timedelta(minutes=rng.uniform(0, 20))
                   for day in (NOW - timedelta(days=d) for d in range(0, 21)) for _ in range(40))
    during = NOW.replace(hour=19, minute=2)
    seen = [t for t in items if t <= during]
    assert minutes(seen, during, window=10) == 5  # 2 items a minute: as often as allowed
    assert minutes(seen, during, window=10, min_interval=1) <= 3


def test_a_feed_that_had_a_burst_waits_no_longer_than_one_would_take_to_fill_its_window():
    quiet = poisson(0.3, NOW - timedelta(days=21), NOW)
    burst = [NOW - timedelta(days=10, minutes=2 * k) for k in range(25)]  # 25 items in 50 minutes, once
    history = sorted(quiet + burst)
    capped = adaptive_interval(history, NOW, window=30, **BOUNDS)
    assert capped.seconds <= 30 / 25 * 3600 and "a past burst of 25 items in an hour" in capped.reason
    assert adaptive_interval(quiet, NOW, window=30, **BOUNDS).seconds > 30 / 25 * 3600
    assert adaptive_interval(history, NOW, window=200, **BOUNDS).seconds > 30 / 25 * 3600  # a large window: no cap


def test_times_may_be_given_as_posix_seconds_and_jitter_is_small_and_seeded():
    items = poisson(3, NOW - timedelta(days=14), NOW)
    as_seconds = np.array([t.timestamp() for t in items])
    assert adaptive_interval(as_seconds, NOW, **BOUNDS) == adaptive_interval(items, NOW, **BOUNDS)
    base = adaptive_interval(items, NOW, **BOUNDS)
    one = next_interval(items, NOW, random.Random(9), **BOUNDS)
    assert one == next_interval(items, NOW, random.Random(9), **BOUNDS)
    assert abs(one.seconds - base.seconds) <= min(0.1 * base.seconds, 60)
    spread = {round(jittered(base, random.Random(s)).seconds) for s in range(20)}
    assert len(spread) > 10 and max(spread) - min(spread) <= 120


def test_server_hints_lengthen_the_interval_and_odd_ones_are_logged():
    base = adaptive_interval(every(timedelta(minutes=10), 1000), NOW, **BOUNDS)
    assert apply_hints(base, max_age=3600)[0].seconds == 3600
    assert apply_hints(base, ttl=120)[0].reason == "RSS ttl 120 min"
    longer, notes = apply_hints(base, retry_after=10 ** 9)
    assert longer.seconds == 86400 and notes == ["Retry-After 1000000000 s is more than a day; waiting a day"]
    same, notes = apply_hints(base, retry_after=0)
    assert same == base and notes == ["Retry-After is in the past; ignored"]
    assert apply_hints(base, rate_limited=True, max_interval=1440)[0].seconds == base.seconds * 2
    assert next_interval([], NOW, random.Random(1), ttl=600, **BOUNDS).seconds >= 600 * 60 - 60


def test_a_feed_without_dates_is_not_read_as_a_burst_at_its_first_fetch_and_learns_its_rate():
    # the store stamps an undated item with the time it was first seen: the first fetch's 20 items share
    # one second, and later ones the time of the poll that saw them; the feed publishes one an hour
    bounds = {**BOUNDS, "min_interval": 15, "window": 20}
    first = adaptive_interval([NOW] * 20, NOW, **bounds)
    assert first.seconds == 60 * 60 and "without dates" in first.reason
    now, seen, intervals = NOW, [NOW] * 20, []
    while now < NOW + timedelta(hours=16):
        intervals.append(adaptive_interval(seen, now, **bounds).seconds / 60)
        now += timedelta(minutes=intervals[-1])
        published = int((now - NOW) / timedelta(hours=1))  # items published since the first fetch
        seen += [now] * (published - (len(seen) - 20))
    assert min(intervals) >= 45 and 50 <= intervals[-1] <= 70  # never at min_interval; about hourly
    # one dated item a minute old is not a rate of one a minute
    assert minutes([NOW - timedelta(minutes=1)], window=20) >= 30


def test_any_history_gives_an_interval_within_the_bounds():
    # odd histories from a seeded generator: none, one, all in one second, future dates, old ones, regular
    # ones; odd bounds: equal, a week; odd windows: 0, 1
    rng = random.Random(11)
    for _ in range(60):
        n = rng.choice([0, 1, 2, 3, 20, 300])
        shape = rng.randrange(4)
        if shape == 0:
            items = [NOW - timedelta(days=rng.uniform(0, rng.choice([0.01, 1, 60, 200]))) for _ in range(n)]
        elif shape == 1:
            items = [NOW - timedelta(seconds=rng.choice([0, 1, 60]))] * n
        elif shape == 2:
            items = [NOW + timedelta(hours=rng.uniform(-5, 5)) for _ in range(n)]
        else:
            end = NOW - timedelta(days=rng.uniform(0, 70))
            items = [end - timedelta(minutes=rng.choice([0, 1, 60])) * i for i in range(n)]
        lo = rng.choice([1, 5, 15])
        hi = rng.choice([lo, 1440, 10080])
        cadence = adaptive_interval(items, NOW, interval=rng.choice([lo, hi]), min_interval=lo, max_interval=hi,
                                    window=rng.choice([0, 1, 10, 50]))
        assert lo * 60 <= cadence.seconds <= hi * 60, (n, shape, lo, hi, cadence)
