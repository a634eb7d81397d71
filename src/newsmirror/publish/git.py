"""Publish a built folder to a branch of a git repository (`newsmirror publish git OUT --repo …`).

One commit per publish, on top of the branch's tip, holding the folder as it is now: its diff is
exactly the files that changed, and an unchanged folder makes no commit. Nothing else in the
repository is touched: no other branch, no history rewritten (the push is a fast-forward, never
forced), no working tree. A branch whose newest commit newsmirror did not make (someone pushed to
it, or it is unrelated history) is refused unless `force`, and even then newsmirror commits on top
of it, so nothing is lost. (ghp-import, by contrast, replaces the branch wholesale.)

How: a bare repository beside the build, `OUT/.newsmirror-git`, fetches the branch, stages the
folder with a private index (kept between publishes so only changed files are hashed again),
writes the tree and a commit with `git commit-tree`, and pushes it to the repository, local path
or URL alike. newsmirror's commits carry a `Published-by: newsmirror` trailer. Build state files
(`.newsmirror-*`) and Jekyll's `_site/` and `.jekyll-cache/` are never published.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from newsmirror.errors import PublishError

__all__ = ["TRAILER", "PublishResult", "publish_git"]

TRAILER = "Published-by: newsmirror"
_EXCLUDE = (":(exclude).newsmirror*", ":(exclude)_site", ":(exclude).jekyll-cache")
_IDENTITY = {"GIT_AUTHOR_NAME": "newsmirror", "GIT_AUTHOR_EMAIL": "newsmirror@localhost",
             "GIT_COMMITTER_NAME": "newsmirror", "GIT_COMMITTER_EMAIL": "newsmirror@localhost"}


@dataclass(frozen=True)
class PublishResult:
    """What one publish did: the commit made (None when nothing changed), files changed, where."""

    repo: str
    branch: str
    commit: str | None
    changed: int
    seconds: float

    def line(self) -> str:
        """The one summary line a publish ends with."""
        if self.commit is None:
            return f"publish git done: nothing changed, no commit; branch {self.branch} of {self.repo}"
        return (f"publish git done: commit {self.commit[:12]} with {self.changed} changed files on branch "
                f"{self.branch} of {self.repo}; {self.seconds:.1f} s")


class _Git:
    """git commands against the publishing cache, with errors as PublishError."""

    def __init__(self, cache: Path, site: Path, index: Path) -> None:
        exe = shutil.which("git")
        if exe is None:
            raise PublishError("git is not installed; install it (apt-get install git) to publish to a repository")
        self.exe = exe
        self.env = {**os.environ, "GIT_DIR": str(cache), "GIT_INDEX_FILE": str(index), "GIT_WORK_TREE": str(site),
                    "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"}
        for key in ("GIT_OBJECT_DIRECTORY", "GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_NAMESPACE"):
            self.env.pop(key, None)

    def run(self, *args: str, check: bool = True, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
        proc = subprocess.run([self.exe, *args], capture_output=True, text=True, env={**self.env, **(env or {})},
                              cwd=self.env["GIT_WORK_TREE"])
        if check and proc.returncode != 0:
            raise PublishError(f"git {args[0]} failed: {_first_line(proc.stderr or proc.stdout)}")
        return proc

    def out(self, *args: str) -> str:
        return self.run(*args).stdout.strip()


def _first_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("hint:")]
    return "; ".join(lines[:2]) if lines else "no message"


def _target(repo: str) -> str:
    """The repository as git should be given it: an absolute path for a local one, else the URL as is."""
    if "://" in repo or (":" in repo.split("/", 1)[0] and not Path(repo).exists()):  # https://…, user@host:path
        return repo
    path = Path(repo).expanduser()
    if not path.exists():
        raise PublishError(f"repository {repo} does not exist; create it (git init --bare {repo}) or give a URL")
    return str(path.resolve())


def publish_git(site: Path, repo: str, *, branch: str = "gh-pages", message: str | None = None,
                force: bool = False) -> PublishResult:
    """Commit the folder `site` to `branch` of `repo` (a path or URL) and push it; see the module docstring."""
    import time

    started = time.monotonic()
    site = Path(site)
    if not site.is_dir():
        raise PublishError(f"{site} is not a folder; build the site first (newsmirror build site {site})")
    site = site.resolve()  # git runs in the folder: a relative OUT would be read twice from it
    if not branch or branch.startswith("-") or any(c in branch for c in " ~^:?*[\\") or ".." in branch:
        raise PublishError(f"branch {branch!r} is not a valid branch name")
    url = _target(repo)
    cache = site / ".newsmirror-git"
    key = hashlib.sha1(f"{url}\0{branch}".encode()).hexdigest()[:12]
    git = _Git(cache, site, cache / f"index-{key}")
    if not (cache / "HEAD").exists():
        subprocess.run([git.exe, "init", "-q", "--bare", str(cache)], capture_output=True, check=False,
                       env={k: v for k, v in git.env.items() if not k.startswith("GIT_")})
        if not (cache / "HEAD").exists():
            raise PublishError(f"cannot create {cache}; check that {site} is writable")
    tip = _remote_tip(git, url, repo, branch)
    if tip is not None:
        git.run("fetch", "-q", "--no-tags", url, f"+refs/heads/{branch}:refs/newsmirror/{key}")
        if not force and TRAILER not in git.out("log", "-1", "--format=%B", tip):
            who = git.out("log", "-1", "--format=%an <%ae>, %cd", "--date=short", tip)
            raise PublishError(f"branch {branch} of {repo} holds commits newsmirror did not make (newest: "
                               f"{tip[:12]} by {who}); pass --force to publish on top of them, "
                               f"or choose another --branch")
    base_file = cache / f"index-{key}.base"
    base = base_file.read_text().strip() if base_file.exists() else None
    if base != tip:  # the branch is not where this index left it: start from its tree (or empty)
        (cache / f"index-{key}").unlink(missing_ok=True)
        if tip is not None:
            git.run("read-tree", tip)
    git.run("add", "--all", "--", ".", *_EXCLUDE)
    tree = git.out("write-tree")
    if tip is not None and tree == git.out("rev-parse", f"{tip}^{{tree}}"):
        base_file.write_text(tip)
        return PublishResult(repo, branch, None, 0, time.monotonic() - started)
    text = (message or f"newsmirror: publish {datetime.now(UTC):%Y-%m-%d %H:%M} UTC").rstrip() + f"\n\n{TRAILER}\n"
    identity = {} if git.run("config", "user.email", check=False).stdout.strip() else _IDENTITY
    commit = _commit_tree(git, tree, tip, text, identity)
    changed = len(git.out("diff-tree", "-r", "--no-commit-id", "--name-only", "--root", *([tip] if tip else []),
                          commit).splitlines())
    push = git.run("push", "-q", url, f"{commit}:refs/heads/{branch}", check=False)
    if push.returncode != 0:
        raise PublishError(f"git push to {repo} was refused: {_first_line(push.stderr)}")
    base_file.write_text(commit)
    return PublishResult(repo, branch, commit, changed, time.monotonic() - started)


def _commit_tree(git: _Git, tree: str, parent: str | None, message: str, identity: dict[str, str]) -> str:
    proc = subprocess.run([git.exe, "commit-tree", tree, *(["-p", parent] if parent else [])], input=message,
                          capture_output=True, text=True, env={**git.env, **identity})
    if proc.returncode != 0:
        raise PublishError(f"git commit-tree failed: {_first_line(proc.stderr)}")
    return proc.stdout.strip()


def _remote_tip(git: _Git, url: str, repo: str, branch: str) -> str | None:
    """The branch's commit in the repository, None when the branch does not exist yet."""
    proc = git.run("ls-remote", "--heads", url, f"refs/heads/{branch}", check=False)
    if proc.returncode != 0:
        reason = _first_line(proc.stderr)
        if "not appear to be a git repository" in reason or "not a git repository" in reason:
            raise PublishError(f"{repo} is not a git repository; create one with 'git init --bare {repo}' "
                               f"or give the repository's URL")
        raise PublishError(f"cannot reach the repository {repo}: {reason}")
    for line in proc.stdout.splitlines():
        sha, _, ref = line.partition("\t")
        if ref == f"refs/heads/{branch}":
            return sha
    return None
