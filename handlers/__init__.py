"""Message handlers: pure functions of (Incoming, Context) → Outcome. No Flask, no database.

Message kinds and events register themselves; anything unknown gets a polite reply.
"""
from __future__ import annotations

from typing import Callable

from handlers import texts
from handlers.types import Context, Incoming, Outcome

_KINDS: dict[str, Callable[[Incoming, Context], Outcome]] = {}
_EVENTS: dict[str, Callable[[Incoming, Context], Outcome]] = {}


def on_kind(*kinds: str):
    def deco(fn):
        for k in kinds:
            _KINDS[k] = fn
        return fn

    return deco


def on_event(*events: str):
    def deco(fn):
        for e in events:
            _EVENTS[e] = fn
        return fn

    return deco


def handle(msg: Incoming, ctx: Context) -> Outcome:
    if msg.kind == "event":
        fn = _EVENTS.get((msg.event or "").lower())
        return fn(msg, ctx) if fn else Outcome("")
    fn = _KINDS.get(msg.kind)
    if fn is None:
        return Outcome(texts.UNSUPPORTED)
    return fn(msg, ctx)


# register the handlers
from handlers import events, villager  # noqa: E402,F401
