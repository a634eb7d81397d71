"""Character-by-character script tables, for pages and searches that run in the reader's browser.

The one character-level variant of `script`'s conversions (which are OpenCC's, phrase-aware).

A static site has no server to convert a page into Traditional or Simplified, so the browser does
it with a table of single characters taken from OpenCC (each Han character converted on its own:
s2t for 繁體, t2s for 简体). Phrase rules are not in it: 头发 becomes 頭發 in the browser where
the server's OpenCC writes 頭髮. The same t2s table, with full-width ASCII made half-width and Latin
lower-cased, is the static search's fold (`fold_units`), applied alike to the indexed text at build
time and to the query in the browser, so both sides always fold the same way.

The tables are data (`zh_chars.txt`, two lines of pairs), made from OpenCC by `opencc_pairs` and
written by `python -m newsmirror.chinese.chartable`; a test checks they still agree with the
installed OpenCC. Reading them costs a build nothing, where loading OpenCC's s2t dictionary costs
~30 MB. The same tables tell which script a text is written in (`detect_script`, the archive's only
one, used by every stage).
"""

from __future__ import annotations

import re
import sys
from functools import cache
from pathlib import Path

from newsmirror.chinese.script import HALF_WIDTH, Script

__all__ = ["TABLES", "char_pairs", "detect_script", "fold_units", "opencc_pairs"]

TABLES = Path(__file__).with_name("zh_chars.txt")

# Han blocks converted one character at a time: CJK Unified Ideographs, Extension A, Compatibility
# (the ranges of chinese.chars.HAN_CLASS).
_HAN = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF))


@cache
def char_pairs(script: str) -> str:
    """Pairs "源目" of every Han character OpenCC changes on its own into `script` ("hans" or "hant")."""
    lines = dict(line.split("\t", 1) for line in TABLES.read_text(encoding="utf-8").splitlines()
                 if line and not line.startswith("#"))
    return lines[script]


def opencc_pairs(script: str) -> str:
    """`char_pairs` computed from the installed OpenCC (to write or check zh_chars.txt)."""
    from newsmirror.chinese import to_script

    chars = [chr(cp) for lo, hi in _HAN for cp in range(lo, hi + 1)]
    # One call for all: a newline between characters keeps OpenCC's phrases from joining them.
    converted = to_script("\n".join(chars), script).split("\n")
    if len(converted) != len(chars):  # a phrase rule spanned a newline after all: convert one by one
        converted = [to_script(ch, script) for ch in chars]
    # one BMP character for one: the search's fold works on UTF-16 code units (rare Extension B targets are left out)
    return "".join(ch + out for ch, out in zip(chars, converted) if out != ch and len(out) == 1 and ord(out) < 0x10000)


@cache
def _count_patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """Character classes of the characters OpenCC changes on their own into Simplified (first: they are
    Traditional) or into Traditional (second: they are Simplified): [髮發...]. Counting matches of one is
    about five times faster than counting what str.translate deletes (a site build asks once per article)."""
    return (re.compile("[" + re.escape("".join(sorted(set(char_pairs("hans")[0::2])))) + "]"),
            re.compile("[" + re.escape("".join(sorted(set(char_pairs("hant")[0::2])))) + "]"))


def detect_script(text: str) -> Script | None:
    """Which script Chinese text is written in: the one whose own characters it uses more (the archive's one test).

    A character is Traditional when OpenCC's t2s changes it on its own, Simplified when s2t does (the
    tables of `char_pairs`, so no OpenCC dictionary is loaded: a build asks this per article). Reads
    the first 6,000 characters. None when the text has no Han, or only characters both scripts share
    (or as many of each). On 122 labelled titles and articles (../shared/stories, ../shared/corpus) it
    gives OpenCC's phrase-aware count's answer for every title and article, about three times faster;
    it cannot see a phrase-only difference (每周 → 每週) in a text with no other telling character."""
    sample = text[:6000]
    traditional_only, simplified_only = _count_patterns()
    trad = len(traditional_only.findall(sample))
    simp = len(simplified_only.findall(sample))
    if trad == simp:
        return None
    return Script.HANT if trad > simp else Script.HANS


@cache
def fold_units() -> list[int]:
    """The static search's fold for each UTF-16 code unit: t2s per character, half-width ASCII, lower case.

    Applied alike to the indexed text at build time (`publish.search.fold`) and, with the same
    table's t2s pairs, to the query in the browser (static/search.js)."""
    table = list(range(65536))
    pairs = char_pairs("hans")
    for i in range(0, len(pairs), 2):
        table[ord(pairs[i])] = ord(pairs[i + 1])
    for cp, half in HALF_WIDTH.items():
        table[cp] = half
    lower = _lower_units()
    return [lower[unit] for unit in table]


# The BMP blocks where letters have case: all but CJK (3400-9FFF), Hangul and surrogates (AC00-DFFF) and
# private use (E000-F8FF), none of which lower-case to anything else.
_CASED = ((0x0000, 0x3400), (0xA000, 0xAC00), (0xF900, 0x10000))


@cache
def _lower_units() -> list[int]:
    """str.lower() of each UTF-16 code unit, where that is one BMP character."""
    table = list(range(65536))
    for lo, hi in _CASED:
        for cp in range(lo, hi):
            low = chr(cp).lower()
            if len(low) == 1 and low != chr(cp):
                table[cp] = ord(low)
    return table


if __name__ == "__main__":  # python -m newsmirror.chinese.chartable: rewrite zh_chars.txt from OpenCC
    import importlib.metadata

    TABLES.write_text(
        f"# Single-character conversions from OpenCC {importlib.metadata.version('opencc')} (Apache-2.0), "
        "one Han character for one BMP character;\n# written by `python -m newsmirror.chinese.chartable`. "
        "Each line: script, a tab, pairs of (from, to).\n"
        f"hans\t{opencc_pairs('hans')}\nhant\t{opencc_pairs('hant')}\n", encoding="utf-8")
    print(f"wrote {TABLES}", file=sys.stderr)

