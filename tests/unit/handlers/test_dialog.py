"""The villager dialog as pure functions: no database, no Flask."""
from dataclasses import dataclass, field

import handlers
from handlers.types import Attach, Context, CreateRequest, CreateWish, Incoming, OpenRequest, SetState, SetVillage

VILLAGES = ["果洛藏贡麻村", "秀脑贡麻村", "恩乃村", "日芒村"]


@dataclass(frozen=True)
class C:
    label: str | None = "governance"
    confidence: float = 0.9
    intent: str = "problem"
    priority: str = "normal"
    tier: str = "general"
    evidence: list = field(default_factory=list)


def ctx(village="恩乃村", state=None, opens=(), c=C()):
    def match(text, names):
        return [n for n in names if text and (text in n or n in text)]

    return Context(village, state or {}, list(opens), VILLAGES, {"governance": "社会治理工作队"},
                   lambda text: c, match)


def text(t):
    return Incoming("text", "o1", text=t)


def test_problem_creates_a_request_and_the_reply_has_placeholders():
    out = handlers.handle(text("路灯坏了"), ctx())
    assert isinstance(out.actions[0], CreateRequest)
    assert "{number}" in out.reply and "{due}" in out.reply


def test_low_confidence_goes_to_review_with_a_reply():
    out = handlers.handle(text("牛棚那边有点问题"), ctx(c=C(confidence=0.2)))
    assert out.actions[0].review_reason == "low_confidence" and "{number}" in out.reply


def test_ambiguous_partial_village_name_offers_a_choice():
    out = handlers.handle(text("贡麻村"), ctx(village=None))
    assert "1. 果洛藏贡麻村" in out.reply and "2. 秀脑贡麻村" in out.reply
    state = out.actions[0].state
    out2 = handlers.handle(text("2"), ctx(village=None, state=state))
    assert SetVillage("秀脑贡麻村") in out2.actions


def test_saying_no_to_the_village_asks_again():
    out = handlers.handle(text("不是"), ctx(village=None, state={"step": "confirm_village", "candidate": "恩乃村"}))
    assert "哪个村" in out.reply and not any(isinstance(a, SetVillage) for a in out.actions)


def test_wish_prefix_makes_a_wish_unless_the_model_is_sure_it_is_a_teams_matter():
    out = handlers.handle(text("微心愿：想要一床厚被子"), ctx(c=C(label="welfare", confidence=0.5)))
    assert isinstance(out.actions[0], CreateWish) and out.actions[0].text == "想要一床厚被子"
    out = handlers.handle(text("心愿：村里的路灯修一修"), ctx(c=C(label="governance", confidence=0.95)))
    assert isinstance(out.actions[0], CreateRequest) and out.actions[0].text == "村里的路灯修一修"
    assert out.act == "new"


def test_empty_wish_prefix_explains_how():
    assert "微心愿：" in handlers.handle(text("微心愿："), ctx()).reply


def test_image_with_one_open_request_is_attached():
    opens = [OpenRequest("GC-2026-000009", "已派单", "社会治理工作队", "路灯坏了", "11-25 10:00", 600)]
    out = handlers.handle(Incoming("image", "o1", media_id="M1"), ctx(opens=opens))
    assert out.actions == [Attach("image", "GC-2026-000009", media_id="M1")]


def test_answer_by_last_digits_attaches_to_that_request():
    state = {"step": "which_request", "attachment": {"kind": "image", "openid": "o1", "media_id": "M2"},
             "options": ["GC-2026-000120", "GC-2026-000007"]}
    out = handlers.handle(text("7"), ctx(state=state))
    assert Attach("image", "GC-2026-000007", media_id="M2") in out.actions
    out = handlers.handle(text("120"), ctx(state=state))
    assert Attach("image", "GC-2026-000120", media_id="M2") in out.actions


def test_unknown_kind_and_event_are_polite_not_errors():
    assert handlers.handle(Incoming("unknown", "o1", raw_type="video"), ctx()).reply
    assert handlers.handle(Incoming("event", "o1", event="never_heard_of"), ctx()).reply == ""


def test_query_thanks_greeting():
    assert "没有正在办理" in handlers.handle(text("查询"), ctx(c=C(intent="query"))).reply
    assert "不客气" in handlers.handle(text("谢谢"), ctx(c=C(intent="thanks"))).reply
    assert "您好" in handlers.handle(text("你好"), ctx(c=C(intent="greeting"))).reply


def test_first_problem_is_kept_while_the_village_is_asked():
    out = handlers.handle(text("路灯坏了一个月了没人修"), ctx(village=None))
    state = next(a.state for a in out.actions if isinstance(a, SetState))
    assert state["pending"]["text"] == "路灯坏了一个月了没人修"
