"""Link lists beside an article: related-reading groups (延伸閱讀, 相關新聞 ...) and tag lists.

A group is a short heading that says "related" (or a box whose class says so, such as
`<div class="moreArticle"><div class="moreArticle-title">金正恩</div><a>..</a></div>`) followed by
links whose text reads like headlines. These are kept as data (RelatedLink), never as body text.
The finders read the page as render_blocks sees it after clean_tree: what a reader sees, so a
hidden box or the <head> gives no related links, and the candidates come from the marks its walk left.
"""

from __future__ import annotations

import re
from lxml import etree

from newsmirror.extract.page import Blocks, memo_search, join_url, render_blocks
from newsmirror.models import RelatedLink

__all__ = ["find_links", "find_related", "find_tags", "is_related_heading"]

_RELATED_HEAD = re.compile(
    r"^[\s【\[（(<《「■▌|｜:：]*(?:延伸閱讀|延伸阅读|相關新聞|相关新闻|相關閱讀|相关阅读|推薦閱讀|推荐阅读|相關文章|相关文章|"
    r"相關報導|相关报道|相關推薦|相关推荐|精彩推薦|精彩推荐|相關稿件|相关稿件|相關內容|相关内容|看更多|更多[^\s，,。：:！!]{0,10}|"
    r"編輯推薦|编辑推荐|往期推[荐薦]|往期回[顾顧]|"
    r"Related(?: \w+)?|Read more|More (?:on|from|stories)\b.*|Recommended(?: \w+)?)[\s】\]）)>》」:：]*$",
    re.I,
)
_HEAD_KEY = re.compile(r"延伸|相關|相关|推薦|推荐|更多|編輯|编辑|精彩|[Rr]elated|[Rr]ead [Mm]ore|[Mm]ore|[Rr]ecommended|RELATED|MORE")
_HEAD_WORDS = re.compile("延伸|相關|相关|推薦|推荐|更多|編輯|编辑|精彩|Related|RELATED|related|Read|More|MORE|more|Recommended")
_BOX_HINT = re.compile(r"more-?article|morearticle|related|relate|recommend|tuijian|xiangguan|extend|"
                       r"further|see-?also|morenews|more-?news|read-?more")
# `tags`, `article-tags`, and compounds written as one word (`keywordTag`, `tagBlk`, `newsTags`, `tagList`).
_TAG_HINT = re.compile(r"(?:^|[\s_-])[a-z]*(?:tags?|keywords?|labels?|topics?)(?:list|box|blk|block|wrap|wrapper|area|bar|group|"
                       r"cloud|s)?(?:$|[\s_-])", re.I)
_TAG_HEAD = re.compile(r"^[\s【\[]*(?:標籤|标签|關鍵字|关键字|關鍵詞|关键词|Tags?|(?:相關|相关)?(?:話題|话题))[\s】\]:：]*$", re.I)


def is_related_heading(text: str) -> bool:
    """True for a heading over related links: 延伸閱讀, 相关新闻, 更多X報導, Related stories ..."""
    return bool(_RELATED_HEAD.match(text))


def _text(el: etree._Element) -> str:
    """The element's text with whitespace runs squeezed (split/join: the same as \\s+ -> " ", faster)."""
    return " ".join("".join(el.itertext()).split())


# A date (with a clock, when it is only month and day: `3-1` alone is a score) ending a link's text.
_TRAILING_DATE = re.compile(r"\s*(?:(?:19|20)\d\d[-/.]\d{1,2}[-/.]\d{1,2}(?:\s*\d{1,2}:\d{2})?|\d{1,2}[-/]\d{1,2}\s*\d{1,2}:\d{2})\s*$")


def _short_text(el: etree._Element, limit: int = 24) -> str | None:
    """_text(el) when it is at most `limit` characters, else None (stops reading once it cannot be)."""
    parts: list[str] = []
    solid = 0  # non-space characters so far: the squeezed text is at least this long
    for piece in el.itertext():
        parts.append(piece)
        solid += len("".join(piece.split()))
        if solid > limit:
            return None
    text = " ".join("".join(parts).split())
    return text if len(text) <= limit else None


def _links(scope: list[etree._Element], skip: etree._Element | None, limit: int) -> list[tuple[str, str]]:
    """(title, href) of the links in scope worth keeping, outside `skip`; hrefs are joined to the
    page URL only for groups that are kept (urljoin is the dear part). Stops after limit + 1 links:
    a group with more than `limit` is not kept, however many more there are."""
    out: list[tuple[str, str]] = []
    skipped = set(skip.iter("a")) if skip is not None else ()
    for root in scope:
        for a in root.iter("a"):
            if a in skipped:
                continue
            href = (a.get("href") or "").strip()
            if not href or href.startswith(("#", "javascript:", "mailto:")):
                continue
            title = _text(a)
            dated = _TRAILING_DATE.search(title)  # a card's date printed inside the link
            if dated and dated.start() >= 4:
                title = title[: dated.start()].rstrip()
            if len(title) < 4:
                continue
            out.append((title, href))
            if len(out) > limit:
                return out
    return out


def _short_heading(el: etree._Element, stats: dict[etree._Element, tuple[int, int, int]]) -> etree._Element | None:
    """The first non-link element with short text inside a box: the box's heading.

    A box's first child may hold the whole box: its length is read from the walk's counts (`stats`,
    render_blocks': non-space characters per subtree) before its text is joined, and a link above the
    box is looked for once, not from every child up to the root."""
    in_link = el.tag == "a" or any(p.tag == "a" for p in el.iterancestors())
    for child in el.iter():
        if child is el or not isinstance(child.tag, str):
            continue
        if child.tag == "a" or in_link or _under_link(child, el):
            continue
        st = stats.get(child)
        if st is not None and st[0] > 24:
            return None  # more than 24 non-space characters: no heading, and its squeezed text is longer still
        text = "" if st is not None and st[0] == 0 else _short_text(child)
        if text == "":
            continue
        if text is not None and next(child.iter("a"), None) is None:
            return child
        return None
    return None


def _under_link(el: etree._Element, box: etree._Element) -> bool:
    """True when an <a> holds el below `box`."""
    for p in el.iterancestors():
        if p is box:
            return False
        if p.tag == "a":
            return True
    return False


def _mostly_links(scope: list[etree._Element]) -> bool:
    """True when link text is at least half the text of the elements."""
    total = sum(len("".join(_text(el).split())) for el in scope)
    linked = sum(len("".join(_text(a).split())) for el in scope for a in el.iter("a"))
    return total > 0 and linked * 2 >= total


def _group_name(text: str) -> str:
    return text.strip(" 【】[]（）()<>《》「」■▌|｜:：")


def _scan(blocks: Blocks, *, related: bool = True, tags: bool = True,
          ) -> tuple[list[etree._Element], list[tuple[etree._Element, etree._Element]]]:
    """Read the candidates off render_blocks' marks (class/id hints and short texts, in walk order):
    the related candidates in page order (boxes whose class/id says related; elements whose own
    text, or a child's text when they carry a class or id, holds a heading word) and the tag
    candidates as (element, the scope whose links are the tags), in page order."""
    picked: dict[etree._Element, None] = {}
    tag_scopes: list[tuple[etree._Element, etree._Element]] = []
    search, box = _HEAD_WORDS.search, memo_search(_BOX_HINT)  # a page repeats its classes
    tag_hint, tag_head = _TAG_HINT.search, _TAG_HEAD.match
    for el, what, value in blocks.marks:
        if what == Blocks.HINT:  # never a link's: render_blocks leaves those out
            if related and el.tag != "span" and box(value):
                picked[el] = None
            # Every tag-hint word holds one of these four: a substring test spares most regex calls.
            if tags and ("tag" in value or "keyword" in value or "label" in value or "topic" in value) \
                    and tag_hint(value):
                tag_scopes.append((el, el))
            continue
        # A heading is at most 24 characters once spaces are squeezed (marks hold texts of at most
        # 24 non-space characters; the squeezed length adds the inner spaces).
        if len(value) > 24 and len(" ".join(value.split())) > 24:
            continue
        if what == Blocks.TEXT:
            # A label such as 標籤： (even one whose own class says tags): the links are its parent's.
            if tags and el.tag != "a" and len(el) == 0 and tag_head(value):
                parent = el.getparent()
                if parent is not None:
                    tag_scopes.append((el, parent))
            if related and search(value):
                picked[el] = None
                parent = el.getparent()  # a heading word in a child's text: the parent reads it as its own
                if parent is not None and (parent.get("class") is not None or parent.get("id") is not None):
                    picked[parent] = None
        elif related and search(value):
            parent = el.getparent()
            if parent is not None:
                picked[parent] = None
    if len(picked) > 1:
        stats = blocks.stats  # (chars, link_chars, page order) per element; a parent above the scope comes first
        candidates = sorted(picked, key=lambda el: stats[el][2] if el in stats else -1)
    else:
        candidates = list(picked)
    return candidates, tag_scopes


def _marks(root: etree._Element, blocks: Blocks | None) -> Blocks:
    """render_blocks(root) unless blocks already are its rendering."""
    return blocks if blocks is not None and blocks.root is root else render_blocks(root)


def find_links(root: etree._Element, base_url: str | None = None, blocks: Blocks | None = None,
               ) -> tuple[list[RelatedLink], list[str]]:
    """find_related and find_tags together: (related links, tags). Pass render_blocks(root) as
    `blocks` when it is at hand: the finders read the marks its walk left instead of walking again."""
    blocks = _marks(root, blocks)
    candidates, tag_scopes = _scan(blocks)
    return _related_groups(candidates, base_url, blocks.stats), _tag_words(tag_scopes)


def find_related(root: etree._Element, base_url: str | None = None) -> list[RelatedLink]:
    """Related-link groups on the page, in page order, each link once."""
    blocks = render_blocks(root)
    return _related_groups(_scan(blocks, tags=False)[0], base_url, blocks.stats)


def find_tags(root: etree._Element) -> list[str]:
    """Keyword/tag link lists: boxes whose class says tags, or links after a 標籤/关键词 label."""
    return _tag_words(_scan(render_blocks(root), related=False)[1])


def _related_groups(candidates: list[etree._Element], base_url: str | None,
                    stats: dict[etree._Element, tuple[int, int, int]]) -> list[RelatedLink]:
    """The groups the candidates head or box, in page order, each link once (`stats`: Blocks.stats)."""
    found: list[RelatedLink] = []
    seen: set[str] = set()
    done: set[etree._Element] = set()

    def add(group: str, links: list[tuple[str, str]]) -> None:
        for title, href in links:
            url = join_url(base_url, href)
            if url in seen:
                continue
            seen.add(url)
            found.append(RelatedLink(group=group, title=title, url=url))

    for el in candidates:
        if el in done:
            continue
        cls, ident = el.get("class"), el.get("id")
        # A box whose class says related, headed by a short line.
        if (cls or ident) and el.tag not in ("a", "span") and _BOX_HINT.search(f"{cls} {ident}".lower()):
            head = _short_heading(el, stats)
            links = _links([el], head, 30) if head is not None else []
            if links and len(links) <= 30:
                add(_group_name(_text(head)), links)
                done.update(el.iter())
                continue
        # `<p>延伸閱讀：<a>headline</a></p>`: the label and its link in one line.
        lead = (el.text or "").strip()
        if lead and len(lead) <= 12 and el.tag != "a" and _RELATED_HEAD.match(lead) and next(el.iter("a"), None) is not None:
            links = _links([el], None, 5)
            if links and len(links) <= 5:
                add(_group_name(lead), links)
                done.add(el)
                continue
        # A heading that says related, followed by links.
        if el.tag in ("a",) or len(el) > 3:
            continue
        own = (el.text or "") + "".join((c.text or "") for c in el if isinstance(c.tag, str))
        own = own.strip()
        if not own or len(own) > 30 or not _HEAD_KEY.search(own):
            continue
        text = _text(el)
        if not text or len(text) > 24 or not _RELATED_HEAD.match(text):
            continue
        if any(_RELATED_HEAD.match(_text(c) or "-") for c in el if isinstance(c.tag, str)):
            continue  # a child is the heading itself
        # `<h2><span>相关新闻</span></h2>`, `<p><strong>更多X報導</strong></p>`: the links follow the
        # wrapper that holds nothing but the heading.
        climbed = False
        while el.getnext() is None and (parent := el.getparent()) is not None \
                and parent.tag not in ("body", "html") and _short_text(parent) == text:
            el, climbed = parent, True
        scope: list[etree._Element] = []
        sib = el.getnext()
        while sib is not None and len(scope) < 4:
            if isinstance(sib.tag, str):
                st = _short_text(sib)
                if st and _RELATED_HEAD.match(st):
                    break
                if climbed and scope and next(sib.iter("a"), None) is None:
                    break  # one link per paragraph: the list ends at the first paragraph without one
                scope.append(sib)
            sib = sib.getnext()
        links = _links(scope, None, 40)
        if climbed and links and not _mostly_links(scope):
            continue  # the paragraphs after a wrapped "Read more" are text with links in it, not a list
        if not links:
            parent = el.getparent()
            if parent is not None:
                links = _links([parent], el, 40)
        if links and len(links) <= 40:
            add(_group_name(text), links)
            for s in scope:
                done.update(s.iter())
    return found


_SITE_BAR = re.compile(r"hot|trend|popular|path|crumb|nav|menu|header")


def _tag_words(tag_scopes: list[tuple[etree._Element, etree._Element]]) -> list[str]:
    """The first candidate scope whose links all read like tags gives the page's tags; a lone link
    (a section badge over the headline) only when no candidate lists more."""
    # Sibling boxes of one kind hold one list between them (`<li class="topic">` per tag).
    lists: list[list[etree._Element]] = []
    prev: etree._Element | None = None
    for el, scope in tag_scopes:
        if prev is not None and scope is el and lists[-1][-1] is prev and el.getprevious() is prev \
                and el.tag == prev.tag and el.get("class") == prev.get("class"):
            lists[-1].append(el)
        else:
            lists.append([scope])
        prev = el
    single: list[str] = []
    furniture: list[str] = []  # a site-wide bar: trending topics, a breadcrumb trail
    for scopes in lists:
        anchors = [a for scope in scopes for a in scope.iter("a")]
        hint = f"{scopes[0].get('class') or ''} {scopes[0].get('id') or ''}".lower()
        words = [_text(a).lstrip("#＃") for a in anchors]
        words = [w for w in words if 0 < len(w) <= 20]
        if anchors and len(words) == len(anchors) and len(words) <= 30:
            tags = list(dict.fromkeys(words))
            if _SITE_BAR.search(hint):
                furniture = furniture or tags
            elif len(tags) > 1:
                return tags
            else:
                single = single or tags
    return single or furniture
