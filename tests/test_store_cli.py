"""The CLI over either store: --store, NEWSMIRROR_STORE and config.toml pick it; `migrate` makes a
PostgreSQL database ready; fetch, search, build, export and stories work the same on PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from feedtext import item, rss
from httpserver import Reply
from newsmirror.cli import cli
from newsmirror.config import Settings, save_sources
from newsmirror.models import Source
from newsmirror.store import open_store

RSS = "application/rss+xml; charset=utf-8"


def run(home: Path, *args: str, env: dict | None = None):
    return CliRunner().invoke(cli, ["--home", str(home), "-q", *args], env=env)


def feeds(http_server, home: Path) -> None:
    base = http_server.url("")
    http_server.add("/a.xml", Reply(rss([item(i, base, prefix="颱風") for i in range(5)]), content_type=RSS))
    save_sources(Settings.from_home(home).sources_file,
                 [Source(name="示範社", feeds=(http_server.url("/a.xml"),), full_text="never")])


def test_a_database_without_the_schema_is_one_line_offering_migrate_and_nothing_is_written(http_server, tmp_path,
                                                                                         pg_url):
    home = tmp_path / "home"
    feeds(http_server, home)
    result = run(home, "--store", pg_url, "fetch")
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "holds no newsmirror archive" in lines[0] and "migrate" in lines[0]
    assert not (home / "archive.sqlite").exists()
    assert run(home, "--store", pg_url, "migrate").exit_code == 0
    with open_store(pg_url) as store:
        assert store.count_articles() == 0


def test_fetch_search_build_export_and_stories_on_postgresql(http_server, tmp_path, pg_store_url):
    home = tmp_path / "home"
    feeds(http_server, home)
    env = {"NEWSMIRROR_STORE": pg_store_url}
    fetched = run(home, "fetch", env=env)
    assert fetched.exit_code == 0, fetched.output
    assert not (home / "archive.sqlite").exists()  # everything went to the database
    with open_store(pg_store_url) as store:
        assert store.count_articles() == 5
    found = run(home, "search", "--json", "颱風標題第3則", env=env)
    assert found.exit_code == 0 and json.loads(found.stdout.splitlines()[0])["title"] == "颱風標題第3則"
    built = run(home, "build", "jekyll", str(tmp_path / "site"), env=env)
    assert built.exit_code == 0, built.output
    assert len(list((tmp_path / "site" / "_posts").glob("*.md"))) == 5
    exported = run(home, "export", env=env)
    assert exported.exit_code == 0 and len(exported.stdout.splitlines()) == 5
    stories = run(home, "stories", env=env)
    assert stories.exit_code in (0, 1), stories.output


def test_config_toml_names_the_store(http_server, tmp_path, pg_store_url):
    home = tmp_path / "home"
    feeds(http_server, home)
    (home / "config.toml").write_text(f'store = "{pg_store_url}"\n', encoding="utf-8")
    assert Settings.from_home(home).store_location == pg_store_url
    assert run(home, "fetch").exit_code == 0
    with open_store(pg_store_url) as store:
        assert store.count_articles() == 5


def test_an_unknown_store_scheme_is_a_one_line_error(tmp_path):
    result = run(tmp_path / "home", "--store", "mongodb://db/news", "migrate")
    assert result.exit_code == 1
    assert result.stderr.strip() == ("error: store mongodb://db/news: unknown scheme 'mongodb'; use a path, or one of "
                                     "sqlite://, postgresql://, postgres://")
