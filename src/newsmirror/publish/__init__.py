"""Publishing the archive: build targets (`targets`: site, jekyll, feeds ...) and git publishing.

Each target is one module writing one kind of output through `files` (atomic, incremental
writes with a manifest); `targets` registers them in one place for the CLI and the pipeline.
"""

from __future__ import annotations

from newsmirror.publish.targets import TARGETS, BuildOptions, BuildSummary, Target, get_target, register, run_build

__all__ = ["TARGETS", "BuildOptions", "BuildSummary", "Target", "get_target", "register", "run_build"]
