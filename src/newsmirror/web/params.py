"""Read and check request parameters; every bad value becomes a QueryError naming it (HTTP 400)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, UTC
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from urllib.parse import unquote_to_bytes

from starlette.exceptions import HTTPException
from starlette.requests import Request

from newsmirror.config import DEFAULT_TIMEZONE
from newsmirror.errors import QueryError
from newsmirror.chinese import SCRIPTS

__all__ = [
    "MAX_QUERY",
    "Reader",
    "NotFound",
    "read_reader",
    "script_from_languages",
    "check_utf8",
    "check_params",
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


class NotFound(HTTPException):
    """A 404 with its message for programs (English) and for readers (Chinese), and where to go back."""

    def __init__(self, message: str, zh: str, *, back: tuple[tuple[str, str], ...] = ()) -> None:
        super().__init__(404, message)
        self.zh = zh
        self.back = back  # (label, href) links shown on the error page


def _zone(name: str) -> ZoneInfo | None:
    if not name or len(name) > 64 or ".." in name or name.startswith("/"):
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


# Accept-Language tags that ask for Simplified Chinese: mainland China, Singapore, Malaysia, or zh-Hans.
_SIMPLIFIED_TAGS = ("zh-cn", "zh-sg", "zh-my", "zh-hans")
# One language range of Accept-Language with its optional weight: "zh-CN", "zh;q=0.9"
_LANGUAGE = re.compile(r"\s*([A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*|\*)\s*(?:;\s*q\s*=\s*([01](?:\.\d{0,3})?))?\s*")


def script_from_languages(header: str | None) -> str | None:
    """The script a browser's Accept-Language asks for: "hans" when its preferred Chinese is Simplified."""
    best: tuple[float, str] | None = None
    for part in (header or "")[:400].split(","):
        m = _LANGUAGE.fullmatch(part)
        if not m:
            continue
        tag, weight = m.group(1).lower(), float(m.group(2) or 1)
        if (tag == "zh" or tag.startswith("zh-")) and weight > 0 and (best is None or weight > best[0]):
            best = (weight, tag)
    if best is not None and best[1].startswith(_SIMPLIFIED_TAGS):
        return "hans"
    return None


def check_utf8(request: Request) -> None:
    """QueryError when the query string's percent-escapes are not UTF-8 (they would turn into U+FFFD)."""
    raw = request.scope.get("query_string", b"")
    if b"%" not in raw and raw.isascii():
        return
    try:
        unquote_to_bytes(raw.replace(b"+", b" ")).decode("utf-8")
    except UnicodeDecodeError:
        raise QueryError("the query string is not valid UTF-8; percent-encode its text as UTF-8",
                         zh="網址的查詢參數不是有效的 UTF-8 編碼；請以 UTF-8 編碼文字") from None


def read_reader(request: Request, *, api: bool = False) -> Reader:
    """The reader's timezone and script from ?tz= / ?script= (remembered in cookies) or the cookies.

    A first visit (no ?script=, no cookie) whose Accept-Language prefers Simplified Chinese gets the
    Simplified interface. The API (`api=True`) takes the script from ?script= only and sets no cookie."""
    check_utf8(request)
    cookies: list[tuple[str, str]] = []
    tz_param = request.query_params.get("tz")
    if tz_param is not None:
        tz = _zone(tz_param)
        if tz is None:
            raise QueryError(f"tz {tz_param[:64]!r} is not a timezone; use an IANA name such as Asia/Taipei",
                             zh=f"「{tz_param[:64]}」不是時區；請用 IANA 名稱，例如 Asia/Taipei")
        cookies.append(("tz", tz.key))
    else:
        tz = (None if api else _zone(request.cookies.get("tz", ""))) or ZoneInfo(DEFAULT_TIMEZONE)
    script_param = request.query_params.get("script")
    if script_param is not None:
        if script_param not in (*SCRIPTS, "orig"):
            raise QueryError(f"script {script_param[:20]!r} is not one of hant, hans, orig",
                             zh=f"script「{script_param[:20]}」不是 hant、hans、orig 之一")
        cookies.append(("script", script_param))
        script = None if script_param == "orig" else script_param
    elif api:
        script = None
    else:
        cookie = request.cookies.get("script")
        if cookie in (*SCRIPTS, "orig"):
            script = None if cookie == "orig" else cookie
        else:
            script = script_from_languages(request.headers.get("accept-language"))
    return Reader(tz=tz, script=script, set_cookies=() if api else tuple(cookies))


def _get(request: Request, name: str) -> str | None:
    value = request.query_params.get(name)
    if value is not None and len(value) > MAX_PARAM:
        raise QueryError(f"{name} is too long ({len(value)} characters)",
                         zh=f"參數 {name} 太長（{len(value)} 個字元）")
    return value


def parse_int(request: Request, name: str, default: int, lo: int, hi: int) -> int:
    """An integer parameter within [lo, hi]; missing means `default`."""
    raw = _get(request, name)
    if raw is None or raw == "":
        return default
    text = raw.strip()
    if not re.fullmatch(r"[+-]?\d+", text) or not text.isascii():
        raise QueryError(f"{name} {raw[:20]!r} is not a whole number",
                         zh=f"參數 {name} 的值「{raw[:20]}」不是整數")
    value = int(text)
    if not lo <= value <= hi:
        shown = text if len(text) <= 20 else text[:20] + "…"
        raise QueryError(f"{name} {shown} is out of range; use {lo} to {hi}",
                         zh=f"參數 {name} 的值 {shown} 超出範圍；請用 {lo} 到 {hi}")
    return value


def parse_day(text: str) -> date:
    """A calendar day written YYYY-MM-DD."""
    if not _DAY.fullmatch(text):
        raise QueryError(f"day {text[:20]!r} is not a date; write it as YYYY-MM-DD",
                         zh=f"「{text[:20]}」不是日期；請寫成 YYYY-MM-DD（例如 2025-09-10）")
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise QueryError(f"day {text!r} does not exist", zh=f"沒有 {text} 這一天") from None
    if not MIN_YEAR <= day.year <= MAX_YEAR:  # a day's bounds in any timezone must stay representable
        raise QueryError(f"day {text!r} is out of range; use a year from {MIN_YEAR} to {MAX_YEAR}",
                         zh=f"日期 {text} 超出範圍；年份請用 {MIN_YEAR} 到 {MAX_YEAR}")
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
        raise QueryError(f"{name} {raw[:40]!r} is not a date; use YYYY-MM-DD or an ISO 8601 time",
                         zh=f"參數 {name} 的值「{raw[:40]}」不是日期；請用 YYYY-MM-DD 或 ISO 8601 時間") from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=tz)
    if not MIN_YEAR <= when.year <= MAX_YEAR:
        raise QueryError(f"{name} {raw[:40]!r} is out of range",
                         zh=f"參數 {name} 的值「{raw[:40]}」超出範圍")
    return when.astimezone(UTC)


def parse_query(request: Request, name: str = "q", *, required: bool = True) -> str:
    """A search query: non-empty, at most MAX_QUERY characters, no control characters."""
    raw = request.query_params.get(name)
    q = (raw or "").strip()
    if not q:
        if required:
            raise QueryError("search query is empty; type a word to search for", zh="搜尋字詞是空的；請輸入要找的字詞")
        return ""
    if len(q) > MAX_QUERY:
        raise QueryError(f"search query is too long ({len(q)} characters; at most {MAX_QUERY})",
                         zh=f"搜尋字詞太長（{len(q)} 個字，最多 {MAX_QUERY} 個）")
    if any(ord(c) < 32 or 0xD800 <= ord(c) <= 0xDFFF for c in q):
        raise QueryError("search query contains control characters", zh="搜尋字詞含有控制字元")
    return q


def check_params(request: Request, allowed: tuple[str, ...]) -> None:
    """QueryError naming every query parameter `allowed` does not list, or any given twice (the API's
    parameters are exact: `limit=1&limit=2` is not silently read as one of them)."""
    keys = [k for k, _ in request.query_params.multi_items()]
    unknown = sorted({k for k in keys if k not in allowed})
    if unknown:
        names = ", ".join(n[:40] for n in unknown[:10])
        takes = ", ".join(allowed) if allowed else "no parameters"
        raise QueryError(f"unknown parameter(s) {names}; this endpoint takes {takes}",
                         zh=f"不認得的參數：{names}；" + (f"這裡可用的參數是 {'、'.join(allowed)}" if allowed
                                                       else "這裡不接受任何參數"))
    twice = sorted({k for k in keys if keys.count(k) > 1})
    if twice:
        names = ", ".join(twice)
        raise QueryError(f"parameter(s) {names} given more than once; give each once",
                         zh=f"參數 {names} 重複出現；每個參數只能給一次")
