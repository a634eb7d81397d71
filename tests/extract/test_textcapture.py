"""Text captures (a page's visible text, no markup) read into Articles.

Cases are files in tests/data/captures: NAME.txt with NAME.yaml holding its expectations;
seed 004 from ../shared/seeds is checked when present.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml

from newsmirror.extract.textcapture import extract_text_capture
from newsmirror.models import Article, RelatedLink

DATA = Path(__file__).resolve().parent.parent / "data" / "captures"
REFERENCE = datetime(2025, 9, 5, 12, 0, tzinfo=ZoneInfo("Asia/Taipei"))
CASES = sorted(p.stem for p in DATA.glob("*.yaml"))


def _read(name: str) -> tuple[Article, dict]:
    expect = yaml.safe_load((DATA / f"{name}.yaml").read_text(encoding="utf-8"))
    text = (DATA / f"{name}.txt").read_text(encoding="utf-8")
    return extract_text_capture(text, url=f"https://example.test/{name}", reference=REFERENCE), expect


@pytest.mark.parametrize("name", CASES)
def test_capture(name):
    got, expect = _read(name)
    assert got.url == f"https://example.test/{name}"
    assert got.kind == expect.get("kind", "article")
    if got.kind == "not_article":
        assert got.text == ""
        return
    assert got.title == expect["title"]
    assert list(got.authors) == expect["authors"]
    assert got.source == expect["source"]
    assert list(got.editors) == expect["editors"]
    assert (got.published.isoformat() if got.published else None) == expect["published"]
    assert (got.updated.isoformat() if got.updated else None) == expect.get("updated")
    assert got.text.startswith(expect["body_first"])
    assert got.text.endswith(expect["body_last"])
    assert len(got.text.split("\n\n")) == expect["paragraphs"]
    assert list(got.tags) == expect["tags"]
    assert [[r.group, r.title] for r in got.related] == expect["related"]
    for snippet in expect["without"]:
        assert snippet not in got.text, snippet
    if "captions" in expect:
        assert list(got.captions) == expect["captions"]
    assert got.lang == expect["lang"]


def test_seed_004(seeds_dir):
    path = seeds_dir / "004_87285a9e95f1eb52.txt"
    if not path.is_file():
        pytest.skip(f"seed 004 not found at {path}")
    a = extract_text_capture(path.read_text(encoding="utf-8"), reference=REFERENCE)
    assert a.kind == "article"
    assert a.title == "時隔6年！習近平與金正恩將舉行會談 陸外交部：具重要意義"
    assert a.authors == ("陳宥菘",)
    assert a.source == "聯合報"
    assert a.editors == ()
    assert a.text.startswith("大陸外交部發言人郭嘉昆4日下午表示")
    assert a.text.endswith("斯洛伐克總理菲佐等。")
    assert "\n\n" in a.text
    assert len(a.captions) == 1 and a.captions[0].endswith("圖／路透")
    assert "圖／路透" not in a.text
    assert a.tags == ("北京", "北韓", "金正恩", "習近平", "中共閱兵")
    groups = {r.group for r in a.related}
    assert groups == {"延伸閱讀", "相關新聞"}
    assert sum(r.group == "延伸閱讀" for r in a.related) == 4
    assert sum(r.group == "相關新聞" for r in a.related) == 6
    assert RelatedLink(group="延伸閱讀", title="訪中行尾聲 普亭證實曾和習近平討論延年益壽") in a.related
    assert not any(r.title.endswith("...") for r in a.related)
    assert a.published == datetime(2025, 9, 4, tzinfo=ZoneInfo("Asia/Taipei"))
    for junk in ("聽新聞", "0:00 / 0:00", "商品推薦", "udn討論區", "張貼文章", "家屬淚控", "則留言"):
        assert junk not in a.text, junk
    assert a.script == "Hant"


def test_empty_and_headline_only_text_is_not_article():
    assert extract_text_capture("").kind == "not_article"
    got = extract_text_capture("颱風動態更新 今晚發布陸上警報\n\n股市收盤 台股漲逾200點\n")
    assert got.kind == "not_article" and got.text == ""


def test_single_doubled_line_without_credit_is_still_one_caption():
    text = (
        "市府宣布明年起擴大公托名額\n\n記者王小明／台北報導\n"
        "市長出席記者會說明公托政策\n市長出席記者會說明公托政策\n\n"
        + "\n\n".join(["市府今天宣布，明年起將擴大公共托育名額，並提高托育補助金額，減輕家長負擔。"] * 1
                      + ["社會局表示，新增名額將優先提供給雙薪家庭與弱勢家庭，相關申請方式將另行公告。"])
    )
    a = extract_text_capture(text, reference=REFERENCE)
    assert a.title == "市府宣布明年起擴大公托名額"
    assert a.captions == ("市長出席記者會說明公托政策",)
    assert a.authors == ("王小明",)
    assert a.text.startswith("市府今天宣布") and "公托政策" not in a.text
