"""build_jekyll against a real SQLite archive: posts, lists, incremental rebuilds, removals."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from newsmirror.errors import PublishError
from newsmirror.models import FeedItem, SaveStatus
from newsmirror.publish.jekyll import MANIFEST, build_jekyll
from newsmirror.sanitize import html_to_text, sanitize_html
from newsmirror.store import open_store

CNA = "(臺)中央社CNA"
FEED = "https://www.cna.com.tw/rss/aopl.xml"
T0 = datetime(2023, 9, 11, 10, 19, tzinfo=UTC)
OLD = 1_000_000_000  # an mtime (2001) no build would set


@pytest.fixture
def store(tmp_path):
    s = open_store(tmp_path / "a.sqlite")
    yield s
    s.close()


def save(store, title: str, n: int, *, source: str = CNA, when: datetime | None = None,
         html: str | None = None, raw: bool = False):
    when = when or T0 + timedelta(minutes=n)
    link = f"https://news.example/{source.encode().hex()[:8]}/{n}.html"
    body = html if html is not None else f"<p>第{n}則 {title}</p>"
    clean = body if raw else sanitize_html(body, base_url=link)
    item = FeedItem(source=source, feed_url=FEED, title=title, link=link, guid=link, published=when)
    return store.save_item(item, html=clean, text=html_to_text(clean), seen_at=when + timedelta(minutes=5))


def posts(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((out / "_posts").iterdir())}


def age(out: Path) -> None:
    for p in (out / "_posts").iterdir():
        os.utime(p, (OLD, OLD))


def posts_done(summary) -> tuple[int, int]:
    """(posts written, posts left unchanged) of a build."""
    return summary.count("posts written"), summary.count("posts") - summary.count("posts written")


def test_seed_post_from_the_archive(store, tmp_path, seeds_dir):
    seed = (seeds_dir / "000_2e124f6b3491d5a3.txt").read_bytes()
    body = seed.decode("utf-8").split("<div>\n", 1)[1].rsplit("\n</div>\n", 1)[0]
    item = FeedItem(source=CNA, feed_url=FEED, title="傳金正恩已搭專車赴海參崴 將與蒲亭會面",
                    link="https://www.cna.com.tw/news/aopl/202309110257.aspx", published=T0)
    store.save_item(item, html=body, text=html_to_text(body), seen_at=T0 + timedelta(minutes=3))
    summary = build_jekyll(store, tmp_path / "site")
    assert (*posts_done(summary), summary.removed, summary.count("lists")) == (1, 0, 0, 1)
    written = tmp_path / "site" / "_posts" / "2023-09-11-傳金正恩已搭專車赴海參崴-將與蒲亭會面.md"
    assert written.read_bytes() == seed
    assert (tmp_path / "site" / "lists" / "(臺)中央社CNA.md").read_text(encoding="utf-8") == (
        '---\nlayout: list\ntitle: "(臺)中央社CNA"\n---\n'
        "9-11 [傳金正恩已搭專車赴海參崴 將與蒲亭會面]"
        "(/%28臺%29中央社cna/2023/09/11/傳金正恩已搭專車赴海參崴-將與蒲亭會面.html)\n\n"
        "[查看更多](/%28臺%29中央社cna/)\n"
    )


def test_rebuild_leaves_unchanged_posts_alone_and_rewrites_changed(store, tmp_path):
    out = tmp_path / "site"
    for n in range(5):
        save(store, f"新聞{n}", n)
    first = build_jekyll(store, out)
    assert posts_done(first) == (5, 0)
    age(out)
    before = posts(out)

    again = build_jekyll(store, out)
    assert (again.written, *posts_done(again), again.removed) == (0, 0, 5, 0)
    assert all(p.stat().st_mtime == OLD for p in (out / "_posts").iterdir())
    assert posts(out) == before

    assert save(store, "新聞2", 2, html="<p>更正後的內文</p>").status is SaveStatus.REVISED
    third = build_jekyll(store, out)
    assert (*posts_done(third), third.removed) == (1, 4, 0)
    changed = [p for p in (out / "_posts").iterdir() if p.stat().st_mtime != OLD]
    assert [p.name for p in changed] == ["2023-09-11-新聞2.md"]
    assert "更正後的內文" in changed[0].read_text(encoding="utf-8")


def test_retitled_post_is_renamed_and_old_file_removed(store, tmp_path):
    out = tmp_path / "site"
    save(store, "舊標題", 1)
    save(store, "不變", 2)
    build_jekyll(store, out)
    own = out / "_posts" / "2023-09-11-my-own-post.md"
    own.write_text("mine", encoding="utf-8")  # not ours: never removed

    assert save(store, "新標題", 1).status is SaveStatus.REVISED
    summary = build_jekyll(store, out)
    assert (*posts_done(summary), summary.removed) == (1, 1, 1)
    assert sorted(posts(out)) == ["2023-09-11-my-own-post.md", "2023-09-11-不變.md", "2023-09-11-新標題.md"]
    manifest = (out / MANIFEST).read_text(encoding="utf-8").splitlines()
    assert "_posts/2023-09-11-新標題.md" in manifest and "_posts/2023-09-11-舊標題.md" not in manifest
    assert "lists/(臺)中央社CNA.md" in manifest


def test_posts_and_lists_of_a_vanished_outlet_are_removed(tmp_path):
    out = tmp_path / "site"
    with_two = open_store(tmp_path / "two.sqlite")
    try:
        for n in range(3):
            save(with_two, f"甲{n}", n, source="甲報", when=T0 + timedelta(days=n))
            save(with_two, f"乙{n}", n, source="乙報", when=T0 + timedelta(days=n, hours=1))
        assert posts_done(build_jekyll(with_two, out)) == (6, 0)
    finally:
        with_two.close()
    with_one = open_store(tmp_path / "one.sqlite")
    try:
        for n in range(3):
            save(with_one, f"甲{n}", n, source="甲報", when=T0 + timedelta(days=n))
        summary = build_jekyll(with_one, out)
    finally:
        with_one.close()
    assert (*posts_done(summary), summary.removed, summary.count("lists")) == (0, 3, 5, 1)  # 乙報's 3 posts, list, page
    assert sorted(posts(out)) == ["2023-09-11-甲0.md", "2023-09-12-甲1.md", "2023-09-13-甲2.md"]
    assert sorted(p.name for p in (out / "lists").iterdir()) == ["甲報.md"]


def test_unsorted_manifest_falls_back_to_full_comparison(store, tmp_path):
    out = tmp_path / "site"
    save(store, "留下", 1)
    build_jekyll(store, out)
    stale = ["_posts/2023-09-12-後.md", "_posts/2023-09-10-前.md"]  # out of date order
    for entry in stale:
        (out / entry).write_text("old", encoding="utf-8")
    manifest = out / MANIFEST
    manifest.write_text(manifest.read_text(encoding="utf-8") + "\n".join(stale) + "\n../escape.md\n", encoding="utf-8")
    (tmp_path / "escape.md").write_text("outside", encoding="utf-8")
    summary = build_jekyll(store, out)
    assert summary.removed == 2
    assert sorted(posts(out)) == ["2023-09-11-留下.md"]
    assert (tmp_path / "escape.md").exists()


def test_same_title_same_day_gets_suffix_in_archive_order(store, tmp_path):
    out = tmp_path / "site"
    for n in range(3):
        save(store, "快訊", n)
    build_jekyll(store, out)
    names = sorted(posts(out))
    assert names == ["2023-09-11-快訊-2.md", "2023-09-11-快訊-3.md", "2023-09-11-快訊.md"]
    assert "第0則" in (out / "_posts" / "2023-09-11-快訊.md").read_text(encoding="utf-8")
    assert "第2則" in (out / "_posts" / "2023-09-11-快訊-3.md").read_text(encoding="utf-8")


def test_build_is_deterministic(store, tmp_path):
    for n in range(30):
        save(store, f"標題 {n % 7}: \"引號\"", n, when=T0 + timedelta(hours=5 * n),
             source=("甲報", "乙報 News")[n % 2])
    build_jekyll(store, tmp_path / "one")
    build_jekyll(store, tmp_path / "two")

    def tree(root: Path) -> dict[str, bytes]:
        return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}

    assert tree(tmp_path / "one") == tree(tmp_path / "two")
    assert len(posts(tmp_path / "one")) == 30


def test_list_holds_newest_hundred_newest_first(store, tmp_path):
    out = tmp_path / "site"
    for n in range(105):
        save(store, f"第{n}號", n, when=T0 + timedelta(hours=n))
    save(store, "別家", 0, source="聯合報")
    summary = build_jekyll(store, out)
    assert summary.count("lists") == 2
    front, body = (out / "lists" / "(臺)中央社CNA.md").read_text(encoding="utf-8").split("---\n", 2)[1:]
    assert front == 'layout: list\ntitle: "(臺)中央社CNA"\n'
    lines = body.split("\n\n")
    assert len(lines) == 101
    newest = T0 + timedelta(hours=104) + timedelta(hours=8)
    assert lines[0].startswith(f"{newest.month}-{newest.day} [第104號](/%28臺%29中央社cna/")
    assert lines[99].startswith("9-11 [第5號](")  # 10:24 UTC = 18:24 in UTC+8
    assert lines[100] == "[查看更多](/%28臺%29中央社cna/)\n"
    assert (out / "lists" / "聯合報.md").read_text(encoding="utf-8").split("---\n")[2].startswith("9-11 [別家](/聯合報/2023/09/11/別家.html)")


def test_unsanitized_html_in_the_archive_never_reaches_a_post(store, tmp_path):
    save(store, "攻擊", 1, raw=True,
         html='<p>正文</p><script>alert(1)</script><img src=x onerror=alert(1)><a href="javascript:x()">j</a>'
              '<iframe src="https://evil.example/"></iframe><p>{{ site.github }}</p>')
    build_jekyll(store, tmp_path / "site")
    post = (tmp_path / "site" / "_posts" / "2023-09-11-攻擊.md").read_text(encoding="utf-8")
    body = post.split("<div>\n", 1)[1]
    for bad in ("<script", "onerror", "javascript:", "<iframe", "{{"):
        assert bad not in body
    assert "<p>正文</p>" in body


def test_progress_counts_every_post(store, tmp_path):
    for n in range(250):
        save(store, f"進度{n}", n)
    calls: list[int] = []
    summary = build_jekyll(store, tmp_path / "site", progress=calls.append)
    assert sum(calls) == 250 == summary.count("posts written")
    assert len(calls) >= 3


def test_unwritable_output_is_a_publish_error(store, tmp_path):
    save(store, "x", 1)
    blocker = tmp_path / "file"
    blocker.write_text("not a directory", encoding="utf-8")
    with pytest.raises(PublishError, match="is a file, not a folder"):
        build_jekyll(store, blocker)


def test_unclamped_dates_out_of_order_still_give_distinct_names(tmp_path):
    """A store that left published after first_seen: dates go back in build order."""
    import sqlite3

    out = tmp_path / "site"
    db = tmp_path / "raw.sqlite"
    s = open_store(db)
    try:
        ids = [save(s, "快訊", n).article_id for n in range(3)]
        save(s, "次日", 9, when=T0 + timedelta(days=1))
    finally:
        s.close()
    with sqlite3.connect(db) as conn:  # published two days after first_seen: iterated last
        (stamp,) = conn.execute("SELECT published FROM articles WHERE id = ?", (ids[0],)).fetchone()
        later = stamp.replace("2023-09-11", "2023-09-13")
        conn.execute("UPDATE articles SET published = ? WHERE id = ?", (later, ids[0]))
    s = open_store(db)
    try:
        first = build_jekyll(s, out)
        assert (posts_done(first), first.removed) == ((4, 0), 0)
        names = sorted(posts(out))
        assert names == ["2023-09-11-快訊-2.md", "2023-09-11-快訊-3.md", "2023-09-11-快訊.md", "2023-09-12-次日.md"]
        assert "第0則" in (out / "_posts" / "2023-09-11-快訊-3.md").read_text(encoding="utf-8")
        again = build_jekyll(s, out)
        assert (again.written, *posts_done(again), again.removed) == (0, 0, 4, 0)
        assert sorted(posts(out)) == names
    finally:
        s.close()
