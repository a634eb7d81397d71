"""What the stories stage compares: script and spellings folded away, credits and furniture ignored."""

from __future__ import annotations

import numpy as np

from newsmirror.chinese import Aliases
from newsmirror.furniture import without_credits
from newsmirror.stories.features import Features, compute_features, story_text


def agreement(a: Features, b: Features) -> float:
    return float((a.signature == b.signature).mean())


def cosine(a: Features, b: Features) -> float:
    wb = dict(zip(b.terms, b.weights))
    return sum(w * wb.get(t, 0.0) for t, w in zip(a.terms, a.weights))


BODY = ("俄羅斯總統蒲亭今天在遠東城市會見來訪的北韓領導人，雙方就經貿與能源合作交換意見，並簽署多項協議。"
        "蒲亭表示，兩國關係正處於歷史最好時期，俄方願意擴大在港口與鐵路建設方面的合作。")


def test_script_and_name_spellings_fold_to_one_text(aliases):
    simplified = BODY.replace("蒲亭", "普京").replace("會見來訪", "会见来访").replace("關係", "关系")
    assert story_text("", BODY, aliases)[1] == story_text("", simplified, aliases)[1]
    a, b = compute_features("標題", BODY, aliases), compute_features("标题", simplified, aliases)
    assert agreement(a, b) == 1.0
    assert a.terms == b.terms


def test_without_the_alias_list_the_spellings_stay_apart():
    a = compute_features("", BODY, Aliases())
    b = compute_features("", BODY.replace("蒲亭", "普京"), Aliases())
    assert agreement(a, b) < 1.0


def test_agency_credits_are_not_compared():
    text = "（中央社記者王小明台北3日電）颱風今天登陸。\n\n（編輯：陳大文）1130403"
    assert without_credits(text) == "颱風今天登陸。"
    assert without_credits("新华社北京9月4日电（记者 石燕 苏言）9月4日下午，会谈举行。") == "9月4日下午，会谈举行。"
    assert without_credits("〔記者簡嘉佑／花蓮報導〕花蓮今天上午發生強震。") == "花蓮今天上午發生強震。"
    assert without_credits("編譯周怡如／綜合報導 北韓領導人昨天抵達。") == "北韓領導人昨天抵達。"
    assert without_credits("他說（編輯部）今天不談。") == "他說（編輯部）今天不談。"  # not a credit at the end


def test_features_survive_the_store(aliases):
    f = compute_features("台中倉庫大火", BODY, aliases)
    g = Features.unpack(f.pack())
    assert g.terms == f.terms
    assert np.array_equal(g.signature, f.signature)
    assert all(abs(x - y) < 1e-4 for x, y in zip(g.weights, f.weights))
    assert abs(sum(w * w for w in g.weights) - 1.0) < 1e-3


def test_short_and_empty_texts_have_no_signature(aliases):
    assert compute_features("", "", aliases).signature is None
    assert compute_features("字", "字", aliases).signature is None
    assert compute_features("", "", aliases).terms == ()


def test_function_words_of_other_languages_weigh_nothing(aliases):
    a = compute_features("The talks", "The minister said that the talks with the union were over and that the "
                         "strike would end on Monday.", aliases)
    b = compute_features("A festival", "The festival said that the concerts in the park were sold out and that the "
                         "stage would open on Friday.", aliases)
    assert cosine(a, b) < 0.15  # they share only function words


def test_a_different_event_shares_few_terms(aliases):
    quake = compute_features("花蓮強震", "花蓮縣外海今天上午發生規模7.2地震，多棟大樓傾斜，消防人員搶救受困民眾。", aliases)
    typhoon = compute_features("颱風登陸", "強烈颱風今天清晨在台東登陸，全台多個縣市停班停課，農業損失持續統計。", aliases)
    same = compute_features("花蓮地震", "花蓮外海今天發生強烈地震，天王星大樓傾斜，救難人員持續搶救受困住戶。", aliases)
    assert cosine(quake, same) > 2 * cosine(quake, typhoon)


def _terms_one_by_one(text: str) -> list[str]:
    """The terms as first written (a string per bigram): the reference the array path must equal."""
    import re

    from newsmirror.chinese.chars import CJK_CLASS, WORD_CLASS
    from newsmirror.stories.features import _stopwords

    out: list[str] = []
    for cjk, word in re.findall(f"([{CJK_CLASS}]+)|([{WORD_CLASS}]+)", text):
        if cjk:
            out += [cjk[i : i + 2] for i in range(len(cjk) - 1)]
        elif len(word) > 1 and not word.isdigit() and word not in _stopwords():
            out.append(word)
    return out


def test_terms_read_as_arrays_weigh_as_term_by_term(aliases):
    """compute_features' array path picks and weighs the same terms as counting each term's string."""
    import heapq
    import math
    import zlib
    from collections import Counter

    from newsmirror.stories import features as F

    texts = [("標題", BODY), ("", BODY * 40), ("プーチン", "プーチン大統領は述べた。푸틴 대통령이 말했다。" * 5 + BODY),
             ("EV", "Tesla EV sales rose in Q3 and the EV market " * 12 + "特斯拉電動車銷量" * 9),
             ("𠀀", "𠀀𠀁𠀂𠀃" * 20 + "中文" * 30), ("", "短"), ("", "")]
    texts.append(("普京訪華", "俄羅斯總統蒲亭抵達北京，習近平在人民大會堂與普丁會談。" * 3 + BODY))  # entities
    pattern, entity_idf = F._entities(aliases)
    for title, body in texts:
        t, b = story_text(title, body, aliases)
        entities = Counter(pattern.findall(t)) + Counter(pattern.findall(b))
        t, b = pattern.sub(F.ENTITY_MARK, t), pattern.sub(F.ENTITY_MARK, b)
        counts = Counter(_terms_one_by_one(t)) + Counter(_terms_one_by_one(b))
        tf = {n: (F._TF[n] if n < 64 else 1.0 + math.log(n)) for n in set(counts.values()) | set(entities.values())}
        scored = [(-tf[n] * F._idf(term), zlib.crc32(term.encode()) & ~1) for term, n in counts.items()]
        scored += [(-tf[n] * entity_idf[e], zlib.crc32(e.encode()) | 1) for e, n in entities.items()]
        top = [(-w, tid) for w, tid in heapq.nsmallest(F.TOP_TERMS, scored)]
        norm = math.sqrt(sum(w * w for w, _ in top)) or 1.0
        by_id: dict[int, int] = {}
        for w, tid in top:
            by_id[tid] = max(by_id.get(tid, 0), round(w / norm * 65535))
        got = compute_features(title, body, aliases)
        assert got.terms == tuple(sorted(by_id)), title
        assert got.weights == tuple(by_id[i] / 65535 for i in sorted(by_id)), title
    assert F.entity_id(aliases.canonical("普京")) in got.terms  # the last text's names are terms of their own
    assert sum(got.entities) >= 4 and F.entity_id(aliases.canonical("習近平")) in got.terms
