"""Traditional and Simplified script: folding to one form, converting for readers, telling them apart.

One cache of OpenCC converters serves every stage. `fold` is the archive's comparison form (the
index, stories and near-duplicates use it): Simplified Han, half-width ASCII, lower-case Latin, so
習近平 and 习近平, ＡＢＣ and abc become the same string. `to_script` and `convert_html` turn text
into the reader's script (the web archive and the static site); `convert_html` touches text nodes
only, never tags, attribute values or URLs. Which script a text is written in is told by
`chartable.detect_script`, from the same conversions taken character by character.
"""

from __future__ import annotations

import re
import threading
from enum import StrEnum
from functools import lru_cache

from newsmirror.chinese.chars import HAN

__all__ = [
    "Script",
    "SCRIPTS",
    "HALF_WIDTH",
    "KEEP",
    "END_KEEP",
    "fold",
    "fold_aligned",
    "half_width",
    "to_script",
    "convert_html",
    "lang_for",
    "spellings",
]


class Script(StrEnum):
    """A script a reader can ask for (``?script=hant``), and its BCP 47 subtag."""

    HANT = "hant"
    HANS = "hans"

    @property
    def subtag(self) -> str:
        """"Hant" or "Hans", as in zh-Hant."""
        return "Hant" if self is Script.HANT else "Hans"


SCRIPTS = tuple(s.value for s in Script)  # what ?script= and the cookie accept

# OpenCC configurations: into Simplified (t2s, also the folding direction) and into Traditional (s2t).
_CONFIG: dict[Script | str, str] = {Script.HANS: "t2s", Script.HANT: "s2t"}
# Regional Traditional standards, for `spellings` only: Taiwan's (裡, 著, 為) and Hong Kong's (台灣, 説).
_REGIONAL = ("s2tw", "s2hk")

_lock = threading.Lock()  # guards building a converter
_use_lock = threading.Lock()  # guards using one
_converters: dict[Script | str, object] = {}


def _converter(script: Script | str):
    """The process's one OpenCC converter into `script` (building one costs milliseconds)."""
    conv = _converters.get(script)
    if conv is None:
        with _lock:
            conv = _converters.get(script)
            if conv is None:
                import opencc  # type: ignore[import-untyped]

                conv = _converters[script] = opencc.OpenCC(_CONFIG.get(script, script))
    return conv


def _convert(text: str, script: Script | str) -> str:
    conv = _converter(script)
    with _use_lock:  # one OpenCC object per direction, shared by every thread of the process
        return conv.convert(text)  # type: ignore[attr-defined]


# str.translate table: full-width ASCII (U+FF01..U+FF5E) to ASCII, ideographic space to space.
HALF_WIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
HALF_WIDTH[0x3000] = 0x20


_HALF_PAIRS = tuple((chr(wide), chr(narrow)) for wide, narrow in HALF_WIDTH.items())


def half_width(text: str) -> str:
    """Full-width ASCII forms as ASCII, the ideographic space as a space (HALF_WIDTH).

    A replace per form present: str.translate with a dict pays for every character it does not
    map, and Chinese text is mostly such characters (a few `in` scans are cheaper)."""
    for wide, narrow in _HALF_PAIRS:
        if wide in text:
            text = text.replace(wide, narrow)
    return text


def fold(text: str) -> str:
    """One form for both scripts: Simplified Han, half-width ASCII, lower-case Latin."""
    if not text:
        return ""
    return _convert(half_width(text).lower(), Script.HANS)


@lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    return fold(ch)


def fold_aligned(text: str) -> tuple[str, list[int] | None]:
    """Fold `text` and say where each folded character came from, for highlighting.

    Returns (folded, None) when folding kept the length (character-for-character, the usual
    case); otherwise folds character by character and returns, for each folded position, the
    index of the original character it came from."""
    folded = fold(text)
    if len(folded) == len(text):
        return folded, None
    parts: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(text):
        f = _fold_char(ch)
        parts.append(f)
        origin.extend([i] * len(f))
    return "".join(parts), origin


def to_script(text: str, script: Script | str) -> str:
    """Convert plain text into `script` ("hant" or "hans"); text without Han is returned as it is."""
    if not HAN.search(text):
        return text
    return _convert(text, Script(script))


KEEP, END_KEEP = "<!--keep-->", "<!--/keep-->"  # text between these stays as written (the switch's labels)

# A tag with quoted attribute values (which may hold '>'), a comment, or a doctype.
_MARKUP = re.compile(r"""<!--.*?-->|<![^>]*>|</?[A-Za-z][^"'>]*(?:(?:"[^"]*"|'[^']*')[^"'>]*)*>""", re.S)
_RAW_TEXT = re.compile(r"<(script|style)\b", re.I)


def convert_html(html: str, script: Script | str) -> str:
    """Convert the text nodes of an HTML document into `script`; tags and attributes stay as they are.

    Text inside <script>/<style> and between KEEP and END_KEEP is left as written."""
    out: list[str] = []
    pos = 0
    skip_until: str | None = None
    for m in _MARKUP.finditer(html):
        text = html[pos : m.start()]
        out.append(text if skip_until else to_script(text, script))
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
    out.append(tail if skip_until else to_script(tail, script))
    return "".join(out)


def spellings(word: str) -> tuple[str, ...]:
    """Every common spelling of a word: as written, Simplified, Traditional in OpenCC's standard and
    Taiwan's and Hong Kong's, character by character (发布 -> 發布 beside the phrase table's 發佈), and
    with 台 for 臺; each once, the given spelling first. Word lists written once are matched in all."""
    if not HAN.search(word):
        return (word,)
    hant = _convert(word, Script.HANT)
    forms = [word, _convert(word, Script.HANS), hant, *(_convert(word, c) for c in _REGIONAL),
             "".join(_convert(ch, Script.HANT) if HAN.match(ch) else ch for ch in word)]
    forms += [f.replace("臺", "台") for f in forms if "臺" in f]
    return tuple(dict.fromkeys(forms))


def lang_for(script: Script | str | None) -> str:
    """The BCP 47 tag for a script choice; Traditional when unknown (the archive's default readers)."""
    return "zh-Hans" if script == Script.HANS else "zh-Hant"
