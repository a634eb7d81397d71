"""YAML scalars for front matter: one writer for every YAML file newsmirror writes.

Jekyll posts, list pages, `_config.yml` and extraction's Jekyll-like output all write YAML by
hand, line by line, so the bytes stay exactly the mirror's format; these functions make each
value one line that any YAML reader (PyYAML, libyaml, Ruby's Psych) loads back exactly.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["visible", "without_surrogates", "yaml_quote", "yaml_scalar", "yaml_url"]

_SURROGATE = re.compile("[\ud800-\udfff]")


def without_surrogates(text: str) -> str:
    """Surrogate pairs joined, lone surrogates replaced by U+FFFD: they cannot be written as UTF-8."""
    if not _SURROGATE.search(text):
        return text
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


_YAML_ESCAPES = {
    "\0": "\\0", "\a": "\\a", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\v": "\\v", "\f": "\\f",
    "\r": "\\r", "\x1b": "\\e", '"': '\\"', "\\": "\\\\", "\x85": "\\N", "\u2028": "\\L",
    "\u2029": "\\P",
}
# Characters a YAML reader (PyYAML, libyaml/Psych) accepts literally; the rest are escaped.
_YAML_LITERAL = re.compile("[\x20-\x7e\xa0-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]")
_YAML_KEYWORDS = frozenset({"y", "yes", "n", "no", "true", "false", "on", "off", "null"})
_PLAIN_ASCII = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ()._-/+'")


def yaml_quote(text: str) -> str:
    """`text` as a YAML double-quoted scalar on one line that any YAML reader loads back exactly."""
    out = ['"']
    for ch in without_surrogates(text):
        if ch in _YAML_ESCAPES:
            out.append(_YAML_ESCAPES[ch])
        elif _YAML_LITERAL.match(ch):
            out.append(ch)
        else:
            code = ord(ch)
            out.append(f"\\x{code:02X}" if code < 0x100 else f"\\u{code:04X}" if code < 0x10000 else f"\\U{code:08X}")
    out.append('"')
    return "".join(out)


def yaml_scalar(text: str) -> str:
    """`text` plain when that is unambiguous in block and flow context (like `(臺)中央社CNA`), else quoted."""
    return text if _plain_ok(text) else yaml_quote(text)


def _plain_ok(text: str) -> bool:
    if not text or text != text.strip() or "  " in text or text.lower() in _YAML_KEYWORDS:
        return False
    first = text[0]
    if not (first.isalpha() or first == "(" or (ord(first) > 0x7F and visible(first))):
        return False
    return all(ch in _PLAIN_ASCII if ord(ch) < 0x80 else visible(ch) for ch in text)


def visible(ch: str) -> bool:
    """A non-ASCII character that is neither whitespace, control, format nor unassigned."""
    return unicodedata.category(ch)[0] not in "ZC" and _YAML_LITERAL.match(ch) is not None


_PLAIN_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[!-~]*[!-9;-~]")


def yaml_url(url: str) -> str:
    """A URL plain when it is one unambiguous token of visible characters, else double-quoted."""
    if _PLAIN_URL.fullmatch(url) and all(ord(ch) < 0x80 or visible(ch) for ch in url):
        return url
    return yaml_quote(url)
