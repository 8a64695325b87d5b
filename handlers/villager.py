"""A villager's text, voice, photo, location and link messages."""
from __future__ import annotations

import math
import re
import unicodedata

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
HELP_WORDS = {"帮助", "help", "怎么用", "使用方法"}

# A request number as villagers quote it (GC-2026-000123, gc-2026-123, 2026-000123, GC2026000123)
_DASH = r"\s*[-_\u2010-\u2015]?\s*"
REF_FULL = re.compile(rf"(?<![A-Za-z])([A-Za-z]{{2,4}}){_DASH}(20\d{{2}}){_DASH}(\d{{1,6}})(?!\d)")
REF_YEAR = re.compile(r"(?<![\dA-Za-z])(20\d{2})\s*[-_\u2010-\u2015]\s*(\d{1,6})(?!\d)")
# a serial alone counts only with all six digits (000123): "1" or "12" is a list position,
# a rating or chatter, never a request number
REF_SERIAL = re.compile(r"(?<![\dA-Za-z])(\d{6})(?!\d)")
_OWN_NUMBER = re.compile(r"([A-Za-z]+)-(\d{4})-(\d+)")


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


RATING_SHORT_CHARS = 10   # a reply this short without a cue is asked again, not filed
RATING_POSITIVE_CHARS = 40  # a longer satisfied-sounding text may hold a new problem: handled as new
RATING_NEGATIVE_CHARS = 80  # an unhappy text this long still answers the 回访 (reopens, with the comment)
_RATING_STRIP = re.compile(r"[\s。.!！?？,，、~～…分星]+$")


def pending_ratings(state: dict | None) -> list[str]:
    """The requests whose 回访 awaits an answer, oldest first (older states hold one number)."""
    value = (state or {}).get("rating_for")
    if not value:
        return []
    return [value] if isinstance(value, str) else list(value)


def rating_cue(text: str) -> bool | None:
    """True: satisfied, False: not satisfied, None: no clear cue. Negative cues win."""
    t = _RATING_STRIP.sub("", unicodedata.normalize("NFKC", text).strip())
    if t in texts.RATING_WORDS_BAD or any(cue in t for cue in texts.RATING_CUES_BAD):
        return False
    if t in texts.RATING_WORDS_GOOD or any(cue in t for cue in texts.RATING_CUES_GOOD):
        return True
    return None


def _answer_rating(text: str, ctx: Context) -> Outcome | None:
    """After the 回访 question: 1-5, or a short text with a clear cue (解决了, 还没修好 …), which
    is kept as the villager's comment. The answer is for the oldest open 回访. A short text
    without a cue that would otherwise become a request gets the question again; a long one
    is a new message. After the answer, another answer changes nothing."""
    state = ctx.state or {}
    pending = pending_ratings(state)
    t = _RATING_STRIP.sub("", unicodedata.normalize("NFKC", text).strip())
    if not pending:
        rated = state.get("rated")
        if rated and t and (re.fullmatch(r"[1-5]", t) or (len(t) <= 20 and rating_cue(t) is not None)):
            return Outcome(texts.V_ALREADY_RATED.format(number=rated))
        return None
    number = pending[0]
    if re.fullmatch(r"[1-5]", t):
        return Outcome("{result}", [Rate(number, int(t), None)])
    cue = rating_cue(t)
    if cue is not None and len(t) <= (RATING_NEGATIVE_CHARS if cue is False else RATING_POSITIVE_CHARS):
        words = t in texts.RATING_WORDS_BAD or t in texts.RATING_WORDS_GOOD
        return Outcome("{result}", [Rate(number, None, cue, "" if words else text.strip()[:500])])
    if cue is None and 0 < len(t) <= RATING_SHORT_CHARS and _would_file(t, ctx):
        return Outcome(texts.V_SURVEY_AGAIN.format(number=number))
    return None


def _would_file(text: str, ctx: Context) -> bool:
    """Whether the usual dialog would make a request of this text (not a query, chatter, FAQ …)."""
    if WISH_PREFIX.match(text) or text.lower() in HELP_WORDS or CANCEL.match(text):
        return False
    if ctx.faq is not None and ctx.faq(text) is not None:
        return False
    return ctx.classify(text).intent in ("problem", "wish", "non_chinese")


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
    rating = _answer_rating(text, ctx)  # 回访 answers are often spoken
    if rating is not None:
        return rating
    return _text_like(text, "voice", msg, ctx)


def _text_like(text: str, source: str, msg: Incoming, ctx: Context) -> Outcome:
    wish = WISH_PREFIX.match(text)
    if wish:
        body = text[wish.end():].strip()
        if not body:
            return Outcome(texts.MENU_WISH)
        return Outcome(texts.WISH_CREATED, [CreateWish(body, source, ctx.classify(body))] + _pending_attach_actions(ctx))
    if text.strip().lower() in HELP_WORDS:
        return Outcome(texts.HELP)

    if ctx.faq is not None:
        hit = ctx.faq(text)  # 简单问题立刻答复: a policy question is answered at once
        if hit is not None:
            return Outcome(hit.answer + "\n" + texts.FAQ_FOOTER)
    c = ctx.classify(text)
    intent = c.intent
    if intent == "empty":
        return Outcome(texts.EMPTY)
    if intent == "query":
        return query(text, ctx)
    if intent == "chatter":
        return _chatter(text, ctx)
    if intent == "greeting":
        return Outcome(texts.GREETING)
    if intent == "thanks":
        return Outcome(texts.THANKS)
    if intent == "cancel":
        example = ctx.open_requests[0].number if ctx.open_requests else "GC-2026-000001"
        return Outcome(texts.CANCEL_HOW.format(example=example))
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
                                                 summary=_literal(r.summary)))
    if len(ctx.open_requests) > 8:
        lines.append(f"……共 {len(ctx.open_requests)} 件")
    return Outcome("\n".join(lines))


def _literal(text: str) -> str:
    """The villager's own words inside a reply (replies are format templates: {number} …)."""
    return text.replace("{", "{{").replace("}", "}}")


def query(text: str, ctx: Context) -> Outcome:
    """查询 and its variants: the request the message names, else all open ones.

    A number that is not one of the villager's open requests is "not found" when it is
    unmistakably a request number (with its prefix, or the whole message); other digits
    in a question (2023-2024年的补贴进度, an ID's last six digits) just get the list.
    Nothing is said about anyone else's request, not even whether it exists."""
    ref = request_ref(text)
    if ref is None:
        return list_open(ctx)
    own = _own_request(ref, ctx) or _own_any(ref, ctx)
    if own is not None:
        return _status(own)
    if ref[0] is not None or request_ref(text, alone=True) is not None:
        return Outcome(texts.QUERY_NOT_FOUND.format(number=ref[3]))
    return list_open(ctx)


def _chatter(text: str, ctx: Context) -> Outcome:
    """A short message with no problem in it: how this works, no request. A bare six-digit
    serial of one of the villager's own requests shows that request."""
    ref = request_ref(text, alone=True)
    own = (_own_request(ref, ctx) or _own_any(ref, ctx)) if ref is not None else None
    if own is not None:
        return _status(own)
    if (ctx.state or {}).get("step") == "which_request":  # an answer that is not on the list
        what = texts.WHAT.get((ctx.state.get("attachment") or {}).get("kind"), "消息")
        return Outcome(texts.ASK_WHICH_AGAIN.format(count=len(ctx.state.get("options", [])), what=what))
    return Outcome(texts.SHORT_HELP)


def _status(r: OpenRequest) -> Outcome:
    return Outcome(texts.REQUEST_STATUS.format(number=r.number, team=r.team_name, status=r.status_label,
                                               summary=_literal(r.summary), created=r.created))


def request_ref(text: str, alone: bool = False) -> tuple[str | None, str | None, int, str] | None:
    """The request number a message quotes: (prefix, year, serial, as shown) or None.

    GC-2026-000123 / gc-2026-123 / GC2026000123 (prefix, year, serial), 2026-000123 (year,
    serial) or 000123 (all six digits of the serial). ``alone``: only when the message is
    nothing but the number.
    """
    t = unicodedata.normalize("NFKC", text or "")
    if alone:
        t = t.strip().rstrip("。.!！?？")
    for pattern in (REF_FULL, REF_YEAR, REF_SERIAL):
        m = pattern.fullmatch(t) if alone else pattern.search(t)
        if m is None:
            continue
        if pattern is REF_FULL:
            prefix, year, serial = m.group(1).upper(), m.group(2), int(m.group(3))
            return prefix, year, serial, f"{prefix}-{year}-{serial:06d}"
        if pattern is REF_YEAR:
            year, serial = m.group(1), int(m.group(2))
            return None, year, serial, f"{year}-{serial:06d}"
        return None, None, int(m.group(1)), m.group(1)
    return None


def _own_any(ref: tuple, ctx: Context) -> OpenRequest | None:
    """The villager's own request with that number that is no longer open (已办结, 已销号 …)."""
    if ctx.find_request is None:
        return None
    prefix, year, serial, _ = ref
    return ctx.find_request(prefix, year, serial)


def _own_request(ref: tuple, ctx: Context) -> OpenRequest | None:
    """The villager's open request with that number (prefix and year when given)."""
    prefix, year, serial, _ = ref
    hits = []
    for r in ctx.open_requests:
        m = _OWN_NUMBER.fullmatch(r.number)
        if m is None or int(m.group(3)) != serial:
            continue
        if (prefix is None or m.group(1).upper() == prefix) and (year is None or m.group(2) == year):
            hits.append(r)
    return hits[0] if len(hits) == 1 else None


# ---- photos, locations, links --------------------------------------------------------
@on_kind("image", "location", "link")
def on_attachment(msg: Incoming, ctx: Context) -> Outcome:
    missing = _missing_content(msg)
    if missing is not None:  # nothing to keep: the dialog state stays as it was
        return Outcome(missing)
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


def _missing_content(msg: Incoming) -> str | None:
    """The reply when a photo has no MediaId or a location no usable coordinates."""
    if msg.kind == "image" and not (msg.media_id or "").strip():
        return texts.NO_IMAGE
    if msg.kind == "location":
        lat, lng = msg.latitude, msg.longitude
        if (lat is None or lng is None or not (math.isfinite(lat) and math.isfinite(lng))
                or not (-90 <= lat <= 90 and -180 <= lng <= 180) or (lat == 0 and lng == 0)):
            return texts.NO_LOCATION
    return None


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


__all__ = ["OpenRequest", "summarize", "list_open", "query", "request_ref"]
