"""The interface's words that are data: zone names, why a page is missing, error titles, mainland wording.

Written in Traditional Chinese; a Simplified page is converted by OpenCC and then given the
mainland wording of `MAINLAND_WORDS` where it differs (报道, not 报导).
"""

from __future__ import annotations

from newsmirror.models import FailureKind, PageFetch, PageStatus

__all__ = ["ZONE_NAMES", "zone_name", "FAILURE_WHY", "PAGE_STATE", "ERROR_TITLES", "ERROR_MESSAGES",
           "MAINLAND_WORDS", "mainland", "reader_message", "page_note"]

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


def zone_name(zone: str) -> str:
    """The Chinese name of an IANA zone, or the zone itself when it has none here."""
    return ZONE_NAMES.get(zone, zone)


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

# Traditional-interface words whose Simplified form differs in mainland usage, as (after t2s, mainland).
MAINLAND_WORDS: tuple[tuple[str, str], ...] = (
    ("报导", "报道"),
    ("搜寻", "搜索"),
    ("连结", "链接"),
    ("预设", "默认"),
    ("网路", "网络"),
    ("伺服器", "服务器"),
    ("逾时", "超时"),
    ("网域名称", "域名"),
    ("雪梨", "悉尼"),
    ("请求太频繁", "请求过于频繁"),
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


def reader_message(exc: Exception, status: int = 400) -> str:
    """The Chinese message for an error: its own `zh` when it has one, else the status's."""
    return getattr(exc, "zh", None) or ERROR_MESSAGES.get(status, ERROR_MESSAGES[400])


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
        "why": FAILURE_WHY.get(record.kind, FAILURE_WHY[FailureKind.OTHER]) if record.kind else "網頁無法讀取",
        "state": PAGE_STATE.get(record.status, ""),
        "status": record.status,
        "next_try": record.next_try if record.status is PageStatus.RETRYING else None,
        "attempts": record.attempts,
        "reason": record.reason or "",
    }
