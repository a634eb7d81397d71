"""`run` builds and publishes after a round that stored something: the [[publish.git]] steps commit the
built folder to real bare repositories after the [[publish.build]] steps; a round that stored nothing
makes no commit; a refused push is one logged line, the other steps and the index still run, and the
failed step publishes again at the next round."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
from datetime import datetime, timedelta, UTC
from pathlib import Path

import pytest
from click.testing import CliRunner

from feedtext import rss
from httpserver import Reply
from newsmirror.cli import cli
from newsmirror.config import Settings, save_sources
from newsmirror.models import Source
from newsmirror.schedule import run_scheduler

RSS = "application/rss+xml; charset=utf-8"
GIT = shutil.which("git")


@pytest.fixture(autouse=True)
def _need_git():
    if GIT is None:
        if os.environ.get("CI"):
            pytest.fail("git is missing; CI must install it (apt-get install git)")
        pytest.skip("git not installed")


def git(*args: str) -> str:
    return subprocess.run([GIT, *args], capture_output=True, text=True, check=True).stdout.strip()


def commits(bare: Path, branch: str = "gh-pages") -> list[str]:
    """The branch's commits, newest first (none when the branch does not exist)."""
    if not git("--git-dir", str(bare), "branch", "--list", branch):
        return []
    return git("--git-dir", str(bare), "rev-list", branch).splitlines()


def changed(bare: Path, commit: str) -> list[str]:
    return git("-c", "core.quotepath=off", "--git-dir", str(bare), "diff-tree", "-r", "--no-commit-id", "--name-only",
               "--root", commit).splitlines()


def item(base: str, n: int, when: datetime) -> dict:
    return {"title": f"颱風消息第{n}報", "link": f"{base}/n/{n}", "guid": f"g{n}",
            "description": f"中央氣象署今天發布第{n}報，颱風中心向北移動，沿海地區風勢增強。" * 8,
            "date": when.strftime("%a, %d %b %Y %H:%M:%S +0000")}


def test_run_once_builds_then_commits_to_git_and_a_refused_push_is_one_line(http_server, tmp_path):
    base = http_server.url("")
    now = datetime.now(UTC)
    first = item(base, 1, now - timedelta(hours=2))
    http_server.add("/f.xml", Reply(rss([first]), content_type=RSS))
    settings = Settings.from_home(tmp_path / "home")
    save_sources(settings.sources_file, [Source(name="示範社", feeds=(http_server.url("/f.xml"),), full_text="never")])
    mirror, refusing = tmp_path / "mirror.git", tmp_path / "refusing.git"
    for bare in (mirror, refusing):
        git("init", "-q", "--bare", str(bare))
    hook = refusing / "hooks" / "pre-receive"  # the remote's own policy refuses every push
    hook.write_text("#!/bin/sh\necho 'pushes are closed for maintenance' >&2\nexit 1\n", encoding="utf-8")
    hook.chmod(0o755)
    settings.config_file.write_text(
        '[[publish.build]]\ntarget = "jekyll"\nout = "site"\n\n'
        f'[[publish.git]]\nsite = "site"\nrepo = "{refusing}"\n\n'
        f'[[publish.git]]\nsite = "site"\nrepo = "{mirror}"\nbranch = "gh-pages"\n', encoding="utf-8")

    once = CliRunner().invoke(cli, ["--home", str(settings.home), "run", "--once"])
    assert once.exit_code == 1, once.output  # a publish step failed: some items failed
    refused, line = once.stderr.splitlines()  # one line for the refused push, then the round's line
    assert refused.startswith(f"git gh-pages of {refusing} failed: git push to {refusing} was refused: ")
    assert "pushes are closed for maintenance" in refused
    (commit,) = commits(mirror)
    assert line.startswith("round: 1 sources due, 1 ok, 0 failed, 1 new")
    assert "; published: build jekyll (" in line and f"git gh-pages of {mirror} (commit {commit[:12]}, " in line
    assert line.endswith("; 1 publish step failed")
    posts = [p for p in changed(mirror, commit) if p.startswith("_posts/")]
    assert len(posts) == 1 and commits(refusing) == []
    found = CliRunner().invoke(cli, ["--home", str(settings.home), "search", "颱風", "--json"])
    assert found.exit_code == 0 and found.stdout.count("\n") == 1  # the round went on to the index

    # the remote opens again: the failed step publishes at the next round though it stores nothing
    hook.unlink()
    log = io.StringIO()
    assert run_scheduler(settings, once=True, stream=log, clock=lambda: now + timedelta(days=2)) == 0, log.getvalue()
    (line,) = log.getvalue().splitlines()
    assert " 0 new" in line and line.endswith(f"; published: git gh-pages of {refusing} (commit "
                                              f"{commits(refusing)[0][:12]}, {len(changed(mirror, commit))} files)")
    assert commits(mirror) == [commit]  # up to date: not run again

    # the feed has a new item: one commit each, holding only what changed
    second = item(base, 2, now + timedelta(days=3))
    http_server.add("/f.xml", Reply(rss([second, first]), content_type=RSS))
    log = io.StringIO()
    assert run_scheduler(settings, once=True, stream=log, clock=lambda: now + timedelta(days=4)) == 0, log.getvalue()
    (line,) = log.getvalue().splitlines()
    assert " 1 new" in line and "failed:" not in line and "publish step" not in line
    newest, older = commits(mirror)
    assert older == commit
    new_posts = [p for p in changed(mirror, newest) if p.startswith("_posts/")]
    assert len(new_posts) == 1 and new_posts != posts  # the new article's post, not the old one again
    assert len(commits(refusing)) == 2

    # a round that stores nothing publishes nothing: no commit anywhere
    log = io.StringIO()
    assert run_scheduler(settings, once=True, stream=log, clock=lambda: now + timedelta(days=6)) == 0
    (line,) = log.getvalue().splitlines()
    assert line.startswith("round: 1 sources due, 1 ok, 0 failed, 0 new") and "published" not in line
    assert http_server.hits("/f.xml") == 4
    assert len(commits(mirror)) == 2 and len(commits(refusing)) == 2


def test_a_git_step_whose_build_failed_is_skipped_not_published(http_server, tmp_path):
    base = http_server.url("")
    http_server.add("/f.xml", Reply(rss([item(base, 1, datetime.now(UTC) - timedelta(hours=1))]), content_type=RSS))
    settings = Settings.from_home(tmp_path / "home")
    save_sources(settings.sources_file, [Source(name="示範社", feeds=(http_server.url("/f.xml"),), full_text="never")])
    mirror = tmp_path / "mirror.git"
    git("init", "-q", "--bare", str(mirror))
    settings.home.joinpath("site").write_text("a file where the build's folder should be", encoding="utf-8")
    settings.config_file.write_text(f'[[publish.build]]\ntarget = "jekyll"\nout = "site"\n\n'
                                    f'[[publish.git]]\nsite = "site"\nrepo = "{mirror}"\n', encoding="utf-8")
    once = CliRunner().invoke(cli, ["--home", str(settings.home), "run", "--once"])
    assert once.exit_code == 1
    build, skipped, line = once.stderr.splitlines()
    assert build.startswith("build jekyll failed: ")
    assert skipped == f"git gh-pages of {mirror} failed: skipped: build jekyll of {settings.home / 'site'} failed"
    assert "2 publish steps failed" in line and commits(mirror) == []
