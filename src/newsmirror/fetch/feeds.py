from __future__ import annotations


def parse_feed(*a, **k):
    raise NotImplementedError
