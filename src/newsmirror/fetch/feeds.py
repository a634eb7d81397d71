"""Feed parsing: RSS 0.9x/1.0/2.0 and Atom through feedparser-rs or feedparser, JSON Feed by hand, into FeedItems.

Two parsers, one result: a well-formed feed is read by feedparser-rs (Rust, with feedparser's
field names and raw date strings; about 15x faster), and a malformed one, one past its limits
or one whose links it blanks (it drops links to loopback and private addresses) by feedparser,
whose recovery keeps what can be read. `parse_feed(fast=False)` always asks feedparser; the
tests check both give the same items.

Three things feedparser does not do the way a Chinese news archive needs, so we do them here:
- Encoding: the body is decoded with `decode_bytes` (which checks declarations against the bytes)
  and handed to feedparser as UTF-8, so a Big5 feed labelled gb2312 is still read right.
- Dates: feedparser reads a date without a zone as UTC; Chinese outlets mean local time. We parse
  the raw date string ourselves and read a zone-less date in `source.timezone`; "CST" is China
  Standard Time when the source's zone is UTC+8 (it is US Central time to the email parser).
- Broken feeds: recovered items are kept with a warning (feedparser's "bozo" idea); a body with
  no readable item raises FeedError naming the URL and the reason.
"""

from __future__ import annotations

import html
import json
import re
from datetime import datetime, timedelta, timezone, tzinfo, UTC
from urllib.parse import urljoin, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import feedparser  # type: ignore[import-untyped]
import feedparser_rs  # type: ignore[import-untyped]

from newsmirror.errors import FeedError
from newsmirror.fetch.charset import decode_bytes
from newsmirror.models import FeedItem, ParsedFeed, Source

__all__ = ["parse_feed", "parse_feed_date", "clean_title"]

_XML_DECL = re.compile(r"^<\?xml[^>]*\?>")
_TAG = re.compile(r"<[^>]*>")
_BREAK_TAG = re.compile(r"<(?:br|/?p|/?div|/?li|hr)\b[^>]*>", re.I)
_INLINE_TAG = re.compile(r"</?(?:b|i|em|strong|span|font|a|u|s|small|big|mark|sup|sub|q|cite|br|p|div)\b[^<>]*>", re.I)
_SPACE = re.compile(r"\s+")
_HTML_START = re.compile(r"^(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html[\s>]|head[\s>]|body[\s>])", re.I | re.S)
_ALTERNATE = re.compile(
    r"""<link\b(?=[^>]*\brel=["']?alternate)(?=[^>]*\btype=["']?application/(?:rss|atom)\+xml)[^>]*\bhref=["']([^"'>\s]+)""",
    re.I,
)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")  # not allowed anywhere in XML 1.0
_ROOT = re.compile(r"<([A-Za-z_][\w:.-]*)")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")

# ---------------------------------------------------------------- dates

_MONTHS = {m: i for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1)}
_ZONES = {  # abbreviations seen in feeds; CST is handled apart (China or US Central)
    "z": 0, "ut": 0, "utc": 0, "gmt": 0, "est": -5, "edt": -4, "cdt": -5, "mst": -7, "mdt": -6,
    "pst": -8, "pdt": -7, "hkt": 8, "sgt": 8, "myt": 8, "pht": 8, "awst": 8, "bjt": 8, "cct": 8,
    "jst": 9, "kst": 9, "ict": 7, "wib": 7, "cet": 1, "cest": 2, "bst": 1, "eet": 2, "eest": 3,
    "北京时间": 8, "北京時間": 8, "台北時間": 8, "臺北時間": 8, "香港時間": 8, "香港时间": 8,
}
_RFC822 = re.compile(
    r"^(?:[A-Za-z]{2,}\.?,?\s*)?(\d{1,2})[\s-]+([A-Za-z]{3,})\.?[\s-]+(\d{2,4})"
    r"(?:\s+|T)(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?\s*(.*)$"
)
_NUMERIC = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})日?"
    r"(?:(?:\s*T\s*|\s+|(?<=日))(\d{1,2})\s*[:時时]\s*(\d{2})(?:\s*[:分]\s*(\d{2})(?:[.,](\d{1,6})\d*)?)?\s*秒?)?\s*(.*)$"
)
_OFFSET = re.compile(r"^\(?(?:GMT|UTC|UT)?\s*([+-])(\d{1,2})(?::?(\d{2}))?\)?$", re.I)


def _zone(text: str, local: tzinfo, naive: datetime) -> tzinfo | None:
    """The tzinfo a trailing zone string names; `local` when there is none; None when unreadable."""
    text = text.strip().lstrip("分秒").strip().strip("()（）").strip()
    if not text:
        return local
    low = text.lower()
    if low in ("-0000", "-00:00"):  # RFC 2822: UTC, local zone unknown
        return UTC
    match = _OFFSET.match(text)
    if match:
        sign, hours, minutes = match.groups()
        delta = timedelta(hours=int(hours), minutes=int(minutes or 0))
        if delta > timedelta(hours=14):
            return None
        return timezone(-delta if sign == "-" else delta)
    if low == "cst":
        china = naive.replace(tzinfo=local).utcoffset() == timedelta(hours=8)
        return local if china else timezone(timedelta(hours=-6))
    if low in _ZONES:
        return timezone(timedelta(hours=_ZONES[low]))
    return None


def _ttl(value: object) -> int | None:
    """RSS <ttl> in minutes when it is a sane whole number (1 minute to a year), else None."""
    text = str(value or "").strip()
    if not text.isdigit():
        return None
    minutes = int(text)
    return minutes if 1 <= minutes <= 525_600 else None


def parse_feed_date(raw: str | None, tz: tzinfo) -> datetime | None:
    """An aware datetime for a feed's date string; a date without a zone is local time in `tz`."""
    if not raw or not raw.strip():
        return None
    text = _SPACE.sub(" ", raw.strip())
    parts: tuple | None = None
    rest = ""
    if match := _NUMERIC.match(text):
        year, month, day, hour, minute, second, frac, rest = match.groups()
        micro = int((frac or "0").ljust(6, "0")) if frac else 0
        parts = (int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0), micro)
    elif match := _RFC822.match(text):
        day, mon, year, hour, minute, second, rest = match.groups()
        month = _MONTHS.get(mon[:3].lower())
        if month is not None:
            y = int(year)
            if y < 100:
                y += 2000 if y < 70 else 1900
            parts = (y, month, int(day), int(hour), int(minute), int(second or 0), 0)
    if parts is not None:
        try:
            naive = datetime(*parts)
        except ValueError:
            return None
        zone = _zone(rest, tz, naive)
        if zone is not None:
            return naive.replace(tzinfo=zone)
    # Anything else (W3DTF variants, other languages): feedparser's many parsers, which give UTC.
    try:
        parsed = feedparser._parse_date(text)  # noqa: SLF001 - the public API only exposes it per entry
    except Exception:  # feedparser's date handlers raise a variety of errors on odd input
        return None
    if parsed is None:
        return None
    year, month, day, hour, minute, second = parsed[:6]
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


# ---------------------------------------------------------------- text helpers


def clean_title(raw: str | None) -> str:
    """A title as plain text: tags stripped, entities unescaped, whitespace collapsed."""
    if not raw:
        return ""
    text = html.unescape(_TAG.sub("", _BREAK_TAG.sub(" ", raw)))  # inline tags join CJK text without spaces
    text = _INLINE_TAG.sub("", text)  # titles escaped twice ("&lt;b&gt;") still carry common tags
    return _SPACE.sub(" ", text.replace("\xa0", " ")).strip()


def _fallback_title(html_text: str) -> str:
    text = clean_title(html_text)
    return text if len(text) <= 60 else text[:59].rstrip() + "…"


def _author_name(raw: str | None) -> str:
    """A person's name from "Name", "email (Name)", "Name <email>"; "" for a bare email."""
    if not raw:
        return ""
    text = raw.strip()
    if match := re.search(r"\(([^()]+)\)\s*$", text):  # "email (Name)", or "Name (email)"
        text = text[:match.start()] if _EMAIL.fullmatch(match.group(1).strip()) else match.group(1)
    elif match := re.match(r"^(.*?)\s*<[^>]*@[^>]*>$", text):
        text = match.group(1)
    text = clean_title(_EMAIL.sub("", text).strip(" ,;()<>\"'"))
    return text


def _unique(values) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for value in values:
        if value and value not in seen:
            seen[value] = None
    return tuple(seen)


def _text_to_html(text: str) -> str:
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
    return "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)


def _timezone(source: Source) -> tzinfo:
    try:
        return ZoneInfo(source.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def _resolve(base: str, link: str | None) -> str:
    """`link` made absolute against `base`; "" when missing, unparseable or not http(s).

    An item's link becomes the href of its published post, so javascript:, data: and the like
    must never pass."""
    if not link:
        return ""
    link = link.strip()
    try:
        absolute = urljoin(base, link) if link else ""
        scheme = urlsplit(absolute).scheme.lower()
    except ValueError:  # "http://[broken" and such: treated as no link
        return ""
    return absolute if scheme in ("http", "https") else ""


def _is_url(value: str | None) -> bool:
    return bool(value) and re.match(r"^https?://[^\s/]+", value or "") is not None


# ---------------------------------------------------------------- feed formats


def parse_feed(content: bytes, *, url: str, source: Source, content_type: str | None = None,
               fast: bool = True) -> ParsedFeed:
    """Parse an RSS, Atom or JSON Feed body fetched from `url` into FeedItems of `source`.

    Well-formed RSS and Atom are read by feedparser-rs, anything else by feedparser (`fast=False`:
    feedparser always); both give the same items."""
    if not content or not content.strip():
        raise FeedError(f"{url} is empty", url=url)
    text, _encoding = decode_bytes(content, content_type=content_type)
    text = text.lstrip("\ufeff \t\r\n")
    if not text:
        raise FeedError(f"{url} is empty", url=url)
    if text.startswith(("{", "[")) or ("json" in (content_type or "").lower() and not text.startswith("<")):
        return _parse_json_feed(text, url=url, source=source)
    if _HTML_START.match(text):
        raise _html_error(text, url)
    if not text.startswith("<"):
        snippet = clean_title(text[:40])
        raise FeedError(f"{url} is not a feed: it starts with {snippet!r}", url=url)
    return _parse_xml_feed(text, url=url, source=source, fast=fast)


def _html_error(text: str, url: str) -> FeedError:
    match = _ALTERNATE.search(text[:200_000])
    found = _resolve(url, html.unescape(match.group(1))) if match else ""
    hint = f"; the page names a feed at {found}" if found else "; find the RSS link on that page"
    return FeedError(f"{url} is an HTML page, not a feed{hint}", url=url)


def _parse_xml_feed(text: str, *, url: str, source: Source, fast: bool = True) -> ParsedFeed:
    # Hand feedparser UTF-8 with a matching declaration on the first line (without adding a
    # line, so its error line numbers are the document's).
    warnings: list[str] = []
    text, removed = _CONTROL.subn("", text)
    if removed:  # a stray control character would send feedparser to its loose parser
        warnings.append(f"{url}: removed {removed} control character{'s' if removed > 1 else ''} not allowed in XML")
    decl = '<?xml version="1.0" encoding="utf-8"?>'
    text = _XML_DECL.sub(decl, text, count=1) if text.startswith("<?xml") else decl + text
    body = text.encode("utf-8", "surrogatepass")
    parsed = _parse_well_formed(body) if fast else None
    if parsed is None:  # malformed, or something the fast parser does not read: feedparser's recovery
        try:
            parsed = feedparser.parse(
                body,
                response_headers={"content-type": "application/xml; charset=utf-8"},
                sanitize_html=False,  # the publish stage sanitizes; the store keeps the feed's HTML as received
                resolve_relative_uris=False,  # no base given: links are resolved against the feed URL below
            )
        except Exception as crash:  # feedparser's own bugs on odd input (seen by fuzzing: namespace unpacking)
            raise FeedError(f"{url} could not be parsed as a feed ({type(crash).__name__}: {crash})",
                            url=url) from crash
    problem = ""
    if parsed.get("bozo"):
        exc = parsed.get("bozo_exception")
        line = getattr(exc, "getLineNumber", lambda: None)()
        get_message = getattr(exc, "getMessage", None)  # SAX errors carry their message and line
        message = get_message() if get_message is not None else str(exc)
        problem = f"line {line}: {message}" if line else str(message)
    entries = parsed.get("entries", [])
    if not parsed.get("version") and not entries:
        if _HTML_START.match(text[len(decl):]) or re.search(r"<html[\s>]", text[:2000], re.I):
            raise _html_error(text, url)
        if problem:
            raise FeedError(f"{url} is not well-formed XML ({problem}) and has no readable items", url=url)
        root = _ROOT.search(text[len(decl):])
        name = f"<{root.group(1)}>" if root else "nothing recognisable"
        raise FeedError(f"{url} is not an RSS, Atom or JSON feed (it starts with {name})", url=url)
    if problem and not entries:
        raise FeedError(f"{url} is not well-formed XML ({problem}) and has no readable items", url=url)
    if problem:
        warnings.append(f"{url} is not well-formed XML ({problem}); {len(entries)} items read anyway")

    tz = _timezone(source)
    items = []
    for index, entry in enumerate(entries, start=1):
        if type(entry) is not dict:  # plain lookups: FeedParserDict maps missing keys to others, with warnings
            entry = dict(entry)
        guid = (entry.get("id") or "").strip() or None
        link = _resolve(url, entry.get("link"))
        if not link and guid and _is_url(guid):
            link = guid
        if not link and not guid:
            warnings.append(f"{url}: item {index} has neither link nor guid; skipped")
            continue
        if not link:
            warnings.append(f"{url}: item {index} has no link (guid {guid})")
        summary = entry.get("summary", "") if "summary_detail" in entry else ""
        content = "".join(c.get("value", "") for c in entry.get("content", []) if c.get("value"))
        title = clean_title(entry.get("title")) or _fallback_title(summary or content)
        names = [a.get("name") or a.get("email") or "" for a in entry.get("authors", []) if isinstance(a, dict)]
        if not names and entry.get("author"):
            names = [entry.get("author")]
        published_raw = entry.get("published") or entry.get("created")
        updated_raw = entry.get("updated")
        published = parse_feed_date(published_raw, tz)
        updated = parse_feed_date(updated_raw, tz)
        items.append(
            FeedItem(
                source=source.name,
                feed_url=url,
                title=title,
                link=link,
                guid=guid,
                published=published or updated,
                updated=updated,
                authors=_unique(_author_name(n) for n in names),
                categories=_unique(clean_title(t.get("term") or t.get("label")) for t in entry.get("tags", [])),
                summary_html=summary,
                content_html=content,
            )
        )
    if problem and not items:  # what feedparser recovered from the broken XML is not usable either
        raise FeedError(f"{url} is not well-formed XML ({problem}) and has no readable items", url=url)
    feed = parsed.get("feed", {})
    return ParsedFeed(url=url, title=clean_title(feed.get("title")), items=tuple(items), warnings=tuple(warnings),
                      ttl=_ttl(feed.get("ttl")))


def _parse_well_formed(body: bytes) -> dict | None:
    """A well-formed RSS/Atom body read by feedparser-rs (Rust, about 15x feedparser's speed), in the
    shape feedparser gives (entries as plain dicts with the fields `_parse_xml_feed` reads); None
    when it reports the body malformed (or past its limits, 10,000 entries) or finds no feed, so
    that feedparser's recovery reads it."""
    try:
        parsed = feedparser_rs.parse(body, sanitize_html=False, resolve_relative_uris=False)
    except Exception:  # whatever the fast parser cannot take, feedparser is asked
        return None
    if parsed.bozo or not parsed.version:
        return None
    entries = parsed.entries
    # It blanks links to loopback and private addresses (link ""; a missing link is None): such a
    # feed is read by feedparser, which keeps them.
    if any(e.get("link") == "" for e in entries):
        return None
    feed = parsed.feed
    return {"version": parsed.version, "bozo": False, "entries": [_rs_entry(e) for e in entries],
            "feed": {"title": feed.get("title"), "ttl": feed.get("ttl")}}


def _rs_entry(entry) -> dict:
    """One feedparser-rs entry as the dict of fields feedparser would give."""
    out = {key: entry.get(key) for key in ("id", "link", "title", "summary", "author", "published", "created",
                                           "updated")}
    if entry.get("summary_detail") is not None:
        out["summary_detail"] = True
    out["content"] = [{"value": c.value} for c in entry.content or ()]
    out["authors"] = [{"name": p.name, "email": p.email} for p in entry.authors or ()]
    out["tags"] = [{"term": t.term, "label": t.label} for t in entry.tags or ()]
    return {k: v for k, v in out.items() if v is not None}


def _parse_json_feed(text: str, *, url: str, source: Source) -> ParsedFeed:
    """JSON Feed 1.0 and 1.1 (https://jsonfeed.org/version/1.1)."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FeedError(f"{url} is not valid JSON (line {exc.lineno}: {exc.msg})", url=url) from None
    if not isinstance(data, dict) or not isinstance(data.get("items"), list):
        raise FeedError(f"{url} is JSON but not a JSON Feed (no 'items' list)", url=url)
    warnings: list[str] = []
    version = str(data.get("version", ""))
    if "jsonfeed.org" not in version:
        warnings.append(f"{url}: JSON without a jsonfeed.org version; read as JSON Feed")
    tz = _timezone(source)
    base = url
    feed_authors = _json_authors(data)
    items = []
    for index, entry in enumerate(data["items"], start=1):
        if not isinstance(entry, dict):
            warnings.append(f"{url}: item {index} is not an object; skipped")
            continue
        raw_id = entry.get("id")
        guid = str(raw_id).strip() if raw_id not in (None, "") else None
        link = _resolve(base, _str(entry.get("url")) or _str(entry.get("external_url")))
        if not link and guid and _is_url(guid):
            link = guid
        if not link and not guid:
            warnings.append(f"{url}: item {index} has neither url nor id; skipped")
            continue
        if not link:
            warnings.append(f"{url}: item {index} has no url (id {guid})")
        content = _str(entry.get("content_html")) or _text_to_html(_str(entry.get("content_text")))
        summary = _text_to_html(_str(entry.get("summary")))
        title = clean_title(_str(entry.get("title"))) or _fallback_title(summary or content)
        published = parse_feed_date(_str(entry.get("date_published")), tz)
        updated = parse_feed_date(_str(entry.get("date_modified")), tz)
        raw_tags = entry.get("tags")
        tags = raw_tags if isinstance(raw_tags, list) else []
        items.append(
            FeedItem(
                source=source.name,
                feed_url=url,
                title=title,
                link=link,
                guid=guid,
                published=published or updated,
                updated=updated,
                authors=_unique(_author_name(n) for n in (_json_authors(entry) or feed_authors)),
                categories=_unique(clean_title(str(t)) for t in tags),
                summary_html=summary,
                content_html=content,
            )
        )
    return ParsedFeed(url=url, title=clean_title(_str(data.get("title"))), items=tuple(items), warnings=tuple(warnings))


def _str(value: object) -> str:
    return value if isinstance(value, str) else ""


def _json_authors(obj: dict) -> list[str]:
    people = obj.get("authors")
    if not isinstance(people, list):
        people = [obj["author"]] if isinstance(obj.get("author"), dict) else []
    return [_str(p.get("name")) for p in people if isinstance(p, dict)]
