"""Saving feed items and pages: new / revised / filled / unchanged / duplicate, revisions, dates."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone, UTC

import pytest

from newsmirror.errors import StoreError
from newsmirror.models import Article, Credit, CreditRole, RelatedLink, SaveStatus
from newsmirror.store import Store
from newsmirror.store.sqlite import SQLiteStore

T0 = datetime(2024, 5, 1, 8, 0, tzinfo=UTC)
TAIPEI = timezone(timedelta(hours=8))


def save(store, item, html=None, text=None, seen_at=T0, **kw):
    html = item.html if html is None else html
    return store.save_item(item, html=html, text=text if text is not None else f"text of {html}",
                           seen_at=seen_at, **kw)


def test_sqlite_store_satisfies_the_protocol(store):
    assert isinstance(store, Store)


def test_new_then_unchanged_updates_last_seen(store, make_item):
    item = make_item(1, link="https://news.example/a/1?utm_source=rss")
    first = save(store, item)
    assert (first.status, first.version) == (SaveStatus.NEW, 1)
    again = save(store, item, seen_at=T0 + timedelta(hours=1))
    assert again == type(first)(SaveStatus.UNCHANGED, first.article_id, 1)
    art = store.get_article(first.article_id)
    assert art.url == "https://news.example/a/1"
    assert art.link == "https://news.example/a/1?utm_source=rss"
    assert art.first_seen == T0
    assert art.last_seen == T0 + timedelta(hours=1)
    assert art.source == "聯合報" and art.guid == "guid-1" and art.feed_url == "https://news.example/rss"
    assert len(store.article_versions(first.article_id)) == 1


def test_edited_item_keeps_both_versions_with_their_content(store, make_item):
    v1 = save(store, make_item(1, title="初稿"), html="<p>第一版</p>", text="第一版", raw_ref="r.warc.gz:0")
    v2 = save(store, make_item(1, title="更正"), html="<p>第二版</p>", text="第二版",
              seen_at=T0 + timedelta(hours=2), raw_ref="r.warc.gz:900")
    assert (v2.status, v2.article_id, v2.version) == (SaveStatus.REVISED, v1.article_id, 2)
    versions = store.article_versions(v1.article_id)
    assert [(v.version, v.title, v.html, v.text, v.raw_ref) for v in versions] == [
        (1, "初稿", "<p>第一版</p>", "第一版", "r.warc.gz:0"),
        (2, "更正", "<p>第二版</p>", "第二版", "r.warc.gz:900"),
    ]
    assert [v.feed_text for v in versions] == ["第一版", "第二版"]
    assert versions[1].seen_at == T0 + timedelta(hours=2)
    art = store.get_article(v1.article_id)
    assert (art.title, art.html, art.text, art.version) == ("更正", "<p>第二版</p>", "第二版", 2)
    # going back to the first text is another edit, not a return to version 1
    v3 = save(store, make_item(1, title="初稿"), html="<p>第一版</p>", text="第一版")
    assert (v3.status, v3.version) == (SaveStatus.REVISED, 3)
    assert len(store.article_versions(v1.article_id)) == 3


def test_title_change_alone_is_an_update(store, make_item):
    a = save(store, make_item(1, title="A"))
    b = save(store, make_item(1, title="B"))
    assert (b.status, b.version) == (SaveStatus.REVISED, 2)
    assert a.article_id == b.article_id


def test_same_url_from_another_source_is_a_duplicate(store, make_item):
    first = save(store, make_item(1, source="聯合報"))
    dup = save(store, make_item(1, source="中央社", guid="cna-1", title="轉載", feed_url="https://cna.example/rss"))
    assert (dup.status, dup.article_id, dup.version) == (SaveStatus.DUPLICATE, first.article_id, 1)
    art = store.get_article(first.article_id)
    assert art.source == "聯合報" and art.title == "標題 1"
    assert store.count_articles() == 1
    assert store.count_articles(source="中央社") == 0


def test_same_article_in_two_feeds_of_one_source(store, make_item):
    a = save(store, make_item(1, feed_url="https://news.example/rss/politics"))
    b = save(store, make_item(1, feed_url="https://news.example/rss/top",
                              link="HTTPS://NEWS.example/a/1#main", summary_html="<p>較短</p>"))
    assert (b.status, b.article_id) == (SaveStatus.DUPLICATE, a.article_id)
    art = store.get_article(a.article_id)
    assert art.feed_url == "https://news.example/rss/politics"
    assert art.html == "<p>內容 1</p>"
    assert len(store.article_versions(a.article_id)) == 1


def test_guid_match_with_changed_url_is_the_same_article(store, make_item):
    first = save(store, make_item(1, link="https://news.example/a/old-slug", guid="story-77"))
    moved = save(store, make_item(1, link="https://news.example/a/new-slug", guid="story-77"))
    assert moved.article_id == first.article_id
    assert moved.status is SaveStatus.UNCHANGED
    edited = save(store, make_item(1, link="https://news.example/a/new-slug", guid="story-77", title="改"))
    assert (edited.status, edited.article_id) == (SaveStatus.REVISED, first.article_id)
    assert store.count_articles() == 1
    # both URLs find it; the key stays the first URL
    assert store.get_article_by_url("https://news.example/a/new-slug?utm_medium=x").id == first.article_id
    assert store.get_article_by_url("https://news.example/a/old-slug").url == "https://news.example/a/old-slug"


def test_guid_is_matched_within_one_source_only(store, make_item):
    a = save(store, make_item(1, source="A", guid="1"))
    b = save(store, make_item(2, source="B", guid="1"))
    assert b.status is SaveStatus.NEW and b.article_id != a.article_id


def test_guid_shared_by_different_urls_in_one_batch_is_not_trusted(store, make_item):
    # a broken feed giving every item the same GUID must not collapse them into one article
    items = [(make_item(n, guid="same"), f"<p>{n}</p>", str(n)) for n in range(3)]
    outcomes = store.save_items(items, seen_at=T0)
    assert [o.status for o in outcomes] == [SaveStatus.NEW, SaveStatus.NEW, SaveStatus.NEW]
    assert len({o.article_id for o in outcomes}) == 3
    # and a later item with that GUID and a new URL matches no single article: it is new
    later = save(store, make_item(9, guid="same"))
    assert later.status is SaveStatus.NEW
    assert store.count_articles() == 4


def test_item_without_link_is_keyed_by_guid_or_title(store, make_item):
    a = save(store, make_item(1, link="", guid="https://news.example/p?id=5&utm_source=x"))
    assert store.get_article(a.article_id).url == "https://news.example/p?id=5"
    b = save(store, make_item(2, link="", guid=None, title="快訊"))
    c = save(store, make_item(2, link="", guid=None, title="快訊"))
    assert (b.status, c.status, c.article_id) == (SaveStatus.NEW, SaveStatus.UNCHANGED, b.article_id)
    assert store.get_article(b.article_id).url.startswith("urn:newsmirror:")


def test_published_is_stored_in_utc(store, make_item):
    local = datetime(2024, 5, 1, 9, 30, tzinfo=TAIPEI)  # 01:30 UTC
    out = save(store, make_item(1, published=local))
    art = store.get_article(out.article_id)
    assert art.published == datetime(2024, 5, 1, 1, 30, tzinfo=UTC)
    assert art.published.utcoffset() == timedelta(0)
    assert art.first_seen.tzinfo is not None and art.last_seen.tzinfo is not None


def test_future_published_is_clamped_to_seen_at(store, make_item):
    out = save(store, make_item(1, published=T0 + timedelta(days=3)), seen_at=T0)
    assert store.get_article(out.article_id).published == T0


def test_missing_published_becomes_seen_at(store, make_item):
    out = save(store, make_item(1, published=None), seen_at=T0 + timedelta(minutes=5))
    assert store.get_article(out.article_id).published == T0 + timedelta(minutes=5)


def test_naive_datetimes_are_read_as_utc(store, make_item):
    out = save(store, make_item(1, published=datetime(2024, 4, 1, 12, 0)), seen_at=datetime(2024, 5, 1, 8, 0))
    art = store.get_article(out.article_id)
    assert art.published == datetime(2024, 4, 1, 12, 0, tzinfo=UTC)
    assert art.first_seen == T0


def test_published_is_kept_when_the_item_is_edited(store, make_item):
    out = save(store, make_item(1, published=T0 - timedelta(days=1)))
    save(store, make_item(1, published=T0 - timedelta(hours=1), title="改"))
    assert store.get_article(out.article_id).published == T0 - timedelta(days=1)


def test_authors_and_categories_round_trip_and_refresh(store, make_item):
    out = save(store, make_item(1, authors=("王小明",), categories=("政治", "國際")))
    art = store.get_article(out.article_id)
    assert art.authors == ("王小明",) and art.categories == ("政治", "國際")
    save(store, make_item(1, authors=("李大華",), categories=(), title="改"))
    art = store.get_article(out.article_id)
    assert art.authors == ("李大華",) and art.categories == ("政治", "國際")


def test_feed_html_is_kept_as_received(store, make_item):
    item = make_item(1, content_html='<p onclick="x()">全文</p><script>1</script>', summary_html="<p>摘要</p>")
    out = save(store, item, html="<p>全文</p>", text="全文")
    art = store.get_article(out.article_id)
    assert art.feed_html == '<p onclick="x()">全文</p><script>1</script>'
    assert art.html == "<p>全文</p>" and art.text == "全文"
    assert art.summary == "" and art.extracted is None


def test_save_items_returns_outcomes_in_order(store, make_item):
    save(store, make_item(1))
    items = [(make_item(n), make_item(n).html, "t") for n in (1, 2, 3)]
    outcomes = store.save_items(items, seen_at=T0)
    assert [o.status for o in outcomes] == [SaveStatus.UNCHANGED, SaveStatus.NEW, SaveStatus.NEW]
    assert store.save_items([], seen_at=T0) == []


def test_save_items_is_all_or_nothing(store, make_item):
    save(store, make_item(0))
    bad = (make_item(2), None, "t")  # a caller's bug in the middle of the batch
    with pytest.raises(TypeError):
        store.save_items([(make_item(1), "<p>1</p>", "1"), bad, (make_item(3), "<p>3</p>", "3")], seen_at=T0)
    assert store.count_articles() == 1
    assert store.get_article_by_url("https://news.example/a/1") is None
    # the store is still usable afterwards
    assert store.save_items([(make_item(1), "<p>1</p>", "1")], seen_at=T0)[0].status is SaveStatus.NEW


def test_page_text_fills_the_revision_and_keeps_the_feed_text(store, make_item):
    out = save(store, make_item(1, summary_html="<p>摘要</p>"), html="<p>摘要</p>", text="摘要")
    body = Article(
        url="https://news.example/a/1",
        title="標題 1",
        authors=("王小明",),
        published=datetime(2024, 5, 1, 7, 0, tzinfo=TAIPEI),
        text="第一段\n\n第二段",
        html="<p>第一段</p><p>第二段</p>",
        related=(RelatedLink("延伸閱讀", "另一則", "https://news.example/a/2"),),
        tags=("選舉",),
        lang="zh-Hant",
        credits=(Credit("王小明", CreditRole.REPORTER), Credit("李美玲", CreditRole.EDITOR)),
        notes="kept as an article on thin evidence",
    )
    res = store.save_page(out.article_id, body, html=body.html, text=body.text,
                          seen_at=T0 + timedelta(minutes=1), raw_ref="p.warc.gz:10")
    assert (res.status, res.version) == (SaveStatus.FILLED, 1)  # the same revision with a better body
    art = store.get_article(out.article_id)
    assert art.html == "<p>第一段</p><p>第二段</p>" and art.text == "第一段\n\n第二段"
    assert art.summary == "摘要" and art.feed_html == "<p>摘要</p>"
    assert art.extracted == body and art.version == 1
    (rev,) = store.article_versions(out.article_id)
    assert (rev.version, rev.html, rev.raw_ref, rev.feed_text, rev.extracted) == (
        1, "<p>第一段</p><p>第二段</p>", "p.warc.gz:10", "摘要", body)
    assert rev.seen_at == T0 and rev.page_seen == T0 + timedelta(minutes=1)
    # the same page text again changes nothing; the same feed item again is unchanged
    again = store.save_page(out.article_id, body, html=body.html, text=body.text, seen_at=T0 + timedelta(hours=1))
    assert (again.status, again.version) == (SaveStatus.UNCHANGED, 1)
    assert save(store, make_item(1, summary_html="<p>摘要</p>"), html="<p>摘要</p>", text="摘要").status \
        is SaveStatus.UNCHANGED
    assert store.get_article(out.article_id).html == "<p>第一段</p><p>第二段</p>"


def test_page_text_is_compared_with_page_text_only(store, make_item):
    out = save(store, make_item(1), html="<p>摘要</p>", text="摘要")
    first = Article(title="標題 1", text="第一段。\n\n第二段。", html="<p>第一段。</p><p>第二段。</p>")
    store.save_page(out.article_id, first, html=first.html, text=first.text, seen_at=T0, raw_ref="p:1")
    # whitespace, full-width forms and a widget time line are not an edit
    noisy = Article(title="標題 1", text="第一段。 \n\n\n第二段。\n\n更新時間：2024-05-01 16:05", html="<p>x</p>")
    same = store.save_page(out.article_id, noisy, html="<p>x</p>", text=noisy.text, seen_at=T0, raw_ref="p:2")
    assert (same.status, same.version) == (SaveStatus.UNCHANGED, 1)
    assert store.get_article(out.article_id).html == "<p>第一段。</p><p>第二段。</p>"  # the first capture is kept
    edited = Article(title="標題 1", text="第一段（更正）。\n\n第二段。", html="<p>第一段（更正）。</p><p>第二段。</p>")
    res = store.save_page(out.article_id, edited, html=edited.html, text=edited.text,
                          seen_at=T0 + timedelta(hours=3), raw_ref="p:3")
    assert (res.status, res.version) == (SaveStatus.REVISED, 2)
    old, new = store.article_versions(out.article_id)
    assert (old.text, new.text) == (first.text, edited.text)
    assert new.feed_text == old.feed_text == "摘要" and new.seen_at == T0 + timedelta(hours=3)
    # the feed, unchanged, is compared with the feed text: still revision 2
    assert save(store, make_item(1), html="<p>摘要</p>", text="摘要").version == 2


def test_feed_text_is_compared_with_feed_text_only(store, make_item):
    out = save(store, make_item(1), html="<p>摘要</p>", text="摘要")
    page = Article(title="標題 1", text="長的全文。", html="<p>長的全文。</p>")
    store.save_page(out.article_id, page, html=page.html, text=page.text, seen_at=T0)
    # the feed's HTML changes in attributes and whitespace only: the same content
    noise = save(store, make_item(1, summary_html='<p class="x">摘要</p>'), html='<p> 摘要 </p>', text=" 摘要\n")
    assert (noise.status, noise.version) == (SaveStatus.UNCHANGED, 1)
    assert store.get_article(out.article_id).text == "長的全文。"
    edited = save(store, make_item(1, summary_html="<p>新摘要</p>"), html="<p>新摘要</p>", text="新摘要")
    assert (edited.status, edited.version) == (SaveStatus.REVISED, 2)
    art = store.get_article(out.article_id)
    assert art.text == "新摘要" and art.extracted is None  # its page is not read yet


def test_reextract_rewrites_the_revision_in_place_and_never_adds_one(store, make_item):
    out = save(store, make_item(1), html="<p>摘要</p>", text="摘要")
    old = Article(title="標題 1", text="全文。\n\n圖說：照片", html="<p>全文。</p><p>圖說：照片</p>")
    store.save_page(out.article_id, old, html=old.html, text=old.text, seen_at=T0, raw_ref="p:1")
    better = Article(title="標題 1", text="全文。", html="<p>全文。</p>", captions=("照片",))
    res = store.reextract_page(out.article_id, "p:1", better, html=better.html, text=better.text, seen_at=T0)
    assert (res.status, res.version) == (SaveStatus.REEXTRACTED, 1)
    (rev,) = store.article_versions(out.article_id)
    assert (rev.text, rev.raw_ref, rev.extracted) == ("全文。", "p:1", better)
    again = store.reextract_page(out.article_id, "p:1", better, html=better.html, text=better.text, seen_at=T0)
    assert again.status is SaveStatus.UNCHANGED
    # a response no revision was built on changes nothing once the revision has page text
    other = store.reextract_page(out.article_id, "p:9", old, html=old.html, text=old.text, seen_at=T0)
    assert other.status is SaveStatus.UNCHANGED and store.get_article(out.article_id).text == "全文。"
    # the page text kept by reextract is what the next fetch is compared with
    assert store.save_page(out.article_id, better, html=better.html, text=better.text,
                           seen_at=T0).status is SaveStatus.UNCHANGED


def test_save_page_unknown_article(store):
    with pytest.raises(StoreError, match="article 42 is not in archive"):
        store.save_page(42, Article(), html="", text="", seen_at=T0)


def test_get_article_missing(store):
    assert store.get_article(1) is None
    assert store.get_article_by_url("https://nowhere.example/") is None
    assert store.article_versions(1) == []


def test_sources_and_counts(store, make_item):
    save(store, make_item(1, source="B", published=T0 - timedelta(days=2)))
    save(store, make_item(2, source="B", published=T0 - timedelta(days=1)))
    save(store, make_item(3, source="A"))
    assert store.sources() == [("A", 1, T0), ("B", 2, T0 - timedelta(days=1))]
    assert store.count_articles() == 3 and store.count_articles(source="B") == 2
    assert store.count_articles(source="C") == 0


def test_store_shared_by_threads(store, make_item):
    errors: list[BaseException] = []

    def work(k: int) -> None:
        try:
            for n in range(40):
                store.save_item(make_item(f"{k}-{n}"), html="<p>x</p>", text="x", seen_at=T0)
                store.count_articles()
                sum(1 for _ in store.iter_articles(limit=5))
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert store.count_articles() == 160
    assert store.integrity_check() == "ok"


def test_closed_store_says_so(tmp_path, make_item):
    s = SQLiteStore(tmp_path / "a.sqlite")
    s.close()
    s.close()
    with pytest.raises(StoreError, match="is closed"):
        s.count_articles()


def test_lone_surrogates_are_stored_as_replacement_characters(store, make_item):
    # json.loads('"\\ud83d"') gives a lone surrogate; a JSON Feed with a bad escape must not abort the batch
    bad = make_item(1, title="破\ud83d字", summary_html="<p>\udc00</p>", authors=("王\ud800",))
    outcomes = store.save_items([(bad, "<p>\udc00</p>", "\udc00"), (make_item(2), "<p>2</p>", "2")], seen_at=T0)
    assert [o.status for o in outcomes] == [SaveStatus.NEW, SaveStatus.NEW]
    art = store.get_article(outcomes[0].article_id)
    assert art.title == "破\ufffd字" and art.text == "\ufffd" and art.authors == ("王\ufffd",)
    assert art.feed_html == "<p>\ufffd</p>"
    # the same bad item again is recognised as unchanged
    assert store.save_item(bad, html="<p>\udc00</p>", text="\udc00", seen_at=T0).status is SaveStatus.UNCHANGED
    res = store.save_page(art.id, Article(title="x\ud800"), html="<p>全\ud800</p>", text="全\ud800", seen_at=T0)
    assert res.status is SaveStatus.FILLED
    art = store.get_article(art.id)
    assert art.extracted.title == "x\ufffd" and art.html == "<p>全\ufffd</p>"


def test_guid_is_filled_in_when_the_feed_starts_giving_one(store, make_item):
    out = save(store, make_item(1, guid=None))
    save(store, make_item(1, guid="g-late"))
    assert store.get_article(out.article_id).guid == "g-late"
    moved = save(store, make_item(1, guid="g-late", link="https://news.example/a/renamed"))
    assert moved.article_id == out.article_id


def test_backup_is_a_consistent_copy(store, make_item, tmp_path):
    for n in range(5):
        save(store, make_item(n))
    if not isinstance(store, SQLiteStore) or "postgres" in type(store).__name__.lower():
        with pytest.raises(StoreError, match="pg_dump"):  # a server's backups are its own tools' job
            store.backup(tmp_path / "copy.sqlite")
        return
    dest = store.backup(tmp_path / "copy.sqlite")
    with SQLiteStore(dest, readonly=True) as copy:
        assert copy.count_articles() == 5 and copy.integrity_check() == "ok"
        assert [a.url for a in copy.iter_articles()] == [a.url for a in store.iter_articles()]
    with pytest.raises(StoreError, match="already exists"):
        store.backup(dest)


def test_a_transaction_keeps_all_of_its_writes_or_none(store, make_item):
    """`Store.transaction` groups writes (a queue worker stores a page and its fetch record in one commit)."""
    with pytest.raises(RuntimeError):
        with store.transaction("save two items, then fail"):
            store.save_item(make_item(1), html="<p>1</p>", text="1", seen_at=T0)
            store.save_item(make_item(2), html="<p>2</p>", text="2", seen_at=T0)
            raise RuntimeError("boom")
    assert store.count_articles() == 0 and list(store.changes_since(0)) == []
    with store.transaction("save two items"):
        first = store.save_item(make_item(1), html="<p>1</p>", text="1", seen_at=T0)
        store.save_item(make_item(2), html="<p>2</p>", text="2", seen_at=T0)
        assert store.get_article(first.article_id) is not None  # the transaction reads its own writes
    seqs = [seq for seq, _ in store.changes_since(0)]
    assert store.count_articles() == 2 and len(seqs) == 2 and seqs == sorted(seqs) and seqs[-1] == store.last_change()
