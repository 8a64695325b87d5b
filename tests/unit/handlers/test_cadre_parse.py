"""Cadre commands as they are really typed and spoken (handlers/cadre.py)."""
import pytest

from handlers.cadre import CadreCommand, looks_like_command, parse


@pytest.mark.parametrize("text,expected", [
    ("签收2号", CadreCommand("accept", "2")),
    ("签收 #5", CadreCommand("accept", "5")),
    ("签收 ５", CadreCommand("accept", "5")),              # full-width digit
    ("签收 ＃５号。", CadreCommand("accept", "5")),
    ("签收12。", CadreCommand("accept", "12")),            # voice adds 。
    ("我的任务。", CadreCommand("tasks")),
    ("进展 2", CadreCommand("progress", "2")),             # no text: the service asks for it
    ("进展 12", CadreCommand("progress", "12")),           # not request 1 with text "2"
    ("进展 000012", CadreCommand("progress", "000012")),
    ("进展 12 3户已通知", CadreCommand("progress", "12", "3户已通知")),
    ("办结 2号 已修好", CadreCommand("resolve", "2", "已修好")),
    ("办结 2号已修好", CadreCommand("resolve", "2", "已修好")),
    ("办结 12。", CadreCommand("resolve", "12")),            # punctuation is no result
    ("办结 12 ，。", CadreCommand("resolve", "12")),
    ("办结 GC-2026-000012：路灯修好了。", CadreCommand("resolve", "GC-2026-000012", "路灯修好了")),
    ("退回 5，这是产业队的事", CadreCommand("return", "5", "这是产业队的事")),
    ("绑定 123456。", CadreCommand("bind", text="123456")),
])
def test_loosely_typed_commands_parse_with_their_meaning(text, expected):
    assert parse(text) == expected


@pytest.mark.parametrize("text,started", [
    ("签收", "accept"), ("办结", "resolve"), ("办结 矛盾已经调解好了", "resolve"),
    ("办结 12已修好", "resolve"),        # no separator between number and text
    ("进展 0000012 好了", "progress"),   # seven digits are no number
    ("签收 5 6", "accept"), ("任务太多了", "tasks"),
])
def test_unreadable_commands_are_recognised_as_commands(text, started):
    assert parse(text) is None and looks_like_command(text) == started


def test_a_villager_sentence_is_no_command():
    assert parse("村口的路灯坏了") is None and looks_like_command("村口的路灯坏了") is None
