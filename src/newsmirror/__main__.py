from newsmirror.cli import cli

cli()
