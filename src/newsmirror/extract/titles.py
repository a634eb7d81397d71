"""The headline: the page's headings weighed against og:title, <title> and JSON-LD, site names cut off.

The steps, in order (`choose_title`):
1. Each reference title (og:title, <title>) is split where sites join the headline to their own name,
   a section or a greeting (`標題 | 國際 | 三立新聞網 SETN.COM`, `多维博客 » 标题`, `【某某網】標題`).
2. A part is the site's when it names the site: og:site_name or the JSON-LD publisher, the host's name
   (`SETN.COM` on setn.com, `Ming Pao Canada …` on mingpaocanada.com), or a short part ending in a site
   word (新聞網, 日報 …: lexicon.toml's `site_endings`). The longest other part is the reference's headline.
3. A heading of the page (an <h1> first, then other headings, elements classed as titles, emphasized
   lines) that a reference headline holds wins, the longest such; then one a whole reference holds.
4. Else, in order: a badge glued before a reference headline in the heading, a headline cut short in
   <title>, JSON-LD's headline, og:title's headline, <title>'s headline, the first <h1>.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from newsmirror.chinese import squash
from newsmirror.extract.lexicon import lexicon
from newsmirror.extract.meta import PageMeta

__all__ = ["TitleRefs", "choose_title", "headline_of", "site_hosts", "strip_site_suffix", "title_refs"]

# Where a <title> joins the headline to the site's name: a bar (| ｜ 丨), underscores, guillemets, `::`,
# a dash or a middle dot with spaces around it (`標題 - 某網`), an en dash or a single em dash, two or more
# hyphens. A doubled em dash (——) is Chinese punctuation inside a headline, so it never splits:
# `为现代化建设凝聚力量——热烈祝贺会议开幕_某市政府网` splits only at `_`.
_TITLE_SEP = re.compile(r"\s*(?:[|｜丨»«]|_+|::|\s[-·•]\s|–|(?<!—)—(?!—)|-{2,})\s*")
# A site's name glued after a hyphen, no spaces around it, at the end of a <title>: `标题-中国某某网`
# (only cut when the part reads as the site's: `_is_site_part`).
_GLUED_SITE = re.compile(r"(?<=\S)-(?P<site>[^\s\-|｜_]{2,16})$")
# A bracketed name at either end: `【大公網】標題`, `標題〖某某中心〗`; kept as its own part.
_END_BRACKETS = re.compile(r"^\s*[【〖\[]([^】〗\]]{1,24})[】〗\]]|[【〖\[]([^】〗\]]{1,24})[】〗\]]\s*$")
# Characters that are not text: a byte-order mark or zero-width space left at the start of a <title>.
_INVISIBLE = re.compile(r"[\ufeff\u200b-\u200f\u2060]")
# Host labels that name no site: `www`, `news`, country and generic endings.
_HOST_NOISE = frozenset(("www", "m", "news", "com", "net", "org", "gov", "edu", "co", "cn", "tw", "hk", "mo", "sg",
                         "my", "uk", "us", "ca", "au", "jp", "kr", "de", "fr", "html", "web", "mobile", "amp"))
_NOT_LATIN = re.compile(r"[^a-z0-9]")
_LATIN_ONLY = re.compile(r"[a-z0-9.\-:/]+")
_BRACKETS = "()（）[]【】〖〗《》<>「」"
_SITE_PART_MAX = 16  # characters: a part ending in a site word longer than this is a headline


@dataclass(frozen=True)
class TitleRefs:
    """What the page's head says the title is, and whose site it is."""

    og_title: str = ""
    title_tag: str = ""
    ld_headline: str = ""
    site_names: tuple[str, ...] = ()  # og:site_name, application-name, the JSON-LD publisher
    hosts: tuple[str, ...] = ()  # the labels of the page's host that name the site (`setn`, `mingpaocanada`)


def site_hosts(*urls: str | None) -> tuple[str, ...]:
    """The labels of these URLs' hosts that may name the site: `news.ltn.com.tw` -> ("ltn",)."""
    out: list[str] = []
    for url in urls:
        try:
            host = (urlsplit(url or "").hostname or "").lower()
        except ValueError:  # `http://[::1/`: no host to read
            continue
        out.extend(label for label in host.split(".") if len(label) >= 3 and label not in _HOST_NOISE)
    return tuple(dict.fromkeys(out))


def _split(title: str) -> list[str]:
    title = _INVISIBLE.sub("", title).strip()
    parts: list[str] = []
    for part in _TITLE_SEP.split(title):
        m = _END_BRACKETS.search(part)
        while m and m.end() - m.start() < len(part.strip()):
            inner = m.group(1) or m.group(2)
            rest = (part[: m.start()] + " " + part[m.end():]).strip()
            parts.append(inner)
            part = rest
            m = _END_BRACKETS.search(part)
        if part.strip():
            parts.append(part.strip())
    return parts


def _is_site_part(part: str, refs: TitleRefs) -> bool:
    """True when this part of a title names the site, not the story."""
    sq = squash(part).lower().strip(_BRACKETS)
    if not sq or sq.startswith(_greetings()):
        return True
    for name in refs.site_names:
        ns = squash(name).lower()
        if not ns:
            continue
        if sq == ns or ns.startswith(sq):
            return True
        if sq.startswith(ns) or sq.endswith(ns):  # the name with a few more words: `三立新聞網 SETN.COM`
            rest = sq[len(ns):] if sq.startswith(ns) else sq[: -len(ns)]
            if len(rest) <= 6 or _LATIN_ONLY.fullmatch(rest):
                return True
    latin = _NOT_LATIN.sub("", sq)
    if len(latin) >= 3 and any(h in latin or (latin in h and len(latin) >= 4) for h in refs.hosts):
        return True
    return len(sq) <= _SITE_PART_MAX and sq.endswith(_site_endings())


def _site_endings() -> tuple[str, ...]:
    return tuple(w.lower() for w in lexicon().words("site_endings"))


def _greetings() -> tuple[str, ...]:
    return tuple(w.lower() for w in lexicon().words("site_greetings"))


def headline_of(title: str, refs: TitleRefs) -> str:
    """The headline inside a reference title: its longest part that is not the site's ("" when every
    part names the site, as in a <title> that is only the site's name)."""
    title = _INVISIBLE.sub("", title).strip()
    for name in refs.site_names:  # the site's name glued on without a separator: `标题网易新闻`
        if name and title.endswith(name) and len(title) > len(name) + 4:
            title = title[: -len(name)].rstrip(" |｜_-–—·:：")
    if squash(title).lower().startswith(_greetings()):  # `欢迎访问某某网`: the site greets, no story named
        return ""
    glued = _GLUED_SITE.search(title)  # `标题-中国某某网`: the site's name after a hyphen with no spaces
    if glued and glued.start() >= 4 and _is_site_part(glued.group("site"), refs):
        title = title[: glued.start()]
    parts = _split(title)
    if len(parts) <= 1:
        only = squash(parts[0]).lower() if parts else ""
        return "" if not only or any(only == squash(n).lower() for n in refs.site_names) else parts[0]
    story = [p for p in parts if not _is_site_part(p, refs)]
    return max(story, key=len) if story else ""


def strip_site_suffix(title: str, site_name: str = "") -> str:
    """Drop site names around a <title>: `標題 | 聯合新聞網`, `标题_网易新闻` -> the headline."""
    refs = TitleRefs(site_names=(site_name,) if site_name else ())
    return headline_of(title, refs) or _INVISIBLE.sub("", title).strip()


def _held(candidates: Iterable[str], refs_sq: list[str], cover: float = 0.0) -> str:
    """The longest candidate that one of the references holds, covering at least `cover` of it."""
    best = ""
    for h in candidates:
        sq = squash(h)
        if len(sq) < 4 or len(h) > 200:
            continue
        if any(sq in r and len(sq) >= cover * len(r) for r in refs_sq) and len(h) > len(best):
            best = h
    return best


def _with_second_line(best: str, cands: list[str], refs_sq: list[str]) -> str:
    """The headline printed over two heading elements (a title, then its second line), when a reference
    holds both together: `標題的前半 | 標題的後半` in the page, `標題的前半 標題的後半` in <title>."""
    at = cands.index(best) if best in cands else -1
    if at < 0:
        return best
    for first, second in ((cands[at - 1] if at else "", best), (best, cands[at + 1] if at + 1 < len(cands) else "")):
        joined = squash(first) + squash(second)
        if min(len(squash(first)), len(squash(second))) >= 4 and any(joined in r for r in refs_sq):
            return f"{first} {second}"
    return best


def title_refs(meta: PageMeta, url: str | None = None) -> TitleRefs:
    """The page head's title evidence: og:title, <title>, JSON-LD's headline, the site's names and host."""
    return TitleRefs(og_title=meta.og_title, title_tag=meta.title_tag, ld_headline=meta.ld_headline,
                     site_names=tuple(n for n in (meta.site_name, meta.ld_publisher) if n),
                     hosts=site_hosts(url, meta.canonical))


def choose_title(meta: PageMeta, headings: tuple[str, ...] = (), url: str | None = None,
                 emphasized: tuple[str, ...] = ()) -> str:
    """Pick the headline: a heading the references' headlines confirm, else the best reference headline.

    `headings` are the page's heading elements and elements classed as titles; `emphasized` are lines
    set in bold or <font>, weaker evidence: they count only when they cover most of a reference.
    """
    refs = title_refs(meta, url)
    h1s = meta.h1s
    raw = [r for r in (refs.og_title, refs.title_tag, refs.ld_headline) if r]
    cleaned = [h for h in (headline_of(refs.og_title, refs), headline_of(refs.title_tag, refs), refs.ld_headline) if h]
    cands = list(dict.fromkeys([*h1s, *headings]))
    # 3. a heading inside a reference's headline, then inside a whole reference
    cleaned_sq = [squash(r) for r in cleaned]
    best = _held(cands, cleaned_sq) or _held(cands, [squash(r) for r in raw]) or _held(emphasized, cleaned_sq, 0.6)
    if best:
        return _INVISIBLE.sub("", _with_second_line(best, cands, [*cleaned_sq, *(squash(r) for r in raw)])).strip()
    # 4. a badge glued before the headline in the heading (原创, 独家, 快訊 ...): the reference without it
    refs_sq = [(r, squash(r)) for r in raw]
    for h in cands:
        sq = squash(h)
        for r, rs in refs_sq:
            if len(rs) >= 8 and sq.endswith(rs) and 0 < len(sq) - len(rs) <= 4:
                return r.strip()
    # a headline cut short in <title>: a heading that starts like a reference
    for h in cands:
        sq = squash(h)
        if len(sq) >= 8 and any(rs and rs[: len(sq) // 2] == sq[: len(sq) // 2] for _r, rs in refs_sq):
            return h
    for title in (refs.ld_headline, headline_of(refs.og_title, refs), headline_of(refs.title_tag, refs)):
        if title:
            return title
    return next((h for h in h1s if len(h) >= 4), "")
