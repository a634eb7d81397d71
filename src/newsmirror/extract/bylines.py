"""Bylines, datelines and credit lines of Chinese newsrooms, read into authors, source and editors.

Conventions read: `記者X／台北報導`, `【記者X／台中報導】`, `（中央社記者X首爾11日專電）`,
`聯合報／ 記者X／即時報導`, `新华社北京9月4日电（记者X、Y）`, `文／X`, `作者：X`, `本报记者 X`,
`X 報導`, `来源：X`, `责任编辑：X`, `（編輯：X）1120911`, `圖／路透`, `X，BBC中文記者`, `By X`.
Outlets and agencies are sources, never authors; editors never leak into authors; photo
credits (`圖／X`) credit nobody for the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from newsmirror.extract.lexicon import lexicon
from newsmirror.models import AUTHOR_ROLES, Credit, CreditRole

__all__ = ["KNOWN_OUTLETS", "Credits", "credits_of", "find_credits", "is_outlet", "parse_credits"]


@dataclass(frozen=True)
class Credits:
    """Who is credited for a text: person authors, the outlet/agency, editors, the dateline place."""

    authors: tuple[str, ...] = ()
    source: str | None = None
    editors: tuple[str, ...] = ()
    place: str | None = None
    is_byline_only: bool = False  # the line holds credits and nothing else
    roles: tuple[tuple[str, CreditRole], ...] = ()  # (name, role) for every person credited, editors too


# Outlets, places, surnames and non-names are data (lexicon.toml), folded into both scripts at load.
_LEX = lexicon()
KNOWN_OUTLETS: tuple[str, ...] = _LEX.outlets  # longest first, so `中央社` wins over `中央`
_OUTLET_SET = frozenset(KNOWN_OUTLETS)
_LONG_OUTLETS = tuple(o for o in KNOWN_OUTLETS if len(o) >= 3)  # prefixes is_outlet accepts
_OUTLET_ENDINGS = (
    "報", "报", "社", "網", "网", "新聞", "新闻", "電視", "电视", "電台", "电台", "週刊", "周刊", "雜誌", "杂志", "日報",
    "日报", "晚報", "晚报", "衛視", "卫视", "傳媒", "传媒", "頻道", "频道", "通訊", "通讯", "中文",
)

_PLACES = _LEX.places  # dateline places and desks, longest first
# A run of Han characters reads as a person's name only when it starts with a listed surname.
_SURNAMES = _LEX.surnames
_COMPOUND_SURNAMES = _LEX.compound_surnames
_NOT_PEOPLE = _LEX.not_people  # placeholders, desks, headings (相關報導 is a heading)

_SLASH = "／/"
_ROLE = (
    r"(?:本報|本报|本刊|本台|本網|本网|駐\w{1,4}|驻\w{1,4})?"
    r"(?:實習|实习|見習|见习|特約|特约|資深|资深|首席|駐地|驻地|駐站|驻站|全媒體|全媒体|融媒體|融媒体)?"
    r"(?:記者|记者|特派員|特派员|通訊員|通讯员|撰稿人|撰稿|撰文|主筆|主笔|採訪|采访|專欄作家|专栏作家|評論員|评论员)"
)
_NOT_AFTER_REPORTER = "會会們们節节證证站團团群協协"
_NOT_A_NAME = re.compile(
    r"了解|获悉|獲悉|注意|發現|发现|看到|觀察|观察|走訪|走访|致電|致电|聯繫|联系|表示|指出|透露|詢問|询问|提問|提问|"
    r"現場|现场|實地|实地|第一時間|第一时间|日前|近日|採訪|采访|[了的是說说問问到從从向對对在為为也都就還还又再]$"
)
_NAME_STOP = r"\s／/|｜（）()【】\[\]「」《》<>。；;：:,，!！?？\"“”"
_CJK_NAME = re.compile(r"[\u3400-\u9fff·・]{2,5}")
_LATIN_NAME = re.compile(r"[A-Za-z][A-Za-z.'\- ]{1,40}[A-Za-z.]")
_TRAILING_WORDS = re.compile(
    r"(?:(?:綜合|综合|即時|即时|連線|连线|特稿|專題|专题)?(?:報導|报道|報道|报導)|攝影|摄影|撰文|撰稿|整理|編譯|编译|"
    r"採訪|采访|拍攝|拍摄|專電|专电|電|电|特稿|(?<=[\s／/])(?:文|圖|图))$"
)
_DATE_TAIL = re.compile(r"(?:\d{1,2}月)?\d{1,2}日.*$")
_EDITOR = re.compile(
    r"[（(\[【]?\s*(?:責任編輯|责任编辑|責編|责编|編輯|编辑|主編|主编|審核|审核|審校|审校|校對|校对|值班編輯|值班编辑|核稿|美編|美编)"
    r"(?:\s*[:：／/]\s*|[ \t\u3000]+(?=[\u3400-\u9fff]{2,4}(?:\s|$|[)）\]】])))(?P<names>[^（）()\[\]【】\n]{1,40}?)\s*(?:[)）\]】]\s*\d{0,8}|\s\d{5,8}|$|(?=\s+\S+[:：]))"
)
_PHOTO = re.compile(
    r"(?<![报報][道導][／/])[（(\[【]?\s*(?:圖|图|圖片|图片|照片|圖文|影像|攝影|摄影|視頻|视频|影片|影音|資料照|资料照)\s*(?:來源|来源|提供)?\s*[／/:：]\s*"
    r"[^\s（）()\[\]【】。]{1,30}\s*[)）\]】]?"
)
# A photographer's credit: `中央社記者X攝`, `（記者X攝）`, `（X攝）`, `新华社记者 X 摄` (not `攝影報導`).
_PHOTO_BY = re.compile(
    r"[（(\[【]?[^\s（）()\[\]【】。，,；;：:／/]{0,12}?(?:記者|记者)?\s*[\u3400-\u9fff·]{2,5}\s*"
    r"(?:[攝摄](?![影像])|[／/]\s*(?:攝影|摄影)(?=\s*(?:$|[)）\]】])))\s*[)）\]】]?"
)
# A byline printed as names, then the post's title: `韩嘉怡 中国特派员`, `林子杰 驻曼谷记者`.
_NAME_THEN_ROLE = re.compile(
    r"(?P<names>[\u3400-\u9fff·]{2,5}(?:\s*[、，,]\s*[\u3400-\u9fff·]{2,5})*)[ \t\u3000]+"
    r"(?:[驻駐]?[\u3400-\u9fff]{0,6}?)(?:特派员|特派員|记者|記者|通讯员|通訊員|撰稿人|评论员|評論員|主笔|主筆|特约记者|特約記者)"
)
_SOURCE_LABEL = re.compile(
    r"(?:來源|来源|稿源|出處|出处|消息來源|本文來源|本文来源|文章來源|文章来源|轉載自|转载自)\s*[:：]\s*"
    r"(?P<source>[^\s（）()\[\]【】|｜,，。；;]{1,30})"
)
_AUTHOR_LABEL = re.compile(
    r"(?:^|(?<=[\s（(【\[|｜]))(?:作者|撰文|文字|文|撰稿|記者|记者|主筆|主笔|編譯|编译|整理|采写|採寫|采访|採訪|Author|(?:报道|報導)(?:[／/](?:摄影|攝影))?(?=\s*[:：]))"
    r"(?:\s*[:：／/,｜]\s*|[ \t\u3000]+(?=\S))"
    r"(?:" + _ROLE + r")?\s*(?P<names>[^" + _NAME_STOP.replace("、", "") + r"]{1,30}(?:\s*[、,，]\s*[^" + _NAME_STOP + r"、]{1,12})*)"
)
# More names after a label's first one, apart by spaces, up to the end of the credit: `文｜财新 宋佳琪 黄启明`.
_MORE_NAMES = re.compile(r"(?:[ \t\u3000]+[\u3400-\u9fff·]{2,4})+(?=\s*(?:$|[】\]）)]))")
# `界面新闻记者 | X`, `界面新闻编辑 | Y`: the outlet glued to the role, then the names.
_OUTLET_ROLE = re.compile(
    r"^\s*(?P<outlet>[\u3400-\u9fffA-Za-z]{2,10}?)(?P<role>记者|記者|编辑|編輯|作者)\s*[／/]\s*"
    r"(?P<names>[\u3400-\u9fff·]{2,4}(?:\s*[、,，\s]\s*[\u3400-\u9fff·]{2,4})*)\s*$"
)
_REPORTER = re.compile(
    r"(?P<role>" + _ROLE + r")(?![" + _NOT_AFTER_REPORTER + r"])\s*"
    r"(?P<names>[^" + _NAME_STOP + r"、\d]{2,14}(?:(?:\s*[、及和与與]\s*|[ \t\u3000]+)[^" + _NAME_STOP + r"、\d]{2,14})*)"
    r"(?P<tail>(?:\s*[／/]?\s*[^\s／/（）()【】]{0,8}?(?:報導|报道|報道|电|電|攝影|摄影))?)"
)
_AGENCY_DATELINE = re.compile(
    r"(?P<agency>{outlets})(?P<place>[^\d（）()，,。]{{0,8}}?)(?:\d{{1,2}}月)?\d{{1,2}}日(?:專|专|綜合|综合)?[電电]"
    r"(?:\s*[（(]\s*(?:記者|记者)\s*(?P<names>[^（）()]{{2,40}}?)\s*[)）])?".format(
        outlets="|".join(re.escape(o) for o in KNOWN_OUTLETS)
    )
)
_CLOSING_NAME = re.compile(r"[（(]\s*(?P<names>[\u3400-\u9fff]{2,4}(?:[、 ][\u3400-\u9fff]{2,4})?)\s*[)）]\s*$")
_BBC = re.compile(r"(?<![A-Za-z])(?!(?:Role|Title|Position|Job)\b)(?P<names>[^\s,，、（）()]{2,30})\s*[,，]\s*(?P<source>BBC\s*中文(?:網|网)?)(?:記者|记者|特約記者|特约记者)?")
_BY = re.compile(r"(?:^|(?<=\s))[Bb]y\s+(?P<names>[A-Z][A-Za-z.'\-]+(?:\s+[A-Z][A-Za-z.'\-]+){0,3}(?:\s*(?:,|and|&)\s*[A-Z][A-Za-z.'\-]+(?:\s+[A-Z][A-Za-z.'\-]+){0,3})*)")
_PLAIN_REPORT = re.compile(
    r"^\s*[【\[〔]?\s*(?P<names>[\u3400-\u9fff]{2,6}(?:(?:\s*[、,，]\s*|[ \t\u3000]+)[\u3400-\u9fff]{2,4})*)\s*"
    r"(?P<after>[／/]\s*[^\s／/】\]〕]{0,8})?\s*(?:報導|报道|報道)(?=\s|$|[】\]〕])"
)
_DESK = re.compile(r"[\u3400-\u9fff]{1,6}(?:中心|組|组|部|室|台|頻道|频道|新聞|新闻|網|网)")
_OUTLET_NEWSFLASH = re.compile(r"^\s*(?P<outlet>[^\s（(【\[]{2,10}?)(?:快)?(?:讯|訊)(?=\s|[（(【\[]|$)")
_GLUED_LABEL = re.compile(
    r"^\s*(?:(?P<author>作者|撰文|记者|記者)(?P<names>[\u3400-\u9fff]{2,4}|[A-Za-z][\w.\- ]{1,30})"
    r"|(?:来源|來源)(?P<source>[^\s:：]{2,20}))\s*$"
)
# `原创 kingname 未闻Code 前天`, `原创： X编译 某公众号`: the self-media header of WeChat, Sina and CSDN posts,
# "original" then the writer, then the account that published it, then perhaps the date.
_ORIGINAL = re.compile(
    r"^\s*(?:原创|原創)\s*[:：]?\s+(?P<author>[^\s:：|｜]{2,30})(?:\s+(?P<account>[^\s\d:：|｜][^\s:：|｜]{1,29}))?"
    r"(?P<rest>(?:\s+[\d\-/:年月日.]+|\s+(?:今天|昨天|前天|刚刚|剛剛|\d+\s*(?:分钟|分鐘|小时|小時|天)前))*)"
    r"(?:\s+[\u3400-\u9fff]{2,3}(?=\s*$))?\s*$"  # WeChat prints the writer's province last (`… 08:30 湖北`)
)
_QUOTED_OUTLET = re.compile(r"《(?P<outlet>[^《》]{2,12})》\s*(?=作者|記者|记者|特約|特约)")
_DATE_AFTER = re.compile(r"\d{4}[-/.年]\d{1,2}.*$")  # a date glued after an outlet: `人民日报2024-05-13`
_LEADING_DATE = re.compile(r"^\s*\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}日?(?:\s*\d{1,2}:\d{2}(?::\d{2})?)?")
_GENERIC_SOURCES = frozenset("网络 網路 網絡 互联网 互聯網 本站 未知 综合 綜合 其他 网友 網友 整理".split())  # noqa: SIM905
_GENERIC_PREFIXES = ("相关", "相關", "最新", "更多", "热门", "熱門", "推荐", "推薦", "延伸", "精选", "精選", "即時", "即时", "其他", "本站")
_OUTLET_PREFIX = re.compile(r"^\s*[【\[（(]?\s*(?P<outlet>[^\s／/（）()【】\[\]]{2,12})\s*[／/｜|]")


# `By X, CNN Editor-at-large`: job titles and desks after a name are not names.
_LATIN_ROLE = re.compile(
    r"\b(?:[Ee]ditor|[Ww]riter|[Cc]orrespondent|[Rr]eporter|[Ss]taff|[Cc]olumnist|[Cc]ontributor|[Bb]ureau|"
    r"[Dd]esk|Updated|Published|News|Business)s?\b"
)


def is_outlet(name: str) -> bool:
    """True when `name` is a known outlet or agency, or reads like one (ends in 報, 社, 新聞 ...)."""
    n = name.strip()
    # `熱門新聞`, `生活熱門新聞`: a box of links headed by a generic word is a widget, not an outlet
    if not n or any(g in n for g in _GENERIC_PREFIXES) and n not in _OUTLET_SET:
        return False
    if n in _LEX.widgets or n.endswith(("举报", "舉報")):  # a share button or widget, never an outlet
        return False
    if n in _OUTLET_SET or n.startswith(_LONG_OUTLETS):
        return True
    return len(n) >= 3 and n.endswith(_OUTLET_ENDINGS)


_DOMAIN = re.compile(r"\.(?:com|net|org|co|cn|tw|hk|sg|my|uk|info|news)\b", re.I)  # `Cleveland.com` is a site


def _clean_name(raw: str, *, dateline: bool = False, person: bool = True) -> str | None:
    """A person's name out of a credit fragment: strips roles, places, 報導-like suffixes; None if not a name."""
    s = raw.strip(" \t\u3000:：／/、，,。)）】]")
    s = re.sub(r"^(?:" + _ROLE + r")\s*", "", s)
    s = _DATE_TAIL.sub("", s).strip()
    s = re.sub(r"\s+(?:發自|发自)\S{1,8}$", "", s)  # `陳嘉欣 發自香港`: where the reporter filed from
    s = re.sub(r"[_\-]?[A-Za-z]*\d+$", "", s).strip()
    for _ in range(3):
        before = s
        s = _TRAILING_WORDS.sub("", s).strip(" \t\u3000／/")
        for place in _PLACES:
            if s.endswith(place) and len(s) - len(place) >= 2:
                s = s[: -len(place)].strip()
                break
        if s == before:
            break
    if not s or s in _NOT_PEOPLE or is_outlet(s) or _NOT_A_NAME.search(s) or _DOMAIN.search(s):
        return None
    if re.fullmatch(r"[\u3400-\u9fff·・]+", s):
        if person and s[0] not in _SURNAMES and not s.startswith(_COMPOUND_SURNAMES) and "·" not in s and "・" not in s:
            return None
        if not person:
            return s if 2 <= len(s) <= 8 else None
        if dateline and len(s) == 5:
            s = s[:3]  # name + an unlisted two-character place before the date
        return s if 2 <= len(s) <= 4 or ("·" in s or "・" in s) else None
    if _LATIN_NAME.fullmatch(s) and len(s.split()) <= 4 and not _LATIN_ROLE.search(s):
        return s
    return None


# Role words inside a run of names; `环球时报特约记者` (an outlet, a post, a role) counts as one.
_RUN_ROLES = re.compile(
    r"(?:^|(?<=[\s、，,]))[\u3400-\u9fff]{0,10}?(?:特約|特约|駐\w{1,4}|驻\w{1,4})?"
    r"(?:實習生|实习生|通訊員|通讯员|攝影記者|摄影记者|攝影|摄影|實習記者|实习记者|見習記者|见习记者|記者|记者|評論員|评论员)"
    r"(?=[\s\u3400-\u9fff])"
)


def _split_names(run: str, *, dateline: bool = False, person: bool = True) -> list[str]:
    run = _RUN_ROLES.sub(" ", run)
    parts = re.split(r"\s*(?:[、,，;；&]|\s+and\s+|及|與|与)\s*", run.strip())
    if len(parts) == 1 and re.fullmatch(r"[\u3400-\u9fff]{2,4}(?:\s+[\u3400-\u9fff]{2,4})+", run.strip()):
        parts = run.split()
    names = []
    for p in parts:
        name = _clean_name(p, dateline=dateline, person=person)
        if name and name not in names:
            names.append(name)
    return names


def _blank(text: str, start: int, end: int) -> str:
    return text[:start] + " " * (end - start) + text[end:]


def _credit_window(text: str) -> list[tuple[int, int]]:
    """Spans of a long paragraph that may carry credits: its head (dateline) and tail (editor line)."""
    if len(text) <= 80:
        # `发表于… | 来源CSDN | 作者魏星`: each part of a piped meta line is read alone
        spans, start = [], 0
        for m in re.finditer(r"\s*[|｜]\s*", text):
            spans.append((start, m.start()))
            start = m.end()
        spans.append((start, len(text)))
        return [(lo, hi) for lo, hi in spans if hi > lo]
    spans = []
    head = re.match(
        r"\s*(?:[（(【\[][^）)】\]]{1,60}[）)】\]]|[^，。,；;！？]{0,50}?(?:[電电]|報導|报道|[讯訊](?=\s|[（(【\[]))(?:\s*[（(][^）)]{1,40}[)）])?)",
        text,
    )
    if head:
        spans.append((0, head.end()))
    for m in re.finditer(r"[（(][^（）()]{1,60}[)）]\s*\d{0,8}\s*$", text):
        spans.append((m.start(), m.end()))
    return spans


# The name in a photographer's credit: `（記者王小明攝）` -> 王小明, `新华社记者 李贺 摄` -> 李贺.
_PHOTOGRAPHER = re.compile(r"(?:記者|记者)?\s*([\u3400-\u9fff·]{2,4})\s*[攝摄]")
# A two-character name printed with a space inside to line up with three-character names
# (`本报记者 王乐文 方 敏`): a lone surname, a space, a lone character -> one name (`方敏`).
_SPACED_NAME = re.compile(r"(?<![\u3400-\u9fff])([\u3400-\u9fff])[ \u3000]([\u3400-\u9fff])(?![\u3400-\u9fff])")


def _join_spaced_name(m: re.Match[str]) -> str:
    return m.group(1) + m.group(2) + " " if m.group(1) in _SURNAMES else m.group()


# A writer named after their post at the end of a credit: `作者：…研究部部长、研究员徐占忱）` -> 徐占忱.
_POST_THEN_NAME = re.compile(
    r"(?:研究员|研究員|教授|讲师|講師|主任|所长|所長|院长|院長|部长|部長|博士|学者|學者|专家|專家|律师|律師|主席|会长|會長)"
    r"(?P<name>[\u3400-\u9fff]{2,3})(?:\s*[)）]|\s*$)"
)
# The person after the outlet in a source line: `来源：中国新闻网 王帆` -> 王帆.
_SOURCE_THEN_NAME = re.compile(r"[ \t\u3000]+(?P<name>[\u3400-\u9fff]{2,3})\s*$")
_ACCOUNT_ID = re.compile(r"[（(]\s*(?:ID|微信号|微信號)\s*[:：]\s*[\w.-]+\s*[)）]")
_ROLE_BAR = re.compile(r"(記者|记者|编辑|編輯|文|文字|撰文|作者|攝影|摄影|来源|來源)(?:[ \t\u3000]*｜[ \t\u3000]*|[ \t\u3000]+\|[ \t\u3000]+)")


def parse_credits(text: str) -> Credits:
    """Credits in one short line or a paragraph's dateline: authors, outlet, editors, place."""
    if not text or not text.strip():
        return Credits()
    # Apple Daily's box-drawing slash (`【X╱台北報導】`) and Mirror Media's bar after a role (`文｜X`).
    if "╱" in text:
        text = text.replace("╱", "／")
    if " " in text or "\u3000" in text:
        text = _SPACED_NAME.sub(_join_spaced_name, text)
    if "|" in text or "｜" in text:
        text = _ROLE_BAR.sub(lambda m: m.group(1) + ("：" if m.group(1) in ("来源", "來源") else "／"), text)
    authors: list[str] = []
    editors: list[str] = []
    roles: dict[str, CreditRole] = {}  # the role each credited name was read with, first wins
    source: str | None = None
    place: str | None = None
    photo = False
    consumed = text

    def credit(names: list[str], role: CreditRole) -> None:
        authors.extend(names)
        for n in names:
            roles.setdefault(n, role)

    for lo, hi in _credit_window(text):
        seg = text[lo:hi]
        work = seg

        def take(m: re.Match[str]) -> None:
            nonlocal work
            work = _blank(work, m.start(), m.end())

        for m in _EDITOR.finditer(seg):
            editors.extend(n for n in _split_names(m.group("names"), person=False) if n not in editors)
            take(m)
        for m in _PHOTO.finditer(work):
            take(m)
            photo = True
        if "攝" in work or "摄" in work:
            for m in _PHOTO_BY.finditer(work):
                shot = _PHOTOGRAPHER.search(m.group())
                if shot:
                    roles.setdefault(shot.group(1), CreditRole.PHOTOGRAPHER)
                take(m)
                photo = True
        for m in _SOURCE_LABEL.finditer(work):
            if m.group("source").strip() not in _GENERIC_SOURCES:
                source = source or _DATE_AFTER.sub("", m.group("source").strip()) or None
            named = _SOURCE_THEN_NAME.match(work, m.end())
            if named and is_outlet(m.group("source")):
                name = _clean_name(named.group("name"))
                if name:
                    credit([name], CreditRole.WRITER)
                    work = _blank(work, named.start(), named.end())
            take(m)
        for m in _AGENCY_DATELINE.finditer(work):
            source = source or m.group("agency")
            p = m.group("place").strip()
            reporter = re.match(_ROLE + r"\s*(?P<rest>.*)$", p)
            if reporter:
                rest = reporter.group("rest")
                name = _clean_name(rest, dateline=True)
                if name:
                    credit([name], CreditRole.REPORTER)
                    p = rest[len(name) :]
            place = place or (p.strip() or None)
            if m.group("names"):
                credit(_split_names(m.group("names")), CreditRole.REPORTER)
            take(m)
        for m in _BBC.finditer(work):
            credit(_split_names(m.group("names")), CreditRole.REPORTER)
            source = source or m.group("source").replace(" ", "")
            take(m)
        lead = _LEADING_DATE.match(work)
        if lead:
            work = _blank(work, lead.start(), lead.end())
        lead = re.match(r"\s*(?P<outlet>[^\s／/（）()【】]{2,12})[ \t\u3000]+(?=" + _ROLE + ")", work)
        if lead and is_outlet(lead.group("outlet")):
            source = source or lead.group("outlet")
            work = _blank(work, lead.start(), lead.end())
        quoted = _QUOTED_OUTLET.search(work)
        if quoted:
            source = source or quoted.group("outlet")
            work = _blank(work, quoted.start(), quoted.end())
        flash = _OUTLET_NEWSFLASH.match(work)
        if flash and is_outlet(flash.group("outlet")):
            source = source or flash.group("outlet")
            work = _blank(work, flash.start(), flash.end())
        glued_role = _OUTLET_ROLE.match(work)
        if glued_role and is_outlet(glued_role.group("outlet")):
            names = _split_names(glued_role.group("names"))
            (editors if glued_role.group("role") in ("编辑", "編輯") else authors).extend(names)
            source = source or glued_role.group("outlet")
            work = " " * len(work)
        prefix = _OUTLET_PREFIX.match(work)
        if prefix and is_outlet(prefix.group("outlet")) and not re.match(_ROLE, prefix.group("outlet")):
            source = source or prefix.group("outlet")
            work = _blank(work, prefix.start("outlet"), prefix.end())
        original = _ORIGINAL.match(work)
        if original:
            account = original.group("account")
            names = _split_names(original.group("author")) if account else []
            if account is None and len(original.group("author")) <= 20:
                account = original.group("author")  # `原创 南方都市报 2019-09-09`: one name is the account
            if names or account:
                authors.extend(names)
                source = source or account
                take(original)
        glued = _GLUED_LABEL.match(work)
        if glued and glued.group("author"):
            names = _split_names(glued.group("names"))
            if names:
                authors.extend(names)
                take(glued)
        elif glued and glued.group("source") not in _GENERIC_SOURCES:
            source = source or glued.group("source")
            take(glued)
        for m in _AUTHOR_LABEL.finditer(work):
            run, end = m.group("names"), m.end()
            post = _POST_THEN_NAME.search(work, m.start("names"))
            if post and _split_names(run) == []:
                name = _clean_name(post.group("name"))
                if name:  # `作者：…研究员X`: the writer after their post
                    credit([name], CreditRole.WRITER)
                    work = _blank(work, m.start(), post.end())
                    continue
            more = _MORE_NAMES.match(work, end) if not re.search(_ROLE, run) else None
            if more:
                run, end = run + more.group(), more.end()
                if is_outlet(m.group("names")):
                    source = source or m.group("names")  # `文／财新 宋佳琪`: the outlet, then the writers
            names = _split_names(run)
            if names or m.group("names").strip() in _NOT_PEOPLE or _clean_name(m.group("names")) is None \
                    and not re.search(_ROLE, m.group("names")):
                credit(names, CreditRole.WRITER)
                work = _blank(work, m.start(), end)
        for m in _REPORTER.finditer(work):
            dateline = bool(re.match(r"(?:\d{1,2}月)?\d{1,2}日", work[m.end("names") :]))
            names = _split_names(m.group("names"), dateline=dateline)
            if not names:
                continue
            if re.match(r"\s*[摄攝](?!影)", work[m.end("names") :]) or m.group("names").rstrip().endswith((" 摄", " 攝")):
                take(m)  # `中新社记者 X 摄`: the photographer of a picture, not an author of the text
                continue
            commentator = "評論員" in m.group("role") or "评论员" in m.group("role")
            credit(names, CreditRole.COMMENTATOR if commentator else CreditRole.REPORTER)
            tail = m.group("tail")
            if tail:
                t = re.sub(r"[\s／/]|報導|报道|報道|電|电|攝影|摄影", "", tail)
                if t and t in _PLACES and t not in {"綜合", "综合", "即時", "即时"}:
                    place = place or t
            take(m)
        closing = _CLOSING_NAME.search(work)
        if closing and hi == len(text):
            # `…實現輕鬆換新。(李小楠)`: the writer's name closing the last paragraph
            names = _split_names(closing.group("names"))
            if names:
                credit(names, CreditRole.WRITER)
                work = _blank(work, closing.start(), closing.end())
        for m in _BY.finditer(work):
            credit(_split_names(m.group("names")), CreditRole.WRITER)
            take(m)
        titled = _NAME_THEN_ROLE.fullmatch(work.strip()) if not authors and len(work) <= 40 else None
        if titled:  # `韩嘉怡 中国特派员` (Zaobao): the name, then the title of the post
            names = _split_names(titled.group("names"))
            if names:
                role = CreditRole.COMMENTATOR if re.search("评论员|評論員", work) else CreditRole.REPORTER
                credit(names, role)
                work = " " * len(work)
        plain = _PLAIN_REPORT.match(work)
        if plain:
            names = _split_names(plain.group("names"))
            after = re.sub(r"[\s／/]|(?:即時|即时|綜合|综合)?(?:報導|报道|報道)", "", plain.group("after") or "")
            desk = _DESK.fullmatch(plain.group("names").strip())
            if after and (desk or after not in _PLACES):
                names = _split_names(after)  # `生活中心／張小芸報導`: a desk, then the reporter
            elif after in _PLACES:
                place = place or after
            if names:
                credit(names, CreditRole.REPORTER)
                take(plain)
        if source is None:
            bare = work.strip(" \t\u3000【】[]（）()|｜／/")
            bare = re.sub(r"^(?:采写|採寫|作者|撰文|文字|文)\s*[:：／/]?\s*", "", bare)
            if bare in _OUTLET_SET or (len(bare) <= 12 and " " not in bare and is_outlet(bare)):
                source = bare
                work = " " * len(work)
        consumed = consumed[:lo] + work + consumed[hi:]
    authors = [a for a in dict.fromkeys(authors) if a not in editors]
    found = bool(authors or editors or source or photo)  # a photographer's credit is a credit line too
    if "ID" in consumed or "微信" in consumed:
        consumed = _ACCOUNT_ID.sub("", consumed)  # `（ID：cjsfz2020）`
    leftover = re.sub(r"[\s\u3000【】〔〕\[\]（）()|｜／/:：、，,.。\-—–\d]+", "", consumed)
    leftover = re.sub(r"(?:即時|即时|綜合|综合)?(?:報導|报道|報道)", "", leftover)
    editors = list(dict.fromkeys(editors))
    for n in editors:
        roles[n] = CreditRole.EDITOR
    return Credits(
        authors=tuple(authors),
        source=source,
        editors=tuple(editors),
        place=place,
        is_byline_only=found and not leftover,
        roles=tuple((n, roles.get(n, CreditRole.WRITER)) for n in dict.fromkeys([*authors, *roles])),
    )


def find_credits(lines: list[str]) -> Credits:
    """Credits merged over several lines (first/last paragraphs, short lines around the title)."""
    authors: list[str] = []
    editors: list[str] = []
    source: str | None = None
    place: str | None = None
    roles: dict[str, CreditRole] = {}
    for line in lines:
        c = parse_credits(line)
        authors.extend(c.authors)
        editors.extend(c.editors)
        source = source or c.source
        place = place or c.place
        for name, role in c.roles:
            roles.setdefault(name, role)
    editors = list(dict.fromkeys(editors))
    authors = [a for a in dict.fromkeys(authors) if a not in editors]
    for n in editors:
        roles[n] = CreditRole.EDITOR
    return Credits(authors=tuple(authors), source=source, editors=tuple(editors), place=place,
                   roles=tuple(roles.items()))


def credits_of(authors: list[str] | tuple[str, ...], roles: tuple[tuple[str, CreditRole], ...]) -> tuple[Credit, ...]:
    """Every credited person with a role: the authors (writer unless a byline said reporter or
    commentator), then photographers, editors and translators, who are never authors."""
    known = dict(roles)
    out = [Credit(a, known[a] if known.get(a) in AUTHOR_ROLES else CreditRole.WRITER) for a in authors]
    out += [Credit(n, r) for n, r in roles if r not in AUTHOR_ROLES and n not in authors]
    return tuple(dict.fromkeys(out))
