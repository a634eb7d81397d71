"""Full-text search that sees through scripts and spellings (the index stage).

Text is folded to one script (`text.fold`), indexed as overlapping character bigrams in an FTS5
table in its own SQLite file (`fts.SearchIndex`), and queried with a small language
(`query.parse_query`) whose terms are expanded through spelling aliases (`aliases.load_aliases`):
a search for 普京 finds 普亭, 蒲亭 and Putin; 习近平 finds 習近平.
"""

from __future__ import annotations

from newsmirror.index.aliases import Aliases, load_aliases
from newsmirror.index.fts import SearchIndex, SearchResults
from newsmirror.index.query import Query, Term, parse_query
from newsmirror.index.text import fold, tokenize

__all__ = [
    "Aliases",
    "Query",
    "SearchIndex",
    "SearchResults",
    "Term",
    "fold",
    "load_aliases",
    "parse_query",
    "tokenize",
]
