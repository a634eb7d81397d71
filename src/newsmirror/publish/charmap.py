"""Character-by-character script tables, for pages and searches that run in the reader's browser.

A static site has no server to convert a page into Traditional or Simplified, so the browser does
it with a table of single characters taken from OpenCC (each Han character converted on its own:
s2t for 繁體, t2s for 简体). Phrase rules are not in it: 头发 becomes 頭發 in the browser where
the server's OpenCC writes 頭髮. The same t2s table, with full-width ASCII made half-width and Latin
lower-cased, is the static search's fold (`fold_chars`), applied alike to the indexed text at build
time and to the query in the browser, so both sides always fold the same way.
"""

from __future__ import annotations

import json
from functools import cache

__all__ = ["char_pairs", "fold_table", "fold_chars", "table_script"]

# Han blocks converted one character at a time: CJK Unified Ideographs, Extension A, Compatibility.
_HAN = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF))
_HALF = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}  # full-width ASCII -> ASCII
_HALF[0x3000] = 0x20  # ideographic space


@cache
def char_pairs(script: str) -> str:
    """Pairs "源目" of every Han character OpenCC changes on its own into `script` ("hans" or "hant")."""
    import opencc

    conv = opencc.OpenCC("t2s" if script == "hans" else "s2t")
    pairs = []
    for lo, hi in _HAN:
        for cp in range(lo, hi + 1):
            ch = chr(cp)
            out = conv.convert(ch)
            if out != ch and len(out) == 1:
                pairs.append(ch + out)
    return "".join(pairs)


@cache
def fold_table() -> dict[int, int]:
    """str.translate table of the static search's fold: t2s per character and half-width ASCII."""
    pairs = char_pairs("hans")
    table = {ord(pairs[i]): ord(pairs[i + 1]) for i in range(0, len(pairs), 2)}
    table.update(_HALF)
    return table


def fold_chars(text: str) -> str:
    """The static search's fold: Simplified per character, half-width ASCII, lower-case."""
    return text.translate(fold_table()).lower()


def table_script(script: str) -> str:
    """static/zh-<script>.js: the table as `NM.zh.<script> = "pairs"` for site.js and search.js."""
    return f"window.NM = window.NM || {{}}; NM.zh = NM.zh || {{}};\nNM.zh.{script} = {json.dumps(char_pairs(script), ensure_ascii=False)};\n"
