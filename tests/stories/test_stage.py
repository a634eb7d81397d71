"""The stories stage against a real archive: catching up from change numbers, revisions, purges, another
process placing meanwhile, and a regrouping killed with SIGKILL that the next run completes."""

from __future__ import annotations

import html
import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime

import pytest

from newsmirror.demo.storygen import StoryGenerator
from newsmirror.errors import StoryError
from newsmirror.models import FeedItem
from newsmirror.stories import rebuild_stories, sync_stories
from newsmirror.stories.stage import BATCH
from storyset import save_set


def placements(store) -> dict[int, tuple[int, int | None]]:
    return {a.id: (s.id, a.copy_of) for s in store.stories() for a in s.articles}


def test_sync_places_only_what_changed_since_the_last_run(store, aliases, cases):
    save_set(store, cases[:6])
    assert sync_stories(store, aliases).placed == 6
    assert sync_stories(store, aliases).placed == 0
    assert store.story_state()["seq"] == str(store.last_change())
    save_set(store, cases[6:])
    assert sync_stories(store, aliases).placed == len(cases) - 6
    assert len(placements(store)) == len(cases)


def test_an_edited_article_is_placed_again(store, aliases, cases):
    ids = save_set(store, cases)
    sync_stories(store, aliases)
    d3 = next(a for a in cases if a["id"] == "d3")
    body = cases[0]["body"].replace("俄羅斯總統蒲亭的賀電", "議長的賀電")  # the outlet replaced its text
    item = FeedItem(source=d3["outlet"], feed_url=f"https://{d3['outlet']}.example/rss", title="大橋通車典禮",
                    link=d3["url"], guid="d3", published=datetime.fromisoformat(d3["published"]),
                    content_html=f"<p>{html.escape(body)}</p>")
    store.save_item(item, html=item.content_html, text=body, seen_at=datetime.now(UTC))
    assert sync_stories(store, aliases).placed == 1
    placed = placements(store)
    assert placed[ids["d3"]] == (ids["r1"], ids["r1"])  # now a copy of the bridge report
    assert placed[ids["d4"]][0] == ids["d3"]  # the story it started keeps its id


def test_purging_an_outlet_keeps_the_copies_of_its_articles(store, aliases, cases):
    ids = save_set(store, cases)
    sync_stories(store, aliases)
    store.delete_source_articles("中央社")
    placed = placements(store)
    assert ids["r1"] not in placed and ids["u1"] not in placed
    assert placed[ids["r2"]] == (ids["r1"], None)  # the reprint is now the earliest text of its group
    [fire] = store.stories(ids=[ids["u1"]])
    assert {a.id for a in fire.articles} == {ids["u3"]}


def test_a_second_process_placing_meanwhile_is_refused(store, aliases, cases, tmp_path):
    from newsmirror.store import open_store

    save_set(store, cases)
    other = open_store(tmp_path / "archive.sqlite")
    try:
        sync_stories(other, aliases)
    finally:
        other.close()
    state = store.story_state()
    with pytest.raises(StoryError, match="another process"):
        store.save_placements([], state={"seq": "1"}, expect={"seq": None})
    assert store.story_state() == state


def _generated_archive(store, n: int) -> list:
    gen = StoryGenerator(seed=3)
    articles = list(gen.articles(n, per_day=800))
    for i in range(0, n, 500):
        chunk = articles[i : i + 500]
        store.save_items([(a.item, a.item.content_html, a.text) for a in chunk], seen_at=datetime.now(UTC))
    return articles


@pytest.mark.slow
def test_a_killed_regrouping_is_completed_by_the_next_run(store, aliases, tmp_path):
    n = 5 * BATCH // 2
    _generated_archive(store, n)
    reference = tmp_path / "reference.sqlite"
    store.backup(reference)
    home = tmp_path
    proc = subprocess.Popen([sys.executable, "-m", "newsmirror", "-q", "--home", str(home), "stories", "--rebuild"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    cursor = ""
    while time.monotonic() < deadline and proc.poll() is None:
        con = sqlite3.connect(f"file:{home / 'archive.sqlite'}?mode=ro", uri=True, timeout=5)
        try:
            row = con.execute("SELECT value FROM story_state WHERE key = 'rebuild'").fetchone()
        finally:
            con.close()
        if row and row[0]:
            cursor = row[0]
            break
        time.sleep(0.05)
    assert proc.poll() is None, "the regrouping finished before it could be killed"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert cursor, "no batch was saved before the kill"

    run = sync_stories(store, aliases)  # a plain sync finishes the regrouping first
    assert run.rebuilt and 0 < run.placed < n
    assert "rebuild" not in store.story_state()
    assert store.integrity_check() == "ok"
    from newsmirror.store import open_store

    ref = open_store(reference)
    try:
        rebuild_stories(ref, aliases)
        assert placements(store) == placements(ref)
    finally:
        ref.close()


def test_a_window_kept_between_syncs_forgets_a_deleted_source(store, aliases, cases):
    """Syncs in one process keep the window of placed articles; deleting a source's articles (their
    placements with them) makes the next sync read the store again, so nothing joins a deleted article."""
    first = [a for a in cases if a["id"] in ("r1", "u3")]  # u3: another outlet's, published later
    save_set(store, first)
    sync_stories(store, aliases)
    assert store.story_state()["seq"]
    store.delete_source_articles("中央社")
    assert store.story_state()["forgotten"] == "1"
    ids = save_set(store, [a for a in cases if a["id"] == "r2"])  # a reprint of the deleted original
    sync_stories(store, aliases)
    [story] = store.stories(ids=[ids["r2"]])
    assert [(a.id, a.copy_of) for a in story.articles] == [(ids["r2"], None)]


def test_syncs_in_one_process_place_as_a_regrouping_does(store, aliases, cases, near_misses, chains):
    """Article by article, each sync continuing with the window the last one kept: the same stories as
    `--rebuild`, which reads everything from the store."""
    from datetime import datetime

    arts = sorted(cases + near_misses + chains, key=lambda a: datetime.fromisoformat(a["published"]))
    for a in arts:
        save_set(store, [a])
        sync_stories(store, aliases)
    incremental = {a.id: (s.id, a.copy_of) for s in store.stories() for a in s.articles}
    rebuild_stories(store, aliases)
    assert {a.id: (s.id, a.copy_of) for s in store.stories() for a in s.articles} == incremental
    assert len(incremental) == len(arts)


def test_features_in_helper_processes_place_as_this_process_does(store, aliases, tmp_path, monkeypatch):
    """A catch-up with full batches computes features in helper processes, the next batch's while one is
    placed: the same placements as computing them in this process, batch after batch."""
    from newsmirror.stories import stage

    _generated_archive(store, 120)
    reference = tmp_path / "reference.sqlite"
    store.backup(reference)
    monkeypatch.setattr(stage, "BATCH", 32)  # four full batches: the helpers start at the first
    run = sync_stories(store, aliases, workers=2)
    assert run.placed == 120 and run.copies > 0
    from newsmirror.store import open_store

    ref = open_store(reference)
    try:
        sync_stories(ref, aliases, workers=1)
        assert placements(store) == placements(ref)
        rebuild_stories(ref, aliases, workers=2)
        assert placements(ref) == placements(store)
    finally:
        ref.close()


def test_a_window_kept_between_syncs_reads_the_archive_opened_again(aliases, cases, tmp_path):
    """A scheduler opens the archive afresh each round: the window kept from the last round reads the days
    it lacks from the store opened now, not from the closed one."""
    from newsmirror.store import open_store

    path = tmp_path / "archive.sqlite"
    first = open_store(path)
    save_set(first, [a for a in cases if a["id"] == "r1"])
    sync_stories(first, aliases)
    first.close()
    again = open_store(path)
    try:
        later = dict(next(a for a in cases if a["id"] == "r2"), published="2025-04-02T08:00:00+08:00")
        ids = save_set(again, [later])  # weeks later: the window reads days it never held
        assert sync_stories(again, aliases).placed == 1
        assert ids["r2"] in placements(again)
    finally:
        again.close()
