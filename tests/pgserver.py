"""A throwaway PostgreSQL cluster for tests: Debian's postgresql package, in a temp dir, on a free port.

`PgServer.start()` runs initdb and postgres as the `postgres` user when we are root (PostgreSQL
refuses to run as root; CI runs as root), with its socket and data in a temp dir; `stop()` ends it
and removes the dir. `fresh_url()` creates a new database for each caller, so tests never share
state. Absent binaries: `find_pg_bin()` returns None and the fixtures skip, or fail under CI=true.

A test run killed with SIGKILL never reaches `stop()`: each cluster's dir records the pid of the test process
that owns it, and every `start()` first ends the clusters whose owner is gone (`reap_orphans`), so killed runs
never leave PostgreSQL servers behind for long.
"""

from __future__ import annotations

import glob
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

__all__ = ["PgServer", "find_pg_bin", "reap_orphans"]

OWNER = "owner.pid"  # the pid of the test process that started the cluster


def find_pg_bin() -> Path | None:
    """The bin folder of the newest installed PostgreSQL (Debian: /usr/lib/postgresql/N/bin)."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def reap_orphans(tmp: str | None = None) -> list[Path]:
    """End the test clusters whose owning test process is gone (killed runs); return the dirs removed.

    Only dirs that name their owner are touched, so a cluster of another running test session is left alone.
    """
    removed = []
    for d in map(Path, glob.glob(os.path.join(tmp or tempfile.gettempdir(), "nm-pg-*"))):
        try:
            owner = int((d / OWNER).read_text())
        except (OSError, ValueError):
            continue
        if _alive(owner):
            continue
        try:  # postmaster.pid's first line is the server's pid; SIGQUIT is PostgreSQL's immediate shutdown
            server = int((d / "data" / "postmaster.pid").read_text().split()[0])
            os.kill(server, signal.SIGQUIT)
            deadline = time.monotonic() + 10
            while _alive(server) and time.monotonic() < deadline:
                time.sleep(0.05)
            if _alive(server):
                os.kill(server, signal.SIGKILL)
        except (OSError, ValueError, IndexError):
            pass
        shutil.rmtree(d, ignore_errors=True)
        removed.append(d)
    return removed


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PgServer:
    """One PostgreSQL cluster in a temp dir."""

    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.dir = Path(tempfile.mkdtemp(prefix="nm-pg-"))
        (self.dir / OWNER).write_text(str(os.getpid()))
        self.port = _free_port()
        self.proc: subprocess.Popen | None = None
        self._n = 0
        self._user: list[str] = []
        if os.geteuid() == 0:  # PostgreSQL will not run as root
            self._user = ["runuser", "-u", "postgres", "--"]
            shutil.chown(self.dir, "postgres")
        self.role = "postgres" if self._user else os.environ.get("USER", "postgres")

    def _run(self, *args: str) -> None:
        subprocess.run([*self._user, *args], check=True, capture_output=True, timeout=120)

    def start(self) -> PgServer:
        reap_orphans(str(self.dir.parent))
        data = self.dir / "data"
        self._run(str(self.bindir / "initdb"), "-D", str(data), "-A", "trust", "-U", self.role, "-E", "UTF8",
                  "--no-locale", "--no-sync")
        self.proc = subprocess.Popen(
            [*self._user, str(self.bindir / "postgres"), "-D", str(data), "-p", str(self.port), "-k", str(self.dir),
             "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "synchronous_commit=off",
             "-c", "full_page_writes=off", "-c", "max_connections=200", "-c", "shared_buffers=32MB"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"postgres exited with {self.proc.returncode} on port {self.port}")
            ready = subprocess.run([str(self.bindir / "pg_isready"), "-h", "127.0.0.1", "-p", str(self.port)],
                                   capture_output=True)
            if ready.returncode == 0:
                return self
            time.sleep(0.1)
        raise RuntimeError(f"postgres did not accept connections on port {self.port} within 60 s")

    def url(self, db: str = "postgres") -> str:
        return f"postgresql://{self.role}@127.0.0.1:{self.port}/{db}"

    def fresh_url(self) -> str:
        """A new, empty database's URL."""
        import psycopg

        self._n += 1
        name = f"t{os.getpid()}_{self._n}"
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name} TEMPLATE template0")
        return self.url(name)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()  # smart shutdown: SIGTERM
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)
