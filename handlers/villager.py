"""A villager's text, voice, photo, location and link messages."""
from __future__ import annotations

import math
import re
import unicodedata

from handlers import acts, on_kind, texts, texts_bo
from handlers.types import (
    Answer,
    Attach,
    Cancel,
    Chase,
    Rate,
    Supplement,
    Thanks,
    Context,
    CreateRequest,
    CreateWish,
    Incoming,
    OpenRequest,
    Outcome,
    SetLanguage,
    SetState,
    SetVillage,
)
from nlp import tibetan

WISH_PREFIX_OVERRULE = 0.6  # a 心愿： prefix gives way to a team only when the model is this sure
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
    return Outcome(texts.ASK_VILLAGE.format(example=example_village(ctx)), [SetState(state)], act="village")


def village_dialog(msg: Incoming, ctx: Context) -> Outcome | None:
    """Handle the village question while the villager has none. None: not in this dialog."""
    state = ctx.state or {}
    step = state.get("step")
    answer = (msg.text or "").strip() if msg.kind in ("text", "voice") else ""
    pending = state.get("pending")

    if step == "confirm_village" and answer:
        if answer.rstrip("。.!！") in texts.YES or tibetan.intent(answer) == "yes":
            return _village_confirmed(state["candidate"], pending, ctx)
        if answer in texts.NO or tibetan.intent(answer) == "no":
            return Outcome(texts.ASK_VILLAGE.format(example=example_village(ctx)),
                           [SetState({"step": "ask_village", **({"pending": pending} if pending else {})})], act="village")
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
        return Outcome(texts.CONFIRM_VILLAGE.format(village=name), [SetState(state)], act="village")
    if len(candidates) > 1:
        options = candidates[:6]
        listing = "\n".join(f"{i}. {n}" for i, n in enumerate(options, 1))
        state = {"step": "choose_village", "options": options}
        if pending:
            state["pending"] = pending
        return Outcome(texts.CHOOSE_VILLAGE.format(options=listing), [SetState(state)], act="village")
    if step in ("ask_village", "confirm_village", "choose_village"):
        return Outcome(texts.ASK_VILLAGE_AGAIN.format(example=example_village(ctx)), [SetState(state)], act="village")
    return ask_village(msg, ctx, msg.to_pending())


def _village_confirmed(name: str, pending: dict | None, ctx: Context) -> Outcome:
    actions = [SetVillage(name), SetState({})]
    if not pending:
        return Outcome(texts.VILLAGE_SET_NEXT.format(village=name), actions, act="village")
    # the message that came first is handled now, as if it had just arrived
    ctx2 = Context(name, {}, ctx.open_requests, ctx.village_names, ctx.team_names, ctx.classify, ctx.match_village,
                   ctx.review_threshold, ctx.faq)
    first = Incoming.from_pending(pending)
    out = _KIND_HANDLERS[first.kind](first, ctx2)
    return Outcome(texts.VILLAGE_SET.format(village=name) + "\n" + out.reply, actions + out.actions, act=out.act or "village")


# ---- text and voice ----------------------------------------------------------------
def _village_dialog_in_language(msg: Incoming, ctx: Context) -> Outcome:
    """The village question, in Tibetan too when the villager writes Tibetan."""
    out = village_dialog(msg, ctx)
    if out is not None and (ctx.language == "bo" or tibetan.is_tibetan(msg.text or "")):
        extra = [SetLanguage("bo")] if ctx.language != "bo" else []
        out = localize(Outcome(out.reply, out.actions + extra, out.act), "bo")
    return out


@on_kind("text")
def on_text(msg: Incoming, ctx: Context) -> Outcome:
    if ctx.village is None:
        return _village_dialog_in_language(msg, ctx)
    text = (msg.text or "").strip()
    pending_out = _answer_pending_attachment(text, ctx)
    if pending_out is not None:
        return pending_out
    rating = _answer_rating(text, ctx)
    if rating is not None:
        return rating
    m = CANCEL.match(text)
    if m:
        return Outcome("{result}", [Cancel(m.group(1) or "")], act="cancel")
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
    if tibetan.is_tibetan(text):
        syls = tibetan.syllables(text)
        if len(syls) <= 8:
            for words, verdict in ((texts_bo.RATING_WORDS_BAD, False), (texts_bo.RATING_WORDS_GOOD, True)):
                if any(_has_syllables(text, tuple(w.split("\u0f0b"))) for w in words):
                    return verdict
        return None
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
            return Outcome(texts.V_ALREADY_RATED.format(number=rated), act="rating")
        return None
    number = pending[0]
    if re.fullmatch(r"[1-5]", t):
        return Outcome("{result}", [Rate(number, int(t), None)], act="rating")
    if len(t) <= RATING_POSITIVE_CHARS and any(t.startswith(w) for w in texts.RATING_CUES_SO_SO):
        return Outcome("{result}", [Rate(number, 3, None, text.strip()[:500])], act="rating")  # 一般吧 狗少了一点
    cue = rating_cue(t)
    if cue is not None and len(t) <= (RATING_NEGATIVE_CHARS if cue is False else RATING_POSITIVE_CHARS):
        words = t in texts.RATING_WORDS_BAD or t in texts.RATING_WORDS_GOOD
        return Outcome("{result}", [Rate(number, None, cue, "" if words else text.strip()[:500])], act="rating")
    if cue is None and 0 < len(t) <= RATING_SHORT_CHARS and _would_file(t, ctx):
        return Outcome(texts.V_SURVEY_AGAIN.format(number=number), act="rating")
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
            return _village_dialog_in_language(msg, ctx)
        return ask_village(msg, ctx, msg.to_pending())
    text = (msg.text or "").strip()
    if not text:
        # no recognition: keep the voice, a person listens to it
        return Outcome(texts.CREATED_VOICE_REVIEW,
                       [CreateRequest("[语音留言，待人工听取]", "voice", None, "voice_unrecognised", msg.media_id)]
                       + _pending_attach_actions(ctx), act="new")
    rating = _answer_rating(text, ctx)  # 回访 answers are often spoken
    if rating is not None:
        return rating
    return _text_like(text, "voice", msg, ctx)


def _text_like(text: str, source: str, msg: Incoming, ctx: Context) -> Outcome:
    """The dialog for a text or a voice transcript, in the villager's language."""
    choice = texts_bo.language_choice(text)
    if choice is not None:
        return _set_language(choice)
    if tibetan.is_tibetan(text) and not acts._HAN.search(text):
        out = _tibetan_text(text, source, msg, ctx)
        lang_actions = [SetLanguage("bo")] if ctx.language != "bo" else []
        return localize(Outcome(out.reply, out.actions + lang_actions, out.act), "bo")
    if tibetan.has_tibetan(text):
        out = _mixed_text(text, source, msg, ctx)
        return localize(out, ctx.language)
    return localize(_chinese_text(text, source, msg, ctx), ctx.language)


def _chinese_text(text: str, source: str, msg: Incoming, ctx: Context) -> Outcome:
    wish = WISH_PREFIX.match(text)
    if wish:
        body = text[wish.end():].strip()
        if not body:
            return Outcome(texts.MENU_WISH, act="wish")
        c = ctx.classify(body)
        if c.intent == "problem" and c.label not in (None, "wish") and c.confidence >= max(ctx.review_threshold,
                                                                                          WISH_PREFIX_OVERRULE):
            # 心愿：希望来讲讲医保政策 — a prefix on another team's matter (docs/labels.md rule 7)
            return Outcome(_created_reply(c, ctx), [_create(body, source, c, ctx, msg.media_id)]
                           + _pending_attach_actions(ctx), act="new")
        return Outcome(texts.WISH_CREATED, [CreateWish(body, source, c)] + _pending_attach_actions(ctx), act="wish")
    if text.strip().lower() in HELP_WORDS:
        return Outcome(texts.HELP, act="help")
    c = ctx.classify(text)
    intent = c.intent
    if intent == "problem" and acts.is_progress_question(text):
        intent = "query"  # 我那个桥的事办完了吗: how it stands, not a new problem

    asked = acts.pending_question(ctx)
    if asked is not None and intent not in ("query", "cancel", "chatter", "empty", "greeting") \
            and not acts.is_thanks(text):
        return _answer(text, asked, ctx)
    cancel = acts.cancel_target(text, ctx)  # 停电那个取消吧 电来了: before the thanks it sounds like
    if cancel is not None:
        return Outcome("{result}", [Cancel(cancel.number)], act="cancel")

    if ctx.faq is not None:
        hit = ctx.faq(text)  # 简单问题立刻答复: a policy question is answered at once
        if hit is not None:
            return Outcome(hit.answer + "\n" + texts.FAQ_FOOTER, act="question")
    if acts.is_thanks(text) and intent not in ("query", "cancel"):
        return _thanks(text, ctx)
    if intent == "empty":
        # 😂😂😂, 。。。: something was sent, nothing to register
        return Outcome(texts.EMPTY, act="chatter" if text.strip() else "empty")
    if acts.is_chatter(text) and not ctx.state.get("step") == "which_request":
        return _chatter(text, ctx)
    if acts.is_greeting(text):
        return Outcome(texts.GREETING, act="greeting")
    if intent in ("problem", "wish", "query"):
        act = acts.chase_or_vague(text, c, ctx)
        # a plain progress question (查, 到哪一步了, 什么时候能修好) lists; impatience is a chase
        if act is not None and (intent != "query" or (acts.is_impatient(text) and ctx.open_requests)):
            return _chase_or_ask(act, text, ctx)
    if intent == "query":
        return query(text, ctx)
    if intent == "chatter":
        return _chatter(text, ctx)
    if intent == "greeting":
        return Outcome(texts.GREETING, act="greeting")
    if intent == "thanks":
        return _thanks(text, ctx)
    if intent == "cancel":
        example = ctx.open_requests[0].number if ctx.open_requests else "GC-2026-000001"
        return Outcome(texts.CANCEL_HOW.format(example=example), act="cancel")
    if intent == "problem":
        act = acts.supplement(text, c, ctx, source)
        if act is not None:
            return _supplement(act, text, ctx)
    extra = _pending_attach_actions(ctx)
    if intent == "non_chinese":
        return Outcome(texts.CREATED_NON_CHINESE, [CreateRequest(text, source, c, "non_chinese", msg.media_id)] + extra,
                       act="new")
    if intent == "wish" or c.label == "wish":
        return Outcome(texts.WISH_CREATED, [CreateWish(text, source, c)] + extra, act="wish")
    parts = acts.split_problems(text, ctx.classify, ctx.review_threshold) if source in ("text", "voice") else ()
    if parts:
        return _several(parts, source, msg, ctx, extra)
    return Outcome(_created_reply(c, ctx), [_create(text, source, c, ctx, msg.media_id)] + extra, act="new")


# ---- Tibetan (docs/tibetan.md) --------------------------------------------------------------
_TIBETAN_RUN = re.compile(r"[\u0f00-\u0fff]+(?:[\s\u0f00-\u0fff]*[\u0f00-\u0fff])?")
# a Tibetan chase: still (ད་དུང), quickly (མྱུར་དུ), when (ག་དུས / ནམ), days already (ཉིན་…རིང)
_TIBETAN_THANKS = ("ཐུགས་རྗེ", "བཀའ་དྲིན")  # thank you (ཐུགས་རྗེ་ཆེ།, བཀའ་དྲིན་ཆེ།)
_TIBETAN_CHASE = (("ད", "དུང"), ("མྱུར", "དུ"), ("ག", "དུས"), ("ནམ",), ("ཉིན", "གསུམ"), ("ཉིན", "མང"), ("ཉིན", "ཤས"))
# syllables that say nothing about the matter (particles, "is", "there is", "my", "please" …)
_TIBETAN_STOP = frozenset("""ང ངའི ང་ཚོ ཚོ ཚོའི འི ཡི ཀྱི གྱི གི ཡིས ཀྱིས གྱིས གིས ལ ར དུ ནས ན ཡང འང དང ཡོད འདུག སོང
ཡིན རེད མི མ མེད གནང རོགས ཞུ བྱེད བྱས ཅིག ཞིག གཅིག པོ བོ པ བ ད རིང དུང ལགས སོ ཨེ གས""".split())


def _bo_words(text: str) -> set[str]:
    return {s for s in tibetan.syllables(text) if s not in _TIBETAN_STOP and tibetan.has_tibetan(s)}


def _tibetan_match(text: str, requests: list[OpenRequest]) -> OpenRequest | None:
    """The open request a Tibetan message is about: shared words, else the same topic."""
    mine = _bo_words(text)
    scored = [(len(mine & _bo_words(r.text)), r) for r in requests]
    best = max((n for n, _ in scored), default=0)
    if best >= 1:
        top = [r for n, r in scored if n == best]
        return top[0] if len(top) == 1 else None
    t = tibetan.topic(text)
    if t is not None:
        same = [r for r in requests if (tibetan.topic(r.text) or t).topic == t.topic and tibetan.topic(r.text)]
        if len(same) == 1:
            return same[0]
    return None


def _has_syllables(text: str, seq: tuple[str, ...]) -> bool:
    syls = tibetan.syllables(text)
    n = len(seq)
    return any(tuple(syls[i:i + n]) == seq for i in range(len(syls) - n + 1))


def _tibetan_text(text: str, source: str, msg: Incoming, ctx: Context, bo: str | None = None) -> Outcome:
    """A message in Tibetan script: the short replies understood, a chase or a supplement
    attached, a report registered for a person to review (the classifier reads only Chinese;
    the keyword topic goes with it at low confidence)."""
    asked = acts.pending_question(ctx)
    intent = tibetan.intent(bo if bo is not None else text)
    if asked is not None and intent not in ("query", "greeting", "thanks"):
        return _answer(text, asked, ctx)
    thanked = any(word in text for word in _TIBETAN_THANKS)
    if intent == "thanks" or (thanked and (intent == "yes" or (intent is None and tibetan.topic(text) is None
                                                              and len(tibetan.syllables(text)) <= 12))):
        return _thanks(text, ctx)  # ལགས་སོ། ཐུགས་རྗེ་ཆེ། / ཐུགས་རྗེ་ཆེ། ལས་ཀ་ཡག་པོ་བྱས་སོང་།
    if intent == "greeting":
        return Outcome(texts.GREETING, act="greeting")
    if intent == "query":
        return list_open(ctx)
    if intent == "help":
        return Outcome(texts.HELP, act="help")
    if intent in ("yes", "no"):
        return Outcome(texts.SHORT_HELP, act="chatter")
    opens = ctx.open_requests
    hit = _tibetan_match(text, opens) if opens else None
    if opens and any(_has_syllables(text, seq) for seq in _TIBETAN_CHASE):
        # still / quickly about the one open request, unless the message names a matter of its own
        target = hit or (opens[0] if len(opens) == 1 and tibetan.topic(text) is None else None)
        if target is not None:
            return Outcome("{result}", [Chase(target.number, text[:1000])], act="chase")
    if hit is not None and hit.age_minutes <= acts.SUPPLEMENT_RECENT_MINUTES:
        return _supplement(acts.Act("supplement", hit.number), text, ctx)
    return _tibetan_report(text, source, msg, ctx)


def tibetan_classification(text: str):
    """The keyword topic as a classification (label, confidence 0.20-0.40: always reviewed)."""
    from nlp.classifier import Classification

    t = tibetan.topic(text)
    priority = "urgent" if tibetan.is_urgent(text) else "normal"
    if t is None:
        return Classification(None, 0.0, None, 0.0, [], "tibetan-lexicon", "problem", priority)
    return Classification(t.label, t.confidence, None, 0.0, [f"藏文关键词：{t.topic}", *t.evidence],
                          "tibetan-lexicon", "problem", priority)


def _tibetan_report(text: str, source: str, msg: Incoming, ctx: Context) -> Outcome:
    c = tibetan_classification(text)
    reply = texts.CREATED_REVIEW
    if c.priority == "urgent":
        reply += "\n" + texts.CREATED_URGENT.split("\n")[-1]
    return Outcome(reply, [CreateRequest(text, source, c, "tibetan", msg.media_id)] + _pending_attach_actions(ctx),
                   act="new")


def _mixed_text(text: str, source: str, msg: Incoming, ctx: Context) -> Outcome:
    """Tibetan with Chinese (水管子 ཆག་སོང་། 家里没水; 扎西书记 ཐུགས་རྗེ་ཆེ།): the Chinese is
    understood as usual; Tibetan thanks or greetings around a few Chinese words are just that."""
    zh = _TIBETAN_RUN.sub(" ", text).strip()
    bo = " ".join(_TIBETAN_RUN.findall(text))
    bo_intent = tibetan.intent(bo)
    han = len(acts._HAN.findall(zh))
    if acts.pending_question(ctx) is None and bo_intent in ("thanks", "greeting") and han <= 6 \
            and not acts.states_own_problem(zh):
        out = _thanks(text, ctx) if bo_intent == "thanks" else Outcome(texts.GREETING, act="greeting")
    elif han < 4:  # a few Chinese words (a number, 三只) in a Tibetan message
        out = _tibetan_text(text, source, msg, ctx, bo=bo)
    else:
        out = _chinese_text(text, source, msg, ctx)
    if ctx.language != "bo" and tibetan.share(text) >= 0.3:
        out = Outcome(out.reply, out.actions + [SetLanguage("bo")], out.act)
        return localize(out, "bo")
    return out


def _set_language(lang: str) -> Outcome:
    if lang == "bo":
        reply = texts_bo.bilingual(texts_bo.LANGUAGE_SET, texts_bo.ZH["LANGUAGE_SET"])
    else:
        reply = texts_bo.LANGUAGE_SET_TO_ZH
    return Outcome(reply, [SetLanguage(lang)], act="language")


def _template_pattern(template: str) -> re.Pattern:
    import string

    parts, names = [], []
    for literal, field, _, _ in string.Formatter().parse(template):
        parts.append(re.escape(literal))
        if field is not None:
            if field in names:
                parts.append(f"(?P={field})")
            else:
                names.append(field)
                parts.append(f"(?P<{field}>.*?)")
    return re.compile("".join(parts), re.S)


# Chinese replies that have a Tibetan twin: (pattern of the Chinese template, Tibetan template)
_TWINS = [(_template_pattern(getattr(texts, name)), getattr(texts_bo, name), getattr(texts, name))
          for name in dir(texts_bo) if name.isupper() and isinstance(getattr(texts_bo, name), str)
          and isinstance(getattr(texts, name, None), str)]
_TWINS.sort(key=lambda t: -len(t[2]))  # the longest template first: CREATED_REVIEW before CREATED


def localize(out: Outcome, language: str) -> Outcome:
    """For a villager who reads Tibetan: the Tibetan twin above the Chinese reply (same
    placeholders, filled in after). Replies without a twin stay Chinese."""
    if language != "bo" or not out.reply or tibetan.has_tibetan(out.reply):
        return out
    for pattern, bo, zh in _TWINS:
        m = pattern.fullmatch(out.reply)
        if m is None:
            continue
        fields = {k: v for k, v in m.groupdict().items()}
        try:
            bo_text = bo.format(**{k: fields.get(k, "{" + k + "}") for k in _fields(bo)}) if fields else bo
        except (KeyError, IndexError, ValueError):
            break
        return Outcome(texts_bo.bilingual(bo_text, out.reply), out.actions, out.act)
    if out.reply.startswith(texts.OPEN_LIST_HEAD):
        return Outcome(texts_bo.OPEN_LIST_HEAD + "\n" + out.reply, out.actions, out.act)
    if out.act == "vague":
        return Outcome(texts_bo.bilingual(texts_bo.ASK_PROBLEM, out.reply), out.actions, out.act)
    return out


def _fields(template: str) -> set[str]:
    import string

    return {f for _, f, _, _ in string.Formatter().parse(template) if f}


def _create(text: str, source: str, c, ctx: Context, media_id: str | None = None):
    if c.label == "wish" or c.intent == "wish":
        return CreateWish(text, source, c)
    reason = "low_confidence" if c.label is None or c.confidence < ctx.review_threshold else None
    return CreateRequest(text, source, c, reason, media_id)


def _created_reply(c, ctx: Context) -> str:
    if c.label == "wish" or c.intent == "wish":
        return texts.WISH_CREATED
    if c.priority == "urgent":
        return texts.CREATED_URGENT
    if c.label is None or c.confidence < ctx.review_threshold:
        return texts.CREATED_REVIEW
    return texts.CREATED


def _several(parts, source: str, msg: Incoming, ctx: Context, extra: list) -> Outcome:
    """One request per problem; the reply names each number ({several}, filled in after)."""
    actions = [_create(text, source, c, ctx, msg.media_id if i == 0 else None) for i, (text, c) in enumerate(parts)]
    reply = texts.CREATED_SEVERAL.format(count=len(parts), several="{several}")
    if any(c.priority == "urgent" for _, c in parts):
        reply += "\n" + texts.CREATED_URGENT.split("\n")[-1]
    return Outcome(reply, actions + extra, act="several")


def time_left(minutes: float | None) -> str:
    """剩余 2 天 / 剩余 5 小时 / 已超时 3 小时; "" without a deadline."""
    if minutes is None:
        return ""
    m = abs(minutes)
    if m >= 24 * 60:
        n, fmt = int(m // (24 * 60)), (texts.TIME_LEFT_DAYS, texts.OVERDUE_DAYS)
    elif m >= 60:
        n, fmt = int(m // 60), (texts.TIME_LEFT_HOURS, texts.OVERDUE_HOURS)
    else:
        n, fmt = max(1, int(m)), (texts.TIME_LEFT_MINUTES, texts.OVERDUE_MINUTES)
    return (fmt[0] if minutes >= 0 else fmt[1]).format(n=n)


def _by_number(number: str | None, ctx: Context) -> OpenRequest | None:
    return next((r for r in ctx.open_requests + ctx.recent if r.number == number), None)


def _thanks(text: str, ctx: Context) -> Outcome:
    """A short warm reply, never a request; after 办结 a positive signal on that request."""
    number = acts.thanks_target(text, ctx)
    r = _by_number(number, ctx)
    if r is not None and r.finished_minutes is not None:
        return Outcome(texts.THANKS_FOR.format(number=r.number, summary=_literal(r.summary)),
                       [Thanks(r.number, text[:500])], act="thanks")
    return Outcome(texts.THANKS, [Thanks(number, text[:500])] if number else [], act="thanks")


def _chase_or_ask(act, text: str, ctx: Context) -> Outcome:
    if act.name == "vague":
        if ctx.recent and (ctx.recent[0].finished_minutes or 0) <= acts.FINISHED_DAYS * 24 * 60:
            r = ctx.recent[0]
            return Outcome(texts.ASK_WHAT_FINISHED.format(number=r.number, summary=_literal(r.summary)), act="vague")
        return Outcome(texts.ASK_WHAT, act="vague")
    if act.number is None:
        return _ask_which(act.options, "chase", text, ctx, act="vague")
    r = _by_number(act.number, ctx)
    return Outcome("{result}", [Chase(act.number, text[:1000])], act="chase") if r is not None else Outcome(texts.ASK_WHAT)


def chased_reply(r: OpenRequest, notified: bool) -> str:
    """What the villager is told after a chase: number, status, who has it, the time left."""
    left = time_left(r.minutes_left) or "尚未定时限"
    reply = texts.CHASED.format(number=r.number, summary=_literal(r.summary), status=r.status_label,
                                team=r.team_name, left=left)
    return reply if notified else reply + texts.CHASED_AGAIN_NOTE


def _supplement(act, text: str, ctx: Context) -> Outcome:
    if act.number is None:
        return _ask_which(act.options, "supplement", text, ctx, act="supplement")
    r = _by_number(act.number, ctx)
    reply = texts.SUPPLEMENTED.format(number=r.number, summary=_literal(r.summary), team=r.team_name)
    return Outcome(reply, [Supplement(r.number, text[:2000])], act="supplement")


def _answer(text: str, asked: dict, ctx: Context) -> Outcome:
    number = asked["number"]
    r = _by_number(number, ctx)
    summary = r.summary if r is not None else ""
    by = asked.get("by")
    asker = (ctx.asker(by) if ctx.asker is not None and by is not None else "") or "村里的工作人员"
    state = {k: v for k, v in (ctx.state or {}).items() if k != "asked"}
    return Outcome(texts.ANSWERED.format(asker=_literal(asker), number=number, summary=_literal(summary)),
                   [Answer(number, text[:2000], by), SetState(state)], act="answer")


def _ask_which(options, what: str, text: str, ctx: Context, act: str) -> Outcome:
    """Several requests fit: list them; the answer (序号 or the number's last digits) decides."""
    rows = [r for r in (_by_number(n, ctx) for n in options) if r is not None][:5]
    listing = "\n".join(f"{i}. {r.number}｜{_literal(r.summary)}" for i, r in enumerate(rows, 1))
    state = dict(ctx.state or {}, step="which_request", options=[r.number for r in rows],
                 pending_act={"act": what, "text": text[:2000]})
    state.pop("attachment", None)
    return Outcome(texts.ASK_WHICH_MATTER.format(options=listing), [SetState(state)], act=act)


def list_open(ctx: Context) -> Outcome:
    if not ctx.open_requests:
        if ctx.recent:  # nothing open, something finished lately: that is what they ask about
            lines = [texts.RECENT_LIST_HEAD] + [
                texts.OPEN_LIST_ITEM.format(i=i, number=r.number, team=r.team_name, status=r.status_label,
                                            summary=_literal(r.summary)) for i, r in enumerate(ctx.recent[:5], 1)]
            return Outcome("\n".join(lines), act="query")
        return Outcome(texts.NO_OPEN, act="vague")  # nothing to show: the villager is asked what it is
    lines = [texts.OPEN_LIST_HEAD]
    for i, r in enumerate(ctx.open_requests[:8], 1):
        lines.append(texts.OPEN_LIST_ITEM.format(i=i, number=r.number, team=r.team_name, status=r.status_label,
                                                 summary=_literal(r.summary)) + _deadline_line(r))
    if len(ctx.open_requests) > 8:
        lines.append(f"……共 {len(ctx.open_requests)} 件")
    return Outcome("\n".join(lines), act="query")


def _deadline_line(r: OpenRequest) -> str:
    if not r.due or r.finished_minutes is not None:
        return ""
    return "\n" + texts.DEADLINE_LINE.format(due=r.due, left=time_left(r.minutes_left))


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
        return Outcome(texts.QUERY_NOT_FOUND.format(number=ref[3]), act="query")
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
        return Outcome(texts.ASK_WHICH_AGAIN.format(count=len(ctx.state.get("options", [])), what=what), act="chatter")
    return Outcome(texts.SHORT_HELP, act="chatter")


def _status(r: OpenRequest) -> Outcome:
    return Outcome(texts.REQUEST_STATUS.format(number=r.number, team=r.team_name, status=r.status_label,
                                               summary=_literal(r.summary), created=r.created) + _deadline_line(r),
                   act="query")


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
        return Outcome(missing, act="empty")
    if ctx.village is None:
        return village_dialog(msg, ctx)
    what = texts.WHAT[msg.kind]
    opens = ctx.open_requests
    if opens and (len(opens) == 1 or opens[0].age_minutes <= ATTACH_RECENT_MINUTES):
        return Outcome(_attached_text(msg.kind, opens[0].number), [_attach_action(msg, opens[0].number)], act="supplement")
    if opens:
        options = opens[:5]
        listing = "\n".join(f"{i}. {r.number}｜{r.summary}" for i, r in enumerate(options, 1))
        state = dict(ctx.state or {}, step="which_request", attachment=msg.to_pending(),
                     options=[r.number for r in options])
        return Outcome(texts.ASK_WHICH.format(what=what, options=listing), [SetState(state)], act="supplement")
    # nothing open: keep it until the villager says what the problem is
    kept = list((ctx.state or {}).get("attachments", []))[-4:] + [msg.to_pending()]
    state = dict(ctx.state or {}, attachments=kept)  # kept beside a pending 回访 or question
    return Outcome(texts.KEEP_UNTIL_TEXT.format(what=what), [SetState(state)], act="kept")


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
    rest = {k: v for k, v in state.items() if k not in ("step", "options", "attachment", "pending_act")}
    act = state.get("pending_act")
    if act:
        r = _by_number(number, ctx)
        if act.get("act") == "chase" and r is not None:
            return Outcome("{result}", [Chase(number, act.get("text", "")), SetState(rest)], act="chase")
        if r is not None:
            reply = texts.SUPPLEMENTED.format(number=r.number, summary=_literal(r.summary), team=r.team_name)
            return Outcome(reply, [Supplement(number, act.get("text", "")), SetState(rest)], act="supplement")
    pending = Incoming.from_pending(state["attachment"])
    return Outcome(_attached_text(pending.kind, number), [_attach_action(pending, number), SetState(rest)],
                   act="supplement")


def _pending_attach_actions(ctx: Context) -> list:
    """Photos or locations sent before the problem was described join the new request."""
    state = ctx.state or {}
    items = list(state.get("attachments", []))
    if state.get("step") == "which_request" and state.get("attachment") and not state.get("pending_act"):
        items.append(state["attachment"])
    if not items:
        return []
    # the kept photos are used up; whatever else the dialog waits for (a 回访, a person's
    # question) stays
    rest = {k: v for k, v in state.items() if k not in _ATTACH_KEYS}
    return [_attach_action(Incoming.from_pending(p), None) for p in items] + [SetState(rest)]


_ATTACH_KEYS = ("attachments", "attachment", "step", "options", "pending_act")


_KIND_HANDLERS = {"text": on_text, "voice": on_voice, "image": on_attachment, "location": on_attachment,
                  "link": on_attachment}


def summarize(text: str, limit: int = 30) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


__all__ = ["OpenRequest", "summarize", "list_open", "query", "request_ref"]
