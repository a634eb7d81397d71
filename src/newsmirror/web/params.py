"""Read and check request parameters; every bad value becomes a QueryError naming it (HTTP 400)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, UTC
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from starlette.requests import Request

from newsmirror.config import DEFAULT_TIMEZONE
from newsmirror.errors import QueryError
from newsmirror.web.script import SCRIPTS

__all__ = [
    "MAX_QUERY",
    "Reader",
    "read_reader",
    "parse_int",
    "parse_day",
    "day_bounds",
    "parse_when",
    "parse_query",
]

MAX_QUERY = 200  # characters in a search query
MAX_PARAM = 400  # characters in any other parameter value
MIN_YEAR, MAX_YEAR = 1970, 9998
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class Reader:
    """Who is reading: their timezone and script choice (None = as stored), and cookies to set."""

    tz: ZoneInfo
    script: str | None
    set_cookies: tuple[tuple[str, str], ...] = ()

    @property
    def tz_name(self) -> str:
        return self.tz.key


def _zone(name: str) -> ZoneInfo | None:
    if not name or len(name) > 64 or ".." in name or name.startswith("/"):
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def read_reader(request: Request) -> Reader:
    """The reader's timezone and script from ?tz= / ?script= (remembered in cookies) or the cookies."""
    cookies: list[tuple[str, str]] = []
    tz_param = request.query_params.get("tz")
    if tz_param is not None:
        tz = _zone(tz_param)
        if tz is None:
            raise QueryError(f"tz {tz_param[:64]!r} is not a timezone; use an IANA name such as Asia/Taipei")
        cookies.append(("tz", tz.key))
    else:
        tz = _zone(request.cookies.get("tz", "")) or ZoneInfo(DEFAULT_TIMEZONE)
    script_param = request.query_params.get("script")
    if script_param is not None:
        if script_param not in (*SCRIPTS, "orig"):
            raise QueryError(f"script {script_param[:20]!r} is not one of hant, hans, orig")
        cookies.append(("script", script_param))
        script = None if script_param == "orig" else script_param
    else:
        cookie = request.cookies.get("script")
        script = cookie if cookie in SCRIPTS else None
    return Reader(tz=tz, script=script, set_cookies=tuple(cookies))


def _get(request: Request, name: str) -> str | None:
    value = request.query_params.get(name)
    if value is not None and len(value) > MAX_PARAM:
        raise QueryError(f"{name} is too long ({len(value)} characters)")
    return value


def parse_int(request: Request, name: str, default: int, lo: int, hi: int) -> int:
    """An integer parameter within [lo, hi]; missing means `default`."""
    raw = _get(request, name)
    if raw is None or raw == "":
        return default
    if not re.fullmatch(r"[+-]?\d{1,9}", raw.strip()):
        raise QueryError(f"{name} {raw[:20]!r} is not a whole number")
    value = int(raw)
    if not lo <= value <= hi:
        raise QueryError(f"{name} {value} is out of range; use {lo} to {hi}")
    return value


def parse_day(text: str) -> date:
    """A calendar day written YYYY-MM-DD."""
    if not _DAY.fullmatch(text):
        raise QueryError(f"day {text[:20]!r} is not a date; write it as YYYY-MM-DD")
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise QueryError(f"day {text!r} does not exist") from None
    if not MIN_YEAR <= day.year <= MAX_YEAR:  # a day's bounds in any timezone must stay representable
        raise QueryError(f"day {text!r} is out of range; use a year from {MIN_YEAR} to {MAX_YEAR}")
    return day


def day_bounds(day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """[start, end) of a local calendar day, in UTC."""
    start = datetime.combine(day, time(0), tzinfo=tz)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz)
    return start.astimezone(UTC), end.astimezone(UTC)


def parse_when(request: Request, name: str, tz: ZoneInfo, *, end_of_day: bool = False) -> datetime | None:
    """A date (YYYY-MM-DD, local to the reader) or ISO datetime parameter, as aware UTC; None if absent."""
    raw = _get(request, name)
    if raw is None or raw.strip() == "":
        return None
    raw = raw.strip()
    if _DAY.fullmatch(raw):
        start, end = day_bounds(parse_day(raw), tz)
        return end if end_of_day else start
    try:
        when = datetime.fromisoformat(raw.replace("Z", "+00:00") if raw.endswith("Z") else raw)
    except ValueError:
        raise QueryError(f"{name} {raw[:40]!r} is not a date; use YYYY-MM-DD or an ISO 8601 time") from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=tz)
    if not MIN_YEAR <= when.year <= MAX_YEAR:
        raise QueryError(f"{name} {raw[:40]!r} is out of range")
    return when.astimezone(UTC)


def parse_query(request: Request, name: str = "q", *, required: bool = True) -> str:
    """A search query: non-empty, at most MAX_QUERY characters, no control characters."""
    raw = request.query_params.get(name)
    q = (raw or "").strip()
    if not q:
        if required:
            raise QueryError("search query is empty; type a word to search for")
        return ""
    if len(q) > MAX_QUERY:
        raise QueryError(f"search query is too long ({len(q)} characters; at most {MAX_QUERY})")
    if any(ord(c) < 32 or 0xD800 <= ord(c) <= 0xDFFF for c in q):
        raise QueryError("search query contains control characters")
    return q
