"""RawArchive: round trip, one file per process, crash-truncated files, bad refs."""

from __future__ import annotations

import gzip
import threading
import zlib
from datetime import datetime, UTC

import pytest

from newsmirror.errors import FetchError
from newsmirror.fetch.warc import RawArchive

WHEN = datetime(2024, 5, 1, 4, 30, 15, 123456, tzinfo=UTC)


def put(archive: RawArchive, n: int, **kw) -> str:
    body = f"<html><body><p>第{n}則：颱風來襲，各地停班停課。</p></body></html>".encode()
    return archive.record(
        f"https://news.example.tw/a/{n}",
        status=200,
        headers={"Content-Type": "text/html; charset=utf-8", "ETag": f'"{n}"'},
        body=body,
        fetched_at=WHEN,
        **kw,
    )


def test_round_trip(tmp_path):
    archive = RawArchive(tmp_path)
    assert archive.current_file is None  # nothing written, no file yet
    assert list(tmp_path.iterdir()) == []
    ref = put(archive, 1, request_headers={"User-Agent": "newsmirror/test"})
    name, offset = ref.split(":")
    assert name.endswith(".warc.gz") and offset.isdigit()
    record = archive.read(ref)
    assert record.url == "https://news.example.tw/a/1"
    assert record.status == 200
    assert record.headers["etag"] == '"1"'
    assert record.headers["content-length"] == str(len(record.body))
    assert "颱風來襲" in record.body.decode()
    assert record.fetched_at == WHEN
    archive.close()


def test_file_is_warc_1_1_with_one_gzip_member_per_record(tmp_path):
    archive = RawArchive(tmp_path)
    refs = [put(archive, n, request_headers={"Accept": "*/*"}) for n in range(3)]
    archive.close()
    path = next(tmp_path.glob("*.warc.gz"))
    text = gzip.decompress(path.read_bytes()).decode("utf-8")
    assert text.startswith("WARC/1.1\r\n")
    assert text.count("WARC-Type: response") == 3
    assert text.count("WARC-Type: request") == 3
    assert text.count("WARC-Type: warcinfo") == 1
    # each ref's offset starts its own gzip member
    data = path.read_bytes()
    for ref in refs:
        offset = int(ref.split(":")[1])
        assert data[offset : offset + 2] == b"\x1f\x8b"
    # and each record is a whole member: the warcinfo, then a response and a request per ref, nothing more
    members, rest = [], data
    while rest:
        member = zlib.decompressobj(zlib.MAX_WBITS + 16)
        members.append(member.decompress(rest) + member.flush())
        assert member.eof
        rest = member.unused_data
    assert [m.split(b"WARC-Type: ")[1].split(b"\r\n")[0] for m in members] == \
        [b"warcinfo"] + [b"response", b"request"] * 3


def test_content_encoding_is_recorded_as_undone(tmp_path):
    archive = RawArchive(tmp_path)
    ref = archive.record(
        "https://x.example/feed", status=200,
        headers={"content-type": "text/xml", "content-encoding": "gzip", "content-length": "12"},
        body=b"<rss></rss>", fetched_at=WHEN,
    )
    archive.close()
    record = archive.read(ref)
    assert "content-encoding" not in record.headers
    assert record.headers["content-length"] == "11"
    assert record.body == b"<rss></rss>"
    text = gzip.decompress(next(tmp_path.glob("*.warc.gz")).read_bytes()).decode()
    assert "WARC-Newsmirror-Decoded: content-encoding: gzip" in text


def test_each_archive_writes_a_new_file(tmp_path):
    first, second = RawArchive(tmp_path), RawArchive(tmp_path)
    put(first, 1)
    put(second, 2)
    assert first.current_file != second.current_file
    first.close()
    second.close()
    assert len(list(tmp_path.glob("*.warc.gz"))) == 2
    assert sorted(r.url for _, r in RawArchive(tmp_path).iter_records()) == [
        "https://news.example.tw/a/1", "https://news.example.tw/a/2"]


def test_iter_records_tolerates_truncated_file(tmp_path):
    archive = RawArchive(tmp_path / "a")
    refs = [put(archive, n) for n in range(3)]
    archive.close()
    good = next((tmp_path / "a").glob("*.warc.gz"))
    # a second file cut in the middle of its third record, as a kill -9 would leave it
    cut_dir = tmp_path / "b"
    cut_dir.mkdir()
    data = good.read_bytes()
    cut = int(refs[2].split(":")[1]) + 40
    (cut_dir / "00000000T000000Z-1.warc.gz").write_bytes(data[:cut])
    (cut_dir / "99999999T000000Z-2.warc.gz").write_bytes(data)
    found = [(ref.split(":")[0][:2], rec.url[-1]) for ref, rec in RawArchive(cut_dir).iter_records()]
    assert found == [("00", "0"), ("00", "1"), ("99", "0"), ("99", "1"), ("99", "2")]


def test_iter_records_returns_refs_that_read_back(tmp_path):
    archive = RawArchive(tmp_path)
    refs = [put(archive, n, request_headers={"A": "b"}) for n in range(4)]
    archive.close()
    listed = list(archive.iter_records())
    assert [ref for ref, _ in listed] == refs
    assert all(archive.read(ref).body == rec.body for ref, rec in listed)


def test_concurrent_writers_from_threads(tmp_path):
    archive = RawArchive(tmp_path)
    refs: list[str] = []

    def work(start: int) -> None:
        for n in range(start, start + 10):
            refs.append(put(archive, n))

    threads = [threading.Thread(target=work, args=(i * 10,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    archive.close()
    assert len(set(refs)) == 40
    assert sorted(int(archive.read(ref).url.rsplit("/", 1)[1]) for ref in refs) == list(range(40))


@pytest.mark.parametrize("ref", ["../etc/passwd:0", "nofile", "x.warc.gz:abc", ":12"])
def test_bad_refs_raise(tmp_path, ref):
    with pytest.raises(FetchError):
        RawArchive(tmp_path).read(ref)


def test_missing_file_ref_names_the_file(tmp_path):
    with pytest.raises(FetchError, match=r"gone\.warc\.gz not found"):
        RawArchive(tmp_path).read("gone.warc.gz:0")


def test_kill_9_mid_run_loses_at_most_the_record_being_written(tmp_path):
    """A writer process killed with SIGKILL: every record it reported as written reads back."""
    import os
    import signal
    import subprocess
    import sys

    script = (
        "import sys\n"
        "from datetime import datetime, timezone\n"
        "from newsmirror.fetch.warc import RawArchive\n"
        "a = RawArchive(sys.argv[1])\n"
        "n = 0\n"
        "while True:\n"
        "    ref = a.record(f'https://x.example/{n}', status=200, headers={'Content-Type': 'text/html'},\n"
        "                   body=('新聞內文' * 5000).encode(), fetched_at=datetime.now(timezone.utc))\n"
        "    print(ref, flush=True)\n"
        "    n += 1\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", script, str(tmp_path)], stdout=subprocess.PIPE, text=True)
    try:
        refs = [proc.stdout.readline().strip() for _ in range(20)]
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        proc.stdout.close()
    archive = RawArchive(tmp_path)
    listed = dict(archive.iter_records())
    assert len(listed) >= 20
    for n, ref in enumerate(refs):
        assert listed[ref].url == f"https://x.example/{n}"
        assert archive.read(ref).body == ("新聞內文" * 5000).encode()


FULL_DISK_WRITER = r"""
import os, resource, signal, sys
from datetime import datetime, timezone
from pathlib import Path
from newsmirror.errors import FetchError
from newsmirror.fetch.warc import RawArchive
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # writes past the limit fail with EFBIG instead
resource.setrlimit(resource.RLIMIT_FSIZE, (60_000, 60_000))
archive = RawArchive(Path(sys.argv[1]))
when = datetime(2025, 9, 4, tzinfo=timezone.utc)
refs, failures = [], 0
for i in range(40):
    body = os.urandom(9_000 if i % 3 else 300)  # incompressible: some fit, the big ones stop fitting
    try:
        refs.append(archive.record(f"https://news.example/{i}", status=200, headers={}, body=body, fetched_at=when))
    except FetchError:
        failures += 1
print(len(refs), failures)
print("\n".join(refs))
"""


def test_a_failed_write_leaves_no_partial_record_behind(tmp_path):
    """A write that fails half way (disk full) must not hide the records written after it."""
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-c", FULL_DISK_WRITER, str(tmp_path)], capture_output=True, text=True,
                         check=True).stdout.split("\n")
    written, failures = map(int, out[0].split())
    refs = [r for r in out[1:] if r]
    assert failures > 0 and written == len(refs) and written > 6
    archive = RawArchive(tmp_path)
    stored = [ref for ref, _ in archive.iter_records()]
    assert stored == refs  # every ref handed out is readable, in order, including those after a failure
    assert all(archive.read(ref).url.startswith("https://news.example/") for ref in refs)
