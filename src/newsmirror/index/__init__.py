"""Full-text search that sees through scripts and spellings (the index stage).

Text is folded to one script (`newsmirror.chinese.fold`), indexed as overlapping character bigrams in an FTS5
table in its own SQLite file (`fts.SearchIndex`), and queried with a small language
(`query.parse_query`) whose terms are expanded through spelling aliases (`newsmirror.chinese.load_aliases`):
a search for 普京 finds 普亭, 蒲亭 and Putin; 习近平 finds 習近平. Retrieval is ranked (`ranking`): articles
holding every term first, then those holding most of them.
"""

from __future__ import annotations

from newsmirror.index.fts import SearchIndex, SearchResults
from newsmirror.index.query import Query, Term, parse_query

__all__ = [
    "Query",
    "SearchIndex",
    "SearchResults",
    "Term",
    "parse_query",
]
