"""Dates and times as Chinese-language news pages print them, read into aware datetimes.

Pages write dates many ways: `2019年9月5日 11:10`, `2016/03/19 10:48`, ROC years (`105年3月19日`,
`民國105年`), relative stamps (`昨天 18:02`, `3小時前`, `剛剛`), month-day without a year, ISO-8601,
RFC 2822, English (`Sep 4, 2025`), full-width digits and 上午/下午 clocks. `find_dates` scans free
text with compiled regexes; `parse_date` reads one expression. Zone-less values are read in the
source's timezone; explicit zones are kept.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from email.utils import parsedate_to_datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = ["DateMatch", "edition_day", "find_dates", "find_url_dates", "parse_date", "place_yearless"]

MIN_YEAR = 1990
ROC_OFFSET = 1911


@dataclass(frozen=True)
class DateMatch:
    """One date expression found in text: its value and where it sits (offsets into the text)."""

    value: datetime
    start: int
    end: int
    has_time: bool
    has_year: bool = True  # False for `10-08 12:00`, `9月4日`, `昨天`: the year came from the reference


# Full-width forms map one character to one character, so offsets stay valid.
_WIDTH = str.maketrans(
    "０１２３４５６７８９：／－．，＋　ＡＭＰＭＴＺ",
    "0123456789:/-.,+ AMPMTZ",
)

# `格林尼治标准时间10:41` (BBC), `北京时间 15:10`: a zone named before the clock.
_ZONE_BEFORE = (
    r"(?P<zone0>(?:格林尼治|格林威治)(?:標準|标准)?(?:時間|时间)|(?:台北|臺北|北京|香港)(?:時間|时间)|GMT|UTC)?\s*"
)
_AMPM = r"(?P<ampm>上午|下午|早上|早晨|清晨|凌晨|中午|午後|傍晚|晚上|晚間|晚间|夜間|夜间)?"
_ZONE = (
    r"(?:(?P<zone>(?<=\d)Z(?![A-Za-z])|\s*[+-]\d{2}:?\d{2}(?!\d)"
    r"|\s*(?:GMT|UTC|UT)(?:\s*[+-]\s*\d{1,2}(?::?\d{2})?)?(?![A-Za-z])"
    r"|\s*(?:PST|PDT|PT|EST|EDT|ET|BST|CET|CEST|HKT|SGT|JST|KST)(?![A-Za-z])"
    r"|\s*[(]\s*(?:台北|臺北|北京|香港)(?:時間|时间)\s*[)]"
    r"|\s*（\s*(?:台北|臺北|北京|香港)(?:時間|时间)\s*）))?"
)
_CLOCK = (
    _ZONE_BEFORE + _AMPM + r"\s*"
    r"(?P<hour>\d{1,2})\s*(?::|[時时点點])\s*(?P<minute>\d{1,2})(?!\d)\s*分?"
    r"(?::(?P<second>\d{1,2})(?:[.,]\d+)?|\s*(?P<second2>\d{1,2})\s*秒)?"
    r"(?:\s*(?P<ampm2>[AaPp]\.?[Mm]\.?(?![A-Za-z])|上午|下午|晚上|早上|凌晨))?"  # `4:35 PM`, `4:35 下午` (WordPress zh)
    + _ZONE
)
# Between a date and its clock: nothing, spaces, T, a comma, "at", a dash (`23/11/2026 - 10:02`) or a
# zone abbreviation (`2026-11-23 HKT 10:02`).
_TIME = (r"(?:(?:\s*|\s*T|\s*,\s*|\s+at\s+|\s*[-–]\s*(?=\d{1,2}:\d{2})|\s*(?P<zone1>HKT|SGT|JST|KST)\s*(?=\d{1,2}:\d{2}))"
         + _CLOCK + r")?")
_WEEKDAY = (
    r"(?:\s*[(（]\s*(?:星期|週|周|禮拜|礼拜)?[一二三四五六日天]\s*[)）]"
    r"|\s*(?:星期|週|周|禮拜|礼拜)[一二三四五六日天])?"
)
_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}
_MON = (
    r"(?P<mon>Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)
_ENGLISH_DAY = r"(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*\.?,?\s*)?"

# A day ends at a non-digit, or runs straight into a two-digit clock (`2019-10-0812:00`).
_DAY_END = r"(?:(?!\d)|(?<=\d\d)(?=\d\d:\d\d))"
_CJK_DATE = re.compile(
    r"(?P<roc>中華民國|中华民国|民國|民国)?\s*(?<!\d)(?P<year>\d{2,4})\s*年\s*"
    r"(?:(?P<month>\d{1,2})\s*月\s*(?:(?P<day>\d{1,2})\s*[日號号])?)?" + _WEEKDAY + _TIME,
    re.IGNORECASE,
)
_NUM_DATE = re.compile(
    r"(?<![\d.])(?P<year>\d{4})(?P<sep>[-/.])(?P<month>\d{1,2})(?P=sep)(?P<day>\d{1,2})" + _DAY_END
    + _WEEKDAY + _TIME,
    re.IGNORECASE,
)
_ROC_NUM_DATE = re.compile(
    r"(?<![\d./])(?P<year>\d{2,3})/(?P<month>\d{2})/(?P<day>\d{2})(?![\d/])" + _WEEKDAY + _TIME,
    re.IGNORECASE,
)
_MONTH_DAY = re.compile(
    r"(?<![\d年])(?P<month>\d{1,2})\s*月\s*(?P<day>\d{1,2})\s*[日號号]" + _WEEKDAY + _TIME,
    re.IGNORECASE,
)
_SLASH_MONTH_DAY = re.compile(
    r"(?<![\d/.-])(?<!\d:)(?P<month>\d{1,2})[/-](?P<day>\d{1,2})(?:(?![\d/-])|(?<=[-/]\d\d)(?=\d\d:\d\d))" + _WEEKDAY + _TIME, re.IGNORECASE
)
_SHORT_YEAR_DATE = re.compile(
    r"(?<![\d/.-])(?<!\d:)(?P<year>\d{2})-(?P<month>\d{2})-(?P<day>\d{2})(?:(?![\d-])|(?=\d\d:\d\d))" + _WEEKDAY + _TIME, re.IGNORECASE
)
# `23/11/2026`, the European `23.11.2026` (DW, RFI) and `23-11-2026` (HKEJ): day first.
_DAY_FIRST_DATE = re.compile(
    r"(?<![\d/.-])(?<!\d:)(?P<day>\d{1,2})(?P<dsep>[/.-])(?P<month>\d{1,2})(?P=dsep)(?P<year>\d{4})(?![\d/-]|\.\d)"
    + _WEEKDAY + _TIME, re.IGNORECASE
)
_EN_MDY = re.compile(
    r"(?<![A-Za-z])" + _ENGLISH_DAY + _MON + r"\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<year>\d{4})(?!\d)"
    + _TIME,
    re.IGNORECASE,
)
_EN_DMY = re.compile(
    r"(?<![A-Za-z\d])" + _ENGLISH_DAY + r"(?P<day>\d{1,2})\s+" + _MON + r",?\s+(?P<year>\d{4})(?!\d)" + _TIME,
    re.IGNORECASE,
)
_RELATIVE_DAY = re.compile(r"(?P<word>今天|今日|昨天|昨日|前天|昨晚|今晨|今早)" + _TIME)
_AGO = re.compile(
    r"(?P<n>\d+|半|一|兩|两)\s*(?:個|个)?\s*(?P<unit>秒鐘|秒钟|秒|分鐘|分钟|小時|小时|天|日|週|周|星期)\s*(?:之)?前"
)
_TIME_ONLY = re.compile(r"(?<![\d:])" + _CLOCK, re.IGNORECASE)
_JUST_NOW = re.compile(r"剛剛|刚刚|剛才|刚才|just now", re.IGNORECASE)

_SMALL_NUMBERS = {"半": 0.5, "一": 1, "兩": 2, "两": 2}
_UNIT_SECONDS = {
    "秒": 1, "秒鐘": 1, "秒钟": 1, "分鐘": 60, "分钟": 60, "小時": 3600, "小时": 3600,
    "天": 86400, "日": 86400, "週": 604800, "周": 604800, "星期": 604800,
}
_DAY_OFFSETS = {"今天": 0, "今日": 0, "今晨": 0, "今早": 0, "昨天": 1, "昨日": 1, "昨晚": 1, "前天": 2}
_PM_WORDS = {"下午", "午後", "傍晚", "晚上", "晚間", "晚间", "夜間", "夜间"}
_AM_WORDS = {"上午", "早上", "早晨", "清晨", "凌晨"}
# Zone abbreviations news pages print beside a clock; the ambiguous CST (China or US Central) is left out.
# A summer/winter abbreviation names the place's zone, which knows its own daylight saving.
_ABBR_ZONES = {"HKT": ZoneInfo("Asia/Hong_Kong"), "SGT": ZoneInfo("Asia/Singapore"), "JST": ZoneInfo("Asia/Tokyo"),
               "KST": ZoneInfo("Asia/Seoul"), "ET": ZoneInfo("America/New_York"), "EST": ZoneInfo("America/New_York"),
               "EDT": ZoneInfo("America/New_York"), "PT": ZoneInfo("America/Los_Angeles"),
               "PST": ZoneInfo("America/Los_Angeles"), "PDT": ZoneInfo("America/Los_Angeles"),
               "BST": ZoneInfo("Europe/London"), "CET": ZoneInfo("Europe/Paris"), "CEST": ZoneInfo("Europe/Paris")}
_NAMED_ZONES = {"台北": "Asia/Taipei", "臺北": "Asia/Taipei", "北京": "Asia/Shanghai", "香港": "Asia/Hong_Kong"}


def _zone(name: str) -> tzinfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return timezone(timedelta(hours=8))


def _explicit_zone(text: str | None) -> tzinfo | None:
    """The tzinfo an explicit zone marker names (`+08:00`, `Z`, `GMT+8`, `(台北時間)`), else None."""
    if not text:
        return None
    z = text.strip().strip("()（）").strip()
    if z.upper() in _ABBR_ZONES:
        return _ABBR_ZONES[z.upper()]
    for city, name in _NAMED_ZONES.items():
        if z.startswith(city):
            return ZoneInfo(name)
    if z.startswith(("格林尼治", "格林威治")):
        return UTC
    if z == "Z":
        return UTC
    m = re.fullmatch(r"(?:GMT|UTC|UT)?\s*(?:([+-])\s*(\d{1,2}):?(\d{2})?)?", z, re.IGNORECASE)
    if not m:
        return None
    if not m.group(1):
        return UTC
    hours, minutes = int(m.group(2)), int(m.group(3) or 0)
    if hours > 14 or minutes > 59:
        return None
    sign = -1 if m.group(1) == "-" else 1
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def _clock(m: re.Match[str]) -> tuple[int, int, int] | None:
    """Hour, minute, second of the time part of a match, or None when it has none or is invalid."""
    if m.group("hour") is None:
        return None
    hour, minute = int(m.group("hour")), int(m.group("minute"))
    second = int(m.group("second") or m.group("second2") or 0)
    ampm = m.group("ampm")
    ampm2 = (m.group("ampm2") or "").replace(".", "").lower()
    ampm = ampm or (ampm2 if ampm2 in _PM_WORDS or ampm2 in _AM_WORDS else None)
    if ampm in _PM_WORDS or ampm2 == "pm":
        if hour < 12:
            hour += 12
    elif ampm == "中午":
        if hour < 11:
            hour += 12
    elif (ampm in _AM_WORDS or ampm2 == "am") and hour == 12:
        hour = 0
    if hour == 24 and minute == 0:
        hour = 23
        minute, second = 59, 59
    if hour > 23 or minute > 59 or second > 60:
        return None
    return hour, minute, min(second, 59)


def _build(
    year: int, month: int, day: int, m: re.Match[str], zone: tzinfo, reference: datetime
) -> tuple[datetime, bool] | None:
    if not (MIN_YEAR <= year <= reference.year + 1):
        return None
    try:
        d = date(year, month, day)
    except ValueError:
        return None
    clock = _clock(m)  # an impossible clock (25:10) leaves the date alone
    abbr = m.groupdict().get("zone1")
    explicit = (_ABBR_ZONES[abbr.upper()] if abbr else _explicit_zone(m.group("zone") or m.group("zone0"))) if clock else None
    h, mi, s = clock or (0, 0, 0)
    value = datetime(d.year, d.month, d.day, h, mi, s, tzinfo=explicit or zone)
    return value, clock is not None


def _time_end(m: re.Match[str], has_time: bool = True) -> int:
    """End of the match without trailing spaces the optional groups swallowed (or its time part)."""
    end = m.end()
    if not has_time and "hour" in m.re.groupindex and m.group("hour") is not None:
        end = next(m.start(g) for g in ("zone1", "zone0", "ampm", "hour") if g in m.re.groupindex and m.group(g))
    while end > m.start() and m.string[end - 1].isspace():
        end -= 1
    return end


def _scan(text: str, zone: tzinfo, reference: datetime, loose: bool) -> list[DateMatch]:
    s = text.translate(_WIDTH)
    found: list[DateMatch] = []

    def add(m: re.Match[str], built: tuple[datetime, bool] | None, start: int | None = None,
            has_year: bool = True) -> None:
        if built is not None:
            found.append(DateMatch(built[0], m.start() if start is None else start, _time_end(m, built[1]),
                                   built[1], has_year))

    for m in _CJK_DATE.finditer(s):
        year = int(m.group("year"))
        roc = m.group("roc") is not None
        if len(m.group("year")) < 4:
            if not (roc or m.group("month")):
                continue
            year += ROC_OFFSET
        elif roc:
            continue
        partial = m.group("month") is None or m.group("day") is None
        # `民國105年`, `2019年6月`: only whole-string reads, and only with a month or an ROC marker.
        if partial and (not loose or not (roc or m.group("month")) or m.group("hour") is not None):
            continue
        month = int(m.group("month") or 1)
        day = int(m.group("day") or 1)
        start = m.start("roc") if roc else m.start("year")
        add(m, _build(year, month, day, m, zone, reference), start)
    for pattern in (_NUM_DATE, _EN_MDY, _EN_DMY):
        for m in pattern.finditer(s):
            month = _MONTHS[m.group("mon")[:3].lower()] if "mon" in m.re.groupindex else int(m.group("month"))
            add(m, _build(int(m.group("year")), month, int(m.group("day")), m, zone, reference))
    for m in _SHORT_YEAR_DATE.finditer(s):
        if m.group("hour") is not None or loose:  # `18-03-08 23:16`: a two-digit year only beside a clock
            add(m, _build(2000 + int(m.group("year")), int(m.group("month")), int(m.group("day")), m, zone, reference))
    # `01/12/2025`: day first, unless impossible. Month first in America, and where the text says so: a
    # date that reads only one way (`9/17/2004` month first) outvotes those that read only the other
    # (`17/9/2004`), and a Latin 12-hour clock (`7/5/2005 9:23:57 PM`, the US locale's stamp) is month first.
    slashed = list(_DAY_FIRST_DATE.finditer(s))
    votes = sum(int(m.group("month")) > 12 for m in slashed) - sum(int(m.group("day")) > 12 for m in slashed)
    month_first = votes > 0 or (votes == 0 and str(getattr(zone, "key", "")).startswith("America/"))
    for m in slashed:
        a, b = int(m.group("day")), int(m.group("month"))
        latin_12h = (m.group("ampm2") or "")[:1] in ("A", "a", "P", "p")
        day, month = (b, a) if ((month_first or latin_12h) and a <= 12) or b > 12 else (a, b)
        add(m, _build(int(m.group("year")), month, day, m, zone, reference))
    for m in _ROC_NUM_DATE.finditer(s):
        year = int(m.group("year")) + ROC_OFFSET
        add(m, _build(year, int(m.group("month")), int(m.group("day")), m, zone, reference))
    local_ref = reference.astimezone(zone)
    yearless: set[int] = set()
    month_days = [m for m in _MONTH_DAY.finditer(s)]
    month_days += [m for m in _SLASH_MONTH_DAY.finditer(s) if m.group("hour") is not None]
    for m in month_days:
        month, day = int(m.group("month")), int(m.group("day"))
        year = local_ref.year
        try:
            if date(year, month, day) > local_ref.date():
                year -= 1
        except ValueError:
            if not (month == 2 and day == 29):
                continue
            year -= 1
        count = len(found)
        add(m, _build(year, month, day, m, zone, reference), has_year=False)
        if len(found) > count and m.re is _SLASH_MONTH_DAY and not found[-1].has_time:
            found.pop()  # `5/21` alone is a fraction as often as a date
        elif len(found) > count:
            yearless.add(id(found[-1]))
    for m in _RELATIVE_DAY.finditer(s):
        if m.group("hour") is None and not loose:
            continue
        rel = local_ref.date() - timedelta(days=_DAY_OFFSETS[m.group("word")])
        add(m, _build(rel.year, rel.month, rel.day, m, zone, reference), has_year=False)
    for m in _AGO.finditer(s):
        n = _SMALL_NUMBERS.get(m.group("n")) or float(m.group("n"))
        seconds = _UNIT_SECONDS[m.group("unit")]
        value = local_ref - timedelta(seconds=n * seconds)
        if seconds >= 86400:
            value = value.replace(hour=0, minute=0, second=0, microsecond=0)
        found.append(DateMatch(value.replace(microsecond=0), m.start(), m.end(), seconds < 86400, False))
    if loose:
        for m in _TIME_ONLY.finditer(s):
            add(m, _build(local_ref.year, local_ref.month, local_ref.day, m, zone, reference), has_year=False)
        for m in _JUST_NOW.finditer(s):
            found.append(DateMatch(local_ref.replace(microsecond=0), m.start(), m.end(), True, False))

    clock_ends: set[int] = set()  # where clocks now read as part of the date after them end
    for i, dm in enumerate(found):
        if not dm.has_time:
            found[i], clock_end = _clock_first(dm, s)
            if clock_end is not None:
                clock_ends.add(clock_end)
    found = [dm for dm in found if dm.has_year or dm.end not in clock_ends]  # no separate time-only match
    found.sort(key=lambda m: (m.start, -(m.end - m.start)))
    chosen: list[DateMatch] = []
    context: datetime | None = None  # the last date with a year: `2024/05/21 18:36（5/21 19:05 更新）`
    for dm in found:
        if chosen and dm.start < chosen[-1].end:
            continue
        if id(dm) in yearless and context is not None and dm.value.year != context.year:
            try:
                value = dm.value.replace(year=context.year)
            except ValueError:
                value = dm.value
            if value < context - timedelta(days=180):
                value = value.replace(year=context.year + 1) if value.month != 2 or value.day != 29 else value
            dm = DateMatch(value, dm.start, dm.end, dm.has_time, False)
        elif id(dm) not in yearless:
            context = dm.value
        chosen.append(dm)
    return chosen


# `10:02 2026-11-23 HKT` (Sing Tao): the clock printed before the date, a zone abbreviation after it.
_CLOCK_BEFORE = re.compile(r"(?<!\d)(?<!\d:)(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2}))?[ \t\u3000]+$")
_ABBR_AFTER = re.compile(r"[ \t\u3000]*(?P<abbr>HKT|SGT|JST|KST)(?![A-Za-z])")


def _clock_first(dm: DateMatch, s: str) -> tuple[DateMatch, int | None]:
    """A date without a clock, given the clock printed just before it (and a zone just after);
    with where that clock ends (None when there is none)."""
    m = _CLOCK_BEFORE.search(s, max(0, dm.start - 12), dm.start)
    if m is None:
        return dm, None
    hour, minute, second = int(m.group("hour")), int(m.group("minute")), int(m.group("second") or 0)
    if hour > 23 or minute > 59 or second > 59:
        return dm, None
    z = _ABBR_AFTER.match(s, dm.end)
    value = dm.value.replace(hour=hour, minute=minute, second=second)
    if z:
        value = value.replace(tzinfo=_ABBR_ZONES[z.group("abbr")])
    return DateMatch(value, m.start(), z.end() if z else dm.end, True, dm.has_year), m.end("second") if m.group(
        "second") else m.end("minute")


def _reference(reference: datetime | None, zone: tzinfo) -> datetime:
    if reference is None:
        return datetime.now(zone)
    if reference.tzinfo is None:
        return reference.replace(tzinfo=zone)
    return reference


# Without a digit (ASCII or full-width), a strict scan finds a date only in `一天前`-like words (前).
_MAY_HOLD_DATE = re.compile(r"[0-9\uff10-\uff19前]")


def find_dates(text: str, *, tz: str = "Asia/Taipei", reference: datetime | None = None) -> list[DateMatch]:
    """Every date expression in free text, in order; bare words like 今天 count only with a time."""
    if not _MAY_HOLD_DATE.search(text):
        return []  # most lines of a page: a dozen patterns need not look
    zone = _zone(tz)
    return _scan(text, zone, _reference(reference, zone), loose=False)


def parse_date(text: str, *, tz: str = "Asia/Taipei", reference: datetime | None = None) -> datetime | None:
    """One date/time expression as an aware datetime, or None when nothing plausible is there."""
    if not text or not text.strip():
        return None
    zone = _zone(tz)
    ref = _reference(reference, zone)
    s = text.strip().translate(_WIDTH)
    direct = _parse_standard(s, zone)
    if direct is not None:
        return direct if MIN_YEAR <= direct.year <= ref.year + 1 else None
    found = _scan(s, zone, ref, loose=True)
    return found[0].value if found else None


def _parse_standard(s: str, zone: tzinfo) -> datetime | None:
    """ISO-8601 and RFC 2822 strings, read by the standard library."""
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?", s):
        try:
            value = datetime.fromisoformat(s)
        except ValueError:
            return None
        return value if value.tzinfo else value.replace(tzinfo=zone)
    if re.match(r"(?:[A-Z][a-z]{2},\s*)?\d{1,2}\s+[A-Z][a-z]{2}\s+\d{4}\s+\d{1,2}:\d{2}", s):
        try:
            value = parsedate_to_datetime(s)
        except (TypeError, ValueError, IndexError):
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=zone)
        return value
    return None


_URL_DATE = re.compile(
    r"(?<![0-9])(?P<year>(?:19|20)\d\d)[/_-]?(?P<month>0[1-9]|1[0-2])[/_-]?(?P<day>0[1-9]|[12]\d|3[01])(?![0-9])"
)
# `/201403/201403191393958.html`: a year-month folder, then a file name opening with the same day
_URL_FOLDER_DATE = re.compile(r"/(?P<year>(?:19|20)\d\d)(?P<month>0[1-9]|1[0-2])/(?P=year)(?P=month)(?P<day>0[1-9]|[12]\d|3[01])")


def find_url_dates(url: str | None) -> list[date]:
    """Days a URL's path spells (`/2019/10/08/`, `20191008`, `201910/08`, `/201403/20140319…`), in order."""
    if not url:
        return []
    path = re.sub(r"^[a-z][a-z0-9+.-]*://[^/?#]*", "", url.strip(), flags=re.IGNORECASE)
    out: list[date] = []
    for m in list(_URL_DATE.finditer(path)) + list(_URL_FOLDER_DATE.finditer(path)):
        try:
            d = date(int(m.group("year")), int(m.group("month")), int(m.group("day")))
        except ValueError:
            continue
        if d not in out:
            out.append(d)
    return out


def edition_day(links: Iterable[str]) -> date | None:
    """The day a print edition's page is of, from its links: a newspaper's pages link the same edition's
    sections (`../htm/News/20170407/VAindex.htm`), so a day that at least three relative links spell, and
    three in five of the links that spell a day, is the page's. None when no day leads so."""
    days: Counter[date] = Counter()
    for href in links:
        if href and not href.startswith(("http:", "https:", "//", "javascript:", "#")):
            found = find_url_dates(href)
            if found:
                days[found[0]] += 1
    if not days:
        return None
    day, n = days.most_common(1)[0]
    return day if n >= 3 and n >= 0.6 * sum(days.values()) else None


def place_yearless(value: datetime, anchors: list[datetime | date]) -> datetime | None:
    """Give a date printed without its year (`10-08 12:00`) the year that dated evidence on the page implies.

    An anchor on the same month and day decides; otherwise the first anchor's year, or the year
    beside it, that puts the date nearest to it (within half a year). None without usable anchors.
    """
    for a in anchors:
        if (a.month, a.day) == (value.month, value.day):
            try:
                return value.replace(year=a.year)
            except ValueError:
                return None
    for a in anchors:
        day = a if not isinstance(a, datetime) else a.date()
        best: tuple[int, datetime] | None = None
        for year in (day.year - 1, day.year, day.year + 1):
            try:
                cand = value.replace(year=year)
            except ValueError:
                continue
            gap = abs((cand.date() - day).days)
            if gap <= 183 and (best is None or gap < best[0]):
                best = (gap, cand)
        if best is not None:
            return best[1]
    return None
