"""Dump every extraction output of the reachable pages, or compare them with an earlier dump: a speed change
must leave every output byte for byte the same.

Usage: .venv/bin/python bench/sameoutput.py dump before.jsonl            # before the change
       .venv/bin/python bench/sameoutput.py check before.jsonl           # after it: exit 1 on any difference

Pages: ../shared/corpus/pages, ../shared/aeb/html (with ground-truth URLs), the dev corpus ($NEWSMIRROR_DEVCORPUS,
else ../shared/devcorpus, else /work/team/devcorpus-snapshot) and tests/data/pages (with their URLs); missing
folders are said and skipped. Each line is one page's `article_to_dict`, keys sorted.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def pages(shared: Path) -> Iterator[tuple[str, bytes, str | None]]:
    """(key, bytes, url) of every page this machine holds."""
    corpus = shared / "corpus" / "pages"
    for p in sorted(corpus.glob("*.html")):
        yield f"corpus/{p.name}", p.read_bytes(), None
    truth_file = shared / "aeb" / "ground-truth.json"
    truth = json.loads(truth_file.read_text(encoding="utf-8")) if truth_file.exists() else {}
    for p in sorted((shared / "aeb" / "html").glob("*.html.gz")):
        key = p.name[: -len(".html.gz")]
        yield f"aeb/{key}", gzip.decompress(p.read_bytes()), (truth.get(key) or {}).get("url")
    dev = [Path(d) for d in (os.environ.get("NEWSMIRROR_DEVCORPUS"), shared / "devcorpus",
                             "/work/team/devcorpus-snapshot") if d]
    devdir = next((d for d in dev if (d / "pages").is_dir()), None)
    if devdir is None:
        print("no dev corpus found: skipped", file=sys.stderr)
    else:
        for p in sorted((devdir / "pages").glob("*.html")):
            yield f"dev/{p.name}", p.read_bytes(), None
    for p in sorted((REPO / "tests" / "data" / "pages").glob("*.html")):
        label = p.with_suffix(".json")
        url = json.loads(label.read_text(encoding="utf-8")).get("url") if label.exists() else None
        yield f"tests/{p.name}", p.read_bytes(), url


def outputs(shared: Path) -> Iterator[tuple[str, str]]:
    from newsmirror.extract import extract_article
    from newsmirror.extract.output import article_to_dict

    for key, html, url in pages(shared):
        try:
            d = article_to_dict(extract_article(html, url))
        except Exception as exc:  # noqa: BLE001 -- a crash is an output too, and must not change either
            d = {"error": repr(exc)}
        yield key, json.dumps(d, ensure_ascii=False, sort_keys=True, default=str)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("mode", choices=("dump", "check"))
    ap.add_argument("file")
    ap.add_argument("--shared", default=str(REPO.parent / "shared"))
    args = ap.parse_args(argv)
    now = dict(outputs(Path(args.shared)))
    if args.mode == "dump":
        with open(args.file, "w", encoding="utf-8") as fh:
            for key, line in now.items():
                fh.write(json.dumps({"key": key, "out": line}, ensure_ascii=False) + "\n")
        print(f"{len(now)} pages dumped to {args.file}", file=sys.stderr)
        return 0
    before = {}
    with open(args.file, encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            before[row["key"]] = row["out"]
    differ = [k for k in before.keys() | now.keys() if before.get(k) != now.get(k)]
    for key in sorted(differ):
        a, b = json.loads(before.get(key) or "{}"), json.loads(now.get(key) or "{}")
        fields = sorted(f for f in a.keys() | b.keys() if a.get(f) != b.get(f))
        print(f"DIFFERS {key}: {', '.join(fields)}")
    print(f"{len(now)} pages, {len(differ)} differ", file=sys.stderr)
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
