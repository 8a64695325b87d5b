"""WeChat events: follow/unfollow, QR scans, menu clicks, location reports."""
from __future__ import annotations

from handlers import on_event, texts
from handlers.types import Context, Incoming, Outcome, SetState, SetSubscribed, SetVillage
from handlers.villager import list_open


DIALOG_STEP_KEYS = ("step", "candidate", "options", "pending", "attachment", "pending_act")


def _village_dialog_done(ctx: Context) -> SetState:
    """The village is known now: the dialog step ends; the rest of the state stays (a question
    a person asked, a pending 回访, kept photos, a cadre's proof window …)."""
    return SetState({k: v for k, v in (ctx.state or {}).items() if k not in DIALOG_STEP_KEYS})


def _scene_village(key: str | None, ctx: Context) -> str | None:
    """`qrscene_<village>` (subscribe) or `<village>` (SCAN) names a village to bind."""
    if not key:
        return None
    scene = key[len("qrscene_"):] if key.startswith("qrscene_") else key
    if scene.startswith("village_"):
        scene = scene[len("village_"):]
    if scene in ctx.village_names:
        return scene
    hits = ctx.match_village(scene, ctx.village_names)
    return hits[0] if len(hits) == 1 else None


@on_event("subscribe")
def on_subscribe(msg: Incoming, ctx: Context) -> Outcome:
    actions: list = [SetSubscribed(True)]
    village = _scene_village(msg.event_key, ctx)
    if village:
        return Outcome(texts.WELCOME_WITH_VILLAGE.format(village=village),
                       actions + [SetVillage(village), _village_dialog_done(ctx)])
    if ctx.village:
        return Outcome(texts.WELCOME, actions)
    return Outcome(texts.WELCOME + "\n" + texts.ASK_VILLAGE.format(
        example=ctx.village_names[0] if ctx.village_names else "某某村"), actions + [SetState({"step": "ask_village"})])


@on_event("unsubscribe")
def on_unsubscribe(msg: Incoming, ctx: Context) -> Outcome:
    return Outcome("", [SetSubscribed(False)])


@on_event("scan")
def on_scan(msg: Incoming, ctx: Context) -> Outcome:
    village = _scene_village(msg.event_key, ctx)
    if village and village != ctx.village:
        return Outcome(texts.VILLAGE_SET_NEXT.format(village=village),
                       [SetVillage(village), _village_dialog_done(ctx)])
    return Outcome(texts.GREETING)


MENU = {
    "MY_REQUESTS": lambda msg, ctx: list_open(ctx),
    "HELP": lambda msg, ctx: Outcome(texts.HELP),
    "WISH": lambda msg, ctx: Outcome(texts.MENU_WISH),
}


@on_event("click")
def on_click(msg: Incoming, ctx: Context) -> Outcome:
    fn = MENU.get((msg.event_key or "").upper())
    return fn(msg, ctx) if fn else Outcome(texts.MENU_UNKNOWN)


@on_event("location", "view", "templatesendjobfinish")
def on_silent(msg: Incoming, ctx: Context) -> Outcome:
    return Outcome("")
