"""post_filename gives names valid on Linux, macOS and Windows, distinct on collisions; post_url matches Jekyll."""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, datetime, timedelta, timezone

import pytest

from newsmirror.models import StoredArticle
from newsmirror.publish.jekyll import (
    outlet_filename,
    post_filename,
    post_url,
    render_list,
)

T0 = datetime(2023, 9, 11, 10, 19, tzinfo=UTC)
RESERVED = {"CON", "PRN", "AUX", "NUL"} | {f"{p}{n}" for p in ("COM", "LPT") for n in "123456789¹²³"}


def make_article(title: str, *, id: int = 1, url: str = "https://n.example/1", source: str = "(臺)中央社CNA",
                 published: datetime = T0) -> StoredArticle:
    return StoredArticle(
        id=id, source=source, url=url, link=url, guid=None, title=title, published=published,
        first_seen=published, last_seen=published, authors=(), categories=(), feed_html="", html="",
        text="", version=1,
    )


def assert_portable(name: str) -> None:
    assert len(name.encode("utf-8")) <= 255, name
    assert not re.search(r'[/\\:*?"<>|\x00-\x1f\x7f]', name), name
    assert ".." not in name
    assert name == name.strip(". ") and name == unicodedata.normalize("NFC", name)
    assert name.split(".")[0].upper() not in RESERVED
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}-[^/]+\.md", name), name
    assert not name[len("2023-09-11-"):-3].startswith(("-", ".")) and not name[:-3].endswith(("-", "."))


NASTY = [
    "傳金正恩已搭專車赴海參崴 將與蒲亭會面",
    "a/b\\c:d*e?f\"g<h>i|j",
    "../../etc/passwd",
    "...dots...",
    "trailing dots...",
    "  spaces  ",
    "CON", "nul", "COM1", "LPT9", "con.txt", "AUX ",
    "ctrl\x00\x01\x1f\x7f",
    "line\nbreak\ttab",
    "🎉🎉🎉",
    "?*:<>|",
    "",
    "e\u0301 combining (NFD)",
    "長" * 200,
    "😀" * 100,
    "a" * 300,
    "x" * 240 + "長長長",
    "lone \ud800 surrogate",
    "C'est l'été & co; a=b, (c) @d $e +f ~g !h",
    "#1 100% 熱門？！",
    "\u202e\u200b\ufeff invisible",
    "-.-",
]


@pytest.mark.parametrize("title", NASTY)
def test_names_are_portable(title, tmp_path):
    name = post_filename(make_article(title), set())
    assert_portable(name)
    (tmp_path / name).write_text("x", encoding="utf-8")  # the OS accepts it
    assert [p.name for p in tmp_path.iterdir()] == [name]


def test_seed_title_keeps_chinese_and_jekyll_slug():
    assert post_filename(make_article("傳金正恩已搭專車赴海參崴 將與蒲亭會面"), set()) == \
        "2023-09-11-傳金正恩已搭專車赴海參崴-將與蒲亭會面.md"


def test_long_titles_truncated_on_character_boundary():
    name = post_filename(make_article("長" * 200), set())
    assert len(name.encode("utf-8")) <= 255
    assert name == "2023-09-11-" + "長" * ((255 - 14) // 3) + ".md"
    emoji_name = post_filename(make_article("字" + "😀" * 100), set())
    emoji_name.encode("utf-8")  # no half characters


def test_nfd_title_is_normalised():
    assert post_filename(make_article("Cafe\u0301"), set()) == "2023-09-11-Café.md"


def test_collisions_get_numbered_suffixes_deterministically():
    def names() -> list[str]:
        taken: set[str] = set()
        titles = ["快訊", "快訊", "快訊?", "快訊", "News", "news", "NEWS", "快訊-2"]
        return [post_filename(make_article(t, id=i), taken) for i, t in enumerate(titles)]

    first = names()
    assert first == [
        "2023-09-11-快訊.md", "2023-09-11-快訊-2.md", "2023-09-11-快訊-3.md", "2023-09-11-快訊-4.md",
        "2023-09-11-News.md", "2023-09-11-news-2.md", "2023-09-11-NEWS-3.md", "2023-09-11-快訊-2-2.md",
    ]
    assert len({n.casefold() for n in first}) == len(first)  # distinct on case-insensitive disks too
    assert names() == first


def test_collision_suffix_fits_in_255_bytes():
    taken: set[str] = set()
    names = [post_filename(make_article("長" * 200, id=i), taken) for i in range(12)]
    assert len(set(names)) == 12
    for name in names:
        assert_portable(name)
    assert names[11].endswith("-12.md")


def test_untitled_gets_url_hash():
    a = post_filename(make_article("🎉", url="https://n.example/1"), set())
    b = post_filename(make_article("🎉", url="https://n.example/2"), set())
    assert a != b and a.startswith("2023-09-11-post-")


def test_date_is_utc_date_of_published():
    taipei = timezone(timedelta(hours=8))
    article = make_article("晚間新聞", published=datetime(2023, 9, 12, 7, 30, tzinfo=taipei))
    assert post_filename(article, set()).startswith("2023-09-11-")


def test_post_url_follows_jekyll_default_permalink():
    article = make_article("傳金正恩已搭專車赴海參崴 將與蒲亭會面")
    name = post_filename(article, set())
    assert post_url(article, name) == "/(臺)中央社cna/2023/09/11/傳金正恩已搭專車赴海參崴-將與蒲亭會面.html"
    late = make_article("晚", published=datetime(2023, 9, 11, 20, 0, tzinfo=UTC))
    assert post_url(late, post_filename(late, set()), tz="Asia/Taipei") == "/(臺)中央社cna/2023/09/12/晚.html"


@pytest.mark.parametrize("source", ["(臺)中央社CNA", "a/b", "CON", "..", "x:y*z", "", "名" * 100, "trailing. "])
def test_outlet_filename_portable(source):
    name = outlet_filename(source)
    assert len(name.encode("utf-8")) <= 255 and name.endswith(".md")
    assert not re.search(r'[/\\:*?"<>|\x00-\x1f]', name)
    assert name[:-3] == name[:-3].strip(". ") and name[:-3]
    assert name.split(".")[0].upper() not in RESERVED


def test_render_list_format():
    taipei_late = datetime(2023, 9, 11, 16, 30, tzinfo=UTC)  # 9-12 00:30 in UTC+8
    text = render_list("(臺)中央社CNA", [
        (taipei_late, "新 [快訊]", "/(臺)中央社cna/2023/09/11/新-快訊.html"),
        (T0, "傳金正恩已搭專車赴海參崴 將與蒲亭會面", "/(臺)中央社cna/2023/09/11/傳金正恩已搭專車赴海參崴-將與蒲亭會面.html"),
    ])
    assert text == (
        '---\nlayout: list\ntitle: "(臺)中央社CNA"\n---\n'
        "9-12 [新 \\[快訊\\]](/%28臺%29中央社cna/2023/09/11/新-快訊.html)\n\n"
        "9-11 [傳金正恩已搭專車赴海參崴 將與蒲亭會面](/%28臺%29中央社cna/2023/09/11/傳金正恩已搭專車赴海參崴-將與蒲亭會面.html)\n\n"
        "[查看更多](/%28臺%29中央社cna/)\n"
    )


def test_early_years_keep_four_digits():
    article = make_article("古", published=datetime(999, 1, 2, 3, 4, tzinfo=UTC))
    assert post_filename(article, set()) == "0999-01-02-古.md"
    assert post_url(article, "0999-01-02-古.md") == "/(臺)中央社cna/0999/01/02/古.html"
