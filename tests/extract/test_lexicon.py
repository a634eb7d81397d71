"""lexicon.toml: each list written once, in one script, each entry once; class hints read as patterns."""

from __future__ import annotations

import re
import tomllib
from importlib import resources

import pytest

from newsmirror.extract.lexicon import lexicon, variants

RAW = tomllib.loads(resources.files("newsmirror.extract").joinpath("lexicon.toml").read_text(encoding="utf-8"))


def _lists():
    for key, value in RAW.items():
        if isinstance(value, list):
            yield key, value
        elif isinstance(value, dict):
            for sub, words in value.items():
                if isinstance(words, list):
                    yield f"{key}.{sub}", words


@pytest.mark.parametrize("name, words", list(_lists()), ids=[n for n, _ in _lists()])
def test_each_entry_is_written_once_in_one_script(name, words):
    # an entry that another one's folding already gives (推薦閱讀 beside 推荐阅读) is one entry written twice
    assert len(words) == len(set(words)), f"{name} lists an entry twice"
    for w in words:
        twins = [o for o in words if o != w and w in variants(o)]
        assert not twins, f"{name}: {w!r} is {twins[0]!r} folded"


def test_class_hints_are_patterns_matched_in_lower_case_class_and_id():
    neg = re.compile(lexicon().pattern("class_hints.negative"))
    assert neg.search("ad") and neg.search("site-nav") and not neg.search("header-free article")[0] == "ad"
    assert not re.compile(lexicon().pattern("class_hints.strong_negative")).search("article-body")
    assert re.compile(lexicon().pattern("class_hints.always_negative")).search("content-newsletter-box")


def test_follow_words_are_folded_into_both_scripts():
    assert "臉書" in lexicon().words("follow.networks") and "訂閱" in lexicon().words("follow.verbs")


# The five structural patterns once written inline (extract/__init__.py, bylines.py, names.py) are lists of the file
# now: each list folded into both scripts, and each still read where it was.
STORY = "".join(f"<p>港口擴建工程第{i}期今天在海邊舉行動土儀式，居民與官員一同出席，現場氣氛熱烈而且秩序良好。</p>" for i in range(5))


def _page(head: str, body: str = STORY) -> str:
    return (f"<html><head><title>港口擴建動土</title></head><body><h1>港口擴建動土</h1>"
            f"<div class='content'>{head}{body}</div></body></html>")


def test_the_structural_word_lists_are_data_folded_into_both_scripts():
    lex = lexicon()
    assert {"IP屬地", "發布於"} <= set(lex.words("ip_place_labels"))
    assert {"職位", "Author"} <= set(lex.words("byline_fields"))
    assert {"攝影", "來源", "記者"} <= set(lex.words("bar_roles"))
    assert "editor" in lex.words("latin_roles") and "Updated" in lex.words("latin_byline_labels")
    assert re.compile(lex.pattern("image_hints.site")).search("qr-code")


def test_an_ip_place_line_and_byline_fields_above_the_text_are_the_headers():
    from newsmirror.extract import extract_article

    head = "<p>IP 屬地：台灣</p><p>Author, 王小明</p><p>職位, 記者</p>"
    art = extract_article(_page(head))
    assert art.text.startswith("港口擴建工程第0期") and "屬地" not in art.text and "職位" not in art.text


def test_pictures_of_the_site_are_no_story_pictures():
    from newsmirror.extract import extract_article

    pics = "".join(f"<img src='/img/{n}'>" for n in ("site_logo.png", "QR_Code.jpg", "blank.gif", "harbour-2022.jpg"))
    art = extract_article(_page(pics), "https://news.example/a/1")
    assert art.images == ("https://news.example/img/harbour-2022.jpg",)


def test_a_bar_after_a_role_or_a_source_label_reads_as_a_slash_or_a_colon():
    from newsmirror.extract.bylines import parse_credits

    assert parse_credits("作者︱王小明").authors == ("王小明",)
    assert parse_credits("攝影 | 李大同").authors == ()
    assert parse_credits("來源｜範例日報").source == "範例日報"


def test_a_latin_job_title_after_a_name_is_no_name():
    from newsmirror.extract.names import person_name

    assert person_name("Jane Roe") == "Jane Roe"
    assert person_name("Jane Roe Editor-at-large") is None and person_name("Staff Writers") is None
    assert person_name("Business Desk") is None
