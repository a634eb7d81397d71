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

__all__ = ["KNOWN_OUTLETS", "Credits", "find_credits", "is_outlet", "parse_credits"]


@dataclass(frozen=True)
class Credits:
    """Who is credited for a text: person authors, the outlet/agency, editors, the dateline place."""

    authors: tuple[str, ...] = ()
    source: str | None = None
    editors: tuple[str, ...] = ()
    place: str | None = None
    is_byline_only: bool = False  # the line holds credits and nothing else


# Outlets and agencies, in both scripts; longest first so `中央社` wins over `中央`.
KNOWN_OUTLETS: tuple[str, ...] = tuple(
    sorted(
        set(
            """
中央社 中央通訊社 中央通讯社 聯合報 联合报 聯合新聞網 联合新闻网 udn 經濟日報 经济日报 自由時報 自由时报
自由財經 中國時報 中国时报 中時新聞網 中时新闻网 工商時報 旺報 蘋果日報 苹果日报 蘋果新聞網 ETtoday 東森新聞
东森新闻 三立新聞 三立 民視 民视 華視 华视 台視 台视 中視 中视 公視 公视 TVBS 年代新聞 壹電視 今日新聞 NOWnews
風傳媒 风传媒 報導者 鏡週刊 鏡新聞 上報 新頭殼 匯流新聞網 中廣新聞網 中央廣播電臺 央廣 青年日報 太報 大紀元 新唐人
新华社 新華社 新华网 新華網 中新社 中新網 中新网 中国新闻网 中國新聞網 人民日报 人民日報 人民网 人民網 澎湃新闻 澎湃新聞
央视 央視 央视新闻 央視新聞 央视网 中央电视台 中央電視台 CCTV 中国日报 中國日報 光明日报 光明日報 经济参考报 环球时报
環球時報 环球网 環球網 参考消息 參考消息 新京报 新京報 北京日报 北京日報 北京青年报 北京晚报 解放日报 文汇报 南方日报
南方都市报 南方都市報 南都 南方周末 财新 財新 财新网 第一财经 界面新闻 每日经济新闻 21世纪经济报道 证券时报 證券時報
证券时报网 中国青年报 中國青年報 中国青年网 新浪 新浪科技 新浪财经 网易 網易 腾讯 騰訊 腾讯新闻 搜狐 凤凰网 鳳凰網 凤凰卫视
鳳凰衛視 观察者网 觀察者網 封面新闻 红星新闻 紅星新聞 九派新闻 极目新闻 上游新闻 潇湘晨报 华龙网 華龍網 中国网 中國網
路透 路透社 路透中文網 法新社 美聯社 美联社 共同社 韓聯社 韩联社 彭博 彭博社 德新社 塔斯社 安莎社 埃菲社 時事通信社
BBC BBC中文 BBC中文網 BBC中文网 美國之音 美国之音 自由亞洲電台 自由亚洲电台 法廣 法广 德國之聲 德国之声 紐約時報中文網
纽约时报中文网 華爾街日報 华尔街日报 聯合早報 联合早报 8world 星島日報 星岛日报 明報 明报 東方日報 东方日报 香港01 端傳媒
端传媒 信報 商業周刊 天下雜誌 CNA Reuters AFP AP Bloomberg Kyodo Yonhap Xinhua CNN NBC CBS ABC NPR Fox
""".split()  # noqa: SIM905 (a word list reads best as words)
        ),
        key=len,
        reverse=True,
    )
)
_OUTLET_SET = frozenset(KNOWN_OUTLETS)
_LONG_OUTLETS = tuple(o for o in KNOWN_OUTLETS if len(o) >= 3)  # prefixes is_outlet accepts
_OUTLET_ENDINGS = (
    "報", "报", "社", "網", "网", "新聞", "新闻", "電視", "电视", "電台", "电台", "週刊", "周刊", "雜誌", "杂志", "日報",
    "日报", "晚報", "晚报", "衛視", "卫视", "傳媒", "传媒", "頻道", "频道", "通訊", "通讯", "中文",
)

_PLACES = tuple(
    sorted(
        set(
            """
台北 臺北 新北 桃園 桃园 台中 臺中 台南 臺南 高雄 基隆 新竹 苗栗 彰化 南投 雲林 云林 嘉義 嘉义 屏東 屏东 宜蘭 宜兰
花蓮 花莲 台東 臺東 台东 澎湖 金門 金门 馬祖 马祖 連江 台灣 臺灣 台湾 大陸 大陆 綜合 综合 即時 即时 連線 连线 外電 外电
北京 上海 天津 重慶 重庆 廣州 广州 深圳 香港 澳門 澳门 南京 武漢 武汉 杭州 成都 西安 長沙 长沙 瀋陽 沈阳 哈爾濱 哈尔滨
長春 长春 濟南 济南 青島 青岛 鄭州 郑州 合肥 福州 廈門 厦门 南昌 昆明 貴陽 贵阳 南寧 南宁 海口 蘭州 兰州 西寧 西宁 銀川
银川 拉薩 拉萨 烏魯木齊 乌鲁木齐 呼和浩特 太原 石家莊 石家庄 蘇州 苏州 無錫 无锡 寧波 宁波 溫州 温州 東莞 东莞 佛山 珠海
首爾 首尔 東京 东京 大阪 平壤 華盛頓 华盛顿 紐約 纽约 洛杉磯 洛杉矶 舊金山 旧金山 芝加哥 休士頓 倫敦 伦敦 巴黎 柏林
莫斯科 布魯塞爾 布鲁塞尔 日內瓦 日内瓦 維也納 维也纳 羅馬 罗马 馬德里 马德里 雪梨 悉尼 墨爾本 墨尔本 新加坡 曼谷 河內
河内 胡志明市 雅加達 雅加达 馬尼拉 马尼拉 吉隆坡 新德里 孟買 杜拜 迪拜 耶路撒冷 特拉維夫 開羅 开罗 多倫多 多伦多
溫哥華 温哥华 渥太華 海參崴 基輔 基辅 聯合國 联合国 華府 华府 梵蒂岡 斯德哥爾摩 哥本哈根 奧斯陸 赫爾辛基 布拉格 華沙
""".split()  # noqa: SIM905 (a word list reads best as words)
        ),
        key=len,
        reverse=True,
    )
)

# Common surnames (both scripts): a CJK run only reads as a person's name when it starts with one.
_SURNAMES = frozenset(
    "".join(
        """
王李張张劉刘陳陈楊杨黃黄趙赵吳吴周徐孫孙馬马朱胡郭何高林羅罗鄭郑梁謝谢宋唐許许韓韩馮冯鄧邓曹彭曾蕭萧田董袁潘於于蔣蒋蔡余杜葉叶
程蘇苏魏呂吕丁任沈姚盧卢姜崔鍾钟譚谭陸陆汪范金石廖賈贾夏韋韦付傅方白鄒邹孟熊秦邱江尹薛閆闫段雷侯龍龙史陶黎賀贺顧顾毛郝龔龚
邵萬万錢钱嚴严覃武戴莫孔向湯汤常溫温康施文牛樊葛邢安齊齐易喬乔伍龐庞顏颜倪莊庄聶聂章魯鲁岳翟殷詹申歐欧耿關关蘭兰焦俞左柳甘祝
包寧宁尚符舒阮柯紀纪梅童凌畢毕單单季裴霍塗涂成苗谷盛曲翁冉駱骆藍蓝路游辛靳管柴蒙鮑鲍華华喻祁蒲房滕屈饒饶解牟艾尤陽阳時时穆農农
司卓古吉繆缪簡简車车項项連连蘆芦麥麦褚婁娄竇窦戚岑景黨党宮宫費费卜冷晏席衛卫米柏宗瞿桂全佟應应臧閔闵茍苟鄔邬邊边卞姬師师和仇
欒栾隋商刁沙榮荣巫寇桑郎甄叢丛仲虞敖鞏巩明佘池查麻苑遲迟鄺邝官封談谈匡鞠惠荊荆樂乐冀郁胥南班儲储原栗燕楚鄢勞劳諶谌奚皮粟冼
藺蔺樓楼盤盘滿满聞闻位厲厉伊仝區区郜海闞阚花權权強强帥帅屠豆朴蓋盖練练廉禹井祖漆巴豐丰支卿國国狄平計计索宣晉晋相初門门雲云
容敬來来扈晁芮都普闕阙浦戈伏鹿薄邸雍辜羊阿烏乌母裘亓修邰赫杭況况那宿鮮鲜印逯隆茹諸诸戰战慕危玉銀银亢嵇公哈湛賴赖温鐘呂巩詹
""".split()  # noqa: SIM905 (a word list reads best as words)
    )
)
_COMPOUND_SURNAMES = ("歐陽", "欧阳", "司馬", "司马", "上官", "諸葛", "诸葛", "東方", "东方", "皇甫", "尉遲", "尉迟", "公孫", "公孙",
                      "令狐", "慕容", "司徒", "夏侯", "長孫", "长孙", "宇文", "端木", "申屠", "澹臺", "澹台", "范姜", "張簡", "张简")
_NOT_PEOPLE = frozenset(
    "未知 佚名 匿名 網路 网络 網絡 互联网 本站 小編 小编 編輯部 编辑部 本報 本报 綜合 综合 整理 原創 原创 轉載 转载 admin 管理員 管理员 "
    "相關 相关 延伸 獨家 独家 特別 特别 深度 系列 追蹤 追踪 更多 最新 精彩".split()  # noqa: SIM905  (相關報導 is a heading)
)

_SLASH = "／/"
_ROLE = (
    r"(?:本報|本报|本刊|本台|本網|本网|駐\w{1,4}|驻\w{1,4})?"
    r"(?:實習|实习|見習|见习|特約|特约|資深|资深|首席|駐地|驻地|駐站|驻站|全媒體|全媒体|融媒體|融媒体)?"
    r"(?:記者|记者|特派員|特派员|通訊員|通讯员|撰稿人|撰稿|撰文|主筆|主笔|採訪|采访|專欄作家|专栏作家)"
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
    if not n or n.startswith(_GENERIC_PREFIXES) and n not in _OUTLET_SET:
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
    r"(?:實習生|实习生|通訊員|通讯员|攝影記者|摄影记者|攝影|摄影|實習記者|实习记者|見習記者|见习记者|記者|记者)"
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


_ACCOUNT_ID = re.compile(r"[（(]\s*(?:ID|微信号|微信號)\s*[:：]\s*[\w.-]+\s*[)）]")
_ROLE_BAR = re.compile(r"(記者|记者|编辑|編輯|文|文字|撰文|作者|攝影|摄影|来源|來源)(?:[ \t\u3000]*｜[ \t\u3000]*|[ \t\u3000]+\|[ \t\u3000]+)")


def parse_credits(text: str) -> Credits:
    """Credits in one short line or a paragraph's dateline: authors, outlet, editors, place."""
    if not text or not text.strip():
        return Credits()
    # Apple Daily's box-drawing slash (`【X╱台北報導】`) and Mirror Media's bar after a role (`文｜X`).
    if "╱" in text:
        text = text.replace("╱", "／")
    if "|" in text or "｜" in text:
        text = _ROLE_BAR.sub(lambda m: m.group(1) + ("：" if m.group(1) in ("来源", "來源") else "／"), text)
    authors: list[str] = []
    editors: list[str] = []
    source: str | None = None
    place: str | None = None
    photo = False
    consumed = text
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
                take(m)
                photo = True
        for m in _SOURCE_LABEL.finditer(work):
            if m.group("source").strip() not in _GENERIC_SOURCES:
                source = source or m.group("source").strip()
            take(m)
        for m in _AGENCY_DATELINE.finditer(work):
            source = source or m.group("agency")
            p = m.group("place").strip()
            reporter = re.match(_ROLE + r"\s*(?P<rest>.*)$", p)
            if reporter:
                rest = reporter.group("rest")
                name = _clean_name(rest, dateline=True)
                if name:
                    authors.append(name)
                    p = rest[len(name) :]
            place = place or (p.strip() or None)
            if m.group("names"):
                authors.extend(_split_names(m.group("names")))
            take(m)
        for m in _BBC.finditer(work):
            authors.extend(_split_names(m.group("names")))
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
            more = _MORE_NAMES.match(work, end) if not re.search(_ROLE, run) else None
            if more:
                run, end = run + more.group(), more.end()
                if is_outlet(m.group("names")):
                    source = source or m.group("names")  # `文／财新 宋佳琪`: the outlet, then the writers
            names = _split_names(run)
            if names or m.group("names").strip() in _NOT_PEOPLE or _clean_name(m.group("names")) is None \
                    and not re.search(_ROLE, m.group("names")):
                authors.extend(names)
                work = _blank(work, m.start(), end)
        for m in _REPORTER.finditer(work):
            dateline = bool(re.match(r"(?:\d{1,2}月)?\d{1,2}日", work[m.end("names") :]))
            names = _split_names(m.group("names"), dateline=dateline)
            if not names:
                continue
            if re.match(r"\s*[摄攝](?!影)", work[m.end("names") :]) or m.group("names").rstrip().endswith((" 摄", " 攝")):
                take(m)  # `中新社记者 X 摄`: the photographer of a picture, not an author of the text
                continue
            authors.extend(names)
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
                authors.extend(names)
                work = _blank(work, closing.start(), closing.end())
        for m in _BY.finditer(work):
            authors.extend(_split_names(m.group("names")))
            take(m)
        titled = _NAME_THEN_ROLE.fullmatch(work.strip()) if not authors and len(work) <= 40 else None
        if titled:  # `韩嘉怡 中国特派员` (Zaobao): the name, then the title of the post
            names = _split_names(titled.group("names"))
            if names:
                authors.extend(names)
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
                authors.extend(names)
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
    return Credits(
        authors=tuple(authors),
        source=source,
        editors=tuple(dict.fromkeys(editors)),
        place=place,
        is_byline_only=found and not leftover,
    )


def find_credits(lines: list[str]) -> Credits:
    """Credits merged over several lines (first/last paragraphs, short lines around the title)."""
    authors: list[str] = []
    editors: list[str] = []
    source: str | None = None
    place: str | None = None
    for line in lines:
        c = parse_credits(line)
        authors.extend(c.authors)
        editors.extend(c.editors)
        source = source or c.source
        place = place or c.place
    editors = list(dict.fromkeys(editors))
    authors = [a for a in dict.fromkeys(authors) if a not in editors]
    return Credits(authors=tuple(authors), source=source, editors=tuple(editors), place=place)
