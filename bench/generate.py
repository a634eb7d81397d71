"""Generated feeds for the benchmarks: many RSS 2.0 items of mixed-script news-like text, served locally.

`make_feeds` builds the feed files (deterministic for a seed, about a second for 10,000 items);
`serve_files` serves them on 127.0.0.1 with ETag/Last-Modified and 304s, rewriting the placeholder
host in every link to the server's own base URL.

    files = make_feeds(n_items=10_000, n_feeds=50, seed=1)
    server, base = serve_files(files)   # feeds at base + path, for path in files
    ...
    server.shutdown()

Run by hand to time generation:  .venv/bin/python bench/generate.py [--items 10000] [--feeds 50]
"""

from __future__ import annotations

import argparse
import hashlib
import random
import time
from datetime import datetime, timedelta, timezone, UTC
from email.utils import format_datetime
from html import escape

from newsmirror.demo.site import DemoResponse, DemoServer, DemoSite
from newsmirror.models import Source

__all__ = ["PLACEHOLDER_BASE", "make_feeds", "make_paragraphs", "serve_files", "bench_sources"]

PLACEHOLDER_BASE = "http://bench.invalid"
REFERENCE = datetime(2025, 9, 12, 10, 0, tzinfo=timezone(timedelta(hours=8)))

# Word stock, written for this generator: Traditional, Simplified and Latin tokens mix in every item.
_HANT = (
    "立法院 行政院 颱風 豪雨 停電 地震 半導體 關稅 出口 經濟部 疾管署 登革熱 捷運 高鐵 國防 預算 "
    "選舉 議員 市長 教育部 大學 學生 醫院 健保 長照 物價 房價 股市 外資 匯率 央行 利率 觀光 旅客 "
    "航空 漁民 農民 颱風假 交通部 環境部 空污 再生能源 核電 電價 台積電 晶片 人工智慧 資安 詐騙 警方"
).split()
_HANS = (
    "国务院 发改委 商务部 外交部 台风 暴雨 高铁 地铁 新能源 汽车 芯片 人工智能 数据 消费 物价 "
    "就业 毕业生 医保 养老 教育 高校 房地产 楼市 股市 人民币 央行 降准 出口 关税 制造业 乡村振兴 "
    "文旅 游客 航班 疫苗 疾控 气象 防汛 环保 碳达峰 光伏 风电 电网 科技 创新 平台 企业 民营经济"
).split()
_LATIN = "AI GDP CPI APEC WHO 5G EV ETF IPO Q3 2025 NT$ 3.5% 1.2億 120萬 G20 OPEC NASA".split()
_PEOPLE = "普京 普亭 蒲亭 特朗普 川普 泽连斯基 澤倫斯基 习近平 習近平 金正恩 王小明 李大同 陈美玲 林志明".split()
_VERBS = "表示 指出 強調 强调 宣布 證實 证实 呼籲 呼吁 回應 回应 批評 批评 預估 预计 坦言 透露".split()
_PUNCT = tuple("，，，、")


def _sentence(rng: random.Random, n_words: int) -> str:
    words = rng.choices(_HANT + _HANS, k=n_words)
    words.insert(rng.randrange(len(words) + 1), rng.choice(_PEOPLE) + rng.choice(_VERBS))
    words.insert(rng.randrange(len(words) + 1), rng.choice(_LATIN))
    out = []
    for i, w in enumerate(words):
        out.append(w)
        if i % 4 == 3 and i < len(words) - 1:
            out.append(rng.choice(_PUNCT))
    return "".join(out) + "。"


def make_paragraphs(rng: random.Random, body_chars: int = 0) -> list[str]:
    """3-5 paragraphs of generated news-like text, more until they hold `body_chars` characters: every
    text differs from the others as two real articles do (no two near-duplicates)."""
    paragraphs = [_sentence(rng, rng.randint(10, 18)) for _ in range(rng.randint(3, 5))]
    while sum(map(len, paragraphs)) < body_chars:  # longer items: more paragraphs of the same stock
        paragraphs.append(_sentence(rng, rng.randint(10, 18)) + _sentence(rng, rng.randint(10, 18)))
    return paragraphs


def _item(rng: random.Random, feed: int, n: int, base: str, when: datetime, body_chars: int = 0) -> str:
    title = f"{rng.choice(_PEOPLE)}{rng.choice(_VERBS)}：{''.join(rng.choices(_HANT + _HANS + _LATIN, k=4))} #{n}"
    paragraphs = make_paragraphs(rng, body_chars)
    link = f"{base}/f{feed:03d}/news/{when:%Y%m%d}/{n:06d}.html"
    body = "".join(f"<p>{escape(p, quote=False)}</p>" for p in paragraphs)
    summary = escape(paragraphs[0][:60], quote=False)
    cats = "".join(f"<category>{c}</category>" for c in rng.sample(_HANT + _HANS, 2))
    return (
        f"<item><title>{escape(title, quote=False)}</title><link>{link}</link>"
        f'<guid isPermaLink="false">bench-{n:06d}</guid><pubDate>{format_datetime(when)}</pubDate>{cats}'
        f"<description>{summary}</description>"
        f"<content:encoded><![CDATA[{body}]]></content:encoded></item>"
    )


def make_feeds(n_items: int = 10_000, n_feeds: int = 50, seed: int = 1,
               base_url: str = PLACEHOLDER_BASE, body_chars: int = 0) -> dict[str, bytes]:
    """RSS 2.0 feeds of `n_items` generated items over `n_feeds` feeds, keyed by path ("/f000/rss.xml").

    Every item has a unique link and GUID, a mixed-script title and a body of a few hundred
    characters in content:encoded. Every fifth feed is served in GB18030, the rest in UTF-8.
    Links point at `base_url` (by default a placeholder that `serve_files` rewrites). `body_chars`
    makes every body at least that many characters long (more paragraphs); 0 keeps 3-5 sentences."""
    if n_feeds < 1 or n_items < 0:
        raise ValueError(f"need n_feeds >= 1 and n_items >= 0, got n_feeds={n_feeds}, n_items={n_items}")
    rng = random.Random(seed)
    base = base_url.rstrip("/")
    span = timedelta(days=10).total_seconds()
    files: dict[str, bytes] = {}
    per_feed, extra = divmod(n_items, n_feeds)
    n = 0
    for feed in range(n_feeds):
        count = per_feed + (1 if feed < extra else 0)
        encoding = "gb18030" if feed % 5 == 4 else "utf-8"
        items = []
        for _ in range(count):
            when = REFERENCE - timedelta(seconds=int(span * (n / max(n_items, 1))))
            items.append(_item(rng, feed, n, base, when, body_chars))
            n += 1
        text = (
            f'<?xml version="1.0" encoding="{encoding}"?>\n'
            '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">\n'
            f"<channel><title>基準測試來源 {feed:03d}</title><link>{base}/f{feed:03d}/</link>"
            f"<description>generated for newsmirror benchmarks</description>"
            f"<lastBuildDate>{format_datetime(REFERENCE)}</lastBuildDate>\n"
            + "\n".join(items) + "\n</channel></rss>\n"
        )
        files[f"/f{feed:03d}/rss.xml"] = text.encode(encoding)
    return files


def _content_type(path: str, body: bytes) -> str:
    if path.endswith(".xml"):
        head = body[:80]
        charset = "gb18030" if b'encoding="gb18030"' in head else "utf-8"
        return f"application/rss+xml; charset={charset}"
    if path.endswith(".json"):
        return "application/feed+json; charset=utf-8"
    return "text/html; charset=utf-8"


def serve_files(files: dict[str, bytes], host: str = "127.0.0.1", port: int = 0) -> tuple[DemoServer, str]:
    """Serve `files` (path -> bytes) on host:port; return (server, base_url). Stop with server.shutdown()."""
    placeholder = PLACEHOLDER_BASE.encode()

    def build(base_url: str) -> DemoSite:
        base = base_url.encode()
        responses = {}
        for path, body in files.items():
            body = body.replace(placeholder, base)
            responses[path] = DemoResponse(body, _content_type(path, body),
                                           etag='"' + hashlib.sha1(body).hexdigest()[:20] + '"',
                                           last_modified=format_datetime(REFERENCE.astimezone(UTC),
                                                                         usegmt=True))
        return DemoSite(base_url=base_url, responses=responses)

    server = DemoServer(host, port, build=build)
    return server, server.base_url


def bench_sources(base_url: str, files: dict[str, bytes], full_text: str = "never") -> list[Source]:
    """One Source per generated feed, named in mixed script, for a sources file."""
    return [Source(name=f"基準來源{i:03d}", feeds=(f"{base_url}{path}",), full_text=full_text)
            for i, path in enumerate(sorted(files))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--items", type=int, default=10_000)
    ap.add_argument("--feeds", type=int, default=50)
    args = ap.parse_args()
    t = time.perf_counter()
    files = make_feeds(args.items, args.feeds)
    secs = time.perf_counter() - t
    size = sum(len(b) for b in files.values())
    print(f"make_feeds: {args.items} items over {len(files)} feeds, {size / 1e6:.1f} MB in {secs:.2f} s")


if __name__ == "__main__":
    main()
