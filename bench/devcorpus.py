"""Score extraction leave-site-out on the dev corpus: tuning half and held-out half, beside the peers.

Usage: .venv/bin/python bench/devcorpus.py [--devcorpus DIR] [--shared ../shared]
       [--only newsmirror,trafilatura,readability] [--half tuning|held_out|all] [--per-page]

Reads the dev corpus (pages/, labels/, split.json: which sites are in which half) from --devcorpus,
else $NEWSMIRROR_DEVCORPUS, else ../shared/devcorpus, and scores
every extractor with ../shared/tools/score_extract.py on each half separately. Rules are written
from the tuning half's pages only; the held-out half says whether they generalize. --per-page
prints each page's row (for the tuning half: the pages rules may be written from).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from extract import EXTRACTORS, REPO, load_module, safe  # noqa: E402  (bench/extract.py)

DEVCORPUS_ENV = "NEWSMIRROR_DEVCORPUS"
COLUMNS = ("pages", "clean", "body_f1", "title", "date", "authors_named", "kind")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", default=str(REPO.parent / "shared"))
    ap.add_argument("--devcorpus", default=os.environ.get(DEVCORPUS_ENV),
                    help=f"the dev corpus folder (default ${DEVCORPUS_ENV}, else SHARED/devcorpus)")
    ap.add_argument("--only", default=",".join(EXTRACTORS))
    ap.add_argument("--half", default="all", choices=("tuning", "held_out", "all"))
    ap.add_argument("--per-page", action="store_true")
    args = ap.parse_args(argv)
    root = Path(args.devcorpus or Path(args.shared) / "devcorpus").expanduser()
    if not (root / "split.json").is_file():
        print(f"no dev corpus at {root} (no split.json): set ${DEVCORPUS_ENV} or --devcorpus to a folder with "
              f"pages/, labels/ and split.json (default {Path(args.shared) / 'devcorpus'})", file=sys.stderr)
        return 2
    split = json.loads((root / "split.json").read_text(encoding="utf-8"))
    score_extract = load_module(Path(args.shared) / "tools" / "score_extract.py", "score_extract")
    halves = ("tuning", "held_out") if args.half == "all" else (args.half,)
    warnings.simplefilter("ignore")
    tmp = Path(tempfile.mkdtemp(prefix="bench-devcorpus-"))
    print("| half | extractor | " + " | ".join(COLUMNS) + " |")
    print("|" + "---|" * (len(COLUMNS) + 2))
    for half in halves:
        files = [f for site_files in split[half].values() for f in site_files]
        labels = tmp / half / "labels"
        labels.mkdir(parents=True)
        for f in files:
            name = f.rsplit(".", 1)[0] + ".json"
            (labels / name).write_bytes((root / "labels" / name).read_bytes())
        for name in args.only.split(","):
            out = tmp / half / f"{name}.jsonl"
            with out.open("w", encoding="utf-8") as fh:
                for f in files:
                    r = safe(EXTRACTORS[name], (root / "pages" / f).read_bytes(), None)
                    fh.write(json.dumps({"file": f, **r}, ensure_ascii=False, default=str) + "\n")
            res = score_extract.score(str(labels), str(out), per_page=args.per_page and name == "newsmirror")
            cells = [str(res["pages"])] + [f"{res[k]:.3f}" for k in COLUMNS[1:]]
            print(f"| {half} | {name} | " + " | ".join(cells) + " |")
    print(f"outputs in {tmp}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
