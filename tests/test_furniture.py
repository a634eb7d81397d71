"""What is furniture in an article's text (captions, credits, widget lines), and the gist without it."""

from __future__ import annotations

import pytest

from newsmirror.furniture import gist, is_furniture, without_furniture


@pytest.mark.parametrize("line", [
    "尖沙咀海旁的旅客。（本報記者攝）", "市民在景区游览。华示社记者刘洋摄", "图为俄罗斯总统普京资料图。华示社发",
    "资料图：朝鲜半岛地图。", "裕廊工业区的一家电子厂。（南洋示范早报档案照）", "▲颱風帶來強風豪雨。",
    "图像来源，Getty Images", "更新時間：2025-09-10 14:32", "3 分鐘前", "廣告", "閱讀 1,234",
    "【廣告】限時特價買一送一", "廣告：第3檔廣告",
])
def test_furniture_lines(line):
    assert is_furniture(line)


@pytest.mark.parametrize("line", [
    "【本報訊】記者吳家樂報道：旅遊發展局今日公布，8月訪港旅客約四百萬人次。",
    "华示社北京9月10日电（记者李娜）外交部发言人10日在例行记者会上表示，中方始终认为对话是唯一出路。",
    "（示範社記者王小明台北12日電）第八十屆聯合國大會一般性辯論將於本月下旬在紐約登場。",
    "图书馆今天宣布延长开放时间，方便考生复习，馆方表示这项安排会持续到年底，并视使用情况再作调整。",
    "廣告業界今天表示，景氣回溫。",
])
def test_the_articles_own_words_are_not_furniture(line):
    assert not is_furniture(line)


def test_gist_skips_furniture_and_joins_lines():
    text = "尖沙咀海旁的旅客。（本報記者攝）\n\n【本報訊】旅遊發展局今日公布數字。\n更新時間：2025-09-10 14:32\n\n第二段。"
    assert gist(text) == "【本報訊】旅遊發展局今日公布數字。第二段。"
    assert gist(text, 10) == "【本報訊】旅遊發展局…"
    assert without_furniture(text) == "【本報訊】旅遊發展局今日公布數字。\n\n第二段。"
    assert gist("") == "" and gist("（本報記者攝）") == ""
