"""HTML page -> main content: blocks of text, the container that holds the article, and its edges.

The article is found by general evidence, not per-site rules: every text-bearing block credits
its ancestors with a score from its length and sentence punctuation (Chinese 。，！？ or Latin
.,!?), the way readability credits paragraphs, weighted by link density and class/id hints
(content/article/post-body vs comment/related/share/footer) and markup semantics (article,
itemprop=articleBody, role=main). Then siblings that read like body text join the winner, and
boilerplate at the body's edges (title repeats, bylines, related-link headings, editor and
copyright lines) is trimmed.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from urllib.parse import urljoin

from lxml import etree

from newsmirror.chinese import CLOSING_CLASS, HAN, SENTENCE_END_CLASS
from newsmirror.extract.lexicon import lexicon
from newsmirror.furniture import CAPTION_LABEL, CREDIT_LABEL, PHOTO_CAPTION  # noqa: F401 - used here and re-exported

__all__ = [
    "Block",
    "Blocks",
    "Body",
    "parse_html",
    "clean_tree",
    "render_blocks",
    "find_body",
    "join_url",
    "join_images",
    "memo_search",
    "looks_like_html",
    "is_read_more",
]

# Elements that never hold article text.
_JUNK_TAGS = ("script", "style", "noscript", "iframe", "svg", "canvas", "object", "embed", "button",
              "input", "select", "textarea", "option", "link", "meta", "template", "dialog", "map",
              "head", "audio", "source", "track", "math")
# Page furniture: dropped unless it holds most of the page's sentences.
_FURNITURE_TAGS = ("nav", "footer", "aside", "form", "menu")
BLOCK_TAGS = frozenset((
    "p", "div", "section", "article", "main", "header", "footer", "aside", "nav", "ul", "ol", "li",
    "dl", "dt", "dd", "table", "thead", "tbody", "tfoot", "tr", "td", "th", "h1", "h2", "h3", "h4",
    "h5", "h6", "blockquote", "pre", "figure", "figcaption", "address", "hr", "br", "center", "form",
    "fieldset", "details", "summary", "caption", "body", "html", "video", "picture", "img", "time-block",
))
_CAPTION_TAGS = frozenset(("div", "p", "span", "figcaption", "dd", "dt", "li", "em", "small", "td"))
_HEADINGS = frozenset(("h1", "h2", "h3", "h4", "h5", "h6"))
_CANDIDATE_TAGS = frozenset(("div", "article", "section", "main", "td", "body", "span", "center", "font",
                             "blockquote", "dd", "li", "form"))

# Class and id hints (lexicon [class_hints], matched in lower-cased `class id`, so compiled without re.I):
# boxes that are probably not the article, probably are, surely are not (dropped from inside the body),
# and never are whatever else their class says (`newsletter-instory`, `nfzm-content__paywall`).
_NEG_HINT = re.compile(lexicon().pattern("class_hints.negative"))
_POS_HINT = re.compile(lexicon().pattern("class_hints.positive"))
_STRONG_NEG = re.compile(lexicon().pattern("class_hints.strong_negative"))
_ALWAYS_NEG = re.compile(lexicon().pattern("class_hints.always_negative"))

# Sentence punctuation, Chinese and Latin; commas count too (readability's evidence).
_PUNCT = re.compile(r"[，。！？；：、,.!?;:「」“”]")
_SENTENCE_END = re.compile(f"[{SENTENCE_END_CLASS}{CLOSING_CLASS}.]$")  # a paragraph's last character
_CLOSERS = re.compile(r"</(?:[hH][tT][mM][lL]|[bB][oO][dD][yY])\s*>")  # no re.I: the "</" prefix scan stays fast
# A footer's words in a short block: copyright, licence numbers, contact lines (lexicon `page_text.footer_words`),
# lower-cased and searched in lower-cased text: re.I matches CJK text a character at a time (3-4 times slower).
_FOOTER_TEXT = re.compile(lexicon().alternation("page_text.footer_words").lower())

_EDGES = lexicon()
# A heading that opens the related-links, comment or editor area after a body, after any bullet or bracket:
# `相關閱讀`, `■延伸閱讀`, `更多國際報導`, `延伸·推薦`, `Read more` (the words: lexicon `body_edges.related_headings`).
_END_MARKER = re.compile(
    r"^[\s【\[（(<《「◆◇■□●○▲△▶►▸★☆※•·>»→＞-]*(?:" + _EDGES.alternation("body_edges.related_headings")
    + r"|更多\S{0,8}?(?:報導|报道)\s*$|延伸\s*[·・]?\s*推[荐薦])",
    re.I,
)
# A short closing line that is furniture: `（完）`, a share/follow/app/source line (lexicon `body_edges.tail_words`),
# a blog's hit counter or trackback (`post_furniture`), a player's notice (`player_notices`).
_TAIL_JUNK = re.compile(
    r"^[（(]完[)）]$|app\b|" + _EDGES.alternation("body_edges.tail_words", "body_edges.post_furniture"),
    re.I,
)
# A box asking for money or membership after the story (`贊助《X》 我們需要你們的支持`, `【诚征荣誉会员】…`):
# an ask word in the first 24 characters of a closing block, a word of what is asked for in its first 60.
_ASK = re.compile(_EDGES.alternation("body_edges.asks"))
_ASK_OBJECT = re.compile(_EDGES.alternation("body_edges.ask_objects"))
# A page counter above or under a post: `第1页/共1页`, `第 2 頁 / 共 5 頁 << 上一頁`.
_PAGE_COUNTER = re.compile(r"^第\s*\d+\s*[页頁]\s*[/／]?\s*共\s*\d+\s*[页頁]")
# A video player's words where the video should be, a consent box's (lexicon `body_edges.player_notices`,
# `body_edges.consent_notices`).
# (lexicon words, lower-cased: searched in lower-cased text, see _FOOTER_TEXT)
_PLAYER_NOTICE = re.compile(_EDGES.alternation("body_edges.player_notices", "body_edges.consent_notices").lower())
# Matched against lower-cased class and id: without re.I the scan is several times faster.
_CAPTION_HINT = re.compile(lexicon().pattern("class_hints.caption"))


@dataclass(eq=False, slots=True)
class Block:
    """One paragraph of rendered page text with the evidence about it."""

    text: str
    source: etree._Element  # the element whose direct text this is
    tag: str  # the nearest block-level tag ("p", "li", "h2" ...)
    link_chars: int = 0  # non-whitespace characters inside links
    chars: int = 0  # non-whitespace characters: the length that matters for CJK and Latin alike
    images: list[str] = field(default_factory=list)  # `src` as written until join_images
    caption: bool = False
    joined: bool = False  # images made absolute (join_images)

    @property
    def link_density(self) -> float:
        return self.link_chars / self.chars if self.chars else 0.0


@dataclass
class Body:
    """The chosen article region: its blocks (in order) and where they sit among all page blocks."""

    blocks: list[Block]
    start: int  # index of the first body block among all blocks
    end: int  # index after the last body block
    container: etree._Element | None
    score: float = 0.0
    captions: list[str] = field(default_factory=list)


def looks_like_html(text: str) -> bool:
    """True when the text is markup (tags of HTML), False for a plain text capture."""
    head = text[:5000].lower()
    if re.search(r"<!doctype html|<html|<head|<body|<meta\s", head):
        return True
    tags = re.findall(r"</?(?:p|div|span|a|br|img|h[1-6]|li|ul|table|article|section|strong|figure)\b[^>]*>", text[:20000], re.I)
    return len(tags) >= 2


_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def parse_html(text: str, notes: list[str] | None = None) -> etree._Element | None:
    """Parse HTML text into an lxml tree; None when nothing parseable is there. A repair the page needed
    is said in `notes` (nesting deeper than libxml2 reads)."""
    text = re.sub(r"^\s*<\?xml[^>]*>", "", text)
    # Control characters libxml2 keeps in text are removed where they matter, not by a scan of the
    # whole page: when a drop moves a tail (_drop) and in rendered block text (render_blocks).
    # libxml2 stops at an early </html> or </body> (pages that include a whole header document);
    # browsers read on, so drop the closers and let the parser close at the end.
    text = _CLOSERS.sub("", text)
    if not text.strip():
        return None
    root, limit = _parse(text)
    if limit == "size":
        # A text node of over 10 MB (one line of millions of characters): libxml2 drops it and stops
        # reading unless told the input may be huge. The input is already capped (MAX_CHARS upstream).
        root, limit = _parse(text, huge=True)
        if notes is not None:
            notes.append("a text of over 10 MB in one element, read in full")
    if limit == "depth":
        # libxml2 stops reading at depth 256 (what lies deeper is lost): runs of nested opening tags
        # with nothing between them hold no text, so each run is read as its last tag and parsed again.
        flat, runs = _NESTING_RUN.subn(_last_tag, text)
        if runs:
            root, limit = _parse(flat)
        if notes is not None:
            notes.append(f"elements nested deeper than {_MAX_DEPTH}: " + (
                "text past that depth is lost" if limit == "depth" else f"{runs:,} runs of nested tags read as one each"))
    return root


_MAX_DEPTH = 256  # libxml2's limit on element depth (without XML_PARSE_HUGE, which only raises it to 2048)
# A run of 32 or more opening tags (no void ones such as <img> or <br>) with only whitespace between them:
# `<div><div class="x"> <span>…`, the shape of a page nested thousands deep.
_NESTING_RUN = re.compile(r"(?:<(?!(?:img|br|hr|input|meta|link|source|wbr|area|col|embed|param|track)\b)"
                          r"[A-Za-z][\w:-]*(?:\s[^<>]*)?>\s*){32,}")


def _last_tag(m: re.Match[str]) -> str:
    run = m.group().rstrip()
    return run[run.rindex("<"):]


def _parse(text: str, huge: bool = False) -> tuple[etree._Element | None, str]:
    """libxml2's tree of the text, and the limit it stopped at: "depth", "size" (a text node over 10 MB) or ""."""
    # Plain etree elements: lxml.html's element classes cost a lookup on every node visited.
    parser = etree.HTMLParser(remove_comments=True, remove_pis=True, collect_ids=False, default_doctype=False,
                              huge_tree=huge)
    try:
        root = etree.fromstring(text, parser)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError):
        return None, ""
    for e in parser.error_log.filter_from_fatals():
        if e.type_name == "ERR_RESOURCE_LIMIT":
            return root, "depth" if "depth" in e.message else "size"
    return root, ""


def _hint(el: etree._Element) -> str:
    """class and id, lower-cased, for the hint patterns (compiled without re.I: much faster)."""
    cls, ident = el.get("class"), el.get("id")
    if not cls and not ident:
        return ""
    return f"{cls or ''} {ident or ''}".lower()


_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
# Only elements with one of these attributes can be hidden: libxml2 lists the attributes without a
# Python loop over every element (and faster than an element test with three attribute checks).
_HIDING_ATTRS = etree.XPath(".//@style | .//@hidden | .//@aria-hidden")


def _is_hidden(el: etree._Element) -> bool:
    style = el.get("style")
    if style and _HIDDEN_STYLE.search(style):
        return True
    return el.get("hidden") is not None or el.get("aria-hidden") == "true" and el.tag not in ("span", "i")


def clean_tree(root: etree._Element) -> None:
    """Drop what never holds article text: scripts, styles, hidden parts, forms' controls, comments.

    Each drop keeps the dropped node's tail text in place, so the order of the drops does not
    change the text. A <textarea> holding an article's markup (a page whose script renders it
    from there) is parsed into the page in its place first; then libxml2 strips the junk tags in
    one call (a Python loop of drops cost a quarter of the parse), then hidden elements go.
    """
    for el in list(root.iter("textarea")):
        _render_template(el)
    etree.strip_elements(root, *_JUNK_TAGS, etree.Comment, etree.ProcessingInstruction, etree.Entity,
                         with_tail=False)
    hidden: dict[etree._Element, None] = {}
    for attr in _HIDING_ATTRS(root):
        el = attr.getparent()
        if el not in hidden and el.tag not in ("html", "body") and _is_hidden(el):
            hidden[el] = None
    for el in hidden:
        _drop(el)


_TEMPLATE_PARAS = re.compile(r"<p[\s>]", re.I)


def _render_template(el: etree._Element) -> bool:
    """Replace a <textarea> that holds paragraphs of markup (at least three) with those paragraphs."""
    text = el.text or ""
    if len(text) < 200 or len(_TEMPLATE_PARAS.findall(text, 0, 20000)) < 3:
        return False
    fragment = parse_html(f"<html><body><div>{text}</div></body></html>")
    holder = next(fragment.iter("div"), None) if fragment is not None else None
    if holder is None:
        return False
    holder.tail = el.tail
    el.getparent().replace(el, holder)
    return True


def _drop(el: etree._Element) -> None:
    """Remove an element but keep its tail text in place."""
    parent = el.getparent()
    if parent is None:
        return
    tail = el.tail
    if tail:
        prev = el.getprevious()
        try:
            _join_tail(parent, prev, tail)
        except ValueError:  # lxml refuses control characters libxml2 kept: set the text without them
            _join_tail(parent, prev, _XML_BAD.sub(_xml_bad_to, tail), clean=True)
    parent.remove(el)


def _xml_bad_to(m: re.Match[str]) -> str:
    return " " if m.group() == "\x0c" else ""


def _join_tail(parent: etree._Element, prev: etree._Element | None, tail: str, clean: bool = False) -> None:
    """Append a removed element's tail to its previous sibling's tail, or to the parent's text."""
    if prev is not None:
        before = prev.tail or ""
        prev.tail = (_XML_BAD.sub(_xml_bad_to, before) if clean else before) + tail
    else:
        before = parent.text or ""
        parent.text = (_XML_BAD.sub(_xml_bad_to, before) if clean else before) + tail


class Blocks(list):
    """render_blocks' answer: the blocks in page order, plus what the same walk saw of each element.

    `stats[el]` is (chars, link_chars, order) for every element under `root` and root itself: the
    non-whitespace characters of el's subtree (tails of its children included, as in Block), those
    inside links, and el's place in page order (a pre-order number: parents before children).
    `hints[el]` is "class id" lower-cased for every element with a class or an id (the hint
    patterns are compiled without re.I). `marks` lists, in walk order, what the link finders
    (related.py) read: (el, HINT, hint) for every element but <a> with a class or id, and (el, TEXT, text)
    or (el, TAIL, tail) for every text with at most 24 non-space characters (headings and labels
    are short).
    """

    HINT, TEXT, TAIL = 0, 1, 2

    def __init__(self, root: etree._Element) -> None:
        super().__init__()
        self.root = root
        self.stats: dict[etree._Element, tuple[int, int, int]] = {}
        self.hints: dict[etree._Element, str] = {}
        self.marks: list[tuple[etree._Element, int, str]] = []
        self.asides: dict[etree._Element, bool] = {}  # is_aside's answer per block source, once per page
        self.headline_links: dict[etree._Element, int] = {}  # _headline_links per element, once per page
        self.hint_kinds: dict[str, int] = {}  # _hint_kind per distinct hint (a page repeats its classes)

    def hint(self, el: etree._Element) -> str:
        """el's "class id", lower-cased ("" without either), as the walk saw it."""
        hint = self.hints.get(el)
        return hint if hint is not None else _hint(el) if el not in self.stats else ""


_PARSED_OUT = frozenset("?#;[]\t\r\n")  # characters urlparse would move, drop or check


def join_url(base_url: str | None, url: str) -> str:
    """urljoin(base_url, url), without parsing the common case urljoin hands back unchanged.

    That is an ASCII http(s) URL with a host and no query, fragment, params, brackets or tabs and
    newlines: urljoin returns it as given when its scheme differs from the base's, and re-assembles
    it into the same string when the schemes agree. Everything else goes to urljoin.
    """
    if not base_url:
        return url
    if url.startswith(("https://", "http://")) and url.isascii():
        rest = url[8:] if url[4] == "s" else url[7:]
        if rest and rest[0] != "/" and _PARSED_OUT.isdisjoint(url):
            return url
    try:
        return urljoin(base_url, url)
    except ValueError:  # `http://[bad` in the link or the base: keep the link as written
        return url


# Elements of a page read at most: the largest real page of the corpora has 8,500; a page of 100,000
# links or 200,000 paragraphs is cut here so that no page takes more than a second.
MAX_ELEMENTS = 25_000


_COUNT_NODES = etree.XPath("count(descendant-or-self::* | descendant::comment() | descendant::processing-instruction())")


def cut_tree(root: etree._Element, limit: int = MAX_ELEMENTS) -> bool:
    """Drop every element after the first `limit` in page order (as a truncated download would end);
    True when something was cut."""
    # libxml2 counts the nodes root.iter() yields (elements, comments, PIs) without a Python object per node.
    if _COUNT_NODES(root) <= limit:
        return False
    el = next(itertools.islice(root.iter(), limit, None), None)
    if el is None:
        return False
    node = el
    while node is not None and node is not root:
        parent = node.getparent()
        if parent is None:
            break
        for sib in list(node.itersiblings()):
            parent.remove(sib)
        node = parent
    parent = el.getparent()
    if parent is not None:
        parent.remove(el)
    return True


# What render_blocks does on an element's tag, as bits: one dict lookup instead of a test per job.
_OPENS_BLOCK = 1  # a block-level tag: ends the paragraph before it and after it
_BLOCK_STACK = 2  # ... that is also the source of the text inside it (every block tag but <br>)
_OPENS_LINK = 4  # <a>
_OPENS_CAPTION = 8  # <figcaption>, <caption>
_CAPTION_CANDIDATE = 16  # a tag a caption class can turn into a caption (_CAPTION_TAGS)
_IMAGE = 32  # <img>
_TAG_JOBS: dict[object, int] = {}
for _tag in BLOCK_TAGS:
    _TAG_JOBS[_tag] = _OPENS_BLOCK | (_BLOCK_STACK if _tag != "br" else 0)
for _tag in _CAPTION_TAGS:
    _TAG_JOBS[_tag] = _TAG_JOBS.get(_tag, 0) | _CAPTION_CANDIDATE
_TAG_JOBS["a"] = _TAG_JOBS.get("a", 0) | _OPENS_LINK
for _tag in ("figcaption", "caption"):
    _TAG_JOBS[_tag] = (_TAG_JOBS.get(_tag, 0) | _OPENS_CAPTION) & ~_CAPTION_CANDIDATE
_TAG_JOBS["img"] = _TAG_JOBS.get("img", 0) | _IMAGE


def render_blocks(root: etree._Element) -> Blocks:
    """Render the tree into paragraph blocks (block tags and <br> end paragraphs), counting as it goes.

    One walk does every job: the text, link-text counts and page order of every subtree that
    find_body weighs come from running totals taken when an element opens and closes; the class
    and id hints are read once here for every later reader (find_body, related.py). Each tag's
    jobs are looked up once (_TAG_JOBS): this loop runs for every element of the page. Pictures
    keep their `src` as written: join_images makes absolute only those of the blocks kept (joining
    every picture of a page cost a tenth of this walk).
    """
    blocks = Blocks(root)
    stats = blocks.stats
    hints = blocks.hints
    append_block = blocks.append
    mark = blocks.marks.append
    text_mark = Blocks.TEXT
    buf: list[str] = []
    has_text = False  # buf holds more than whitespace
    imgs: list[str] = []
    bstack: list[etree._Element] = [root]  # open block-level ancestors
    btags: list[str] = [root.tag]  # and their tags
    links = 0  # open <a> ancestors
    caps = 0  # open caption ancestors
    chars = link_chars = 0  # running totals over the text so far
    order = 0  # elements opened so far: the page-order number of the next one
    block_chars = block_links = 0  # totals when the current block began
    split, isspace, caption_hint = str.split, str.isspace, memo_search(_CAPTION_HINT)
    jobs_of = _TAG_JOBS.get

    def flush() -> None:
        nonlocal imgs, has_text, block_chars, block_links
        if has_text or imgs:
            # Whitespace runs squeezed to one space: str.split() and the regex \s agree on what whitespace is.
            text = " ".join("".join(buf).split()) if has_text else ""
            if not text.isprintable():  # rare: control characters libxml2 kept in the page's text
                text = _XML_BAD.sub("", text)
            # positional: Block(text, source, tag, link_chars, chars, images, caption)
            append_block(Block(text, bstack[-1], btags[-1], link_chars - block_links, chars - block_chars, imgs,
                               caps > 0))
            imgs = []
        buf.clear()
        has_text = False
        block_chars, block_links = chars, link_chars

    # For each open element: its jobs, what it opened (0 nothing, 1 a link, 2 a caption), the
    # running totals when it began and its page-order number.
    opened: list[tuple[int, int, int, int, int]] = []
    push, pop = opened.append, opened.pop
    for event, el in etree.iterwalk(root, events=("start", "end", "comment", "pi")):
        if event == "start":
            tag = el.tag
            jobs = jobs_of(tag, 0)
            kind = 0
            if jobs:
                if jobs & 1:  # _OPENS_BLOCK
                    if has_text or imgs:
                        flush()
                    elif buf:
                        buf.clear()  # whitespace only: no block, counts unchanged
                    if jobs & 2:  # _BLOCK_STACK
                        bstack.append(el)
                        btags.append(tag)
                if jobs & 4:  # _OPENS_LINK
                    links += 1
                    kind = 1
                elif jobs & 8:  # _OPENS_CAPTION
                    caps += 1
                    kind = 2
            if tag.__class__ is str:
                cls = el.get("class")
                ident = el.get("id")
                if cls is not None or ident is not None:
                    hint = f"{cls or ''} {ident or ''}".lower()
                    hints[el] = hint
                    if not jobs & 4:  # a link's class names no box (related.py reads none)
                        mark((el, 0, hint))
                    if jobs & 16 and len(el) <= 6 and caption_hint(hint):  # _CAPTION_CANDIDATE (memo per hint)
                        caps += 1
                        kind = 2
                if jobs & 32:  # _IMAGE
                    src = el.get("data-src") or el.get("data-original") or el.get("src") or ""
                    if src and not src.startswith("data:"):
                        imgs.append(src)
                s = el.text
            else:
                s = None  # an entity node: only its tail is text
            push((jobs, kind, chars, link_chars, order))
            order += 1
            text_mark = 1
        elif event == "end":
            jobs, kind, c0, l0, n0 = pop()
            if jobs & 1:  # _OPENS_BLOCK
                if has_text or imgs:
                    flush()
                elif buf:
                    buf.clear()
                if jobs & 2:  # _BLOCK_STACK
                    bstack.pop()
                    btags.pop()
            if kind:
                if kind == 1:
                    links -= 1
                else:
                    caps -= 1
            stats[el] = (chars - c0, link_chars - l0, n0)
            s = el.tail
            text_mark = 2 if el is not root else -1  # the root's tail is outside the scope
        else:  # a comment or processing instruction: only its tail is text
            s = el.tail
            text_mark = 2
        if s:
            if isspace(s):
                if has_text:
                    buf.append(s)  # whitespace before any text: the squeeze would drop it anyway
            else:
                buf.append(s)
                has_text = True
                n = len("".join(split(s)))
                if n <= 24 and text_mark > 0:
                    mark((el, text_mark, s))
                chars += n
                if links:
                    link_chars += n
    flush()
    return blocks


def join_images(blocks: list[Block], base_url: str | None) -> None:
    """Make the pictures of these blocks absolute against the page's address (in place, once per block)."""
    if not base_url:
        return
    for b in blocks:
        if b.images and not b.joined:
            b.images = [join_url(base_url, src) for src in b.images]
            b.joined = True


def memo_search(pattern: re.Pattern[str]):
    """pattern.search(hint) is not None, remembered per distinct hint: a page repeats its classes."""
    memo: dict[str, bool] = {}

    def search(hint: str) -> bool:
        found = memo.get(hint)
        if found is None:
            found = memo[hint] = pattern.search(hint) is not None
        return found

    return search


def _class_weight(el: etree._Element, hint: str, memo: dict[str, float]) -> float:
    """Markup's vote on a candidate: +30 for article markup, -25/+25 for a negative/positive class or id;
    memo holds the hint's part per distinct hint (a page repeats its classes)."""
    weight = memo.get(hint)
    if weight is None:
        weight = memo[hint] = _hint_weight(hint)
    if el.tag in ("article", "main") or el.get("itemprop") in ("articleBody", "text") or el.get("role") == "main":
        weight += 30
    return weight


def _hint_weight(hint: str) -> float:
    weight = 0.0
    if hint.strip():
        if _NEG_HINT.search(hint):
            weight -= 25
        if _POS_HINT.search(hint):
            weight += 25
    return weight


def find_body(root: etree._Element, blocks: list[Block], title_index: int | None = None) -> Body | None:
    """Choose the element that holds the article and return its blocks."""
    if not isinstance(blocks, Blocks) or blocks.root is not root:
        blocks = render_blocks(root)
    stats = blocks.stats
    hint_of = blocks.hint
    strong_neg, positive, always_neg = memo_search(_STRONG_NEG), memo_search(_POS_HINT), memo_search(_ALWAYS_NEG)
    scores: dict[etree._Element, float] = {}
    first_block: dict[etree._Element, int] = {}
    # Each paragraph-like block credits its ancestors, nearest most (readability's scheme).
    for i, b in enumerate(blocks):
        if b.chars < 10 or b.caption or b.link_density > 0.5 or b.tag in ("h1", "li", "dt", "th"):
            continue
        if b.chars < 150 and _FOOTER_TEXT.search(b.text.lower()):
            continue
        punct = len(_PUNCT.findall(b.text))
        cjk = HAN.search(b.text) is not None
        unit = 1 + punct + min(b.chars / (50 if cjk else 100), 3)
        el = b.source
        # A block whose source is a text-holding div is its own container level.
        level = 0 if b.source.tag in _CANDIDATE_TAGS and b.source.tag not in ("span", "font") else 1
        if level == 1:
            el = b.source.getparent()
        divider = 1.0
        depth = 0
        while el is not None and depth < 4:
            if isinstance(el.tag, str):
                scores[el] = scores.get(el, 0.0) + unit / divider
                if el not in first_block:
                    first_block[el] = i
            depth += 1
            divider = 2.0 if depth == 1 else depth * 1.5
            el = el.getparent()
    if not scores:
        return None
    if title_index is not None:
        # The body starts soon after the headline: a newsroom convention worth a bonus.
        for el, fi in first_block.items():
            if title_index <= fi <= title_index + 15:
                scores[el] += 15
    best = None
    best_score = float("-inf")
    final: dict[etree._Element, float] = {}
    under_memo: dict[etree._Element, bool] = {}
    weights: dict[str, float] = {}
    for el, s in scores.items():
        if el.tag not in _CANDIDATE_TAGS and el.tag not in ("p", "article", "main", "section"):
            continue
        st = stats.get(el)
        if st is None or st[0] == 0:
            continue
        ld = st[1] / st[0]
        f = (s + _class_weight(el, hint_of(el), weights)) * (1 - ld)
        if f > 0 and _under_comments(el, under_memo):
            f *= 0.3  # text inside a comment/related area is not the article however long
        final[el] = f
        if f > best_score:
            best, best_score = el, f
    if best is None:
        return None
    if best.tag == "p" and best.getparent() is not None:
        best = best.getparent()
        best_score = final.get(best, best_score)
    # Climb when the parent scores nearly as well: the article is split over siblings.
    parent = best.getparent()
    while parent is not None and parent.tag not in ("body", "html"):
        ps = final.get(parent, 0.0)
        if ps >= best_score * 0.9 and stats[parent][0] < stats[best][0] * 1.35:
            best, best_score = parent, max(ps, best_score)
            parent = best.getparent()
        else:
            break
    # Several strong candidates under one ancestor: the article is split into sections.
    rivals = [el for el, f in final.items() if f >= best_score * 0.3 and el is not best]
    anc = best.getparent()
    for _ in range(3):
        if anc is None or anc.tag in ("body", "html"):
            break
        inside_anc = [el for el in rivals if anc in el.iterancestors() and best not in el.iterancestors()
                      and el not in best.iterancestors()]
        a_chars, a_links, _ = stats[anc]
        if len(inside_anc) >= 2 and a_links / max(1, a_chars) < 0.3:
            best, best_score = anc, max(best_score, final.get(anc, 0.0))
        anc = anc.getparent()
    swapped = False
    if _card_list(best):
        # A list of cards (linked headlines over summaries), or a column holding one, outscored the story: the best
        # candidate that holds no linked headline, inside it or beside it (never around it), is the article.
        around = set(best.iterancestors())
        story = max((el for el, f in final.items() if f >= best_score * 0.2 and el is not best and el not in around
                     and _card_headings(el) == 0), key=lambda el: final[el], default=None)
        if story is not None:
            best, best_score, swapped = story, final[story], True
            if best.tag == "p" and best.getparent() is not None:
                best = best.getparent()
    members = {best}
    parent = best.getparent()
    threshold = max(10.0, best_score * 0.2)
    if parent is not None:
        for sib in parent:
            if sib is best or not isinstance(sib.tag, str):
                continue
            st = stats.get(sib)
            if st is None or st[0] == 0:
                continue
            s_chars, s_links, _ = st
            ld = s_links / s_chars
            ok = final.get(sib, 0.0) >= threshold and not strong_neg(hint_of(sib)) \
                and not (swapped and _card_list(sib))
            if not ok and sib.tag == "p":
                ok = (s_chars > 60 and ld < 0.25) or (0 < s_chars <= 60 and ld == 0
                                                      and _PUNCT.search("".join(sib.itertext())) is not None)
            if ok:
                members.add(sib)
    # The story split into chunks by an ad or a promo, each chunk a box of the same tag and class as the winner's under
    # one ancestor (`<div class="article__body">` twice): a chunk with text enough and few links is the story too.
    # The chunks sit as deep under that ancestor as the winner; none is in a comment area.
    cls = best.get("class")
    if cls and not swapped:
        top, depth = best, 0
        while depth < 8 and top.getparent() is not None and top.getparent().tag not in ("body", "html"):
            top, depth = top.getparent(), depth + 1
        for twin in top.iter(best.tag):
            if twin is best or twin in members or twin.get("class") != cls:
                continue
            st = stats.get(twin)
            if st is None or st[0] == 0 or st[1] / st[0] >= 0.25 or final.get(twin, 0.0) < threshold \
                    or strong_neg(hint_of(twin)) or _card_list(twin) or _under_comments(twin, under_memo):
                continue
            members.add(twin)
    inside: set[etree._Element] = set()
    excluded: set[etree._Element] = set()
    for m in members:
        for el in m.iter():
            inside.add(el)
    # Boilerplate nested inside the winner: link lists and comment/share/related boxes.
    best_chars = max(1, sum(stats[m][0] for m in members))
    for m in members:
        for el in m.iter():
            if el is m or el in excluded or not isinstance(el.tag, str):
                continue
            st = stats.get(el)
            if st is None:
                continue
            e_chars, e_links, _ = st
            hint = hint_of(el)
            drop = False
            if el.tag in _FURNITURE_TAGS and e_chars < best_chars * 0.5:
                drop = True
            elif hint and strong_neg(hint) and (not positive(hint) or always_neg(hint)) \
                    and e_chars < best_chars * 0.3:
                drop = True
            elif el.tag in ("ul", "ol", "dl", "table", "div", "section") and e_chars >= 20 \
                    and e_links / max(1, e_chars) > 0.55 and e_chars < best_chars * 0.5:
                drop = True
            if drop:
                for d in el.iter():
                    excluded.add(d)
    for m in members:
        _exclude_skipped(m, excluded, best_chars)
    chosen = [i for i, b in enumerate(blocks) if b.source in inside and b.source not in excluded]
    if not chosen:
        return None
    body_blocks = [blocks[i] for i in chosen]
    return Body(blocks=body_blocks, start=chosen[0], end=chosen[-1] + 1, container=best, score=best_score)


def _card_headings(el: etree._Element) -> int:
    """How many cards el holds: headings that are links (an <h3><a>headline</a></h3> card of a list), or else
    links that read "more" after a summary (`【详细】`, `阅读全文`, `Read more`: lexicon `read_more`)."""
    n = 0
    for h in el.iter("h2", "h3", "h4"):
        text = "".join("".join(h.itertext()).split())
        linked = sum(len("".join("".join(a.itertext()).split())) for a in h.iter("a"))
        if text and linked >= 0.8 * len(text):
            n += 1
    return n or sum(1 for a in el.iter("a") if _READ_MORE.fullmatch(" ".join("".join(a.itertext()).split())))


# A link that reads "more" and nothing else, in brackets or not (`【详细】`, `[阅读全文]`, `Read more »`).
_READ_MORE = re.compile(r"[【\[（(]?(?:" + lexicon().alternation("read_more") + r")[】\]）)]?[>»›]*", re.I)


def _card_list(el: etree._Element) -> bool:
    """el is a list of cards: four linked headlines or more, with at most two paragraphs of text for each
    (a story with linked promos between its paragraphs has many more paragraphs than headlines)."""
    cards = _card_headings(el)
    if cards < 4:
        return False
    paragraphs = sum(1 for p in el.iter("p") if len("".join("".join(p.itertext()).split())) >= 30)
    return paragraphs <= 2 * cards


_SKIP_TEXT = re.compile(r"skip|跳过|跳過|略过|略過")


def _exclude_skipped(container: etree._Element, excluded: set[etree._Element], body_chars: int) -> None:
    """Drop what a "skip ..." link jumps over: an embed, consent box or headline box inside the text.

    An in-page link that lets readers skip to a later anchor marks everything up to that anchor as
    something other than the article (accessibility convention, not one site's layout).
    """
    for a in container.iter("a"):
        href = a.get("href") or ""
        if len(href) < 2 or href[0] != "#" or not _SKIP_TEXT.search("".join(a.itertext()).lower()):
            continue
        ident = href[1:]
        order = {el: n for n, el in enumerate(container.iter())}
        target = next((el for el in order if el.get("id") == ident), None) if isinstance(ident, str) else None
        if target is None or order[target] <= order[a]:
            continue
        lo, hi = order[a], order[target]
        ancestors = set(target.iterancestors())
        span = [el for el, n in order.items() if lo < n <= hi and el not in ancestors]
        span += [d for d in target.iterdescendants()]
        skipped = "".join("".join(el.text.split()) for el in span if isinstance(el.tag, str) and el.text)
        if len(skipped) >= body_chars * 0.5:
            continue  # a "skip to content" link: what it jumps over is too big to be an embed
        excluded.update(span)
        excluded.add(a)
        parent = a.getparent()
        if parent is not None and "".join("".join(parent.itertext()).split()) == "".join("".join(a.itertext()).split()):
            excluded.add(parent)


def _under_comments(el: etree._Element, memo: dict[etree._Element, bool]) -> bool:
    """True when an ancestor below <body> is a comment/reply area; memo holds answers per ancestor."""
    path: list[etree._Element] = []
    anc = el.getparent()
    found = False
    while anc is not None and anc.tag not in ("body", "html"):
        known = memo.get(anc)
        if known is not None:
            found = known
            break
        path.append(anc)
        cls, ident = anc.get("class"), anc.get("id")
        if (cls or ident) and _COMMENTS.search(f"{cls or ''} {ident or ''}".lower()):
            found = True
            break
        anc = anc.getparent()
    # Every ancestor walked so far shares the answer (the comment area, when found, is above them all).
    for a in path:
        memo[a] = found
    return found


_COMMENTS = re.compile(lexicon().pattern("class_hints.comments"))


def is_end_marker(text: str) -> bool:
    """True for a line that opens the related-links/editor/copyright area after a body."""
    return len(text) <= 40 and bool(_END_MARKER.match(text))


def is_read_more(text: str) -> bool:
    """True for a line reading "more" and nothing else (`Read More`, `【阅读全文】`: lexicon `read_more`)."""
    return len(text) <= 20 and _READ_MORE.fullmatch(" ".join(text.split())) is not None


def is_post_end(text: str) -> bool:
    """A blog's line closing a post (`(本文发表于…, 已被阅读178次)`, `本文通告引用(Trackback)链接`): what
    follows it is another post."""
    return len(text) <= 80 and bool(_POST_FURNITURE.search(text))


def is_widget_text(text: str) -> bool:
    """A player's, a pager's or a consent box's words among the paragraphs (`很抱歉，当前视频播放失败`,
    `第1页/共1页 << 上一页`, `請同意我們的隱私權規範，才能啟用聽新聞的功能。`)."""
    return len(text) <= 60 and bool(_PLAYER_NOTICE.search(text.lower()) or _PAGE_COUNTER.match(text))


def is_ask(b: Block) -> bool:
    """A box asking for money or membership (`贊助《X》 我們需要你們的支持`): the story has ended above it."""
    return bool(_ASK.search(b.text[:24]) and _ASK_OBJECT.search(b.text[:60]))


def is_tail_junk(b: Block) -> bool:
    """A short closing line that is site furniture: share, copyright, app and source notices."""
    if is_ask(b) or _PAGE_COUNTER.match(b.text):
        return True
    if b.chars > 40:
        # A longer copyright notice (`© 2026年X版权声明：本文所有内容受到著作权法保护…`), a call to
        # follow the outlet elsewhere (`X中文有Instagram！欢迎搜寻…`), a blog's line under the post.
        return (b.chars <= 600 and bool(COPYRIGHT_NOTICE.search(b.text))) or \
            (b.chars <= 60 and bool(_FOLLOW_US.search(b.text))) or \
            (b.chars <= 80 and bool(_POST_FURNITURE.search(b.text)))
    return b.link_density > 0.3 or bool(_TAIL_JUNK.search(b.text)) or bool(_FOLLOW_US.search(b.text))


_POST_FURNITURE = re.compile(_EDGES.alternation("body_edges.post_furniture"), re.I)
# A closing line asking to follow the outlet elsewhere (lexicon [follow]): a network, then within 30 characters
# an ask (`X中文有Instagram！欢迎搜寻`), or an imperative and a verb (`立即訂閱`, `歡迎加入`).
_FOLLOW_US = re.compile("(?:" + lexicon().alternation("follow.networks") + ").{0,30}(?:"
                        + lexicon().alternation("follow.network_asks") + ")|(?:"
                        + lexicon().alternation("follow.closing_imperatives") + ")(?:"
                        + lexicon().alternation("follow.closing_verbs") + ")", re.I)
# A site's copyright or disclaimer notice (searched, not matched: `本網站之文字…非經授權，不得轉載`); the words:
# lexicon [page_text].
COPYRIGHT_NOTICE = re.compile(
    r"^\s*(?:" + _EDGES.alternation("page_text.copyright_marks")
    + r"|\S{0,16}(?:" + _EDGES.alternation("page_text.copyright_notices")
    + r")|[（(]?\s*(?:" + _EDGES.alternation("page_text.disclaimer_labels")
    + r")\s*[:：]|[（(]?\s*(?:" + _EDGES.alternation("page_text.author_views")
    + r"))|(?:" + _EDGES.alternation("page_text.reuse_without") + r")\s*(?:"
    + _EDGES.alternation("page_text.reuse_permission") + r").{0,24}(?:" + _EDGES.alternation("page_text.reuse_banned") + ")", re.I)


def ends_sentence(text: str) -> bool:
    return bool(_SENTENCE_END.search(text.strip()))


# Class, id or itemprop words of a page's byline element: the place a page prints who wrote it.
_BYLINE_HINT = re.compile(lexicon().pattern("class_hints.byline"))
# Words of an outlet's or account's box beside it (WeChat's `js_name`, `nickname`): a source, no person.
_ACCOUNT_HINT = re.compile(lexicon().pattern("class_hints.account"))
# Boxes of other articles or of the site, by class or id: lines in them credit nobody in this article.
_OTHER_ARTICLES = re.compile(lexicon().pattern("class_hints.other_articles"))
# Class tokens that hide an element with the page's own CSS (the page's inline styles are read by clean_tree).
_HIDDEN_TOKEN = re.compile(r"(?:^|\s)(?:hidden|hide|d-none|is-hidden|visually-hidden-focusable|display-none)(?:\s|$)")
# A profile page's address: an author box links its names there (`/author/…`, `/reporter/123`).
_PROFILE_LINK = re.compile(r"author|reporter|writer|journalist|columnist|zuozhe|jizhe|/people/|/profile", re.I)


def is_aside(blocks: Blocks, b: Block) -> bool:
    """True when a block sits where another article's or nobody's lines sit: in a box whose class says
    related, recommended or footer, in a list of links to other articles (a card's author line), or in
    an element the page hides with a class (`hide`, `d-none`). A byline's own box may link its names
    to the reporters' pages: that is no list of other articles. The answer depends on the block's
    element only: it is kept per element (the byline region and byline_elements ask for the same ones)."""
    known = blocks.asides.get(b.source)
    if known is None:
        known = blocks.asides[b.source] = _in_aside(blocks, b.source)
    return known


_ASIDE_HINT, _BYLINE_BOX = 1, 2


def _hint_kind(hint: str) -> int:
    """What a class/id says to is_aside: _ASIDE_HINT (hidden, or a box of other articles), _BYLINE_BOX, or 0."""
    if _HIDDEN_TOKEN.search(hint) or _OTHER_ARTICLES.search(hint):
        return _ASIDE_HINT
    return _BYLINE_BOX if _BYLINE_HINT.search(hint) else 0


def _in_aside(blocks: Blocks, el: etree._Element) -> bool:
    depth = 0
    byline = False
    kinds = blocks.hint_kinds
    while el is not None and depth < 5 and el is not blocks.root:
        hint = blocks.hints.get(el)
        if hint:
            kind = kinds.get(hint)
            if kind is None:
                kind = kinds[hint] = _hint_kind(hint)
            if kind == _ASIDE_HINT:
                return True
            byline = byline or kind == _BYLINE_BOX
        chars, link_chars, _ = blocks.stats.get(el, (0, 0, 0))
        if chars > 600:
            return False  # a page's column, not a box: links of menus and lists elsewhere in it say nothing
        if depth and not byline and chars >= 30 and link_chars >= chars * 0.35:
            count = blocks.headline_links.get(el)
            if count is None:
                count = blocks.headline_links[el] = _headline_links(el)
            if count >= 2:
                return True
        el, depth = el.getparent(), depth + 1
    return False


def _headline_links(el: etree._Element) -> int:
    """How many links inside el read like headlines (8 characters or more; share buttons are shorter)."""
    return sum(1 for a in el.iter("a") if len("".join("".join(a.itertext()).split())) >= 8)


def byline_elements(blocks: Blocks, lo: int, hi: int) -> tuple[list[str], list[str]]:
    """Texts of the byline elements among blocks[lo:hi] (class, id or itemprop says author or byline),
    each read a child at a time (`<span>X</span><span>Y</span>` is "X Y", never "XY"); the texts of
    accounts' name boxes beside them (WeChat's `js_name`), and what is printed beside such a box (the
    writer). Elements in a list of other articles or hidden by a class are left out (is_aside)."""
    seen: set[etree._Element] = set()
    names: list[str] = []
    accounts: list[str] = []
    # Blocks of one region share their ancestors and often their element: each element's answer is
    # worked out once (its hints searched once per distinct hint), and so is each element's account box.
    hints = blocks.hints
    byline_hint, account_hint = memo_search(_BYLINE_HINT), memo_search(_ACCOUNT_HINT)
    marked: dict[etree._Element, bool] = {}
    inner_account: dict[etree._Element, etree._Element | None] = {}
    for b in blocks[max(0, lo):hi]:
        el, depth = b.source, 0
        found = None
        while el is not None and depth < 3 and el is not blocks.root and el not in seen:
            is_marked = marked.get(el)
            if is_marked is None:
                hint = hints.get(el, "")
                is_marked = marked[el] = byline_hint(hint) or el.get("itemprop") in ("author", "creator") \
                    or el.get("rel") == "author" or account_hint(hint)
            if is_marked:
                found = el
                break
            el, depth = el.getparent(), depth + 1
        if found is None and b.chars <= 120:  # an account's box inside the block's own line
            if b.source in inner_account:
                found = inner_account[b.source]
            else:
                found = inner_account[b.source] = next(
                    (d for d in b.source.iterdescendants() if account_hint(hints.get(d, ""))), None)
        if found is None or is_aside(blocks, b):
            continue
        seen.add(found)
        chars, link_chars, _ = blocks.stats.get(found, (0, 0, 0))
        profiles = _profile_links(found)
        account = bool(_ACCOUNT_HINT.search(blocks.hints.get(found, "")))
        if not 0 < chars <= 120 or link_chars >= chars * 0.7 and not profiles and not account \
                and not _name_links(found):
            continue
        pieces = [t for piece in found.itertext() if (t := " ".join(piece.split()))]
        if account:
            accounts.append(" ".join(pieces))
            # the writer printed beside the account: the line's other pieces, dates and counts left out
            beside = [t for piece in b.source.itertext() if (t := " ".join(piece.split())) and t not in pieces
                      and not any(c.isdigit() for c in t)]
            if beside:
                names.append(" ".join(beside))
        else:
            names.append(" ".join(pieces))
        names.extend(profiles)
    return list(dict.fromkeys(names)), list(dict.fromkeys(accounts))


def _name_links(el: etree._Element) -> bool:
    """Every link inside a byline element is as short as a name (a search for the reporter's name,
    `<a href="/?s=X">X</a>`): its names, not a list of other articles."""
    texts = ["".join("".join(a.itertext()).split()) for a in el.iter("a")]
    return bool(texts) and all(0 < len(t) <= 16 for t in texts)


def _profile_links(el: etree._Element) -> list[str]:
    """The texts of links to profile pages inside a byline element (an author box's names)."""
    return [t for a in el.iter("a") if _PROFILE_LINK.search(a.get("href") or "")
            and 2 <= len(t := " ".join("".join(a.itertext()).split())) <= 30]
