"""The built-in demo news site that `newsmirror demo` and the tests mirror, all on 127.0.0.1."""

from __future__ import annotations

from newsmirror.demo.articles import ARTICLES, OUTLETS, REFERENCE_DATE, DemoArticle, Outlet, articles_of
from newsmirror.demo.site import (
    BROKEN_FEED_PATH,
    BROKEN_SOURCE,
    NOT_A_FEED_PATH,
    NOT_A_FEED_SOURCE,
    DemoResponse,
    DemoServer,
    DemoSite,
    build_demo_site,
    demo_sources,
    start_demo_site,
)

__all__ = [
    "ARTICLES",
    "OUTLETS",
    "REFERENCE_DATE",
    "DemoArticle",
    "Outlet",
    "articles_of",
    "BROKEN_FEED_PATH",
    "BROKEN_SOURCE",
    "NOT_A_FEED_PATH",
    "NOT_A_FEED_SOURCE",
    "DemoResponse",
    "DemoServer",
    "DemoSite",
    "build_demo_site",
    "demo_sources",
    "start_demo_site",
]
