"""The archive's record of page fetches: one per article, replaced after each attempt, queried when due."""

from __future__ import annotations

from datetime import datetime, timedelta, UTC

from newsmirror.models import FailureKind, PageFetch, PageStatus
from newsmirror.store.sqlite import SQLiteStore

T0 = datetime(2024, 5, 1, 8, 0, tzinfo=UTC)


def _saved(store, make_item, n):
    return store.save_item(make_item(n), html=f"<p>{n}</p>", text=str(n), seen_at=T0).article_id


def test_a_record_round_trips_with_its_source_and_replaces_the_last(store, make_item):
    aid = _saved(store, make_item, 1)
    assert store.get_page_fetch(aid) is None
    first = PageFetch(aid, "https://news.example/a/1", PageStatus.RETRYING, attempts=1, kind=FailureKind.DNS,
                      reason="cannot connect to news.example: host name not found", first_try=T0, last_try=T0,
                      next_try=T0)
    store.save_page_fetch(first)
    got = store.get_page_fetch(aid)
    assert got == PageFetch(**{**first.__dict__, "source": "聯合報"})
    assert got.body_missing
    done = PageFetch(aid, first.url, PageStatus.OK, attempts=2, first_try=T0, last_try=T0 + timedelta(hours=1),
                     complete=True)
    store.save_page_fetch(done)
    got = store.get_page_fetch(aid)
    assert got.status is PageStatus.OK and got.kind is None and got.reason is None and got.complete
    assert not got.body_missing


def test_due_retries_come_oldest_first_and_only_when_due(store, make_item):
    ids = [_saved(store, make_item, n) for n in range(1, 5)]
    rows = [
        (PageStatus.RETRYING, T0 + timedelta(hours=4)),
        (PageStatus.RETRYING, T0 + timedelta(hours=1)),
        (PageStatus.GIVEN_UP, None),
        (PageStatus.DISALLOWED, None),
    ]
    for aid, (status, next_try) in zip(ids, rows):
        store.save_page_fetch(PageFetch(aid, f"https://news.example/a/{aid}", status, attempts=1,
                                        kind=FailureKind.TIMEOUT, reason="timed out", first_try=T0, last_try=T0,
                                        next_try=next_try))
    assert [r.article_id for r in store.page_fetches(due_by=T0)] == []
    assert [r.article_id for r in store.page_fetches(due_by=T0 + timedelta(hours=2))] == [ids[1]]
    assert [r.article_id for r in store.page_fetches(due_by=T0 + timedelta(days=1))] == [ids[1], ids[0]]
    assert [r.article_id for r in store.page_fetches(status=PageStatus.GIVEN_UP)] == [ids[2]]
    assert [r.article_id for r in store.page_fetches(status=PageStatus.DISALLOWED, source="聯合報")] == [ids[3]]
    assert store.page_fetches(source="別家") == []


def test_records_survive_reopening(tmp_path, make_item):
    path = tmp_path / "a.sqlite"
    with SQLiteStore(path) as store:
        aid = _saved(store, make_item, 1)
        store.save_page_fetch(PageFetch(aid, "https://news.example/a/1", PageStatus.GIVEN_UP, attempts=5,
                                        kind=FailureKind.REFUSED, reason="connection refused", first_try=T0,
                                        last_try=T0 + timedelta(days=3)))
    with SQLiteStore(path, readonly=True) as store:
        (got,) = store.page_fetches(status=PageStatus.GIVEN_UP)
        assert got.reason == "connection refused" and got.attempts == 5 and got.kind is FailureKind.REFUSED
