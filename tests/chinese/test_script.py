"""Script folding, conversion and detection: one implementation for every stage."""

from __future__ import annotations

import json

import pytest

from newsmirror.chinese import Script, convert_html, detect_script, fold, lang_for, squash, to_script


def test_convert_html_changes_text_but_not_tags_attributes_or_urls():
    html = ('<a href="/source/%E6%96%B0%E5%8D%8E%E7%A4%BE" title="发展>经济" data-x=\'头发\'>发展经济</a>'
            "<!-- 头发 --><p>头发</p>")
    out = convert_html(html, "hant")
    assert out == ('<a href="/source/%E6%96%B0%E5%8D%8E%E7%A4%BE" title="发展>经济" data-x=\'头发\'>發展經濟</a>'
                   "<!-- 头发 --><p>頭髮</p>")
    assert convert_html("<p>發展經濟</p>", "hans") == "<p>发展经济</p>"


def test_convert_html_leaves_script_and_style_contents_alone():
    html = "<style>.x::after{content:'发展'}</style><script src=\"/a.js\"></script><p>发展</p>"
    out = convert_html(html, "hant")
    assert "content:'发展'" in out and "<p>發展</p>" in out


def test_to_script_keeps_non_chinese_text():
    assert to_script("ASCII only &amp; <b>", "hant") == "ASCII only &amp; <b>"


def test_detect_script():
    assert detect_script("国务院发布经济数据，专家认为发展势头会继续") == "hans"
    assert detect_script("國務院發布經濟數據，專家認為發展勢頭會繼續") == "hant"
    assert detect_script("hello world") is None


def test_detect_script_is_an_enum_with_subtags():
    assert detect_script("國務院發布經濟數據") is Script.HANT
    assert Script.HANT.subtag == "Hant" and Script.HANS.subtag == "Hans"
    assert lang_for(Script.HANS) == lang_for("hans") == "zh-Hans"
    assert lang_for(None) == "zh-Hant"


def test_detect_script_counts_what_each_direction_changes():
    # 宣布 is written so in both scripts, 軍 only in Traditional: a title with one telling character
    assert detect_script("川普宣布停止軍演") is Script.HANT
    # 台, 后, 里 are changed by s2t and 長, 參, 觀 by t2s: as many of each tells nothing
    assert detect_script("台北市長在后里參觀") is None
    assert detect_script("（中央社記者台北7日電）" + "国务院发布经济数据" * 3) is Script.HANS


def test_detect_script_gives_every_labelled_title_and_article_its_script(shared_dir):
    """The labelled articles of ../shared (stories set A, the extraction corpus): each title, and each title with
    its text, is told in its labelled script."""
    rows = [(d["script"].lower(), d["title"], d["body"]) for d in map(json.loads, (
        shared_dir / "stories" / "set-a.jsonl").read_text(encoding="utf-8").splitlines())]
    for label in sorted((shared_dir / "corpus" / "labels").glob("*.json")):
        d = json.loads(label.read_text(encoding="utf-8"))
        if d.get("lang", "").startswith("zh-") and d.get("title"):
            rows.append((d["lang"][3:].lower(), d["title"], d.get("body_first") or ""))
    if len(rows) < 50:
        pytest.skip(f"only {len(rows)} labelled articles in {shared_dir}")
    wrong = [(title, script) for script, title, body in rows
             if detect_script(title) != script or detect_script(title + "\n" + body) != script]
    assert wrong == []


def test_detect_script_reads_only_han_and_calls_shared_characters_unknown():
    # these characters are written the same in both scripts: nothing tells them apart
    assert detect_script("人民公司山水天下 abc 123") is None
    assert detect_script("") is None


def test_fold_and_to_script_agree_on_the_simplified_form():
    text = "臺灣總統與歐盟官員會談"
    assert fold(text) == to_script(text, "hans") == to_script(to_script(text, Script.HANT), Script.HANS)
    assert fold("ＡＢＣ　Putin") == "abc putin"


def test_squash_drops_whitespace_and_quotes():
    assert squash(" 「習近平」 與\u3000金正恩 ") == "習近平與金正恩"
    assert squash("") == ""


def test_keep_markers_protect_the_script_switch_labels():
    out = convert_html("<p>发展</p><!--keep--><a>简体</a><a>繁體</a><!--/keep--><p>发展</p>", "hant")
    assert out == "<p>發展</p><!--keep--><a>简体</a><a>繁體</a><!--/keep--><p>發展</p>"


def test_opencc_and_jieba_are_used_only_through_newsmirror_chinese():
    import re
    from pathlib import Path

    import newsmirror

    root = Path(newsmirror.__file__).parent
    offenders = [str(p.relative_to(root)) for p in root.rglob("*.py")
                 if p.parent.name != "chinese"
                 and re.search(r"^\s*(?:import|from)\s+(?:opencc|jieba)\b", p.read_text(encoding="utf-8"), re.M)]
    assert offenders == []
