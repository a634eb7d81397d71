"""Progress lines for long work: items done, rate, failures; quiet when asked.

On a terminal one line is rewritten in place; otherwise a line is printed at most every few
seconds, so logs from cron or CI stay short.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

__all__ = ["Progress"]


class Progress:
    """Counts work done and failures, and reports them to stderr at a bounded rate."""

    def __init__(self, label: str, total: int | None = None, *, stream: TextIO | None = None,
                 quiet: bool = False, interval: float | None = None) -> None:
        self.label = label
        self.total = total
        self.done = 0
        self.failed = 0
        self.extra: dict[str, int] = {}
        self.stream = stream or sys.stderr
        self.quiet = quiet
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.interval = interval if interval is not None else (0.2 if self.tty else 5.0)
        self.started = time.monotonic()
        self._last = 0.0

    def advance(self, n: int = 1, *, failed: bool = False, **counts: int) -> None:
        """Record `n` items done (one failed if `failed`) and extra counters such as new=3."""
        self.done += n
        if failed:
            self.failed += 1
        for key, value in counts.items():
            self.extra[key] = self.extra.get(key, 0) + value
        now = time.monotonic()
        if now - self._last >= self.interval:
            self._last = now
            self._show()

    def message(self, text: str) -> None:
        """Print one line (a failure reason, say) without garbling the progress line."""
        if self.quiet:
            return
        if self.tty:
            self.stream.write("\r\033[K")
        self.stream.write(text + "\n")
        self.stream.flush()

    @property
    def seconds(self) -> float:
        return time.monotonic() - self.started

    def status(self) -> str:
        """The current progress as one line."""
        secs = max(self.seconds, 1e-9)
        total = f"/{self.total}" if self.total is not None else ""
        parts = [f"{self.label}: {self.done}{total} done", f"{self.done / secs:.1f}/s"]
        parts += [f"{v} {k}" for k, v in self.extra.items()]
        parts.append(f"{self.failed} failed")
        return ", ".join(parts)

    def _show(self) -> None:
        if self.quiet:
            return
        if self.tty:
            self.stream.write("\r\033[K" + self.status())
        else:
            self.stream.write(self.status() + "\n")
        self.stream.flush()

    def finish(self) -> None:
        """End the in-place line (the caller prints the summary)."""
        if self.quiet:
            return
        if self.tty:
            self.stream.write("\r\033[K")
            self.stream.flush()
