"""Raw archive: every fetched response kept as a WARC 1.1 record, crash-safe and readable back.

Each process writes its own file `<UTC timestamp>-<pid>.warc.gz` (created on the first record),
so concurrent runs never share a file; a queue worker names its files after itself
(`<UTC timestamp>-<host>-<pid>.warc.gz`), so workers on many machines can share one directory. Every record is its own gzip member, flushed and fsync'd
before `record` returns: a `kill -9` loses at most the record being written, and readers skip a
truncated tail.

Bodies are stored *decoded*: httpx has already undone Content-Encoding (gzip, br) and chunking,
so the stored HTTP headers drop Content-Encoding/Transfer-Encoding, carry the true
Content-Length, and the WARC header `WARC-Newsmirror-Decoded` names what was undone. Reading a
record back therefore returns exactly the bytes the feed parser saw.
"""

from __future__ import annotations

import io
import os
import threading
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, UTC
from http import HTTPStatus
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from warcio.archiveiterator import ArchiveIterator  # type: ignore[import-untyped]
from warcio.exceptions import ArchiveLoadFailed  # type: ignore[import-untyped]
from warcio.statusandheaders import StatusAndHeaders  # type: ignore[import-untyped]
from warcio.warcwriter import WARCWriter  # type: ignore[import-untyped]

from newsmirror import __version__
from newsmirror.errors import FetchError

__all__ = ["RawArchive", "RawRecord"]

_DROPPED = ("content-encoding", "transfer-encoding", "content-length")
# zlib level of each record's gzip member. warcio's own wrapper uses 9: on feeds of 1,500-character items
# 0.24 ms an item for 0.256 of the size; 3 takes 0.09 ms for 0.279 (bench/generate.py's feeds, this machine).
GZIP_LEVEL = 3
_DECODED_HEADER = "WARC-Newsmirror-Decoded"


@dataclass(frozen=True)
class RawRecord:
    """One archived response: what was asked, what came back and when."""

    url: str
    status: int
    headers: dict[str, str]  # lower-case names, as stored (Content-Encoding removed, see module doc)
    body: bytes  # decoded body
    fetched_at: datetime  # aware, UTC


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


def _warc_date(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _parse_warc_date(value: str | None) -> datetime:
    if not value:
        return datetime.fromtimestamp(0, UTC)
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)


class _GzipMembers:
    """A file wrapper that writes each record as its own gzip member (what warcio's gzip=True does, at
    GZIP_LEVEL): warcio calls `write` for a record's parts and `flush` at its end."""

    def __init__(self, out: io.FileIO) -> None:
        self.out = out
        self._member: Any = None

    def write(self, data: bytes) -> None:
        if self._member is None:
            self._member = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, zlib.MAX_WBITS + 16)
        self.out.write(self._member.compress(data))

    def flush(self) -> None:
        if self._member is not None:
            self.out.write(self._member.flush())
            self._member = None

    def reset(self) -> None:
        """Forget a member cut off by a failed write: the next record starts a new one."""
        self._member = None


class RawArchive:
    """Append-only WARC files in `directory`, one per process; thread-safe."""

    def __init__(self, directory: Path | str, *, label: str | None = None) -> None:
        """`label` names this writer's files (default: the process id); refs are `<file name>:<offset>`."""
        self.directory = Path(directory)
        self.label = label or str(os.getpid())
        self._lock = threading.Lock()
        self._file: io.FileIO | None = None
        self._writer: WARCWriter | None = None
        self._members: _GzipMembers | None = None
        self._name: str | None = None

    @property
    def current_file(self) -> Path | None:
        """The file this process writes to, once the first record exists."""
        return self.directory / self._name if self._name else None

    def _open(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        for n in range(1000):  # two archives opened in the same microsecond get -1, -2 ...
            name = f"{stamp}-{self.label}{'-' + str(n) if n else ''}.warc.gz"
            try:
                # unbuffered: a failed write leaves nothing pending, so the tail can be cut back cleanly
                handle = open(self.directory / name, "xb", buffering=0)  # noqa: SIM115 - kept open for appends
            except FileExistsError:
                continue
            break
        else:
            raise FetchError(f"cannot create a new WARC file in {self.directory}")
        self._file, self._name = handle, name
        self._members = _GzipMembers(handle)
        self._writer = WARCWriter(self._members, gzip=False, warc_version="1.1")
        info = self._writer.create_warcinfo_record(
            name, {"software": f"newsmirror/{__version__}", "format": "WARC File Format 1.1"}
        )
        self._write(info)

    def _write(self, record) -> int:
        assert self._file is not None and self._writer is not None
        offset = self._file.tell()
        try:
            self._writer.write_record(record)
            self._file.flush()
            os.fsync(self._file.fileno())
        except BaseException:
            if self._members is not None:
                self._members.reset()
            # A half-written gzip member would hide every later record of this file from readers:
            # cut it off, or failing that start a new file for the next record.
            try:
                self._file.truncate(offset)
                self._file.seek(offset)
            except OSError:
                try:
                    self._file.close()
                except OSError:
                    pass  # the next record opens a new file whatever state this one is in
                self._file = self._writer = None
                self._name = None
            raise
        return offset

    def record(
        self,
        url: str,
        *,
        status: int,
        headers: dict[str, str],
        body: bytes,
        fetched_at: datetime,
        request_headers: dict[str, str] | None = None,
    ) -> str:
        """Append one response (and its request when given); return its ref "<file name>:<offset>"."""
        kept = [(k, v) for k, v in headers.items() if k.lower() not in _DROPPED]
        kept.append(("Content-Length", str(len(body))))
        undone = [f"{k.lower()}: {v}" for k, v in headers.items() if k.lower() in _DROPPED[:2]]
        http = StatusAndHeaders(f"{status} {_reason(status)}", kept, protocol="HTTP/1.1")
        warc_headers = {"WARC-Date": _warc_date(fetched_at)}
        if undone:
            warc_headers[_DECODED_HEADER] = "; ".join(undone)
        try:
            with self._lock:
                if self._writer is None:
                    self._open()
                assert self._writer is not None
                response = self._writer.create_warc_record(
                    url, "response", payload=io.BytesIO(body), length=len(body),
                    http_headers=http, warc_headers_dict=warc_headers,
                )
                offset = self._write(response)
                if request_headers is not None:
                    parts = urlsplit(url)
                    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
                    req_http = StatusAndHeaders(
                        f"GET {target} HTTP/1.1", list(request_headers.items()), is_http_request=True
                    )
                    request = self._writer.create_warc_record(
                        url, "request", payload=io.BytesIO(b""), length=0, http_headers=req_http,
                        warc_headers_dict={
                            "WARC-Date": warc_headers["WARC-Date"],
                            "WARC-Concurrent-To": response.rec_headers.get_header("WARC-Record-ID"),
                        },
                    )
                    self._write(request)
                return f"{self._name}:{offset}"
        except OSError as exc:
            raise FetchError(f"cannot write raw archive in {self.directory}: {exc.strerror or exc}", url=url) from exc

    def read(self, ref: str) -> RawRecord:
        """The response stored at `ref` ("<file name>:<offset>" as `record` returned)."""
        name, _, offset_text = ref.rpartition(":")
        if not name or "/" in name or "\\" in name or name.startswith(".") or not offset_text.isdigit():
            raise FetchError(f"raw archive ref {ref!r} is not '<file>.warc.gz:<offset>'")
        path = self.directory / name
        try:
            with open(path, "rb") as handle:
                handle.seek(int(offset_text))
                for rec in ArchiveIterator(handle):
                    if rec.rec_type == "response":
                        return _to_raw(rec)
                    break
        except FileNotFoundError:
            raise FetchError(f"raw archive file {path} not found (ref {ref})") from None
        except (ArchiveLoadFailed, EOFError, zlib.error, ValueError) as exc:
            raise FetchError(f"raw archive ref {ref} is unreadable: {exc}") from exc
        raise FetchError(f"raw archive ref {ref} does not point at a response record")

    def iter_records(self) -> Iterator[tuple[str, RawRecord]]:
        """Every stored response as (ref, record), oldest file first; a truncated tail is skipped."""
        if not self.directory.is_dir():
            return
        for path in sorted(self.directory.glob("*.warc.gz")):
            with open(path, "rb") as handle:
                iterator = ArchiveIterator(handle)
                try:
                    for rec in iterator:
                        if rec.rec_type != "response":
                            continue
                        raw = _to_raw(rec)  # read the body before asking the offset (that reads to the end)
                        offset = iterator.get_record_offset()
                        yield f"{path.name}:{offset}", raw
                except (ArchiveLoadFailed, EOFError, zlib.error, ValueError):
                    continue  # a record cut mid-write (kill -9): the rest of this file is gone, others are not

    def close(self) -> None:
        """Close the current file; a later record opens a new one."""
        with self._lock:
            if self._file is not None:
                self._file.close()
            self._file = self._writer = None
            self._name = None

    def __enter__(self) -> RawArchive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _to_raw(rec) -> RawRecord:
    body = rec.content_stream().read()  # warcio would undo chunking/encoding if they were still there
    http = rec.http_headers
    headers = {k.lower(): v for k, v in http.headers} if http else {}
    status = int(http.get_statuscode()) if http else 0
    return RawRecord(
        url=rec.rec_headers.get_header("WARC-Target-URI"),
        status=status,
        headers=headers,
        body=body,
        fetched_at=_parse_warc_date(rec.rec_headers.get_header("WARC-Date")),
    )
