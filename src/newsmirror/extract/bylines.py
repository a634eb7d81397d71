"""Bylines, datelines and credit lines of Chinese newsrooms, read into authors, source, editors and roles.

Conventions read: `記者X／台北報導`, `【記者X／台中報導】`, `（中央社記者X首爾11日專電）`,
`聯合報／ 記者X／即時報導`, `新华社北京9月4日电（记者X、Y）`, `文／X`, `作者：X`, `本报记者 X`,
`X 報導`, `来源：X`, `责任编辑：X`, `（編輯：X）1120911`, `圖／路透`, `X，BBC中文記者`, `By X`, and the
closing and house conventions `（文/图 X Y）`, `（X／台中報導）`, `X 发自 北京`, `X／綜合外電`, `X/某报`,
`【某報／X】`. Outlets and agencies are sources, never authors; editors never leak into authors;
photo credits (`圖／X`) credit nobody for the text; translators (`編譯／X`) are credited as translators.

How: a line is cut into the windows that may hold credits (`_credit_window`), and each window is read
by `RULES`, an ordered table: each rule finds its convention in what earlier rules left, records what
it reads and blanks it. Which words are names is `names.py`'s job. What is left over after every rule
tells whether the line was a credit line and nothing else (`Credits.is_byline_only`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from newsmirror.chinese import HAN_CLASS
from newsmirror.extract.lexicon import lexicon
from newsmirror.extract.names import REPORT, ROLE, STAFF, Slot, is_outlet, outlet_of_desk, person_name, split_names
from newsmirror.models import AUTHOR_ROLES, Credit, CreditRole

__all__ = ["KNOWN_OUTLETS", "RULES", "Credits", "Rule", "credits_of", "find_credits", "is_outlet", "parse_credits"]


@dataclass(frozen=True)
class Credits:
    """Who is credited for a text: person authors, the outlet/agency, editors, the dateline place."""

    authors: tuple[str, ...] = ()
    source: str | None = None
    editors: tuple[str, ...] = ()
    place: str | None = None
    is_byline_only: bool = False  # the line holds credits and nothing else
    roles: tuple[tuple[str, CreditRole], ...] = ()  # (name, role) for every person credited, editors too


_LEX = lexicon()
KNOWN_OUTLETS: tuple[str, ...] = _LEX.outlets  # longest first, so `中央社` wins over `中央`
_OUTLET_SET = frozenset(KNOWN_OUTLETS)
_GENERIC_SOURCES = frozenset(_LEX.words("generic_sources"))
_H = HAN_CLASS  # Han characters, for the patterns below
_NAME_STOP = r"\s／/|｜（）()【】\[\]「」《》<>。；;：:,，!！?？\"“”"
_NOT_AFTER_REPORTER = "會会們们節节證证站團团群協协"  # 記者會, 記者們, 記者節: no name follows


@dataclass
class _Reading:
    """What the rules have read so far from one line, and the window they read now (`work`)."""

    authors: list[str] = field(default_factory=list)
    editors: list[str] = field(default_factory=list)
    roles: dict[str, CreditRole] = field(default_factory=dict)  # the role each name was read with, first wins
    source: str | None = None
    place: str | None = None
    photo: bool = False  # a photo credit was read: a credit line, though it names no author
    work: str = ""  # the window, with what the rules read blanked out
    at_end: bool = False  # the window closes the line
    byline: bool = False  # the line is a byline element's text: bare names count

    def credit(self, names: Iterable[str], role: CreditRole) -> None:
        for n in names:
            if role is CreditRole.EDITOR:
                if n not in self.editors:
                    self.editors.append(n)
                continue
            self.authors.append(n)
            self.roles.setdefault(n, role)

    def take(self, start: int, end: int) -> None:
        """Blank work[start:end]: read, so later rules do not read it again."""
        self.work = self.work[:start] + " " * (end - start) + self.work[end:]

    def take_all(self) -> None:
        self.work = " " * len(self.work)

    def name_source(self, outlet: str | None) -> None:
        outlet = outlet.strip(" ,，、.。:：") if outlet else None
        if outlet and not self.source:
            self.source = outlet


@dataclass(frozen=True)
class Rule:
    """One convention: `find` gives its matches in the window, `read` records one and blanks it."""

    name: str
    find: Callable[[_Reading], Iterable[re.Match[str]]]
    read: Callable[[re.Match[str], _Reading], None]


def _every(pattern: re.Pattern[str], needs: str = "") -> Callable[[_Reading], Iterable[re.Match[str]]]:
    """Every match in the window (of the window as it was when the rule began), or none when the window
    holds none of the characters `needs` names (a cheap test that spares most windows the regex)."""
    if needs:
        return lambda r: pattern.finditer(r.work) if any(c in r.work for c in needs) else ()
    return lambda r: pattern.finditer(r.work)


def _first(pattern: re.Pattern[str], how: str = "match") -> Callable[[_Reading], Iterable[re.Match[str]]]:
    """The window's one match at its start (`match`), anywhere (`search`) or whole (`fullmatch`)."""
    method = getattr(pattern, how)

    def find(r: _Reading) -> Iterable[re.Match[str]]:
        m = method(r.work)
        return (m,) if m else ()

    return find


def _holding(words: str, find: Callable[[_Reading], Iterable[re.Match[str]]],
             ) -> Callable[[_Reading], Iterable[re.Match[str]]]:
    """`find`, only in a window that holds one of `words` (a regex alternation of the words the rule's
    pattern cannot match without): one scan for literal words spares most windows a pattern that is
    tried at every position."""
    present = re.compile(words).search
    return lambda r: find(r) if present(r.work) else ()


def _role_of(word: str, default: CreditRole = CreditRole.WRITER) -> CreditRole:
    """The role a role word gives (lexicon's [roles]: 評論員 a commentator, 編譯 a translator ...)."""
    for w, role in _LEX.roles.items():
        if w in word:
            return role
    return default


# --- the conventions, in the order the rules read them -------------------------------------------------

# `（文/图 张三 李四）`, `（文/圖：王小明）`: text and pictures by the same people, closing a text.
_TEXT_AND_PICTURES = re.compile(
    rf"[（(【\[]?\s*文\s*[／/、]\s*[圖图]\s*[:：／/]?\s*(?P<names>[{_H}·]{{2,4}}(?:\s*[\s、,，]\s*[{_H}·]{{2,4}})*)"
    r"\s*[)）】\]]?"
)
# `責任編輯：X`, `（編輯：X）1120911`, `编辑 X 校对 Y`, `（编辑 钟晓楠）`: editors, never authors.
_EDITOR = re.compile(
    r"[（(\[【]?\s*(?:" + _LEX.role_pattern(CreditRole.EDITOR) + ")"
    rf"(?:\s*[:：／/]\s*|[ \t\u3000]+(?=[{_H}]{{2,4}}(?:\s|$|[)）\]】])))"
    r"(?P<names>[^（）()\[\]【】\n]{1,40}?)\s*(?:[)）\]】]\s*\d{0,8}|\s\d{5,8}|$|(?=\s+\S+[:：]))"
)
# `圖／路透`, `（圖片來源：X）`, `照片：X提供`: a picture's credit (not `報導／攝影`: that is a report).
_PHOTO = re.compile(
    r"(?<![报報][道導][／/])[（(\[【]?\s*(?:" + _LEX.alternation("photo_labels") + r")\s*(?:來源|来源|提供)?\s*"
    r"[／/:：]\s*(?:(?:" + STAFF + r")\s+)?[^\s（）()\[\]【】。]{1,30}\s*[)）\]】]?"
)
# A photographer's credit: `中央社記者X攝`, `（記者X攝）`, `（X攝）`, `新华社记者 X 摄` (not `攝影報導`).
_PHOTO_BY = re.compile(
    r"[（(\[【]?[^\s（）()\[\]【】。，,；;：:／/]{0,12}?(?:記者|记者)?\s*" + f"[{_H}·]{{2,5}}" + r"\s*"
    r"(?:[攝摄](?![影像])|[／/]\s*(?:攝影|摄影)(?=\s*(?:$|[)）\]】])))\s*[)）\]】]?"
)
# The name in a photographer's credit: `（記者王小明攝）` -> 王小明, `新华社记者 李贺 摄` -> 李贺.
_PHOTOGRAPHER = re.compile(rf"(?:記者|记者)?\s*([{_H}·]{{2,4}})\s*[攝摄]")
# `来源：新华社`, `本文來源：X`: the outlet credited for the text.
_SOURCE_LABEL = re.compile(
    "(?:" + _LEX.alternation("source_labels") + r")\s*[:：]\s*(?P<source>[^\s（）()\[\]【】|｜,，。；;]{1,30})"
)
_DATE_AFTER = re.compile(r"\d{4}[-/.年]\d{1,2}.*$")  # a date glued after an outlet: `人民日报2024-05-13`
# The person after the outlet in a source line: `来源：中国新闻网 王帆` -> 王帆.
_SOURCE_THEN_NAME = re.compile(rf"[ \t\u3000]+(?P<name>[{_H}]{{2,3}})\s*$")
# `新华社北京9月4日电（记者X、Y）`, `（中央社記者X首爾11日專電）`, `据新华社拉萨电（记者 X）`, `新华社北京5月19日电
# （X、Y）`: an agency's dateline (the day may be left out), reporters inside, with or without 记者.
_AGENCY_DATELINE = re.compile(
    r"(?P<agency>{outlets})(?P<place>[^\d（）()，,。]{{0,8}}?)(?:(?:\d{{1,2}}月)?\d{{1,2}}日)?(?:專|专|綜合|综合)?[電电]"
    r"(?:\s*[（(]\s*(?:(?P<role>記者|记者)\s*)?(?P<names>[^（）()]{{2,40}}?)\s*[)）])?".format(
        outlets="|".join(re.escape(o) for o in KNOWN_OUTLETS)
    )
)
_DATELINE_REPORTER = re.compile(ROLE + r"\s*(?P<rest>.*)$")
# `李雨夢, BBC中文記者`: the name, then BBC's Chinese service.
_BBC = re.compile(r"(?<![A-Za-z])(?!(?:Role|Title|Position|Job)\b)(?P<names>[^\s,，、（）()]{2,30})\s*[,，]\s*"
                  r"(?P<source>BBC\s*中文(?:網|网)?)(?:記者|记者|特約記者|特约记者)?")
# `2014/03/19 18:58 X 報導`: a date opening the line is read by the date finder, not here.
_LEADING_DATE = re.compile(r"^\s*\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}日?(?:\s*\d{1,2}:\d{2}(?::\d{2})?)?")
# `陳品潔 2022年03月23日 17:00:00`: a byline element's names, then the date it prints beside them.
_TRAILING_DATE = re.compile(r"\s\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}日?(?:\s*\d{1,2}:\d{2}(?::\d{2})?)?\s*$")
# `華視新聞 記者 X`: an outlet, a space, a role.
_OUTLET_BEFORE_ROLE = re.compile(r"\s*(?P<outlet>[^\s／/（）()【】]{2,12})[ \t\u3000]+(?=" + ROLE + ")")
# `《某某》作者 X`: a quoted outlet before the role.
_QUOTED_OUTLET = re.compile(r"《(?P<outlet>[^《》]{2,12})》\s*(?=作者|記者|记者|特約|特约)")
# `新京报快讯（记者 X）`, `新浪科技讯 …`: the outlet's newsflash opener.
_OUTLET_NEWSFLASH = re.compile(r"^\s*(?P<outlet>[^\s（(【\[]{2,10}?)(?:快)?(?:讯|訊)(?=\s|[（(【\[]|$)")
# `界面新闻记者 | X`, `界面新闻编辑 | Y`: the outlet glued to the role, then the names.
_OUTLET_ROLE = re.compile(
    rf"^\s*(?P<outlet>[{_H}A-Za-z]{{2,10}}?)(?P<role>记者|記者|编辑|編輯|作者)\s*[／/]\s*"
    rf"(?P<names>[{_H}·]{{2,4}}(?:\s*[、,，\s]\s*[{_H}·]{{2,4}})*)\s*$"
)
# `聯合報／ 記者X`, `【某報／X】`: the outlet opening the line before a slash or bar.
_OUTLET_PREFIX = re.compile(r"^\s*[【\[（(]?\s*(?P<outlet>[^\s／/（）()【】\[\]]{2,12})\s*[／/｜|]")
# What follows the outlet in a bracketed lead `【某報／X】` or `【某報／X／台北報導】`: the reporter.
_AFTER_OUTLET = re.compile(r"\s*(?P<names>[^\s／/】\]）)]{2,12}(?:[、 ][^\s／/】\]）)]{2,4})*)"
                           r"\s*(?:[／/]\s*[^】\]）)]{0,10})?\s*[】\]）)]")
# `原创 kingname 未闻Code 前天`, `原创： X编译 某公众号`: the self-media header of WeChat, Sina and CSDN posts,
# "original" then the writer, then the account that published it, then perhaps the date.
_ORIGINAL = re.compile(
    r"^\s*(?:原创|原創)\s*[:：]?\s+(?P<author>[^\s:：|｜]{2,30})(?:\s+(?P<account>[^\s\d:：|｜][^\s:：|｜]{1,29}))?"
    r"(?P<rest>(?:\s+[\d\-/:年月日.]+|\s+(?:今天|昨天|前天|刚刚|剛剛|\d+\s*(?:分钟|分鐘|小时|小時|天)前))*)"
    rf"(?:\s+[{_H}]{{2,3}}(?=\s*$))?\s*$"  # WeChat prints the writer's province last (`… 08:30 湖北`)
)
_COMPILED = re.compile(r"(?:编译|編譯|翻译|翻譯)$")  # `赵小卓编译`: the writer compiled the text
# `作者张三`, `来源新华社`: a label glued to its value, alone on the line (CSDN's meta line).
_GLUED_LABEL = re.compile(
    rf"^\s*(?:(?P<author>作者|撰文|记者|記者)(?P<names>[{_H}]{{2,4}}|[A-Za-z][\w.\- ]{{1,30}})"
    r"|(?:来源|來源)(?P<source>[^\s:：]{2,20}))\s*$"
)
# `作者：X`, `文／X`, `撰文 X`, `編譯：X`, `报道：X`: a label, then the names.
_LABEL = re.compile(
    r"(?:^|(?<=[\s（(【\[|｜]))(?P<label>" + _LEX.alternation("writer_labels", "translator_labels")
    + r"|(?:报道|報導)(?:[／/](?:摄影|攝影))?(?=\s*[:：]))"
    r"(?:\s*[:：／/,｜]\s*|[ \t\u3000]+(?=\S))"
    r"(?:" + ROLE + "|" + STAFF + r")?\s*(?P<names>[^" + _NAME_STOP.replace("、", "") + r"]{1,30}"
    r"(?:\s*[、,，]\s*[^" + _NAME_STOP
    + r"、]{1,12})*)"
)
# A writer named after their post (lexicon `posts`) at the end of a credit: `作者：…研究部部长、研究员徐占忱）` -> 徐占忱.
_POST_THEN_NAME = re.compile(
    r"(?:" + _LEX.alternation("posts") + ")"
    rf"(?P<name>[{_H}]{{2,3}})(?:\s*[)）]|\s*$)"
)
# More names after a label's first one, apart by spaces, up to the end of the credit: `文｜财新 宋佳琪 黄启明`.
_MORE_NAMES = re.compile(rf"(?:[ \t\u3000]+[{_H}·]{{2,4}})+(?=\s*(?:$|[】\]）)]))")
# `記者X`, `本报记者 X、Y`, `記者X 、Y`, `評論員 X Y`, `記者X／台北報導`: a role word, then the names.
_REPORTER = re.compile(
    r"(?P<role>" + ROLE + r")(?![" + _NOT_AFTER_REPORTER + r"])\s*"
    r"(?P<names>[^" + _NAME_STOP + r"、\d]{2,14}(?:(?:\s*[、及和与與]\s*|[ \t\u3000]+)[^" + _NAME_STOP + r"、\d]{2,14})*)"
    r"(?P<tail>(?:\s*[／/]?\s*[^\s／/（）()【】]{0,8}?(?:" + REPORT[3:-1] + r"|电|電|攝影|摄影))?)"
)
_REPORT_WORDS = re.compile(r"[\s／/]|" + REPORT + r"|電|电|攝影|摄影")
_DATELINE_DAY = re.compile(r"(?:\d{1,2}月)?\d{1,2}日")
_SHOT = re.compile(r"\s*[摄攝](?!影)")
# `…實現輕鬆換新。(李小楠)`: the writer's name closing the last paragraph.
_CLOSING_NAME = re.compile(rf"[（(]\s*(?P<names>[{_H}]{{2,4}}(?:[、 ][{_H}]{{2,4}})?)\s*[)）]\s*$")
# `By X`, `By X and Y`, `By X, CNN Business`.
_BY = re.compile(r"(?:^|(?<=\s))[Bb]y\s+(?P<names>[A-Z][A-Za-z.'\-]+(?:\s+[A-Z][A-Za-z.'\-]+){0,3}"
                 r"(?:\s*(?:,|and|&)\s*[A-Z][A-Za-z.'\-]+(?:\s+[A-Z][A-Za-z.'\-]+){0,3})*)")
# A byline printed as names, then the post's title: `韩嘉怡 中国特派员`, `林子杰 驻曼谷记者`.
_NAME_THEN_ROLE = re.compile(
    rf"(?P<names>[{_H}·]{{2,5}}(?:\s*[、，,]\s*[{_H}·]{{2,5}})*)[ \t\u3000]+"
    rf"(?:[驻駐]?[{_H}]{{0,6}}?)(?P<role>特派员|特派員|记者|記者|通讯员|通訊員|撰稿人|评论员|評論員|主笔|主筆|特约记者|特約記者)"
)
# `X 发自 北京`, `X、Y 發自香港`: a house opener naming the reporter and where they filed from.
_FILED_FROM = re.compile(
    rf"^\s*(?P<names>[{_H}·]{{2,4}}(?:\s*[、，,\s]\s*[{_H}·]{{2,4}})*)\s*(?:發自|发自)\s*(?P<place>[{_H}]{{2,8}})"
)
# `X／台北報導`, `【X╱台北報導】`, `X Y 報導`, `（X／台中報導）`, `竹内健一 东京报道`: names, perhaps a place, 報導.
_PLAIN_REPORT = re.compile(
    r"^\s*[【\[〔（(]?\s*(?P<names>" + f"[{_H}\u3040-\u30ff]{{2,6}}(?:(?:\\s*[、,，]\\s*|[ \\t\\u3000]+)"
    f"[{_H}\u3040-\u30ff]{{2,4}})*)" + r"\s*"
    r"(?P<after>[／/]\s*[^\s／/】\]〕）)]{0,8})?\s*" + REPORT + r"(?=\s|$|[】\]〕）)])"
)
_DESK = re.compile(rf"[{_H}]{{1,6}}(?:中心|組|组|部|室|台|頻道|频道|新聞|新闻|網|网)")
_REPORT = re.compile(r"[\s／/]|(?:即時|即时|綜合|综合)?" + REPORT)
# `X／綜合外電`, `X／台北`, `X/某报`: names, a slash, then a desk, a place or the outlet, and nothing else.
_NAME_SLASH = re.compile(
    rf"^\s*[【\[（(]?\s*(?P<names>[{_H}·]{{2,4}}(?:\s*[、,，\s]\s*[{_H}·]{{2,4}})*)\s*[／/]\s*"
    r"(?P<after>[^\s／/】\]）)]{2,12})\s*[】\]）)]?\s*$"
)
# A byline element's bare names: `INGRID HOLM`, `劉佳穎 蔡宗翰`, `劉佳穎蔡宗翰`, `Kimliyan(陸萱)、Uliu(李承遠)`.
_ONE_NAME = (rf"(?:[A-Za-z][A-Za-z'\-]{{1,30}}\s*[（(][{_H}·]{{2,6}}[)）]|[A-Z][A-Za-z.'\-]+(?:\s+[A-Z][A-Za-z.'\-]+){{1,3}}"
             rf"|[{_H}·\u3040-\u30ff]{{2,8}})")
_BARE_NAMES = re.compile(rf"^\s*(?P<names>{_ONE_NAME}(?:\s*[、,，\s]\s*{_ONE_NAME})*)\s*$")


def _read_text_and_pictures(m: re.Match[str], r: _Reading) -> None:
    names = split_names(m.group("names"), Slot.LABEL)
    r.credit(names, CreditRole.WRITER)
    r.take(m.start(), m.end())


def _read_editor(m: re.Match[str], r: _Reading) -> None:
    r.credit(split_names(m.group("names"), editors=True), CreditRole.EDITOR)
    r.take(m.start(), m.end())


def _read_photo(m: re.Match[str], r: _Reading) -> None:
    r.take(m.start(), m.end())
    r.photo = True


def _read_photographer(m: re.Match[str], r: _Reading) -> None:
    shot = _PHOTOGRAPHER.search(m.group())
    if shot:
        r.roles.setdefault(shot.group(1), CreditRole.PHOTOGRAPHER)
    r.take(m.start(), m.end())
    r.photo = True


def _read_source_label(m: re.Match[str], r: _Reading) -> None:
    outlet = m.group("source").strip()
    if outlet not in _GENERIC_SOURCES:
        r.name_source(_DATE_AFTER.sub("", outlet) or None)
    after = _SOURCE_THEN_NAME.match(r.work, m.end())
    if after and is_outlet(outlet):
        name = person_name(after.group("name"), Slot.RUN)
        if name:
            r.credit([name], CreditRole.WRITER)
            r.take(after.start(), after.end())
    r.take(m.start(), m.end())


def _read_agency_dateline(m: re.Match[str], r: _Reading) -> None:
    r.name_source(m.group("agency"))
    place = m.group("place").strip()
    reporter = _DATELINE_REPORTER.match(place)
    if reporter:
        rest = reporter.group("rest")
        name = person_name(rest, Slot.CONVENTION, dateline=True)
        if name:
            r.credit([name], CreditRole.REPORTER)
            place = rest[len(name):]
    r.place = r.place or (place.strip() or None)
    if m.group("names") and m.group("role"):
        r.credit(split_names(m.group("names"), Slot.CONVENTION), CreditRole.REPORTER)
    elif m.group("names"):  # no role word: persons' names only, not a desk (`（国际部）`)
        r.credit([n for n in split_names(m.group("names")) if not _DESK.fullmatch(n)], CreditRole.REPORTER)
    r.take(m.start(), m.end())


def _read_bbc(m: re.Match[str], r: _Reading) -> None:
    r.credit(split_names(m.group("names")), CreditRole.REPORTER)
    r.name_source(m.group("source").replace(" ", ""))
    r.take(m.start(), m.end())


def _read_blank(m: re.Match[str], r: _Reading) -> None:
    r.take(m.start(), m.end())


def _read_outlet_before_role(m: re.Match[str], r: _Reading) -> None:
    if is_outlet(m.group("outlet")):
        r.name_source(m.group("outlet"))
        r.take(m.start(), m.end())


def _read_quoted_outlet(m: re.Match[str], r: _Reading) -> None:
    r.name_source(m.group("outlet"))
    r.take(m.start(), m.end())


_read_newsflash = _read_outlet_before_role


def _read_outlet_role(m: re.Match[str], r: _Reading) -> None:
    if not is_outlet(m.group("outlet")):
        return
    role = CreditRole.EDITOR if m.group("role") in ("编辑", "編輯") else _role_of(m.group("role"))
    r.credit(split_names(m.group("names")), role)
    r.name_source(m.group("outlet"))
    r.take_all()


def _read_outlet_prefix(m: re.Match[str], r: _Reading) -> None:
    outlet = m.group("outlet")
    if not is_outlet(outlet) or re.match(ROLE, outlet):
        return
    r.name_source(outlet)
    r.take(m.start("outlet"), m.end())
    # `【某報／X】`, `【某報／X／台北報導】`: the reporter right after the outlet, inside the brackets
    if m.group().lstrip()[:1] in "【[（(":
        after = _AFTER_OUTLET.match(r.work, m.end())
        if after and not re.match(ROLE, after.group("names")):
            names = split_names(after.group("names"), Slot.CONVENTION)
            if names:
                r.credit(names, CreditRole.REPORTER)
                r.take(after.start(), after.end())


def _read_original(m: re.Match[str], r: _Reading) -> None:
    account = m.group("account")
    author = m.group("author")
    names = split_names(_COMPILED.sub("", author)) if account else []
    if account is None and len(author) <= 20:
        account = author  # `原创 南方都市报 2019-09-09`: one name is the account
    if names or account:
        r.credit(names, CreditRole.TRANSLATOR if _COMPILED.search(author) else CreditRole.WRITER)
        r.name_source(account)
        r.take(m.start(), m.end())


def _read_glued_label(m: re.Match[str], r: _Reading) -> None:
    if m.group("author"):
        names = split_names(m.group("names"))
        if names:
            r.credit(names, CreditRole.WRITER)
            r.take(m.start(), m.end())
    elif m.group("source") not in _GENERIC_SOURCES:
        r.name_source(m.group("source"))
        r.take(m.start(), m.end())


def _read_label(m: re.Match[str], r: _Reading) -> None:
    run, end = m.group("names"), m.end()
    role = CreditRole.TRANSLATOR if m.group("label") in _LEX.words("translator_labels") else CreditRole.WRITER
    post = _POST_THEN_NAME.search(r.work, m.start("names"))
    if post and not split_names(run):
        name = person_name(post.group("name"))
        if name:  # `作者：…研究员X`: the writer after their post
            r.credit([name], role)
            r.take(m.start(), post.end())
            return
    more = _MORE_NAMES.match(r.work, end) if not re.search(ROLE, run) else None
    if more:
        run, end = run + more.group(), more.end()
        if is_outlet(m.group("names")):
            r.name_source(m.group("names"))  # `文／财新 宋佳琪`: the outlet, then the writers
    names = split_names(run)
    given = m.group("names")
    if names or given.strip() in _LEX.not_people or person_name(given) is None and not re.search(ROLE, given):
        r.credit(names, role)
        r.take(m.start(), end)


def _read_reporter(m: re.Match[str], r: _Reading) -> None:
    after = r.work[m.end("names"):]
    names = split_names(m.group("names"), dateline=bool(_DATELINE_DAY.match(after)))
    if not names:
        return
    if _SHOT.match(after) or m.group("names").rstrip().endswith((" 摄", " 攝")):
        r.take(m.start(), m.end())  # `中新社记者 X 摄`: the photographer of a picture, not an author of the text
        return
    r.credit(names, _role_of(m.group("role"), CreditRole.REPORTER))
    tail = m.group("tail")
    if tail:
        t = _REPORT_WORDS.sub("", tail)
        if t and t in _LEX.place_set and t not in _LEX.words("report_kinds"):
            r.place = r.place or t
    r.take(m.start(), m.end())


def _read_closing_name(m: re.Match[str], r: _Reading) -> None:
    if not r.at_end:
        return
    names = split_names(m.group("names"), Slot.RUN)
    if names:
        r.credit(names, CreditRole.WRITER)
        r.take(m.start(), m.end())


def _read_by(m: re.Match[str], r: _Reading) -> None:
    r.credit(split_names(m.group("names")), CreditRole.WRITER)
    r.take(m.start(), m.end())


def _read_name_then_role(m: re.Match[str], r: _Reading) -> None:
    if r.authors or len(r.work) > 40:
        return
    names = split_names(m.group("names"))
    if names:
        r.credit(names, _role_of(m.group("role"), CreditRole.REPORTER))
        r.take_all()


def _read_filed_from(m: re.Match[str], r: _Reading) -> None:
    names = split_names(m.group("names"), Slot.CONVENTION)
    if names:
        r.credit(names, CreditRole.REPORTER)
        r.place = r.place or m.group("place")
        r.take(m.start(), m.end())


def _read_plain_report(m: re.Match[str], r: _Reading) -> None:
    after = _REPORT.sub("", m.group("after") or "")
    run = m.group("names")
    # a known place before 報導 (`竹内健一 东京报道`) makes the slot one only reporters fill
    words = run.split()
    place_last = len(words) > 1 and words[-1] in _LEX.place_set
    names = split_names(" ".join(words[:-1]) if place_last else run, Slot.CONVENTION if place_last else Slot.RUN)
    if after and (_DESK.fullmatch(run.strip()) or after not in _LEX.place_set):
        names = split_names(after, Slot.CONVENTION)  # `生活中心／張小芸報導`: a desk, then the reporter
    elif after in _LEX.place_set:
        r.place = r.place or after
        names = split_names(run, Slot.CONVENTION)
    if place_last:
        r.place = r.place or words[-1]
    if names:
        r.credit(names, CreditRole.REPORTER)
        r.take(m.start(), m.end())


def _read_name_slash(m: re.Match[str], r: _Reading) -> None:
    after = m.group("after")
    desk = after in _LEX.place_set or _DESK.fullmatch(after) or _only_places(after)
    outlet = not desk and is_outlet(after)
    if not (desk or outlet):
        return
    names = split_names(m.group("names"), Slot.CONVENTION if desk else Slot.LABEL)
    if names:
        r.credit(names, CreditRole.REPORTER if desk else CreditRole.WRITER)
        if outlet:
            r.name_source(after)
        elif after in _LEX.place_set and after not in _LEX.words("report_kinds"):
            r.place = r.place or after
        r.take_all()


def _only_places(text: str) -> bool:
    """`綜合外電`: the text is made of places and desks only."""
    for _ in range(3):
        for place in _LEX.places:
            if text.endswith(place):
                text = text[: -len(place)]
                break
        else:
            return False
        if not text:
            return True
    return False


_ONE_NAME_RE = re.compile(_ONE_NAME)


_BARE_NAMES_FIRST = _first(_BARE_NAMES)


def _read_bare_names(m: re.Match[str], r: _Reading) -> None:
    if not r.byline or r.authors:
        return
    parts = _ONE_NAME_RE.findall(m.group("names"))
    found = [split_names(p, Slot.RUN) for p in parts]
    if all(found):  # every part a name: a role word or an outlet among them is for the other rules
        r.credit([n for names in found for n in names], CreditRole.WRITER)
        r.take_all()


# The rules, in the order they read a window. Earlier rules blank what they read, so a later, looser
# rule never reads an editor as an author or a photographer as a reporter.
RULES: tuple[Rule, ...] = (
    # `X 2022年03月23日 17:00`: the date printed after a byline's names is no name (before bare names)
    Rule("trailing date", _first(_TRAILING_DATE, "search"), _read_blank),
    # a byline element holding names only: `INGRID HOLM`, `劉佳穎蔡宗翰`, `Kimliyan(陸萱)、Uliu(李承遠)`
    # (found only where it may be read: a byline element's line with no author read yet, as _read_bare_names asks)
    Rule("bare names", lambda r: _BARE_NAMES_FIRST(r) if r.byline and not r.authors else (), _read_bare_names),
    # `（文/图 张三 李四）`: writers who also took the pictures (before the photo credit reads 图)
    Rule("text and pictures", _every(_TEXT_AND_PICTURES, "圖图"), _read_text_and_pictures),
    # `責任編輯：X`, `（編輯：X）1120911`: editors first, so no later rule takes them for writers
    Rule("editor", _holding(_LEX.role_pattern(CreditRole.EDITOR), _every(_EDITOR)), _read_editor),
    # `圖／路透`, `（圖片來源：X）`: a picture's credit, no author
    Rule("photo credit", _holding(_LEX.alternation("photo_labels"), _every(_PHOTO)), _read_photo),
    # `（記者X攝）`, `新华社记者 X 摄`: a photographer, no author
    Rule("photographer", _every(_PHOTO_BY, "攝摄"), _read_photographer),
    # `来源：新华社`, `来源：中国新闻网 王帆`: the outlet (and a writer after it)
    Rule("source label", _every(_SOURCE_LABEL), _read_source_label),
    # `（中央社記者X首爾11日專電）`, `新华社北京9月4日电（记者X、Y）`: an agency's dateline
    Rule("agency dateline", _every(_AGENCY_DATELINE, "電电"), _read_agency_dateline),
    # `李雨夢, BBC中文記者`
    Rule("BBC byline", _holding("BBC", _every(_BBC)), _read_bbc),
    # `2014/03/19 18:58 …`: a date opening the line is no name
    Rule("leading date", _first(_LEADING_DATE), _read_blank),
    # `華視新聞 記者 X`: the outlet before a role
    Rule("outlet before role", _first(_OUTLET_BEFORE_ROLE), _read_outlet_before_role),
    # `《某某》作者 X`
    Rule("quoted outlet", _first(_QUOTED_OUTLET, "search"), _read_quoted_outlet),
    # `新京报快讯（记者 X）`: the outlet's newsflash opener
    Rule("newsflash", _first(_OUTLET_NEWSFLASH), _read_newsflash),
    # `界面新闻记者 | X`: the outlet glued to the role
    Rule("outlet and role", _first(_OUTLET_ROLE), _read_outlet_role),
    # `聯合報／ 記者X`, `【某報／X】`: the outlet opening the line (and the reporter in brackets after it)
    Rule("outlet prefix", _first(_OUTLET_PREFIX), _read_outlet_prefix),
    # `原创 X 某公众号 2020-02-11`: WeChat's self-media header
    Rule("original post", _first(_ORIGINAL), _read_original),
    # `作者张三`, `来源CSDN`: a label glued to its value
    Rule("glued label", _first(_GLUED_LABEL), _read_glued_label),
    # `作者：X`, `文／X`, `編譯：X`: a label, then the names
    Rule("label", _holding(_LEX.alternation("writer_labels", "translator_labels") + "|报道|報導", _every(_LABEL)),
         _read_label),
    # `記者X`, `本报记者 X、Y`, `評論員 X Y`: a role word, then the names
    Rule("reporter", _holding(_LEX.alternation("byline_roles"), _every(_REPORTER)), _read_reporter),
    # `…換新。(李小楠)`: a name closing the text
    Rule("closing name", _first(_CLOSING_NAME, "search"), _read_closing_name),
    # `By X`
    Rule("by", _every(_BY, "Bb"), _read_by),
    # `韩嘉怡 中国特派员`: the name, then the post
    Rule("name then role", _first(_NAME_THEN_ROLE, "fullmatch"), _read_name_then_role),
    # `X 发自 北京`: the reporter and where they filed from
    Rule("filed from", _every(_FILED_FROM, "發发"), _read_filed_from),
    # `X／台北報導`, `竹内健一 东京报道`, `（X／台中報導）`: names before 報導
    Rule("plain report", _holding(REPORT, _first(_PLAIN_REPORT)), _read_plain_report),
    # `X／綜合外電`, `X／台北`, `X/某报`: names, then a desk, a place or the outlet
    Rule("name and desk", _first(_NAME_SLASH), _read_name_slash),
)

# Normalizing before the rules: Apple Daily's box-drawing slash (`【X╱台北報導】`); a bar after a role
# (`文｜X`, `作者︱X`, `作者丨X`) read as a slash; a two-character name printed with a space inside to line
# up with three-character names (`本报记者 王乐文 方 敏`) read as one name (`方敏`).
# `文｜X`, `作者︱X`, `記者 | X`: a role word of lexicon `bar_roles`, then a full-width bar (spaces around it optional) or
# an ASCII bar between spaces.
_ROLE_BAR = re.compile("(" + _LEX.alternation("bar_roles") + r")(?:[ \t\u3000]*[｜︱丨][ \t\u3000]*|[ \t\u3000]+\|[ \t\u3000]+)")
_SOURCE_LABEL_SET = frozenset(_LEX.words("source_labels"))
_SPACED_NAME = re.compile(rf"(?<![{_H}])([{_H}])[ \u3000]([{_H}])(?![{_H}])")
_PIPES = re.compile(r"\s*[|｜]\s*")
# The head of a long paragraph that may be a dateline: one or two brackets (`【看中国5月18日讯】（看中国记者X综合
# 报导）`), or words up to 電/報導/訊 (and a bracket).
_DATELINE_HEAD = re.compile(
    r"\s*(?:[（(【\[][^）)】\]]{1,60}[）)】\]](?:\s*[（(【\[][^）)】\]]{1,60}[）)】\]])?"
    r"|[^，。,；;！？]{0,50}?(?:[電电]|報導|报道|[讯訊](?=\s|[（(【\[]))(?:\s*[（(][^）)]{1,40}[)）])?)"
)
_CLOSING_NOTE = re.compile(r"[（(][^（）()]{1,60}[)）]\s*\d{0,8}\s*$")  # `（編輯：X）1120911` closing a paragraph
_ACCOUNT_ID = re.compile(r"[（(]\s*(?:ID|微信号|微信號)\s*[:：]\s*[\w.-]+\s*[)）]")  # `（ID：cjsfz2020）`
_LEFTOVER = re.compile(r"[\s\u3000【】〔〕\[\]（）()|｜／/:：;；、，,.。\-—–\d]+|(?:即時|即时|綜合|综合)?" + REPORT)


def _join_spaced_name(m: re.Match[str]) -> str:
    return m.group(1) + m.group(2) + " " if m.group(1) in _LEX.surnames else m.group()


def _normalize(text: str) -> str:
    if "╱" in text:
        text = text.replace("╱", "／")
    if " " in text or "\u3000" in text:
        text = _SPACED_NAME.sub(_join_spaced_name, text)
    if "|" in text or "｜" in text or "︱" in text or "丨" in text:
        text = _ROLE_BAR.sub(lambda m: m.group(1) + ("：" if m.group(1) in _SOURCE_LABEL_SET else "／"), text)
    return text


def _credit_window(text: str) -> list[tuple[int, int]]:
    """Spans of a line that may carry credits: a short line whole (each part of a piped meta line
    alone: `发表于… | 来源CSDN | 作者魏星`), a long paragraph's head (dateline) and tail (editor line)."""
    if len(text) <= 80:
        spans, start = [], 0
        for m in _PIPES.finditer(text):
            spans.append((start, m.start()))
            start = m.end()
        spans.append((start, len(text)))
        note = _CLOSING_NOTE.search(text, start)
        if note and note.start() > start and not text[note.start() - 1].isalpha():  # `…參加。（林小華／台中報導）`: the closing note read alone
            spans[-1:] = [(start, note.start()), (note.start(), len(text))]
        return [(lo, hi) for lo, hi in spans if hi > lo]
    spans = []
    head = _DATELINE_HEAD.match(text)
    if head:
        spans.append((0, head.end()))
    for m in _CLOSING_NOTE.finditer(text):
        spans.append((m.start(), m.end()))
    return spans


def parse_credits(text: str, *, byline: bool = False) -> Credits:
    """Credits in one short line or a paragraph's dateline: authors, outlet, editors, place.

    `byline` says the line is the text of an element the page marks as its byline (class, id or
    itemprop author/byline): there, bare names (`INGRID HOLM`) are credits too."""
    if not text or not text.strip():
        return Credits()
    text = _normalize(text)
    r = _Reading(byline=byline)
    consumed = text
    for lo, hi in _credit_window(text):
        r.work, r.at_end = text[lo:hi], hi == len(text)
        for rule in RULES:
            for m in rule.find(r):
                rule.read(m, r)
        if r.source is None:  # a line that is an outlet's name and nothing else: `路透`, `【中央社】`
            bare = re.sub(r"^(?:采写|採寫|作者|撰文|文字|文)\s*[:：／/]?\s*", "", r.work.strip(" \t\u3000【】[]（）()|｜／/"))
            if bare in _OUTLET_SET or (len(bare) <= 12 and " " not in bare and is_outlet(bare)):
                r.name_source(bare)
                r.take_all()
            elif outlet_of_desk(bare):  # `端传媒编辑部`: the outlet's desk wrote it, no person
                r.name_source(outlet_of_desk(bare))
                r.take_all()
        consumed = consumed[:lo] + r.work + consumed[hi:]
    authors = [a for a in dict.fromkeys(r.authors) if a not in r.editors]
    found = bool(authors or r.editors or r.source or r.photo)  # a photographer's credit is a credit line too
    if "ID" in consumed or "微信" in consumed:
        consumed = _ACCOUNT_ID.sub("", consumed)
    roles = dict(r.roles)
    for n in r.editors:
        roles[n] = CreditRole.EDITOR
    return Credits(
        authors=tuple(authors),
        source=r.source,
        editors=tuple(r.editors),
        place=r.place,
        is_byline_only=found and not _LEFTOVER.sub("", consumed),
        roles=tuple((n, roles.get(n, CreditRole.WRITER)) for n in dict.fromkeys([*authors, *roles])),
    )


def find_credits(lines: list[str], *, bylines: frozenset[str] = frozenset()) -> Credits:
    """Credits merged over several lines (first/last paragraphs, short lines around the title);
    the lines in `bylines` are byline elements' texts (see parse_credits)."""
    authors: list[str] = []
    editors: list[str] = []
    source: str | None = None
    place: str | None = None
    roles: dict[str, CreditRole] = {}
    for line in lines:
        c = parse_credits(line, byline=line in bylines)
        authors.extend(c.authors)
        editors.extend(c.editors)
        source = source or c.source
        place = place or c.place
        for name, role in c.roles:
            if roles.get(name, CreditRole.WRITER) is CreditRole.WRITER:
                roles[name] = role  # a line that says reporter or commentator says more than a bare name
    editors = list(dict.fromkeys(editors))
    authors = [a for a in dict.fromkeys(authors) if a not in editors]
    # `Uliu(李承遠)` in the byline and `李承遠` in a line of the text: one person, named as the byline prints
    authors = [a for a in authors if not any(o != a and (f"({a})" in o or f"（{a}）" in o) for o in authors)]
    for n in editors:
        roles[n] = CreditRole.EDITOR
    return Credits(authors=tuple(authors), source=source, editors=tuple(editors), place=place,
                   roles=tuple(roles.items()))


def credits_of(authors: list[str] | tuple[str, ...], roles: tuple[tuple[str, CreditRole], ...]) -> tuple[Credit, ...]:
    """Every credited person with a role: the authors (with the role a byline gave them: writer unless it
    said reporter, commentator or, for the compiler of an uncredited text, translator), then
    photographers, editors and translators who are not authors."""
    known = dict(roles)
    out = [Credit(a, known.get(a, CreditRole.WRITER) if known.get(a) is not CreditRole.EDITOR else CreditRole.WRITER)
           for a in authors]
    out += [Credit(n, r) for n, r in roles if r not in AUTHOR_ROLES and n not in authors]
    return tuple(dict.fromkeys(out))
