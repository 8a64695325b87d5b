"""Chat commands of the micro-wish board (微心愿), and the villager's confirmation. Parsing
only, like handlers/cadre.py: the service finds the wish and checks who may act."""
from __future__ import annotations

import re
from dataclasses import dataclass

_SPACE = r"[\s:：,，、]*"
_NUMBER = r"((?:[A-Za-z]{1,4}-)?(?:\d{4}-)?\d{1,6})"
COMMANDS = {
    # order matters: 放弃认领 before 认领
    "withdraw": re.compile(rf"^(?:放弃认领|取消认领|撤回认领){_SPACE}{_NUMBER}\s*$"),
    "claim": re.compile(rf"^(?:认领|认领心愿|认领微心愿){_SPACE}{_NUMBER}\s*$"),
    "fulfil": re.compile(rf"^(?:完成心愿|心愿完成|完成微心愿|实现心愿){_SPACE}{_NUMBER}{_SPACE}(.*)$", re.S),
}
CONFIRM = re.compile(r"^\s*(?:已经收到|已收到|收到了|收到|确认收到|确认)[了啦!！。.\s]*$")
THANKS = re.compile(r"^\s*(?:感谢|谢谢|多谢|非常感谢)")
CONFIRM_START = re.compile(r"^\s*(?:已经收到|已收到|收到了|收到|确认收到)")


@dataclass(frozen=True)
class WishCommand:
    name: str  # claim | withdraw | fulfil
    number: str
    text: str = ""


def parse(text: str | None) -> WishCommand | None:
    """A wish command in `text`, or None when it is not one."""
    if not text:
        return None
    text = text.strip()
    for name, rx in COMMANDS.items():
        m = rx.match(text)
        if m:
            rest = m.group(2).strip() if m.lastindex and m.lastindex >= 2 else ""
            return WishCommand(name, m.group(1).upper(), rest)
    return None


def confirmation(text: str | None) -> tuple[bool, str] | None:
    """A villager's answer to "did the wish arrive?": (confirmed, thanks text) or None.
    "收到" confirms; "感谢……" / "谢谢……" confirms and the whole message is the thanks."""
    if not text:
        return None
    if CONFIRM.match(text):
        return True, ""
    if THANKS.match(text):
        return True, text.strip()[:500]
    if CONFIRM_START.match(text):  # 收到了，谢谢多杰，饭锅很好用: confirmed, and the thanks
        from handlers.acts import is_thanks

        if is_thanks(text):
            return True, text.strip()[:500]
    return None
