"""Show a rendered page in Traditional or Simplified script, converting text only.

OpenCC (s2t / t2s) is applied to the text between tags, never to tags, attribute values
or URLs, so links and ids survive; the page's markup is kept byte for byte.
"""

from __future__ import annotations

import re
import threading
from functools import cache

import opencc

__all__ = ["SCRIPTS", "KEEP", "END_KEEP", "convert_text", "convert_html", "detect_script", "lang_for"]

SCRIPTS = ("hant", "hans")  # what ?script= and the cookie accept

_CONFIG = {"hant": "s2t", "hans": "t2s"}

# A tag with quoted attribute values (which may hold '>'), a comment, or a doctype.
_MARKUP = re.compile(r"""<!--.*?-->|<![^>]*>|</?[A-Za-z][^"'>]*(?:(?:"[^"]*"|'[^']*')[^"'>]*)*>""", re.S)
_RAW_TEXT = re.compile(r"<(script|style)\b", re.I)
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")

_lock = threading.Lock()


@cache
def _converter(script: str) -> opencc.OpenCC:
    return opencc.OpenCC(_CONFIG[script])


def convert_text(text: str, script: str) -> str:
    """Convert plain text into `script` ("hant" or "hans"); other text is unchanged."""
    if not _CJK.search(text):
        return text
    conv = _converter(script)
    with _lock:  # one OpenCC object per script, shared across request threads
        return conv.convert(text)


KEEP, END_KEEP = "<!--keep-->", "<!--/keep-->"  # text between these stays as written (the switch's labels)


def convert_html(html: str, script: str) -> str:
    """Convert the text nodes of an HTML document into `script`; tags and attributes stay as they are."""
    out: list[str] = []
    pos = 0
    skip_until: str | None = None
    for m in _MARKUP.finditer(html):
        text = html[pos : m.start()]
        out.append(text if skip_until else convert_text(text, script))
        tag = m.group(0)
        out.append(tag)
        if skip_until:
            if tag.lower().startswith(skip_until):
                skip_until = None
        elif tag == KEEP:
            skip_until = END_KEEP
        else:
            raw = _RAW_TEXT.match(tag)
            if raw and not tag.endswith("/>"):
                skip_until = f"</{raw.group(1).lower()}"
        pos = m.end()
    tail = html[pos:]
    out.append(tail if skip_until else convert_text(tail, script))
    return "".join(out)


def detect_script(text: str) -> str | None:
    """Guess whether Chinese text is written in "hant" or "hans"; None when it has no telling characters."""
    sample = "".join(_CJK.findall(text[:4000]))[:1500]
    if not sample:
        return None
    to_hant = convert_text(sample, "hant")
    to_hans = convert_text(sample, "hans")
    simplified = sum(a != b for a, b in zip(sample, to_hant))
    traditional = sum(a != b for a, b in zip(sample, to_hans))
    if simplified == traditional:
        return None
    return "hans" if simplified > traditional else "hant"


def lang_for(script: str | None) -> str:
    """The BCP 47 tag for a script choice; Traditional when unknown (the archive's default readers)."""
    return "zh-Hans" if script == "hans" else "zh-Hant"
