"""The free text of a cadre's command reaches the villager as the cadre wrote it: the command
word and the number are read folded (NFKC), the text is not (handlers/cadre.py)."""
import pytest

from handlers.cadre import CadreCommand, parse


@pytest.mark.parametrize("text,expected", [
    ("进展 5 已联系电工，明天（周三）来修", CadreCommand("progress", "5", "已联系电工，明天（周三）来修")),
    ("进展 ５ 已联系电工，明天来修。", CadreCommand("progress", "5", "已联系电工，明天来修")),  # full-width number
    ("进展\u3000１２\u3000电工说：“零件到了就修”", CadreCommand("progress", "12", "电工说：“零件到了就修”")),
    ("办结 ＃１２号：路灯已修好，请放心～", CadreCommand("resolve", "12", "路灯已修好，请放心")),
    ("退回 12；这是产业队的事；请重新分派", CadreCommand("return", "12", "这是产业队的事；请重新分派")),
    ("进展 12 ３户已通知！", CadreCommand("progress", "12", "３户已通知")),  # the text's own digits stay as typed
    ("进展 ⑫ 好的，明天", CadreCommand("progress", "12", "好的，明天")),  # a circled number folds to 12
    ("进展 12 ㈠已联系；㈡已上报", CadreCommand("progress", "12", "㈠已联系；㈡已上报")),  # folds to several chars
])
def test_the_text_keeps_the_cadres_own_characters(text, expected):
    assert parse(text) == expected


@pytest.mark.parametrize("text", ["进展 12 ，。", "进展 １２ 。", "办结 12：：", "进展　１２　"])
def test_punctuation_alone_is_still_no_text(text):
    assert parse(text).text == ""


def test_the_number_and_command_word_are_still_read_folded():
    assert parse("签收 ＃５号。") == CadreCommand("accept", "5")
    assert parse("进展 ｇｃ-2026-000012 已到现场") == CadreCommand("progress", "GC-2026-000012", "已到现场")
    assert parse("绑定 １２３４５６") == CadreCommand("bind", text="123456")
