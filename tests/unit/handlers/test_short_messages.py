"""Short texts that are not problems, quoted request numbers and empty attachments, with the
real intent rules (nlp.detect_intent) in place of the classifier."""
from dataclasses import dataclass, field

import pytest

import handlers
from handlers import texts
from handlers.types import Attach, Context, CreateRequest, Incoming, OpenRequest, Rate, SetState, SetVillage
from nlp import detect_intent, tibetan

VILLAGES = ["果洛藏贡麻村", "秀脑贡麻村", "恩乃村", "日芒村"]
MINE = [OpenRequest("GC-2026-000120", "已派单", "社会治理工作队", "路灯坏了", "11-25 10:00", 30),
        OpenRequest("GC-2026-000007", "待分派", "待分派", "草场围栏被剪断了", "11-24 09:00", 1500)]


@dataclass(frozen=True)
class C:
    intent: str
    label: str | None = "governance"
    confidence: float = 0.9
    priority: str = "normal"
    tier: str = "general"
    evidence: list = field(default_factory=list)


def ctx(village="恩乃村", state=None, opens=()):
    def match(text, names):
        return [n for n in names if text and (text in n or n in text)]

    return Context(village, state or {}, list(opens), VILLAGES, {"governance": "社会治理工作队"},
                   lambda text: C(detect_intent(text)), match)


def say(t, **kw):
    return handlers.handle(Incoming("text", "o1", text=t), ctx(**kw))


def creates(out) -> bool:
    return any(isinstance(a, CreateRequest) for a in out.actions)


@pytest.mark.parametrize("text", ["1", "ok", "OK!", "好", "嗯", "嗯嗯", "哈哈", "123456", "hello", "可以", "是的",
                                  "喂", "1。"])
@pytest.mark.parametrize("opens", [(), MINE])
def test_chatter_gets_the_short_help_and_no_request(text, opens):
    out = say(text, opens=opens)
    assert out.reply == texts.SHORT_HELP and out.actions == []


def test_punctuation_alone_gets_the_empty_reply():
    out = say("？")
    assert out.reply == texts.EMPTY and out.actions == []


@pytest.mark.parametrize("text", ["查", "查下", "查查", "帮我查下", "处理到哪一步了", "到哪一步了", "办好了没有", "办了没有",
                                  "弄好没", "有结果了吗", "什么时候能修好", "办完了没", "我的事办好了没有"])
def test_progress_questions_list_open_requests(text):
    out = say(text, opens=MINE)
    assert texts.OPEN_LIST_HEAD in out.reply and "GC-2026-000120" in out.reply and "GC-2026-000007" in out.reply
    assert out.actions == []
    assert say(text).reply == texts.NO_OPEN


@pytest.mark.parametrize("text", ["GC-2026-000007", "gc-2026-7", "GC2026000007", "2026-000007", "000007",
                                  "ＧＣ－２０２６－０００００７", "查询 GC-2026-000007", "GC-2026-000007怎么样了",
                                  "查一下 000007"])
def test_a_quoted_own_number_shows_that_request_only(text):
    out = say(text, opens=MINE)
    assert "GC-2026-000007" in out.reply and "草场围栏" in out.reply and "待分派" in out.reply
    assert "GC-2026-000120" not in out.reply and out.actions == []


@pytest.mark.parametrize("text", ["GC-2026-000999", "gc-2026-999", "查询 GC-2025-000007", "XY-2026-000007",
                                  "2026-000999"])
def test_a_number_that_is_not_theirs_is_not_found_and_reveals_nothing(text):
    out = say(text, opens=MINE)
    assert "没有找到" in out.reply and out.actions == []
    assert "GC-2026-000120" not in out.reply and "GC-2026-000007" not in out.reply and "路灯" not in out.reply


@pytest.mark.parametrize("text", ["2023-2024年的草原补奖进度", "查询 000999", "查一下进度 身份证后六位123456"])
def test_other_digits_in_a_progress_question_just_get_the_list(text):
    out = say(text, opens=MINE)
    assert texts.OPEN_LIST_HEAD in out.reply and "没有找到" not in out.reply and out.actions == []


def test_six_digits_that_are_not_a_request_of_theirs_are_chatter():
    assert say("000999", opens=MINE).reply == texts.SHORT_HELP


@pytest.mark.parametrize("text,ref", [
    ("GC-2026-000123", ("GC", "2026", 123, "GC-2026-000123")),
    ("gc 2026 1", ("GC", "2026", 1, "GC-2026-000001")),
    ("2026-000123", (None, "2026", 123, "2026-000123")),
    ("000123", (None, None, 123, "000123")),
    ("1", None),
    ("12345", None),
    ("13912345678", None),
    ("路灯坏了", None),
])
def test_request_ref(text, ref):
    from handlers.villager import request_ref

    assert request_ref(text) == ref


@pytest.mark.parametrize("text", ["停电了", "没水了", "路塌了", "着火了", "水", "路灯坏了", "路灯什么时候能修好"])
def test_short_problems_still_become_requests(text):
    assert creates(say(text))


@pytest.mark.parametrize("text", ["ཁྱེད་རང་བདེ་མོ་ཡིན་པས།", "བཀྲ་ཤིས་བདེ་ལེགས"])
def test_a_tibetan_greeting_is_greeted_in_tibetan_and_chinese_not_filed(text):
    out = say(text)
    assert out.act == "greeting" and not [a for a in out.actions if isinstance(a, CreateRequest)]
    assert tibetan.has_tibetan(out.reply) and texts.GREETING in out.reply


@pytest.mark.parametrize("text", ["hello my road is broken", "ok thanks", "ludenghuaile", "привет"])
def test_longer_non_chinese_texts_still_go_to_review(text):
    out = say(text)
    assert [a.review_reason for a in out.actions if isinstance(a, CreateRequest)] == ["non_chinese"]


def test_help_words_still_get_the_full_help():
    for text in ("help", "HELP", "帮助"):
        assert say(text).reply == texts.HELP


# ---- the dialogs that take a bare number ------------------------------------------------
def test_a_bare_number_still_chooses_the_village():
    out = say("贡麻村", village=None)
    state = out.actions[0].state
    out = say("1", village=None, state=state)
    assert SetVillage("果洛藏贡麻村") in out.actions


def test_a_bare_1_still_confirms_the_village():
    out = say("1", village=None, state={"step": "confirm_village", "candidate": "恩乃村"})
    assert SetVillage("恩乃村") in out.actions


def test_a_bare_number_still_says_which_request_a_photo_belongs_to():
    state = {"step": "which_request", "attachment": {"kind": "image", "openid": "o1", "media_id": "M2"},
             "options": ["GC-2026-000120", "GC-2026-000007"]}
    out = say("2", state=state, opens=MINE)
    assert Attach("image", "GC-2026-000007", media_id="M2") in out.actions


def test_a_number_not_on_the_photo_list_asks_again_and_keeps_the_photo():
    state = {"step": "which_request", "attachment": {"kind": "image", "openid": "o1", "media_id": "M2"},
             "options": ["GC-2026-000120", "GC-2026-000007"]}
    for text in ("8", "ok"):
        out = say(text, state=state, opens=MINE)
        assert "没有这个序号" in out.reply and "1 到 2" in out.reply and "照片" in out.reply
        assert out.actions == []  # the state (and the photo in it) is kept


def test_a_bare_number_still_rates_after_the_survey():
    out = say("1", state={"rating_for": "GC-2026-000120"}, opens=MINE)
    assert out.actions == [Rate("GC-2026-000120", 1, None)]


def test_the_first_message_kept_during_first_contact_may_be_chatter():
    out = say("ok", village=None)
    state = next(a.state for a in out.actions if isinstance(a, SetState))
    out = say("恩乃村", village=None, state=state)
    state = next(a.state for a in out.actions if isinstance(a, SetState))
    out = say("是", village=None, state=state)
    assert SetVillage("恩乃村") in out.actions and not creates(out) and texts.SHORT_HELP in out.reply


# ---- attachments without content -------------------------------------------------------
@pytest.mark.parametrize("lat,lng", [(None, None), (37.3, None), (float("nan"), 100.1), (float("inf"), 100.1),
                                     (123.0, 100.1), (37.3, 500.0), (0.0, 0.0)])
@pytest.mark.parametrize("opens", [(), MINE])
def test_location_without_usable_coordinates_is_not_attached(lat, lng, opens):
    out = handlers.handle(Incoming("location", "o1", latitude=lat, longitude=lng, label="x"), ctx(opens=opens))
    assert out.reply == texts.NO_LOCATION and out.actions == []


@pytest.mark.parametrize("media_id", [None, "", "  "])
@pytest.mark.parametrize("village", [None, "恩乃村"])
def test_image_without_media_id_is_not_attached(media_id, village):
    msg = Incoming("image", "o1", media_id=media_id, pic_url="http://mmbiz.qpic.cn/x.jpg")
    out = handlers.handle(msg, ctx(village=village, opens=MINE))
    assert out.reply == texts.NO_IMAGE and out.actions == []


def test_a_real_location_is_still_attached():
    out = handlers.handle(Incoming("location", "o1", latitude=37.32, longitude=100.13), ctx(opens=MINE))
    assert out.actions == [Attach("location", "GC-2026-000120", latitude=37.32, longitude=100.13)]


def test_unsupported_kinds_are_told_about_links():
    reply = handlers.handle(Incoming("unknown", "o1", raw_type="video"), ctx()).reply
    assert "链接" in reply and "位置" in reply


def test_braces_in_the_villagers_words_are_kept_literally():
    opens = [OpenRequest("GC-2026-000001", "已派单", "社会治理工作队", "路灯{3号杆}坏了", "11-25 10:00", 30)]
    for text in ("查询", "GC-2026-000001"):
        reply = say(text, opens=opens).reply
        assert reply.format(number="", team="", due="", village="", result="", dup_note="").count("{3号杆}") == 1


def test_recognised_voice_is_read_the_same_way():
    voice = Incoming("voice", "o1", text="嗯。", media_id="V1")
    assert handlers.handle(voice, ctx(opens=MINE)).reply == texts.SHORT_HELP
    voice = Incoming("voice", "o1", text="办好了没有？", media_id="V2")
    out = handlers.handle(voice, ctx(opens=MINE))
    assert texts.OPEN_LIST_HEAD in out.reply and out.actions == []
