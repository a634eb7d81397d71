"""One exception tree for newsmirror; every message names the object and the next step.

    NewsMirrorError
     ├── ConfigError      bad home, sources file or option
     ├── FetchError       network failure, HTTP error status, oversize response
     ├── FeedError        a response that is not a usable feed (HTML, empty, malformed)
     ├── ExtractError     an input that cannot be read as a page at all
     ├── StoreError       the archive cannot be opened, migrated or written
     ├── SearchError      the index cannot answer
     │    └── QueryError  a query the user must fix (empty, malformed, too long)
     ├── StoryError       the stories stage cannot place articles (another process placed them meanwhile)
     └── PublishError     an output that cannot be written
"""

from __future__ import annotations

from newsmirror.models import FailureKind

__all__ = [
    "NewsMirrorError",
    "ConfigError",
    "FetchError",
    "FeedError",
    "ExtractError",
    "StoreError",
    "SearchError",
    "QueryError",
    "StoryError",
    "PublishError",
]


class NewsMirrorError(Exception):
    """Root of newsmirror's errors: str(error) is a one-line message for the user."""


class ConfigError(NewsMirrorError):
    """The home, the sources file or an option is missing or invalid."""


class FetchError(NewsMirrorError):
    """A URL could not be fetched: network error, timeout, HTTP error or oversize body.

    `kind` says why as a type (a DNS failure is not retried; a refused host is given up ...);
    `retry_after` is the wait in seconds the server asked for (429/503), when it said."""

    def __init__(self, message: str, *, url: str = "", status: int | None = None,
                 kind: FailureKind | None = None, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.url = url
        self.status = status
        self.kind = kind or (FailureKind.HTTP if status and status >= 400 else FailureKind.OTHER)
        if status == 429:
            self.kind = FailureKind.RATE_LIMITED
        self.retry_after = retry_after


class FeedError(NewsMirrorError):
    """A response was fetched but is not a usable feed."""

    def __init__(self, message: str, *, url: str = "") -> None:
        super().__init__(message)
        self.url = url


class ExtractError(NewsMirrorError):
    """An input cannot be read as a page at all (empty, binary, unreadable)."""


class StoreError(NewsMirrorError):
    """The archive cannot be opened, migrated or written."""


class SearchError(NewsMirrorError):
    """The search index cannot answer."""


class QueryError(SearchError):
    """A search query or request parameter the user must fix: empty, malformed, too long, unknown source.

    `zh` is the same message for a Chinese reader (Traditional; the web converts it to the reader's
    script); None when only the English one exists."""

    def __init__(self, message: str, *, zh: str | None = None) -> None:
        super().__init__(message)
        self.zh = zh


class StoryError(NewsMirrorError):
    """The stories stage cannot place articles: its state changed under it, or cannot be read."""


class PublishError(NewsMirrorError):
    """A publishing target cannot be written."""
