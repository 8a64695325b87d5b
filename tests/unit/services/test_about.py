"""How messages to villagers name a request: the number and a few words of the problem
(bot/services/notify.py summary/about/template_remark)."""
from types import SimpleNamespace

import pytest

from bot.services import notify


@pytest.mark.parametrize("text,expected", [
    ("路灯坏了", "路灯坏了"),
    ("路灯坏了。", "路灯坏了"),                                   # short: no "…", no trailing punctuation
    ("村口的路灯坏了好几盏晚上黑得很", "村口的路灯坏了好几盏晚上…"),  # 12 characters, then "…"
    ("路灯坏了好几盏，晚上黑得很厉害啊", "路灯坏了好几盏…"),          # cut at the clause end
    ("路灯，坏了好几盏晚上黑得很厉害啊", "路灯，坏了好几盏晚上黑得…"),  # a clause end too early is not used
    ("村口路灯坏了好几盏了，晚上黑", "村口路灯坏了好几盏了…"),       # never "，…"
    ("  村口的\n路灯   坏了好几盏晚上黑得很  ", "村口的 路灯 坏了好几盏…"),  # one line
    ("电线杆在3.5米高的地方坏了一盏", "电线杆在3.5米高的地方…"),    # "." is not a clause end
    ("the street lamp is broken again", "the street…"),
    ("ཆུ་མེད་འདུག་ང་ཚོའི་སྡེ་བར་ཆུ་ཡོང", "ཆུ་མེད་འདུག…"),           # whole Tibetan syllables
    ("", ""),
])
def test_summary_is_a_few_words_cut_cleanly(text, expected):
    assert notify.summary(text) == expected


def test_summary_never_separates_a_combining_sign_from_its_letter():
    text = "ab" * 5 + "e\u0301" + "xyz" * 4  # é as e + combining acute at the cut
    words = notify.summary(text, 11)
    assert words.endswith("…") and not words[:-1].endswith("e")


def test_about_names_number_and_problem():
    req = SimpleNamespace(number="GC-2026-000123", text="路灯不亮了好几天了晚上看不见路")
    assert notify.about(req) == "GC-2026-000123（路灯不亮了好几天了晚上看…）"
    assert notify.about(SimpleNamespace(number="GC-2026-000124", text="")) == "GC-2026-000124"
    braces = SimpleNamespace(number="GC-2026-000125", text="{number}路灯")
    assert notify.about(braces) == "GC-2026-000125（{number}路灯）"  # the villager's words are not a template


def test_the_template_remark_names_the_problem_before_the_news():
    req = SimpleNamespace(number="GC-2026-000123", text="村口的路灯坏了好几盏晚上黑得很")
    remark = notify.template_remark(req, "已联系电工明天来修")
    assert remark.startswith("村口的路灯坏…：") and remark.endswith("已联系电工明天来修")
    assert len(notify.clip("thing3", remark)) <= 20
