"""Article extraction from a page's visible text, as a crawler or a browser's text dump saw it.

A capture has no markup, so the structure comes from the lines themselves: the body is the
longest run of long paragraphs ending in sentence punctuation; the title is the line above the
byline (or above the date and credit lines) that precedes the body; a line printed twice that
ends in a photo credit is a caption; short lines of space-separated words right after the body
are tags; a short heading followed by headline-like lines is a related-links group. Everything
else (tickers, audio widgets, shop and comment boxes) is left out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from newsmirror.chinese import CLOSING_CLASS, SENTENCE_END_CLASS, count_han
from newsmirror.extract.bylines import Credits, credits_of, find_credits, parse_credits
from newsmirror.extract.dates import DateMatch, find_dates
from newsmirror.extract.page import CAPTION_LABEL, COPYRIGHT_NOTICE, CREDIT_LABEL, PHOTO_CAPTION
from newsmirror.extract.related import is_related_heading
from newsmirror.models import Article, RelatedLink

__all__ = ["extract_text_capture"]

MIN_PARAGRAPH = 30  # characters a body paragraph has at least
MIN_BODY = 120  # characters a body run has at least
MAX_HEADING = 8  # characters of a related-links heading at most
MIN_HEADLINE = 9  # characters of a related headline at least
MAX_GAP = 4  # short lines (subheadings, image notes) a body run may bridge
# Lines of a capture read at most: real captures have a few hundred; past this the rest is read as a
# truncated capture, so that no capture takes more than a second (bench/badinput.py).
MAX_LINES = 8_000

# a line's last character: a sentence end, a closing quote, or a semicolon or colon (a line run on below it)
_SENTENCE_END = re.compile(f"[{SENTENCE_END_CLASS}{CLOSING_CLASS}；;：:]\\s*$")
_ENDS_IN_STOP = re.compile(r"[。！？!?]\s*[」』”\"’）)】]*\s*$")
_TRUNCATED = re.compile(r"(?:\.{2,}|…+|⋯+)\s*$")
_PHOTO_CREDIT = re.compile(
    r"[（(]?\s*(?:圖|图|圖片|图片|照片|攝影|摄影|資料照|资料照|圖片來源|图片来源|Photo|photo|Image|image)\s*"
    r"(?:來源|来源|提供)?\s*[／/:：]\s*[^\s／/（）()。，]{1,24}\s*[)）]?\s*$"
)
_CLOCK_WIDGET = re.compile(r"^\d{1,2}:\d{2}(?::\d{2})?\s*/\s*\d{1,2}:\d{2}(?::\d{2})?$")
_WIDGET_WORDS = re.compile(
    r"^(?:聽新聞|听新闻|播放|暫停|暂停|分享(?:到|至)?[:：]?\S{0,8}|(?:用微信)?扫[描码碼]\S{0,8}|掃描\S{0,8}|收藏|列印|打印|字級|字级|字體|字体|[Aa][+-]|留言|評論|评论|"
    r"加入好友|追蹤|追踪|訂閱|订阅|看更多|更多|上一則|下一則|上一篇|下一篇|返回|回到頂部|回到顶部|举报|舉報|"
    r"\d+\s*則留言|\d+\s*条评论|\d+\s*條評論)\s*[|｜]?$"
)
_TAG_PREFIX = re.compile(r"^(?:標籤|标签|關鍵字|关键字|關鍵詞|关键词|Tags?|TAG)\s*[:：]\s*(?P<tags>.+)$", re.IGNORECASE)
_UPDATED = re.compile(r"更新|updated|Updated|修改")
_SPACE = re.compile(r"[ \t\u3000\xa0]+")


@dataclass(frozen=True)
class _Line:
    text: str
    blank_before: bool


def _lines(text: str) -> list[_Line]:
    out: list[_Line] = []
    blank = True
    for raw in text.splitlines():
        s = _SPACE.sub(" ", raw).strip()
        s = re.sub(r"^[•●·▪■◆\-*]\s+", "", s) if len(s) > 2 else s
        if not s:
            blank = True
            continue
        out.append(_Line(s, blank))
        blank = False
    return out


_TRAILING_NOTE = re.compile(r"[（(][^（）()]{1,30}[)）]\s*\d{0,8}\s*$")


def _is_paragraph(s: str) -> bool:
    """A body-like paragraph: long enough and ending a sentence (teasers ending in ... are not)."""
    s = _TRAILING_NOTE.sub("", s) or s
    if _TRUNCATED.search(s) or _PHOTO_CREDIT.search(s) or _WIDGET_WORDS.match(s):
        return False
    if len(s) >= MIN_PARAGRAPH and _SENTENCE_END.search(s):
        return True
    return len(s) >= 80 and " " not in s[-3:]


def _is_widget(s: str) -> bool:
    return bool(_CLOCK_WIDGET.match(s) or _WIDGET_WORDS.match(s))


def _is_headline(s: str) -> bool:
    return MIN_HEADLINE <= len(s) <= 80 and not _ENDS_IN_STOP.search(s) and not _TRUNCATED.search(s) \
        and not _is_widget(s)


_IMAGE_NOTE = re.compile(r"(?:截图|截圖|供图|供圖|配图|配圖|资料图|資料圖|資料照|资料照|图片|圖片|摄|攝|翻攝|翻摄|视频截图|影片截圖)\s*[)）]?$")


def _is_gap(s: str) -> bool:
    """A short line that may sit between body paragraphs: a subheading or an image note."""
    return len(s) <= 50 and not _is_widget(s) and not _TRUNCATED.search(s) and not parse_credits(s).is_byline_only


def _is_sentence(s: str) -> bool:
    """A short paragraph that still ends a sentence: a body's short lead or closing line."""
    return len(s) >= 8 and bool(_ENDS_IN_STOP.search(s)) and not _is_widget(s) and not _PHOTO_CREDIT.search(s)


def _body_run(texts: list[str], skip: set[int], para: list[bool] | None = None) -> tuple[int, int] | None:
    """(first, last) indices of the largest run of paragraphs; up to MAX_GAP short lines may sit inside.
    `para[i]` is _is_paragraph(texts[i]), when the caller has it (each line is asked up to three times)."""
    if para is None:
        para = [_is_paragraph(t) for t in texts]
    best: tuple[int, int] | None = None
    best_size = 0
    n = len(texts)
    i = 0
    while i < n:
        if i in skip or not para[i]:
            i += 1
            continue
        start = end = i
        size = len(texts[i])
        count = 1
        j = i + 1
        while j < n:
            if j in skip:
                j += 1
                continue
            if para[j]:
                end, size, count = j, size + len(texts[j]), count + 1
                j += 1
                continue
            k, gaps = j, 0
            while k < n and (k in skip or (not para[k] and _is_gap(texts[k]))) and gaps < MAX_GAP + 1:
                gaps += k not in skip
                k += 1
            if gaps <= MAX_GAP and k < n and k > j and para[k]:
                j = k
                continue
            break
        if size > best_size:
            best, best_size = (start, end), size
        i = max(j, i + 1)
    if best is None:
        return None
    first, last = best
    # a short lead (`2019年，X即將迎來上市10周年。`) or closing line still belongs to the run
    while first - 1 >= 0 and first - 1 not in skip and _is_sentence(texts[first - 1]):
        first -= 1
    while last + 1 < n and last + 1 not in skip and _is_sentence(texts[last + 1]):
        last += 1
    paragraphs = [idx for idx in range(first, last + 1) if idx not in skip and para[idx]]
    if best_size < MIN_BODY and len(paragraphs) < 2:
        return None
    return first, last


def _captions(texts: list[str]) -> tuple[set[int], list[str]]:
    """Indices of caption lines (a line printed twice, or one ending in a photo credit) and the captions."""
    skip: set[int] = set()
    captions: list[str] = []
    for i, s in enumerate(texts):
        if i in skip:
            continue
        doubled = i + 1 < len(texts) and texts[i + 1] == s and len(s) >= 10
        if CREDIT_LABEL.match(s) and len(s) <= 60:
            skip.add(i)  # `图像来源，Getty Images`: a picture's credit, nobody's caption
        elif doubled and (_PHOTO_CREDIT.search(s) or not _ENDS_IN_STOP.search(s)):
            skip.update((i, i + 1))
            captions.append(s)
        elif len(s) >= 10 and len(s) <= 150 and (_PHOTO_CREDIT.search(s) or PHOTO_CAPTION.search(s)
                                                 or CAPTION_LABEL.match(s)):
            skip.add(i)
            captions.append(CAPTION_LABEL.sub("", s))
    return skip, captions


def _is_meta(s: str, reference: datetime | None, tz: str) -> bool:
    """A short line holding a byline, a credit or a date: never a title, never body."""
    if len(s) > 80:
        return False
    c = parse_credits(s)
    if c.is_byline_only or ((c.authors or c.source or c.editors) and len(s) <= 50):
        return True
    return bool(find_dates(s, tz=tz, reference=reference)) and len(s) <= 60


_BREADCRUMB = re.compile(r"\s[>›»]\s|^(?:首页|首頁|Home)\s*[-|>›»]")
_ORIGINAL_TITLE = re.compile(r"^[（(]?\s*(?:原标题|原標題|原題|原题)\s*[:：]")


def _title(texts: list[str], body_start: int, skip: set[int], reference: datetime | None, tz: str) -> tuple[str, int]:
    """The headline: a headline-like line above the body, best one followed by a byline or date line.

    Evidence, weighed: a byline/date line right below it, the same line again elsewhere (a related
    list, the page title `X_site`), a headline's length, nearness to the body.
    """
    best: tuple[float, str, int] = (float("-inf"), "", body_start)
    seen = 0
    cjk = body_start < len(texts) and count_han(texts[body_start]) >= 10
    for i in range(body_start - 1, -1, -1):
        if seen >= 25:
            break
        s = texts[i]
        if i in skip or len(s) < 6 or _is_widget(s):
            continue
        seen += 1
        if (
            len(s) > 100
            or _ENDS_IN_STOP.search(s)
            or _TRUNCATED.search(s)
            or _ORIGINAL_TITLE.match(s)
            or _IMAGE_NOTE.search(s)
            or _BREADCRUMB.search(s)
            or (cjk and count_han(s) < 4)
            or _is_meta(s, reference, tz)
            or s.startswith(("——", "--", "—"))  # a subtitle (副题) under the headline
        ):
            continue
        score = -0.25 * seen
        below = [texts[k] for k in range(i + 1, min(body_start, i + 5)) if k not in skip and not _is_widget(texts[k])]
        if any(_is_meta(b, reference, tz) for b in below[:3]):
            score += 4
        if 10 <= len(s) <= 64:
            score += 1
        for k, other in enumerate(texts):
            if k != i and (other == s or (other.startswith(s) and re.match(r"\s*[_|｜\-–—]", other[len(s):]))):
                score += 3
                break
        if score > best[0]:
            best = (score, s, i)
    return best[1], best[2]


def _labelled_tags(m: re.Match[str]) -> list[str]:
    """The words after a `標籤：` label, each once."""
    return list(dict.fromkeys(w for w in re.split(r"[\s、,，;；#]+", m.group("tags")) if w))


def _tags(texts: list[str], start: int, skip: set[int]) -> tuple[list[str], int]:
    """Tags right after the body: a line of short space-separated words, or `標籤：a、b`."""
    i = start
    while i < len(texts) and (i in skip or parse_credits(texts[i]).is_byline_only):
        i += 1
    if i >= len(texts):
        return [], start
    s = texts[i]
    if not _TAG_PREFIX.match(s):
        # `關鍵字：a b c` a little further down, below a related list
        labelled = next((k for k in range(i + 1, min(i + 16, len(texts))) if _TAG_PREFIX.match(texts[k])), None)
        m = _TAG_PREFIX.match(texts[labelled]) if labelled is not None else None
        if m and labelled is not None and not any(_is_paragraph(texts[k]) for k in range(i, labelled)):
            return _labelled_tags(m), start
    m = _TAG_PREFIX.match(s)
    if m:
        return _labelled_tags(m), i + 1
    words = s.replace("#", " ").split()
    if re.fullmatch(r"[-—–\s]*END[-—–\s]*", s) or re.search(r"(?<![A-Za-z])(?:APP|App|app)(?![a-z])", s):
        return [], start  # `- END -` closing a WeChat article; an app promo (`現在用APP看新聞`)
    if (
        len(words) >= 2
        and all(1 <= len(w) <= 10 for w in words)
        and not re.search(r"[。，,！？!?：:；;、「」]", s)
        and len(s) <= 80
    ):
        return list(dict.fromkeys(words)), i + 1
    return [], start


_BULLET = re.compile(r"^[►▶▸•●·▪■◆]\s*")
_ITEM_DATE = re.compile(r"^(?:\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/]\d{1,2})(?:\s+\d{1,2}:\d{2})?$")
# Lines a page puts among its paragraphs that are neither text nor a break in it: an ad marker, a
# gallery's counter and hint.
_FILLER = re.compile(r"^(?:請繼續往下閱讀|请继续往下阅读|繼續閱讀|继续阅读)\S{0,4}$|^\d{1,3}\s*/\s*\d{1,3}$|"
                     r"(?:按圖|按图|點圖|点图)放大|^(?:廣告|广告|Advertisement)$")
_APP_PROMO = re.compile(r"(?:下載|下载|Download)\S{0,12}(?:App|APP|app)|(?:App|APP|app)\s*(?:下載|下载)|加入LINE|訂閱|订阅")


def _related(texts: list[str], start: int) -> list[RelatedLink]:
    """Headed lists of headlines after the body: a short heading, then headline lines (teasers skipped)."""
    related: list[RelatedLink] = []
    i = start
    n = len(texts)
    while i < n:
        heading = texts[i].strip(" 【】[]■▌|｜:：")
        if len(heading) > MAX_HEADING or _is_widget(heading) or _ENDS_IN_STOP.search(heading) \
                or not is_related_heading(heading):
            i += 1
            continue
        items: list[str] = []
        j = i + 1
        while j < n:
            s = _BULLET.sub("", texts[j])
            if (_TRUNCATED.search(s) or _ITEM_DATE.match(s)) and items:
                j += 1  # a teaser or the date under the headline before it
                continue
            if not _is_headline(s) or COPYRIGHT_NOTICE.search(s) or _APP_PROMO.search(s) or _TAG_PREFIX.match(s):
                break
            if re.search(r"(?<![A-Za-z])(?:APP|App|app)」?$", s):
                j += 1  # an app's name among the headlines (`中央社「一手新聞」app`)
                continue
            items.append(s)
            j += 1
        if len(items) >= 2:
            related.extend(RelatedLink(group=heading, title=t) for t in dict.fromkeys(items))
            i = j
        else:
            i += 1
    return related


def _pick_dates(
    texts: list[str], zone: list[int], tz: str, reference: datetime | None
) -> tuple[datetime | None, datetime | None]:
    """Published and updated from the lines around the title: a stamp with a time beats a bare day."""
    published: list[DateMatch] = []
    updated: list[DateMatch] = []
    for i in zone:
        s = texts[i]
        if len(s) > 120:
            continue
        for d in find_dates(s, tz=tz, reference=reference):
            before = s[max(0, d.start - 8) : d.start]
            after = s[d.end : d.end + 4]
            (updated if _UPDATED.search(before) or _UPDATED.search(after) else published).append(d)
    def best(found: list[DateMatch]) -> datetime | None:
        timed = [d for d in found if d.has_time]
        return (timed or found)[0].value if found else None

    return best(published), best(updated)


def _script(text: str) -> tuple[str | None, str | None]:
    try:
        from newsmirror.extract.meta import detect_lang
    except ImportError:  # the page extractor is optional here
        return None, None
    return detect_lang(text)


def extract_text_capture(
    text: str,
    *,
    url: str | None = None,
    tz: str = "Asia/Taipei",
    reference: datetime | None = None,
) -> Article:
    """Read a page's visible text (no markup) into an Article; "not_article" when it has no body."""
    lines = _lines(text or "")
    notes = ""
    if len(lines) > MAX_LINES:
        lines = lines[:MAX_LINES]
        notes = f"text cut after its first {MAX_LINES:,} lines"
    texts = [ln.text for ln in lines]
    skip, captions = _captions(texts)
    skip.update(i for i, s in enumerate(texts) if _FILLER.search(s))
    para = [_is_paragraph(t) for t in texts]
    run = _body_run(texts, skip, para)
    if run is None:
        title = next((s for s in texts if _is_headline(s) and not _is_meta(s, reference, tz)), "")
        reason = "no run of body paragraphs in the text" + (f" ({len(texts)} lines)" if texts else "")
        return Article(kind="not_article", url=url, title=title, notes="; ".join(n for n in (reason, notes) if n))
    first, last = run
    # credit lines that open the body run belong to the credits, not the text
    while first < last and parse_credits(texts[first]).is_byline_only:
        first += 1
    # the site's copyright sentence closing the run (`本網站之文字…非經授權，不得轉載`) is not text
    while last > first and COPYRIGHT_NOTICE.search(texts[last]) and len(texts[last]) <= 160:
        last -= 1
    body: list[str] = []
    for i in range(first, last + 1):
        if i in skip:
            continue
        if not para[i] and not _is_sentence(texts[i]) and _IMAGE_NOTE.search(texts[i]):
            if len(texts[i]) > 4:  # a bare `图片` is where a picture was, no caption
                captions.append(texts[i])  # `姚明場邊支招。視頻截圖`: a picture's note between paragraphs
            continue
        body.append(texts[i])
    title, title_at = _title(texts, first, skip, reference, tz)

    head_zone = [i for i in range(title_at + 1, first) if i not in skip]
    tail = last + 1
    while tail < len(texts) and (tail in skip or _is_meta(texts[tail], reference, tz)):
        tail += 1
    tail_zone = [i for i in range(last + 1, tail) if i not in skip]
    credit_lines = [texts[i] for i in head_zone] + body[:1] + body[-1:] + [texts[i] for i in tail_zone]
    credits: Credits = find_credits(credit_lines)

    tags, after_tags = _tags(texts, tail, skip)
    related = _related(texts, after_tags)

    date_zone = head_zone + list(range(title_at)) + tail_zone
    published, updated = _pick_dates(texts, date_zone, tz, reference)

    note = _TRAILING_NOTE.search(body[-1])
    if note and note.start() > 0 and parse_credits(note.group()).editors:
        body[-1] = body[-1][: note.start()].rstrip()  # `（編輯：X）1130521` credits the desk, it is not text
    body_text = "\n\n".join(body)
    lang, script = _script(title + "\n" + body_text)
    return Article(
        kind="article",
        url=url,
        title=title,
        authors=credits.authors,
        source=credits.source,
        editors=credits.editors,
        published=published,
        updated=updated,
        text=body_text,
        captions=tuple(dict.fromkeys(captions)),
        tags=tuple(tags),
        related=tuple(related),
        lang=lang,
        script=script,
        credits=credits_of(credits.authors, credits.roles),
        notes=notes,
    )
