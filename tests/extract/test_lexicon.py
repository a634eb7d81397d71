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
