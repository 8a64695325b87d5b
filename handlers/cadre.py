"""Commands cadres send from the chat. Parsing only: the service checks permissions and
finds the request (the last digits of a number suffice when unambiguous).

Typed loosely and by voice: full-width characters are folded (NFKC: `签收 ５`) to read the
command word and the number, while the free text keeps the cadre's own characters; trailing
punctuation and whitespace are ignored (voice recognition adds "。"), the number may be
written `#5` or `5号`. Between the number and the text there must be a separator
(whitespace, punctuation or 号): `进展 12` is request 12 without text, never request 1
with text "2". A text of punctuation only counts as no text.

`parse` returns None for anything that is not a command; `looks_like_command` tells the
service that a message starts with a command word, so that a cadre's unparsed command
gets help instead of becoming a villager's request.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_SPACE = r"[\s:：,，、]*"
_SEP = r"(?:[\s:：,，、;；.。!！?？]+|(?<=号)|$)"  # after the number: a separator, 号, or the end
_NUMBER = r"#?\s*((?:[A-Za-z]{1,4}-)?(?:\d{4}-)?\d{1,6})(?!\d)\s*号?"
_TRAILING = re.compile(r"[\s。.!！?？,，、;；~～…]+$")
_HAS_WORDS = re.compile(r"[\w\u4e00-\u9fff]")

WORDS = {
    "accept": ("签收", "接单", "受理"),
    "progress": ("进度汇报", "进展", "汇报"),
    "resolve": ("已办结", "办结", "完成"),
    "return": ("退回", "退单"),
    "tasks": ("我的任务", "我的待办", "任务", "待办"),
}


def _alt(name: str) -> str:
    return "|".join(WORDS[name])


COMMANDS = {
    "accept": re.compile(rf"^(?:{_alt('accept')}){_SPACE}{_NUMBER}$"),
    "progress": re.compile(rf"^(?:{_alt('progress')}){_SPACE}{_NUMBER}{_SEP}(.*)$", re.S),
    "resolve": re.compile(rf"^(?:{_alt('resolve')}){_SPACE}{_NUMBER}{_SEP}(.*)$", re.S),
    "return": re.compile(rf"^(?:{_alt('return')}){_SPACE}{_NUMBER}{_SEP}(.*)$", re.S),
    "tasks": re.compile(rf"^(?:{_alt('tasks')})$"),
    "bind": re.compile(rf"^(?:绑定|綁定){_SPACE}(\d{{6}})$"),
    "unbind": re.compile(r"^(?:解绑|解除绑定)$"),
}


@dataclass(frozen=True)
class CadreCommand:
    name: str
    number: str | None = None
    text: str = ""


def normalize(text: str | None) -> str:
    """Full-width folded, trailing punctuation and whitespace removed."""
    return _TRAILING.sub("", unicodedata.normalize("NFKC", text or "").strip())


def clean_text(text: str | None) -> str:
    """A command's free text: stripped; punctuation alone is no text."""
    text = (text or "").strip().strip(":：,，、;；")
    text = _TRAILING.sub("", text).strip()
    return text if _HAS_WORDS.search(text) else ""


def _fold(text: str) -> tuple[str, list[int]]:
    """`text` folded character by character (NFKC), and for each folded character the index
    of the original character it came from: what the command word and number are matched
    on, mapped back to the cadre's own characters for the free text."""
    folded: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(text):
        part = unicodedata.normalize("NFKC", ch)
        folded.append(part)
        origin += [i] * len(part)
    return "".join(folded), origin


def parse(text: str | None) -> CadreCommand | None:
    """A cadre command in `text`, or None when it is not one. The command word and the number
    are read folded (NFKC); the free text is given back in the cadre's own characters (the
    villager reads it: “，” stays “，”)."""
    original = (text or "").strip()
    folded, origin = _fold(original)
    folded = _TRAILING.sub("", folded)
    if not folded:
        return None
    for name, rx in COMMANDS.items():
        m = rx.match(folded)
        if not m:
            continue
        if name in ("tasks", "unbind"):
            return CadreCommand(name)
        if name == "bind":
            return CadreCommand(name, text=m.group(1))
        rest = ""
        if m.lastindex and m.lastindex >= 2 and m.group(2):
            rest = clean_text(original[origin[m.start(2)]:])
        return CadreCommand(name, number=m.group(1).upper(), text=rest)
    return None


def looks_like_command(text: str | None) -> str | None:
    """The command a message starts with (accept, progress, …), parsed or not; None when
    it starts with no command word."""
    text = normalize(text)
    for name in ("progress", "resolve", "accept", "return", "tasks"):
        if text.startswith(WORDS[name]):
            return name
    return None


CADRE_COMMANDS = {"accept", "progress", "resolve", "return", "tasks", "unbind"}
