"""Write a build's files into an output folder: atomically, only when changed, and tidily.

Every build target writes through an `OutputFolder`:

1. `write(path, data)` replaces a file only when its bytes differ (temp file + rename, so a reader
   or a crash never sees half a file, and unchanged files keep their mtime); `put(path, data)` does
   the same on a few writer threads, since creating files is disk latency a build can overlap.
   Into a folder that held nothing when the build began (`fresh`: no site yet to keep whole), files
   are written straight, in the build's thread (`write_fresh`: no read-back, temp file, rename or
   thread hand-off); a build killed there leaves files, so the next is not fresh and rewrites any
   file it cut short (its bytes differ);
2. `seed(path, data)` writes a file the user may edit (`_config.yml`, `_layouts/…`) only while it
   is missing or still exactly what newsmirror last wrote there; an edited file is never touched;
3. `finish()` removes the files an earlier build wrote that this one did not (a full build), or
   the files named by `remove()` (an incremental build), and saves the new manifest.

The manifest (`OUT/.newsmirror-<name>-manifest`, sorted UTF-8 lines) names every file the
target wrote, so nothing else in the folder is ever removed. It may hold millions of lines: it is
never loaded whole, but merged as sorted streams (an external sort, `sorted_lines`), so memory
stays flat as the archive grows. Paths are appended to a journal before their file is written; a
build that crashes leaves the journal behind, and the next build folds it into the manifest
first, so files of a killed build are still tidied later.
"""

from __future__ import annotations

import hashlib
import heapq
import itertools
import os
import re
import tempfile
import threading
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from newsmirror.errors import PublishError

__all__ = ["OutputFolder", "sorted_lines", "check_output_folder", "write_if_changed", "write_fresh"]

STATE_PREFIX = ".newsmirror"  # files of this prefix at the top of OUT are build state, never published
_HEADER = "# newsmirror manifest v2: files this target wrote, sorted; '@seed HASH PATH': written once, kept if edited"
_SORT_CHUNK = 100_000  # lines sorted in memory at a time
_WRITERS = 4  # threads writing files for put()
_PENDING = 64  # put() waits when this many writes are queued (bounds the memory they hold)


def check_output_folder(root: Path) -> None:
    """Create `root` if needed and prove it writable; PublishError naming it and the reason otherwise."""
    if root.exists() and not root.is_dir():
        raise PublishError(f"output {root} is a file, not a folder; choose a folder for OUT")
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise PublishError(f"cannot create output folder {root}: {exc.strerror or exc}; "
                           f"choose a writable folder for OUT") from None
    try:
        with tempfile.NamedTemporaryFile(dir=root, prefix=".newsmirror-probe-"):
            pass
    except OSError as exc:
        raise PublishError(f"output folder {root} is not writable: {exc.strerror or exc}; "
                           f"choose a writable folder for OUT") from None


# A relative path of non-empty parts without "\\" or NUL, none of them "." or "..", not starting with the
# state prefix: "2025/09/11/17.html" yes; "../x", "/etc/x", "a//b", ".newsmirror-site-state.json" no.
_SAFE_ENTRY = re.compile(r"(?!\.newsmirror)(?!\.\.?(?:/|$))[^/\\\0]+(?:/(?!\.\.?(?:/|$))[^/\\\0]+)*")


def _safe_entry(entry: str) -> bool:
    """A manifest line that can only name a file inside the output folder (and not its state files)."""
    return _SAFE_ENTRY.fullmatch(entry) is not None


def sorted_lines(lines: Iterable[str], *, workdir: Path) -> Iterator[str]:
    """The distinct `lines` in sorted order, sorting chunks on disk when there are many (flat memory)."""
    chunks: list[Path] = []
    it = iter(lines)
    try:
        while True:
            chunk = sorted(set(itertools.islice(it, _SORT_CHUNK)))
            if not chunk:
                break
            if not chunks and len(chunk) < _SORT_CHUNK:  # everything fitted in one chunk
                yield from chunk
                return
            fd, name = tempfile.mkstemp(dir=workdir, prefix=".newsmirror-sort-")
            chunks.append(Path(name))
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
                fh.writelines(line + "\n" for line in chunk)
        files = [open(p, encoding="utf-8") for p in chunks]
        try:
            last = None
            for line in heapq.merge(*[(ln.rstrip("\n") for ln in fh) for fh in files]):
                if line != last:
                    yield line
                    last = line
        finally:
            for fh in files:
                fh.close()
    finally:
        for p in chunks:
            p.unlink(missing_ok=True)


def _is_sorted(path: Path) -> bool:
    last = ""
    for entry in _entries(path):
        if entry < last:
            return False
        last = entry
    return True


def _first_line(path: Path) -> str:
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            return fh.readline().rstrip("\n")
    except FileNotFoundError:
        return ""


def _lines(path: Path) -> Iterator[str]:
    if not path.exists():
        return
    with open(path, encoding="utf-8", errors="replace") as fh:
        for line in fh:
            yield line.rstrip("\n")


def _entries(path: Path) -> Iterator[str]:
    """The file entries of a manifest or journal (comments, seed lines and unsafe paths skipped)."""
    for line in _lines(path):
        if line and not line.startswith(("#", "@")) and _safe_entry(line):
            yield line


def _seeds(path: Path) -> dict[str, str]:
    seeds = {}
    for line in _lines(path):
        if not line.startswith(("#", "@")):  # seed lines come first, after the header
            break
        if line.startswith("@seed "):
            _, digest, entry = line.split(" ", 2)
            if _safe_entry(entry):
                seeds[entry] = digest
    return seeds


class OutputFolder:
    """One build's writes into `root`, tidied and recorded in the manifest of target `name`.

    `incremental=True`: this build rewrites only some files, so every file of the old manifest
    stays unless named by `remove()`. Otherwise (a full build) the files of the old manifest that
    this build did not write are removed by `finish()`. Use it as a context manager."""

    def __init__(self, root: Path, name: str, *, incremental: bool = False,
                 owns: re.Pattern[str] | None = None) -> None:
        self.root = Path(root)
        check_output_folder(self.root)
        self.manifest = self.root / f"{STATE_PREFIX}-{name}-manifest"
        self.journal = self.root / f"{STATE_PREFIX}-{name}-journal"
        self.incremental = incremental
        self.owns = owns
        self.written = self.unchanged = self.removed = self.kept_edited = 0
        self._removals: list[str] = []
        self._old_seeds = _seeds(self.manifest)
        self._seeds: dict[str, str] = dict(self._old_seeds) if incremental else {}
        self._recover()
        self.fresh = not incremental and _empty(self.root)  # nothing to keep whole: write files straight
        try:
            self._journal = open(self.journal, "a", encoding="utf-8", newline="\n")
        except OSError as exc:
            raise PublishError(f"cannot write {self.journal}: {exc.strerror or exc}") from None
        self._journal_start = self._journal.tell()
        self._dirs: set[str] = set()  # folders (relative) this build made sure exist
        self._pool: ThreadPoolExecutor | None = None
        self._pending: deque[Future[bool]] = deque()
        self._lock = threading.Lock()

    def __enter__(self) -> OutputFolder:
        return self

    def __exit__(self, kind, exc, tb) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
        if not self._journal.closed:  # failed before finish(): the journal stays for the next build
            self._journal.close()

    # --- writing -------------------------------------------------------------------------------

    def write(self, rel: str, data: bytes) -> bool:
        """Put `data` at `rel` (a path with / under root) unless it already holds exactly that; True if written."""
        self._record(rel)
        if (write_fresh if self.fresh else write_if_changed)(self.root / rel, data):
            self.written += 1
            return True
        self.unchanged += 1
        return False

    def write_text(self, rel: str, text: str) -> bool:
        """`write` of UTF-8 text."""
        return self.write(rel, text.encode("utf-8"))

    def claim(self, rel: str) -> None:
        """Record `rel` as this build's without writing it here (another process writes it)."""
        self._record(rel)

    def put(self, rel: str, data: bytes | str) -> None:
        """`write` on a writer thread; its outcome is counted, and any error raised, by a later put or finish.
        In a fresh folder the file is written at once instead: handing 5,000 new files to threads cost ~100,000
        futex calls (the GIL going back and forth), for writes that do not wait on a read."""
        self._record(rel)
        if isinstance(data, str):
            data = data.encode("utf-8")
        if self.fresh:
            self.written += write_fresh(self.root / rel, data)
            return
        if self._pool is None:
            self._pool = ThreadPoolExecutor(_WRITERS, thread_name_prefix="newsmirror-write")
        self._pending.append(self._pool.submit(write_if_changed, self.root / rel, data))
        while len(self._pending) > _PENDING or (self._pending and self._pending[0].done()):
            self._settle(self._pending.popleft())

    def _settle(self, future: Future[bool]) -> None:
        if future.result():  # re-raises the writer's PublishError here, in the build's thread
            self.written += 1
        else:
            self.unchanged += 1

    def flush(self) -> None:
        """Wait for every put() so far."""
        while self._pending:
            self._settle(self._pending.popleft())

    def seed(self, rel: str, data: bytes) -> bool:
        """Write a user-editable file only when missing or untouched since newsmirror wrote it; True if written."""
        if not _safe_entry(rel):
            raise PublishError(f"refusing to write {rel!r} outside {self.root}")
        path = self.root / rel
        digest = hashlib.sha256(data).hexdigest()
        try:
            current = hashlib.sha256(path.read_bytes()).hexdigest()
        except FileNotFoundError:
            current = None
        except OSError as exc:
            raise PublishError(f"cannot read {path}: {exc.strerror or exc}") from None
        if current is not None and current != self._old_seeds.get(rel) and current != digest:
            self.kept_edited += 1  # someone edited it (or it was there before us): theirs now
            self._seeds[rel] = self._old_seeds.get(rel, "edited")
            return False
        self._seeds[rel] = digest
        if current == digest:
            self.unchanged += 1
            return False
        path.parent.mkdir(parents=True, exist_ok=True)
        write_if_changed(path, data)
        self.written += 1
        return True

    def remove(self, rel: str) -> None:
        """Remove a file this target wrote earlier (an incremental build's stale page) at finish()."""
        if _safe_entry(rel):
            self._removals.append(rel)

    def _record(self, rel: str) -> None:
        if not _safe_entry(rel):
            raise PublishError(f"refusing to write {rel!r} outside {self.root}")
        folder = rel.rpartition("/")[0]
        if folder not in self._dirs:
            try:
                os.makedirs(os.path.join(self.root, folder), exist_ok=True)
            except OSError as exc:
                raise PublishError(f"cannot create {self.root / folder}: {exc.strerror or exc}") from None
            self._dirs.add(folder)
        self._journal.write(rel + "\n")

    def written_so_far(self) -> Iterator[str]:
        """Every path this build has written or found unchanged so far, in the order given."""
        self._journal.flush()
        return self._journal_entries()

    # --- finishing -----------------------------------------------------------------------------

    def finish(self) -> int:
        """Remove what is stale, save the manifest, drop the journal; the number of files removed."""
        self.flush()
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None
        self._journal.close()
        if (self.incremental and not self._removals and self._seeds == self._old_seeds
                and self.journal.stat().st_size == self._journal_start):  # nothing recorded: the manifest stands
            self.journal.unlink(missing_ok=True)
            return 0
        workdir = self.root
        new = sorted_lines(self._journal_entries(), workdir=workdir)
        old = self._old_entries()
        tmp = self.manifest.with_name(self.manifest.name + f".{os.getpid()}.tmp")
        try:
            if self.incremental:
                drop = set(self._removals)
                merged = (e for e in _merge_unique(old, new) if e not in drop)
                for entry in drop:
                    self._unlink(entry)
                self._save(tmp, merged)
            else:
                self._save(tmp, self._tidy(old, new))
            os.replace(tmp, self.manifest)
        except OSError as exc:
            raise PublishError(f"cannot write the manifest {self.manifest}: {exc.strerror or exc}") from None
        finally:
            tmp.unlink(missing_ok=True)
        self.journal.unlink(missing_ok=True)
        return self.removed

    def _journal_entries(self) -> Iterator[str]:
        with open(self.journal, encoding="utf-8", errors="replace") as fh:
            fh.seek(self._journal_start)
            for line in fh:
                entry = line.rstrip("\n")
                if _safe_entry(entry):
                    yield entry

    def _old_entries(self) -> Iterator[str]:
        if _first_line(self.manifest) == _HEADER or _is_sorted(self.manifest):  # a v2 manifest is sorted
            return _entries(self.manifest)
        return sorted_lines(_entries(self.manifest), workdir=self.root)  # a v1 manifest, or edited by hand

    def _tidy(self, old: Iterator[str], new: Iterator[str]) -> Iterator[str]:
        """Walk both sorted streams: yield the new entries, remove old ones the build did not write."""
        pending = next(new, None)
        for entry in old:
            while pending is not None and pending < entry:
                yield pending
                pending = next(new, None)
            if pending == entry:
                continue
            if entry not in self._seeds and (self.owns is None or self.owns.fullmatch(entry)):
                self._unlink(entry)
        while pending is not None:
            yield pending
            pending = next(new, None)

    def _save(self, tmp: Path, entries: Iterator[str]) -> None:
        with open(tmp, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(_HEADER + "\n")
            for entry, digest in sorted(self._seeds.items()):
                fh.write(f"@seed {digest} {entry}\n")
            for entry in entries:
                fh.write(entry + "\n")

    def _unlink(self, entry: str) -> None:
        path = self.root / entry
        try:
            path.unlink()
        except FileNotFoundError:
            return
        except OSError as exc:
            raise PublishError(f"cannot remove stale {path}: {exc.strerror or exc}") from None
        self.removed += 1
        parent = path.parent
        while parent != self.root:  # folders the build emptied go too (a day that lost its pages)
            try:
                parent.rmdir()
            except OSError:
                break
            parent = parent.parent

    def _recover(self) -> None:
        """Fold a crashed build's journal into the manifest, so its files are tidied like the rest."""
        if not self.journal.exists():
            return
        merged = _merge_unique(self._old_entries(), sorted_lines(_entries(self.journal), workdir=self.root))
        tmp = self.manifest.with_name(self.manifest.name + f".{os.getpid()}.tmp")
        seeds, self._seeds = self._seeds, dict(self._old_seeds)
        try:
            self._save(tmp, merged)
            os.replace(tmp, self.manifest)
        except OSError as exc:
            raise PublishError(f"cannot write the manifest {self.manifest}: {exc.strerror or exc}") from None
        finally:
            tmp.unlink(missing_ok=True)
            self._seeds = seeds
        self.journal.unlink()


def _merge_unique(a: Iterator[str], b: Iterator[str]) -> Iterator[str]:
    last = None
    for entry in heapq.merge(a, b):
        if entry != last:
            yield entry
            last = entry


def _empty(root: Path) -> bool:
    """Whether a folder holds nothing but newsmirror's state files (of other targets, or a probe)."""
    with os.scandir(root) as entries:
        return all(entry.name.startswith(STATE_PREFIX) for entry in entries)


def write_fresh(path: Path | str, data: bytes) -> bool:
    """Write `data` straight into a file of a fresh output folder (see OutputFolder); True (written)."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
        finally:
            os.close(fd)
    except OSError as exc:
        raise PublishError(f"cannot write {path}: {exc.strerror or exc}; check that the folder is writable") from None
    return True


def write_if_changed(path: Path, data: bytes) -> bool:
    """Write `data` atomically unless the file already holds exactly these bytes; True if written."""
    try:
        if path.stat().st_size == len(data) and path.read_bytes() == data:
            return False
    except FileNotFoundError:
        pass
    except OSError as exc:
        raise PublishError(f"cannot read {path}: {exc.strerror or exc}; check the output folder") from None
    tmp = path.with_name(f".{path.name[:200]}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise PublishError(f"cannot write {path}: {exc.strerror or exc}; check that the folder is writable") from None
    return True
