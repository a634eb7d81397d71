"""publish.files: atomic incremental writes, the sorted manifest, user-edited files, crashes, bad folders."""

from __future__ import annotations

import os
import random
import subprocess
import sys

import pytest

from newsmirror.errors import PublishError
from newsmirror.publish import files
from newsmirror.publish.files import OutputFolder, sorted_lines


def build(root, pages: dict[str, str], *, incremental: bool = False, remove=()) -> OutputFolder:
    with OutputFolder(root, "t", incremental=incremental) as out:
        for rel, text in pages.items():
            out.write_text(rel, text)
        for rel in remove:
            out.remove(rel)
        out.finish()
    return out


def tree(root) -> dict[str, str]:
    return {str(p.relative_to(root)): p.read_text(encoding="utf-8") for p in sorted(root.rglob("*"))
            if p.is_file() and not p.name.startswith(".newsmirror")}


def test_full_build_writes_changes_and_removes_only_its_own_stale_files(tmp_path):
    first = build(tmp_path, {"a/1.html": "一", "a/2.html": "二", "b/3.html": "三"})
    assert (first.written, first.unchanged, first.removed) == (3, 0, 0)
    (tmp_path / "mine.txt").write_text("the user's", encoding="utf-8")
    os.utime(tmp_path / "a" / "1.html", (1_000_000_000, 1_000_000_000))
    second = build(tmp_path, {"a/1.html": "一", "a/2.html": "貳"})
    assert (second.written, second.unchanged, second.removed) == (1, 1, 1)
    assert tree(tmp_path) == {"a/1.html": "一", "a/2.html": "貳", "mine.txt": "the user's"}
    assert (tmp_path / "a" / "1.html").stat().st_mtime == 1_000_000_000  # unchanged bytes: not rewritten
    assert not (tmp_path / "b").exists()  # the folder it emptied is gone too


def test_incremental_build_keeps_everything_but_what_it_removes(tmp_path):
    build(tmp_path, {"x/1.html": "1", "x/2.html": "2"})
    build(tmp_path, {"x/3.html": "3"}, incremental=True, remove=["x/1.html"])
    assert tree(tmp_path) == {"x/2.html": "2", "x/3.html": "3"}
    build(tmp_path, {"x/3.html": "3"})  # a full build now knows every file the incremental one wrote
    assert tree(tmp_path) == {"x/3.html": "3"}


def test_manifest_is_sorted_and_merged_in_chunks_with_flat_memory(tmp_path, monkeypatch):
    monkeypatch.setattr(files, "_SORT_CHUNK", 7)
    names = [f"p/{n:03d}.html" for n in range(40)]
    random.Random(1).shuffle(names)
    build(tmp_path, {name: name for name in names})
    manifest = (tmp_path / ".newsmirror-t-manifest").read_text(encoding="utf-8").splitlines()
    assert manifest[1:] == sorted(names)
    build(tmp_path, {name: name for name in names[:25]})
    assert len(tree(tmp_path)) == 25
    assert not [p for p in tmp_path.iterdir() if "sort" in p.name]  # chunk files cleaned up


def test_sorted_lines_drops_duplicates(tmp_path, monkeypatch):
    monkeypatch.setattr(files, "_SORT_CHUNK", 3)
    assert list(sorted_lines(["c", "a", "b", "a", "c", "d", "b"], workdir=tmp_path)) == ["a", "b", "c", "d"]


def test_a_crashed_build_is_tidied_by_the_next(tmp_path):
    build(tmp_path, {"keep.html": "k"})
    code = ("import os, sys; from newsmirror.publish.files import OutputFolder; "
            "out = OutputFolder(sys.argv[1], 't'); out.write_text('half/new.html', 'before the crash'); "
            "out._journal.flush(); os._exit(9)")  # the process dies: no finish(), the journal stays
    assert subprocess.run([sys.executable, "-c", code, str(tmp_path)]).returncode == 9
    assert (tmp_path / "half" / "new.html").exists()
    assert (tmp_path / ".newsmirror-t-journal").exists()
    build(tmp_path, {"keep.html": "k"})
    assert tree(tmp_path) == {"keep.html": "k"}
    assert not (tmp_path / ".newsmirror-t-journal").exists()


def test_an_empty_folder_is_written_straight_and_a_file_cut_there_is_rewritten_next(tmp_path):
    """A first build writes straight into its files (nothing to keep whole yet); one killed mid-file leaves
    files behind, so the next build is not fresh: it compares bytes and rewrites the cut file."""
    (tmp_path / ".newsmirror-other-manifest").write_text("", encoding="utf-8")  # another target's state only
    with OutputFolder(tmp_path, "t") as out:
        assert out.fresh
        out.put("a/1.html", "一二三")
        out.write_text("a/2.html", "四")
        out.finish()
    assert tree(tmp_path) == {"a/1.html": "一二三", "a/2.html": "四"}
    assert (out.written, out.unchanged) == (2, 0)
    assert not [p for p in tmp_path.rglob("*.tmp")]
    (tmp_path / "a" / "1.html").write_bytes("一二三".encode()[:4])  # what a kill in the middle of a write leaves
    (tmp_path / "mine.txt").write_text("the user's", encoding="utf-8")
    with OutputFolder(tmp_path / "x", "t") as other:  # an empty folder beside: fresh
        assert other.fresh
        other.finish()
    with OutputFolder(tmp_path, "t") as again:
        assert not again.fresh
        again.put("a/1.html", "一二三")
        again.put("a/2.html", "四")
        again.finish()
    assert (again.written, again.unchanged) == (1, 1)
    assert tree(tmp_path) == {"a/1.html": "一二三", "a/2.html": "四", "mine.txt": "the user's"}
    with OutputFolder(tmp_path, "t", incremental=True) as incremental:
        assert not incremental.fresh


def test_a_fresh_write_into_a_folder_that_is_gone_is_a_one_line_error(tmp_path):
    with pytest.raises(PublishError, match=r"cannot write .*gone/1\.html: No such file"):
        files.write_fresh(tmp_path / "gone" / "1.html", b"x")


def test_seeded_files_are_written_once_and_never_overwritten_when_edited(tmp_path):
    def seed(data: bytes) -> OutputFolder:
        with OutputFolder(tmp_path, "t") as out:
            out.seed("_config.yml", data)
            out.finish()
        return out

    assert seed(b"v1").written == 1
    assert seed(b"v2").written == 1  # untouched since we wrote it: a newer default may replace it
    (tmp_path / "_config.yml").write_bytes(b"edited")
    kept = seed(b"v3")
    assert (kept.written, kept.kept_edited) == (0, 1)
    assert (tmp_path / "_config.yml").read_bytes() == b"edited"
    assert seed(b"v4").kept_edited == 1  # still the user's
    (tmp_path / "_config.yml").unlink()
    assert seed(b"v5").written == 1  # deleted: written again


def test_hand_edited_manifest_cannot_remove_files_outside(tmp_path):
    out = tmp_path / "out"
    build(out, {"a.html": "a"})
    manifest = out / ".newsmirror-t-manifest"
    (tmp_path / "outside.txt").write_text("x", encoding="utf-8")
    manifest.write_text(manifest.read_text(encoding="utf-8") + "../outside.txt\n/etc/hostname\n.newsmirror-t-journal\n",
                        encoding="utf-8")
    build(out, {})
    assert (tmp_path / "outside.txt").exists() and tree(out) == {}
    with pytest.raises(PublishError, match="outside"), OutputFolder(out, "t") as folder:
        folder.write_text("../escape.html", "x")


def test_output_that_is_a_file_is_refused_with_its_name(tmp_path):
    target = tmp_path / "site"
    target.write_text("a file", encoding="utf-8")
    with pytest.raises(PublishError, match=f"output {target} is a file, not a folder"):
        OutputFolder(target, "t")


def test_output_that_cannot_be_created_is_refused_with_its_name():
    with pytest.raises(PublishError, match="cannot create output folder /proc/newsmirror-test"):
        OutputFolder("/proc/newsmirror-test/site", "t")


# Run in a child process: as root, without the capabilities that let root write and search anywhere, so root
# meets the folder's mode like any owner (CI runs as root); as anyone else, as they are.
_TRY_OUTPUT = """
import sys
from newsmirror.errors import PublishError
from newsmirror.publish.files import OutputFolder
try:
    OutputFolder(sys.argv[1], "t")
except PublishError as exc:
    print(exc)
else:
    sys.exit("the folder was accepted")
"""


def test_output_that_is_read_only_is_refused(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    site.chmod(0o555)
    as_owner = (["setpriv", "--inh-caps=-dac_override,-dac_read_search",
                 "--bounding-set=-dac_override,-dac_read_search"] if os.geteuid() == 0 else [])
    try:
        done = subprocess.run([*as_owner, sys.executable, "-c", _TRY_OUTPUT, str(site)],
                              capture_output=True, text=True, timeout=60)
    finally:
        site.chmod(0o755)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"output folder {site} is not writable: Permission denied")
    assert list(site.iterdir()) == []  # not even the probe file is left
