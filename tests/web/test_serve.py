"""`newsmirror serve` for real: uvicorn in a subprocess on a free port of 127.0.0.1."""

from __future__ import annotations

import subprocess
import sys
import time

import httpx
import pytest
from conftest import free_port


@pytest.fixture
def served(settings):
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "newsmirror", "--home", str(settings.home), "serve", "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    try:
        while True:
            try:
                httpx.get(base + "/static/favicon.svg", timeout=1)
                break
            except httpx.TransportError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    out = proc.stdout.read().decode(errors="replace") if proc.stdout else ""
                    pytest.fail(f"newsmirror serve did not come up: {out[-2000:]}")
                time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if proc.stdout:
            proc.stdout.close()


def test_serve_answers_pages_and_api_on_localhost(served, ids):
    with httpx.Client(base_url=served, timeout=10) as http:
        home = http.get("/")
        assert home.status_code == 200 and "立法院三讀通過修正案" in home.text
        assert home.headers["x-content-type-options"] == "nosniff"
        assert "server" not in home.headers
        api = http.get(f"/api/articles/{ids['law']}")
        assert api.json()["article"]["version"] == 2
        assert http.post("/api/sources").status_code == 405
        assert http.get("/api/articles?limit=0").status_code == 400


def test_live_thread_server_is_usable(live_server):
    r = httpx.get(live_server + "/api/sources", timeout=10)
    assert r.status_code == 200 and r.json()["ok"] is True


def test_serve_on_a_busy_port_is_a_one_line_error(settings):
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        res = subprocess.run(
            [sys.executable, "-m", "newsmirror", "--home", str(settings.home), "serve", "--port", str(port)],
            capture_output=True, text=True, timeout=30,
        )
    assert res.returncode == 1
    assert res.stderr.strip() == f"error: cannot listen on 127.0.0.1:{port}: Address already in use; pass another --port"
