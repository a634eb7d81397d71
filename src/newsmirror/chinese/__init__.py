"""Chinese text, one home for every stage: script folding and conversion, tokens, spelling aliases.

- `script`: `fold` (the comparison form: Simplified, half-width, lower case), `to_script` and
  `convert_html` (into the reader's script), the `Script` enum, `spellings` (a word in every script and
  regional standard).
- `chartable`: OpenCC's conversions one character at a time, as data (`zh_chars.txt`): the browser's
  conversion and search fold on the static site, and `detect_script` (which script a text is in).
- `tokens`: character bigrams for the index (`grams`, `query_grams`), jieba words (`segment`,
  `tokenize`), jieba's part-of-speech tag of a dictionary word (`word_tag`).
- `aliases`: name spellings across outlets (普京 = 普亭 = 蒲亭 = Putin), shipped and user-extended.
- `chars`: what counts as a Han or CJK character; `squash` for comparing short texts.

Index, stories, extraction, the web archive and the static site all use these, so that one text
folds, converts and tokenizes the same way everywhere.
"""

from __future__ import annotations

from newsmirror.chinese.aliases import Aliases, alias_key, load_aliases
from newsmirror.chinese.chars import (
    CJK,
    CJK_CLASS,
    CLOSING_CLASS,
    HAN,
    HAN_CLASS,
    HAN_RUN,
    SENTENCE_END_CLASS,
    count_han,
    is_cjk,
    squash,
)
from newsmirror.chinese.chartable import detect_script
from newsmirror.chinese.script import (
    SCRIPTS,
    Script,
    convert_html,
    fold,
    fold_aligned,
    half_width,
    lang_for,
    spellings,
    to_script,
)
from newsmirror.chinese.tokens import (
    distinct_cjk,
    gram_text,
    grams,
    index_text,
    query_grams,
    segment,
    split_runs,
    tokenize,
    word_tag,
)

__all__ = [
    "Aliases",
    "CJK",
    "CJK_CLASS",
    "CLOSING_CLASS",
    "HAN",
    "HAN_CLASS",
    "HAN_RUN",
    "SENTENCE_END_CLASS",
    "SCRIPTS",
    "Script",
    "alias_key",
    "convert_html",
    "count_han",
    "detect_script",
    "distinct_cjk",
    "fold",
    "fold_aligned",
    "gram_text",
    "grams",
    "half_width",
    "index_text",
    "is_cjk",
    "lang_for",
    "load_aliases",
    "query_grams",
    "segment",
    "spellings",
    "split_runs",
    "squash",
    "to_script",
    "tokenize",
    "word_tag",
]
