"""The test cluster helper never leaves a PostgreSQL server behind when its test run is killed (SIGKILL)."""

from __future__ import annotations

import os
import signal
import subprocess
import shutil
import sys
import tempfile
import time
from pathlib import Path

import pytest

from pgserver import find_pg_bin, reap_orphans

HERE = Path(__file__).parent

STARTER = """
import sys, time
sys.path.insert(0, sys.argv[1])
from pgserver import PgServer, find_pg_bin
server = PgServer(find_pg_bin()).start()
print(server.dir, flush=True)
time.sleep(600)
"""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.mark.slow
def test_a_killed_runs_cluster_is_ended_by_the_next_start():
    if find_pg_bin() is None:
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL is not installed; CI must install it")
        pytest.skip("PostgreSQL is not installed (apt-get install postgresql)")
    tmp_path = Path(tempfile.mkdtemp(prefix="nm-reap-"))  # not pytest's tmp_path: postgres must reach it
    os.chmod(tmp_path, 0o755)
    env = {**os.environ, "TMPDIR": str(tmp_path)}
    starter = subprocess.Popen([sys.executable, "-c", STARTER, str(HERE)], stdout=subprocess.PIPE, text=True, env=env)
    try:
        cluster = Path(starter.stdout.readline().strip())
        server = int((cluster / "data" / "postmaster.pid").read_text().split()[0])
        assert _alive(server)
        assert reap_orphans(str(tmp_path)) == []  # its owner is alive: left alone
        starter.send_signal(signal.SIGKILL)  # the test run dies without stop()
        starter.wait(timeout=10)
        assert _alive(server), "the server outlived its killed owner (what the reaper is for)"
        assert reap_orphans(str(tmp_path)) == [cluster]
        deadline = time.monotonic() + 10
        while _alive(server) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not _alive(server)
        assert not cluster.exists()
    finally:
        if starter.poll() is None:
            starter.kill()
            starter.wait()
        starter.stdout.close()
        reap_orphans(str(tmp_path))
        shutil.rmtree(tmp_path, ignore_errors=True)
