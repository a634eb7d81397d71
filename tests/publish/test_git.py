"""publish git against real local repositories (a bare repository stands for the remote)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from newsmirror.cli import cli
from newsmirror.errors import PublishError
from newsmirror.publish.git import TRAILER, publish_git

GIT = shutil.which("git")
ENV = {**os.environ, "GIT_AUTHOR_NAME": "Someone", "GIT_AUTHOR_EMAIL": "someone@example.org",
       "GIT_COMMITTER_NAME": "Someone", "GIT_COMMITTER_EMAIL": "someone@example.org"}


@pytest.fixture(autouse=True)
def _need_git():
    if GIT is None:
        if os.environ.get("CI"):
            pytest.fail("git is missing; CI must install it (apt-get install git)")
        pytest.skip("git not installed")


def git(*args: str, cwd: Path | None = None) -> str:
    return subprocess.run([GIT, *args], cwd=cwd, env=ENV, capture_output=True, text=True, check=True).stdout.strip()


@pytest.fixture
def remote(tmp_path) -> Path:
    """A bare repository with a `main` branch of its own (which publishing must never touch)."""
    bare = tmp_path / "remote.git"
    git("init", "-q", "--bare", "-b", "main", str(bare))
    work = tmp_path / "work"
    git("clone", "-q", str(bare), str(work))
    (work / "README").write_text("the project\n", encoding="utf-8")
    git("add", "README", cwd=work)
    git("commit", "-q", "-m", "first", cwd=work)
    git("push", "-q", "origin", "HEAD:main", cwd=work)
    return bare


@pytest.fixture
def site(tmp_path) -> Path:
    out = tmp_path / "site"
    (out / "2024" / "05").mkdir(parents=True)
    (out / "index.html").write_text("<p>首頁</p>\n", encoding="utf-8")
    (out / "2024" / "05" / "1.html").write_text("<p>一</p>\n", encoding="utf-8")
    (out / ".nojekyll").write_text("", encoding="utf-8")
    (out / ".newsmirror-site-state.json").write_text("{}", encoding="utf-8")  # build state: never published
    return out


def files_on(bare: Path, ref: str) -> list[str]:
    return git("--git-dir", str(bare), "ls-tree", "-r", "--name-only", ref).splitlines()


def test_publish_commits_the_folder_and_leaves_the_rest_alone(remote, site):
    main = git("--git-dir", str(remote), "rev-parse", "main")
    first = publish_git(site, str(remote))
    assert first.commit and first.changed == 3
    assert files_on(remote, "gh-pages") == [".nojekyll", "2024/05/1.html", "index.html"]
    assert TRAILER in git("--git-dir", str(remote), "log", "-1", "--format=%B", "gh-pages")
    assert git("--git-dir", str(remote), "rev-parse", "main") == main  # other branches untouched
    assert git("--git-dir", str(remote), "rev-list", "--count", "gh-pages") == "1"

    again = publish_git(site, str(remote))
    assert again.commit is None and "nothing changed" in again.line()
    assert git("--git-dir", str(remote), "rev-list", "--count", "gh-pages") == "1"

    (site / "2024" / "05" / "2.html").write_text("<p>二</p>\n", encoding="utf-8")
    (site / "index.html").write_text("<p>首頁，更新</p>\n", encoding="utf-8")
    (site / "2024" / "05" / "1.html").unlink()
    third = publish_git(site, str(remote), message="hourly")
    assert third.changed == 3
    diff = git("--git-dir", str(remote), "diff-tree", "-r", "--name-status", "--no-commit-id", "gh-pages")
    assert sorted(diff.splitlines()) == ["A\t2024/05/2.html", "D\t2024/05/1.html", "M\tindex.html"]
    assert git("--git-dir", str(remote), "rev-parse", "gh-pages^") == first.commit  # on top: nothing rewritten
    assert git("--git-dir", str(remote), "log", "-1", "--format=%s", "gh-pages") == "hourly"
    assert git("--git-dir", str(remote), "rev-parse", "main") == main


def test_foreign_commits_are_refused_unless_forced_and_never_lost(remote, site, tmp_path):
    publish_git(site, str(remote))
    other = tmp_path / "other"
    git("clone", "-q", "-b", "gh-pages", str(remote), str(other))
    (other / "CNAME").write_text("mirror.example\n", encoding="utf-8")
    git("add", "CNAME", cwd=other)
    git("commit", "-q", "-m", "custom domain", cwd=other)
    git("push", "-q", "origin", "gh-pages", cwd=other)
    foreign = git("--git-dir", str(remote), "rev-parse", "gh-pages")
    (site / "index.html").write_text("<p>新</p>\n", encoding="utf-8")
    with pytest.raises(PublishError, match="branch gh-pages of .* holds commits newsmirror did not make") as err:
        publish_git(site, str(remote))
    assert "\n" not in str(err.value) and "Someone" in str(err.value)
    assert git("--git-dir", str(remote), "rev-parse", "gh-pages") == foreign
    assert publish_git(site, str(remote), force=True).commit
    assert git("--git-dir", str(remote), "rev-parse", "gh-pages^") == foreign  # on top of theirs


def test_unrelated_history_on_the_branch_is_refused(remote, site):
    with pytest.raises(PublishError, match="branch main of .* holds commits newsmirror did not make"):
        publish_git(site, str(remote), branch="main")


def test_not_a_repository_missing_repository_and_refused_push(site, tmp_path, remote):
    plain = tmp_path / "plain"
    plain.mkdir()
    with pytest.raises(PublishError, match=f"{plain} is not a git repository"):
        publish_git(site, str(plain))
    with pytest.raises(PublishError, match="does not exist"):
        publish_git(site, str(tmp_path / "nowhere.git"))
    hook = remote / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'pushes are closed today' >&2\nexit 1\n", encoding="utf-8")
    hook.chmod(0o755)
    with pytest.raises(PublishError, match="git push to .* was refused: .*pushes are closed today"):
        publish_git(site, str(remote))
    assert "gh-pages" not in git("--git-dir", str(remote), "branch", "--list")


def test_cli_publish_git(remote, site, tmp_path):
    result = CliRunner().invoke(cli, ["--home", str(tmp_path / "home"), "publish", "git", str(site), "--repo",
                                      str(remote), "--branch", "pages", "--message", "first publish"])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip() == git("--git-dir", str(remote), "rev-parse", "pages")
    assert "publish git done: commit" in result.stderr
    bad = CliRunner().invoke(cli, ["publish", "git", str(site), "--repo", str(tmp_path / "nope")])
    assert bad.exit_code == 1 and bad.stderr.startswith("error: repository") and len(bad.stderr.splitlines()) == 1
    assert "Example:" in CliRunner().invoke(cli, ["publish", "git", "--help"]).output


def test_relative_folder_and_repository_paths(remote, site, monkeypatch):
    """As a user types it from the folder above: `publish git out --repo mirror.git`."""
    monkeypatch.chdir(site.parent)
    relative = os.path.relpath(remote, site.parent)
    result = CliRunner().invoke(cli, ["--home", "home", "publish", "git", site.name, "--repo", relative])
    assert result.exit_code == 0, result.stderr
    assert files_on(remote, "gh-pages") == [".nojekyll", "2024/05/1.html", "index.html"]
    again = CliRunner().invoke(cli, ["--home", "home", "publish", "git", site.name, "--repo", relative])
    assert again.exit_code == 0 and "nothing changed" in again.stderr
