"""Folding and tokens: both scripts meet, full-width and case fold, bigrams cover every substring."""

from __future__ import annotations

from newsmirror.chinese import fold, fold_aligned, grams, query_grams, tokenize


def test_fold_maps_traditional_to_simplified():
    assert fold("習近平") == fold("习近平") == "习近平"
    assert fold("澤倫斯基在紐西蘭") == "泽伦斯基在纽西兰"
    assert fold("臺灣") == fold("台灣") == "台湾"


def test_fold_full_width_and_case():
    assert fold("ＡＢＣ１２３") == "abc123"
    assert fold("Putin　Trump") == "putin trump"


def test_fold_keeps_length_for_article_text():
    text = "國家主席習近平今天抵達巴黎，與馬克宏會談。Ｔｅｓｔ"
    folded, origin = fold_aligned(text)
    assert origin is None and len(folded) == len(text)


def test_fold_aligned_maps_back_when_length_changes():
    text = "İstanbul 伊斯坦堡"  # 'İ'.lower() is two characters
    folded, origin = fold_aligned(text)
    assert origin is not None and len(origin) == len(folded)
    i = folded.index("伊")
    assert text[origin[i]] == "伊"


def test_grams_bigrams_and_run_end():
    assert grams("习近平访问") == ["习近", "近平", "平访", "访问", "问"]
    assert grams("普京说putin 2024年") == ["普京", "京说", "说", "putin", "2024", "年"]


def test_query_grams():
    assert query_grams("习近平") == (["习近", "近平"], False)
    assert query_grams("台") == (["台"], True)
    assert query_grams("访华putin") == (["访华", "华", "putin"], False)


def test_tokenize_has_jieba_words_and_every_bigram():
    toks = tokenize("國家主席習近平在北京會見澤倫斯基")
    assert "国家主席" in toks or "习近平" in toks  # jieba's longer words
    folded = fold("國家主席習近平在北京會見澤倫斯基")
    for i in range(len(folded) - 1):
        assert folded[i : i + 2] in toks
    assert tokenize("Hello World 2024") == ["hello", "world", "2024"]


def test_bigram_counts_sum_every_dictionary_word_holding_the_bigram():
    """The array-built table equals summing jieba's dictionary word by word (every bigram, every count)."""
    from newsmirror.chinese.tokens import bigram_counts, dictionary_words

    expected: dict[str, int] = {}
    for word, freq in dictionary_words():
        for i in range(len(word) - 1):
            expected[word[i : i + 2]] = expected.get(word[i : i + 2], 0) + freq
    table = bigram_counts()
    assert len(table) == len(expected)
    assert dict(zip(table, table.counts.tolist())) == expected
    assert table["表示"] == expected["表示"] and table.get("普京") == expected["普京"]
    assert table.get("qq") is None and "qq" not in table and table.get("表") is None


INDEX_CASES = [
    ("", ""), ("习近平访问", ""), ("", "普京说putin 2024年"), ("台风", "台风来了。风雨交加"),
    ("putin", "trump 说"), ("标题2024", "2025年 abc"), ("中", "国"), ("a", "b"), ("!!", "？？"),
    ("𠀀𠀁汉字", "é café 𠀂"), ("标题 ", " 正文"),
]


def test_index_text_is_gram_text_of_each_and_their_distinct_characters():
    """One pass over title and body gives what gram_text and distinct_cjk give for each: no token crosses
    from the title into the body, whatever stands at their ends (a CJK run, a word, nothing)."""
    from newsmirror.chinese import distinct_cjk, gram_text, index_text

    for title, body in INDEX_CASES:
        got_title, got_body, chars = index_text(title, body)
        assert (got_title, got_body) == (gram_text(title), gram_text(body)), (title, body)
        assert " ".join(chr(c) for c in chars) == distinct_cjk(title + " " + body), (title, body)


def test_word_tag_reads_jiebas_own_part_of_speech_table():
    """The table read straight from dict.txt is the one jieba.posseg builds, word for word."""
    import jieba.posseg

    from newsmirror.chinese import word_tag
    from newsmirror.chinese.tokens import _read_word_tags

    assert _read_word_tags() == jieba.posseg.dt.word_tag_tab
    assert word_tag("普京") == jieba.posseg.dt.word_tag_tab["普京"]
    assert word_tag("北京") == "ns" and word_tag("中華民國") == jieba.posseg.dt.word_tag_tab["中华民国"]
    assert word_tag("劉佳穎蔡宗翰") is None
