"""Credits with roles, bylines read from evidence, the outlet never a widget's name, notes on thin evidence.

Every input here is fictional text written for the test, in the conventions real pages use.
"""

from __future__ import annotations

from newsmirror.extract import extract_article
from newsmirror.extract.bylines import is_outlet, parse_credits
from newsmirror.extract.lexicon import lexicon, variants
from newsmirror.models import Article, Credit, CreditRole, article_from_dict, article_to_dict

PARAS = "".join(f"<p>第{i}段：市政府今天公布新的公園維護計畫，預計明年完工，居民對此表示歡迎並期待更多綠地。</p>"
                for i in range(1, 6))


def page(head: str = "", tail: str = "", meta: str = "") -> str:
    return (f"<html><head><title>公園維護計畫公布</title>{meta}</head><body><h1>公園維護計畫公布</h1>"
            f"<div class='info'>{head}</div><article>{PARAS}{tail}</article>"
            "<ul class='share'><li>开心网</li><li>微博</li><li>內容舉報</li></ul></body></html>")


def test_lexicon_folds_both_scripts():
    lex = lexicon()
    assert "聯合報" in lex.outlets and "联合报" in lex.outlets  # written once, known in both scripts
    assert "台北" in lex.places and "臺北" in lex.places
    assert "歐陽" in lex.compound_surnames and "欧阳" in lex.compound_surnames
    assert lex.roles["攝影"] is CreditRole.PHOTOGRAPHER and lex.roles["责任编辑"] is CreditRole.EDITOR
    assert variants("Reuters") == ("Reuters",)


def test_widget_names_are_never_outlets():
    for name in ("开心网", "微信公众平台", "內容舉報", "内容举报", "QQ空间"):
        assert not is_outlet(name), name
    assert is_outlet("聯合報") and is_outlet("南方都市报")


def test_spaced_two_character_name():
    c = parse_credits("本报记者 王乐文 方 敏")
    assert c.authors == ("王乐文", "方敏")
    assert dict(c.roles) == {"王乐文": CreditRole.REPORTER, "方敏": CreditRole.REPORTER}


def test_writer_after_post_and_after_source():
    assert parse_credits("（本文来源：某某日报 作者：某研究中心部长、研究员徐大成）").authors == ("徐大成",)
    c = parse_credits("2023-06-15 08:10 来源：中国新闻网 王小帆")
    assert c.authors == ("王小帆",) and c.source == "中国新闻网"
    assert parse_credits("来源：人民日报2024-05-13 08:49").source == "人民日报"


def test_roles_photographer_editor_commentator():
    c = parse_credits("（記者林小華攝）")
    assert c.authors == () and dict(c.roles) == {"林小華": CreditRole.PHOTOGRAPHER}
    c = parse_credits("（評論員 陳大文）")
    assert c.authors == ("陳大文",) and dict(c.roles)["陳大文"] is CreditRole.COMMENTATOR


def test_article_credits_authors_are_author_roles():
    art = extract_article(page(head="記者張小明／台北報導", tail="<p>（責任編輯：李美玲）</p>"))
    assert art.authors == ("張小明",)
    assert Credit("張小明", CreditRole.REPORTER) in art.credits
    assert Credit("李美玲", CreditRole.EDITOR) in art.credits
    assert all(c.name in art.authors for c in art.credits if c.role in (CreditRole.REPORTER, CreditRole.WRITER))


def test_outlet_from_evidence_not_share_buttons():
    art = extract_article(page(meta='<meta property="og:site_name" content="微信公众平台">'))
    assert art.source != "开心网" and art.source != "微信公众平台" and art.source != "內容舉報"
    art = extract_article(page(meta='<meta property="og:site_name" content="範例日報">'))
    assert art.source == "範例日報"


def test_short_dated_page_is_kept_with_a_note():
    html = ("<html><head><title>短訊標題</title></head><body><h1>短訊標題</h1><p>時間：2024.05.20</p>"
            + "".join(f"<p><a href='/x{i}'>其他新聞標題第{i}則連結文字</a></p>" for i in range(12))
            + "<div><p>範例電視台訊 本台今晚十點起播出系列訪談節目，邀請多位導演與演員分享他們的成長故事和創作生涯，用電影人的探索講述城市的發展。一起期待吧！</p></div>"
            "</body></html>")
    art = extract_article(html)
    assert art.kind == "article"
    assert "thin evidence" in art.notes
    assert extract_article("<html><body><p>x</p></body></html>").notes.startswith("no body")


def test_credits_and_notes_round_trip_through_the_one_serializer():
    a = Article(title="t", credits=(Credit("王小明", CreditRole.REPORTER), Credit("李美玲", CreditRole.EDITOR)),
                notes="kept as an article on thin evidence")
    d = article_to_dict(a)
    assert d["credits"] == [{"name": "王小明", "role": "reporter"}, {"name": "李美玲", "role": "editor"}]
    assert article_from_dict(d) == a
    assert article_from_dict({**d, "credits": [{"name": "x", "role": "astrologer"}]}).credits == ()
