"""The `newsmirror` command: thin over the library; errors become messages and exit codes."""

from __future__ import annotations

import click

from newsmirror import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="newsmirror")
def cli() -> None:
    """Mirror, archive, search and publish Chinese-language news."""
