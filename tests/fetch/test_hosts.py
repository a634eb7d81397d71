"""Page retries across runs (next run, 1 h, 4 h, 16 h ..., then given up) and host give-up within a run."""

from __future__ import annotations

from datetime import datetime, timedelta, UTC

import pytest

from newsmirror.errors import FetchError
from newsmirror.fetch.hosts import HostBook, PAGE_RETRY_WINDOW, host_of, page_failed, page_fetched, retry_delay
from newsmirror.models import FailureKind, PageStatus

T0 = datetime(2024, 5, 1, 8, 0, tzinfo=UTC)
URL = "https://news.example/a/1"


def test_retry_delays_grow_fourfold_after_the_next_run():
    assert [retry_delay(n) for n in range(1, 6)] == [
        timedelta(0), timedelta(hours=1), timedelta(hours=4), timedelta(hours=16), timedelta(hours=64)]


def test_a_failing_page_is_retried_then_given_up_after_its_window_with_the_reason_kept():
    record, now, seen = None, T0, []
    while record is None or record.status is PageStatus.RETRYING:
        record = page_failed(record, article_id=1, url=URL, kind=FailureKind.REFUSED, reason="connection refused",
                             now=now)
        seen.append((record.attempts, record.next_try - now if record.next_try else None))
        now = record.next_try or now
        now += timedelta(minutes=1)  # the next run after it is due
    assert seen == [(1, timedelta(0)), (2, timedelta(hours=1)), (3, timedelta(hours=4)), (4, timedelta(hours=16)),
                    (5, None)]
    assert record.status is PageStatus.GIVEN_UP and record.reason == "connection refused"
    assert record.first_try == T0 and record.last_try - record.first_try < PAGE_RETRY_WINDOW


def test_disallowed_is_final_at_once_and_success_ends_the_retries():
    gone = page_failed(None, article_id=1, url=URL, kind=FailureKind.DISALLOWED, reason="robots.txt", now=T0)
    assert gone.status is PageStatus.DISALLOWED and gone.next_try is None and gone.attempts == 0
    failing = page_failed(None, article_id=1, url=URL, kind=FailureKind.TIMEOUT, reason="timed out", now=T0)
    ok = page_fetched(failing, article_id=1, url=URL, now=T0 + timedelta(hours=1), complete=True)
    assert ok.status is PageStatus.OK and ok.attempts == 2 and ok.first_try == T0 and ok.next_try is None


def test_host_given_up_at_once_on_dns_and_after_two_refusals():
    book = HostBook()
    dns = FetchError("cannot connect to x.invalid: host name not found", kind=FailureKind.DNS)
    assert book.failed("http://x.invalid/1", dns) is True
    with pytest.raises(FetchError) as info:
        book.check("http://x.invalid/2")
    assert info.value.kind is FailureKind.DNS and "host name not found" in str(info.value)
    refused = FetchError("cannot connect", kind=FailureKind.REFUSED)
    assert book.failed("http://127.0.0.1:9/1", refused) is False
    book.check("http://127.0.0.1:9/2")  # one refusal is not enough
    assert book.failed("http://127.0.0.1:9/3", refused) is True
    with pytest.raises(FetchError):
        book.check("http://127.0.0.1:9/4")
    assert [v.host for v in book.given_up()] == ["127.0.0.1:9", "x.invalid"]
    assert book.given_up()[1].line() == "host x.invalid given up for this run: host name not found; 1 more pages not requested"


def test_http_errors_do_not_count_against_a_host_and_an_answer_forgives_strikes():
    book = HostBook()
    assert not book.failed(URL, FetchError("404", status=404))
    assert not book.failed(URL, FetchError("t", kind=FailureKind.TIMEOUT))
    book.succeeded(URL)
    assert not book.failed(URL, FetchError("t", kind=FailureKind.TIMEOUT))
    suspect = HostBook()
    suspect.mark_suspect([host_of(URL)])
    assert suspect.failed(URL, FetchError("t", kind=FailureKind.TIMEOUT))  # dead last run: one strike now


def test_host_of_keeps_a_non_default_port():
    assert host_of("HTTP://News.Example:8080/a") == "news.example:8080"
    assert host_of("https://news.example/a") == "news.example"
