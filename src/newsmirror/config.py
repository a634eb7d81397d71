"""Settings (the home folder and what lives in it) and the sources file.

The home holds `sources.toml`, the archive `archive.sqlite` and raw responses under `raw/`.
The sources file is TOML so a person can edit it; `import_sources` reads the precursor's
`subs.json` and OPML so an existing mirror moves over in one command.
"""

from __future__ import annotations

import json
import os
import tomllib
from dataclasses import dataclass, fields, replace
from pathlib import Path
from urllib.parse import urlsplit
from xml.etree import ElementTree
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import tomli_w

from newsmirror import __version__
from newsmirror.errors import ConfigError
from newsmirror.models import FULL_TEXT_MODES, Source

__all__ = [
    "DEFAULT_HOME",
    "DEFAULT_USER_AGENT",
    "FetchConfig",
    "BuildStep",
    "GitStep",
    "HomeConfig",
    "load_home_config",
    "DEFAULT_TIMEZONE",
    "Settings",
    "load_sources",
    "save_sources",
    "read_import_file",
    "ImportFile",
    "ImportProblem",
    "merge_sources",
    "Merged",
    "check_timezone",
]

DEFAULT_HOME = "newsmirror-data"
DEFAULT_TIMEZONE = "Asia/Taipei"
DEFAULT_USER_AGENT = f"newsmirror/{__version__} (+https://github.com/newsmirror/newsmirror)"


@dataclass(frozen=True)
class Settings:
    """Where everything lives; derived from one home folder."""

    home: Path
    store: str | None = None  # the archive's location when not the home's SQLite file (--store)

    @classmethod
    def from_home(cls, home: str | os.PathLike[str] | None = None, store: str | None = None) -> Settings:
        """Settings for `home`, else $NEWSMIRROR_HOME, else ./newsmirror-data; the archive at `store`,
        else $NEWSMIRROR_STORE, else `store = "..."` in the home's config.toml, else its archive.sqlite."""
        chosen = home or os.environ.get("NEWSMIRROR_HOME") or DEFAULT_HOME
        return cls(home=Path(chosen).expanduser(), store=store or os.environ.get("NEWSMIRROR_STORE") or None)

    @property
    def store_location(self) -> str:
        """Where the archive is: a postgresql:// URL, a sqlite:/// URL or a path (see store.open_store)."""
        if self.store:
            return self.store
        chosen = _config_store(self.config_file)
        return chosen if chosen else str(self.db_path)

    def archive_exists(self) -> bool:
        """Whether there is an archive to read: the SQLite file exists (a server is asked when opened)."""
        return not self.store_is_file or Path(self.store_location.removeprefix("sqlite://")).exists()

    @property
    def store_is_file(self) -> bool:
        """Whether the archive is this machine's SQLite file (not a database server)."""
        location = self.store_location
        return "://" not in location or location.startswith("sqlite:")

    @property
    def sources_file(self) -> Path:
        return self.home / "sources.toml"

    @property
    def db_path(self) -> Path:
        return self.home / "archive.sqlite"

    @property
    def config_file(self) -> Path:
        return self.home / "config.toml"

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


SOURCE_KEYS = {"name", "feeds", "feed", "timezone", "tags", "full_text", "homepage", "interval", "min_interval",
               "max_interval", "alternates", "failover_after"}
MAX_INTERVAL_MINUTES = 7 * 24 * 60  # a week


def _minutes(data: dict, key: str, default: float, where: str) -> float:
    value = data.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or not 1 <= value <= MAX_INTERVAL_MINUTES:
        raise ConfigError(f"{where}: '{key}' must be a number of minutes from 1 to {MAX_INTERVAL_MINUTES}, "
                          f"got {value!r}")
    return float(value)


def _schedule(data: dict, where: str, warnings: list[str] | None) -> dict:
    """interval, min_interval, max_interval and failover_after; with `warnings` (a running scheduler
    rereading the file), a bad value is logged there and its default used, so one source's typo
    does not stop the other sources; without, it is a ConfigError naming the source and the bounds."""
    defaults = {name: float(getattr(Source, name)) for name in ("interval", "min_interval", "max_interval")}
    out = {}
    for key, default in defaults.items():
        try:
            out[key] = _minutes(data, key, default, where)
        except ConfigError as exc:
            if warnings is None:
                raise
            warnings.append(f"{exc}; using {default:g}")
            out[key] = float(default)
    problem = None
    if out["min_interval"] > out["max_interval"]:
        problem = f"min_interval {out['min_interval']:g} is above max_interval {out['max_interval']:g}"
    elif not out["min_interval"] <= out["interval"] <= out["max_interval"]:
        problem = (f"interval {out['interval']:g} is outside min_interval {out['min_interval']:g} .. "
                   f"max_interval {out['max_interval']:g} minutes")
    if problem:
        if warnings is None:
            raise ConfigError(f"{where}: {problem}; set it within the bounds")
        warnings.append(f"{where}: {problem}; using the defaults")
        out = {k: float(v) for k, v in defaults.items()}
    after = data.get("failover_after", 3)
    if isinstance(after, bool) or not isinstance(after, int) or not 1 <= after <= 100:
        message = f"{where}: 'failover_after' must be a whole number of failures from 1 to 100, got {after!r}"
        if warnings is None:
            raise ConfigError(message)
        warnings.append(f"{message}; using 3")
        after = 3
    out["failover_after"] = after
    return out


def _feeds_and_alternates(data: dict, where: str, warnings: list[str] | None):
    """The feed URLs and each one's alternates: `feeds` lists URLs or {url, alternates} tables; a
    source with one feed may give `alternates` beside it. A bad alternate is dropped (logged) with
    `warnings`, else it is an error."""
    feeds = data.get("feeds", data.get("feed"))
    if isinstance(feeds, str | dict):
        feeds = [feeds]
    if not isinstance(feeds, list) or not feeds:
        raise ConfigError(f"{where}: 'feeds' must list at least one feed URL")
    urls: list[str] = []
    alternates: dict[str, list] = {}
    for entry in feeds:
        if isinstance(entry, dict):
            bad = set(entry) - {"url", "alternates"}
            if bad:
                raise ConfigError(f"{where}: a feed table has unknown key(s) {', '.join(sorted(bad))}; "
                                  f"use {{url = \"...\", alternates = [\"...\"]}}")
            url = _check_url(entry.get("url"), where)
            alternates.setdefault(url, []).extend(_as_list(entry.get("alternates", []), where))
        else:
            url = _check_url(entry, where)
        urls.append(url)
    if "alternates" in data:
        if len(set(urls)) != 1:
            raise ConfigError(f"{where}: 'alternates' beside several feeds is ambiguous; give each feed its own: "
                              f"feeds = [{{url = \"...\", alternates = [\"...\"]}}]")
        alternates.setdefault(urls[0], []).extend(_as_list(data["alternates"], where))
    pairs = []
    for url, alts in alternates.items():
        kept = []
        for alt in alts:
            try:
                kept.append(_check_url(alt, f"{where}: alternate of {url}"))
            except ConfigError as exc:
                if warnings is None:
                    raise
                warnings.append(f"{exc}; that alternate is left out")
        kept = [a for a in dict.fromkeys(kept) if a != url]
        if kept:
            pairs.append((url, tuple(kept)))
    return tuple(dict.fromkeys(urls)), tuple(pairs)


def _as_list(value: object, where: str) -> list:
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list):
        raise ConfigError(f"{where}: 'alternates' must be a list of feed URLs")
    return value


def source_from_dict(data: dict, where: str, warnings: list[str] | None = None, *,
                     lenient_intervals: bool = False) -> Source:
    """Build a Source from one `[[source]]` table, with a clear error for each bad field.

    With a `warnings` list, a bad alternate URL is logged there and left out instead of failing the
    whole file; with `lenient_intervals` too, so is a bad interval (replaced by its default)."""
    if not isinstance(data, dict):
        raise ConfigError(f"{where}: each source must be a table")
    unknown = set(data) - SOURCE_KEYS
    if unknown:
        raise ConfigError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ConfigError(f"{where}: 'name' is required and must be a non-empty string")
    name = name.strip()
    where = f"{where} ({name})"
    feeds, alternates = _feeds_and_alternates(data, where, warnings)
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
        feeds=feeds,
        timezone=check_timezone(data.get("timezone", DEFAULT_TIMEZONE), where),
        tags=tuple(tags),
        full_text=full_text,
        homepage=homepage,
        alternates=alternates,
        **_schedule(data, where, warnings if lenient_intervals else None),
    )


def source_to_dict(source: Source) -> dict:
    """The `[[source]]` table for a Source, omitting defaults."""
    alternates = dict(source.alternates)
    feeds: list = [{"url": u, "alternates": list(alternates[u])} if u in alternates else u for u in source.feeds]
    out: dict = {"name": source.name, "feeds": feeds}
    if source.timezone != DEFAULT_TIMEZONE:
        out["timezone"] = source.timezone
    if source.tags:
        out["tags"] = list(source.tags)
    if source.full_text != "auto":
        out["full_text"] = source.full_text
    if source.homepage:
        out["homepage"] = source.homepage
    for f in fields(Source):
        if f.name in ("interval", "min_interval", "max_interval", "failover_after"):
            value = getattr(source, f.name)
            if value != f.default:
                out[f.name] = int(value) if float(value).is_integer() else value
    return out


def load_sources(path: Path, warnings: list[str] | None = None, *, lenient_intervals: bool = False) -> list[Source]:
    """Read and validate a sources file; raise ConfigError naming the file and the fault.

    With a `warnings` list, a bad alternate URL of one source is logged there and left out. An
    interval outside min_interval..max_interval (or not a number of minutes) is an error, unless
    `lenient_intervals` (`run` rereading the file while it runs, the web archive showing it): then
    it is logged and the defaults used, so one source's typo never stops the others."""
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
    sources = [source_from_dict(t, f"{path}: source #{i + 1}", warnings, lenient_intervals=lenient_intervals)
               for i, t in enumerate(tables)]
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
#   interval, min_interval, max_interval   minutes between fetches for `newsmirror run` (60, 15, 1440)
#   feeds = [{url = "...", alternates = ["..."]}]   alternate URLs used while a feed fails
"""


def save_sources(path: Path, sources: list[Source]) -> None:
    """Write the sources file atomically (write a temporary file, then rename)."""
    text = HEADER + "\n" + tomli_w.dumps({"source": [source_to_dict(s) for s in sources]})
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


@dataclass(frozen=True)
class ImportProblem:
    """One entry of an import file that was not imported: its number in the file, its site and why."""

    entry: int
    site: str
    reason: str

    def __str__(self) -> str:
        return f"entry #{self.entry} ({self.site or 'no name'}): {self.reason}"


@dataclass(frozen=True)
class ImportFile:
    """What an import file holds: the sources of its valid entries, and every entry that is not valid."""

    sources: list[Source]
    problems: list[ImportProblem]


def _grouped(entries: list[tuple[str, str, tuple[str, ...]]]) -> list[Source]:
    """Sources from (name, feed URL, tags) entries: one per name, feeds and tags in order, each once."""
    feeds: dict[str, list[str]] = {}
    tags: dict[str, list[str]] = {}
    for name, url, entry_tags in entries:
        feeds.setdefault(name, []).append(url)
        tags.setdefault(name, []).extend(entry_tags)
    return [Source(name=n, feeds=tuple(dict.fromkeys(u)), tags=tuple(dict.fromkeys(tags[n]))) for n, u in feeds.items()]


def _from_subs_json(data: object, path: Path) -> ImportFile:
    if not isinstance(data, list):
        raise ConfigError(f"{path}: expected a JSON list of {{\"site\": NAME, \"url\": FEED}} objects")
    entries: list[tuple[str, str, tuple[str, ...]]] = []
    problems: list[ImportProblem] = []
    for i, entry in enumerate(data, 1):
        site = str(entry.get("site", "")).strip() if isinstance(entry, dict) else ""
        try:
            if not isinstance(entry, dict) or "site" not in entry or "url" not in entry:
                raise ConfigError("expected an object with 'site' and 'url'")
            if not site:
                raise ConfigError("'site' is empty")
            entries.append((site, _check_url(entry["url"], "url"), ()))
        except ConfigError as exc:
            problems.append(ImportProblem(i, site, str(exc)))
    return ImportFile(_grouped(entries), problems)


_FEED_OUTLINE = ("rss", "atom", "feed")  # OPML outline types that name a feed (its URL in xmlUrl)


def _from_opml(raw: bytes, path: Path) -> ImportFile:
    """Every outline with an xmlUrl is a feed; the folders (outlines holding outlines) above it become its tags."""
    try:
        root = ElementTree.fromstring(raw)
    except ElementTree.ParseError as exc:
        raise ConfigError(f"{path}: not valid OPML/XML: {exc}") from None
    entries: list[tuple[str, str, tuple[str, ...]]] = []
    problems: list[ImportProblem] = []
    number = 0

    def walk(node: ElementTree.Element, folders: tuple[str, ...]) -> None:
        nonlocal number
        for child in node.findall("outline"):
            url = child.get("xmlUrl")
            label = (child.get("title") or child.get("text") or "").strip()
            if url is None and (child.get("type") or "").lower() in _FEED_OUTLINE and not child.findall("outline"):
                number += 1  # a feed without its URL: a bad entry, not an empty folder
                reason = f"a feed outline (type={child.get('type')!r}) without an xmlUrl; add the feed's URL"
                problems.append(ImportProblem(number, label or "no name", reason))
                continue
            if url is None:
                walk(child, folders + ((label,) if label else ()))
                continue
            number += 1
            name = label or urlsplit(url.strip()).netloc
            try:
                entries.append((name, _check_url(url, "xmlUrl"), folders))
            except ConfigError as exc:
                problems.append(ImportProblem(number, name, str(exc)))

    body = root.find("body")
    walk(body if body is not None else root, ())
    if not number:
        raise ConfigError(f"{path}: OPML has no outline with an xmlUrl")
    return ImportFile(_grouped(entries), problems)


def _from_sources_toml(path: Path) -> ImportFile:
    try:
        data = tomllib.loads(path.read_bytes().decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: not a valid sources.toml: {exc}") from None
    tables = data.get("source", [])
    if not isinstance(tables, list):
        raise ConfigError(f"{path}: use [[source]] tables, one per outlet")
    sources, problems = [], []
    for i, table in enumerate(tables, 1):
        site = str(table.get("name", "")).strip() if isinstance(table, dict) else ""
        try:
            sources.append(source_from_dict(table, "source"))
        except ConfigError as exc:
            reason = str(exc).removeprefix("source: ").removeprefix(f"source ({site}): ")
            problems.append(ImportProblem(i, site, reason))
    return ImportFile(sources, problems)


def read_import_file(path: Path) -> ImportFile:
    """Read sources from a precursor `subs.json`, an OPML file or another sources.toml.

    Each bad entry is a problem named by its number, its site and the reason; the other entries
    are read. A file that cannot be read as any of these at all raises ConfigError."""
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
                return _from_sources_toml(path)
            raise ConfigError(f"{path}: not valid JSON: {exc}") from None
        return _from_subs_json(data, path)
    if head == b"<":
        return _from_opml(raw, path)
    if path.suffix == ".toml":
        return _from_sources_toml(path)
    raise ConfigError(f"{path}: not a subs.json list, an OPML file or a sources.toml")


@dataclass(frozen=True)
class Merged:
    """The sources after a merge, what it added, and the feeds it left out because they were there already."""

    sources: list[Source]
    added_sources: int
    added_feeds: int
    repeated: list[tuple[str, str, str]]  # (incoming source, feed URL, the source that already has it)


def _feed_key(url: str) -> str:
    """Feeds compared loosely: scheme and host case and a trailing slash do not make another feed."""
    parts = urlsplit(url.strip())
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}{parts.path.rstrip('/') or '/'}" + \
        (f"?{parts.query}" if parts.query else "")


def merge_sources(existing: list[Source], incoming: list[Source]) -> Merged:
    """Add incoming sources and feeds to existing ones, each feed once across all sources.

    A feed URL some source already has is left out (and reported), whatever the incoming source's
    name; a source gaining feeds gains the incoming tags too."""
    by_name = {s.name: s for s in existing}
    owner = {_feed_key(u): s.name for s in existing for u in s.feeds}
    added_sources = added_feeds = 0
    repeated: list[tuple[str, str, str]] = []
    for s in incoming:
        fresh = []
        for url in s.feeds:
            key = _feed_key(url)
            if key in owner:
                repeated.append((s.name, url, owner[key]))
                continue
            owner[key] = s.name
            fresh.append(url)
        if not fresh:
            continue
        old = by_name.get(s.name)
        if old is None:
            by_name[s.name] = replace(s, feeds=tuple(fresh))
            added_sources += 1
        else:
            by_name[s.name] = replace(old, feeds=old.feeds + tuple(fresh),
                                      tags=tuple(dict.fromkeys(old.tags + s.tags)))
        added_feeds += len(fresh)
    return Merged(list(by_name.values()), added_sources, added_feeds, repeated)


# --- the home's config.toml: how to fetch, what to publish after a round -------------------------

@dataclass(frozen=True)
class FetchConfig:
    """`[fetch]`: how this mirror presents itself and paces its page requests."""

    user_agent: str = DEFAULT_USER_AGENT  # names the project and a contact URL, as outlets' operators look for
    host_delay: float = 1.0  # seconds between two page requests to one host (a larger Crawl-delay wins)


@dataclass(frozen=True)
class BuildStep:
    """One `[[publish.build]]`: a build target (see `newsmirror build --help`) written to `out`."""

    target: str
    out: Path  # relative paths are inside the home
    options: tuple[tuple[str, object], ...] = ()  # the target's BuildOptions fields, e.g. (("base_url", "..."),)


@dataclass(frozen=True)
class GitStep:
    """One `[[publish.git]]`: commit the built folder `site` to `branch` of `repo` (and push a remote)."""

    site: Path
    repo: str
    branch: str = "gh-pages"
    message: str | None = None


@dataclass(frozen=True)
class HomeConfig:
    """The home's config.toml; every part optional, every field with a default."""

    fetch: FetchConfig = FetchConfig()
    builds: tuple[BuildStep, ...] = ()
    gits: tuple[GitStep, ...] = ()


CONFIG_EXAMPLE = """\
[fetch]
user_agent = "newsmirror/0.1 (+https://mirror.example/about)"   # name the project and a contact URL
host_delay = 1.0                                                 # seconds between page requests to one host

[[publish.build]]          # after a round that stored something: build ...
target = "jekyll"
out = "site"               # inside the home unless absolute

[[publish.git]]            # ... then publish a built folder to git
site = "site"
repo = "/srv/mirror.git"
branch = "gh-pages"
"""


def _tables(value: object, where: str) -> list[dict]:
    if value is None:
        return []
    if isinstance(value, dict):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise ConfigError(f"{where} must be a table or a list of tables ([[{where.rsplit(': ', 1)[-1]}]])")
    return value


def _string(table: dict, key: str, where: str, default: str | None = None) -> str:
    value = table.get(key, default)
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{where}: '{key}' is required and must be a non-empty string")
    return value.strip()


def _home_path(home: Path, value: str) -> Path:
    path = Path(value).expanduser()
    return path if path.is_absolute() else home / path


def _config_store(path: Path) -> str | None:
    """`store = "..."` from a config.toml, or None (a missing or unreadable file says nothing here;
    load_home_config reports its problems)."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None
    value = data.get("store")
    if value is not None and (not isinstance(value, str) or not value.strip()):
        raise ConfigError(f"config file {path}: store must be a string such as 'postgresql://host/db'")
    return value.strip() if value else None


def load_home_config(settings: Settings) -> HomeConfig:
    """Read the home's config.toml (absent: every default); ConfigError naming the file and the key."""
    path = settings.config_file
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return HomeConfig()
    except OSError as exc:
        raise ConfigError(f"cannot read config file {path}: {exc.strerror}") from exc
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(f"config file {path} is not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {path} is not valid TOML: {exc}") from None
    unknown = set(data) - {"fetch", "publish", "store"}
    if unknown:
        raise ConfigError(f"config file {path}: unknown section(s) {', '.join(sorted(unknown))}; "
                          f"known: [fetch], [publish]")
    fetch = data.get("fetch", {})
    if not isinstance(fetch, dict):
        raise ConfigError(f"config file {path}: [fetch] must be a table")
    bad = set(fetch) - {"user_agent", "host_delay"}
    if bad:
        raise ConfigError(f"config file {path}: [fetch] has unknown key(s) {', '.join(sorted(bad))}")
    agent = fetch.get("user_agent", DEFAULT_USER_AGENT)
    if not isinstance(agent, str) or not agent.strip() or "\n" in agent or "\r" in agent:
        raise ConfigError(f"config file {path}: [fetch] user_agent must be one line of text")
    if "http://" not in agent and "https://" not in agent:
        raise ConfigError(f"config file {path}: [fetch] user_agent {agent!r} names no contact URL; "
                          f"add one, e.g. 'newsmirror/{__version__} (+https://mirror.example/about)'")
    delay = fetch.get("host_delay", 1.0)
    if isinstance(delay, bool) or not isinstance(delay, int | float) or not 0 <= delay <= 300:
        raise ConfigError(f"config file {path}: [fetch] host_delay must be a number of seconds from 0 to 300")
    publish = data.get("publish", {})
    if not isinstance(publish, dict):
        raise ConfigError(f"config file {path}: [publish] must be a table")
    bad = set(publish) - {"build", "git"}
    if bad:
        raise ConfigError(f"config file {path}: [publish] has unknown key(s) {', '.join(sorted(bad))}; "
                          f"use [[publish.build]] and [[publish.git]]")
    builds = []
    for i, table in enumerate(_tables(publish.get("build"), f"config file {path}: publish.build")):
        where = f"config file {path}: [[publish.build]] #{i + 1}"
        target = _string(table, "target", where)
        out = _home_path(settings.home, _string(table, "out", where))
        options = tuple(sorted((k, v) for k, v in table.items() if k not in ("target", "out")))
        builds.append(BuildStep(target, out, options))
    gits = []
    for i, table in enumerate(_tables(publish.get("git"), f"config file {path}: publish.git")):
        where = f"config file {path}: [[publish.git]] #{i + 1}"
        bad = set(table) - {"site", "repo", "branch", "message"}
        if bad:
            raise ConfigError(f"{where}: unknown key(s) {', '.join(sorted(bad))}")
        message = table.get("message")
        if message is not None and not isinstance(message, str):
            raise ConfigError(f"{where}: 'message' must be a string")
        gits.append(GitStep(_home_path(settings.home, _string(table, "site", where)), _string(table, "repo", where),
                            _string(table, "branch", where, "gh-pages"), message))
    return HomeConfig(FetchConfig(agent.strip(), float(delay)), tuple(builds), tuple(gits))
