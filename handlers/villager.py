"""A villager's text, voice, photo, location and link messages."""
from __future__ import annotations

import re

from handlers import on_kind, texts
from handlers.types import (
    Attach,
    Cancel,
    Rate,
    Context,
    CreateRequest,
    CreateWish,
    Incoming,
    OpenRequest,
    Outcome,
    SetState,
    SetVillage,
)

WISH_PREFIX = re.compile(r"^\s*(微心愿|心愿|小心愿)\s*[:：，,、\s]\s*")
NUMBER_TAIL = re.compile(r"(\d{1,6})\s*$")
ATTACH_RECENT_MINUTES = 120


def example_village(ctx: Context) -> str:
    return ctx.village_names[0] if ctx.village_names else "某某村"


# ---- first contact: which village? ------------------------------------------------
def ask_village(msg: Incoming, ctx: Context, pending: dict | None) -> Outcome:
    """Ask which village; keep the message that came first so it is not lost."""
    state = {"step": "ask_village"}
    if pending:
        state["pending"] = pending
    return Outcome(texts.ASK_VILLAGE.format(example=example_village(ctx)), [SetState(state)])


def village_dialog(msg: Incoming, ctx: Context) -> Outcome | None:
    """Handle the village question while the villager has none. None: not in this dialog."""
    state = ctx.state or {}
    step = state.get("step")
    answer = (msg.text or "").strip() if msg.kind in ("text", "voice") else ""
    pending = state.get("pending")

    if step == "confirm_village" and answer:
        if answer.rstrip("。.!！") in texts.YES:
            return _village_confirmed(state["candidate"], pending, ctx)
        if answer in texts.NO:
            return Outcome(texts.ASK_VILLAGE.format(example=example_village(ctx)),
                           [SetState({"step": "ask_village", **({"pending": pending} if pending else {})})])
    if step == "choose_village" and answer:
        options = state.get("options", [])
        m = re.fullmatch(r"\s*(\d{1,2})\s*", answer)
        if m and 1 <= int(m.group(1)) <= len(options):
            return _village_confirmed(options[int(m.group(1)) - 1], pending, ctx)

    if not answer:
        # a photo or location before we know the village: keep it, ask the village
        return ask_village(msg, ctx, pending or msg.to_pending())

    candidates = ctx.match_village(answer, ctx.village_names)
    if len(candidates) == 1:
        name = candidates[0]
        keep = pending
        if keep is None and len(answer) > len(name) + 4:
            keep = msg.to_pending()  # the first message was already the problem
        state = {"step": "confirm_village", "candidate": name}
        if keep:
            state["pending"] = keep
        return Outcome(texts.CONFIRM_VILLAGE.format(village=name), [SetState(state)])
    if len(candidates) > 1:
        options = candidates[:6]
        listing = "\n".join(f"{i}. {n}" for i, n in enumerate(options, 1))
        state = {"step": "choose_village", "options": options}
        if pending:
            state["pending"] = pending
        return Outcome(texts.CHOOSE_VILLAGE.format(options=listing), [SetState(state)])
    if step in ("ask_village", "confirm_village", "choose_village"):
        return Outcome(texts.ASK_VILLAGE_AGAIN.format(example=example_village(ctx)), [SetState(state)])
    return ask_village(msg, ctx, msg.to_pending())


def _village_confirmed(name: str, pending: dict | None, ctx: Context) -> Outcome:
    actions = [SetVillage(name), SetState({})]
    if not pending:
        return Outcome(texts.VILLAGE_SET_NEXT.format(village=name), actions)
    # the message that came first is handled now, as if it had just arrived
    ctx2 = Context(name, {}, ctx.open_requests, ctx.village_names, ctx.team_names, ctx.classify, ctx.match_village,
                   ctx.review_threshold, ctx.faq)
    first = Incoming.from_pending(pending)
    out = _KIND_HANDLERS[first.kind](first, ctx2)
    return Outcome(texts.VILLAGE_SET.format(village=name) + "\n" + out.reply, actions + out.actions)


# ---- text and voice ----------------------------------------------------------------
@on_kind("text")
def on_text(msg: Incoming, ctx: Context) -> Outcome:
    if ctx.village is None:
        return village_dialog(msg, ctx)
    text = (msg.text or "").strip()
    pending_out = _answer_pending_attachment(text, ctx)
    if pending_out is not None:
        return pending_out
    rating = _answer_rating(text, ctx)
    if rating is not None:
        return rating
    m = CANCEL.match(text)
    if m:
        return Outcome("{result}", [Cancel(m.group(1) or "")])
    return _text_like(text, "text", msg, ctx)


CANCEL = re.compile(r"^\s*(?:撤销|撤回|取消)\s*[:：]?\s*((?:[A-Za-z]{1,4}-)?(?:\d{4}-)?\d{1,6})\s*$")


def _answer_rating(text: str, ctx: Context) -> Outcome | None:
    """After the 回访 question: 1-5, 满意 or 不满意."""
    number = (ctx.state or {}).get("rating_for")
    if not number:
        return None
    t = text.strip().rstrip("。.!！分星")
    if re.fullmatch(r"[1-5]", t):
        return Outcome("{result}", [Rate(number, int(t), None)])
    if t in texts.RATING_WORDS_BAD:
        return Outcome("{result}", [Rate(number, None, False)])
    if t in texts.RATING_WORDS_GOOD:
        return Outcome("{result}", [Rate(number, None, True)])
    return None


@on_kind("voice")
def on_voice(msg: Incoming, ctx: Context) -> Outcome:
    if ctx.village is None:
        if msg.text and msg.text.strip():
            return village_dialog(msg, ctx)
        return ask_village(msg, ctx, msg.to_pending())
    text = (msg.text or "").strip()
    if not text:
        # no recognition: keep the voice, a person listens to it
        return Outcome(texts.CREATED_VOICE_REVIEW,
                       [CreateRequest("[语音留言，待人工听取]", "voice", None, "voice_unrecognised", msg.media_id)]
                       + _pending_attach_actions(ctx))
    return _text_like(text, "voice", msg, ctx)


def _text_like(text: str, source: str, msg: Incoming, ctx: Context) -> Outcome:
    wish = WISH_PREFIX.match(text)
    if wish:
        body = text[wish.end():].strip()
        if not body:
            return Outcome(texts.MENU_WISH)
        return Outcome(texts.WISH_CREATED, [CreateWish(body, source, ctx.classify(body))] + _pending_attach_actions(ctx))

    if ctx.faq is not None:
        hit = ctx.faq(text)  # 简单问题立刻答复: a policy question is answered at once
        if hit is not None:
            return Outcome(hit.answer + "\n" + texts.FAQ_FOOTER)
    c = ctx.classify(text)
    intent = c.intent
    if intent == "empty":
        return Outcome(texts.EMPTY)
    if intent == "query":
        return list_open(ctx)
    if intent == "greeting":
        return Outcome(texts.GREETING)
    if intent == "thanks":
        return Outcome(texts.THANKS)
    if intent == "cancel":
        example = ctx.open_requests[0].number if ctx.open_requests else "GC-2026-000001"
        return Outcome(texts.CANCEL_HOW.format(example=example))
    if text in ("帮助", "help", "怎么用", "使用方法"):
        return Outcome(texts.HELP)
    extra = _pending_attach_actions(ctx)
    if intent == "non_chinese":
        return Outcome(texts.CREATED_NON_CHINESE, [CreateRequest(text, source, c, "non_chinese", msg.media_id)] + extra)
    if intent == "wish" or c.label == "wish":
        return Outcome(texts.WISH_CREATED, [CreateWish(text, source, c)] + extra)
    reason = None
    if c.label is None or c.confidence < ctx.review_threshold:
        reason = "low_confidence"
    if c.priority == "urgent":
        reply = texts.CREATED_URGENT
    elif reason:
        reply = texts.CREATED_REVIEW
    else:
        reply = texts.CREATED
    return Outcome(reply, [CreateRequest(text, source, c, reason, msg.media_id)] + extra)


def list_open(ctx: Context) -> Outcome:
    if not ctx.open_requests:
        return Outcome(texts.NO_OPEN)
    lines = [texts.OPEN_LIST_HEAD]
    for i, r in enumerate(ctx.open_requests[:8], 1):
        lines.append(texts.OPEN_LIST_ITEM.format(i=i, number=r.number, team=r.team_name, status=r.status_label,
                                                 summary=r.summary))
    if len(ctx.open_requests) > 8:
        lines.append(f"……共 {len(ctx.open_requests)} 件")
    return Outcome("\n".join(lines))


# ---- photos, locations, links --------------------------------------------------------
@on_kind("image", "location", "link")
def on_attachment(msg: Incoming, ctx: Context) -> Outcome:
    if ctx.village is None:
        return village_dialog(msg, ctx)
    what = texts.WHAT[msg.kind]
    opens = ctx.open_requests
    if opens and (len(opens) == 1 or opens[0].age_minutes <= ATTACH_RECENT_MINUTES):
        return Outcome(_attached_text(msg.kind, opens[0].number), [_attach_action(msg, opens[0].number)])
    if opens:
        options = opens[:5]
        listing = "\n".join(f"{i}. {r.number}｜{r.summary}" for i, r in enumerate(options, 1))
        state = {"step": "which_request", "attachment": msg.to_pending(), "options": [r.number for r in options]}
        return Outcome(texts.ASK_WHICH.format(what=what, options=listing), [SetState(state)])
    # nothing open: keep it until the villager says what the problem is
    kept = list((ctx.state or {}).get("attachments", []))[-4:] + [msg.to_pending()]
    return Outcome(texts.KEEP_UNTIL_TEXT.format(what=what), [SetState({"attachments": kept})])


def _attached_text(kind: str, number: str) -> str:
    return {"image": texts.ATTACHED_IMAGE, "location": texts.ATTACHED_LOCATION,
            "link": texts.ATTACHED_LINK}[kind].format(number=number)


def _attach_action(msg: Incoming, number: str | None) -> Attach:
    return Attach(msg.kind, number, media_id=msg.media_id, url=msg.pic_url or msg.url,
                  latitude=msg.latitude, longitude=msg.longitude, label=msg.label)


def _answer_pending_attachment(text: str, ctx: Context) -> Outcome | None:
    """The villager answers 'which request does this photo belong to?'."""
    state = ctx.state or {}
    if state.get("step") != "which_request":
        return None
    options = state.get("options", [])
    m = NUMBER_TAIL.search(text)
    number = None
    if m and len(text) <= 20:
        digits = m.group(1)
        if 1 <= len(digits) <= 1 and 1 <= int(digits) <= len(options):
            number = options[int(digits) - 1]
        else:
            hits = [n for n in options if n.endswith(digits.zfill(min(6, len(digits))))]
            if len(hits) == 1:
                number = hits[0]
    if number is None:
        return None  # not an answer: treat as a new message (the pending item is kept)
    pending = Incoming.from_pending(state["attachment"])
    return Outcome(_attached_text(pending.kind, number), [_attach_action(pending, number), SetState({})])


def _pending_attach_actions(ctx: Context) -> list:
    """Photos or locations sent before the problem was described join the new request."""
    state = ctx.state or {}
    items = list(state.get("attachments", []))
    if state.get("step") == "which_request" and state.get("attachment"):
        items.append(state["attachment"])
    if not items:
        return []
    return [_attach_action(Incoming.from_pending(p), None) for p in items] + [SetState({})]


_KIND_HANDLERS = {"text": on_text, "voice": on_voice, "image": on_attachment, "location": on_attachment,
                  "link": on_attachment}


def summarize(text: str, limit: int = 30) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


__all__ = ["OpenRequest", "summarize", "list_open"]
