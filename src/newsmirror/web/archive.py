"""Read-only handles on one home's archive and search index, one per worker thread.

Starlette runs the views in a thread pool, and a store's connection serves one caller at a time,
so each thread opens its own read-only store (any backend, via open_store) the first time it
needs one.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from newsmirror.config import Settings
from newsmirror.errors import NewsMirrorError, SearchError, StoreError
from newsmirror.store import Store

__all__ = ["Archive"]

log = logging.getLogger(__name__)


class Archive:
    """The archive and index of `settings.home`, opened read-only on first use in each thread."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.index_path = settings.home / "index.sqlite"
        self._local = threading.local()
        self._opened: list[Any] = []
        self._lock = threading.Lock()

    def store(self) -> Store:
        """This thread's read-only store; StoreError when the archive does not exist."""
        store = getattr(self._local, "store", None)
        if store is None:
            if not self.settings.archive_exists():
                raise StoreError(f"archive {self.settings.store_location} not found; run 'newsmirror fetch' to create it")
            from newsmirror.store import open_store

            store = open_store(self.settings.store_location, readonly=True)
            self._local.store = store
            with self._lock:
                self._opened.append(store)
        return store

    def index(self) -> Any:
        """This thread's search index; SearchError when it has not been built."""
        index = getattr(self._local, "index", None)
        if index is None:
            if not self.index_path.is_file():
                raise SearchError(f"search index {self.index_path} not found; run 'newsmirror index' to build it")
            from newsmirror.chinese import load_aliases
            from newsmirror.index import SearchIndex

            aliases = load_aliases(self.settings.home / "aliases.tsv")
            index = SearchIndex(self.index_path, aliases=aliases, readonly=True)
            self._local.index = index
            with self._lock:
                self._opened.append(index)
        return index

    def close(self) -> None:
        """Close every handle this archive opened (at server shutdown)."""
        with self._lock:
            opened, self._opened = self._opened, []
        for handle in opened:
            try:
                handle.close()
            except NewsMirrorError as exc:  # a handle that cannot close cleanly at shutdown is only logged
                log.debug("could not close %r: %s", handle, exc)
