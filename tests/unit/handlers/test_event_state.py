"""Following or scanning a village's QR code ends the village dialog, and nothing else: the
question a person asked the villager (state["asked"]), a pending 回访 and kept photos stay."""
import handlers
from handlers.types import Context, Incoming, SetState, SetVillage

VILLAGES = ["果洛藏贡麻村", "恩乃村"]
KEPT = {"asked": {"number": "GC-2026-000001", "by": 7, "at": "2026-05-01T10:00:00+00:00"},
        "rating_for": ["GC-2026-000002"], "attachments": [{"kind": "image", "media_id": "m1"}]}


def ctx(village, state):
    return Context(village, state, [], VILLAGES, {}, lambda text: None, lambda text, names: [])


def _state(out):
    return next(a.state for a in out.actions if isinstance(a, SetState))


def test_a_returning_follower_by_qr_code_keeps_what_is_not_the_village_dialog():
    state = dict(KEPT, step="confirm_village", candidate="恩乃村", pending={"kind": "text", "text": "x"})
    out = handlers.handle(Incoming("event", "o1", event="subscribe", event_key="qrscene_果洛藏贡麻村"),
                          ctx(None, state))
    assert SetVillage("果洛藏贡麻村") in out.actions and _state(out) == KEPT


def test_scanning_another_villages_code_keeps_the_question_asked():
    state = dict(KEPT, step="which_request", options=["GC-2026-000003"], attachment={"kind": "image"})
    out = handlers.handle(Incoming("event", "o1", event="scan", event_key="果洛藏贡麻村"), ctx("恩乃村", state))
    assert SetVillage("果洛藏贡麻村") in out.actions and _state(out) == KEPT
