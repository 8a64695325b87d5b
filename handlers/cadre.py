"""Commands cadres send from the chat. Parsing only: the service checks permissions and
finds the request (the last digits of a number suffice when unambiguous)."""
from __future__ import annotations

import re
from dataclasses import dataclass

_SPACE = r"[\s:：,，、]*"
_NUMBER = r"((?:[A-Za-z]{1,4}-)?(?:\d{4}-)?\d{1,6})"
COMMANDS = {
    "accept": re.compile(rf"^(?:签收|接单|受理){_SPACE}{_NUMBER}\s*$"),
    "progress": re.compile(rf"^(?:进展|进度汇报|汇报){_SPACE}{_NUMBER}{_SPACE}(.+)$", re.S),
    "resolve": re.compile(rf"^(?:办结|已办结|完成){_SPACE}{_NUMBER}{_SPACE}(.*)$", re.S),
    "return": re.compile(rf"^(?:退回|退单){_SPACE}{_NUMBER}{_SPACE}(.*)$", re.S),
    "tasks": re.compile(r"^(?:我的任务|任务|待办|我的待办)\s*$"),
    "bind": re.compile(r"^(?:绑定|綁定){_SPACE}(\d{6})\s*$".replace("{_SPACE}", _SPACE)),
    "unbind": re.compile(r"^(?:解绑|解除绑定)\s*$"),
}


@dataclass(frozen=True)
class CadreCommand:
    name: str
    number: str | None = None
    text: str = ""


def parse(text: str | None) -> CadreCommand | None:
    """A cadre command in `text`, or None when it is not one."""
    if not text:
        return None
    text = text.strip()
    for name, rx in COMMANDS.items():
        m = rx.match(text)
        if not m:
            continue
        if name in ("tasks", "unbind"):
            return CadreCommand(name)
        if name == "bind":
            return CadreCommand(name, text=m.group(1))
        rest = m.group(2).strip() if m.lastindex and m.lastindex >= 2 else ""
        return CadreCommand(name, number=m.group(1).upper(), text=rest)
    return None


CADRE_COMMANDS = {"accept", "progress", "resolve", "return", "tasks", "unbind"}
