"""The archive's key for a URL: one spelling per page, so the same article is stored once.

`canonical_url` applies RFC 3986 normalisation plus the removal of tracking parameters:

- scheme and host lower-cased; a trailing dot on the host dropped; IDN hosts always in
  punycode (``新聞.tw`` and ``xn--...`` give the same key; a host the IDNA codec refuses is
  kept lower-cased as it is); userinfo kept; default ports (http 80, https 443) dropped;
- an empty path becomes ``/``; ``.`` and ``..`` segments resolved; a trailing slash is kept
  (``/a`` and ``/a/`` may be different pages);
- percent-encoding normalised: escapes of unreserved characters (``A-Z a-z 0-9 - . _ ~``)
  decoded, other escapes upper-cased, non-ASCII and unsafe characters UTF-8 encoded, so a
  path written with raw Chinese characters and its escaped form give the same key;
- the fragment dropped, an empty query (a trailing ``?``) dropped, empty ``&&`` pieces dropped;
- tracking parameters dropped (names compared case-insensitively): every ``utm_*``, the names in
  `TRACKING_PARAMS`, and ``from`` / ``ref`` only when their value is one of the share or channel
  labels in `SHARE_VALUES` (``?from=timeline`` is WeChat sharing, ``?ref=12`` may be content);
- the remaining parameters keep their order and spelling (``+`` stays ``+``).

The scheme is kept: ``http://`` and ``https://`` stay distinct keys, because the key is also a
link that must keep working. URLs that are not http(s) with a host (``tag:``, ``urn:``, relative
paths) are only stripped of surrounding whitespace, with the scheme lower-cased.
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import unquote_plus

__all__ = ["canonical_url", "TRACKING_PARAMS", "TRACKING_PREFIXES", "SHARE_VALUES"]

TRACKING_PREFIXES: tuple[str, ...] = ("utm_",)

# Click ids, mailing-list and analytics parameters that never select content.
TRACKING_PARAMS: frozenset[str] = frozenset(
    {
        "fbclid", "gclid", "gclsrc", "dclid", "gbraid", "wbraid", "msclkid", "yclid",  # ad clicks
        "twclid", "ttclid", "li_fat_id", "igshid", "igsh", "ref_src", "ref_url",  # social
        "mc_cid", "mc_eid", "_hsenc", "_hsmi", "mkt_tok",  # Mailchimp, HubSpot, Marketo
        "_ga", "_gl", "pk_campaign", "pk_kwd", "pk_source", "pk_medium",  # analytics
        "spm", "scm",  # Alibaba / Taobao page-position tracking
        "isappinstalled", "wfr", "share_token", "sharer_shareid", "sharer_sharetime",  # WeChat/Weibo
        "fb_action_ids", "fb_action_types", "fb_ref", "fb_source",  # Facebook
    }
)

# Values that make `from=` / `ref=` a tracking label rather than a content parameter.
SHARE_VALUES: frozenset[str] = frozenset(
    {
        "timeline", "singlemessage", "groupmessage", "message", "share", "sharing", "copylink",
        "copy", "rss", "feed", "feedly", "newsletter", "email", "push", "notification",
        "twitter", "facebook", "fb", "line", "weibo", "wechat", "weixin", "telegram", "plurk",
        "app", "ios", "android", "home", "homepage", "hp", "index", "nav", "menu", "related",
        "search", "top", "toutiao",
    }
)
_CONDITIONAL = frozenset({"from", "ref"})

_DEFAULT_PORTS = {"http": "80", "https": "443"}
_UNRESERVED = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
# Characters that may stay literal in a path or query; everything else is percent-encoded.
_PATH_SAFE = frozenset(_UNRESERVED | frozenset(b"!$&'()*+,;=:@/"))
_QUERY_SAFE = frozenset(_PATH_SAFE | frozenset(b"?"))
_HEX = frozenset(b"0123456789ABCDEFabcdef")
_NEEDS_WORK = re.compile(r"[^A-Za-z0-9\-._~!$&'()*+,;=:@/?]")


def _normalise_escapes(part: str, safe: frozenset[int]) -> str:
    """Decode escapes of unreserved bytes, upper-case the others, encode unsafe characters."""
    if not _NEEDS_WORK.search(part):
        return part
    out: list[str] = []
    data = part.encode("utf-8", "surrogatepass")
    i, n = 0, len(data)
    while i < n:
        b = data[i]
        if b == 0x25:  # "%"
            pair = data[i + 1:i + 3]
            if len(pair) == 2 and all(c in _HEX for c in pair):
                value = int(pair, 16)
                out.append(chr(value) if value in _UNRESERVED else "%" + pair.decode("ascii").upper())
                i += 3
                continue
            out.append("%25")
        elif b in safe:
            out.append(chr(b))
        else:
            out.append(f"%{b:02X}")
        i += 1
    return "".join(out)


def _remove_dot_segments(path: str) -> str:
    """RFC 3986 section 5.2.4, for paths that contain dot segments."""
    if "/." not in path and not path.startswith("."):
        return path
    out: list[str] = []
    segments = path.split("/")
    for i, seg in enumerate(segments):
        last = i == len(segments) - 1
        if seg == ".":
            if last:
                out.append("")
        elif seg == "..":
            if len(out) > 1:
                out.pop()
            if last:
                out.append("")
        else:
            out.append(seg)
    result = "/".join(out)
    return result if result.startswith("/") else "/" + result


def _normalise_host(host: str) -> str:
    host = host.lower().rstrip(".")
    if host.isascii() or host.startswith("["):
        return host
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        return host


def _is_tracking(name: str, value: str) -> bool:
    key = unquote_plus(name).lower()
    if key in TRACKING_PARAMS or key.startswith(TRACKING_PREFIXES):
        return True
    return key in _CONDITIONAL and unquote_plus(value).strip().lower() in SHARE_VALUES


def _normalise_query(query: str) -> str:
    kept: list[str] = []
    for piece in query.split("&"):
        if not piece:
            continue
        name, _, value = piece.partition("=")
        if _is_tracking(name, value):
            continue
        kept.append(_normalise_escapes(piece, _QUERY_SAFE))
    return "&".join(kept)


@lru_cache(maxsize=16384)
def canonical_url(url: str) -> str:
    """The archive's key for `url`: same page, same string (see the module docstring)."""
    url = url.strip()
    scheme, sep, rest = url.partition(":")
    if not sep or not rest.startswith("//") or not scheme.isascii() or not scheme.isalpha():
        return url
    scheme = scheme.lower()
    if scheme not in _DEFAULT_PORTS:
        return scheme + ":" + rest
    rest = rest[2:]
    rest = rest.split("#", 1)[0]
    cut = len(rest)
    for ch in "/?":
        pos = rest.find(ch)
        if pos != -1 and pos < cut:
            cut = pos
    netloc, tail = rest[:cut], rest[cut:]
    path, _, query = tail.partition("?")

    userinfo, at, hostport = netloc.rpartition("@")
    if hostport.startswith("["):
        end = hostport.find("]")
        host, port = (hostport[: end + 1], hostport[end + 2:]) if end != -1 else (hostport, "")
    else:
        host, _, port = hostport.partition(":")
    host = _normalise_host(host)
    port = port.lstrip("0") or ("0" if port else "")
    if port == _DEFAULT_PORTS[scheme] or port == "":
        port = ""
    netloc = (userinfo + at if at else "") + host + (":" + port if port else "")

    path = _remove_dot_segments(_normalise_escapes(path, _PATH_SAFE)) if path else "/"
    query = _normalise_query(query) if query else ""
    return f"{scheme}://{netloc}{path}" + ("?" + query if query else "")
