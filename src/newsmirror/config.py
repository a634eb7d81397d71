"""Settings (the home folder and what lives in it) and the sources file.

The home holds `sources.toml`, the archive `archive.sqlite` and raw responses under `raw/`.
The sources file is TOML so a person can edit it; `import_sources` reads the precursor's
`subs.json` and OPML so an existing mirror moves over in one command.
"""

from __future__ import annotations

import json
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit
from xml.etree import ElementTree
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import tomli_w

from newsmirror.errors import ConfigError
from newsmirror.models import FULL_TEXT_MODES, Source

__all__ = [
    "DEFAULT_HOME",
    "DEFAULT_TIMEZONE",
    "Settings",
    "load_sources",
    "save_sources",
    "read_import_file",
    "merge_sources",
    "check_timezone",
]

DEFAULT_HOME = "newsmirror-data"
DEFAULT_TIMEZONE = "Asia/Taipei"


@dataclass(frozen=True)
class Settings:
    """Where everything lives; derived from one home folder."""

    home: Path

    @classmethod
    def from_home(cls, home: str | os.PathLike[str] | None = None) -> Settings:
        """Settings for `home`, else $NEWSMIRROR_HOME, else ./newsmirror-data."""
        chosen = home or os.environ.get("NEWSMIRROR_HOME") or DEFAULT_HOME
        return cls(home=Path(chosen).expanduser())

    @property
    def sources_file(self) -> Path:
        return self.home / "sources.toml"

    @property
    def db_path(self) -> Path:
        return self.home / "archive.sqlite"

    @property
    def raw_dir(self) -> Path:
        return self.home / "raw"

    def ensure_home(self) -> None:
        """Create the home folder and its raw/ folder."""
        try:
            self.raw_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ConfigError(f"cannot create home folder {self.home}: {exc.strerror}") from exc


def _check_url(url: object, where: str) -> str:
    if not isinstance(url, str) or not url.strip():
        raise ConfigError(f"{where}: feed URL must be a non-empty string")
    url = url.strip()
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError:  # "http://[::1/x", "http://a:99999/x"
        raise ConfigError(f"{where}: {url!r} is not an http(s) URL") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"{where}: {url!r} is not an http(s) URL")
    return url


def check_timezone(tz: object, where: str) -> str:
    if not isinstance(tz, str):
        raise ConfigError(f"{where}: timezone must be a string such as 'Asia/Taipei'")
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"{where}: unknown timezone {tz!r}; use an IANA name such as 'Asia/Shanghai'") from None
    return tz


def source_from_dict(data: dict, where: str) -> Source:
    """Build a Source from one `[[source]]` table, with a clear error for each bad field."""
    if not isinstance(data, dict):
        raise ConfigError(f"{where}: each source must be a table")
    unknown = set(data) - {"name", "feeds", "feed", "timezone", "tags", "full_text", "homepage"}
    if unknown:
        raise ConfigError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ConfigError(f"{where}: 'name' is required and must be a non-empty string")
    name = name.strip()
    where = f"{where} ({name})"
    feeds = data.get("feeds", data.get("feed"))
    if isinstance(feeds, str):
        feeds = [feeds]
    if not isinstance(feeds, list) or not feeds:
        raise ConfigError(f"{where}: 'feeds' must list at least one feed URL")
    tags = data.get("tags", [])
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise ConfigError(f"{where}: 'tags' must be a list of strings")
    full_text = data.get("full_text", "auto")
    if full_text is True:
        full_text = "always"
    elif full_text is False:
        full_text = "never"
    if full_text not in FULL_TEXT_MODES:
        raise ConfigError(f"{where}: 'full_text' must be one of {', '.join(FULL_TEXT_MODES)}")
    homepage = data.get("homepage")
    if homepage is not None:
        homepage = _check_url(homepage, where)
    return Source(
        name=name,
        feeds=tuple(dict.fromkeys(_check_url(u, where) for u in feeds)),
        timezone=check_timezone(data.get("timezone", DEFAULT_TIMEZONE), where),
        tags=tuple(tags),
        full_text=full_text,
        homepage=homepage,
    )


def source_to_dict(source: Source) -> dict:
    """The `[[source]]` table for a Source, omitting defaults."""
    out: dict = {"name": source.name, "feeds": list(source.feeds)}
    if source.timezone != DEFAULT_TIMEZONE:
        out["timezone"] = source.timezone
    if source.tags:
        out["tags"] = list(source.tags)
    if source.full_text != "auto":
        out["full_text"] = source.full_text
    if source.homepage:
        out["homepage"] = source.homepage
    return out


def load_sources(path: Path) -> list[Source]:
    """Read and validate a sources file; raise ConfigError naming the file and the fault."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(
            f"sources file {path} not found; create it or run 'newsmirror sources import subs.json'"
        ) from None
    except OSError as exc:
        raise ConfigError(f"cannot read sources file {path}: {exc.strerror}") from exc
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(f"sources file {path} is not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"sources file {path} is not valid TOML: {exc}") from None
    tables = data.get("source", [])
    if not isinstance(tables, list):
        raise ConfigError(f"sources file {path}: use [[source]] tables, one per outlet")
    sources = [source_from_dict(t, f"{path}: source #{i + 1}") for i, t in enumerate(tables)]
    seen: set[str] = set()
    for s in sources:
        if s.name in seen:
            raise ConfigError(f"sources file {path}: source name {s.name!r} appears twice; merge its feeds")
        seen.add(s.name)
    return sources


HEADER = """\
# newsmirror sources: one [[source]] table per outlet.
#   name      display name, any Unicode          feeds     list of RSS/Atom/JSON Feed URLs
#   timezone  IANA zone for dates without one (default Asia/Taipei)
#   tags      list of strings                    full_text "auto" | "always" | "never"
"""


def save_sources(path: Path, sources: list[Source]) -> None:
    """Write the sources file atomically (write a temporary file, then rename)."""
    text = HEADER + "\n" + tomli_w.dumps({"source": [source_to_dict(s) for s in sources]})
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def _from_subs_json(data: object, path: Path) -> list[Source]:
    if not isinstance(data, list):
        raise ConfigError(f"{path}: expected a JSON list of {{\"site\": NAME, \"url\": FEED}} objects")
    grouped: dict[str, list[str]] = {}
    for i, entry in enumerate(data):
        where = f"{path}: entry #{i + 1}"
        if not isinstance(entry, dict) or "site" not in entry or "url" not in entry:
            raise ConfigError(f"{where}: expected an object with 'site' and 'url'")
        name = str(entry["site"]).strip()
        if not name:
            raise ConfigError(f"{where}: 'site' is empty")
        grouped.setdefault(name, []).append(_check_url(entry["url"], where))
    return [Source(name=n, feeds=tuple(dict.fromkeys(u))) for n, u in grouped.items()]


def _from_opml(raw: bytes, path: Path) -> list[Source]:
    try:
        root = ElementTree.fromstring(raw)
    except ElementTree.ParseError as exc:
        raise ConfigError(f"{path}: not valid OPML/XML: {exc}") from None
    grouped: dict[str, list[str]] = {}
    for node in root.iter("outline"):
        url = node.get("xmlUrl")
        if not url:
            continue
        name = (node.get("title") or node.get("text") or urlsplit(url).netloc).strip()
        grouped.setdefault(name, []).append(_check_url(url, f"{path}: outline {name!r}"))
    if not grouped:
        raise ConfigError(f"{path}: OPML has no outline with an xmlUrl")
    return [Source(name=n, feeds=tuple(dict.fromkeys(u))) for n, u in grouped.items()]


def read_import_file(path: Path) -> list[Source]:
    """Read sources from a precursor `subs.json`, an OPML file or another sources.toml."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"import file {path} not found") from None
    except OSError as exc:
        raise ConfigError(f"cannot read import file {path}: {exc.strerror}") from exc
    head = raw.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if head in (b"[", b"{"):
        try:
            data = json.loads(raw.decode("utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            if head == b"[" and path.suffix == ".toml":
                return load_sources(path)
            raise ConfigError(f"{path}: not valid JSON: {exc}") from None
        return _from_subs_json(data, path)
    if head == b"<":
        return _from_opml(raw, path)
    if path.suffix == ".toml":
        return load_sources(path)
    raise ConfigError(f"{path}: not a subs.json list, an OPML file or a sources.toml")


def merge_sources(existing: list[Source], incoming: list[Source]) -> tuple[list[Source], int, int]:
    """Add incoming sources and feeds to existing ones; return (merged, sources added, feeds added)."""
    by_name = {s.name: s for s in existing}
    added_sources = added_feeds = 0
    for s in incoming:
        old = by_name.get(s.name)
        if old is None:
            by_name[s.name] = s
            added_sources += 1
            added_feeds += len(s.feeds)
            continue
        new_feeds = tuple(u for u in s.feeds if u not in old.feeds)
        if new_feeds:
            by_name[s.name] = Source(**{**old.__dict__, "feeds": old.feeds + new_feeds})
            added_feeds += len(new_feeds)
    return list(by_name.values()), added_sources, added_feeds
