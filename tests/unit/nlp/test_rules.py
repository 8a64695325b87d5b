"""Intent detection and village matching, without the classifier."""
from __future__ import annotations

import pytest

from nlp import detect_intent, match_village

VILLAGES = ["果洛藏贡麻村", "恩乃村", "日芒村", "秀脑贡麻村"]


@pytest.mark.parametrize("text,intent", [
    ("查询", "query"),
    ("查一下我的问题", "query"),
    ("我的问题怎么样了", "query"),
    ("我上次反映的路灯的事怎么样了", "query"),
    ("办得怎么样了", "query"),
    ("我的低保申请进度", "query"),
    ("查询 GC-2026-000123", "query"),
    ("你好", "greeting"),
    ("在吗", "greeting"),
    ("扎西德勒！", "greeting"),
    ("书记您好", "greeting"),
    ("谢谢", "thanks"),
    ("感谢你们！辛苦了", "thanks"),
    ("谢谢书记，问题解决了", "thanks"),
    ("取消", "cancel"),
    ("不用了", "cancel"),
    ("撤销我刚才的诉求", "cancel"),
    ("路灯已经修好了不用来了", "cancel"),
    ("", "empty"),
    ("。。。", "empty"),
    ("😀🙏", "empty"),
    ("ok thanks", "non_chinese"),
    ("བཀྲ་ཤིས་བདེ་ལེགས", "non_chinese"),
    ("微心愿：一个书包", "wish"),
    ("心愿 一床棉被", "wish"),
    ("路灯坏了", "problem"),
    ("你好，我们村的路灯坏了一个月了", "problem"),
    ("我家低保被取消了", "problem"),
    ("路灯坏了麻烦修一下谢谢", "problem"),
])
def test_detect_intent(text, intent):
    assert detect_intent(text) == intent


@pytest.mark.parametrize("text", ["a" * 2000, "查" * 2000, "🙏" * 2000, "\x00\ufffd", "谢谢" * 1000])
def test_detect_intent_never_raises(text):
    assert detect_intent(text) in {
        "problem", "wish", "query", "greeting", "thanks", "cancel", "empty", "non_chinese"
    }


@pytest.mark.parametrize("text,expected", [
    ("我是恩乃村的", ["恩乃村"]),
    ("恩乃这边路灯坏了", ["恩乃村"]),
    ("果洛藏的垃圾没人拉", ["果洛藏贡麻村"]),
    ("日芒", ["日芒村"]),
    ("我们秀脑贡麻村", ["秀脑贡麻村"]),
    ("沙柳河镇", []),
    ("", []),
    ("路灯坏了", []),
])
def test_match_village(text, expected):
    assert match_village(text, VILLAGES) == expected


def test_ambiguous_partial_name_returns_all_candidates():
    assert set(match_village("贡麻的草场", VILLAGES)) == {"果洛藏贡麻村", "秀脑贡麻村"}


def test_exact_name_wins_over_partial_overlap():
    assert match_village("秀脑贡麻村和果洛藏", VILLAGES) == ["秀脑贡麻村", "果洛藏贡麻村"]
    assert match_village("果洛藏贡麻村的", VILLAGES)[0] == "果洛藏贡麻村"


def test_match_village_handles_empty_names():
    assert match_village("恩乃村", []) == []
