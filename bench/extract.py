"""Benchmark article extraction: newsmirror vs trafilatura vs readability-lxml, in one run.

Usage: .venv/bin/python bench/extract.py [--shared ../shared] [--only newsmirror,trafilatura] [--rounds 3]

Runs each extractor over ../shared/corpus/pages (scored by ../shared/tools/score_extract.py)
and ../shared/aeb/html/*.html.gz (scored by ../shared/tools/score_aeb.py), then prints one table:
corpus clean, body_f1, title, date, authors_named, kind; AEB F1/precision/recall; pages/s over
both sets and peak Python memory (a last pass per extractor under tracemalloc). Peers get their
own metadata too: trafilatura's bare_extraction title/author/date, readability's title().
Needs `pip install trafilatura readability-lxml` for the peers.

Speed on a shared 2-core machine: each round runs every extractor over all pages, interleaved in
chunks of --chunk pages (ABBA order, so a burst of load from other processes hits each one alike).
--warmup untimed rounds come first (default 1: a first pass pays one-time lazy loading; trafilatura's
is ~25% slower than its next). Before every round, trafilatura's LRU caches are reset
(trafilatura.meta.reset_caches) and each extractor is warmed on a small page outside the set, so
no round measures lines and dates memoized from an earlier round (worth ~5% to trafilatura;
newsmirror keeps no cache across pages); then a full garbage collection. pages/s is the median of
the --rounds timed rounds (default 3); "speed vs trafilatura" is the median of the per-round
ratios (paired, so steadier than a ratio of medians). The same ratio is printed in CPU seconds too
(time.process_time around each extractor's turns: what each extractor itself spent, without the time it
waited for a core, so steadier than wall time when other processes load the machine), with the load
average after each round. Scores come from the first pass's outputs.

Measured figures, with the command and the machine, are kept in bench/README.md.
"""

from __future__ import annotations

import argparse
import gc
import gzip
import importlib.util
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import tracemalloc
import warnings
from pathlib import Path
from collections.abc import Callable

REPO = Path(__file__).resolve().parent.parent
WS = re.compile(r"\s+")


def run_newsmirror(html: bytes, url: str | None) -> dict:
    from newsmirror.extract import extract_article
    from newsmirror.extract.output import article_to_dict

    d = article_to_dict(extract_article(html, url))
    return {k: d[k] for k in ("title", "authors", "published", "text", "kind")}


def run_trafilatura(html: bytes, url: str | None) -> dict:
    import trafilatura

    doc = trafilatura.bare_extraction(html, url=url, with_metadata=True)
    if doc is None:
        return {"title": "", "authors": [], "published": None, "text": "", "kind": "not_article"}
    get = (lambda k: getattr(doc, k, None)) if not isinstance(doc, dict) else doc.get
    author = get("author") or ""
    authors = [a.strip() for a in re.split(r"[;,、]", author) if a.strip()]
    return {"title": get("title") or "", "authors": authors, "published": get("date"), "text": get("text") or ""}


def run_readability(html: bytes, url: str | None) -> dict:
    from lxml import html as lxml_html
    from readability import Document

    doc = Document(html, url=url)
    summary = doc.summary(html_partial=True)
    try:
        root = lxml_html.fragment_fromstring(summary, create_parent="div")
        paras = []
        for el in root.iter("p", "h1", "h2", "h3", "h4", "li", "pre", "blockquote", "td"):
            t = WS.sub(" ", el.text_content()).strip()
            if t:
                paras.append(t)
        text = "\n\n".join(paras) or WS.sub(" ", root.text_content()).strip()
    except Exception:  # noqa: BLE001 -- an empty summary is just no text
        text = ""
    return {"title": doc.short_title() or doc.title() or "", "authors": [], "published": None, "text": text}


EXTRACTORS: dict[str, Callable[[bytes, str | None], dict]] = {
    "newsmirror": run_newsmirror,
    "trafilatura": run_trafilatura,
    "readability": run_readability,
}


def reset_trafilatura() -> None:
    """Forget what trafilatura memoized about earlier pages (its LRU caches of lines, dates, URLs)."""
    from trafilatura.meta import reset_caches

    reset_caches()


# Called before every round: a later round must not be faster only because it saw the same pages before.
RESETS: dict[str, Callable[[], None]] = {"trafilatura": reset_trafilatura}
# Warms what resets drop that does not depend on the pages (stop lists, lazy tables).
WARM_PAGE = ("<html><head><title>暖身頁面 | 範例</title></head><body><article><h1>暖身頁面</h1>"
             "<p>這是一段暖身用的文字，不屬於測試頁面。This paragraph only warms lazy tables.</p>"
             "</article></body></html>").encode()


def load_module(path: Path, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def safe(fn, html: bytes, url: str | None) -> dict:
    try:
        return fn(html, url)
    except Exception as exc:  # noqa: BLE001 -- a peer's crash scores as an empty answer
        return {"title": "", "authors": [], "published": None, "text": "", "error": repr(exc)[:200]}


def _median(xs: list[float]) -> float:
    xs = sorted(xs)
    mid = len(xs) // 2
    return xs[mid] if len(xs) % 2 else (xs[mid - 1] + xs[mid]) / 2


def time_rounds(names: list[str], pages: list[tuple[str, bytes, str | None]], rounds: int, chunk: int,
                warmup: int = 1) -> tuple[dict[str, list[float]], dict[str, list[float]], dict[str, list[tuple[str, dict]]]]:
    """Wall seconds and CPU seconds per extractor per timed round, interleaved in chunks, after `warmup`
    untimed rounds; the first round's outputs (warm-up or timed) for scoring."""
    spent: dict[str, list[float]] = {n: [] for n in names}
    cpu_spent: dict[str, list[float]] = {n: [] for n in names}
    outs: dict[str, list[tuple[str, dict]]] = {n: [] for n in names}
    for r in range(warmup + rounds):
        for name in names:
            if name in RESETS:
                RESETS[name]()
            safe(EXTRACTORS[name], WARM_PAGE, None)
        gc.collect()
        total = dict.fromkeys(names, 0.0)
        cpu = dict.fromkeys(names, 0.0)
        for c, lo in enumerate(range(0, len(pages), chunk)):
            part = pages[lo: lo + chunk]
            order = names if (c + r) % 2 == 0 else names[::-1]
            for name in order:
                fn = EXTRACTORS[name]
                t0, c0 = time.perf_counter(), time.process_time()
                results = [safe(fn, html, url) for _key, html, url in part]
                total[name] += time.perf_counter() - t0
                cpu[name] += time.process_time() - c0
                if r == 0:
                    outs[name].extend((key, res) for (key, _h, _u), res in zip(part, results))
        label = f"warm-up {r + 1}" if r < warmup else f"round {r - warmup + 1}"
        print(f"{label}: " + ", ".join(f"{n} {total[n]:.2f}s ({cpu[n]:.2f} CPU-s)" for n in names)
              + f", load average {os.getloadavg()[0]:.1f}", file=sys.stderr)
        if r >= warmup:
            for name in names:
                spent[name].append(total[name])
                cpu_spent[name].append(cpu[name])
    return spent, cpu_spent, outs


def peak_memory(fn: Callable[[bytes, str | None], dict], pages: list[tuple[str, bytes, str | None]]) -> float:
    """Peak Python heap (MiB, tracemalloc) over one pass of the pages."""
    gc.collect()
    tracemalloc.start()
    for _key, html, url in pages:
        safe(fn, html, url)
    _cur, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", default=str(REPO.parent / "shared"))
    ap.add_argument("--only", default=",".join(EXTRACTORS))
    ap.add_argument("--rounds", type=int, default=3, help="timing rounds; the median is reported")
    ap.add_argument("--chunk", type=int, default=25, help="pages per extractor turn within a round")
    ap.add_argument("--warmup", type=int, default=1, help="untimed rounds first (one-time lazy loading)")
    ap.add_argument("--keep", help="folder to keep the outputs in")
    args = ap.parse_args(argv)
    shared = Path(args.shared)
    corpus_pages = sorted((shared / "corpus" / "pages").glob("*.html"))
    aeb_truth = json.loads((shared / "aeb" / "ground-truth.json").read_text(encoding="utf-8"))
    aeb_pages = sorted((shared / "aeb" / "html").glob("*.html.gz"))
    corpus = [(p.name, p.read_bytes(), None) for p in corpus_pages]
    aeb = []
    for p in aeb_pages:
        key = p.name[: -len(".html.gz")]
        aeb.append((key, gzip.decompress(p.read_bytes()), (aeb_truth.get(key) or {}).get("url")))
    score_extract = load_module(shared / "tools" / "score_extract.py", "score_extract")
    out_dir = Path(args.keep or tempfile.mkdtemp(prefix="bench-extract-"))
    out_dir.mkdir(parents=True, exist_ok=True)
    warnings.simplefilter("ignore")
    names = []
    for name in args.only.split(","):
        try:
            for _key, html, url in corpus[:3] + aeb[:3]:  # warm-up: imports, lazy tables, caches
                EXTRACTORS[name](html, url)
        except ImportError as exc:
            print(f"{name}: skipped ({exc})", file=sys.stderr)
            continue
        names.append(name)
    pages = corpus + aeb
    n = len(pages)
    spent, cpu_spent, outs = time_rounds(names, pages, max(1, args.rounds), max(1, args.chunk), max(0, args.warmup))
    rows = []
    for name in names:
        mem = peak_memory(EXTRACTORS[name], pages)
        corpus_out = outs[name][: len(corpus)]
        aeb_out = outs[name][len(corpus):]
        jsonl = out_dir / f"{name}.corpus.jsonl"
        with jsonl.open("w", encoding="utf-8") as fh:
            for f, r in corpus_out:
                fh.write(json.dumps({"file": f, **r}, ensure_ascii=False, default=str) + "\n")
        pred = out_dir / f"{name}.aeb.json"
        pred.write_text(json.dumps({k: {"articleBody": r.get("text") or ""} for k, r in aeb_out}, ensure_ascii=False),
                        encoding="utf-8")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = score_extract.score(str(shared / "corpus" / "labels"), str(jsonl))
        line = subprocess.run([sys.executable, str(shared / "tools" / "score_aeb.py"), str(pred)],
                              capture_output=True, text=True, check=True).stdout
        aebres = dict(kv.split("=") for kv in line.split())
        errors = sum(1 for _f, r in corpus_out + aeb_out if "error" in r)
        speed = _median([n / s for s in spent[name]])
        rows.append((name, res, aebres, speed, mem, errors))

    head = ("extractor", "clean", "body_f1", "title", "date", "authors_named", "kind",
            "aeb_f1", "aeb_p", "aeb_r", "pages/s", "peak_MiB", "errors")
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for name, res, a, speed, mem, errors in rows:
        cells = [name] + [f"{res[k]:.3f}" for k in ("clean", "body_f1", "title", "date", "authors_named", "kind")]
        cells += [a["f1"], a["precision"], a["recall"], f"{speed:.1f}", f"{mem:.1f}", str(errors)]
        print("| " + " | ".join(cells) + " |")
    if "newsmirror" in spent and "trafilatura" in spent:
        ratios = [t / m for m, t in zip(spent["newsmirror"], spent["trafilatura"])]
        print(f"\nspeed vs trafilatura: {_median(ratios):.2f}x (median of {len(ratios)} rounds: "
              + ", ".join(f"{r:.2f}x" for r in ratios) + ")")
        cpu_ratios = [t / m for m, t in zip(cpu_spent["newsmirror"], cpu_spent["trafilatura"])]
        print(f"in CPU seconds: {_median(cpu_ratios):.2f}x (median of {len(cpu_ratios)} rounds: "
              + ", ".join(f"{r:.2f}x" for r in cpu_ratios) + "; newsmirror "
              + f"{n / _median(cpu_spent['newsmirror']):.1f} pages per CPU-second, trafilatura "
              + f"{n / _median(cpu_spent['trafilatura']):.1f})")
    print(f"\n{n} pages per round (corpus {len(corpus)}, AEB {len(aeb)}), {len(next(iter(spent.values()), []))} rounds; "
          f"outputs in {out_dir}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
