"""The outlet a page's address names, for a page that names none itself.

A page says who published it in its byline (`中央社記者…電`), its JSON-LD publisher or its og:site_name, and
`extract_article` reads those first. When none of them speaks the host still does: the user's sources file
names the outlet of each site it lists (by registrable name: www.cna.com.tw and feeds.cna.com.tw are both
cna.com.tw), then `hosts.toml` names well-known outlets. A host two sources share (a feed service, an
aggregator) names neither; an unknown host names nobody, rather than a guess.
"""

from __future__ import annotations

import ipaddress
import tomllib
from collections.abc import Iterable, Mapping
from functools import cache
from importlib import resources
from urllib.parse import urlsplit

from newsmirror.models import Source

__all__ = ["outlet_from_url", "outlets_by_host", "registrable_name"]

# Labels under a two-letter country code that a site is registered below, not at: `cna.com.tw` is
# registered under `com.tw`, `bbc.co.uk` under `co.uk` (the public suffix list's usual cases).
_SECOND_LEVEL = frozenset({"com", "net", "org", "gov", "edu", "co", "ac", "idv", "gen", "ltd", "plc", "or", "ne",
                           "go", "mil", "info", "biz"})


def registrable_name(host: str) -> str:
    """The name a host is registered under: `news.cna.com.tw` -> `cna.com.tw`, `www.bbc.co.uk` -> `bbc.co.uk`."""
    host = host.lower().rstrip(".")
    try:
        ipaddress.ip_address(host.strip("[]"))
        return host  # an address is its own name
    except ValueError:
        pass
    labels = host.split(".")
    keep = 3 if len(labels) >= 3 and len(labels[-1]) == 2 and labels[-2] in _SECOND_LEVEL else 2
    return ".".join(labels[-keep:])


def _host(url: str | None) -> str:
    try:
        return (urlsplit(url or "").hostname or "").rstrip(".")
    except ValueError:  # `http://[bad`: an unparseable URL names no host
        return ""


def outlets_by_host(sources: Iterable[Source]) -> dict[str, str]:
    """Registrable name -> source name, from each source's feeds and homepage; a name two sources share names neither."""
    names: dict[str, set[str]] = {}
    for source in sources:
        for url in (*source.feeds, source.homepage):
            host = _host(url)
            if host:
                names.setdefault(registrable_name(host), set()).add(source.name)
    return {host: next(iter(owners)) for host, owners in names.items() if len(owners) == 1}


@cache
def _table() -> tuple[tuple[str, str, str], ...]:
    """hosts.toml as (domain, first path segment or "", outlet), the most specific keys first."""
    text = resources.files("newsmirror.extract").joinpath("hosts.toml").read_text(encoding="utf-8")
    rows = []
    for key, outlet in tomllib.loads(text)["hosts"].items():
        domain, _, segment = key.partition("/")
        rows.append((domain.lower(), segment, outlet))
    return tuple(sorted(rows, key=lambda r: (-len(r[0]) - len(r[1]), r[0])))


def outlet_from_url(url: str | None, known: Mapping[str, str] | None = None) -> str | None:
    """The outlet a page's URL names: the sources' name for its host (`known`, from `outlets_by_host`), else
    the name `hosts.toml` gives its domain (and first path segment), else None."""
    host = _host(url).lower()
    if not host:
        return None
    if known:
        name = known.get(registrable_name(host))
        if name:
            return name
    path = urlsplit(url or "").path
    first = path.strip("/").split("/", 1)[0]
    for domain, segment, outlet in _table():
        if (host == domain or host.endswith("." + domain)) and (not segment or first == segment):
            return outlet
    return None
