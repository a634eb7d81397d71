"""Fetch stage: HTTP client, charset decoding, feed parsing and the raw WARC archive."""

from __future__ import annotations

from newsmirror.fetch.charset import decode_bytes
from newsmirror.fetch.feeds import parse_feed
from newsmirror.fetch.http import FetchPolicy, Fetcher, fetch_all
from newsmirror.fetch.warc import RawArchive, RawRecord

__all__ = ["decode_bytes", "parse_feed", "FetchPolicy", "Fetcher", "fetch_all", "RawArchive", "RawRecord"]
