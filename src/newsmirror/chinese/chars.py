"""What counts as a Chinese character, and the comparison form of a short text (`squash`).

Regex character classes are kept as strings too, so other patterns can be built from them
(`f"[{HAN_CLASS}]{{2,4}}"`).
"""

from __future__ import annotations

import re

__all__ = ["HAN_CLASS", "CJK_CLASS", "WORD_CLASS", "SENTENCE_END_CLASS", "CLOSING_CLASS", "HAN", "HAN_RUN", "CJK",
           "is_cjk", "count_han", "squash"]

# Han ideographs of the Basic Multilingual Plane: extension A, the unified block, compatibility forms.
HAN_CLASS = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# Everything indexed as character runs: Han (with the supplementary planes), kana and Hangul.
CJK_CLASS = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\U00020000-\U0003134f"
# Latin (with accents), Greek and Cyrillic letters and digits: the characters of words.
WORD_CLASS = "0-9a-zA-Z\u00c0-\u024f\u0370-\u03ff\u0400-\u04ff"

# What ends a sentence, Chinese and Latin (`。`, `！`, `?`, an ellipsis), and the closing quotes and brackets
# that may follow it (`……。」`): one definition for the HTML and the text-capture readers.
SENTENCE_END_CLASS = "。！？!?…"
CLOSING_CLASS = "」』”’\"）)\\]】"

HAN = re.compile(f"[{HAN_CLASS}]")
HAN_RUN = re.compile(f"[{HAN_CLASS}]+")  # runs, for counting by summing lengths: far fewer strings built
CJK = re.compile(f"[{CJK_CLASS}]")


def is_cjk(text: str) -> bool:
    """Whether `text` contains a CJK character (Han, kana or Hangul)."""
    return CJK.search(text) is not None


def count_han(text: str) -> int:
    """How many Han characters `text` holds."""
    return len(HAN.findall(text))


# Whitespace (ideographic space included) and the quotes headlines are printed with or without.
_SQUASH = re.compile(r"[\s\u3000\"'“”「」『』]+")


def squash(s: str) -> str:
    """Text without whitespace and quotes, for comparing headlines and captions."""
    return _SQUASH.sub("", s) if s else ""
