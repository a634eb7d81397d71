"""Placing articles: copies with provenance, stories, near misses, determinism, bad input (own texts)."""

from __future__ import annotations

import html
from datetime import UTC, datetime, timedelta

from newsmirror.models import FeedItem
from newsmirror.stories import rebuild_stories, sync_stories
from storyset import save_set


def groups(store) -> dict[int, tuple[int, int | None]]:
    """article id -> (story id, copy_of) for every placed article."""
    return {a.id: (s.id, a.copy_of) for s in store.stories() for a in s.articles}


def by_case(store, ids: dict[str, int]) -> tuple[dict[str, str], dict[str, str | None]]:
    """Set id -> story (named by its first set id) and set id -> the set id it copies."""
    placed = groups(store)
    name = {v: k for k, v in ids.items()}
    return ({k: name[placed[v][0]] for k, v in ids.items()},
            {k: (name[placed[v][1]] if placed[v][1] else None) for k, v in ids.items()})


def test_copies_point_at_their_original_and_join_its_story(store, aliases, cases):
    ids = save_set(store, cases)
    run = sync_stories(store, aliases)
    assert run.placed == len(cases)
    story, copy_of = by_case(store, ids)
    assert copy_of["r2"] == "r1"  # a reprint with a changed headline (and 蒲亭 spelled 普亭)
    assert copy_of["s2"] == "s1"  # the Traditional version of a Simplified text
    assert copy_of["u2"] == "u1"  # an update with one added paragraph
    assert copy_of["u3"] is None  # another outlet's own report: not a copy
    assert {k for k, v in copy_of.items() if v} == {"r2", "s2", "u2"}
    assert story["r2"] == "r1" and story["s2"] == "s1" and story["u2"] == story["u3"] == "u1"


def test_two_events_of_one_leader_on_one_day_are_two_stories(store, aliases, cases):
    ids = save_set(store, cases)
    sync_stories(store, aliases)
    story, _ = by_case(store, ids)
    assert story["d1"] == story["d2"] == "d1"  # the flood visit, two outlets
    assert story["d3"] == story["d4"] == "d3"  # the state visit, two outlets, one in Simplified
    assert len(set(story.values())) == 5  # bridge, salt lake, fire, flood, visit


def test_near_misses_start_stories_of_their_own(store, aliases, near_misses):
    """The same people at another event, the same place in another month: each its own story, while each
    event's second outlet (its own text, another script and spelling) joins it."""
    ids = save_set(store, near_misses)
    sync_stories(store, aliases)
    story, copy_of = by_case(store, ids)
    labels = {a["id"]: a["story"] for a in near_misses}
    assert {frozenset(k for k in story if story[k] == s) for s in story.values()} == \
        {frozenset(k for k in labels if labels[k] == s) for s in labels.values()}
    assert len(set(story.values())) == 3 + 1  # talks, summit, April earthquake; May earthquake alone
    assert set(copy_of.values()) == {None}  # every outlet wrote its own text


def test_a_roundup_of_two_events_does_not_chain_them_into_one_story(store, aliases, chains):
    """A ~ B ~ C: the roundup (B) joins the strike (A) it shares most with; the ferry accident (C) is like the
    roundup's other paragraph but not like the strike story as a whole, so it starts a story of its own.
    The strike's end two days later joins the strike; a fire at the same port a month later does not."""
    from newsmirror.stories.cluster import CENTROID_SCORE, JOIN_SCORE, Grouper
    from newsmirror.stories.features import compute_features

    ids = save_set(store, chains)
    sync_stories(store, aliases)
    story, copy_of = by_case(store, ids)
    assert story["k2"] == story["k1"] == story["k4"] == "k1"  # roundup and follow-up join the strike
    assert story["k3"] == "k3"  # the ferry: its own story, though linked to the roundup
    assert story["k5"] == "k5"  # the same port a month later
    assert set(copy_of.values()) == {None}
    # the guard, not a weak link, keeps the ferry apart: its link to the roundup would let it join
    grouper = Grouper(lambda since, until: [])
    by_id = {a["id"]: a for a in chains}
    for n, key in enumerate(("k1", "k2", "k3")):
        feats = compute_features(by_id[key]["title"], by_id[key]["body"], aliases)
        decision = grouper.place(n + 1, datetime.fromisoformat(by_id[key]["published"]), feats.pack())
    ferry = grouper.window.by_id[3]
    roundup_link = sum(w * dict(zip(ferry.terms, ferry.weights)).get(t, 0.0)
                       for t, w in zip(grouper.window.by_id[2].terms, grouper.window.by_id[2].weights))
    assert roundup_link > JOIN_SCORE + 0.05
    assert grouper.window.centroid_cosine(ferry, 1) < CENTROID_SCORE
    assert decision.story == 3


def test_a_follow_up_days_later_joins_its_story(store, aliases, followups, near_misses):
    """The road reopening four and a half days after the landslide shares the event's own words, not only
    names: it joins, though days faded a link of all its terms alike below JOIN_SCORE. The earthquake off
    the same coast eight days later, more alike still, stays apart."""
    import math

    from newsmirror.stories.cluster import DECAY_DAYS, JOIN_SCORE
    from newsmirror.stories.features import Features, compute_features

    ids = save_set(store, followups + near_misses)
    sync_stories(store, aliases)
    story, copy_of = by_case(store, ids)
    assert story["f1"] == story["f2"] == story["f3"] == "f1"
    assert story["p3"] == "p3" and story["p1"] == story["p2"] == "p1"
    assert set(copy_of.values()) == {None}
    by_id = {a["id"]: a for a in followups}
    f1, f3 = (Features.unpack(compute_features(by_id[k]["title"], by_id[k]["body"], aliases).pack())
              for k in ("f1", "f3"))
    cosine = sum(w * dict(zip(f1.terms, f1.weights)).get(t, 0.0) for t, w in zip(f3.terms, f3.weights))
    days = (datetime.fromisoformat(by_id["f3"]["published"]) - datetime.fromisoformat(by_id["f1"]["published"]))
    assert cosine * math.exp(-days.total_seconds() / 86400 / DECAY_DAYS) < JOIN_SCORE  # a fade of all terms


def test_story_reads_its_title_outlets_and_times(store, aliases, cases):
    ids = save_set(store, cases)
    sync_stories(store, aliases)
    [fire] = store.stories(ids=[ids["u1"]])
    assert [a.id for a in fire.articles] == [ids["u1"], ids["u3"], ids["u2"]]  # time order
    assert fire.title == "台中倉庫大火 消防局出動40車搶救"
    assert fire.outlets == ("中央社", "自由時報")
    assert fire.first_published == datetime(2025, 3, 12, 6, 0, tzinfo=UTC)
    assert fire.last_published == datetime(2025, 3, 12, 10, 30, tzinfo=UTC)
    assert fire.article(ids["u2"]).copy_of_url == "https://cna.test/news/1101"
    assert store.story_ids([ids["u3"], ids["d1"], 999_999]) == {ids["u3"]: ids["u1"], ids["d1"]: ids["d1"]}
    assert store.count_stories(min_articles=2) == 5
    assert [s.id for s in store.stories(source="自由時報")] == [ids["u1"], ids["d1"]]
    assert [s.id for s in store.stories(since=datetime(2025, 3, 13, tzinfo=UTC))] == [ids["d1"], ids["d3"]]


def test_regrouping_equals_placing_in_published_order(store, aliases, cases):
    """Articles arriving one at a time (a sync after each) end where `--rebuild` puts them."""
    ordered = sorted(cases, key=lambda a: datetime.fromisoformat(a["published"]))
    ids: dict[str, int] = {}
    for a in ordered:
        ids.update(save_set(store, [a]))
        sync_stories(store, aliases)
    incremental = groups(store)
    rebuild_stories(store, aliases)
    assert groups(store) == incremental
    assert len({s for s, _ in incremental.values()}) == 5


def test_an_original_arriving_after_its_copy_becomes_the_original(store, aliases, cases):
    reprint = next(a for a in cases if a["id"] == "r2")
    original = next(a for a in cases if a["id"] == "r1")
    ids = save_set(store, [reprint])
    sync_stories(store, aliases)
    ids.update(save_set(store, [original]))
    sync_stories(store, aliases)
    placed = groups(store)
    assert placed[ids["r1"]][1] is None
    assert placed[ids["r2"]][1] == ids["r1"]  # who published first, whatever arrived first
    assert placed[ids["r1"]][0] == placed[ids["r2"]][0]


def _item(n: int, title: str, text: str, published: datetime | None, source: str = "測試社") -> FeedItem:
    return FeedItem(source=source, feed_url="https://t.test/rss", title=title, link=f"https://t.test/{n}",
                    guid=str(n), published=published, content_html=f"<p>{html.escape(text)}</p>")


def test_bad_inputs_become_stories_of_their_own_or_join_by_evidence(store, aliases, cases):
    save_set(store, cases)
    t = datetime(2025, 3, 12, 8, 0, tzinfo=UTC)
    fire = next(a for a in cases if a["id"] == "u1")
    items = [
        _item(1, "", "", t),
        _item(2, "火", "火", t),
        _item(3, "無日期的消息", "這則消息的來源沒有寫出日期，內容與其他報導都不相同，談的是一場社區音樂會。", None),
        _item(4, "Dockworkers end strike", "Dockworkers in the port ended their strike on Tuesday after the union "
              "accepted a new wage offer from the shipping companies.", t),
        _item(5, "港湾労働者がストを終了", "港湾の労働者は火曜日、組合が海運会社からの新しい賃金提案を受け入れた後、"
              "ストライキを終了した。", t),
        _item(6, "倉庫火警", fire["body"].split("\n\n")[0], t + timedelta(hours=1)),  # the fire's lead alone
    ]
    ids = [store.save_item(it, html=it.content_html, text=html.unescape(it.content_html[3:-4]),
                           seen_at=t).article_id for it in items]
    sync_stories(store, aliases)
    placed = groups(store)
    assert set(ids) <= set(placed)
    for article_id in ids[:5]:
        assert placed[article_id] == (article_id, None)  # each a story of its own
    fire_id = next(i for i, (s, c) in placed.items() if store.get_article(i).url == fire["url"])
    assert placed[ids[5]][0] == placed[fire_id][0]  # the lead alone joins the fire story


def test_a_thousand_copies_of_one_text_point_at_the_first(store, aliases, cases):
    fire = next(a for a in cases if a["id"] == "u1")
    t = datetime(2025, 3, 12, 6, 0, tzinfo=UTC)
    items = [(_item(n, f"倉庫大火 {n}", fire["body"], t + timedelta(minutes=n), source=f"轉載{n % 40}"),
              f"<p>{fire['body']}</p>", fire["body"]) for n in range(1000)]
    outcomes = store.save_items(items, seen_at=t)
    run = sync_stories(store, aliases)
    assert run.copies == 999
    placed = groups(store)
    first = outcomes[0].article_id
    assert all(placed[o.article_id] == (first, first) for o in outcomes[1:])
    [story] = store.stories(ids=[first])
    assert len(story.articles) == 1000 and story.original.id == first


def test_the_term_index_finds_every_copy_comparing_all_signatures_finds(aliases):
    """Copies are looked for among the articles sharing strong terms (COPY_COSINE): on generated articles
    (wire reprints with another headline and spelling, script versions, updates) that finds a copy for
    every article that comparing its signature with every earlier one finds."""
    import numpy as np

    from newsmirror.demo.storygen import StoryGenerator
    from newsmirror.stories.cluster import COPY_SIMILARITY, Grouper
    from newsmirror.stories.features import NUM_PERM, Features, compute_features

    articles = list(StoryGenerator(seed=3).articles(500, per_day=400))
    grouper = Grouper(lambda since, until: [])
    sigs: list[np.ndarray] = []
    found, expected = [], []
    for a in articles:
        packed = compute_features(a.item.title, a.text, aliases).pack()
        feats = Features.unpack(packed)
        decision = grouper.place(a.n, a.item.published, packed)
        found.append(decision.copy_of is not None)
        expected.append(feats.signature is not None and any(
            np.count_nonzero(s == feats.signature) / NUM_PERM >= COPY_SIMILARITY for s in sigs))
        if feats.signature is not None:
            sigs.append(feats.signature)
    assert sum(expected) > 50  # the generator's copies are there
    assert found == expected


def test_placements_of_an_older_feature_format_are_read_as_comparing_with_nothing(aliases, cases):
    """After an upgrade the window may read features of an older format: they compare with nothing (until
    `stories --rebuild`), where the current format's articles still find their copies."""
    from newsmirror.models import StoryPlacement
    from newsmirror.stories.cluster import Grouper
    from newsmirror.stories.features import compute_features

    fire = next(a for a in cases if a["id"] == "u1")
    published = datetime.fromisoformat(fire["published"])
    packed = compute_features(fire["title"], fire["body"], aliases).pack()
    stored = [StoryPlacement(1, 1, None, published, b"F1\x01\x00" + packed[4:]),  # an old format's bytes
              StoryPlacement(2, 2, None, published, packed)]
    grouper = Grouper(lambda since, until: [p for p in stored if since <= p.published < until])
    decision = grouper.place(3, published + timedelta(hours=1), packed)
    assert decision.copy_of == 2 and decision.story == 2
    assert grouper.window.by_id[1].terms == () and grouper.window.by_id[1].signature is None
