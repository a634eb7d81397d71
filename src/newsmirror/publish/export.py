"""Dump the archive for researchers (`newsmirror export`): one article per line, every field, JSON Lines or CSV.

Each record is the article's current revision with every stored field (`FIELDS`), in the model's one
JSON form (`models.stored_article_to_dict`, as the API gives it): `version` says how many revisions it
has had. Times are ISO 8601 in UTC; in CSV, lists (authors, categories) and the extracted metadata are
JSON text in their cell, so nothing is lost or ambiguous. Streams the archive: memory does not grow with it.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any, TextIO

from newsmirror.models import ARTICLE_FIELDS, StoredArticle, stored_article_to_dict

if TYPE_CHECKING:
    from newsmirror.store import Store

__all__ = ["FIELDS", "FORMATS", "article_record", "export_articles"]

FORMATS = ("jsonl", "csv")
FIELDS = ARTICLE_FIELDS  # every field, the model's names and order


def article_record(article: StoredArticle) -> dict[str, Any]:
    """An archived article as a record with FIELDS, times in UTC."""
    return stored_article_to_dict(article, only=FIELDS)


def export_articles(store: Store, out: TextIO, *, fmt: str = "jsonl", since: datetime | None = None,
                    sources: Iterable[str] = ()) -> int:
    """Write the articles (of `sources`, published from `since`) to `out`, oldest first; how many."""
    if fmt not in FORMATS:
        raise ValueError(f"format {fmt!r} is not one of {', '.join(FORMATS)}")
    writer = csv.DictWriter(out, fieldnames=FIELDS, lineterminator="\n") if fmt == "csv" else None
    if writer is not None:
        writer.writeheader()
    n = 0
    names: list[str | None] = [*sources] or [None]  # None: every source
    for source in names:
        for article in store.iter_articles(source=source, since=since):
            record = article_record(article)
            if writer is None:
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
            else:
                for key in ("authors", "categories", "extracted"):
                    record[key] = json.dumps(record[key], ensure_ascii=False) if record[key] is not None else ""
                writer.writerow({k: "" if v is None else v for k, v in record.items()})
            n += 1
    return n
