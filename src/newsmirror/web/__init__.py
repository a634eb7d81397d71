"""The read-only web archive: HTML pages, a JSON API and `serve` (uvicorn)."""

from __future__ import annotations

from newsmirror.web.app import RateLimit, create_app, serve

__all__ = ["create_app", "serve", "RateLimit"]
