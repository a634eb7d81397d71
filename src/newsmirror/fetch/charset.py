"""Turn fetched bytes into text: declared charset first, checked against the bytes, then detection.

Chinese sites often declare one encoding and send another (a Big5 page labelled utf-8, GBK
labelled gb2312 or iso-8859-1), and legacy double-byte codecs happily decode each other's bytes
into nonsense. So a declaration is trusted only when the bytes decode under it strictly and no
other likely codec fits them better; gb2312/gbk are read as gb18030 and big5 as big5hkscs (their
supersets), and decoding never raises.
"""

from __future__ import annotations

import codecs
import re

import charset_normalizer

__all__ = ["decode_bytes", "normalize_encoding", "declared_encoding", "CANDIDATES"]

# What detection chooses among: the encodings Chinese-language news actually uses, plus cp1252
# for Western feeds. Restricting the list keeps charset-normalizer fast and stops exotic guesses.
CANDIDATES = ("utf_8", "gb18030", "big5hkscs", "cp1252")

_SUPERSETS = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "cp936": "gb18030",
    "x-gbk": "gb18030",
    "euc-cn": "gb18030",
    "euc_cn": "gb18030",
    "csgb2312": "gb18030",
    "gb_2312-80": "gb18030",
    "big5": "big5hkscs",
    "big5-hkscs": "big5hkscs",
    "cp950": "big5hkscs",
    "x-x-big5": "big5hkscs",
    "csbig5": "big5hkscs",
    # WHATWG: these labels mean windows-1252 on the web
    "iso-8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
    "unicode-1-1-utf-8": "utf-8",
    "utf8": "utf-8",
}

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE: it starts with the same two bytes
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

_CT_CHARSET = re.compile(r"""charset\s*=\s*["']?\s*([\w.:\-]+)""", re.I)
_XML_DECL = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']\s*([\w.:\-]+)""", re.I)
_META_CHARSET = re.compile(rb"""<meta[^>]+?charset\s*=\s*["']?\s*([\w.:\-]+)""", re.I)
_SNIFF = 4096  # bytes searched for an in-document declaration


def normalize_encoding(name: str | None) -> str | None:
    """The Python codec to use for a declared label, widened to its superset; None if unknown."""
    if not name:
        return None
    label = name.strip().strip("\"'").lower()
    label = _SUPERSETS.get(label, label)
    try:
        codec = codecs.lookup(label).name
    except LookupError:
        return None
    codec = _SUPERSETS.get(codec, codec)
    if codec in ("utf-16", "utf-32"):  # a BOM-less UTF-16 declaration in an ASCII document is a lie
        return None
    return codec


def declared_encoding(data: bytes, content_type: str | None = None) -> tuple[str | None, str]:
    """The encoding the response claims and where it says so ("header", "bom", "xml", "meta", "")."""
    if content_type:
        match = _CT_CHARSET.search(content_type)
        if match and (codec := normalize_encoding(match.group(1))):
            return codec, "header"
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return codec, "bom"
    head = data[:_SNIFF]
    for pattern, where in ((_XML_DECL.match, "xml"), (_META_CHARSET.search, "meta")):
        found = pattern(head)
        if found and (codec := normalize_encoding(found.group(1).decode("ascii", "ignore"))):
            return codec, where
    return None, ""


def _strict(data: bytes, codec: str) -> str | None:
    try:
        return data.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def _detect(data: bytes, candidates: list[str], prefer: str | None = None) -> str | None:
    """charset-normalizer's choice among `candidates` (least chaos), keeping `prefer` on a tie; or None."""
    scored: dict[str, float] = {}
    for match in charset_normalizer.from_bytes(data, cp_isolation=candidates):
        codec = normalize_encoding(match.encoding)
        if codec and codec not in scored:
            scored[codec] = match.chaos
    if not scored:
        return None
    order = {c: i for i, c in enumerate(normalize_encoding(c) for c in candidates)}
    best = min(scored, key=lambda c: (scored[c], order.get(c, len(order))))
    if prefer in scored and scored[prefer] <= scored[best] + 0.005:
        return prefer
    return best


def _codec_key(codec: str) -> str:
    return codecs.lookup(codec).name


def decode_bytes(data: bytes, *, content_type: str | None = None) -> tuple[str, str]:
    """Decode a response body; returns (text, codec used). A BOM wins, then a declaration the bytes bear out."""
    if not data:
        return "", "utf-8"
    for bom, codec in _BOMS:  # a BOM is unambiguous (as in the WHATWG Encoding standard)
        if data.startswith(bom):
            text = data[len(bom) :].decode(codec, "replace")
            return text, codec
    if data.isascii():
        return data.decode("ascii"), "ascii"

    # A body that is valid UTF-8 and not ASCII is UTF-8 whatever it claims: legacy text almost
    # never happens to form valid UTF-8 sequences.
    utf8 = _strict(data, "utf-8")
    if utf8 is not None:
        return utf8, "utf-8"

    declared: list[str] = []
    for source in (content_type, None):
        label, _where = declared_encoding(data, source)
        if label and label not in declared:
            declared.append(label)
    declared = [c for c in declared if _codec_key(c) != "utf-8"]

    for codec in declared:
        decoded = _strict(data, codec)
        if decoded is None:
            continue
        # Legacy double-byte codecs decode each other's bytes: check no other candidate fits as well.
        rivals = [c for c in ("gb18030", "big5hkscs") if _codec_key(c) != _codec_key(codec) and _strict(data, c) is not None]
        if not rivals:
            return decoded, codec
        if codec == "cp1252":  # a single-byte label on double-byte text: trust the bytes
            pick = _detect(data, rivals) or rivals[0]
        else:
            pick = _detect(data, [codec, *rivals], prefer=codec) or codec
        return data.decode(pick), pick

    # No usable declaration: detect among the usual encodings.
    fits = [c for c in CANDIDATES[1:] if _strict(data, c) is not None]
    chosen: str | None = None
    if len(fits) == 1:
        chosen = fits[0]
    elif fits:
        chosen = _detect(data, fits)
    if chosen is None:
        chosen = _detect(data, list(CANDIDATES))
    if chosen is not None:
        return data.decode(chosen, "replace"), chosen
    return data.decode("utf-8", "replace"), "utf-8"
