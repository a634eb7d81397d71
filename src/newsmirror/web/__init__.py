"""The read-only web archive: HTML pages, a JSON API and `serve` (uvicorn).

The page templates (`render.render_html`) render without a request, so the static site shares
them; the server itself (`create_app`, `serve`) is imported on first use.
"""

from __future__ import annotations

from typing import Any

__all__ = ["create_app", "serve", "RateLimit"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from newsmirror.web import app

        return getattr(app, name)
    raise AttributeError(f"module 'newsmirror.web' has no attribute {name!r}")
