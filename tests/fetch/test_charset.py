"""decode_bytes: declared charsets checked against the bytes; Big5/GBK/UTF-8, right, wrong and missing labels."""

from __future__ import annotations

import codecs

import pytest

from newsmirror.fetch.charset import decode_bytes, declared_encoding, normalize_encoding

TRAD = "颱風來襲：臺北市政府宣布明日停班停課，請民眾注意安全並留意最新氣象資訊。"
SIMP = "国务院发布通知：全国各地加强防汛准备工作，确保人民群众生命财产安全。"
HKSCS = "香港天文台發出八號烈風訊號，巴士服務暫停。"


def xml(text: str, declared: str | None) -> str:
    head = f'<?xml version="1.0" encoding="{declared}"?>\n' if declared else ""
    return f"{head}<rss version=\"2.0\"><channel><title>{text}</title></channel></rss>"


def html(text: str, declared: str | None) -> str:
    meta = f'<meta http-equiv="Content-Type" content="text/html; charset={declared}">' if declared else ""
    return f"<html><head>{meta}<title>t</title></head><body><p>{text}</p></body></html>"


CASES = [
    # (text, real encoding, label in the document, label in Content-Type, expected codec)
    (TRAD, "utf-8", "utf-8", None, "utf-8"),
    (TRAD, "big5", "big5", None, "big5hkscs"),
    (SIMP, "gbk", "gbk", None, "gb18030"),
    (SIMP, "gb2312", "gb2312", None, "gb18030"),
    (TRAD, "gb18030", "gb18030", None, "gb18030"),
    # wrong labels: the bytes win
    (TRAD, "big5", "utf-8", None, "big5hkscs"),
    (TRAD, "big5", "gb2312", None, "big5hkscs"),
    (SIMP, "gbk", "big5", None, "gb18030"),
    (SIMP, "gbk", "utf-8", None, "gb18030"),
    (TRAD, "utf-8", "big5", None, "utf-8"),
    (SIMP, "utf-8", "gbk", None, "utf-8"),
    (TRAD, "big5", "iso-8859-1", None, "big5hkscs"),
    # header label beats document label when both decode
    (TRAD, "big5", "utf-8", "text/xml; charset=big5", "big5hkscs"),
    (SIMP, "gbk", "big5", "text/xml; charset=GB2312", "gb18030"),
    # wrong header label
    (TRAD, "big5", None, "application/rss+xml; charset=utf-8", "big5hkscs"),
    (SIMP, "gbk", None, "text/html; charset=big5", "gb18030"),
    # missing labels: detection
    (TRAD, "big5", None, None, "big5hkscs"),
    (SIMP, "gbk", None, None, "gb18030"),
    (TRAD, "utf-8", None, None, "utf-8"),
]


@pytest.mark.parametrize("wrap", [xml, html])
@pytest.mark.parametrize(("text", "real", "label", "content_type", "expected"), CASES)
def test_decode(wrap, text, real, label, content_type, expected):
    data = wrap(text, label).encode(real)
    out, used = decode_bytes(data, content_type=content_type)
    assert text in out
    assert used == expected


def test_big5_hkscs_characters():
    data = xml(HKSCS + "㗎", "big5").encode("big5hkscs")  # 㗎 is in HKSCS, not plain Big5
    out, used = decode_bytes(data)
    assert "㗎" in out and used == "big5hkscs"


@pytest.mark.parametrize("bom_codec", ["utf-8-sig", "utf-16", "utf-16-be", "utf-32"])
def test_bom(bom_codec):
    text = xml(TRAD, None)
    data = text.encode(bom_codec)
    if bom_codec == "utf-16-be":
        data = codecs.BOM_UTF16_BE + data
    out, used = decode_bytes(data, content_type="text/xml; charset=big5")  # the BOM outranks the label
    assert out == text
    assert used.startswith("utf-")


def test_ascii_and_empty():
    assert decode_bytes(b"") == ("", "utf-8")
    assert decode_bytes(b"<rss/>", content_type="text/xml; charset=big5") == ("<rss/>", "ascii")


def test_latin_text_in_cp1252():
    data = html("Café crème — déjà vu", "iso-8859-1").encode("cp1252")
    out, used = decode_bytes(data)
    assert "Café crème — déjà vu" in out and used == "cp1252"


@pytest.mark.parametrize("data", [bytes(range(256)) * 4, b"\xff\xfe\xfd" * 100, b"\x81" * 3, b"<?xml encoding='nope'?>\xa4"])
def test_never_raises_on_garbage(data):
    out, used = decode_bytes(data, content_type="text/html; charset=no-such-codec")
    assert isinstance(out, str) and used


def test_declared_encoding_sources():
    assert declared_encoding(b"", "text/xml; charset=GBK") == ("gb18030", "header")
    assert declared_encoding(b'<?xml version="1.0" encoding="big5"?><rss/>') == ("big5hkscs", "xml")
    assert declared_encoding(b'<html><meta charset="gb2312"></html>') == ("gb18030", "meta")
    assert declared_encoding(b"<rss/>") == (None, "")


def test_normalize_encoding():
    assert normalize_encoding("GB2312") == "gb18030"
    assert normalize_encoding("x-gbk") == "gb18030"
    assert normalize_encoding("Big5") == "big5hkscs"
    assert normalize_encoding("UTF8") == "utf-8"
    assert normalize_encoding("klingon") is None


def test_corpus_pages_decode_and_survive_transcoding(corpus_dir):
    """Real pages (read from ../shared): declared labels, and the same text re-encoded as GB18030/Big5."""
    import json

    pages = sorted((corpus_dir / "pages").glob("*.html"))
    assert pages
    for page in pages:
        data = page.read_bytes()
        label = json.loads((corpus_dir / "labels" / f"{page.stem}.json").read_text("utf-8"))
        text, used = decode_bytes(data)
        assert "\ufffd" not in text, page.name
        if label.get("kind") == "article":  # the labelled title or first sentence is readable text
            snippets = [label.get("title", "")[:6], label.get("body_first", "")[:8]]
            assert any(s and s in text for s in snippets), page.name
        for codec in ("gb18030", "big5hkscs"):
            legacy = text.encode(codec, "ignore")  # Big5 lacks some Simplified characters: dropped
            for content_type in (None, "text/html; charset=utf-8"):
                out, got = decode_bytes(legacy, content_type=content_type)
                assert (out, got) == (legacy.decode(codec), codec), (page.name, codec, content_type)
