"""The static site's story pages: written on a full build, brought up to date by an incremental one."""

from __future__ import annotations

import re
from urllib.parse import unquote

from newsmirror.publish.pages import story_path
from newsmirror.publish.site import build_site
from newsmirror.publish.targets import BuildOptions
from newsmirror.stories import sync_stories
from storyset import save_set


def test_story_pages_and_article_notes(store, aliases, cases, tmp_path):
    first = [a for a in cases if a["id"] != "u3"]
    ids = save_set(store, first)
    sync_stories(store, aliases)
    out = tmp_path / "site"
    build_site(store, out, BuildOptions())
    fire = out / story_path(ids["u1"])
    assert fire.is_file()
    page = fire.read_text(encoding="utf-8")
    assert "時間線" in page and "更新版" in page and "2 則報導 · 1 家媒體" in page
    assert not (out / story_path(ids["d1"])).exists() or "賴清德" in (
        out / story_path(ids["d1"])).read_text(encoding="utf-8")
    article = next(out.rglob(f"{ids['u2']}.html"))
    html = article.read_text(encoding="utf-8")
    assert story_path(ids["u1"]) in html and "同一事件" in html
    href = re.search(r'href="([^"]*stories/[^"]+)"', html).group(1)
    assert (article.parent / href).resolve() == fire.resolve()  # the relative link opens the story's page
    back = [unquote(h) for h in re.findall(r'href="([^":#]+\.html)"', page)]
    assert len(back) > 5 and [h for h in back if not (fire.parent / h).resolve().is_file()] == []  # all open
    assert [p for p in (out / "stories").rglob("*") if p.is_dir() and len(list(p.iterdir())) > 1000] == []

    ids.update(save_set(store, [a for a in cases if a["id"] == "u3"]))  # another outlet joins the fire story
    sync_stories(store, aliases)
    summary = build_site(store, out, BuildOptions())
    assert summary.note == "incremental"
    page = fire.read_text(encoding="utf-8")
    assert "3 則報導 · 2 家媒體" in page and "自由時報" in page
    html = next(out.rglob(f"{ids['u1']}.html")).read_text(encoding="utf-8")
    assert "3 則報導，2 家媒體" in html  # the earlier article's note counts the newcomer
