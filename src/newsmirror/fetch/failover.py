"""Which URL of a feed to fetch: the primary, or an alternate while the primary fails.

A source may list alternate URLs per feed (a mirror of the official feed, an RSSHub route, a second
official URL). When the URL in use fails `failover_after` times in a row, the next one in the list
(primary, alternate 1, alternate 2 ..., round again) is used and the switch is logged. While an
alternate is in use, the primary is tried again every PRIMARY_RETRY: first in that round, with the
alternate as the fallback, and it is switched back to as soon as it answers.
Pure functions over models.FeedSchedule, so a fetch worker can use them as they are.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from newsmirror.models import FeedSchedule

__all__ = ["PRIMARY_RETRY", "urls_to_try", "after_fetch"]

PRIMARY_RETRY = timedelta(hours=2)  # while on an alternate, how often the primary is tried again


def urls_to_try(primary: str, schedule: FeedSchedule | None, now: datetime) -> list[str]:
    """The URLs to fetch this round, in order, stopping at the first that works.

    Normally one: the URL in use. While an alternate is in use and the primary is due for another
    try, the primary first, then the alternate."""
    active = schedule.active_url if schedule else None
    if not active or active == primary:
        return [primary]
    if schedule and schedule.primary_retry is not None and schedule.primary_retry <= now:
        return [primary, active]
    return [active]


def after_fetch(primary: str, alternates: tuple[str, ...], schedule: FeedSchedule, *, fetched: str, ok: bool,
                failures: int, failover_after: int, now: datetime) -> tuple[FeedSchedule, str | None]:
    """The schedule after fetching `fetched` (ok or not; `failures` in a row for that URL now), and the
    log line when the URL in use changed."""
    urls = (primary, *alternates)
    active = schedule.active_url or primary
    if ok:
        if fetched == primary and active != primary:
            back = replace(schedule, active_url=None, switched_at=now, primary_retry=None)
            return back, f"feed {primary} answers again; back from {active} to the primary"
        if fetched != active:  # an alternate that worked while another was in use
            return replace(schedule, active_url=fetched, switched_at=now), None
        return schedule, None
    if fetched == primary and active != primary:  # the retried primary still fails: keep the alternate
        return replace(schedule, primary_retry=now + PRIMARY_RETRY), None
    if failures < failover_after or len(urls) < 2:
        return schedule, None
    following = urls[(urls.index(fetched) + 1) % len(urls)] if fetched in urls else primary
    if following == fetched:
        return schedule, None
    switched = replace(schedule, active_url=None if following == primary else following, switched_at=now,
                       primary_retry=None if following == primary else now + PRIMARY_RETRY)
    return switched, f"feed {fetched} failed {failures} times in a row; switching to {following}"
