"""Lines in an article's text that are not the article's own words: one home for every stage.

A photo caption or credit, a screen-reader label, a widget's timestamp, view counter or ad label
can sit inside a feed's text or at the edge of a page's. Extraction drops them from page bodies
(`extract`), the archive ignores them when it compares two captures (`store.revisions`), and
nothing that summarizes an article — the web archive's lists, search snippets, the static site's
descriptions, outgoing feeds — lets them open the summary (`gist`, `without_furniture`).

Each idea is one pattern below, with a comment saying what it matches and an example.
"""

from __future__ import annotations

import re

__all__ = [
    "PHOTO_CAPTION",
    "CAPTION_LABEL",
    "CREDIT_LABEL",
    "WIDGET_LINES",
    "WIDGET_LINE",
    "CREDIT_HEAD",
    "CREDIT_TAIL",
    "is_furniture",
    "without_furniture",
    "without_credits",
    "gist",
]

# A line right under a picture that reads as its caption: Taiwan's ▲ lead, or a photo credit at the end
# (`（記者X攝）`, `（圖／X提供）`, `（资料图片）`, `（美聯社照片）`, `（路透社档案照）`, `（網上圖片）`,
# `新华社记者 X 摄`, `新华社发`, `图：视觉中国`), or a short line opened by a caption's word (`图为…`, `資料圖：…`).
PHOTO_CAPTION = re.compile(
    r"^\s*[▲▼△]|"
    # a caption's own opening word: 图为…, 資料圖：…, 圖說：…
    r"^\s*(?:圖為|图为|資料圖|资料图|資料照|资料照|圖說|图说)\s*[：:]?(?=.{0,60}$)|"
    r"[（(][^（）()]{0,40}(?:攝|摄|提供|資料照|资料照|資料圖|资料图|圖片|图片|照片|翻攝|翻摄|截圖|截图|圖／|图／|圖/|图/|"
    r"檔案照|档案照)"
    r"[^（）()]{0,30}[)）]\s*$|"
    r"[\u3400-\u9fff·]{2,5}\s*[攝摄]\s*$|(?:[\u3400-\u9fff]{1,4}社|中新網|中新网)\s*[發发]\s*$|"
    r"(?:圖|图)\s*[：:／/]\s*[^\s，。]{2,12}\s*$"
)
# Labels written for screen readers before a caption or a photo credit (BBC's services print them in
# the page text and hide them with CSS): `图像加注文字，` before a caption, `图像来源，` before a credit.
CAPTION_LABEL = re.compile(r"^\s*(?:图像加注文字|圖像加註文字|视频加注文字|視頻加註文字|Image caption|Media caption|"
                           r"Video caption)\s*[，,]\s*")
CREDIT_LABEL = re.compile(r"^\s*(?:图像来源|圖像來源|Image source)\s*[，,]")

# Short lines that widgets, not the outlet's writers, put in a text. One pattern per idea.
WIDGET_LINES: tuple[str, ...] = (
    # an ad or sponsor label on its own line: 廣告 / 广告 / (廣告) / 贊助內容 / Advertisement
    r"[(（\[【]?(?:廣告|广告|贊助(?:內容)?|赞助(?:内容)?|推廣|推广|AD|Ad|Advertisement|Sponsored)[)）\]】]?",
    # a short ad: the label in brackets or before a colon, then its text: 【廣告】限時特價, 廣告：買一送一
    r"(?:[(（\[【]\s*(?:廣告|广告|贊助|赞助|推廣|推广|AD|Ad|Sponsored)\s*[)）\]】]|"
    r"(?:廣告|广告|贊助|赞助|推廣|推广|Advertisement|Sponsored)\s*[:：｜|]).{0,30}",
    # a relative time: 3 分鐘前, 2小時前, 剛剛
    r"(?:\d+\s*(?:秒|分鐘|分钟|小時|小时|天|日)前|剛剛|刚刚)",
    # a date and/or time, with an optional label: 更新時間：2025-09-10 14:32, 2025年9月10日 14:32, 14:32
    r"(?:(?:最後|最后)?(?:更新|發布|发布|發佈|刊登|上稿)(?:時間|时间|日期|於|于)?\s*[:：]?\s*)?"
    r"(?:\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?)?\s*(?:\d{1,2}:\d{2}(?::\d{2})?)?",
    # a view counter: 閱讀 1,234 / 瀏覽數：1.2萬 / 点击 5678 次
    r"(?:閱讀|阅读|瀏覽|浏览|點閱|点阅|點擊|点击|觀看|观看)(?:數|数|次數|次数)?\s*[:：]?\s*[\d,.]+\s*[萬万]?\s*次?",
    # the same with the count first: 6494点阅, 1.2萬 次瀏覽, 320 views
    r"[\d,.]+\s*[萬万]?\s*(?:次|人)?\s*(?:閱讀|阅读|瀏覽|浏览|點閱|点阅|點擊|点击|觀看|观看|views?)",
)
WIDGET_LINE = re.compile("|".join(f"(?:{p})" for p in WIDGET_LINES), re.I)
WIDGET_MAX = 40  # characters: a longer line is the outlet's text even if it starts like a widget
CAPTION_MAX = 150  # characters: a caption or credit line is short

# A newsroom's credit opening an article's text: the dateline and byline an agency's copy carries, which
# every article of that agency shares and no reader reads as the story.
CREDIT_HEADS: tuple[str, ...] = (
    # a bracketed dateline or byline: （中央社記者X台北3日電）, （中央社莫斯科12日綜合外電報導）, 〔國際新聞中心／綜合報導〕,
    # 〔記者X／花蓮報導〕, 〔中央社〕, 【記者X／台中報導】
    r"[（(〔【\[][^）)〕】\]\n]{0,40}?(?:電|电|報導|报道|報道|中央社|新華社|新华社|記者|记者|編譯|编译)[^）)〕】\]\n]{0,20}"
    r"[）)〕】\]]",
    # an agency's dateline with its reporters: 新华社北京9月4日电（记者 石燕 苏言）, 人民网北京6月19日电
    r"[\u3400-\u9fff]{2,5}(?:社|网|網|报|報)[\u3400-\u9fff]{0,12}\d{1,2}月\d{1,2}日(?:专|專)?(?:电|電)"
    r"(?:\s*[（(][^）)\n]{0,30}[）)])?",
    # a translator's or reporter's byline: 編譯周怡如／綜合報導, 记者 王某/北京报道
    r"(?:編譯|编译|記者|记者)\s*[^\s／/]{1,8}\s*[／/]\s*[^\s，。]{0,10}(?:報導|报道|報道)",
)
CREDIT_HEAD = re.compile(r"\A\s*(?:" + "|".join(f"(?:{p})" for p in CREDIT_HEADS) + r")\s*")
# An editor's credit closing the text, with the date code some agencies add: （編輯：林芝安）1061112, （责编：王珂园、刘畅）
CREDIT_TAIL = re.compile(r"[（(]\s*(?:責任編輯|责任编辑|編輯|编辑|責編|责编)\s*[：:][^）)\n]{0,40}[）)]\s*\d{0,8}\s*\Z")

_CJK_END = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]$")


def is_furniture(line: str) -> bool:
    """Whether one line of text is a caption, a credit, a screen-reader label or a widget's line."""
    line = line.strip()
    if not line:
        return True
    if len(line) <= WIDGET_MAX and WIDGET_LINE.fullmatch(line):
        return True
    if len(line) <= CAPTION_MAX and (PHOTO_CAPTION.search(line) or CAPTION_LABEL.match(line)
                                      or CREDIT_LABEL.match(line)):
        return True
    return False


def without_furniture(text: str) -> str:
    """The text without its furniture lines; paragraphs stay separated by blank lines."""
    paragraphs = []
    for para in (text or "").split("\n\n"):
        kept = [line for line in para.split("\n") if not is_furniture(line)]
        if kept:
            paragraphs.append("\n".join(kept))
    return "\n\n".join(paragraphs)


def without_credits(text: str) -> str:
    """The text without the agency credit that opens it and the editor's credit that closes it.

    So two articles of one agency about different events do not look alike for sharing their credits
    (the stories stage compares what outlets wrote, not who sent it)."""
    text = CREDIT_HEAD.sub("", text or "", count=1)
    return CREDIT_TAIL.sub("", text, count=1).strip()


def gist(text: str, chars: int = 140) -> str:
    """The opening of an article's own words, for a summary: furniture dropped, lines joined, at most
    `chars` characters (an ellipsis marks a cut). Reads only as many lines as it needs."""
    out = ""
    for line in (text or "").split("\n"):
        if is_furniture(line):  # blank lines too
            continue
        line = line.strip()
        joiner = "" if not out or _CJK_END.search(out) else " "
        out += joiner + line
        if len(out) > chars:
            return out[:chars].rstrip() + "…"
    return out
