"""Dead hosts benchmark: ten outlets' feeds that work, with every article host unreachable.

The issue's case: a reader behind a firewall, whose outlets' sites are blocked while their feeds,
served elsewhere, still work. Ten feeds named after real outlets (BBC 中文, DW, NYT 中文, RTHK,
明報 ...), 339 summary-only items, are served from 127.0.0.1 (text written here, fictional). Every
item links to an article host that cannot be reached, in the three ways a blocked site fails:
- a name that does not resolve (a reserved `.invalid` name);
- a refused port (127.0.0.1, nothing listening);
- a blackholed address: a listening socket whose accept queue is full, so a new connection's SYN
  is dropped and the connect hangs until its timeout, as behind a filtering firewall.
`newsmirror fetch` runs twice into a fresh home, as a user would (whole process, default settings),
and the wall time of each is printed beside the issue's target and the figure it reports for the
release before (192 s for the first fetch on the real outlets; the next run as long).

Run by hand:  .venv/bin/python bench/deadhosts.py
"""

from __future__ import annotations

import argparse
import socket
import subprocess
import sys
import tempfile
import threading
import time
from email.utils import format_datetime
from datetime import datetime, timedelta, UTC
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from xml.sax.saxutils import escape

OUTLETS = [  # (name, items, how its article host fails)
    ("BBC 中文", 40, "dns"), ("DW 中文", 34, "refused"), ("紐約時報中文網", 30, "blackhole"),
    ("RTHK 香港電台", 36, "dns"), ("明報", 33, "refused"), ("法廣 RFI", 32, "blackhole"),
    ("美國之音", 34, "dns"), ("自由亞洲電台", 30, "refused"), ("端傳媒", 35, "blackhole"), ("聯合早報", 35, "dns"),
]


def feed_xml(name: str, n: int, page_base: str) -> bytes:
    now = datetime.now(UTC)
    items = []
    for i in range(n):
        when = format_datetime(now - timedelta(hours=i))
        items.append(f"<item><title>{escape(name)}測試新聞第{i}則</title><link>{page_base}/news/{i}.html</link>"
                     f"<guid>{page_base}/news/{i}</guid><pubDate>{when}</pubDate>"
                     f"<description>這是一句摘要，全文在網站上。</description></item>")
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>{escape(name)}</title>'
            f"<link>{page_base}/</link><description>bench</description>{''.join(items)}</channel></rss>").encode()


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def blackhole() -> tuple[socket.socket, list[socket.socket], int]:
    """A listening socket whose accept queue is full: further connections hang (SYN dropped)."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(0)
    port = srv.getsockname()[1]
    fillers = []
    for _ in range(3):
        c = socket.socket()
        c.setblocking(False)
        try:
            c.connect(("127.0.0.1", port))
        except BlockingIOError:
            pass
        fillers.append(c)
    time.sleep(0.2)
    return srv, fillers, port


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.parse_args()
    held = []
    feeds: dict[str, bytes] = {}
    sources = []
    for k, (name, n, how) in enumerate(OUTLETS):
        if how == "dns":
            base = f"https://www.outlet{k}.invalid"
        elif how == "refused":
            base = f"http://127.0.0.1:{closed_port()}"
        else:
            srv, fillers, port = blackhole()
            held += [srv, *fillers]
            base = f"http://127.0.0.1:{port}"
        feeds[f"/feed{k}.xml"] = feed_xml(name, n, base)
        sources.append((name, f"/feed{k}.xml", how))

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            body = feeds.get(self.path)
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", "application/rss+xml; charset=utf-8")
            self.send_header("Content-Length", str(len(body or b"")))
            self.end_headers()
            self.wfile.write(body or b"")

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    feed_base = f"http://127.0.0.1:{httpd.server_address[1]}"
    exe = Path(sys.executable).with_name("newsmirror")
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "home"
        home.mkdir()
        toml = "".join(f'[[source]]\nname = "{name}"\nfeeds = ["{feed_base}{path}"]\n\n' for name, path, _ in sources)
        (home / "sources.toml").write_text(toml, encoding="utf-8")
        times, tails = [], []
        for _ in range(2):
            started = time.perf_counter()
            done = subprocess.run([str(exe), "-q", "--home", str(home), "fetch"], capture_output=True, text=True)
            times.append(time.perf_counter() - started)
            tails.append(done.stderr.strip().splitlines())
    httpd.shutdown()
    for s in held:
        s.close()
    total = sum(n for _, n, _ in OUTLETS)
    print(f"ten feeds, {total} items, article hosts unreachable: "
          f"{sum(1 for *_, h in OUTLETS if h == 'dns')} do not resolve, "
          f"{sum(1 for *_, h in OUTLETS if h == 'refused')} refuse, {sum(1 for *_, h in OUTLETS if h == 'blackhole')} "
          f"blackholed")
    print(f"{'run':<14}{'newsmirror':>12}{'target':>10}{'before (issue)':>16}")
    print(f"{'first fetch':<14}{times[0]:>10.1f} s{'≤ 40 s':>10}{'192 s':>16}")
    print(f"{'second fetch':<14}{times[1]:>10.1f} s{'≤ 10 s':>10}{'≈ 192 s':>16}")
    for label, lines in zip(("first", "second"), tails):
        print(f"\n{label} run's output ({len(lines)} lines):")
        for line in lines:
            print(f"  {line}")


if __name__ == "__main__":
    main()
