"""Time budget for hostile pages: each must come back (article or not_article) within a second.

Usage: .venv/bin/python bench/badinput.py [--budget 1.0] [--repeat 3]

Builds the inputs of issue 13's "Bad input" list in memory (fictional text, nothing read from outside):
a 20 MB page, 50,000 nested divs, binary data, a page with no <body>, a page whose bytes mix UTF-8 and
Big5, a text capture with no title, and a few more shapes (one huge line, a page of 100,000 links, a
page of 200,000 tiny paragraphs). Each is extracted --repeat times; the best time is reported with the
kind, notes and text length the extractor returned. The budget is on CPU seconds (wall seconds are shown
too: on a shared machine they measure the load as much as the page). Exit status 1 when any input is over
--budget CPU seconds (best of the repeats), when a not_article comes back without a reason in its notes, or when
one run takes over --hang wall seconds (stopped by an alarm: a hang is reported, not waited for), so a run by
hand says at once whether the budget holds. Timing lives here, never in a test: the machine is shared and tests
never time things.
"""

from __future__ import annotations

import argparse
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from newsmirror.extract import extract_article  # noqa: E402

PARA = "市政府今天宣布河濱公園將進行全面改建，工程預計明年春天完工，居民可在網上查看設計圖並提出意見。"


def _page(body: str, head: str = "<title>河濱公園改建 | 範例新聞</title>") -> str:
    return f"<html><head><meta charset='utf-8'>{head}</head><body>{body}</body></html>"


def _inputs() -> dict[str, Callable[[], bytes | str]]:
    paras = [f"第{i}段：{PARA}" for i in range(1, 9)]
    story = "<h1>河濱公園改建</h1>" + "".join(f"<p>{p}</p>" for p in paras)
    return {
        "20 MB page (story + 20 MB of filler paragraphs)": lambda: _page(
            story + "<div class='more'>" + "".join(f"<p>{i}：{PARA}</p>" for i in range(20_000_000 // (len(PARA.encode()) + 14)))
            + "</div>"),
        "20 MB of one text line": lambda: _page(story + "<p>" + "字" * 7_000_000 + "</p>"),
        "50,000 nested divs": lambda: _page("<div>" * 50_000 + story + "</div>" * 50_000),
        "50,000 nested divs, never closed": lambda: _page("<div>" * 50_000 + story),
        "binary (2 MB of bytes 0-255)": lambda: bytes(range(256)) * 8192,
        "no <body>": lambda: "<html><head><title>河濱公園改建</title></head>" + "".join(f"<p>{p}</p>" for p in paras),
        "mixed UTF-8 and Big5 bytes": lambda: _page(story).removesuffix("</body></html>").encode("utf-8")
            + ("<p>" + PARA * 3 + "</p></body></html>").encode("big5"),
        "text capture with no title": lambda: "\n\n".join(paras),
        "20 MB text capture with no title": lambda: "\n\n".join(f"{i}：{PARA}" for i in range(20_000_000 // 140)),
        "page of one text over 10 MB": lambda: _page(story + "<p>" + "河濱公園" * 900_000 + "</p>"),
        "nesting with text at every level": lambda: _page(story + "<div>層" * 50_000),
        "100,000 links": lambda: _page(story + "".join(f"<a href='/n/{i}'>新聞{i}</a>" for i in range(100_000))),
        "200,000 tiny paragraphs": lambda: _page(story + "<p>字</p>" * 200_000),
    }


class Hung(Exception):
    """One extraction ran past --hang wall seconds."""


def _alarm(_signum, _frame) -> None:
    raise Hung()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--budget", type=float, default=1.0, help="seconds one page may take (default 1.0)")
    ap.add_argument("--repeat", type=int, default=3, help="runs per input; the best is reported (default 3)")
    ap.add_argument("--hang", type=int, default=60, help="wall seconds after which a run is stopped as hung (default 60)")
    args = ap.parse_args(argv)
    extract_article(_page("<h1>預熱</h1>" + f"<p>{PARA}</p>" * 4))  # lazy imports outside the timing
    over = 0
    print("| input | size | best CPU s | best wall s | kind | text chars | notes |")
    print("|---|---|---|---|---|---|---|")
    for name, build in _inputs().items():
        data = build()
        size = len(data.encode("utf-8")) if isinstance(data, str) else len(data)
        best = best_cpu = float("inf")
        art = None
        hung = False
        signal.signal(signal.SIGALRM, _alarm)
        for _ in range(args.repeat):
            t, c = time.perf_counter(), time.process_time()
            signal.alarm(args.hang)
            try:
                art = extract_article(data)
            except Hung:
                hung = True
                break
            finally:
                signal.alarm(0)
            best = min(best, time.perf_counter() - t)
            best_cpu = min(best_cpu, time.process_time() - c)
        if hung or art is None:
            over += 1
            print(f"| {name} | {size / 1e6:.1f} MB | **hung** (over {args.hang} s) | | | | |")
            continue
        flag = " **over budget**" if best_cpu > args.budget else ""
        no_reason = art.kind == "not_article" and not art.notes
        over += best_cpu > args.budget or no_reason
        notes = (art.notes or "**no reason given**")[:60]
        print(f"| {name} | {size / 1e6:.1f} MB | {best_cpu:.2f}{flag} | {best:.2f} | {art.kind} | {len(art.text)} | {notes} |")
    print(f"{over} of {len(_inputs())} inputs over the {args.budget:.1f} s budget, hung or not_article without a reason",
          file=sys.stderr)
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
