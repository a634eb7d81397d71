"""Publishing the archive: the Jekyll static mirror (`newsmirror.publish.jekyll`)."""

from __future__ import annotations

from newsmirror.publish.jekyll import (
    BuildSummary,
    build_jekyll,
    post_filename,
    post_url,
    render_post,
)

__all__ = ["BuildSummary", "build_jekyll", "post_filename", "post_url", "render_post"]
