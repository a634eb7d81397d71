"""The interface's words that are data: zone names, why a page is missing, error titles, mainland wording.

Written in Traditional Chinese; a Simplified page is converted by OpenCC and its interface (never an
outlet's text) is then given the mainland wording of `MAINLAND_WORDS` where it differs (报道, not 报导).
The templates' own text is the interface; text a view passes in is the interface only when it is
`Words` (titles, messages, zone names), so an outlet's title or body is never reworded.
"""

from __future__ import annotations

from newsmirror.models import FailureKind, PageFetch, PageStatus

__all__ = ["Words", "ZONE_NAMES", "zone_name", "FAILURE_WHY", "PAGE_STATE", "ERROR_TITLES", "ERROR_MESSAGES",
           "MAINLAND_WORDS", "mainland", "reader_message", "page_note"]


class Words(str):
    """Text of the interface, not an outlet's: a Simplified page gives it mainland wording (报道, not 报导)."""

    __slots__ = ()

# IANA zone -> the name a Chinese reader knows it by (a city, or the zone's usual Chinese name).
ZONE_NAMES: dict[str, str] = {
    "Asia/Taipei": "台北",
    "Asia/Shanghai": "北京",  # China's one zone is called Beijing time (北京時間)
    "Asia/Chongqing": "北京",
    "Asia/Urumqi": "烏魯木齊",
    "Asia/Hong_Kong": "香港",
    "Asia/Macau": "澳門",
    "Asia/Singapore": "新加坡",
    "Asia/Kuala_Lumpur": "吉隆坡",
    "Asia/Tokyo": "東京",
    "Asia/Seoul": "首爾",
    "Asia/Bangkok": "曼谷",
    "Australia/Sydney": "雪梨",
    "Europe/London": "倫敦",
    "Europe/Paris": "巴黎",
    "Europe/Berlin": "柏林",
    "America/New_York": "紐約",
    "America/Los_Angeles": "洛杉磯",
    "America/Vancouver": "溫哥華",
    "America/Toronto": "多倫多",
    "UTC": "協調世界時",
    "Etc/UTC": "協調世界時",
}


def zone_name(zone: str) -> Words:
    """The Chinese name of an IANA zone, or the zone itself when it has none here."""
    return Words(ZONE_NAMES.get(zone, zone))


# Why an article's page could not be read, by the failure's kind.
FAILURE_WHY: dict[FailureKind, str] = {
    FailureKind.DNS: "找不到網站的主機（網域名稱無法解析）",
    FailureKind.REFUSED: "網站拒絕連線",
    FailureKind.TIMEOUT: "網站逾時沒有回應",
    FailureKind.HTTP: "網站回應錯誤",
    FailureKind.RATE_LIMITED: "網站要求放慢抓取",
    FailureKind.DISALLOWED: "網站的 robots.txt 不允許抓取這個網頁",
    FailureKind.NOT_ARTICLE: "網頁裡找不到報導內文",
    FailureKind.OTHER: "網頁無法讀取",
}

# What happens next, by the page fetch's status.
PAGE_STATE: dict[PageStatus, str] = {
    PageStatus.RETRYING: "會再嘗試",
    PageStatus.GIVEN_UP: "已停止嘗試",
    PageStatus.DISALLOWED: "不會抓取",
}

ERROR_TITLES: dict[int, str] = {
    400: "請求有誤",
    404: "找不到頁面",
    405: "不允許的方法",
    413: "請求太大",
    414: "網址太長",
    429: "請求太頻繁",
    500: "伺服器內部錯誤",
    503: "暫時無法服務",
}

# Interface words whose Simplified form differs in mainland usage, as (after OpenCC t2s, mainland). Applied
# in this order to the interface only: an outlet's 預設立場 stays 预设立场, never 默认立场.
MAINLAND_WORDS: tuple[tuple[str, str], ...] = (
    # the news and the archive
    ("报导", "报道"),
    ("唯读", "只读"),
    ("封存", "存档"),  # the archive: 唯讀封存 -> 只读存档
    ("纪录", "记录"),  # 修改紀錄 -> 修改记录
    ("内文", "正文"),
    # the site's controls
    ("搜寻", "搜索"),
    ("关键字", "关键词"),
    ("笔结果", "条结果"),
    ("选单", "菜单"),
    ("依月份", "按月份"),
    ("以空白分开", "以空格分开"),
    ("连结", "链接"),
    ("预设", "默认"),
    ("字元", "字符"),
    ("不认得的参数", "无法识别的参数"),
    # the network
    ("网路", "网络"),
    ("伺服器", "服务器"),
    ("逾时", "超时"),
    ("网域名称", "域名"),
    ("连线", "连接"),
    ("网站回应错误", "网站返回错误"),
    ("没有回应", "没有响应"),
    ("请求太频繁", "请求过于频繁"),
    # places
    ("雪梨", "悉尼"),
)


# What a reader is told for an error whose own message is only in English, by HTTP status.
ERROR_MESSAGES: dict[int, str] = {
    400: "請求的參數有誤。",
    404: "找不到這個頁面。",
    405: "這個封存只供閱讀，只接受 GET 與 HEAD 請求。",
    413: "不接受附帶內容的請求。",
    414: "網址太長。",
    429: "請求太頻繁，請稍候再試。",
    500: "伺服器發生內部錯誤，請稍後再試。",
    503: "暫時無法讀取封存，請稍後再試。",
}


def reader_message(exc: Exception, status: int = 400) -> Words:
    """The Chinese message for an error: its own `zh` when it has one, else the status's."""
    return Words(getattr(exc, "zh", None) or ERROR_MESSAGES.get(status, ERROR_MESSAGES[400]))


def mainland(text: str) -> str:
    """Simplified text given the mainland wording of MAINLAND_WORDS (报导 -> 报道)."""
    for taiwan, mainland_word in MAINLAND_WORDS:
        if taiwan in text:
            text = text.replace(taiwan, mainland_word)
    return text


def page_note(record: PageFetch | None) -> dict[str, object] | None:
    """What the reader is told when the archive holds only the feed's summary, or None when it holds the page."""
    if record is None or not record.body_missing:
        return None
    return {
        "why": Words(FAILURE_WHY.get(record.kind, FAILURE_WHY[FailureKind.OTHER]) if record.kind else "網頁無法讀取"),
        "state": Words(PAGE_STATE.get(record.status, "")),
        "status": record.status,
        "next_try": record.next_try if record.status is PageStatus.RETRYING else None,
        "attempts": record.attempts,
        "reason": record.reason or "",
    }
