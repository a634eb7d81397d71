"""render_post writes the old mirror's post format exactly, and survives any title or outlet name."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest
import yaml

from newsmirror.models import StoredArticle
from newsmirror.frontmatter import yaml_quote, yaml_scalar
from newsmirror.publish.jekyll import post_date, render_post

SEED = "000_2e124f6b3491d5a3.txt"
CNA = "(臺)中央社CNA"
T0 = datetime(2023, 9, 11, 10, 19, tzinfo=UTC)


def make_article(**changes) -> StoredArticle:
    base = StoredArticle(
        id=1, source=CNA, url="https://www.cna.com.tw/news/aopl/202309110257.aspx",
        link="https://www.cna.com.tw/news/aopl/202309110257.aspx", guid=None,
        title="傳金正恩已搭專車赴海參崴 將與蒲亭會面", published=T0, first_seen=T0, last_seen=T0,
        authors=(), categories=(), feed_html="", html="<p>內文</p>", text="內文", version=1,
    )
    return replace(base, **changes)


def front_matter(post: str) -> dict:
    assert post.startswith("---\n")
    head, _, _ = post[4:].partition("\n---\n")
    return yaml.safe_load(head)


def test_seed_post_byte_for_byte(seeds_dir):
    seed = (seeds_dir / SEED).read_bytes()
    text = seed.decode("utf-8")
    body = text.split("<div>\n", 1)[1].rsplit("\n</div>\n", 1)[0]
    article = make_article(html=body)
    assert render_post(article).encode("utf-8") == seed


def test_seed_fields_parse_back(seeds_dir):
    meta = front_matter((seeds_dir / SEED).read_text(encoding="utf-8"))
    post = front_matter(render_post(make_article()))
    assert post == meta
    assert list(post) == ["layout", "title", "date", "author", "from", "tags", "comments", "categories"]


TORTURE_TITLES = [
    'He said "hello"',
    "It's a 'quote'",
    "key: value",
    "ends with colon:",
    "back\\slash \\n not newline",
    "# not a comment",
    "tail # comment?",
    "line1\nline2",
    "cr\r\nlf",
    "- leading dash",
    "[bracketed] title",
    "{braced: map}",
    "*star alias",
    "&anchor value",
    "!tag value",
    "%directive",
    "@at sign",
    "`backtick`",
    "tab\there",
    "\ttab first",
    "ctrl \x00\x01\x07\x1b\x7f chars",
    "emoji 🎉👨‍👩‍👧 mixed 中文",
    "lone \ud800 surrogate \udfff",
    "yes",
    "null",
    "~",
    "123",
    "1e3",
    "2023-09-11",
    "  padded  ",
    "",
    "|literal",
    ">folded",
    "? question",
    "NEL\x85LS\u2028PS\u2029BOM\ufeffNBSP\xa0",
    "{{ site.title }} {% include x %}",
    "<script>alert(1)</script>",
    "全形：「引號」、『書名號』——破折號…",
    "\u202eRTL override",
    "a" * 500,
    "\\\"\\\"",
    "---",
    "...",
]


def _expected(title: str) -> str:
    """What a title reads back as: lone surrogates become U+FFFD, everything else is exact."""
    return title.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


@pytest.mark.parametrize("title", TORTURE_TITLES)
def test_torture_title_parses_back(title):
    post = render_post(make_article(title=title))
    post.encode("utf-8")  # writable
    meta = front_matter(post)
    assert meta["title"] == _expected(title)
    assert meta["author"] == CNA
    assert meta["date"] == T0
    lines = post.split("\n")
    assert lines[10] == "<!--1694427540000-->"
    assert lines[11].startswith("[") and lines[11].endswith("](https://www.cna.com.tw/news/aopl/202309110257.aspx)")
    assert lines[12] == "------"
    content = post.split("\n---\n", 1)[1]  # front matter is data: Jekyll runs no Liquid there
    assert "{{" not in content and "{%" not in content
    assert "<script" not in content


SOURCE_NAMES = [
    CNA, "聯合報", "BBC News 中文", "Yahoo!奇摩", "a: b", "x, y", "[bracket]", "{brace}", "#hash", "- dash",
    "yes", "No", "null", "123", "1.5", "2023-01-01", "'quoted'", '"dq"', "trailing ", " leading", "",
    "tab\tname", "new\nline", "emoji 📰", "&amp", "*star", "!bang", "%pct", "@at", "`tick`", "a #b",
    "路透社 Reuters (中文)", "ｆｕｌｌ", "~", "=", "<<",
]


@pytest.mark.parametrize("name", SOURCE_NAMES)
def test_source_name_parses_back(name):
    meta = front_matter(render_post(make_article(source=name)))
    assert meta["author"] == name
    assert meta["tags"] == [name]
    assert meta["categories"] == [name]


def test_plain_source_names_stay_plain():
    assert yaml_scalar(CNA) == CNA
    assert yaml_scalar("聯合報") == "聯合報"
    assert yaml_scalar("yes") == '"yes"'
    assert yaml_scalar("a: b") == '"a: b"'


@pytest.mark.parametrize("link", [
    "https://e.example/a?b=1&c=2#frag",
    "https://e.example/path:",
    "https://e.example/中文/頁",
    "https://e.example/a b",
    "https://e.example/(x)[y]{z}",
    'https://e.example/"q"',
    "",
])
def test_link_parses_back_and_keeps_markdown_intact(link):
    post = render_post(make_article(link=link, url=link or "https://e.example/"))
    meta = front_matter(post)
    assert meta["from"] == (link or "https://e.example/")
    line = post.split("\n")[11]
    dest = line[line.index("](") + 2 : -1]
    assert not any(ch in dest for ch in " ()[]{}<>\"")


def test_yaml_quote_escapes():
    assert yaml_quote('a"b\\c') == '"a\\"b\\\\c"'
    assert yaml_quote("a\nb\tc\x00") == '"a\\nb\\tc\\0"'
    assert yaml_quote("\x85\u2028\ufeff") == '"\\N\\L\\uFEFF"'


def test_markdown_title_escapes():
    post = render_post(make_article(title="[a] *b* _c_ `d` <e> & {{f}} | $g \\h"))
    line = post.split("\n")[11]
    assert line.startswith("[\\[a\\] \\*b\\* \\_c\\_ \\`d\\` &lt;e&gt; &amp; &#123;&#123;f&#125;&#125; \\| \\$g \\\\h](")


def test_body_is_resanitized_and_liquid_safe():
    html = ('<p onclick="x()">正文{{ site }}{%raw%}</p><script>alert(1)</script>'
            '<a href="javascript:alert(1)">j</a><pre>a\n\n\nb</pre>')
    post = render_post(make_article(html=html))
    body = post.split("<div>\n", 1)[1]
    assert "script" not in body and "onclick" not in body and "javascript" not in body
    assert "{{" not in body and "{%" not in body and "&#123;{ site }}&#123;%raw%}" in body
    assert "\n\n" not in body  # one HTML block for Markdown
    assert "<pre>a&#10;&#10;\nb</pre>" in body


def test_date_never_after_first_seen_and_milliseconds():
    future = T0 + timedelta(days=3)
    article = make_article(published=future, first_seen=T0 + timedelta(microseconds=123456))
    assert post_date(article) == T0 + timedelta(milliseconds=123)
    post = render_post(article)
    assert "date: 2023-09-11T10:19:00.123Z\n" in post
    assert "<!--1694427540123-->\n" in post


def test_date_converted_to_utc():
    taipei = timezone(timedelta(hours=8))
    article = make_article(published=datetime(2023, 9, 12, 2, 5, tzinfo=taipei),
                           first_seen=datetime(2023, 9, 12, 3, 0, tzinfo=taipei))
    assert "date: 2023-09-11T18:05:00.000Z\n" in render_post(article)


@pytest.mark.parametrize("link", ["javascript:alert(1)", " JavaScript:alert(1)", "data:text/html,<script>x</script>",
                                  "vbscript:msgbox(1)", "java\tscript:alert(1)"])
def test_script_links_never_reach_the_post(link):
    # archives written before feeds dropped such links may hold them; kramdown would emit href="javascript:..."
    post = render_post(make_article(link=link, url="urn:newsmirror:0123"))
    assert "script" not in post.lower().replace("<script>", "") and "data:" not in post
    assert front_matter(post)["from"] == "urn:newsmirror:0123"
    safe = render_post(make_article(link=link))
    assert front_matter(safe)["from"] == "https://www.cna.com.tw/news/aopl/202309110257.aspx"
