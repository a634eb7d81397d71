"""The body's edges cut by words kept as data (lexicon.toml's body_edges): players, pagers, blog lines, asks."""

from __future__ import annotations

from newsmirror.extract import extract_article
from newsmirror.extract.lexicon import lexicon

STORY = [f"港口擴建工程第{i}期今天在海邊舉行動土儀式，居民與官員一同出席，現場氣氛熱烈而且秩序良好。" for i in range(1, 6)]


def page(before: list[str], after: list[str]) -> str:
    paras = "".join(f"<p>{t}</p>" for t in [*before, *STORY, *after])
    return f"<html><head><title>港口擴建動土</title></head><body><h1>港口擴建動土</h1><div class='content'>{paras}</div></body></html>"


def test_body_edge_words_are_folded_into_both_scripts():
    words = lexicon().words("body_edges.related_headings")
    assert "延伸阅读" in words and "延伸閱讀" in words and "相關連結" in words


def test_a_players_words_and_a_pager_are_not_story_text():
    art = extract_article(page(["第1頁/共1頁 << 上一頁 | 下一頁 >>", "很抱歉，當前視頻播放失敗"], ["錯誤代碼：QVS.4100"]))
    assert art.text.split("\n\n") == STORY


def test_a_consent_box_and_a_close_button_are_not_story_text():
    art = extract_article(page(["請同意我們的隱私權規範，才能啟用聽新聞的功能。", "關閉"], []))
    assert art.text.split("\n\n") == STORY


def test_a_related_box_after_the_first_paragraph_keeps_that_paragraph():
    links = "".join(f"<p><a href='/news/{i}'>另一則新聞的標題第{i}則，與港口無關</a></p>" for i in range(4))
    html = page([], []).replace(f"<p>{STORY[1]}</p>", f"<p>相關新聞：</p>{links}<p>{STORY[1]}</p>")
    assert extract_article(html).text.split("\n\n") == STORY


def test_a_blog_posts_closing_line_ends_the_body_before_the_next_post():
    other = ["另一篇文章的第一段，說的是山上的天氣和登山步道的整修工程，與港口無關。"] * 3
    closing = "<a href='/p/1#comments'>（本文發表於首頁, 已被閱讀178次）</a>"
    art = extract_article(page([], [closing, "本文通告引用(Trackback)鏈接: /trackback?p=1", *other]))
    assert art.text.split("\n\n") == STORY


def test_an_ask_for_support_and_the_lines_under_it_go():
    art = extract_article(page([], ["（王小明 / 綜合報導）", "贊助《範例新聞》 我們需要你們的支持",
                                    "銀行戶口：000-000-0000（範例新聞有限公司）"]))
    assert art.text.split("\n\n")[:5] == STORY
    assert "贊助" not in art.text and "銀行戶口" not in art.text


def test_a_sponsor_named_in_the_last_paragraph_stays():
    last = "贊助單位包括本地三家航運公司，主辦方表示明年將繼續舉辦同類活動。"
    art = extract_article(page([], [last]))
    assert art.text.split("\n\n")[-1] == last


def test_widget_lines_inside_the_text_go_wherever_they_sit():
    widgets = ["【字體：大 中 小】", "小 中 大", "語音播報文章，釋放雙眼", "Play Video", "打開全文", "點擊圖片看大圖", "正在加載…"]
    prompts = ["文章不錯，點個讚吧", "減少或屏蔽此類內容推薦", "本文為某某號用戶上傳並發布，不代表本平台觀點",
               "立即訂閱範例新聞 YouTube，即時掌握時事發展。", "請LIKE我們的官方臉書網頁以獲取更多新信息",
               ">>>範例網WhatsApp爆料熱線(000)0000000，爆料一經錄用，薄酬致意。", "3,456 次瀏覽"]
    html = page(widgets, []).replace(f"<p>{STORY[2]}</p>", "".join(f"<p>{t}</p>" for t in prompts) + f"<p>{STORY[2]}</p>")
    assert extract_article(html).text.split("\n\n") == STORY


def test_a_story_that_mentions_a_platform_or_a_like_keeps_its_sentences():
    lines = ["議員表示，他會在臉書上說明港口擴建的進度，並請市民關注後續的公聽會安排。",
             "居民說，他們已經按讚支持這項計畫，也希望市府加快工程進度並且公開預算。"]
    assert extract_article(page([], lines)).text.split("\n\n") == STORY + lines


def test_a_header_block_down_to_the_headlines_repeat_is_not_the_story():
    head = ["國際", "|", "帶你看世界", "|", "發布: 12:12am 22/06/2026 6494點閱", "閱讀時間 3 分鐘 ｜ 訂閱電子報",
            "港口", "動土", "港口擴建動土"]
    art = extract_article(page(head, []))
    assert art.text.split("\n\n") == STORY
    assert art.published is not None and (art.published.year, art.published.month, art.published.day) == (2026, 6, 22)


def test_a_closing_credit_block_goes_and_its_writer_is_the_author():
    closing = ["文：陳美玲", "編輯：林小華", "美 術：張大同", "facebook @範例副刊", "[健康]"]
    art = extract_article(page([], closing))
    assert art.text.split("\n\n") == STORY
    assert art.authors == ("陳美玲",)


def test_a_widgets_label_with_nothing_after_it_closes_nothing():
    art = extract_article(page([], ["信息來源： 範例日報", "輪播圖預覽:"]))
    assert art.text.split("\n\n") == STORY


def test_a_section_tag_above_the_story_goes_and_a_lead_in_brackets_stays():
    lead = "【範例報專訊】港口擴建工程今天正式動土，市長在致詞時感謝居民多年來的耐心與支持，並承諾如期完工。"
    art = extract_article(page(["[國際]", lead], []))
    assert art.text.split("\n\n") == [lead, *STORY]


def test_a_short_story_beside_a_longer_list_of_cards_is_the_body():
    cards = "".join(
        f"<li><h3><a href='/n/{i}'>另一則新聞的標題第{i}則</a></h3><p>這是另一則新聞的摘要第{i}段，說的是山上的天氣、"
        f"登山步道的整修工程和週末的交通管制，與港口擴建無關，讀者可以點進去閱讀全文。</p></li>" for i in range(8))
    story = "".join(f"<p>{t}</p>" for t in STORY[:3])
    html = (f"<html><head><title>港口擴建動土</title></head><body><div class='page'><div class='col'><h1>港口擴建動土</h1>"
            f"<article class='story'><div class='story-body'>{story}</div></article></div>"
            f"<div class='col2'><div class='stream'><ul>{cards}</ul></div></div></div></body></html>")
    assert extract_article(html).text.split("\n\n") == STORY[:3]


def test_reactions_and_the_comment_area_under_the_story_go():
    comments = ["不喜歡", "451", "評論13", "Reader7569", "來自福建省", "2", "這篇文章寫得真好，港口擴建終於要開始了，期待早日完工。",
                "user1234509876", "來自遼寧省", "8", "希望工程期間不要影響附近居民的生活，也請市府多加注意安全。"]
    assert extract_article(page([], comments)).text.split("\n\n") == STORY


def test_a_story_that_ends_on_a_count_keeps_it():
    last = "這項工程的總預算，經過議會審查之後，最後核定為新台幣451億元。"
    assert extract_article(page([], [last])).text.split("\n\n") == STORY + [last]


def test_text_in_the_box_that_holds_the_headline_wins_over_an_address_footer():
    # The story is bare text in the headline's own column, between <br>s; the footer is a long address line
    # right after it, in a layout box called `container` (a wrapper's name, no sign of text).
    story = "<br>".join(STORY[:3])
    html = ("<html><head><title>港口擴建動土</title></head><body>"
            + "".join(f"<li><a href='/a/{i}'>往期新聞第{i}則</a></li>" for i in range(30))
            + f"<div class='row'><div class='col-9'><p class='titulo'>港口擴建動土</p>{story}<br><br></div></div>"
            "<div class='container'><div class='row'><div>範例市 - 統一編號：83.102.459/0001-23 - 海濱路1111號 - 郵政信箱421 - "
            "電話：(047) 2106-8000</div></div></div></body></html>")
    art = extract_article(html)
    assert art.text.split("\n\n") == STORY[:3]


def test_a_header_block_down_to_the_headlines_second_repeat_goes():
    # headline, time, share label, a kicker, then the headline again over the text: none of it is the story
    html = page([], []).replace(
        "<div class='content'>", "<div class='content'><div>港口擴建動土</div><div>發布時間：2022-02-13 04:22</div>"
        "<div>分享到：</div><img src='/pic/1.jpg'><p>五家企業</p><p>港口擴建動土</p>")
    art = extract_article(html)
    assert art.text.split("\n\n") == STORY


def test_a_story_split_into_chunks_by_an_ad_is_read_whole_and_comments_alike_stay_out():
    # the text in two boxes of one class, an ad between them; a reader's comment in a box of the same class
    chunk = "".join(f"<p>{t}</p>" for t in STORY[:2])
    rest = "".join(f"<p>{t}</p>" for t in STORY[2:] + LONGER)
    comment = "<p>讀者留言：這個工程拖了很久，希望這次真的可以準時完工，不要再延期了，大家都在等。</p>" * 8
    html = ("<html><head><title>港口擴建動土</title></head><body><h1>港口擴建動土</h1><article>"
            f"<div class='chunks'><div class='grid'><div class='article__body'>{chunk}</div></div>"
            "<div class='ad'>Advertisement</div>"
            f"<div class='grid'><div class='article__body'>{rest}</div></div></div>"
            f"<div id='comments'><div class='comment'><div class='article__body'>{comment}</div></div></div>"
            "</article></body></html>")
    art = extract_article(html)
    assert art.text.split("\n\n") == STORY + LONGER


LONGER = [f"擴建之後，碼頭的吞吐量將增加一倍，第{i}批貨輪已經排定靠港的日期，航運公司表示會增加班次，港務局也會調整作業時間。"
          for i in range(1, 9)]


def test_a_live_blogs_posts_each_in_a_deep_card_of_one_class_are_all_read():
    posts = [STORY[:2], LONGER[:3], LONGER[3:5], STORY[2:4]]
    cards = "".join(
        f"<div class='item'><div class='wrap'><div class='card-live'><div class='card-live__area'><div class='card-live__content'><div class='rich'><div>"
        f"<h2>第{n}則更新</h2><div class='post-text'>{''.join(f'<p>{t}</p>' for t in paras)}</div>"
        "</div></div></div></div><div class='share'>分享</div></div></div></div>" for n, paras in enumerate(posts))
    html = ("<html><head><title>港口擴建直播</title></head><body><h1>港口擴建直播</h1>"
            f"<main><div class='live'><div class='posts'><div class='list'>{cards}</div></div></div></main></body></html>")
    art = extract_article(html)
    assert art.text.split("\n\n") == [t for paras in posts for t in paras]


def test_a_list_of_teasers_with_read_more_links_gives_way_to_the_short_story_above_it():
    teasers = "".join(
        f"<li><div class='t'><a href='/n/{i}'>另一則新聞第{i}則的標題</a></div>"
        f"<p>{LONGER[i % 8]}<a href='/n/{i}'>【詳細】</a></p><p>圖片頻道 2024-05-23 09:41:17</p></li>"
        for i in range(12))
    html = ("<html><head><title>港口擴建動土</title></head><body><h1>港口擴建動土</h1>"
            f"<div class='main'>{''.join(f'<p>{t}</p>' for t in STORY[:2])}</div>"
            f"<div class='name'>相關新聞</div><ul class='con'>{teasers}</ul></body></html>")
    art = extract_article(html)
    assert art.text.split("\n\n") == STORY[:2]


def test_an_expand_button_inside_the_story_is_no_end_and_a_related_box_still_is():
    toggle = page([], []).replace(f"<p>{STORY[2]}</p>", f"<div class='read-more'>Read More</div><p>{STORY[2]}</p>")
    assert extract_article(toggle).text.split("\n\n") == STORY
    related = page([], ["Read more", "<a href='/n/1'>另一則新聞的標題，與港口無關的第一則</a>",
                        "<a href='/n/2'>另一則新聞的標題，與港口無關的第二則</a>"])
    assert extract_article(related).text.split("\n\n") == STORY
