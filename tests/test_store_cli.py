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


def test_an_unreachable_database_ends_fetch_with_one_line_naming_it(http_server, tmp_path):
    import socket

    home = tmp_path / "home"
    feeds(http_server, home)
    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result = run(home, "--store", f"postgresql://news:secret@127.0.0.1:{port}/news", "fetch")
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and f"cannot reach the database postgresql://news:***@127.0.0.1:{port}/news" in lines[0]
    assert "secret" not in result.stderr and not (home / "archive.sqlite").exists()


def test_a_database_that_refuses_mid_fetch_ends_it_with_one_line_and_keeps_what_was_stored(http_server, tmp_path,
                                                                                           pg_store_url):
    import psycopg

    home = tmp_path / "home"
    feeds(http_server, home)
    base = http_server.url("")

    server, db = pg_store_url.rsplit("/", 1)

    def refuse_then_answer(request) -> Reply:
        # the database goes away while the run is under way: every connection to it is ended, new ones refused
        with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
            admin.execute(f'ALTER DATABASE "{db}" ALLOW_CONNECTIONS false')
            admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (db,))
        return Reply(rss([item(i, base, prefix="地震") for i in range(5, 9)]), content_type=RSS)

    http_server.add("/b.xml", refuse_then_answer)
    save_sources(Settings.from_home(home).sources_file,
                 [Source(name="示範社", feeds=(http_server.url("/a.xml"),), full_text="never"),
                  Source(name="另一社", feeds=(http_server.url("/b.xml"),), full_text="never")])
    try:
        result = run(home, "--store", pg_store_url, "fetch", "--per-host", "1")
    finally:
        with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
            admin.execute(f'ALTER DATABASE "{db}" ALLOW_CONNECTIONS true')
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "the database postgresql://" in lines[0], result.stderr
    assert "Traceback" not in result.stderr
    with open_store(pg_store_url) as store:  # no partial write: whole feeds or nothing
        assert store.count_articles() in (0, 5)
