"""Extract stage: a page (HTML in any encoding, a feed's HTML fragment or a text capture) -> Article.

`extract_article` never raises on bad input: empty, binary, truncated or unparseable data comes
back as an Article of kind "not_article", so one bad page is data, not a crash.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from functools import cache
from datetime import UTC, datetime, timedelta, timezone
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from newsmirror.chinese import squash
from newsmirror.extract.meta import (
    PageMeta,
    detect_lang,
    guess_timezone,
    parse_iso_date,
    read_meta,
)
from newsmirror.extract.titles import choose_title
from newsmirror.extract.page import (
    CAPTION_LABEL,
    CREDIT_LABEL,
    byline_elements,
    is_aside,
    PHOTO_CAPTION,
    Block,
    MAX_ELEMENTS,
    clean_tree,
    cut_tree,
    ends_sentence,
    find_body,
    is_ask,
    is_end_marker,
    is_post_end,
    is_read_more,
    is_tail_junk,
    is_widget_text,
    join_images,
    looks_like_html,
    memo_search,
    parse_html,
    render_blocks,
)
from newsmirror.extract.lexicon import lexicon
from newsmirror.furniture import WIDGET_LINE, WIDGET_MAX
from newsmirror.extract.outlets import outlet_from_url
from newsmirror.extract.related import find_links
from newsmirror.models import Article

__all__ = ["extract_article", "decode_input"]

_NOT_FOUND = re.compile(r"404|not found|page not found|页面不存在|頁面不存在|找不到|无法找到|無法找到|"
                        r"不存在|已删除|已刪除|已下线|已下線|error|錯誤|错误", re.I)
_BREADCRUMB = re.compile(r"[>›»→]|首页|首頁|当前位置|當前位置|您的位置")
_FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*\n", re.S)
# A mirror post's header under its front matter: `<!--epoch ms-->`, `[title](url)`, `------`.
_POST_HEADER = re.compile(r"\A\s*(?:<!--\s*\d*\s*-->\s*)?(?:\[[^\n]*\]\([^\n]*\)[ \t]*\n)?\s*-{3,}[ \t]*\n")
_YEAR = re.compile(r"(?:19|20)\d\d")
_BINARY_CHARS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f]")
_DATE_ONLY_LINE = re.compile(r"\d{4}\s*[-/.年]\s*\d{1,2}|\d{1,2}:\d{2}|\d{1,2}\s*[时時点點]\s*\d{1,2}\s*分")
# A label just before a date: `更新時間：` marks a revision, not the first publication.
_OFFSET = re.compile(r"\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*([+-])(\d{2}):?(\d{2})\s*$")
_UPDATE_LABEL = re.compile(r"(?:更新|修改|修訂|修订|最後編輯|最后编辑|updated?|modified|last\s*updated?)\s*"
                           r"(?:時間|时间|日期|於|于|on|at)?\s*[:：]?\s*$", re.I)


def decode_input(data: bytes | str) -> str:
    """Bytes in any encoding -> text (BOM, declared charset, then detection)."""
    if isinstance(data, str):
        return data
    try:
        from newsmirror.fetch.charset import decode_bytes
    except ImportError:  # the fetch stage is optional here
        from charset_normalizer import from_bytes

        best = from_bytes(data).best()
        return str(best) if best is not None else data.decode("utf-8", "replace")
    return decode_bytes(data)[0]


MAX_CHARS = 4_000_000  # characters of one input read at most (the largest real page has 0.6 million)
_BINARY_BYTES = re.compile(rb"[\x00-\x08\x0b\x0e-\x1a\x1c-\x1f]")  # control bytes no text encoding uses (ESC kept)


def _binary_bytes(data: bytes) -> bool:
    """Bytes that are no text page: over 5% control bytes in the first 4,000 (UTF-16 with a BOM excepted)."""
    sample = data[:4000]
    if not sample or sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False
    return len(_BINARY_BYTES.findall(sample)) / len(sample) > 0.05


def _is_binary(text: str) -> bool:
    sample = text[:4000]
    if not sample:
        return False
    # controls other than \t \n \r \f over 5%; undecodable bytes (U+FFFD) over 30%: a page whose bytes mix
    # two encodings keeps its text readable in the one it was decoded as
    controls = len(_BINARY_CHARS.findall(sample))
    return controls / len(sample) > 0.05 or sample.count("\ufffd") / len(sample) > 0.3


def _not_article(url: str | None, title: str = "", **kw) -> Article:
    return Article(kind="not_article", url=url, title=title, **kw)


def extract_article(
    data: bytes | str,
    url: str | None = None,
    *,
    tz: str | None = None,
    reference: datetime | None = None,
    outlets: Mapping[str, str] | None = None,
) -> Article:
    """Read one page into an Article: body text and HTML, title, dates, credits, links, kind.

    `outlets` names the sources' outlets by host (`outlets.outlets_by_host`), for a page that names none."""
    if isinstance(data, bytes) and _binary_bytes(data):  # before decoding: detecting a charset of noise is slow
        return _not_article(url, notes="binary data, not a page")
    text = decode_input(data)
    if not text.strip() or _is_binary(text):
        return _not_article(url, notes="binary data, not a page" if text.strip() else "")
    cut = len(text) > MAX_CHARS
    if cut:  # the largest real page is 0.6 MB: what lies beyond this is read as a truncated download
        text = text[:MAX_CHARS]
    article = _extract_text(text, url, tz=tz, reference=reference)
    if article.source is None:  # the page names no outlet: its address may (the sources, then hosts.toml)
        article = replace(article, source=outlet_from_url(article.url, outlets))
    if cut:
        note = f"input cut after its first {MAX_CHARS:,} characters"
        article = replace(article, notes="; ".join(n for n in (article.notes, note) if n))
    return article


def _extract_text(text: str, url: str | None, *, tz: str | None, reference: datetime | None) -> Article:
    front: dict[str, str] = {}
    m = _FRONT_MATTER.match(text)
    if m:  # a Jekyll post (the precursor's mirror): front matter, then the feed's HTML
        for line in m.group(1).splitlines():
            key, _, value = line.partition(":")
            if value.strip():
                front[key.strip().lower()] = value.strip().strip('"')
        text = _POST_HEADER.sub("", text[m.end():], count=1)
        url = url or front.get("from")
    if not looks_like_html(text):
        from newsmirror.extract.textcapture import extract_text_capture

        zone = tz or guess_timezone(url, detect_lang(text)[0])
        return extract_text_capture(text, url=url, tz=zone, reference=reference)
    return _extract_html(text, url, tz=tz, reference=reference, front=front)


def _extract_html(text: str, url: str | None, *, tz: str | None, reference: datetime | None,
                  front: dict[str, str]) -> Article:
    repairs: list[str] = []
    root = parse_html(text, repairs)
    if root is None:
        return _not_article(url, notes="no HTML element could be read")
    # libxml2 makes one element per "<" at most, besides html, head, body and an implied <p> per run of text:
    # a page with fewer "<" than half the limit is under it, and its nodes need no count.
    cut = cut_tree(root) if 2 * text.count("<") + 3 > MAX_ELEMENTS else False
    meta = read_meta(root)
    url = url or meta.canonical or None
    clean_tree(root)
    body_el = next(root.iter("body"), None)
    scope = body_el if body_el is not None else root
    blocks = render_blocks(scope)
    # Related links and tags are read from what a reader sees: hidden boxes and <head> do not count.
    related, tags = find_links(scope, url, blocks)
    tags = tags or list(meta.keywords)
    hints = blocks.hints
    titled = memo_search(_TITLE_HINT)  # styled as a heading: a heading tag, or a class or id naming a title
    headings = tuple(b.text for b in blocks if b.tag in _HEADING_TAGS or titled(hints.get(b.source, "")))
    emphasized = tuple(b.text for b in blocks if _emphasized(b) and b.text not in headings)
    title = choose_title(meta, headings, url, emphasized) or front.get("title", "")
    title_sq = squash(title)
    title_index = next((i for i, b in enumerate(blocks) if _is_title(b, title_sq)), None)
    if title_index is None and " " in title:  # a headline over two headings: its first line
        title_index = next((i for i, b in enumerate(blocks) if 8 <= b.chars < len(title_sq)
                            and title_sq.startswith(squash(b.text))), None)
    body = find_body(scope, blocks, title_index)
    near = blocks[max(0, body.start - 8): body.start + 1] if body is not None else []
    # A line ending with the title confirms it only when what precedes is a badge, not a "来源：" line; a line
    # that adds a kicker verb after it (`…座谈会强调`) confirms it too.
    confirmed = bool(title_sq) and any(b.text == title or (squash(b.text).endswith(title_sq)
                                                           and len(squash(b.text)) - len(title_sq) <= 6)
                                       or (squash(b.text).startswith(title_sq)
                                           and squash(b.text)[len(title_sq):] in _KICKERS) for b in near)
    if body is not None and near and not confirmed and not (meta.og_title or meta.ld_headline):
        # Only the <title> spoke and no heading confirms it: take the heading just above the body.
        title = _heading_above(blocks[max(0, body.start - 6): body.start + 1], {*headings, *emphasized}, title)
    body_blocks: list[Block] = []
    lead_images: list[str] = []
    captions: list[str] = []
    head_lines: list[str] = []
    tail_lines: list[str] = []
    writer = ""  # a writer named before the headline and alone under its repeat
    if body is not None:
        prefixed = _NAME_PREFIX.match(title)
        if prefixed and any(_is_title(b, squash(prefixed.group("rest"))) for b in body.blocks[:3]):
            # `X：標題` above, `標題` then `X` alone opening the text: X is the writer, the headline is the page's own
            title, writer = prefixed.group("rest").strip(), prefixed.group("name").strip()
        # Pictures are made absolute only where they may be kept: from under the headline to the body's end.
        join_images(blocks[min(body.start, title_index + 1) if title_index is not None else body.start: body.end], url)
        body_blocks, captions, head_lines, lead_images = _trim(body.blocks, title, writer)
        if title_index is not None and title_index < body.start:  # a lead photo between headline and body
            lead = blocks[title_index + 1: body.start]
            for n, b in enumerate(lead):
                if (b.caption or _photo_line(b, n > 0 and _is_picture(lead[n - 1]))) and b.text \
                        and b.text not in captions:
                    captions.insert(0, b.text)
            standfirst = _standfirst(lead, captions)
            if standfirst is not None and body_blocks and standfirst.text not in body_blocks[0].text:
                body_blocks.insert(0, standfirst)
        # Lines between the headline and the body carry the byline and the date.
        title_sq = squash(title)
        start = body.start
        lo = start
        while lo > 0 and start - lo < 12:
            lo -= 1
            if _is_title(blocks[lo], title_sq):
                break
        # Lines inside the body's span that find_body left out (an author box) before its first paragraph.
        first = next((i for i in range(start, body.end) if body_blocks and blocks[i] is body_blocks[0]), start)
        skipped = [b.text for b in blocks[start:first] if b.text and b.chars <= 120 and b.text not in head_lines]
        head_lines = [b.text for b in blocks[lo:start] if b.text and b.chars <= 120 and not b.caption] + head_lines + skipped
        # The byline and dateline sit right under the headline, however much furniture follows it.
        under_title: list[str] = []
        for i in (i for i, b in enumerate(blocks[:start]) if _is_title(b, title_sq)):
            under_title.extend(b.text for b in blocks[i + 1: min(i + 8, start)] if b.text and b.chars <= 120 and not b.caption)
        head_lines = list(dict.fromkeys(under_title + head_lines))
        tail_lines = [b.text for b in blocks[body.end: body.end + 4] if b.text and b.chars <= 80]
        kept_ids = {id(b) for b in body_blocks}
        # The lines the trim cut after the story's last kept line, down to a related-links heading (a closing
        # credit block: `文：X`, `編輯：Y`, the outlet's handles), else the last lines it cut anywhere.
        last = max((n for n, b in enumerate(body.blocks) if id(b) in kept_ids), default=-1)
        closing = list(itertools.takewhile(lambda t: not is_end_marker(t),
                                           (b.text for b in body.blocks[last + 1:] if b.text)))[:10]
        tail_lines = (closing or [b.text for b in body.blocks if id(b) not in kept_ids and b.text][-4:]) + tail_lines
    body_text = "\n\n".join(b.text for b in body_blocks if b.text)
    lang, script = detect_lang(title + "\n" + (body_text or meta.description), meta.lang)
    zone = tz or guess_timezone(url, lang, meta.lang)

    published, updated = _dates(meta, title, head_lines, body_blocks, blocks, body, zone, reference, front, url,
                                zone_given=tz is not None)
    if published is None and body is not None:  # a print edition's page: the day its links to the edition spell
        from newsmirror.extract.dates import edition_day

        day = edition_day(a.get("href") or "" for a in scope.iter("a"))
        if day is not None:
            published = datetime(day.year, day.month, day.day, tzinfo=ZoneInfo(zone))
    bylines: list[str] = []
    accounts: list[str] = []
    if body is not None:  # the byline region: from the headline to just after the body
        lo, hi = _region_start(title_index, body), body.end + 4
        bylines, accounts = byline_elements(blocks, lo, hi)
        # lines of other articles' cards, related boxes or blocks hidden by a class credit nobody here
        aside = {b.text for b in blocks[max(0, lo):hi] if b.text and is_aside(blocks, b)}
        if aside:
            head_lines = [t for t in head_lines if t not in aside]
            tail_lines = [t for t in tail_lines if t not in aside]
    authors, source, editors, credits = _credits(meta, head_lines, body_blocks, tail_lines, bylines, accounts)
    if writer and writer in head_lines and not authors:
        from newsmirror.extract.bylines import credits_of, is_outlet

        if not is_outlet(writer):
            authors, credits = [writer], credits_of([writer], ())
    lead = blocks[title_index + 1: body.start] if body is not None and title_index is not None and title_index < body.start else []
    images = [i for b in lead for i in b.images] + lead_images + [i for b in body_blocks for i in b.images]
    images = [i for i in dict.fromkeys(images) if _story_image(i)] or [i for i in meta.images[:1] if _story_image(i)]
    # Headlines that are links, inside the region taken for the body: the cards of a section page.
    linked_heads = [n for n, b in enumerate(body.blocks) if b.tag in ("h2", "h3", "h4") and b.link_density > 0.8] \
        if body else []
    teasers = len(linked_heads)
    # The text region opens with a linked headline, before any paragraph of text: a card, not a story's related box.
    first_text = next((n for n, b in enumerate(body.blocks) if b.chars >= 30 and not b.link_chars), None) if body else None
    opens_with_card = bool(linked_heads) and first_text is not None and linked_heads[0] < first_text
    title_links = _links_named(scope, title) if 0 < len(squash(title)) <= 6 else 0  # a tag is short
    kind, notes = _kind(title, body_blocks, body_text, blocks, meta, teasers, dated=published is not None, url=url,
                        title_links=title_links, opens_with_card=opens_with_card)
    if cut:
        repairs.append(f"page cut after its first {MAX_ELEMENTS:,} elements")
    if repairs:
        notes = "; ".join(n for n in (notes, *repairs) if n)
    body_html = _body_html(body_blocks, url)
    return Article(
        kind=kind, url=url, title=title, authors=tuple(authors), source=source, editors=tuple(editors),
        published=published, updated=updated, text=body_text,
        html=body_html, captions=tuple(captions), tags=tuple(tags), related=tuple(related),
        images=tuple(images), lang=lang, script=script, credits=credits, notes=notes,
    )


_HEADING_TAGS = frozenset(("h1", "h2", "h3", "h4", "h5", "h6"))


def _standfirst(between: list[Block], captions: list[str]) -> Block | None:
    """The lead paragraph printed between the headline and the body's photo (`<p class="intro">`):
    the last paragraph of sentences there, with only pictures and their captions after it."""
    for b in reversed(between):
        if not b.text or b.caption or b.text in captions:
            continue  # a picture or its caption, between the lead and the text
        if b.tag == "p" and b.chars >= 40 and b.link_chars == 0 and ends_sentence(b.text) \
                and len(_SENTENCE_MARKS.findall(b.text)) >= 2:
            return b
        return None
    return None


_SENTENCE_MARKS = re.compile(r"[，。！？；,.!?;]")


@cache
def _meta_label() -> re.Pattern[str]:
    """A label of the lines around a headline (`作者：`, `来源:`, `发布日期：`), any script."""
    return re.compile(r"(?:" + lexicon().alternation("labels") + r")\s*[：:]")


def _meta_line(text: str) -> bool:
    """A byline, source or date line: a label word then a colon."""
    return _meta_label().search(text) is not None


def _heading_above(near: list[Block], headings: set[str], title: str) -> str:
    """The heading nearest above the body, when the <title> alone named the page: a styled line that is
    no sentence, no byline or date line, and no piece of the <title>'s headline; else `title`."""
    title_sq = squash(title)
    for b in reversed(near):
        if b.text in headings and 6 <= b.chars <= 80 and b.link_density < 0.3 and "。" not in b.text \
                and not _meta_line(b.text) and squash(b.text) not in title_sq:
            return b.text
    return title


# A class or id naming a headline: `title`, `art-headline`, `Heading`.
_TITLE_HINT = re.compile(r"title|headline|heading")
# Inline tags that set a line apart as a heading in table layouts: `<b><font color=blue>標題</font></b>`.
_EMPHASIS_TAGS = frozenset(("b", "strong", "font", "big"))


def _emphasized(b: Block) -> bool:
    """A short line wholly inside bold or <font> tags: how table layouts set a headline apart."""
    if b.chars > 80 or b.link_chars:
        return False
    # the line's element holds one bold or <font> element with all its text (`<td><b><font>標題`)
    el = b.source
    for _ in range(3):
        if el.tag in _EMPHASIS_TAGS:
            return True
        inner = [c for c in el if isinstance(c.tag, str) and c.tag != "br"]
        if (el.text or "").strip() or len(inner) != 1 or (inner[0].tail or "").strip():
            return False
        el = inner[0]
    return el.tag in _EMPHASIS_TAGS


def _is_title(b: Block, title_sq: str) -> bool:
    """squash(b.text) == title_sq (non-empty), squashing only blocks long enough to be the title:
    squash drops at least the whitespace b.chars leaves out, so a shorter block cannot match."""
    return bool(title_sq) and b.chars >= len(title_sq) and squash(b.text) == title_sq


_SLIDE_COUNTER = re.compile(r"^\s*\d{1,3}\s*/\s*\d{1,3}\s*$")  # "1/8" above a gallery's first slide


# A link that asks for an action (vote, download, subscribe; lexicon `action_openers`, `action_closers`): a promo
# above the body, not its lead.
_CALL_TO_ACTION = re.compile(r"^[【\[(（]?\s*(?:" + lexicon().alternation("action_openers") + r")|(?:"
                             + lexicon().alternation("action_closers") + r")\s*[】\])）]?$", re.I)


def _is_promo(b: Block) -> bool:
    """True for a short paragraph whose link is a call to action (【点击投票】, 立即下载 ...)."""
    for a in b.source.iter("a"):
        text = "".join(a.itertext()).strip()
        if text and text in b.text and _CALL_TO_ACTION.search(text):
            return True
    return False


# Where the writer posted from, as mainland platforms print it (lexicon `ip_place_labels`: `发布于：湖南省`, `IP属地：北京`,
# `IP 屬地：X`).
_IP_PLACE = re.compile(r"^\s*(?:" + lexicon().alternation("ip_place_labels").replace("IP", r"IP\s*") + r")\s*[:：]")
_ROLE_ONLY = re.compile(r"\s*(?:文字|文|作者|撰文|記者|记者|攝影|摄影|編輯|编辑|責任編輯|责任编辑)\s*")
# Byline fields printed as `label, value` lines under the headline (lexicon `byline_fields`: `Author, Jane Roe`).
_BYLINE_FIELD = re.compile(r"^\s*(?:" + lexicon().alternation("byline_fields") + r")\s*[,，]?\s", re.I)
# Pictures of the site, not of the story, by file name (lexicon `image_hints.site`: `logo.png`, `qr_code.jpg`).
_SITE_IMAGE = re.compile(lexicon().pattern("image_hints.site"), re.I)


def _story_image(url: str) -> bool:
    """False for a picture of the site (a logo, an icon, a QR code) or one served from an ad folder."""
    return not _SITE_IMAGE.search(url.rsplit("/", 1)[-1]) and not _AD_PATH.search(url)


_AD_PATH = re.compile(r"/(?:ads?|adv|advert\w*|banners?)/", re.I)  # pictures served from an ad folder
# The words of a page widget that sit among the paragraphs: never article text.
_WIDGET_LINE = re.compile(
    r"[▼↓]{2,}\s*$|"  # arrows pointing at a gallery: `▼▼▼`
    r"^(?:分享到|分享至|分享)\s*[:：]?$|"  # a share bar's label alone
    # font-size controls, bracketed or not, with or without their label: `【字体：大 中 小】`, `字體大小:`, `小 中 大`
    r"^[【\[]?\s*(?:字[体體号號](?:大小)?\s*[:：]?\s*(?:[小中大][号號]?\s*)*|(?:[小中大][号號]?\s+){2,}[小中大][号號]?)\s*[】\]]?$|"
    r"^\d{4,6}\s*\S{2,10}\s*\d+(?:\.\d+)?\s*[+-]\d"  # a stock quote box: `00066 港鐵公司 38.45 +0.30`
)


# A widget's line among the paragraphs, by its words (lexicon [body_widgets]): `语音播报文章，释放双眼`, `打开全文`.
# lower-cased words, searched in lower-cased text: re.I reads CJK text a character at a time (4 times slower)
_READER_WIDGET = re.compile(lexicon().alternation(*lexicon().table("body_widgets")).lower())
# An ask to follow the outlet elsewhere opening a line (lexicon [follow]): an imperative, a verb, then within 20
# characters a platform or the outlet's account: `立即訂閱X新聞 YouTube`, `請LIKE我們的官方臉書網頁`.
_FOLLOW_PROMPT = re.compile(r"^\W{0,3}(?:" + lexicon().alternation("follow.imperatives") + r")\s*(?:"
                            + lexicon().alternation("follow.verbs") + r").{0,20}?(?:"
                            + lexicon().alternation("follow.networks", "follow.accounts") + ")", re.I)
# A comment area's heading with its count (lexicon `body_edges.comment_areas`): `评论13`, `留言 (5)`, `12條評論`.
_COMMENT_AREA = lexicon().alternation("body_edges.comment_areas")
_COMMENT_COUNT = re.compile(r"^(?:(?:" + _COMMENT_AREA + r")\s*[(（:：]?\s*[\d,]+\s*[)）]?"
                            r"|[\d,]+\s*[条條则則]?\s*(?:" + _COMMENT_AREA + r"))$", re.I)
# A count alone on a line (`451`, `1.2万`): a reaction button's tally under the story.
_COUNT_ONLY = re.compile(r"^[\d,.]+\s*[万萬]?$")
# A label with nothing after it (`信息来源：`, `轮播图预览:`): the value is a widget that is not there.
_EMPTY_LABEL = re.compile(r"^\S{1,10}\s*[:：]$")
# The outlet's account on a platform, alone on a line under the story (`facebook @某報副刊`, `IG：@example_news`).
_HANDLE_LINE = re.compile(r"^(?:" + lexicon().alternation("follow.networks", "follow.accounts")
                          + r"|ig|fb|x)\s*[:：]?\s*@\S+$", re.I)
# A writer's name before a headline (`茉莉：我是怎样卷入八九民运的`), taken as a byline only when the text opens
# with the headline's rest alone and the name alone under it (a quote headline `某某：要…` is no byline).
_NAME_PREFIX = re.compile(r"^(?P<name>[^\s：:，,。]{2,6})[：:]\s*(?P<rest>\S.{3,})$")
# A bracketed section name alone on a line above the story (`[健康]`, `【國際】`): the site's, not the story's.
_SECTION_TAG = re.compile(r"^[\[【［]\s*[^\]】］\s]{1,6}\s*[\]】］]$")


@cache
def _staff_credit() -> re.Pattern[str]:
    """An editor's, a photographer's or a translator's credit line, its role word perhaps spaced out to fill
    the line's width (`总监制：X`, `监 制：X`, `攝 影：X`): page furniture closing the text."""
    from newsmirror.models import CreditRole

    words = [w for w, r in lexicon().roles.items() if r in (CreditRole.EDITOR, CreditRole.PHOTOGRAPHER,
                                                             CreditRole.TRANSLATOR) and len(w) >= 2]
    spaced = "|".join(r"\s?".join(re.escape(c) for c in w) for w in words)
    return re.compile(r"^[（(]?\s*(?:" + spaced + r")\s*[:：／/]")


def _widget_line(b: Block) -> bool:
    """A page widget's words among the paragraphs: share bar, font size, player, pager, ad label, view counter,
    read-aloud or expand button, reaction prompt, platform notice, tip line, follow prompt."""
    t = b.text
    if not t or b.chars > 60:
        return False
    return bool((b.chars <= 30 and _WIDGET_LINE.search(t)) or is_widget_text(t) or t in _WIDGET_WORDS
                or (b.chars <= WIDGET_MAX and WIDGET_LINE.fullmatch(t)) or _READER_WIDGET.search(t.lower())
                or _FOLLOW_PROMPT.search(t))


# An outlet's dated tag in brackets opening a line: `【看中国2005年07月03日报道】`, `[某報 5月3日訊]`.
_BRACKET_TAG = re.compile(r"^\s*[【\[〔（(][^】\]〕）)]{1,40}[】\]〕）)]")
_HAN_CHAR = re.compile(r"[\u3400-\u9fff]")


def _lead_prose(text: str) -> bool:
    """A dated line that is the story's first words: after an outlet's bracketed tag, a clause of prose
    (`【看中国2005年07月03日报道】一九八九年四月，我在…`), not a date, a source or a byline."""
    rest = _BRACKET_TAG.sub("", text, count=1)
    return rest != text and "，" in rest and len(_HAN_CHAR.findall(rest)) >= 15


def _is_picture(b: Block) -> bool:
    """A block that is pictures only, no text."""
    return bool(b.images) and not b.text


def _photo_line(b: Block, after_picture: bool) -> bool:
    """A line right under a picture that reads as its caption (PHOTO_CAPTION)."""
    return after_picture and bool(b.text) and b.chars <= 150 and bool(PHOTO_CAPTION.search(b.text))


def _body_follows(rest: list[Block]) -> bool:
    """True when paragraphs of story text (sentences, few links) follow: at least two of them."""
    return sum(1 for b in rest if b.chars >= 30 and b.link_density < 0.2 and ends_sentence(b.text)) >= 2


def _story_text(blocks: list[Block], within: Block) -> bool:
    """True when these blocks hold a paragraph of story text (a sentence of 30 characters or more, few
    links) whose parent element also holds `within`: the same column of text, not a promo above it."""
    for b in blocks:
        if b.chars >= 30 and b.link_density < 0.2 and ends_sentence(b.text):
            parent = b.source.getparent()
            if parent is not None and any(a is parent for a in within.source.iterancestors()):
                return True
    return False


def _trim(blocks: list[Block], title: str, writer: str = "") -> tuple[list[Block], list[str], list[str], list[str]]:
    """Cut the body's edges: title repeats, bylines (and the `writer`'s name alone on a line), captions,
    related headings, furniture."""
    title_sq = squash(title)
    captions: list[str] = []
    kept: list[Block] = []
    after_image = False  # the previous block is a picture without text
    captioned: set[int] = set()  # pictures with a caption under them
    for b in blocks:
        if b.text and b.chars <= 80 and CREDIT_LABEL.match(b.text):
            continue  # `图像来源，Getty Images`: a picture's credit line
        if b.text and (b.caption or _photo_line(b, after_image)):
            if after_image:
                captioned.add(id(kept[-1]))
            text = CAPTION_LABEL.sub("", b.text)
            if text and text not in captions:
                captions.append(text)
            after_image = False
            continue
        if not b.text and not b.images:
            continue
        after_image = _is_picture(b)
        kept.append(b)
    cap_sq = {squash(c) for c in captions}
    if cap_sq:  # (squashing every paragraph of the body costs: only when there is a caption to find)
        kept = [b for b in kept if not (b.text and squash(b.text) in cap_sq)]
    # A paragraph printed twice in a row is a caption repeated or a layout echo: keep it once.
    dedup: list[Block] = []
    for b in kept:
        if dedup and b.text and b.text == dedup[-1].text:
            if b.chars < 200 and b.text not in captions:
                captions.append(b.text)
            continue
        dedup.append(b)
    kept = dedup
    head: list[str] = []
    lead_images: list[str] = []
    from newsmirror.extract.bylines import parse_credits

    # A header block inside the text region (a separator, the publish time, a view count, the headline again):
    # short lines, none a sentence, down to the headline's last repeat among the first blocks all go to the head
    # (the headline, the time, a share bar, a kicker, then the headline again over the text).
    repeats = [n for n, b in enumerate(kept[:12]) if title_sq and _is_title(b, title_sq)]
    repeat = next((n for n in reversed(repeats) if n and all(b.chars <= 80 and not ends_sentence(b.text)
                                                             for b in kept[:n] if b.text)), None)
    if repeat:
        head.extend(b.text for b in kept[:repeat] if b.text)
        lead_images.extend(i for b in kept[:repeat] for i in b.images)
        kept = kept[repeat:]
    i = 0
    while i < len(kept):
        b = kept[i]
        t = b.text
        if not t:
            lead_images.extend(b.images)
            i += 1
            continue
        sq = squash(t)
        leading = (
            b.tag == "h1"
            or (title_sq and (sq == title_sq or (title_sq in sq and b.chars < len(title) + 25 and not ends_sentence(t))))
            or (b.chars <= 40 and _BREADCRUMB.search(t) and b.link_density > 0.2)
            or (b.chars <= 80 and not re.search(r"[。！？]", t) and _DATE_ONLY_LINE.search(t) and not _lead_prose(t))
            or (b.chars <= 60 and b.link_density > 0.5)
            or (b.chars <= 80 and parse_credits(t).is_byline_only)
            or _SLIDE_COUNTER.match(t)
            or (b.chars <= 60 and _BYLINE_FIELD.match(t))
            or (b.chars <= 20 and _IP_PLACE.match(t))
            or (b.chars <= 8 and title_sq and any(_is_title(x, title_sq) for x in kept[i + 1: i + 3]))  # a badge
            or (b.chars <= 120 and b.link_chars and _is_promo(b))
            or (b.chars <= 8 and _SECTION_TAG.match(t))
            or (writer and t.strip() == writer)
        )
        if not leading:
            break
        head.append(t)
        i += 1
    kept = kept[i:]
    out: list[Block] = []
    total = sum(b.chars for b in kept) or 1
    for n, b in enumerate(kept):
        if _widget_line(b):
            continue  # a page widget's words: share bar, font size, player, pager, ad label
        if out and b.text and is_post_end(b.text) and sum(x.chars for x in out) >= total * 0.3:
            break  # a blog post's closing line: another post follows
        if out and b.text and b.chars <= 20 and _COMMENT_COUNT.match(b.text) \
                and sum(x.chars for x in out) >= total * 0.3:
            break  # the comment area's heading: readers' comments follow
        if out and b.text and is_end_marker(b.text):
            if not b.link_chars and is_read_more(b.text) and _body_follows(kept[n + 1: n + 4]):
                continue  # an expand button (`Read More`) inside the story, story paragraphs under it: it goes on
            done = sum(x.chars for x in out)
            if done >= total * 0.3 and _body_follows(kept[n + 1:]) and (
                    (b.link_chars and b.link_chars < b.chars)
                    or (n + 1 < len(kept) and kept[n + 1].chars < 80 and kept[n + 1].link_density > 0.6)):
                continue  # `延伸閱讀：<a>headline</a>` inside the story: the line goes, the story goes on
            if done >= total * 0.3:
                break
            if not (_story_text(out, within=b) and _body_follows(kept[n + 1:])):
                out = []  # a related box before the body: what came before it was furniture too
            continue  # else a box inside the story's first lines (`相關新聞：` and its links): the story goes on
        if b.text and b.link_density > 0.6 and b.chars < 200:
            continue
        out.append(b)
    tail_images: list[str] = []
    while out and (not out[-1].text or is_tail_junk(out[-1])
                   or (out[-1].chars <= 40 and not re.search(r"[。！？]", out[-1].text)
                       and _DATE_ONLY_LINE.search(out[-1].text) and _YEAR.search(out[-1].text))
                   or (out[-1].chars <= 60 and parse_credits(out[-1].text).is_byline_only)
                   or (out[-1].chars <= 30 and _staff_credit().match(out[-1].text))
                   or (out[-1].chars <= 12 and _EMPTY_LABEL.match(out[-1].text))
                   or (out[-1].chars <= 8 and _SECTION_TAG.match(out[-1].text))
                   or (out[-1].chars <= 8 and _COUNT_ONLY.match(out[-1].text))
                   or (out[-1].chars <= 40 and _HANDLE_LINE.match(out[-1].text))):
        gone = out.pop()
        if not gone.text and id(gone) in captioned:
            tail_images[:0] = gone.images
    # A box asking for money or membership among the last lines: it and the short lines after it go.
    ask = next((i for i in range(max(0, len(out) - 4), len(out)) if out[i].text and is_ask(out[i])), None)
    if ask is not None and ask > 0 and all(b.chars <= 120 for b in out[ask:]):
        del out[ask:]
    if out and tail_images:  # captioned photos closing the story (a gallery under the text) stay with it
        out.append(Block(text="", source=out[-1].source, tag="img", images=tail_images))
    return out, captions, head, lead_images


def _dates(meta: PageMeta, title: str, head_lines: list[str], body_blocks: list[Block], blocks: list[Block], body,
           zone: str, reference: datetime | None, front: dict[str, str], url: str | None, *, zone_given: bool = False):
    """Weigh structured dates (JSON-LD, meta, <time>) against the visible date near the headline.

    Weaker evidence fills gaps: publication stamps in inline scripts, days in the page's own URL,
    and these anchors give a visible date printed without its year (`10-08 12:00`) its year.
    """
    from newsmirror.extract.dates import find_url_dates

    def first(raws) -> tuple[datetime, bool] | None:
        for raw in raws:
            parsed = parse_iso_date(raw, zone)
            if parsed:
                return parsed
        return None

    structured = first(list(meta.published) + list(meta.time_tags))
    # A structured stamp written with the outlet's own offset (`13:42:06+08:00`) tells the page's clock
    # better than a guess from the language; visible dates are read on that clock.
    page_tz = None
    structured_offset = None  # the structured stamp states its offset (or Z)
    if structured:
        raw = next(r for r in list(meta.published) + list(meta.time_tags) if parse_iso_date(r, zone))
        structured_offset = _OFFSET.search(raw) or (re.search(r"\dZ$", raw.strip()) if raw else None)
    if structured and not zone_given:
        # A <time datetime> states the clock its own visible text is printed on (`23:24+08:00` under `23:24`),
        # better than a meta stamp written for machines on another clock (`11:24-04:00`).
        m = next((o for t in meta.time_tags if (o := _OFFSET.search(t))), None) or _OFFSET.search(raw)
        if m:
            offset = timedelta(hours=int(m.group(2)), minutes=int(m.group(3))) * (-1 if m.group(1) == "-" else 1)
            if offset and abs(offset) < timedelta(hours=24) and offset != structured[0].utcoffset():
                page_tz = timezone(offset)
    scripted = first(meta.script_dates)
    upd = first(meta.updated)
    url_days = list(dict.fromkeys(find_url_dates(url) + find_url_dates(meta.canonical)))
    anchors: list = [x[0] for x in (structured, upd, scripted) if x] + url_days
    visible = _visible_date(title, head_lines, body_blocks, blocks, body, zone, reference, anchors)
    if page_tz is not None and structured is not None:
        structured = (structured[0].astimezone(page_tz), structured[1])
        if visible is not None and getattr(visible[0].tzinfo, "key", None) == zone:  # read on the guessed clock
            visible = (visible[0].replace(tzinfo=page_tz), visible[1])
    published = None
    if structured and visible and structured_offset is not None and visible[1] and structured[1] \
            and not zone_given and zone == "UTC" and getattr(visible[0].tzinfo, "key", None) == zone:
        # An English page with no domain hint: UTC is only a guess. A visible clock whole quarter-hours
        # away from a stamp that states its offset is local time somewhere: the stamp's instant, on
        # the page's clock (`11.14.2019 09:00 AM` beside `2019-11-14T14:00:00Z`: 09:00-05:00).
        gap = visible[0].replace(tzinfo=UTC, second=0) - structured[0].astimezone(UTC).replace(tzinfo=UTC, second=0,
                                                                                            microsecond=0)
        if gap and abs(gap) <= timedelta(hours=15) and gap % timedelta(minutes=15) == timedelta(0):
            visible = (structured[0].astimezone(timezone(gap)), True)
    if structured and visible:
        s, s_time = structured
        v, v_time = visible
        if v_time and (not s_time or abs((s - v).total_seconds()) <= 15 * 3600):
            published = v if abs((s - v).total_seconds()) > 60 else s
        elif s_time or not v_time:
            published = s
        else:
            published = v
    elif structured:
        published = structured[0]
    elif visible:
        published = visible[0]
        if not visible[1] and scripted and scripted[1] and scripted[0].date() == published.date():
            published = scripted[0]  # the script knows the clock of the day the page shows
    elif scripted:
        published = scripted[0]
    elif front.get("date"):
        parsed = parse_iso_date(front["date"], zone)
        published = parsed[0] if parsed else None
    elif url_days:
        d = url_days[0]
        published = datetime(d.year, d.month, d.day, tzinfo=ZoneInfo(zone))
    if published is not None and visible is not None and visible[0].tzinfo is not None \
            and not isinstance(visible[0].tzinfo, ZoneInfo) and published.tzinfo != visible[0].tzinfo:
        published = published.astimezone(visible[0].tzinfo)  # the page prints its clock in this zone
    if published is not None and structured and visible and not visible[1] and structured_offset is not None \
            and not zone_given and published.date() != visible[0].date():
        # The page prints only the day, and the stamp moved onto the guessed clock falls on another day: the
        # stamp on its own stated clock is the page's (`2024-03-01T17:00:00+00:00` under `2024年3月1日`).
        own = _on_stated_clock(structured[0], structured_offset)
        if own.date() == visible[0].date():
            published = own
    return published, (upd[0] if upd else None)


def _on_stated_clock(value: datetime, stated: re.Match[str]) -> datetime:
    """`value` on the clock its raw stamp stated (`+08:00` as _OFFSET read it, or a trailing `Z`)."""
    if stated.re is _OFFSET:
        offset = timedelta(hours=int(stated.group(2)), minutes=int(stated.group(3)))
        return value.astimezone(timezone(-offset if stated.group(1) == "-" else offset))
    return value.astimezone(UTC)


def _visible_date(title: str, head_lines: list[str], body_blocks: list[Block], blocks: list[Block], body,
                  zone: str, reference: datetime | None, anchors: list) -> tuple[datetime, bool] | None:
    """The publication date printed near the headline, byline or end of the body: (value, has_time)."""
    from newsmirror.extract.dates import find_dates, place_yearless

    regions = [head_lines]
    if body is not None:
        regions.append([b.text for b in blocks[max(0, body.start - 25): body.start] if b.chars <= 150])
        regions.append([b.text for b in body_blocks[:1] if b.chars <= 150])
        # After the body as kept: a dateline the trim cut from the body's tail is read here too.
        last = next((i for i in range(body.end - 1, body.start - 1, -1) if body_blocks and blocks[i] is body_blocks[-1]),
                    body.end - 1)
        regions.append([b.text for b in blocks[last + 1: body.end + 10] if b.chars <= 150])
    title_sq = squash(title)
    held: datetime | None = None
    for n, lines in enumerate(regions):
        found = []
        yearless = []
        for line in lines:
            if title_sq and len(line) >= len(title_sq) and squash(line) == title_sq:
                continue  # a headline's "5月20日" is news, not the dateline
            try:
                matches = find_dates(line, tz=zone, reference=reference)
            except Exception:  # noqa: BLE001 -- a date we cannot read is no date
                continue
            for d in matches:
                if _UPDATE_LABEL.search(line[max(0, d.start - 16): d.start]):
                    continue
                if d.has_year:
                    if d.value.year >= 1995:
                        found.append(d)
                elif n == 0:
                    yearless.append((d, line[d.start].isdigit()))
        if found:
            timed = [d for d in found if d.has_time]
            pick = timed[0] if timed else found[0]
            if held is not None and not pick.has_time and (held.month, held.day) == (pick.value.month, pick.value.day):
                # `10-08 12:00` under the headline, `2019年10月8日` further down: one date, now whole
                placed = place_yearless(held, [pick.value])
                if placed is not None:
                    return placed, True
            return pick.value, pick.has_time
        for d, month_day in sorted(yearless, key=lambda x: not x[0].has_time):
            # `10-08 12:00` takes its year from the page's dated evidence; `昨天` only means something
            # against the reference time the caller gave.
            value = place_yearless(d.value, anchors) if month_day and anchors else None
            if value is None and reference is not None:
                value = d.value
            if value is not None:
                return value, d.has_time
            if month_day and d.has_time and held is None:
                held = d.value  # no year yet: a dated line further down may supply it
    return None


def _region_start(title_index: int | None, body) -> int:
    """Where the article's own lines start: the headline, or a dozen blocks above the body without one."""
    if title_index is not None and title_index < body.start:
        return title_index
    return body.start - 12


def _credits(meta: PageMeta, head_lines: list[str], body_blocks: list[Block], tail_lines: list[str],
             bylines: Sequence[str] = (), accounts: Sequence[str] = ()):
    """Authors (persons), source and editors from the byline region: byline elements, lines under the
    headline, the lead's dateline, the closing credit lines; then JSON-LD and meta author."""
    from newsmirror.extract.bylines import credits_of, find_credits, parse_credits

    texts = [b.text for b in body_blocks if b.text]
    # A role printed in its own box beside the names' box (`文字` | `劉佳穎 蔡宗翰`): read them as one line.
    head_lines = [f"{line}：{head_lines[i + 1]}" if _ROLE_ONLY.fullmatch(line) and i + 1 < len(head_lines) else line
                  for i, line in enumerate(head_lines)]
    # A short line made only of credits among the opening paragraphs (after a summary box) is the byline.
    early = [t for t in texts[2:10] if len(t) <= 40 and parse_credits(t).is_byline_only]
    lines = head_lines + texts[:2] + early + list(bylines) + texts[-2:] + tail_lines
    credits = find_credits(lines, bylines=frozenset(bylines))
    authors = list(credits.authors)
    source = credits.source
    # Spans printed without a space glue a title onto a name (`Michael HiltzikBusiness`): the
    # structured name it starts with is the name.
    known = [a for a in meta.ld_authors if a] + ([meta.meta_author] if 0 < len(meta.meta_author) <= 30 else [])
    authors = list(dict.fromkeys(
        next((k for k in known if a != k and a.startswith(k) and not a[len(k)].islower()), a) for a in authors))
    if not authors and meta.ld_authors:  # structured data names the persons, read with the same name model
        authors = list(dict.fromkeys(n for a in meta.ld_authors for n in _structured_names(a)))
    if not authors and meta.meta_author and len(meta.meta_author) <= 30:
        c = parse_credits(meta.meta_author)
        authors = list(c.authors)
    if not source and accounts:
        source = next((a for a in accounts if 2 <= len(a) <= 20 and a not in WIDGET_NAMES), None)
    if not source:
        # The outlet from the page's own evidence, never a share button's or a platform's name.
        source = next((s for s in (meta.ld_publisher, meta.site_name) if s and s not in WIDGET_NAMES), None)
    return authors, source, list(credits.editors), credits_of(authors, credits.roles)


_KICKERS = frozenset(lexicon().words("headline_kickers"))
WIDGET_NAMES = lexicon().widgets
# A line that is one widget's word (`關閉`, `分享`, `收藏`): a button's label, never story text.
_WIDGET_WORDS = frozenset(lexicon().words("widgets.actions"))


def _structured_names(value: str) -> list[str]:
    """The persons a JSON-LD author string names: a credit line (`X新聞 |張語涵 台北市報導`) read as one,
    or the name itself. No outlet, and no CMS login (`lulu`: one lower-case word is an account)."""
    from newsmirror.extract.bylines import is_outlet, parse_credits
    from newsmirror.extract.names import person_name

    value = value.strip()
    if not value or is_outlet(value) or value.isascii() and value.islower() and " " not in value:
        return []
    names = list(parse_credits(value, byline=True).authors)
    if names or person_name(value):
        return names or [value]
    # A name the model does not know (a pen name, a nickname) is kept as written, but not a dateline
    # (`台北31日電`: digits), a site (`X新聞-XNews.hk`: a domain, or an outlet among its parts).
    if value.isascii() or len(value) > 30 or any(c.isdigit() for c in value) or _SITE_NAME.search(value) \
            or any(is_outlet(part) for part in _NAME_PARTS.split(value) if part):
        return []
    return [value]


_SITE_NAME = re.compile(r"\.(?:com|net|org|co|cn|tw|hk|sg|my|uk|mo|news)\b|https?:|www\.", re.I)
_NAME_PARTS = re.compile(r"[\s\-–—|｜/／_,，、·]+")  # the parts of a structured author string


def page_links_share(blocks: list[Block]) -> float:
    """The share of the page's text that sits inside links."""
    return sum(b.link_chars for b in blocks) / (sum(b.chars for b in blocks) or 1)


_CARDS_PAGE = 12  # linked headlines in the text region that make it a list page, whatever else it says


def _kind(title: str, body_blocks: list[Block], body_text: str, blocks: list[Block], meta: PageMeta,
          teasers: int = 0, *, dated: bool = False, url: str | None = None, title_links: int = 0,
          opens_with_card: bool = False) -> tuple[str, str]:
    """Judge article vs not_article from evidence, with a note saying why when the evidence is thin.

    A page is not_article only on strong evidence (no text, a 404 title, a link-list page of cards);
    a short text under a headline with a publication stamp stays an article, noted as short.
    """
    chars = sum(b.chars for b in body_blocks)
    if chars < 60:
        return "not_article", f"no body: {chars} characters of text in the main region"
    if title and len(title) <= 40 and _NOT_FOUND.search(title) and chars < 600:
        return "not_article", f"the title reads as an error page ({title!r})"
    longest = max((b.chars for b in body_blocks), default=0)
    sentences = sum(1 for b in body_blocks if re.search(r"[。！？.!?]", b.text) and b.chars >= 30)
    # A page that stamps its own publication time is one article even when links dominate (a gallery).
    stamped = bool(meta.published or meta.script_dates) and "landing" not in meta.ld_type.lower()
    if page_links_share(blocks) > 0.6 and chars < 400 and sentences < 3 and not (stamped or dated and sentences):
        return "not_article", f"links are {page_links_share(blocks):.0%} of the page's text and the text is short"
    if meta.video and chars < 150 and sentences == 0:
        return "not_article", "a video page with no sentence of text"
    if longest < 50 and sentences < 2:
        return "not_article", "no paragraph of 50 characters and fewer than two sentences"
    # A section page of cards (linked headline, one-line summary, time): many linked headlines in
    # the body's region, only short paragraphs, no publication stamp, not typed as an article.
    if teasers >= 4 and longest < 120 and not stamped and meta.og_type != "article":
        return "not_article", f"{teasers} linked headlines and no paragraph longer than 120 characters"
    # A front or list page whatever its stamps say: a dozen linked headlines inside the text region (an article
    # with linked promos between its paragraphs holds a few; the most on the corpora's articles is 7).
    if teasers >= _CARDS_PAGE:
        return "not_article", f"{teasers} linked headlines inside the text region: a list of cards"
    # A short list of cards: the text region opens with a linked headline, and every paragraph of it is a summary
    # under a linked headline of its own (no more sentences than headlines, none long), on a page not typed or
    # stamped as an article (a tag page of two teasers, whatever its address).
    typed = meta.og_type == "article" or "article" in meta.ld_type.lower() or "posting" in meta.ld_type.lower()
    if teasers >= 2 and opens_with_card and sentences <= teasers and longest < 200 and not (stamped or typed):
        return "not_article", f"{teasers} linked headlines, each over a summary: the text region is a list of cards"
    # A tag, topic or search page: its address says it lists (`/tag/11882`, `/news/browse/變性手術`) or its
    # "headline" is a short name the page links elsewhere (a tag on the cards), the text under it is short,
    # and the page does not type itself as an article.
    if chars < 600 and not typed:
        listing = next((u for u in (url, meta.canonical) if u and _LISTING_PATH.search(_path_of(u))), None)
        if listing:
            return "not_article", f"the address {listing} lists articles and the text is short ({chars} characters)"
        if title_links >= 2:
            return "not_article", f"the title {title!r} is a tag the page links {title_links} times, the text short"
    if chars < 400 or sentences < 3:
        return "article", f"kept as an article on thin evidence: {chars} characters, {sentences} sentences"
    return "article", ""


# A path segment of a page that lists articles: a tag, topic, category, search or browse page.
_LISTING_PATH = re.compile(r"/(?:" + lexicon().alternation("listing_paths") + r")(?:/|$)", re.I)


def _path_of(url: str) -> str:
    """The URL's path ("" for a URL urlsplit refuses: `http://[bad`)."""
    try:
        return urlsplit(url).path
    except ValueError:
        return ""


def _links_named(scope, text: str) -> int:
    """How many links on the page read exactly `text` (a tag's name on the cards of a tag page)."""
    want = squash(text)
    return sum(1 for a in scope.iter("a") if squash("".join(a.itertext())) == want)


def _body_html(blocks: list[Block], base_url: str | None) -> str:
    """The body as simple HTML (paragraphs, headings, figures), safe by construction: every text
    escaped, only http(s) pictures (sanitize_html's rules, without a second parse of our own markup)."""
    from newsmirror.sanitize import escape_attribute, escape_text, safe_image_url

    parts: list[str] = []
    for b in blocks:
        for src in b.images:
            url = safe_image_url(_without_surrogates(src), base_url)
            parts.append(f'<figure><img src="{escape_attribute(url)}"></figure>' if url else "<figure><img></figure>")
        if not b.text:
            continue
        tag = b.tag if b.tag in ("h2", "h3", "h4", "h5", "h6", "blockquote", "pre") else "p"
        parts.append(f"<{tag}>{escape_text(_without_surrogates(b.text))}</{tag}>")
    return "\n".join(parts)


def _without_surrogates(text: str) -> str:
    """Lone surrogates (undecodable bytes kept by a lenient decoder) as U+FFFD, as sanitize_html does."""
    return text if text.isascii() or not _SURROGATE.search(text) else \
        text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


_SURROGATE = re.compile("[\ud800-\udfff]")
