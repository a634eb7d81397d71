"""When to poll a feed next: a model of when the feed publishes, and the plan of polls that follows.

Pure functions of the publishing times of a feed's own items (no I/O): `schedule.py` feeds them from
the store, `bench/scheduler.py` from a simulation beside Miniflux's entry-frequency rule.

The model (`publishing_model`), from the items of the last 8 weeks, each weighted by recency (the
weight halves every week):
1. The flat rate: items over the time they cover, from one usual gap before the oldest item known
   (and at least an hour), so a feed seen for the first time, with only its current window of items,
   is read by the span those items cover (20 items of the last 10 hours are 2 an hour, not 20 a week).
   A feed without dates is stamped with the times its items were first seen: the batch of its first
   fetch, all in one second, says nothing of when they were published and is left out.
2. Shapes: the rate in each 5-minute slot of the average day and of the week, over how long that
   slot was watched, at three widths: exact (a bulletin at five past the hour), ±20 minutes (a
   columnist's Monday morning), ±1 hour (the news day). Each leans on the next coarser one (the
   coarsest on the flat rate) where it has seen little. Each is judged by how well it predicts every
   item *from the other days* (the items of the item's own occurrence of the slot, a burst included,
   are left out), is kept only when it beats the shape it leans on by EVIDENCE, and the kept shapes
   are mixed in the proportions that predict best (EM over the items): a Poisson blog comes out
   flat, a column weekly, a wire's day and night daily.
3. Two events override the history: a burst (more items in the last two hours than the news day
   allows, by a Poisson test) raises the rate now, fading over the next hours; a silence far longer
   than the model allows (and than any gap the feed ever had) means the feed stopped: the rate is
   read from the silence alone, so a dead feed backs off within hours.

The poll (`adaptive_interval`): the plan of polls over the next hours or days that minimises the
items' summed delay plus a price per poll (dynamic programming over 1- to 10-minute steps), of which
the first poll is taken; the plan is made again after each poll. The price is set so that the polls
number about one per item the feed publishes, within min_interval..max_interval: Miniflux's budget
(a week over the week's entries), spent where the items come. In a steady feed that is one poll per
item; with a day and a night the polls follow the square root of the rate (the least delay for that
number of polls); a predictable item (the 03:00 edition, Monday's column) gets a poll minutes after
it, and none are spent on hours when nothing comes. The plan never lets the feed's window of items
roll over between two polls, and a feed that once had a burst never waits longer than such a burst
would take to fill its window.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np

__all__ = [
    "Cadence",
    "PublishingModel",
    "publishing_model",
    "adaptive_interval",
    "apply_hints",
    "jittered",
    "next_interval",
    "HINT_CAP",
    "HISTORY",
]

HISTORY = timedelta(days=56)  # publishing times looked at
HALF_LIFE = 7 * 86400.0  # seconds: an item's weight halves every week
SLOT = 300.0  # seconds: the model's resolution
DAY_SLOTS, WEEK_SLOTS = 288, 2016
MONDAY = 4 * 86400.0  # 1970-01-05 00:00 UTC, a Monday: week slots count from Monday 00:00 UTC
WIDTHS = (0, 4, 12)  # slots either side: exact (a bulletin), ±20 minutes (a column), ±1 hour (the news day)
EVIDENCE = 3.0  # nats: how much better than the shape it leans on a shape must predict the items to be kept
PRIOR = 0.25  # a slot leans on the next coarser shape as if watched this many more times at its rate
BURST_WINDOW = 2 * 3600.0  # seconds: a burst is judged on the last two hours
BURST_FADE = 2 * 3600.0  # seconds: a burst's extra rate fades with this time constant
SURPRISE = 0.01  # a burst or silence this unlikely under the model overrides it
FLOOR = 0.25  # a poll is worth at least this share of its worth in a steady feed polled once per item
SURGE_SHARE = 1.0  # after a burst, wait at most the time another would take to fill this share of the window
SILENCE = 3  # a silence must also be this many times the longest gap between the items known
MIN_SPAN = 3600.0  # seconds: the rate is read over at least this span
UNDATED = 3  # items sharing the oldest second: a batch stamped when first seen, not when published
HORIZON = WEEK_SLOTS  # slots looked ahead for the next poll (a week)
HINT_CAP = timedelta(days=1)  # a server hint (max-age, ttl, Retry-After) longer than this is read as this
JITTER = 0.1  # ± this share of the interval
JITTER_CAP = 60.0  # seconds: and at most this much


@dataclass(frozen=True)
class Cadence:
    """An interval in seconds and why it was chosen."""

    seconds: float
    reason: str


@dataclass(frozen=True)
class PublishingModel:
    """A feed's expected items per 5-minute slot, for the week from now (slot 0 starts now), and why."""

    ahead: np.ndarray  # HORIZON floats: expected items in each slot from now on
    rate: float  # items per hour on average (the flat rate, before a burst or silence)
    items: int  # items the model was read from
    shape: str  # "flat", "daily", "weekly", or a mix, for the reason shown in `sources list`
    event: str = ""  # "a burst (12 in 2 h)" or "silent for 3.0 d", when one overrides the history
    surge: float = 0.0  # the most items in an hour of a past burst (one the model did not expect), or 0


def _slots(seconds: np.ndarray) -> np.ndarray:
    """Week slot (0 = Monday 00:00-00:05 UTC) of each POSIX time."""
    return (np.floor((seconds - MONDAY) / SLOT).astype(np.int64)) % WEEK_SLOTS


def _smooth(values: np.ndarray, width: int) -> np.ndarray:
    """Circular moving sum over ±width slots."""
    if width == 0:
        return values
    padded = np.concatenate([values[-width:], values, values[:width]])
    sums = np.cumsum(np.concatenate([[0.0], padded]))
    return sums[2 * width + 1:] - sums[:-(2 * width + 1)]


def _fold(week: np.ndarray) -> np.ndarray:
    """A week of slots folded onto one day."""
    return week.reshape(7, DAY_SLOTS).sum(axis=0)


def _posix(published: Sequence[datetime] | np.ndarray) -> np.ndarray:
    """Publishing times as sorted POSIX seconds (a float array is taken as such)."""
    if isinstance(published, np.ndarray):
        return np.sort(published.astype(float))
    return np.sort(np.fromiter((t.timestamp() for t in published), dtype=float, count=len(published)))


def _exposure(start: float, t_now: float) -> np.ndarray:
    """How long each slot of the week was watched from `start` to now, weighted by age as items are:
    the middle of every slot back from now, a slot's occurrences a week apart (a geometric series)."""
    back = (_slots(np.array([t_now - SLOT / 2]))[0] - np.arange(WEEK_SLOTS)) % WEEK_SLOTS  # slots ago
    age = SLOT / 2 + back * SLOT
    occurrences = np.maximum(np.ceil(((t_now - SLOT / 2 - start) / SLOT - back) / WEEK_SLOTS), 0)
    ratio = 2.0 ** (-WEEK_SLOTS * SLOT / HALF_LIFE)
    return np.exp2(-age / HALF_LIFE) * (1 - ratio ** occurrences) / (1 - ratio)


def _known(times: np.ndarray, t_now: float) -> np.ndarray:
    """The sorted times of the last 8 weeks that say when an item was published. Left out: a batch of
    UNDATED or more items sharing the oldest second, as a feed without dates gives at its first fetch
    (the store stamps each with the time it was first seen; they were published at unknown times before)."""
    times = times[(times <= t_now) & (times >= t_now - HISTORY.total_seconds())]
    if times.size >= UNDATED and times[UNDATED - 1] == times[0]:
        times = times[np.searchsorted(times, times[0], side="right"):]
    return times


def publishing_model(published: Sequence[datetime] | np.ndarray, now: datetime) -> PublishingModel | None:
    """The model of the module docstring from the items' publishing times (datetimes, or POSIX seconds);
    None with no item in the last 8 weeks."""
    t_now = now.timestamp()
    times = _known(_posix(published), t_now)
    n = times.size
    if n == 0:
        return None
    gap = (t_now - times[0]) / max(n - 1, 1)
    # watched from one usual gap before the oldest item, and for at least an hour: one item published a
    # minute ago is not a rate of one a minute
    start = max(min(times[0] - gap, t_now - MIN_SPAN), t_now - HISTORY.total_seconds())
    weight = np.exp2(-(t_now - times) / HALF_LIFE)
    exposure = _exposure(start, t_now)  # how long each slot of the week was watched, weighted as items are
    counts = np.bincount(_slots(times), weights=weight, minlength=WEEK_SLOTS)
    flat = weight.sum() / max(exposure.sum(), 1e-9)  # items per slot
    slot = _slots(times)
    absolute = np.floor((times - MONDAY) / SLOT).astype(np.int64)  # sorted, as the times are
    cumulative = np.concatenate([[0.0], np.cumsum(weight)])
    shapes: list[tuple[str, np.ndarray, np.ndarray]] = []  # (name, shape over the week, shape at each item)
    daily: dict[int, np.ndarray] = {}
    daily_loo: dict[int, np.ndarray] = {}
    prior = np.ones(WEEK_SLOTS)  # each shape leans on the next coarser one; the coarsest on the flat rate
    prior_loo = np.ones(n)
    for period in ("daily", "weekly"):
        for width in sorted(WIDTHS, reverse=True):
            c = _smooth(counts, width)
            e = _smooth(exposure, width)
            if period == "daily":
                c, e = np.tile(_fold(c), 7), np.tile(_fold(e), 7)
            else:
                prior, prior_loo = daily[width], daily_loo[width]  # a slot of the week leans on the average day
            shape = (c + PRIOR * flat * prior) / (e + PRIOR) / flat
            # each item's slot read from the other days: without the items of its own occurrence of
            # the slot (within ±width of it: itself, and its burst if it came in one) and that occurrence
            own = (cumulative[np.searchsorted(absolute, absolute + width, side="right")]
                   - cumulative[np.searchsorted(absolute, absolute - width)])
            others = e[slot] - weight * (2 * width + 1)
            loo = np.where(others > 0, (c[slot] - own + PRIOR * flat * prior[slot])
                           / (np.maximum(others, 0) + PRIOR) / flat, prior[slot])
            loo = np.maximum(loo, 1e-6)
            # a shape is kept only when it predicts the items better than the shape it leans on, by more
            # than chance would (a Poisson feed's 5-minute slots are noise, a bulletin's are not)
            if float((weight * np.log(loo / prior_loo)).sum()) > EVIDENCE:
                shapes.append((f"{period} ±{width * 5} min", shape, loo))
            else:
                shape, loo = prior, prior_loo
            if period == "daily":
                daily[width], daily_loo[width] = prior, prior_loo = shape, loo
    if not shapes:
        shapes.append(("flat", np.ones(WEEK_SLOTS), np.ones(n)))
    mix = _mix([s[2] for s in shapes], weight)
    week_shape = mix[0] + sum(m * s[1] for m, s in zip(mix[1:], shapes))
    name = _shape_name(mix, [s[0] for s in shapes])
    first = int(_slots(np.array([t_now]))[0])
    # the slots ahead start now, not at the slot's start: each straddles two slots of the week
    into = ((t_now - MONDAY) % SLOT) / SLOT
    week = flat * week_shape[(first + np.arange(HORIZON + 1)) % WEEK_SLOTS]
    ahead = (1 - into) * week[:-1] + into * week[1:]
    # bursts are judged against the news day alone (the coarsest daily shape): the finer shapes and
    # the week's slots have seen too few days to tell a burst from the slot's own habit
    usual = flat * daily[max(WIDTHS)]
    model = PublishingModel(ahead, flat * 3600 / SLOT, n, name, surge=_surge(times, slot, usual))
    return _events(model, times, t_now, usual, flat * week_shape, first)


def _surge(times: np.ndarray, slot: np.ndarray, week_rate: np.ndarray) -> float:
    """The most items published within an hour that neither the model (the 03:00 edition) nor the
    feed's pace of those days (a busy fortnight) accounts for: a past burst, or 0. A feed that had
    one may have another, and its window must not roll over before the next poll."""
    hour = int(3600 // SLOT)
    index = np.arange(times.size)
    count = index - np.searchsorted(times, times - 3600) + 1  # items in the hour up to each item
    running = np.concatenate([[0.0], np.cumsum(np.concatenate([week_rate, week_rate]))])
    expected = running[slot + WEEK_SLOTS + 1] - running[slot + WEEK_SLOTS + 1 - hour]
    around = np.searchsorted(times, times + 11 * 3600, side="right") - np.searchsorted(times, times - 12 * 3600)
    pace = (around - count) / 23  # items an hour in the rest of that day
    burst = (count >= 5) & (count > 3 * np.maximum(expected, pace) + 3)
    return float(count[burst].max()) if burst.any() else 0.0


def _mix(likelihoods: list[np.ndarray], weight: np.ndarray, rounds: int = 30) -> np.ndarray:
    """Proportions of flat and each shape that best predict the items (EM, items weighted by recency)."""
    table = np.vstack([np.ones_like(likelihoods[0]), *likelihoods])  # components x items
    mix = np.full(len(table), 0.02)
    mix[0] = 1 - 0.02 * (len(table) - 1)  # with no evidence, flat: a shape must earn its share
    total = weight.sum()
    for _ in range(rounds):
        joint = mix[:, None] * table
        updated = (joint / joint.sum(axis=0) * weight).sum(axis=1) / total
        if np.abs(updated - mix).max() < 1e-3:
            return updated
        mix = updated
    return mix


def _shape_name(mix: np.ndarray, names: list[str]) -> str:
    parts = [("flat", mix[0])] + [(n, m) for n, m in zip(names, mix[1:])]
    parts = [(n, m) for n, m in parts if m >= 0.1]
    parts.sort(key=lambda p: -p[1])
    return ", ".join(f"{n} {m:.0%}" for n, m in parts)


def _poisson_tail(k: int, mu: float) -> float:
    """P(X >= k) for X ~ Poisson(mu)."""
    if k <= 0:
        return 1.0
    term, cdf = math.exp(-mu), 0.0
    for i in range(k):
        cdf += term
        term *= mu / (i + 1)
    return max(0.0, 1.0 - cdf)


def _events(model: PublishingModel, times: np.ndarray, t_now: float, usual: np.ndarray,
            week_rate: np.ndarray, first: int) -> PublishingModel:
    """The model with a burst (against the usual news day) or a silence (against the whole model),
    when one is too unlikely under the history."""
    back = np.arange(1, int(BURST_WINDOW / SLOT) + 1)
    expected = float(usual[(first - back) % WEEK_SLOTS].sum())
    lately = int((times > t_now - BURST_WINDOW).sum())
    if lately >= 3 and _poisson_tail(lately, expected) < SURPRISE:
        extra = (lately - expected) / (BURST_WINDOW / SLOT)  # items per slot above the model, now
        fade = np.exp(-(np.arange(HORIZON) + 0.5) * SLOT / BURST_FADE)
        return PublishingModel(model.ahead + extra * fade, model.rate, model.items, model.shape,
                               f"a burst ({lately} in 2 h)", model.surge)
    silence = t_now - times[-1]
    slots = int(silence // SLOT)
    quiet = float(week_rate[(first - 1 - np.arange(slots)) % WEEK_SLOTS].sum()) if slots else 0.0
    longest = float(np.diff(times).max()) if times.size > 1 else math.inf
    if silence > SILENCE * longest and math.exp(-quiet) < SURPRISE:  # the feed changed: it stopped
        per_slot = 1 / max(silence / SLOT, 1)
        return PublishingModel(np.full(HORIZON, per_slot), per_slot * 3600 / SLOT, model.items, "flat",
                               f"silent for {_span(silence)}", model.surge)
    return model


def _span(seconds: float) -> str:
    return f"{seconds / 3600:.1f} h" if seconds < 172800 else f"{seconds / 86400:.1f} d"


def adaptive_interval(published: Sequence[datetime] | np.ndarray, now: datetime, *, interval: float,
                      min_interval: float, max_interval: float, window: int = 0) -> Cadence:
    """The next interval for a feed from its items' publishing times (minutes in, seconds out);
    `window` is how many items the feed shows (0: unknown)."""
    lo, hi = min_interval * 60, max_interval * 60
    times = _posix(published)
    model = publishing_model(times, now)
    if model is None:
        if np.any((times <= now.timestamp()) & (times >= now.timestamp() - HISTORY.total_seconds())):
            return Cadence(interval * 60, "only items seen at once, without dates: the source's interval")
        if times.size or window > 0:
            return Cadence(hi, "nothing published in 8 weeks: max_interval")
        return Cadence(interval * 60, "nothing known yet: the source's interval")
    rate = model.ahead / SLOT * 3600  # items per hour in each slot ahead
    budget = min(max(3600 / max(model.rate, 1e-9), lo), hi) / 3600  # hours between polls: one per item
    reach = int(min(budget * 3600 / 2 // SLOT, HORIZON // 2))  # the rate as a poll every `budget` sees it
    coarse = _smooth(rate, reach)[:: max(reach, 1)] / (2 * reach + 1)
    # at least a share of what a poll is worth in a steady feed polled once per item: a budget that
    # cannot be spent where items come (a 30-minute edition) is not spent on the quiet hours; and at
    # most what a poll every max_interval is worth in a steady feed: more would stop the plan from ever
    # spending a poll to move a chain of max_interval polls to just after a weekly item
    price = max(_price(coarse, 1 / budget, lo / 3600, hi / 3600), FLOOR / (2 * model.rate))
    price = min(price, model.rate * (hi / 3600) ** 2 / 2)
    longest = hi
    if window > 1 and model.surge:  # a feed that had a burst: no wait in which one would fill its window
        longest = min(hi, max(lo, SURGE_SHARE * window / model.surge * 3600))
    if np.sqrt(2 * price / max(float(rate[: int(6 * 3600 // SLOT)].min()), 1e-12)) * 3600 <= lo:
        seconds = lo  # busy enough for the shortest interval all through the next hours
    else:
        lam, dt = _steps(model.ahead, budget * 3600)
        polls = _plan(lam, dt, price, lo, longest, window)
        seconds = polls[0] * dt if polls else longest
    reason = f"{model.rate:.2f} items/h over {model.items} items, {model.shape}"
    if model.event:
        reason += f"; {model.event}"
    if longest < hi:
        reason += f"; waits at most {_span(longest)} (a past burst of {model.surge:.0f} items in an hour)"
    seconds = min(max(seconds, lo), hi)
    if seconds in (lo, hi):
        reason += ", at min_interval" if seconds == lo else ", at max_interval"
    return Cadence(seconds, reason)


def _price(rate: np.ndarray, polls: float, lo: float, hi: float) -> float:
    """What a poll is worth (item-hours of delay) so that polls spent where the items come, about
    sqrt(2 price / rate) apart within lo..hi hours, number `polls` an hour over the week."""
    positive = np.maximum(rate, 1e-12)

    def per_hour(log_price: float) -> float:
        return float((1 / np.clip(np.sqrt(2 * 2.0 ** log_price / positive), lo, hi)).mean())

    low, high = -30.0, 12.0  # log2 of the price: from a tiny fraction of an item-hour to thousands
    if per_hour(high) >= polls:
        return 2.0 ** high
    while high - low > 0.05:  # fewer polls as the price rises: bisect
        mid = (low + high) / 2
        low, high = (mid, high) if per_hour(mid) > polls else (low, mid)
    return 2.0 ** high


def _steps(ahead: np.ndarray, budget: float) -> tuple[np.ndarray, float]:
    """The expected items per planning step over the plan's horizon, and the step in seconds: a dozen
    usual gaps or 6 hours ahead (at most 2 days), in at most ~200 steps of 1, 2.5, 5 or 10 minutes."""
    span = min(max(12 * budget, 6 * 3600.0), 2 * 86400.0)
    dt = min((step for step in (60.0, 150.0, SLOT, 2 * SLOT) if step * 200 >= span), default=2 * SLOT)
    n = int(span // dt)
    if dt < SLOT:  # a slot's items spread evenly over its steps
        parts = int(SLOT // dt)
        return np.repeat(ahead[: math.ceil(n / parts)] / parts, parts)[:n], dt
    group = int(dt // SLOT)
    return ahead[: n * group].reshape(n, group).sum(axis=1), dt


def _plan(lam: np.ndarray, dt: float, price: float, lo: float, hi: float, window: int) -> list[int]:
    """The steps at which to poll (the first is the next poll) that minimise the items' summed delay
    plus `price` per poll over the horizon (dynamic programming), polls min_interval..max_interval apart."""
    n = lam.size
    before = np.concatenate([[0.0], np.cumsum(lam)])  # items expected before step j
    moment = np.concatenate([[0.0], np.cumsum(np.arange(n) * lam)])
    i, j = np.arange(n + 1)[:, None], np.arange(n + 1)[None, :]
    # a poll at the start of step j after one at the start of step i sees the items of steps i..j-1,
    # each waiting (j - k - 0.5) steps: the cost of that interval, in item-hours
    cost = dt / 3600 * ((j - 0.5) * (before[None, :] - before[:, None]) - (moment[None, :] - moment[:, None]))
    shortest, longest = max(1, math.ceil(lo / dt - 1e-9)), max(1, int(hi // dt))
    allowed = (j - i >= shortest) & (j - i <= longest)
    if window > 1:  # never let the window roll over, unless even the shortest interval would
        allowed &= (before[None, :] - before[:, None] <= window / 2) | (j - i == shortest)
    cost = np.where(allowed, cost, np.inf)
    best = np.full(n + 1, np.inf)
    best[0] = 0.0
    came = np.zeros(n + 1, dtype=np.int64)
    for k in range(shortest, n + 1):
        options = best[:k] + cost[:k, k]
        came[k] = options.argmin()
        best[k] = options[came[k]] + price
    # the plan may end before the horizon: the items after its last poll wait to the horizon's end,
    # and the polls max_interval would still force there are charged (so the plan keeps its phase)
    last = np.arange(n + 1)
    tail = (dt / 3600 * ((n - 0.5) * (before[n] - before) - (moment[n] - moment))
            + price * np.maximum(np.ceil((n - last) / longest) - 1, 0))
    k = int(np.argmin(np.where(last >= shortest, best + tail, np.inf)))
    polls = []
    while k != 0:
        polls.append(k)
        k = int(came[k])
    return polls[::-1]


def apply_hints(cadence: Cadence, *, max_age: float | None = None, ttl: int | None = None,
                retry_after: float | None = None, rate_limited: bool = False,
                max_interval: float | None = None) -> tuple[Cadence, list[str]]:
    """Lengthen an interval to what the server asked; return it and the log lines for odd hints."""
    notes: list[str] = []
    cap = HINT_CAP.total_seconds()
    seconds, reason = cadence.seconds, cadence.reason
    hints = []
    if max_age is not None and max_age > 0:
        hints.append((max_age, f"Cache-Control max-age {max_age:g} s"))
    if ttl is not None:
        hints.append((ttl * 60.0, f"RSS ttl {ttl} min"))
    if retry_after is not None and retry_after <= 0:
        notes.append("Retry-After is in the past; ignored" + ("; the interval doubled as for a 429 without one"
                                                             if rate_limited else ""))
        retry_after = None
    if retry_after is not None:
        hints.append((retry_after, f"Retry-After {retry_after:.0f} s"))
    elif rate_limited:
        doubled = seconds * 2 if max_interval is None else min(seconds * 2, max_interval * 60)
        hints.append((doubled, "HTTP 429: interval doubled"))
    for wait, why in hints:
        if wait > cap:
            notes.append(f"{why} is more than a day; waiting a day")
            wait = cap
        if wait > seconds:
            seconds, reason = wait, why
    return Cadence(seconds, reason), notes


def jittered(cadence: Cadence, rng: random.Random) -> Cadence:
    """The interval moved by up to ±10% (at most a minute), so feeds of one host do not keep falling
    due together; small, because the plan puts a poll just after an item it expects."""
    shift = min(cadence.seconds * JITTER, JITTER_CAP) * rng.uniform(-1, 1)
    return Cadence(cadence.seconds + shift, cadence.reason)


def next_interval(published: Sequence[datetime] | np.ndarray, now: datetime, rng: random.Random, *,
                  interval: float, min_interval: float, max_interval: float, window: int = 0,
                  **hints) -> Cadence:
    """What `run` waits after fetching a feed: the adaptive interval, lengthened by the server's hints
    (`apply_hints` keywords), with jitter."""
    cadence = adaptive_interval(published, now, interval=interval, min_interval=min_interval,
                                max_interval=max_interval, window=window)
    if hints:
        cadence, _ = apply_hints(cadence, **hints)
    return jittered(cadence, rng)
