"""The code stays clean: `ruff check src tests bench` and `mypy src` (with pyproject's settings) find nothing.

Both come with the test extra; run by hand as `.venv/bin/ruff check src tests bench` and `.venv/bin/mypy src`.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _needs(module: str) -> None:
    if importlib.util.find_spec(module) is None:
        if os.environ.get("CI"):
            pytest.fail(f"{module} is not installed; it is in the test extra (pip install -e '.[test]')")
        pytest.skip(f"{module} is not installed; pip install -e '.[test]'")


def test_ruff_finds_nothing():
    _needs("ruff")
    done = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", "src", "tests", "bench"],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr


def test_mypy_finds_nothing():
    _needs("mypy")
    done = subprocess.run([sys.executable, "-m", "mypy", "src"], cwd=ROOT, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
