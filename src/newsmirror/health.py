"""The health of feeds and outlets, as `sources list`, the web Sources page and `run`'s log show it.

- A feed is failing while its URL in use has failed in a row (`consecutive_failures`).
- A feed is stale when it has published nothing for STALE_FACTOR (5) times its usual interval: the
  mean gap between its last items.
- An extraction regression alarm: an outlet whose share of pages extracted as articles with a byline
  and a date over the last day falls below half its own share over the 7 days before. That is what
  an outlet's redesign looks like from here.
Rows come sorted failing first, then stale, then by source, so trouble is on top.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from newsmirror.models import Source

__all__ = ["STALE_FACTOR", "FeedHealth", "feed_health", "usual_gap", "ExtractionAlarm", "extraction_alarms"]

STALE_FACTOR = 5
STALE_ITEMS = 50  # the last items whose gaps make the usual interval
ALARM_RECENT = timedelta(days=1)
ALARM_BASELINE = timedelta(days=7)
ALARM_MIN_RECENT = 5  # pages in the last day before an alarm can be raised
ALARM_MIN_BASELINE = 10  # pages in the 7 days before
ALARM_MIN_SHARE = 0.4  # an outlet that rarely gives bylines and dates cannot drop "sharply"
ALARM_DROP = 0.5  # the last day's share below this fraction of the baseline's


def usual_gap(published: list[datetime]) -> timedelta | None:
    """The mean gap between a feed's last items (newest first), or None with fewer than three."""
    items = sorted(published[:STALE_ITEMS], reverse=True)
    if len(items) < 3 or items[0] == items[-1]:
        return None
    return (items[0] - items[-1]) / (len(items) - 1)


@dataclass(frozen=True)
class FeedHealth:
    """One feed's health: what `sources list` prints and the Sources page shows."""

    source: str
    url: str  # as sources.toml lists it
    current_url: str  # the URL in use: the primary or an alternate
    last_fetch: datetime | None = None
    last_ok: datetime | None = None
    last_status: int | None = None
    last_error: str | None = None
    consecutive_failures: int = 0
    items_seen: int = 0
    newest: datetime | None = None  # the newest item's publishing time
    usual: timedelta | None = None  # the usual gap between its items
    stale: bool = False
    next_due: datetime | None = None
    interval: float | None = None  # seconds, as `run` chose it
    interval_reason: str = ""

    @property
    def failing(self) -> bool:
        return self.consecutive_failures > 0

    @property
    def on_alternate(self) -> bool:
        return self.current_url != self.url

    def as_dict(self, zone: tzinfo | None = None) -> dict:
        """The JSON form; times ISO 8601 in `zone` (the source's) with their offset."""
        def iso(value: datetime | None) -> str | None:
            return (value.astimezone(zone) if zone else value).isoformat() if value else None

        return {
            "source": self.source, "url": self.url, "current_url": self.current_url,
            "last_fetch": iso(self.last_fetch), "last_success": iso(self.last_ok), "status": self.last_status,
            "last_error": self.last_error, "consecutive_failures": self.consecutive_failures,
            "items_seen": self.items_seen, "newest": iso(self.newest),
            "usual_interval_s": round(self.usual.total_seconds()) if self.usual else None, "stale": self.stale,
            "next_due": iso(self.next_due), "interval_s": round(self.interval) if self.interval else None,
            "interval_reason": self.interval_reason or None,
        }


def feed_health(store, sources: list[Source], now: datetime) -> list[FeedHealth]:
    """Every feed of `sources`, failing first, then stale, then by source and URL."""
    states = {s.url: s for s in store.feed_states()}
    schedules = {s.url: s for s in store.feed_schedules()}
    rows = []
    for source in sources:
        for url in source.feeds:
            schedule = schedules.get(url)
            current = (schedule.active_url if schedule and schedule.active_url else url)
            state = states.get(current)
            published = store.recent_published(url, since=now - timedelta(days=90), limit=STALE_ITEMS)
            usual = usual_gap(published)
            newest = published[0] if published else None
            stale = bool(usual and newest and now - newest > STALE_FACTOR * usual)
            rows.append(FeedHealth(
                source=source.name, url=url, current_url=current,
                last_fetch=state.last_fetch if state else None, last_ok=state.last_ok if state else None,
                last_status=state.last_status if state else None, last_error=state.last_error if state else None,
                consecutive_failures=state.consecutive_failures if state else 0,
                items_seen=state.items_seen if state else 0, newest=newest, usual=usual, stale=stale,
                next_due=schedule.next_due if schedule else None, interval=schedule.interval if schedule else None,
                interval_reason=schedule.reason if schedule else "",
            ))
    rows.sort(key=lambda h: (not h.failing, not h.stale, h.source, h.url))
    return rows


@dataclass(frozen=True)
class ExtractionAlarm:
    """An outlet whose pages stopped extracting as complete articles (a redesign?)."""

    source: str
    recent_pages: int
    recent_share: float
    baseline_pages: int
    baseline_share: float

    def line(self) -> str:
        return (f"{self.source}: {self.recent_share:.0%} of the last day's {self.recent_pages} pages extracted with "
                f"byline and date, against {self.baseline_share:.0%} of {self.baseline_pages} the 7 days before; "
                f"check its pages with 'newsmirror extract URL'")


def extraction_alarms(store, now: datetime) -> list[ExtractionAlarm]:
    """Outlets whose last day's share of complete extractions dropped below half their previous 7 days'."""
    recent = {s: (n, ok) for s, n, ok in store.page_quality(since=now - ALARM_RECENT, until=now + timedelta(minutes=1))}
    base = {s: (n, ok) for s, n, ok in store.page_quality(since=now - ALARM_RECENT - ALARM_BASELINE,
                                                            until=now - ALARM_RECENT)}
    alarms = []
    for source, (n, ok) in recent.items():
        bn, bok = base.get(source, (0, 0))
        if n < ALARM_MIN_RECENT or bn < ALARM_MIN_BASELINE:
            continue
        share, bshare = ok / n, bok / bn
        if bshare >= ALARM_MIN_SHARE and share < bshare * ALARM_DROP:
            alarms.append(ExtractionAlarm(source, n, share, bn, bshare))
    return alarms
