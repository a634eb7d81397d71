"""Dates as news pages print them: data-driven cases in tests/data/dates/*.yaml."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml

from newsmirror.extract.dates import DateMatch, find_dates, parse_date

DATA = Path(__file__).resolve().parent.parent / "data" / "dates"
REFERENCE = datetime(2025, 9, 5, 12, 0, tzinfo=ZoneInfo("Asia/Taipei"))
CASES = yaml.safe_load((DATA / "cases.yaml").read_text(encoding="utf-8"))
FINDS = yaml.safe_load((DATA / "finds.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", CASES, ids=[c["text"] or "<empty>" for c in CASES])
def test_parse_date(case):
    got = parse_date(case["text"], tz=case.get("tz", "Asia/Taipei"), reference=REFERENCE)
    if case["expect"] is None:
        assert got is None
    else:
        assert got is not None, case["text"]
        assert got.tzinfo is not None
        assert got.isoformat() == case["expect"]


@pytest.mark.parametrize("case", FINDS, ids=[c["text"][:20] for c in FINDS])
def test_find_dates(case):
    text = case["text"]
    found = find_dates(text, reference=REFERENCE)
    got = [[d.value.isoformat(), text[d.start : d.end], d.has_time] for d in found]
    assert got == case["expect"]
    assert all(isinstance(d, DateMatch) for d in found)


def test_explicit_zone_is_kept_not_converted():
    got = parse_date("2025-09-04T10:19:00Z", reference=REFERENCE)
    assert got is not None and got.utcoffset() == UTC.utcoffset(None)


def test_month_day_is_never_in_the_future():
    january = datetime(2026, 1, 2, 9, 0, tzinfo=ZoneInfo("Asia/Taipei"))
    assert parse_date("12月31日 23:59", reference=january) == datetime(
        2025, 12, 31, 23, 59, tzinfo=ZoneInfo("Asia/Taipei")
    )
    assert parse_date("1月2日", reference=january).year == 2026


def test_naive_reference_is_read_in_tz():
    got = parse_date("3小時前", tz="Asia/Shanghai", reference=datetime(2025, 9, 5, 12, 0))
    assert got == datetime(2025, 9, 5, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def test_years_beyond_next_year_are_implausible():
    assert parse_date("2027年1月1日", reference=REFERENCE) is None
    assert parse_date("2026年1月1日", reference=REFERENCE) is not None


def test_bare_day_words_in_prose_are_not_dates():
    assert find_dates("南韓國防部今天稍早也提出這項可能性，前天已有消息", reference=REFERENCE) == []
    assert parse_date("今天", reference=REFERENCE) == datetime(2025, 9, 5, tzinfo=ZoneInfo("Asia/Taipei"))


def test_unknown_timezone_falls_back_to_utc_plus_8():
    got = parse_date("2025-09-04 10:00", tz="Not/AZone", reference=REFERENCE)
    assert got is not None and got.utcoffset().total_seconds() == 8 * 3600
