"""Which words in a credit are a person's name: a small model that weighs evidence, not one pattern.

A candidate is first stripped of what sits around names in credits (role words, a dateline's day,
`發自香港`, `／台北報導`, a desk such as `綜合外電`), then weighed:

- agencies, outlets, places, desks and placeholders (小编, 佚名) are never persons;
- a Chinese surname, single or compound (歐陽, 司馬, 范姜), shipped as data (lexicon.toml): +2;
- a length names have (2 to 4 Han characters; Latin given names and surnames): +1;
- the slot the credit gives it (`Slot`): after a role word or label (記者X, 作者：X) +1; in a
  convention only persons fill (（中央社記者X台北11日電）, X／台北報導, X 东京报道) +2;
- when the rest leaves it one short of a name, it has no surname or it stands in a bare run (`关注`
  beside a name is a button), jieba's dictionary tag votes: a
  person's name (nr) +1, any other word it lists (媒体, 消息) -2; a word it does not list (most people) 0;
  a four-character run it reads as two ordinary words (原始連結) -2.

Three votes make a name. So `陳宥菘` after 記者 is a name, `竹内健一` before `东京报道` is one
(no Chinese surname, a convention slot), and `媒体` before `报道` is none. Names printed without a
space between them (`劉佳穎蔡宗翰`) are split where two surnames start two names of names' length.
"""

from __future__ import annotations

import re
from enum import IntEnum

from newsmirror.chinese import HAN_CLASS, word_tag
from newsmirror.extract.lexicon import lexicon

__all__ = ["REPORT", "ROLE", "STAFF", "Slot", "editor_name", "is_outlet", "outlet_of_desk", "person_name",
           "split_names"]

_LEX = lexicon()
_OUTLET_SET = frozenset(_LEX.outlets)
_LONG_OUTLETS = tuple(o for o in _LEX.outlets if len(o) >= 3)  # prefixes is_outlet accepts
_GENERIC_PREFIXES = _LEX.words("generic_prefixes")


class Slot(IntEnum):
    """How strongly a credit's shape says "a person's name goes here" (votes for the name)."""

    RUN = 0  # a bare run of words: `（李小楠）` closing a text, `X Y 報導`
    LABEL = 1  # after a role word or a label: 記者X, 作者：X, 文／X, By X, a byline element's text
    CONVENTION = 2  # only persons fill it: （中央社記者X台北11日電）, X／台北報導, X 东京报道, X 发自北京


# Role words before a reporter's name, built from the lexicon's lists: `本報` (whose staff), `實習`
# (the grade), then the role itself (`記者`, `特派員`, `評論員` ...): `本报实习记者`, `駐京記者`.
ROLE = (
    "(?:" + _LEX.alternation("staff") + r"|駐\w{1,4}|驻\w{1,4})?"
    "(?:" + _LEX.alternation("grades") + ")?"
    "(?:" + _LEX.alternation("byline_roles") + ")"
)
# Whose staff and what grade, without a role word (`本刊特约 X`): before a name, never part of it.
STAFF = ("(?:" + _LEX.alternation("staff") + ")(?:" + _LEX.alternation("grades") + ")?|(?:"
         + _LEX.alternation("grades") + ")")
REPORT = "(?:" + _LEX.alternation("report_words") + ")"  # 報導, 报道, 报导 ...: the word closing a byline
_LEADING_ROLE = re.compile(r"^(?:" + ROLE + "|" + STAFF + r"(?=\s))\s*")
_NAME_CHARS = f"{HAN_CLASS}\u3040-\u30ff·・"  # Han, kana (Japanese names) and the dot of transliterations
_HAN_RUN = re.compile(f"[{_NAME_CHARS}]+")
_HAN_ONLY = re.compile(f"[{HAN_CLASS}]+")
# Words of a sentence, not of a credit: `記者了解到`, `记者从市局获悉` (a reporter doing, not named).
_NOT_A_NAME = re.compile(
    "|".join(re.escape(w) for w in _LEX.words("reporting_verbs"))
    + r"|[了的是說说問问到從从向對对在為为也都就還还又再]$"
)
_DATE_TAIL = re.compile(r"(?:\d{1,2}月)?\d{1,2}日.*$")  # `林小華台北11日電`: the dateline's day and after
_FILED_FROM = re.compile(r"\s*(?:發自|发自)\s*\S{1,8}$")  # `陳嘉欣 發自香港`: where the reporter filed from
_ACCOUNT_TAIL = re.compile(r"[_\-]?[A-Za-z]*\d+$")  # `杨小倩_NF4425`: a CMS account after an editor's name
# Words printed after a name in a byline: `報導`, `綜合報導`, `攝影`, `整理`, `專電`, a lone 文 or 圖 after a slash.
_TRAILING_WORDS = re.compile(
    "(?:(?:" + _LEX.alternation("report_kinds") + ")?(?:" + _LEX.alternation("report_words") + ")|"
    + _LEX.alternation("credit_suffixes") + r"|(?<=[\s／/])(?:文|圖|图))$"
)
# A label glued after a name when inline boxes are printed without a space: `張三來源：新華網`, `李四編輯：`.
_LABEL_AFTER = re.compile("(?:" + _LEX.alternation("labels") + ")(?:[:：].*)?$")
_DOMAIN = re.compile(r"\.(?:com|net|org|co|cn|tw|hk|sg|my|uk|info|news)\b", re.I)  # `Cleveland.com` is a site
_LATIN_NAME = re.compile(r"[A-Za-z][A-Za-z.'\- ]{1,40}[A-Za-z.]")
# `By X, CNN Editor-at-large`: job titles and desks after a name are not names (lexicon `latin_roles`, either case at
# the start, and `latin_byline_labels`, capitalized only; a plural too: `Staff Writers`).
_LATIN_ROLE = re.compile(
    r"\b(?:" + "|".join(f"[{w[0].upper()}{w[0]}]{re.escape(w[1:])}" for w in _LEX.words("latin_roles")) + "|"
    + _LEX.alternation("latin_byline_labels") + r")s?\b"
)


_DESK_SUFFIX = re.compile("(?:" + _LEX.alternation("desk_suffixes") + ")$")


def outlet_of_desk(name: str) -> str | None:
    """The outlet a desk belongs to (`端传媒编辑部` -> 端传媒), None when `name` is no outlet's desk."""
    m = _DESK_SUFFIX.search(name.strip())
    return name.strip()[: m.start()] if m and m.start() >= 2 and is_outlet(name.strip()[: m.start()]) else None


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
    return len(n) >= 3 and n.endswith(_LEX.outlet_endings)


def _has_surname(s: str) -> bool:
    return s[0] in _LEX.surnames or s.startswith(_LEX.compound_surnames)


_PLACE_KINDS = "市縣县區区鄉乡鎮镇"  # `台北市`, `彰化縣`: a listed place with its kind


def _strip(raw: str) -> str:
    """The candidate without what sits around names in a credit: roles, dateline days, places, suffixes."""
    s = raw.strip(" \t\u3000:：／/、，,。】]")
    if "(" not in s and "（" not in s:
        s = s.rstrip(")）")  # a closing bracket, unless the name holds its opening one (`Uliu(李承遠)`)
    s = _LEADING_ROLE.sub("", s)
    s = _DATE_TAIL.sub("", s).strip()
    s = _FILED_FROM.sub("", s)
    s = _ACCOUNT_TAIL.sub("", s).strip()
    if len(s) > 2:
        s = _LABEL_AFTER.sub("", s).strip() or s
    for _ in range(3):
        before = s
        s = _TRAILING_WORDS.sub("", s).strip(" \t\u3000／/")
        for place in _LEX.places:
            cut = s.endswith(place) and len(place) or s[-1:] in _PLACE_KINDS and s[:-1].endswith(place) and len(place) + 1
            if cut and len(s) - cut >= 2:
                s = s[:-cut].strip(" \t\u3000／/")
                break
        if s == before:
            break
    return s


# Role words and grades are never part of a name: `南都见习` (an outlet and a grade) is nobody.
_ROLE_INSIDE = re.compile(_LEX.alternation("byline_roles", "grades", "run_roles"))


def _never_a_person(s: str) -> bool:
    return (not s or s in _LEX.not_people or s in _LEX.place_set or is_outlet(s) or bool(_NOT_A_NAME.search(s))
            or bool(_DOMAIN.search(s)) or bool(_ROLE_INSIDE.search(s)))


def _votes(s: str, slot: Slot) -> int:
    """The evidence that a run of Han (or kana) characters is one person's name (see the module docstring)."""
    dotted = "·" in s or "・" in s
    votes = int(slot)
    if _has_surname(s):
        votes += 2
    if 2 <= len(s) <= 4 or dotted and len(s) <= 12:
        votes += 1
    elif not dotted:
        return -1  # no name is this long
    # one short, no surname, or a bare run (no role word says "name"): jieba's dictionary votes
    if votes == 2 or votes >= 3 and (not _has_surname(s) or slot is Slot.RUN):
        tag = word_tag(s)
        if tag is not None:
            votes += 1 if tag.startswith("nr") else -2
    if votes >= 3 and len(s) == 4 and not dotted and not s.startswith(_LEX.compound_surnames) and _two_words(s):
        votes -= 2
    return votes


_LATIN_NON_NAMES = frozenset(_LEX.words("latin_non_names"))
_LATIN_AROUND = frozenset(_LEX.words("latin_around_names"))


def _latin_name(s: str, slot: Slot) -> str | None:
    """A Latin name: up to four words, none a job title or a link's label (`View All`, `Staff`); words
    printed around names are dropped (`About Jane Roe`, `Regan September 15`). In a bare run (no `By`
    or label before it) two to four capitalized words, not acronyms (`IGN`)."""
    words = s.split()
    while words and (words[0].strip(".,").lower() in _LATIN_AROUND):
        words.pop(0)
    while words and (words[-1].strip(".,").lower() in _LATIN_AROUND or words[-1].strip(".,").isdigit()):
        words.pop()
    s = " ".join(words)
    if not s or not _LATIN_NAME.fullmatch(s) or len(words) > 4 or _LATIN_ROLE.search(s) \
            or any(w.strip(".,").lower() in _LATIN_NON_NAMES | _LATIN_AROUND for w in words):
        return None
    if slot is Slot.RUN and (len(words) < 2 or not all(w[0].isupper() for w in words)
                             or all(len(w) <= 3 and w.isupper() for w in words)):
        return None
    return s


def _two_words(s: str) -> bool:
    """A four-character run that jieba reads as two ordinary words (`原始連結`): a phrase, not a name."""
    head, rest = word_tag(s[:2]), word_tag(s[2:])
    return head is not None and rest is not None and not head.startswith("nr") and not rest.startswith("nr")


# An indigenous or foreign name with the Chinese name in brackets: `Uliu(李承遠)`, `Kimliyan（陸萱）`.
_BRACKETED = re.compile(rf"(?P<latin>[A-Za-z][A-Za-z'\-]{{1,30}})\s*[（(](?P<han>[{HAN_CLASS}·]{{2,6}})[)）]")


def person_name(raw: str, slot: Slot = Slot.LABEL, *, dateline: bool = False) -> str | None:
    """A person's name out of a credit fragment (roles, places and suffixes stripped), or None."""
    s = _strip(raw)
    both = _BRACKETED.fullmatch(s)
    if both:  # the name as printed, when the bracketed part is a name (no surname needed: one is given)
        return s if _votes(both.group("han"), max(slot, Slot.LABEL)) >= 2 else None
    if _never_a_person(s):
        return None
    if _HAN_RUN.fullmatch(s):
        if dateline and len(s) == 5 and _has_surname(s):
            s = s[:3]  # a name, then an unlisted two-character place before the date
        return s if _votes(s, slot) >= 3 else None
    return _latin_name(s, slot)


def editor_name(raw: str) -> str | None:
    """An editor's name out of an editor credit: any short run, nicknames included (`棒棒不是糖`)."""
    s = _strip(raw)
    if _never_a_person(s):
        return None
    if _HAN_RUN.fullmatch(s):
        return s if 2 <= len(s) <= 8 else None
    if _LATIN_NAME.fullmatch(s) and len(s.split()) <= 4 and not _LATIN_ROLE.search(s):
        return s
    return None


# Role words inside a run of names; `环球时报特约记者` (an outlet, a post, a role) counts as one.
_RUN_ROLES = re.compile(
    rf"(?:^|(?<=[\s、，,]))[{HAN_CLASS}]{{0,10}}?(?:特約|特约|駐\w{{1,4}}|驻\w{{1,4}})?"
    "(?:" + _LEX.alternation("run_roles") + ")"
    rf"(?=[\s{HAN_CLASS}])"
)
_SEPARATORS = re.compile(r"\s*(?:[、,，;；&]|\s+and\s+|及|與|与)\s*")
_SPACED_RUNS = re.compile(rf"[{HAN_CLASS}]{{2,4}}(?:\s+[{HAN_CLASS}]{{2,4}})+")


def _unglue(run: str, slot: Slot) -> list[str]:
    """Two names printed without a space (`劉佳穎蔡宗翰`): the split where both parts are names with a
    surname, three characters each preferred (the commonest length)."""
    best: tuple[int, list[str]] | None = None
    for i in range(2, len(run) - 1):
        a, b = run[:i], run[i:]
        if not (2 <= len(a) <= 4 and 2 <= len(b) <= 4 and _has_surname(a) and _has_surname(b)):
            continue
        rank = (len(a) == 3) + (len(b) == 3)
        if (best is None or rank > best[0]) and person_name(a, slot) and person_name(b, slot):
            best = (rank, [a, b])
    return best[1] if best else []


def split_names(run: str, slot: Slot = Slot.LABEL, *, dateline: bool = False, editors: bool = False) -> list[str]:
    """The persons' names in a run of a credit (`X、Y`, `X Y`, `X及Y`, `X 實習生 Y`), each once;
    `editors`: an editor credit's run, where nicknames count too (editor_name)."""
    run = _RUN_ROLES.sub(" ", run)
    parts = _SEPARATORS.split(run.strip())
    if len(parts) == 1 and _SPACED_RUNS.fullmatch(run.strip()):
        parts = run.split()
    names: list[str] = []
    for p in parts:
        name = editor_name(p) if editors else person_name(p, slot, dateline=dateline)
        found = [name] if name else []
        if not found and slot and not editors and 5 <= len(p.strip()) <= 8 and _HAN_ONLY.fullmatch(p.strip()):
            found = _unglue(p.strip(), slot)
        names.extend(n for n in found if n not in names)
    return names
