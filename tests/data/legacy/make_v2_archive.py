"""Write tests/data/legacy/v2/ (archive.sqlite.gz, raw/, sources.toml): an archive made by newsmirror at schema version 2 (commit d210f5b).

Kept to say how the fixture was made; it runs against that release only (later releases no
longer make false versions):

    git worktree add /tmp/nm-d210f5b d210f5b
    cd /tmp/nm-d210f5b && python3 -m venv .venv && .venv/bin/pip install -q -e .
    .venv/bin/python /path/to/tests/data/legacy/make_v2_archive.py /path/to/tests/data/legacy/v2

What it holds (all fictional text of ours):
- the built-in demo after one `demo` run: 41 articles, 26 of them at version 2 only because the
  page's text replaced the feed summary (article 26: a photo caption "removed");
- (測)地方報, a summary feed with pages: one article really edited once (summary and page), which
  that release stored as version 4; one article never edited;
- (測)全文報, a full-text feed (full_text never): one article really edited once (version 2, a real
  edit), one whose feed HTML changed only in whitespace, attribute order and a tracking parameter
  (version 2, a false one).
"""

from __future__ import annotations

import gzip
import shutil
import sqlite3
import sys
from datetime import datetime, UTC
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from feedtext import rss  # noqa: E402
from httpserver import Reply, TestServer  # noqa: E402
from newsmirror.config import Settings, load_sources, save_sources  # noqa: E402
from newsmirror.models import Source  # noqa: E402
from newsmirror.pipeline import fetch_sources, run_demo  # noqa: E402

RSS = "application/rss+xml; charset=utf-8"
PAGE = """<!doctype html><html lang="zh-Hant"><head><meta charset="utf-8"><title>{title} | 地方報</title>
<meta property="og:site_name" content="地方報"></head><body><nav><a href="/">首頁</a> <a href="/l">地方</a></nav>
<article><h1>{title}</h1><p class="byline">記者林小文／花蓮報導</p>
{body}</article><div class="related"><h2>延伸閱讀</h2><ul><li><a href="/p/9.html">其他新聞</a></li></ul></div>
<footer>版權所有 地方報 © 2025</footer></body></html>"""

EDITED_V1 = ("<p>花蓮縣政府今天表示，台九線蘇花路廊因豪雨坍方，預計明天上午搶通，"
             "用路人出發前請先查詢路況。</p><p>縣府說，搶修人員已經進場，坍方量約三百立方公尺。</p>")
EDITED_V2 = ("<p>花蓮縣政府今天表示，台九線蘇花路廊因豪雨坍方，已於今天傍晚提前搶通，"
             "恢復雙向通行。</p><p>縣府說，搶修人員連夜作業，坍方量約三百立方公尺。</p>")
MORE = ("<p>公路局指出，蘇花路廊是花蓮對外的主要道路，連假期間車流量大，坍方路段將實施單線雙向管制，"
        "並在前後路口派員指揮交通。</p><p>氣象署預報，東部地區明後兩天仍有局部大雨，山區須防落石與坍方，"
        "民眾應避免前往山區與河川。</p><p>縣府也提醒，遊客行前可利用公路局的即時路況網站與廣播掌握最新消息，"
        "必要時改搭鐵路前往花蓮。</p>")
STILL = ("<p>花蓮縣文化局今天宣布，今年的石雕藝術季將在十月登場，共有十二國藝術家參加。</p>"
         "<p>主辦單位說，展期間每週末都有導覽活動。</p>")


def _fetch(settings: Settings, sources: list[Source], when: str) -> None:
    summary = fetch_sources(settings, sources, now=datetime.fromisoformat(when).replace(tzinfo=UTC))
    print(summary.line())
    for f in summary.failures:
        print("  failed:", f)


def main(out: Path) -> None:
    home = out.parent / (out.name + ".home")
    shutil.rmtree(home, ignore_errors=True)
    settings = Settings.from_home(home)
    print(run_demo(settings, port=0))

    server = TestServer()
    base = server.url("")
    local_items = [
        {"title": "蘇花路廊坍方 明天上午搶通", "link": f"{base}/p/1.html", "guid": "local-1",
         "date": "Wed, 10 Sep 2025 09:00:00 +0800", "description": "台九線蘇花路廊因豪雨坍方，預計明天上午搶通。"},
        {"title": "石雕藝術季十月登場", "link": f"{base}/p/2.html", "guid": "local-2",
         "date": "Wed, 10 Sep 2025 10:00:00 +0800", "description": "今年的石雕藝術季將在十月登場。"},
    ]
    local_edited = [dict(local_items[0], title="蘇花路廊坍方 今天傍晚提前搶通",
                         description="台九線蘇花路廊因豪雨坍方，已於今天傍晚提前搶通。"), local_items[1]]
    server.add("/local.xml", [Reply(rss(local_items), content_type=RSS),
                              Reply(rss(local_edited), content_type=RSS)])
    server.add("/p/1.html", [Reply(PAGE.format(title=local_items[0]["title"], body=EDITED_V1 + MORE)),
                             Reply(PAGE.format(title=local_edited[0]["title"], body=EDITED_V2 + MORE))])
    server.add("/p/2.html", Reply(PAGE.format(title=local_items[1]["title"], body=STILL + MORE)))

    body = "<p>立法院今天三讀通過食品安全衛生管理法修正草案，提高違規罰則。</p><p>衛福部表示將儘速公告施行。</p>"
    edited = body.replace("儘速公告施行", "在三個月內公告施行")
    noise_a = '<p class="lead" id="a1">颱風警報解除，<a href="https://example.org/x?id=5">交通部</a>說高鐵全線恢復正常營運。</p>'
    noise_b = ('<p id="a1"  class="lead">颱風警報解除，\n<a href="https://example.org/x?id=5&amp;utm_source=rss">'
               '交通部</a>說高鐵全線恢復正常營運。</p>')
    full_v1 = [
        {"title": "食安法修正三讀", "link": f"{base}/f/1.html", "guid": "full-1",
         "date": "Thu, 11 Sep 2025 08:00:00 +0800", "description": body, "content": body},
        {"title": "高鐵恢復正常營運", "link": f"{base}/f/2.html", "guid": "full-2",
         "date": "Thu, 11 Sep 2025 09:30:00 +0800", "description": noise_a, "content": noise_a},
    ]
    full_v2 = [dict(full_v1[0], description=edited, content=edited),
               dict(full_v1[1], description=noise_b, content=noise_b)]
    server.add("/full.xml", [Reply(rss(full_v1), content_type=RSS), Reply(rss(full_v2), content_type=RSS)])

    extra = [Source(name="(測)地方報", feeds=(server.url("/local.xml"),), tags=("地方",), full_text="auto"),
             Source(name="(測)全文報", feeds=(server.url("/full.xml"),), full_text="never")]
    save_sources(settings.sources_file, load_sources(settings.sources_file) + extra)
    _fetch(settings, extra, "2025-09-11T02:00:00")  # first sight
    _fetch(settings, extra, "2025-09-11T08:00:00")  # the edits (and the noise)
    _fetch(settings, extra, "2025-09-11T09:00:00")  # nothing new
    server.close()

    out.mkdir(parents=True, exist_ok=True)
    db = out / "archive.sqlite"
    db.unlink(missing_ok=True)
    conn = sqlite3.connect(home / "archive.sqlite")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.execute(f"VACUUM INTO '{db}'")
    conn.close()
    shutil.rmtree(out / "raw", ignore_errors=True)
    shutil.copytree(home / "raw", out / "raw")
    shutil.copy(home / "sources.toml", out / "sources.toml")
    shutil.rmtree(home)
    check = sqlite3.connect(db)
    print("schema", check.execute("PRAGMA user_version").fetchone()[0],
          "versions by article:", check.execute(
              "SELECT current_version, count(*) FROM articles GROUP BY 1").fetchall())
    check.close()
    with db.open("rb") as raw, gzip.GzipFile(out / "archive.sqlite.gz", "wb", compresslevel=9, mtime=0) as packed:
        shutil.copyfileobj(raw, packed)
    db.unlink()


if __name__ == "__main__":
    main(Path(sys.argv[1]).resolve())
