"""Generated archives of overlapping stories, for the stories benchmark and tests (all text invented).

Words are drawn from jieba's dictionary (Zipf-weighted background, rarer words as each event's own), names
from the alias list in any of their spellings, and each outlet writes Traditional or Simplified. A story is
an event with its own words, two or three names and a start time; outlets report it within two days in
their own words, some reprint another outlet's text (another headline, their spelling of names, a sentence
dropped, their script) and some publish a lightly updated version. Most events are reported once. The
truth (story and original of each article) comes with every article, to score grouping against it.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from newsmirror.chinese import Script, load_aliases, to_script
from newsmirror.chinese.tokens import dictionary_words
from newsmirror.models import FeedItem

__all__ = ["OUTLETS", "GeneratedArticle", "StoryGenerator"]

OUTLETS = (("中央社", "hant"), ("聯合報", "hant"), ("自由時報", "hant"), ("新华社", "hans"), ("人民网", "hans"),
           ("明報", "hant"), ("香港01", "hant"), ("BBC中文", "hans"), ("联合早报", "hans"), ("端傳媒", "hant"),
           ("澎湃新闻", "hans"), ("德國之聲", "hant"), ("RFI華語", "hant"), ("星島日報", "hant"), ("财新", "hans"))


@dataclass(frozen=True)
class GeneratedArticle:
    """One generated article and the truth about it."""

    n: int
    item: FeedItem
    text: str
    story: int  # the event it reports
    copy_of: int | None  # the n of the article whose text it copies


class StoryGenerator:
    """Deterministic articles: `articles(count, start, per_day)` yields them in published order."""

    def __init__(self, seed: int = 7, vocabulary: int = 40_000) -> None:
        self.rng = random.Random(seed)
        rows = sorted(((freq, word) for word, freq in dictionary_words()
                       if all("\u4e00" <= c <= "\u9fff" for c in word)), reverse=True)
        self.words = [w for _, w in rows[:vocabulary]]
        self.cum: list[float] = []
        total = 0.0
        for rank in range(1, len(self.words) + 1):
            total += 1.0 / rank
            self.cum.append(total)
        self.rare = [w for w in self.words[5000:] if len(w) >= 2]
        self.names = sorted(sorted(s for s in g if any("\u4e00" <= c <= "\u9fff" for c in s))
                            for g in set(load_aliases().groups.values()))
        self.names = [g for g in self.names if g]

    def _background(self, k: int) -> list[str]:
        return self.rng.choices(self.words, cum_weights=self.cum, k=k)

    def _text(self, event: list[str], names: list[list[str]], sentences: int) -> tuple[str, list[str]]:
        rng = self.rng
        out = []
        for _ in range(sentences):
            words = self._background(rng.randint(12, 18))
            for _ in range(rng.randint(1, 3)):
                words.insert(rng.randrange(len(words) + 1), rng.choice(event))
            if rng.random() < 0.6:
                words.insert(rng.randrange(len(words) + 1), rng.choice(rng.choice(names)))
            out.append("".join(words) + "。")
        paragraphs = ["".join(out[i : i + 3]) for i in range(0, len(out), 3)]
        return "\n\n".join(paragraphs), out

    def articles(self, count: int, *, start: datetime = datetime(2024, 1, 1, tzinfo=UTC),
                 per_day: float = 2000.0, copy_share: float = 0.25) -> Iterator[GeneratedArticle]:
        """`count` articles from `start`, about `per_day` a day, in published order."""
        rng = self.rng
        pending: list[tuple[datetime, int, dict]] = []  # (published, tie, article plan) not yet yielded
        n = 0
        tie = 0
        clock = start
        story = 0
        step = 86400.0 / per_day
        while n < count:
            # events arrive at the rate that keeps `per_day` articles: a mean of 2.2 articles per event
            clock += timedelta(seconds=rng.expovariate(1.0 / (step * 2.2)))
            story += 1
            event = rng.sample(self.rare, 8)
            names = [rng.choice(self.names) for _ in range(rng.randint(2, 3))]
            reports = 1 if rng.random() < 0.55 else min(40, 2 + int(rng.expovariate(1 / 3.5)))
            texts: list[tuple[int, str, str, list[str]]] = []  # earlier reports: (n, title, body, sentences)
            for r in range(reports):
                when = clock + timedelta(seconds=0 if r == 0 else rng.expovariate(1 / 14400.0))
                tie += 1
                pending.append((when, tie, {"story": story, "event": event, "names": names, "texts": texts}))
            pending.sort(key=lambda p: (p[0], p[1]))
            while pending and pending[0][0] <= clock and n < count:
                when, _, plan = pending.pop(0)
                n += 1
                yield self._article(n, when, plan, copy_share)
        for when, _, plan in pending:
            if n >= count:
                return
            n += 1
            yield self._article(n, when, plan, copy_share)

    def _article(self, n: int, when: datetime, plan: dict, copy_share: float) -> GeneratedArticle:
        rng = self.rng
        number = min(int(rng.paretovariate(1.1)) - 1, len(OUTLETS) - 1)
        outlet, script = OUTLETS[number]
        texts = plan["texts"]
        copy_of = None
        if texts and rng.random() < copy_share:
            copy_of, title, body, sentences = rng.choice(texts)
            sentences = list(sentences)
            if len(sentences) > 4 and rng.random() < 0.5:
                sentences.pop(rng.randrange(len(sentences)))  # a sentence dropped
            if rng.random() < 0.3:
                sentences.append("".join(self._background(10)) + "。")  # an update: one more sentence
            body = "\n\n".join("".join(sentences[i : i + 3]) for i in range(0, len(sentences), 3))
            for group in plan["names"]:  # the outlet's own spelling of the names
                spelling = rng.choice(group)
                for other in group:
                    body = body.replace(other, spelling)
            title = "".join(self._background(3)) + rng.choice(plan["event"])  # a headline of its own
        else:
            body, sentences = self._text(plan["event"], plan["names"], rng.randint(6, 14))
            title = rng.choice(rng.choice(plan["names"])) + "".join(rng.sample(plan["event"], 2)) + "".join(
                self._background(2))
            texts.append((n, title, body, sentences))
        if script == "hant":
            title, body = to_script(title, Script.HANT), to_script(body, Script.HANT)
        url = f"https://outlet{number}.example/n/{n}"
        item = FeedItem(source=outlet, feed_url=f"https://feeds.example/{outlet}", title=title, link=url,
                        guid=str(n), published=when, content_html="".join(f"<p>{p}</p>" for p in body.split("\n\n")))
        return GeneratedArticle(n, item, body, plan["story"], copy_of)


def _check() -> None:  # pragma: no cover - a quick look: python -m newsmirror.demo.storygen
    gen = StoryGenerator()
    arts = list(gen.articles(20))
    for a in arts:
        print(a.n, a.item.published, a.item.source, a.story, a.copy_of, a.item.title, len(a.text))
    print(math.fsum(len(a.text) for a in arts) / len(arts))


if __name__ == "__main__":  # pragma: no cover
    _check()
