"""Page metadata: title, JSON-LD, meta tags, language, script and the outlet's timezone.

These read the whole parsed page before boilerplate is dropped, because the evidence sits in
<head> (meta, JSON-LD, <title>) as much as in the body; `page.py` weighs it against the body.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone, UTC
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from lxml import etree

from newsmirror import chinese

__all__ = [
    "PageMeta",
    "read_meta",
    "detect_lang",
    "detect_script",
    "guess_timezone",
    "parse_iso_date",
    "read_script_dates",
    "text_of",
]

_WS = re.compile(r"\s+")
# Runs, not single characters: counting by summing run lengths builds far fewer strings.
_KANA = re.compile(r"[\u3040-\u30ff]+")
_HANGUL = re.compile(r"[\uac00-\ud7af]+")
_LATIN = re.compile(r"[A-Za-z]+")


def _count(pattern: re.Pattern[str], text: str) -> int:
    """How many characters of text the run pattern matches."""
    return sum(map(len, pattern.findall(text)))


_META_DATE_NAMES = (
    "article:published_time", "og:published_time", "og:article:published_time",
    "article:published", "datepublished", "pubdate", "publishdate", "publish-date",
    "publish_date", "published_time", "ptime", "dc.date", "dc.date.issued", "dcterms.created",
    "sailthru.date", "parsely-pub-date", "date", "article.published", "citation_date",
    "weibo: article:create_at", "og:release_date", "bt:pubdate", "pubtime", "created",
    "article:published_date",
)
_META_UPDATED_NAMES = (
    "article:modified_time", "og:updated_time", "og:modified_time", "datemodified",
    "lastmod", "last-modified", "dc.date.modified", "article:modified", "utime",
)
# Meta names not listed above still count when they read like a first-publication or update stamp
# (`firstpublishedtime`, `dateUpdate`, `og:pubdate`...).
_META_DATE_LIKE = re.compile(r"publish|pubdate|pubtime|releasedate|createdate|creationdate|createtime")
_META_UPDATED_LIKE = re.compile(r"modif|updat")
_PERSON_TYPES = {"person"}
_ARTICLE_TYPES = {"newsarticle", "article", "reportagenewsarticle", "blogposting", "analysisnewsarticle",
                  "opinionnewsarticle", "backgroundnewsarticle", "webpage", "socialmediaposting",
                  "liveblogposting", "report", "techarticle", "scholarlyarticle"}


@dataclass(frozen=True)
class PageMeta:
    """What the page's head and structured data say about the article."""

    title_tag: str = ""
    og_title: str = ""
    h1s: tuple[str, ...] = ()
    site_name: str = ""
    lang: str = ""  # the <html lang> attribute as given
    canonical: str = ""
    description: str = ""
    keywords: tuple[str, ...] = ()
    meta_author: str = ""
    ld_headline: str = ""
    ld_authors: tuple[str, ...] = ()  # persons only
    ld_publisher: str = ""
    ld_body: str = ""
    ld_type: str = ""
    published: tuple[str, ...] = ()  # raw structured date strings, best first
    updated: tuple[str, ...] = ()
    time_tags: tuple[str, ...] = ()  # <time datetime> values
    script_dates: tuple[str, ...] = ()  # publication stamps in inline scripts (`var ct = "1570500000"`)
    images: tuple[str, ...] = field(default_factory=tuple)
    video: bool = False  # the page embeds a video: a <video>, or an iframe from a player
    og_type: str = ""  # og:type, lower-cased ("article", "website" ...)


# The elements read_meta reads, found in one walk; title/meta/link are read together in page order.
_READ_TAGS = ("title", "meta", "link", "time", "script", "h1", "video", "iframe")
_HEAD_TAGS = frozenset(_READ_TAGS[:3])
_PLAYER_SRC = re.compile(r"youtube|player|video|vimeo", re.I)
_ITEMPROP_DATES = etree.XPath(".//@itemprop[.='datePublished' or .='dateCreated']")


def text_of(el: etree._Element) -> str:
    """The element's text with whitespace runs collapsed."""
    try:
        return _WS.sub(" ", "".join(el.itertext())).strip()
    except ValueError:
        return ""


def _attr(el: etree._Element, name: str) -> str:
    return (el.get(name) or "").strip()


def _ld_objects(data: object) -> list[dict]:
    """Flatten JSON-LD (lists, @graph, nested mainEntity) into its objects."""
    out: list[dict] = []
    stack = [data]
    while stack and len(out) < 200:
        cur = stack.pop()
        if isinstance(cur, list):
            stack.extend(reversed(cur))
        elif isinstance(cur, dict):
            out.append(cur)
            for key in ("@graph", "mainEntity", "mainEntityOfPage", "itemListElement"):
                if isinstance(cur.get(key), (list, dict)):
                    stack.append(cur[key])
    return out


def _ld_type(obj: dict) -> set[str]:
    t = obj.get("@type", "")
    items = t if isinstance(t, list) else [t]
    return {str(x).lower() for x in items}


def _ld_names(value: object, *, persons_only: bool) -> list[str]:
    names: list[str] = []
    for item in value if isinstance(value, list) else [value]:
        if isinstance(item, str):
            if not persons_only:
                names.append(item.strip())
            elif item.strip() and not item.strip().startswith("http"):
                names.append(item.strip())
        elif isinstance(item, dict):
            types = _ld_type(item)
            name = item.get("name")
            if isinstance(name, str) and name.strip():
                if persons_only and types and not (types & _PERSON_TYPES):
                    continue
                names.append(name.strip())
    return names


def _parse_json_ld(text: str) -> object:
    text = text.strip().rstrip(";")
    if not text:
        return None
    try:
        return json.loads(text)
    except RecursionError:  # absurdly deep nesting: no metadata worth reading
        return None
    except ValueError:
        # Control characters inside strings are common in hand-written JSON-LD.
        try:
            return json.loads(re.sub(r"[\x00-\x1f]", " ", text))
        except (ValueError, RecursionError):
            return None


def read_meta(root: etree._Element) -> PageMeta:
    """Read title candidates, meta tags, JSON-LD and <time> values from a parsed page."""
    title_tag = og_title = og_type = site_name = canonical = description = meta_author = ""
    keywords: list[str] = []
    published: list[str] = []
    updated: list[str] = []
    images: list[str] = []
    meta_dates: dict[str, str] = {}
    meta_upd: dict[str, str] = {}
    # One walk lists every element read here (each walk of a big page costs as much as parsing a
    # tenth of it); the buckets keep page order.
    found: dict[str, list[etree._Element]] = {tag: [] for tag in ("head", *_READ_TAGS[3:])}
    for el in root.iter(*_READ_TAGS):
        tag = el.tag
        found["head" if tag in _HEAD_TAGS else tag].append(el)
    video = bool(found["video"]) or any(_PLAYER_SRC.search(v.get("src") or "") for v in found["iframe"])
    for el in found["head"]:
        tag = el.tag
        if tag == "title":
            if not title_tag:
                title_tag = text_of(el)
            continue
        if tag == "link":
            if _attr(el, "rel").lower() == "canonical" and not canonical:
                canonical = _attr(el, "href")
            continue
        key = (el.get("property") or el.get("name") or el.get("itemprop") or el.get("http-equiv") or "").strip().lower()
        content = _attr(el, "content")
        if not key or not content:
            continue
        if key == "og:type" and not og_type:
            og_type = content.lower()
        elif key == "og:title" and not og_title:
            og_title = _WS.sub(" ", content)
        elif key in ("og:site_name", "application-name") and not site_name:
            site_name = content
        elif key in ("description", "og:description") and not description:
            description = content
        elif key in ("keywords", "news_keywords") and not keywords:
            keywords = [k.strip() for k in re.split(r"[,，;；、]", content) if k.strip()]
            if len(keywords) == 1 and " " in keywords[0] and all(len(w) <= 10 for w in keywords[0].split()) \
                    and re.search(r"[\u3400-\u9fff]", keywords[0]):
                keywords = keywords[0].split()  # `存款利率 大额存单 银行`: CJK keywords separated by spaces
        elif key in ("author", "article:author", "byl", "dc.creator", "sailthru.author", "parsely-author") and not meta_author:
            meta_author = content
        elif key in ("og:image", "twitter:image") and content not in images:
            images.append(content)
        elif key in ("og:url", "dc.identifier") and not canonical and content.startswith(("http://", "https://")):
            canonical = content
        if key in _META_DATE_NAMES and key not in meta_dates:
            meta_dates[key] = content
        elif key in _META_UPDATED_NAMES and key not in meta_upd:
            meta_upd[key] = content
        elif key not in meta_dates and key not in meta_upd and ("date" in key or "time" in key or "pub" in key):
            if _META_UPDATED_LIKE.search(key):
                meta_upd[key] = content
            elif _META_DATE_LIKE.search(key):
                meta_dates[key] = content
    rank = {name: i for i, name in enumerate(_META_DATE_NAMES + _META_UPDATED_NAMES)}
    published.extend(v for _k, v in sorted(meta_dates.items(), key=lambda kv: rank.get(kv[0], len(rank))))
    updated.extend(v for _k, v in sorted(meta_upd.items(), key=lambda kv: rank.get(kv[0], len(rank))))
    for attr in _ITEMPROP_DATES(root):
        el = attr.getparent()
        if el.tag != "meta":
            v = _attr(el, "datetime") or _attr(el, "content") or text_of(el)
            if v:
                published.append(v)
    time_tags = [v for v in (_attr(t, "datetime") for t in found["time"]) if v]

    ld_headline = ld_publisher = ld_body = ld_type = ""
    ld_authors: list[str] = []
    ld_pub: list[str] = []
    ld_upd: list[str] = []
    script_texts: list[str] = []
    for script in found["script"]:
        if "ld+json" not in (script.get("type") or "").lower():
            if script.text and not script.get("src"):
                script_texts.append(script.text)
            continue
        data = _parse_json_ld(script.text or "")
        for obj in _ld_objects(data):
            types = _ld_type(obj)
            if not (types & _ARTICLE_TYPES) and not any("article" in t for t in types):
                continue
            if "webpage" in types and ld_type and ld_type != "webpage":
                continue
            if isinstance(obj.get("headline"), str) and not ld_headline:
                ld_headline = _WS.sub(" ", obj["headline"]).strip()
                ld_type = sorted(types)[0] if types else ""
            if not ld_authors and obj.get("author"):
                ld_authors = _ld_names(obj["author"], persons_only=True)
            if not ld_publisher and obj.get("publisher"):
                pubs = _ld_names(obj["publisher"], persons_only=False)
                ld_publisher = pubs[0] if pubs else ""
            if isinstance(obj.get("datePublished"), str):
                ld_pub.append(obj["datePublished"])
            if isinstance(obj.get("dateModified"), str):
                ld_upd.append(obj["dateModified"])
            if isinstance(obj.get("articleBody"), str) and not ld_body:
                ld_body = obj["articleBody"]
    h1s = tuple(t for t in (text_of(h) for h in found["h1"]) if t)
    html_el = root if root.tag == "html" else next(root.iter("html"), None)
    lang = _attr(html_el, "lang") if html_el is not None else ""
    return PageMeta(
        title_tag=title_tag, og_title=og_title, h1s=h1s, site_name=site_name, lang=lang,
        canonical=canonical, description=description, keywords=tuple(keywords),
        meta_author=meta_author, ld_headline=ld_headline, ld_authors=tuple(ld_authors),
        ld_publisher=ld_publisher, ld_body=ld_body, ld_type=ld_type,
        published=tuple(ld_pub + published), updated=tuple(ld_upd + updated),
        time_tags=tuple(time_tags), images=tuple(images), script_dates=tuple(read_script_dates(script_texts)),
        video=video, og_type=og_type,
    )


# `var ct = "1581418070"`, `"pubtime": "2019-09-07 19:02:26"`, `publish_time: '2019-10-08 12:00'`,
# `createdAt:"2019-09-07T08:29:41Z"`: a publication-like name, then epoch seconds/ms or a date string.
_SCRIPT_DATE = re.compile(
    r"""(?<![\w$.])["']?(?P<key>[A-Za-z_$][\w$]{0,30})["']?\s*[:=]\s*["']?"""
    r"(?P<value>\d{10}(?:\d{3})?(?!\d)|(?:19|20)\d\d[-/]\d{1,2}[-/]\d{1,2}"
    r"(?:[ T]\d{1,2}:\d{2}(?::\d{2})?(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?)?)(?![\d-])"
)
_SCRIPT_DATE_KEY = re.compile(
    r"^(?:(?:first_?)?pub(?:lish(?:ed)?)?|creat(?:e|ed|ion)|post(?:ed)?|releas(?:e|ed)|issued?|ct)"
    r"_?(?:time|date|at|on|ts|timestamp|stamp)?$|^(?:date|time)_?(?:published|publish|created|create|posted)$|^p_?(?:time|date)$",
    re.IGNORECASE,
)
# Where a match can end its key: a separator, then the start of a value. One pattern per separator:
# a pattern that opens with a literal is scanned for far faster than one opening with [:=].
_SCRIPT_SEPS = tuple(re.compile(sep + r"""\s*["']?(?:\d{10}|(?:19|20)\d\d[-/])""") for sep in (":", "="))
_SCRIPT_SCAN_LIMIT = 400_000  # characters of inline script read for dates: stamps sit near the top


def _start(m: re.Match[str]) -> int:
    return m.start()


def read_script_dates(scripts: list[str]) -> list[str]:
    """Publication stamps that inline scripts assign (epoch seconds/ms or date strings), in page order.

    Pages that draw their date with JavaScript (WeChat's `var ct`, app-rendered news) leave the
    stamp only there. Keys must read like publication/creation (`ct`, `pubtime`, `publish_time`,
    `createdAt`, `datePublished`); bare `time` or update stamps are someone else's clock.
    Every match has a separator, then a value's start (`: 1581…`, `= "2019-`): those are found
    first, the key is read backwards from each, and _SCRIPT_DATE is matched only there: the same
    matches as finditer over the whole script, which tried a 31-character key at every position.
    """
    out: list[str] = []
    budget = _SCRIPT_SCAN_LIMIT
    for text in scripts:
        if budget <= 0:
            break
        chunk = text[:budget]
        budget -= len(chunk)
        last_end = 0
        # The two scans' matches cannot overlap (neither holds the other's separator): in page order,
        # they are the matches of one scan for either separator.
        seps = [m for pattern in _SCRIPT_SEPS for m in pattern.finditer(chunk)]
        seps.sort(key=_start)
        for sep in seps:
            q = sep.start()
            while q > last_end and chunk[q - 1].isspace():
                q -= 1
            if q > last_end and chunk[q - 1] in "\"'":
                q -= 1
            k = q
            while k > last_end and q - k <= 32 and (chunk[k - 1].isalnum() or chunk[k - 1] in "_$"):
                k -= 1
            if k == q:
                continue
            starts = (k - 1, k) if k - 1 >= last_end and chunk[k - 1] in "\"'" else (k,)
            for start in starts:
                m = _SCRIPT_DATE.match(chunk, start)
                if m:
                    break
            else:
                continue
            last_end = m.end()
            key = re.sub(r"(?<=[a-z])(?=[A-Z])", "_", m.group("key").lstrip("$"))
            if _SCRIPT_DATE_KEY.match(key) and m.group("value") not in out:
                out.append(m.group("value"))
    return out


def detect_script(text: str) -> str | None:
    """"Hant" or "Hans" by which characters OpenCC would change; text of shared characters only is
    called "Hans" (the common default) when it holds 20 or more Han characters, else None."""
    script = chinese.detect_script(text)
    if script is not None:
        return script.subtag
    return "Hans" if _count(chinese.HAN_RUN, text[:3000]) >= 20 else None


def detect_lang(text: str, lang_attr: str = "") -> tuple[str | None, str | None]:
    """Return (lang, script): zh-Hant/zh-Hans by the characters themselves, else the page's lang."""
    sample = text[:4000]
    cjk = _count(chinese.HAN_RUN, sample)
    kana = _count(_KANA, sample)
    hangul = _count(_HANGUL, sample)
    letters = _count(_LATIN, sample)
    if kana > 20 and kana * 5 > cjk:
        return "ja", None
    if hangul > 20 and hangul > cjk:
        return "ko", None
    if cjk >= 10 and cjk * 3 >= letters / 4:
        script = detect_script(sample[:1000])  # a thousand characters tell the script as well as four
        if script is None:
            script = "Hant" if lang_attr.lower() in ("zh-tw", "zh-hk", "zh-hant", "zh-mo") else "Hans"
        return f"zh-{script}", script
    attr = lang_attr.strip()
    if attr:
        base = attr.split("-")[0].lower()
        return (base if base != "zh" else "zh"), None
    if letters > 50:
        return "en", None
    return None, None


# Outlets whose Chinese services print their home clock, by registered domain.
_HOST_TZ = {"bbc.com": "Europe/London", "bbc.co.uk": "Europe/London", "bbci.co.uk": "Europe/London",
            "dw.com": "Europe/Berlin", "rfi.fr": "Europe/Paris", "voachinese.com": "America/New_York",
            "voacantonese.com": "America/New_York", "voanews.com": "America/New_York", "rfa.org": "America/New_York",
            "nikkei.com": "Asia/Tokyo"}
_TLD_TZ = {"tw": "Asia/Taipei", "hk": "Asia/Hong_Kong", "mo": "Asia/Macau", "sg": "Asia/Singapore",
           "my": "Asia/Kuala_Lumpur", "cn": "Asia/Shanghai", "jp": "Asia/Tokyo", "kr": "Asia/Seoul",
           "uk": "Europe/London", "au": "Australia/Sydney", "nz": "Pacific/Auckland", "de": "Europe/Berlin",
           "fr": "Europe/Paris", "in": "Asia/Kolkata", "ph": "Asia/Manila", "th": "Asia/Bangkok",
           "vn": "Asia/Ho_Chi_Minh", "id": "Asia/Jakarta"}


def guess_timezone(url: str | None, lang: str | None, lang_attr: str = "") -> str:
    """The outlet's timezone from its domain or language: .tw/zh-Hant -> Taipei, .hk, .sg, else Shanghai."""
    try:
        host = urlsplit(url or "").hostname or ""
    except ValueError:  # `http://[bad`: an unparseable URL names no host
        host = ""
    tld = host.rsplit(".", 1)[-1] if host else ""
    for domain, zone in _HOST_TZ.items():
        if host == domain or host.endswith("." + domain):
            return zone
    if tld in _TLD_TZ:
        return _TLD_TZ[tld]
    attr = lang_attr.lower()
    if attr in ("zh-hk", "zh-mo"):
        return "Asia/Hong_Kong"
    if attr == "zh-sg":
        return "Asia/Singapore"
    if attr in ("zh-tw", "zh-hant") or lang == "zh-Hant":
        return "Asia/Taipei"
    if lang and lang.startswith("zh") or attr.startswith("zh"):
        return "Asia/Shanghai"
    if lang == "en":
        return "UTC"
    return "Asia/Shanghai"


_ISO = re.compile(
    r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[T\s]+(\d{1,2})[:：时時](\d{2})(?:[:：分](\d{2}))?(?:\.\d+)?)?\s*"
    r"(Z|[+-]\d{2}:?\d{2}|GMT|UTC)?"
)
_EPOCH = re.compile(r"^\d{10}(?:\d{3})?$")


def parse_iso_date(value: str, tz: str) -> tuple[datetime, bool] | None:
    """Read a structured date (ISO 8601, `2019-09-07 13:43:45`, epoch) as aware local time; (value, has_time)."""
    value = (value or "").strip()
    if not value:
        return None
    zone = ZoneInfo(tz)
    if _EPOCH.match(value):
        secs = int(value[:10])
        if secs < 100000000:
            return None
        return datetime.fromtimestamp(secs, UTC).astimezone(zone), True
    m = _ISO.search(value)
    if not m:
        return None
    y, mo, d, hh, mm, ss, off = m.groups()
    try:
        base = datetime(int(y), int(mo), int(d), int(hh or 0), int(mm or 0), int(ss or 0))
    except ValueError:
        return None
    if not 1990 <= base.year <= 2100:
        return None
    if off is None or hh is None:  # `2007-08-20-23:59:59`: an offset needs a clock before it
        return base.replace(tzinfo=zone), hh is not None
    if off in ("Z", "GMT", "UTC"):
        aware = base.replace(tzinfo=UTC)
    else:
        sign = 1 if off[0] == "+" else -1
        digits = off[1:].replace(":", "")
        hours, minutes = int(digits[:2]), int(digits[2:])
        if hours > 14 or minutes > 59:  # `+25:00` is no offset on Earth: distrust the whole value
            return None
        aware = base.replace(tzinfo=timezone(sign * timedelta(hours=hours, minutes=minutes)))
    return aware.astimezone(zone), hh is not None
