"""build site against a real archive: full, incremental and --since builds, their files, bad output folders."""

from __future__ import annotations

import os
import random
import re
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

sys.path.insert(0, str(Path(__file__).parent))

import sitearchive  # noqa: E402
from sitearchive import CNA, T0, UDN, save  # noqa: E402

from newsmirror.cli import cli  # noqa: E402
from newsmirror.errors import PublishError  # noqa: E402
from newsmirror.publish.pages import outlet_slug, page_path  # noqa: E402
from newsmirror.publish.search import RECENT_MAX, read_index  # noqa: E402
from newsmirror.publish.targets import BuildOptions, run_build  # noqa: E402
from newsmirror.store import open_store  # noqa: E402

OLD = 1_000_000_000


@pytest.fixture
def store(tmp_path):
    sitearchive.fill(tmp_path / "a.sqlite")
    s = open_store(tmp_path / "a.sqlite")
    yield s
    s.close()


def tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and not p.name.startswith(".newsmirror")}


def pages_and_index(root: Path) -> tuple[dict[str, bytes], dict[str, list[int]]]:
    """A site's files but the search index's, and the index as a browser reads it (tokens -> ids): an
    incremental build's index (shards plus a recent tail) finds what a full build's does."""
    files = {k: v for k, v in tree(root).items()
             if not k.startswith(("search/t/", "search/r/")) and k != "search/meta.js"}
    return files, read_index(root)


def age(root: Path) -> None:
    for p in root.rglob("*"):
        if p.is_file():
            os.utime(p, (OLD, OLD))


def touched(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file() and p.stat().st_mtime != OLD
            and not p.name.startswith(".newsmirror")}


def test_full_build_writes_every_kind_of_page(store, tmp_path):
    out = tmp_path / "out"
    summary = run_build("site", store, out, BuildOptions(tz="Asia/Taipei"))
    files = tree(out)
    assert summary.count("articles") == store.count_articles() == len([f for f in files if re.fullmatch(
        r"\d{4}/\d{2}/\d{2}/\d+/\d+\.html", f)])
    for path in ("index.html", "sources.html", "search.html", "search/meta.js", "2024/05/index.html",
                 "2024/05/01/index.html", "pages/0/0.html", "pages/0/1.html", f"source/{UDN}/index.html",
                 f"source/{UDN}/pages/0/0.html", "feeds/all.atom", "feeds/all.json", "sources.opml",
                 "static/site.css", "static/site.js", "static/search.js", "static/zh-hans.js", ".nojekyll"):
        assert path in files, path
    for name, data in files.items():
        if name.endswith(".html"):
            html = data.decode("utf-8")
            assert '<meta charset="utf-8">' in html and 'rel="canonical"' in html and 'property="og:title"' in html, name
    assert f"source/{outlet_slug(sitearchive.SLASHED)}/index.html" in files  # a slash in a name is no folder


def test_rebuild_without_changes_writes_nothing(store, tmp_path):
    out = tmp_path / "out"
    run_build("site", store, out, BuildOptions())
    again = run_build("site", store, out, BuildOptions())
    assert (again.written, again.removed) == (0, 0)
    full = run_build("site", store, out, BuildOptions(full=True))
    assert (full.written, full.removed) == (0, 0)  # deterministic: a full build rewrites no byte


def test_one_new_article_rewrites_only_the_pages_that_show_it(store, tmp_path):
    out = tmp_path / "out"
    run_build("site", store, out, BuildOptions(tz="Asia/Taipei"))
    age(out)
    new = save(store, CNA, "late", "新的蒲亭消息", "<p>蒲亭今天發表談話。</p>", T0 + timedelta(days=6)).article_id
    summary = run_build("site", store, out, BuildOptions(tz="Asia/Taipei"))
    changed = touched(out)
    pages = {p for p in changed if p.endswith(".html")}
    assert pages == {
        f"2024/05/07/{new // 1000}/{new}.html", "2024/05/07/index.html", "2024/05/06/index.html", "2024/05/index.html",
        "index.html", "pages/0/1.html", f"source/{CNA}/index.html", f"source/{CNA}/pages/0/0.html", "sources.html",
    }, pages
    assert {p for p in changed if p.startswith("feeds/")} == {"feeds/all.atom", "feeds/all.json",
                                                             f"feeds/source/{CNA}.atom", f"feeds/source/{CNA}.json"}
    index = {p for p in changed - pages if not p.startswith("feeds/")}
    assert index - {"search/meta.js", "sources.opml"} == {f"search/r/{n}.js" for n in range(64)} | {
        f"search/d/0/{new // 32}.js"}, index  # the recent tail, not the shards: 64 small files
    assert summary.count("articles") == 1
    # the incremental result is what a full build makes (its index finds the same articles)
    fresh = tmp_path / "fresh"
    run_build("site", store, fresh, BuildOptions(tz="Asia/Taipei"))
    assert pages_and_index(out) == pages_and_index(fresh)
    assert read_index(out)["蒲亭"][-1] == new


def test_revised_and_new_articles_incrementally_equal_a_full_build(store, tmp_path):
    out = tmp_path / "out"
    run_build("site", store, out, BuildOptions())
    for i in range(60):  # pages shift: a new list page, a new month
        save(store, UDN, f"more{i}", f"新聞{i}", f"<p>第{i}則</p>", T0 + timedelta(days=30, hours=i))
    save(store, UDN, "typhoon3", "颱風消息第3則（更新）", "<p>中央氣象署解除颱風警報。</p>", T0 + timedelta(days=1, hours=3))
    save(store, "新來源", "x", "第一篇", "<p>新的媒體</p>", T0 - timedelta(days=40))  # older than everything
    summary = run_build("site", store, out, BuildOptions())
    assert summary.count("articles") == 62
    fresh = tmp_path / "fresh"
    run_build("site", store, fresh, BuildOptions())
    assert pages_and_index(out) == pages_and_index(fresh)
    assert "2024/03/index.html" in tree(out)


def test_since_rebuilds_only_recent_months(store, tmp_path):
    out = tmp_path / "out"
    save(store, UDN, "june", "六月的新聞", "<p>六月</p>", T0 + timedelta(days=40))
    run_build("site", store, out, BuildOptions())
    age(out)
    summary = run_build("site", store, out, BuildOptions(since=(T0 + timedelta(days=35)).date()))
    changed = touched(out)  # nothing changed in the archive: the bytes are the same, so nothing was rewritten
    assert changed == set() and summary.count("articles") == 1
    (out / "2024/05/01/0/1.html").unlink()
    (out / "2024/06/10/index.html").unlink()
    run_build("site", store, out, BuildOptions(since=(T0 + timedelta(days=35)).date()))
    assert (out / "2024/06/10/index.html").exists() and not (out / "2024/05/01/0/1.html").exists()


def test_since_needs_an_earlier_build(store, tmp_path):
    with pytest.raises(PublishError, match="--since needs an earlier full build"):
        run_build("site", store, tmp_path / "out", BuildOptions(since=T0.date()))


def test_list_pages_are_sharded_by_thousands():
    assert page_path(999) == "pages/0/999.html" and page_path(1000) == "pages/1/1000.html"
    assert page_path(3, "甲") == "source/甲/pages/0/3.html"


def test_outlet_slugs_are_safe_and_distinct():
    assert outlet_slug(CNA) == CNA
    a, b = outlet_slug("BBC/中文"), outlet_slug("BBC:中文")
    assert a != b and "/" not in a and ":" not in b
    assert outlet_slug("..") not in ("..", ".", "")


def test_output_that_is_a_file_is_a_one_line_error(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    sitearchive.fill(home / "archive.sqlite")
    target = tmp_path / "site.html"
    target.write_text("not a folder", encoding="utf-8")
    result = CliRunner().invoke(cli, ["--home", str(home), "-q", "build", "site", str(target)])
    assert result.exit_code == 1
    assert result.stderr.strip() == f"error: output {target} is a file, not a folder; choose a folder for OUT"
    assert target.read_text(encoding="utf-8") == "not a folder"


def test_output_that_cannot_be_created_is_a_one_line_error(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    sitearchive.fill(home / "archive.sqlite")
    result = CliRunner().invoke(cli, ["--home", str(home), "-q", "build", "site", "/proc/nm-test/out"])
    assert result.exit_code == 1
    assert result.stderr.startswith("error: cannot create output folder /proc/nm-test/out:")
    assert len(result.stderr.strip().splitlines()) == 1


def test_cli_build_site_and_help(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    sitearchive.fill(home / "archive.sqlite")
    result = CliRunner().invoke(cli, ["--home", str(home), "-q", "build", "site", str(tmp_path / "out"),
                                      "--base-url", "https://mirror.example/news/", "--tz", "UTC"])
    assert result.exit_code == 0, result.stderr
    assert "build site done (full):" in result.stderr
    index = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert '<link rel="canonical" href="https://mirror.example/news/index.html">' in index
    help_text = CliRunner().invoke(cli, ["build", "site", "--help"]).output
    assert "--since" in help_text and "Example:" in help_text
    bad = CliRunner().invoke(cli, ["--home", str(home), "build", "site", str(tmp_path / "o"), "--tz", "Mars/Base"])
    assert bad.exit_code == 2 and "Mars/Base" in bad.stderr


def test_helper_processes_write_the_same_site(store, tmp_path):
    """A large build renders article pages in helper processes: the result is the same bytes."""
    one = run_build("site", store, tmp_path / "one", BuildOptions(workers=0))
    db = str(tmp_path / "a.sqlite")
    two = run_build("site", store, tmp_path / "two", BuildOptions(workers=2, store_location=db))
    assert one.count("helper processes") == 0 and two.count("helper processes") == 2
    assert two.count("articles") == one.count("articles") == store.count_articles()
    assert tree(tmp_path / "one") == tree(tmp_path / "two")
    assert 0 <= two.count("article pages by helpers") <= store.count_articles()
    again = run_build("site", store, tmp_path / "two", BuildOptions(workers=2, store_location=db, full=True))
    assert (again.written, again.removed) == (0, 0)


def test_each_article_page_is_claimed_by_exactly_one_process():
    """Claims: processes asking about the same ids in different orders agree on one owner for each."""
    import multiprocessing
    import threading

    from newsmirror.publish.pages import Claims

    slots = Claims.shared(multiprocessing.get_context("spawn"))
    ids = list(range(0, 200_000, 7))
    owners: dict[int, list[int]] = {i: [] for i in ids}

    def ask(me: int, order: list[int]) -> None:
        claims = Claims(*slots, me)
        for i in order:
            if claims.mine(i):
                owners[i].append(me)

    orders = [ids, ids[::-1], random.Random(3).sample(ids, len(ids))]
    threads = [threading.Thread(target=ask, args=(Claims.MAIN + k, order)) for k, order in enumerate(orders)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(len(who) == 1 for who in owners.values())
    same_chunk = [owners[i][0] for i in ids if i // Claims.CHUNK == ids[500] // Claims.CHUNK]
    assert len(set(same_chunk)) == 1
    # the first to reach a chunk takes all of it; one that falls behind finds the chunks ahead taken
    slots = Claims.shared(multiprocessing.get_context("spawn"))
    main, helper = Claims(*slots, Claims.MAIN), Claims(*slots, Claims.MAIN + 1)
    assert all(helper.mine(i) for i in range(1000))
    assert not any(main.mine(i) for i in range(1000 + Claims.CHUNK - 1000 % Claims.CHUNK))
    assert main.mine(5000) and not helper.mine(5001) and main.mine(5000 + Claims.CHUNK * Claims.SLOTS)


def test_a_revision_made_from_the_article_is_what_the_store_holds(store):
    from newsmirror.publish.pages import revisions

    for article in store.iter_articles():
        if article.version == 1:
            made, stored = revisions(store, article)[0], store.article_versions(article.id)[0]
            assert (made.version, made.seen_at, made.title, made.text, made.html) == \
                (stored.version, stored.seen_at, stored.title, stored.text, stored.html)


def test_shipped_character_tables_agree_with_opencc():
    """zh_chars.txt is data made from OpenCC; when OpenCC changes, rewrite it: python -m newsmirror.chinese.chartable."""
    from newsmirror.chinese.chartable import char_pairs, opencc_pairs

    for script in ("hans", "hant"):
        assert char_pairs(script) == opencc_pairs(script), script
    assert ("發发" in char_pairs("hans")) and ("发發" in char_pairs("hant"))


def test_every_link_and_script_of_every_page_opens_a_file_of_the_site(store, tmp_path):
    from urllib.parse import unquote, urlsplit

    out = tmp_path / "out"
    run_build("site", store, out, BuildOptions())
    checked = 0
    for page in out.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        for ref in re.findall(r'(?:href|src|data-index)="([^"]*)"', html):
            parts = urlsplit(ref.replace("&amp;", "&"))
            if parts.scheme or parts.netloc or not parts.path or ref.startswith("#"):
                continue
            target = (page.parent / unquote(parts.path)).resolve()
            assert target.is_file() and out.resolve() in target.parents, f"{page.relative_to(out)}: {ref}"
            checked += 1
    assert checked > 1000


def test_since_after_new_articles_rebuilds_them(store, tmp_path):
    out = tmp_path / "out"
    save(store, UDN, "june", "六月的新聞", "<p>六月</p>", T0 + timedelta(days=40))
    run_build("site", store, out, BuildOptions())
    save(store, UDN, "june2", "六月的第二則新聞", "<p>六月再一則</p>", T0 + timedelta(days=41))
    summary = run_build("site", store, out, BuildOptions(since=(T0 + timedelta(days=35)).date()))
    assert summary.note == "since" and summary.count("articles") == 2
    assert "六月的第二則新聞" in (out / "index.html").read_text(encoding="utf-8")
    fresh = tmp_path / "fresh"
    run_build("site", store, fresh, BuildOptions())
    assert pages_and_index(out) == pages_and_index(fresh)


def test_the_recent_tail_is_merged_into_the_shards_when_it_grows(store, tmp_path):
    """Incremental builds add to the search index's recent tail until it would pass RECENT_MAX articles;
    then one merges it into the shards and removes it. Every step finds what a full build finds."""
    out = tmp_path / "out"
    run_build("site", store, out, BuildOptions())
    batches = (RECENT_MAX // 2, RECENT_MAX // 2, 3)
    for b, n in enumerate(batches):
        for i in range(n):
            save(store, UDN, f"tail{b}-{i}", f"追加新聞{b}之{i}", f"<p>第{b}批第{i}則 update{i}</p>",
                 T0 + timedelta(days=2, minutes=i))
        run_build("site", store, out, BuildOptions())
        meta = (out / "search/meta.js").read_text(encoding="utf-8")
        tail = [p for p in (out / "search/r").glob("*.js")] if (out / "search/r").exists() else []
        if b < 2:
            assert f'"recent":{(b + 1) * (RECENT_MAX // 2)}' in meta and len(tail) == 64
        else:  # merged: no tail left
            assert '"recent":0' in meta and tail == []
        fresh = tmp_path / f"fresh{b}"
        run_build("site", store, fresh, BuildOptions())
        assert pages_and_index(out) == pages_and_index(fresh)
    save(store, UDN, "tail-last", "最後一則", "<p>最後</p>", T0 + timedelta(days=3))
    run_build("site", store, out, BuildOptions())
    assert len(list((out / "search/r").glob("*.js"))) == 64
    run_build("site", store, out, BuildOptions(full=True))  # a full build has no tail: its files go
    assert not list((out / "search/r").glob("*.js")) and '"recent":0' in (out / "search/meta.js").read_text()


def test_no_folder_holds_more_than_a_thousand_files_on_a_day_of_1200_articles(tmp_path):
    """A day of 1,200 articles: their pages spread over folders by id thousand, the day's page lists them all."""
    from newsmirror.models import FeedItem

    store = open_store(tmp_path / "big.sqlite")
    try:
        items = []
        for i in range(1200):
            link = f"https://news.example/big/{i}"
            items.append((FeedItem(source=UDN if i % 3 else CNA, feed_url="https://news.example/rss", title=f"大日子第{i}則",
                                   link=link, guid=link, published=T0 + timedelta(seconds=30 * i)),
                          f"<p>第{i}則</p>", f"第{i}則"))
        store.save_items(items, seen_at=T0 + timedelta(hours=12))
        out = tmp_path / "out"
        run_build("site", store, out, BuildOptions(tz="UTC", workers=0))
        counts: dict[Path, int] = {}
        for p in out.rglob("*"):
            if p.is_file():
                counts[p.parent] = counts.get(p.parent, 0) + 1
        assert max(counts.values()) <= 1000, max(counts.items(), key=lambda kv: kv[1])
        day = out / "2024" / "05" / "01"
        pages = list(day.glob("*/*.html"))
        assert len(pages) == 1200 and len({p.parent for p in pages}) == 2
        assert (day / "index.html").read_text(encoding="utf-8").count("大日子第") == 1200
    finally:
        store.close()


def test_list_pages_from_format_strings_are_the_templates_bytes(store):
    """Site.list_page fills list.html's entries from format strings made from the template (ListEntries):
    byte for byte what Jinja writes, for every shape of entry, XSS titles, outlets and gists included."""
    from zoneinfo import ZoneInfo

    from newsmirror.publish.pages import GIST, Entry, Site, page_path
    from newsmirror.web.render import Gist

    entries = [Entry.of(a) for a in store.iter_articles()]
    entries += [Entry(e.id, "", e.source, e.published, 3, e.text) for e in entries[:3]]  # no title, revised
    entries += [Entry(e.id, e.title, e.source, e.published, 1, Gist.of("", GIST)) for e in entries[:2]]  # no gist
    entries += [Entry(e.id, e.title, e.source, e.published, 1, "a plain text, cut again") for e in entries[:2]]
    assert any(e.title == sitearchive.XSS_TITLE for e in entries)
    for tz in ("Asia/Taipei", "UTC"):
        fast, slow = Site(tz=ZoneInfo(tz)), Site(tz=ZoneInfo(tz), fast_lists=False)
        for k, show_source in ((0, True), (1, False), (1234, True)):
            for part in (entries, entries[::-1], entries[:2]):
                kwargs = dict(title="t", heading="<b>h</b>", entries=part, current="home", show_source=show_source,
                              newer=page_path(k + 1), older=page_path(k - 1) if k else None, where="w")
                html = fast.list_page(page_path(k, "聯合報" if k else None), **kwargs)
                assert html == slow.list_page(page_path(k, "聯合報" if k else None), **kwargs)
                assert html.count('<li>') >= len(part) and "<script>alert" not in html
