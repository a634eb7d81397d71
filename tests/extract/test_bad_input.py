"""Bad input never crashes extraction: it comes back as kind "not_article"."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsmirror.extract import extract_article

PAGES = Path(__file__).resolve().parent.parent / "data" / "pages"
GOOD = (PAGES / "tw-udn-like.html").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "data",
    [
        b"",
        "",
        "   \n\t  ",
        b"\x00\x01\x02\x03" * 200,
        bytes(range(256)) * 40,
        b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8,
        b"<<<>>>",
        "<html><body>" + "<div>" * 4000 + "深" + "</div>" * 10,
        "<html><head><title>x</title></head><body></body></html>",
        '<?xml version="1.0" encoding="utf-8"?><html><body><p>短</p></body></html>',
    ],
    ids=["empty-bytes", "empty-str", "blank", "nul-bytes", "binary", "png", "brackets", "deep-nesting",
         "empty-body", "xml-declaration"],
)
def test_junk_is_not_article(data):
    art = extract_article(data)
    assert art.kind == "not_article"
    assert art.text == "" or len(art.text) < 40


def test_truncated_page_keeps_what_arrived():
    cut = GOOD[: GOOD.index("市府強調")]
    art = extract_article(cut)
    assert art.kind == "article"
    assert "工務局長表示" in art.text
    assert art.title == "市府宣布河濱公園改建 明年春天完工"


def test_truncated_to_the_head_is_not_article():
    art = extract_article(GOOD[: GOOD.index("<body>") + 40])
    assert art.kind == "not_article"


@pytest.mark.parametrize("name", ["list-page", "video-page", "not-found"])
def test_pages_that_are_not_one_article(name):
    art = extract_article((PAGES / f"{name}.html").read_bytes())
    assert art.kind == "not_article", name


def test_malformed_markup_still_extracts():
    page = GOOD.replace("</p>", "").replace("</section>", "").replace("</article>", "<div><span>")
    art = extract_article(page)
    assert art.kind == "article"
    assert "河濱公園將進行全面改建" in art.text
    assert "Copyright" not in art.text


def test_text_capture_goes_to_the_text_reader():
    capture = (
        "時隔6年！習近平與金正恩將舉行會談\n\n聯合報／ 記者陳宥菘／即時報導\n\n"
        "大陸外交部發言人郭嘉昆4日下午表示，大陸與北韓「兩黨兩國領導人將舉行會談」，就中朝關係深入交換意見。\n\n"
        "金正恩正在中國大陸進行訪問，3日上午出席九三閱兵，並於當日與俄羅斯總統普亭舉行會談。\n"
    )
    art = extract_article(capture.encode("utf-8"))
    assert art.kind == "article"
    assert "郭嘉昆" in art.text
    assert "<" not in art.text


_BODY = "<h1>河濱公園改建</h1><p>" + "市府今天宣布河濱公園將進行全面改建，工程預計明年春天完工。" * 4 + "</p>"


@pytest.mark.parametrize(
    "head, url",
    [
        ('<meta property="article:published_time" content="2024-05-01T10:00:00+25:00">', None),
        ('<meta property="article:published_time" content="2024-05-01T10:00:00+23:99">', None),
        ('<script type="application/ld+json">' + "[" * 5000 + "]" * 5000 + "</script>", None),
        ("", "http://[::1"),
        ('<base href="http://[bad">', "http://[bad/a.html"),
    ],
    ids=["offset-25h", "offset-99min", "json-ld-5000-deep", "bad-ipv6-url", "bad-ipv6-base"],
)
def test_hostile_metadata_and_urls_do_not_crash(head, url):
    page = f'<html><head>{head}</head><body>{_BODY}<a href="/x">相關</a><img src="/i.jpg"></body></html>'
    art = extract_article(page, url=url)
    assert art.kind == "article"
    assert "河濱公園將進行全面改建" in art.text
    if "published_time" in head:
        assert art.published is None or art.published.year == 2024


def test_control_characters_beside_dropped_elements_do_not_crash():
    # libxml2 keeps \x08 and \x0e in text, and lxml refuses them when a dropped <script>'s tail moves
    page = GOOD.replace("<p>", "<script>x</script>\x08\x0e<p>\x0b\x0c\x1f", 2)
    art = extract_article(page.encode("utf-8"))
    assert art.kind == "article"
    assert "工務局長表示" in art.text
    assert not any(c in art.text for c in "\x08\x0b\x0e\x1f")


def test_binary_bytes_are_refused_before_decoding_with_a_reason():
    art = extract_article(bytes(range(256)) * 64)
    assert art.kind == "not_article"
    assert "binary" in art.notes


def test_a_page_mixing_two_encodings_keeps_its_text():
    story = "".join(f"<p>第{i}段：市政府今天宣布河濱公園將進行全面改建，工程預計明年春天完工。</p>" for i in range(6))
    data = f"<html><head><title>河濱公園改建</title></head><body><h1>河濱公園改建</h1>{story}".encode()
    data += "<p>居民可在網上查看設計圖並提出意見，市府將舉辦說明會。</p></body></html>".encode("big5")
    art = extract_article(data)
    assert art.kind == "article"
    assert "第5段" in art.text


def test_a_page_of_too_many_elements_is_cut_and_says_so():
    from newsmirror.extract.page import MAX_ELEMENTS, cut_tree, parse_html

    story = "".join(f"<p>第{i}段：市政府今天宣布河濱公園將進行全面改建，工程預計明年春天完工。</p>" for i in range(6))
    art = extract_article(f"<html><body><h1>河濱公園改建</h1>{story}" + "<p>字</p>" * (MAX_ELEMENTS + 10) + "</body></html>")
    assert art.kind == "article" and "第5段" in art.text
    assert "cut after" in art.notes
    root = parse_html("<html><body>" + "<div><p>a</p></div>" * 20 + "</body></html>")
    assert cut_tree(root, 11) and sum(1 for _ in root.iter()) == 11
    assert not cut_tree(root, 11)


STORY = "".join(f"<p>第{i}段：市政府今天宣布河濱公園將進行全面改建，工程預計明年春天完工。</p>" for i in range(6))


@pytest.mark.parametrize("closed", [True, False], ids=["closed", "never-closed"])
def test_a_story_nested_deeper_than_libxml2_reads_is_kept_and_says_so(closed):
    # libxml2 stops at depth 256 and loses the rest: runs of bare opening tags are read as one each
    page = "<html><body>" + '<div class="x">' * 3000 + f"<h1>河濱公園改建</h1>{STORY}" + ("</div>" * 3000 if closed else "")
    art = extract_article(page)
    assert art.kind == "article" and "第5段" in art.text
    assert "nested deeper than 256" in art.notes and "read as one each" in art.notes


def test_nesting_with_text_at_every_level_says_what_is_lost():
    page = "<html><body><h1>河濱公園改建</h1>" + STORY + "<div>層" * 3000 + "</body></html>"
    art = extract_article(page)
    assert "第5段" in art.text
    assert "text past that depth is lost" in art.notes


def test_one_text_of_over_ten_megabytes_is_read_in_full():
    # libxml2 drops a text node over 10 MB and stops reading unless told the input may be huge
    line = "河濱公園" * 900_000  # 3.6 million characters, 10.8 MB of UTF-8
    art = extract_article(f"<html><body><h1>河濱公園改建</h1>{STORY}<p>{line}</p><p>最後一段文字。</p></body></html>")
    assert "第5段" in art.text and line in art.text and "最後一段" in art.text
    assert "over 10 MB" in art.notes


@pytest.mark.parametrize("data", ["<!DOCTYPE html>", "</html></body><!doctype html>"])
def test_markup_without_an_element_is_not_article_with_a_reason(data):
    art = extract_article(data)
    assert art.kind == "not_article"
    assert art.notes == "no HTML element could be read"


def test_a_text_capture_of_too_many_lines_is_cut_and_says_so():
    from newsmirror.extract.textcapture import MAX_LINES

    paras = [f"第{i}段：市政府今天宣布河濱公園將進行全面改建，工程預計明年春天完工。" for i in range(MAX_LINES + 50)]
    art = extract_article("\n\n".join(paras))
    assert art.kind == "article" and "第5段" in art.text
    assert f"第{MAX_LINES - 1}段" in art.text and f"第{MAX_LINES}段" not in art.text
    assert "text cut after its first" in art.notes


def test_a_text_capture_without_a_body_is_not_article_with_a_reason():
    art = extract_article("首頁\n\n新聞\n\n體育\n\n登入")
    assert art.kind == "not_article"
    assert "no run of body paragraphs" in art.notes
